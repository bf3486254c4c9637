"""The command line and the commands beside it (serve, trace, new, init, templates context)."""
