from sitrep.commands.cli import main

main()
