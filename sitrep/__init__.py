"""sitrep: weekly humanitarian situation reports from a curated, sourced YAML fact store.

The library API (the CLI is a thin shell over it):

    from sitrep import check, build_week
    result = build_week("config.yaml", week="2016-W26")
"""

__version__ = "0.1.0"

__all__ = ["build_week", "build_all", "build_languages", "check", "BuildResult", "CheckResult", "Problem", "SitrepError", "__version__"]


def __getattr__(name: str):
    # Imported on first use, so that importing any part of sitrep costs nothing until it is
    # used: the command line forks its PDF helper before anything loads (commands/entry.py),
    # and the build API loads pydantic, Jinja and YAML.
    if name in ("build_week", "build_all", "build_languages", "check", "BuildResult", "CheckResult"):
        from sitrep import build

        return getattr(build, name)
    if name in ("Problem", "SitrepError"):
        from sitrep import errors

        return getattr(errors, name)
    raise AttributeError(f"module 'sitrep' has no attribute {name!r}")
