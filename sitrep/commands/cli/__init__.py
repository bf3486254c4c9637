"""The commands of the command line, one module each: a thin shell over the library
(`sitrep.build`) and over the commands' own logic one folder up (serve.py, trace.py, new.py...).
Importing this package registers them on `app` (app.py, with the shared options and the one
error boundary); `main`, re-exported here, runs the command line (the `sitrep` program starts
in commands/entry.py, which may fork the PDF helper first).

Each command imports the stages it uses inside its own function, on purpose: the command line
loads in about 65 ms, the pipeline (pydantic, Jinja, PyYAML, Babel) in about 270 ms more. So
`sitrep --help` and a mistyped command answer at once, and `sitrep build` has its PDF helper
forked before the pipeline loads (commands/entry.py), letting WeasyPrint's import run on the
other core meanwhile. A module
here therefore imports, at its top, only Typer, the standard library, sitrep.errors, app.py and
the PDF helper (light: WeasyPrint loads in the helper process); the logic modules one folder up
load the pipeline, so they too are imported inside the commands.
"""

from __future__ import annotations

from sitrep.commands.app import app, main  # noqa: F401  (main: the console script's entry point)

# `sitrep --help` lists the commands in the order they register, which is the order of this import.
from sitrep.commands.cli import build, check, weeks, schema, serve, edit, trace, new, templates, init, importing, export  # noqa: F401
