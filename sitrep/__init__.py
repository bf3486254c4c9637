"""sitrep: weekly humanitarian situation reports from a curated, sourced YAML fact store.

The library API (the CLI is a thin shell over it):

    from sitrep import check, build_week
    result = build_week("config.yaml", week="2016-W26")
"""

__version__ = "0.1.0"

from sitrep.errors import Problem, SitrepError  # noqa: E402

__all__ = ["build_week", "build_all", "check", "BuildResult", "CheckResult", "Problem", "SitrepError", "__version__"]


def __getattr__(name: str):
    # The build API is imported on first use, so that `sitrep` starts without loading pydantic,
    # Jinja and YAML (the CLI forks its PDF helper before it needs them).
    if name in ("build_week", "build_all", "check", "BuildResult", "CheckResult"):
        from sitrep import build

        return getattr(build, name)
    raise AttributeError(f"module 'sitrep' has no attribute {name!r}")
