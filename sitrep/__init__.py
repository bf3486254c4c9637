"""sitrep: weekly humanitarian situation reports from a curated, sourced YAML fact store.

The library API (the CLI is a thin shell over it):

    from sitrep import check, build_week
    result = build_week("config.yaml", week="2016-W26")
"""

__version__ = "0.1.0"

from .build import BuildResult, CheckResult, build_week, check  # noqa: E402
from .errors import Problem, SitrepError  # noqa: E402

__all__ = ["build_week", "check", "BuildResult", "CheckResult", "Problem", "SitrepError", "__version__"]
