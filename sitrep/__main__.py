from sitrep.commands.entry import main

main()
