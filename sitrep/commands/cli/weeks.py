"""`sitrep weeks`: the series of reports, with their numbers, periods and what each brings.

The store's modules (pydantic, YAML) are imported inside the command: `sitrep --help` should not
pay for loading them (see sitrep/commands/cli/__init__.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from sitrep.commands.app import ConfigOption, Edition, EditionOption, app


@app.command()
def weeks(
    config: Path = ConfigOption,
    edition: Optional[Edition] = EditionOption,
) -> None:
    """List the series of reports: each one's week, number and period, and the entries that become known in it (its news).

    The internal edition's series counts restricted entries too, and may hold weeks the public one has not.

    Example: sitrep weeks --edition internal
    """
    from sitrep.build import check as run_check
    from sitrep.report.series import week_summaries

    result = run_check(config)
    summaries = week_summaries(result.series(result.edition(edition.value if edition else None)))
    width = max((len(summary.period) for summary in summaries), default=0)
    for summary in summaries:
        counts = ", ".join(_counted(n, kind, summary.updates.get(kind, n)) for kind, n in summary.counts.items() if n)
        counts = counts or "no new information"
        typer.echo(f"{summary.week}  No. {summary.number:<3} {summary.period:<{width}}  {counts}")


def _counted(n: int, kind: str, updates: int) -> str:
    """'1 incident', '2 routes'; a route or area with several updates in the report says so:
    '1 route (2 updates)'."""
    from sitrep.source.schema import count_of

    return count_of(n, kind) + (f" ({updates} updates)" if updates > n else "")
