"""`sitrep weeks`: the series of reports, with their numbers, periods and what each brings.

The store's modules (pydantic, YAML) are imported inside the command: `sitrep --help` should not
pay for loading them (see sitrep/commands/cli/__init__.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from sitrep.commands.app import AsOfOption, ConfigOption, Edition, EditionOption, app


@app.command()
def weeks(
    config: Path = ConfigOption,
    edition: Optional[Edition] = EditionOption,
    as_of: Optional[str] = AsOfOption,
) -> None:
    """List the series of reports: each one's week, number and period, and the entries that become known in it (its news).

    The internal edition's series counts restricted entries too, and may hold weeks the public one has not. A report is made only for a week that has ended (before today, or --as-of): what became known in the current week is listed as waiting.

    Example: sitrep weeks --edition internal
    """
    from sitrep.pipeline import check as run_check
    from sitrep.report.series import week_summaries
    from sitrep.source.dates import format_day

    result = run_check(config, as_of=as_of)
    series = result.series(result.edition(edition.value if edition else None))
    summaries = week_summaries(series)
    width = max((len(summary.period) for summary in summaries), default=0)
    for summary in summaries:
        counts = ", ".join(_counted(n, kind, summary.updates.get(kind, n)) for kind, n in summary.counts.items() if n)
        counts = counts or "no new information"
        typer.echo(f"{summary.week}  No. {summary.number:<3} {summary.period:<{width}}  {counts}")
    # What became known in a week not yet ended: no report of it until the week is over.
    for week in sorted({series.week_of(a) for a in series.waiting}):
        updates = series.count_updates(week)
        counts = ", ".join(_counted(n, kind, updates.get(kind, n)) for kind, n in series.count_arrived(week).items() if n)
        typer.echo(f"{week}  waiting: {counts}; its report is made once the week ends on {format_day(week.end)}")


def _counted(n: int, kind: str, updates: int) -> str:
    """'1 incident', '2 routes'; a route or area with several updates in the report says so:
    '1 route (2 updates)'."""
    from sitrep.source.schema import count_of

    return count_of(n, kind) + (f" ({updates} updates)" if updates > n else "")
