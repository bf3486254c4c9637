"""The benchmark's report: its tables on the terminal, the markdown of docs/performance.md, and
the lines of the goals met or missed.

Every figure is a median of n runs (a time) or of n pairwise ratios (a ratio; bench/paired.py):
`m(...)`'s dicts hold `wall` (the median), `low`, `high`, `n`, `peak_kb`, `cpu`, `phases`; a
ratio's dict holds `median`, `low`, `high`, `n`.

`make bench` writes `document(...)` into docs/performance.md between the markers BEGIN and END
(`write_docs`), so that every figure there comes from one run.
"""

from __future__ import annotations

import re
from pathlib import Path

NA_ALL = "n/a (build --all not available)"
BEGIN = "<!-- bench: the figures below are written by `make bench`; edit bench/tables.py, not them -->"
END = "<!-- bench: end -->"


def seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def ratio(pairs: dict | None) -> str:
    """'1.02 (0.97-1.10)': the median of the pairwise ratios and their min-max."""
    if not pairs:
        return "-"
    return f"{pairs['median']:.2f} ({pairs['low']:.2f}-{pairs['high']:.2f})"


def pdf_weasy(row: dict) -> dict:
    """Build PDF / WeasyPrint alone: the pairwise ratios measured, or, for measurements made
    without pairs, the ratio of the two medians."""
    if "pdf_weasy" in row:
        return row["pdf_weasy"]
    value = row["pdf"]["wall"] / row["weasy"]["wall"]
    return {"median": value, "low": value, "high": value, "n": 1}


def pages(row: dict) -> str:
    return "?" if row.get("pages") is None else str(row["pages"])


def size_table(row: dict) -> list[tuple[str, str]]:
    cold, warm, html, pdf, weasy, noop = (row[k] for k in ("load_cold", "load_warm", "html", "pdf", "weasy", "noop"))
    in_weasy = pdf["phases"].get("render_pdf")
    return [
        ("store", f"{row['entries']} entries, {row['files']} files, {row['mb']:.1f} MB, {row['weeks']} weeks"),
        ("week built", f"{row['week']}: {row['week_facts']} facts, {pages(row)} PDF pages"),
        ("load + validate, cold (in process)", seconds(cold["phases"]["check"])),
        ("load + validate, no change (in process)", seconds(warm["phases"]["check"])),
        ("  (whole `sitrep check` process: cold / no change)", f"{seconds(cold['wall'])} / {seconds(warm['wall'])}"),
        ("build one week, HTML (process)", seconds(html["wall"])),
        ("build one week, PDF (process)", seconds(pdf["wall"])),
        ("WeasyPrint alone, same HTML (process)", seconds(weasy["wall"])),
        ("build PDF / WeasyPrint alone", ratio(pdf_weasy(row))),
        ("share of the PDF build in WeasyPrint", f"{100 * in_weasy / pdf['wall']:.0f} %" if in_weasy else "-"),
        ("no-change rebuild of the week (process)", seconds(noop["wall"])),
        ("peak memory: cold load / PDF build", f"{cold['peak_kb'] / 1024:.0f} MB / {pdf['peak_kb'] / 1024:.0f} MB"),
        ("render HTML: sandboxed / plain Jinja", sandbox_cost(row.get("sandbox"))),
        ("check HTML: parse, judge, policy, serialise, read back", check_cost(row.get("sandbox"))),
    ]


def sandbox_cost(measured: dict | None) -> str:
    if not measured:
        return "-"
    sandboxed, plain = measured["sandboxed_s"], measured["plain_s"]
    return f"{1000 * sandboxed:.1f} ms / {1000 * plain:.1f} ms ({100 * (sandboxed / plain - 1):+.0f} %)"


def check_cost(measured: dict | None) -> str:
    if not measured or "checked_s" not in measured:
        return "-"
    return f"{1000 * measured['checked_s']:.1f} ms"


def print_table(title: str, rows: list[tuple[str, str]]) -> None:
    width = max(len(r[0]) for r in rows)
    print(f"\n{title}")
    for label, value in rows:
        print(f"  {label.ljust(width)}  {value}")


def summary(rows: list[dict], archive: dict) -> str:
    """One markdown table, a column per size: what docs/performance.md shows."""
    header = "| | " + " | ".join(f"{r['entries']:,} entries" for r in rows) + " |"
    lines = [header, "|---|" + "---:|" * len(rows)]

    def line(label, fn):
        lines.append(f"| {label} | " + " | ".join(fn(r) for r in rows) + " |")

    line("files, MB, weeks of history", lambda r: f"{r['files']}, {r['mb']:.1f} MB, {r['weeks']}")
    line("facts in the week built (PDF pages)", lambda r: f"{r['week_facts']} ({pages(r)})")
    line("load + validate, cold", lambda r: seconds(r["load_cold"]["phases"]["check"]))
    line("load + validate, no store file changed", lambda r: seconds(r["load_warm"]["phases"]["check"]))
    line("`sitrep check` process, cold / no change", lambda r: f"{r['load_cold']['wall']:.2f} / {r['load_warm']['wall']:.2f} s")
    line("build one week, HTML", lambda r: seconds(r["html"]["wall"]))
    line("build one week, PDF", lambda r: seconds(r["pdf"]["wall"]))
    line("WeasyPrint alone, same HTML to PDF", lambda r: seconds(r["weasy"]["wall"]))
    line("build PDF / WeasyPrint alone (min-max)", lambda r: ratio(pdf_weasy(r)))
    line("share of the PDF build in WeasyPrint",
         lambda r: f"{100 * r['pdf']['phases'].get('render_pdf', 0) / r['pdf']['wall']:.0f} %")
    line("no-change rebuild of the week", lambda r: seconds(r["noop"]["wall"]))
    line("peak memory, cold load / PDF build",
         lambda r: f"{r['load_cold']['peak_kb'] / 1024:.0f} / {r['pdf']['peak_kb'] / 1024:.0f} MB")
    line("render HTML, sandboxed / plain Jinja", lambda r: sandbox_cost(r.get("sandbox")))
    line("check HTML: parse, judge, policy, serialise, read back", lambda r: check_cost(r.get("sandbox")))
    return "\n".join(lines) + archive_paragraph(archive)


def archive_paragraph(archive: dict) -> str:
    """`build --all` with one process and two, in turns; '' when the run left it out."""
    if "jobs1" in archive:
        return (f"\n\n`sitrep build --all --force` on {archive['entries']} entries ({archive['weeks']} weeks): "
                f"{archive['jobs1']['wall']:.1f} s with `--jobs 1`, {archive['jobs2']['wall']:.1f} s with `--jobs 2` "
                f"(medians of {archive['jobs1']['n']} runs each, in turns; speed-up {speedup(archive)}; CPU time of "
                f"all processes {archive['jobs1']['cpu']:.1f} s and {archive['jobs2']['cpu']:.1f} s); no-change "
                f"`sitrep build --all`: {archive['noop']['wall']:.2f} s.")
    if archive:
        return f"\n\n`sitrep build --all`, `--jobs 1` vs `--jobs 2`, no-change archive rebuild: {NA_ALL}."
    return ""


def speedup(archive: dict) -> str:
    pairs = archive["speedup"]
    return f"{pairs['median']:.2f}x ({pairs['low']:.2f}-{pairs['high']:.2f}x, n={pairs['n']})"


def goals(rows: list[dict], archive: dict) -> list[str]:
    """The goals of the issues before issue 25 (issue 25's: bench/goals.py)."""
    if not rows:
        return archive_goal(archive)
    out = []
    big = max(rows, key=lambda r: r["entries"])
    cold, warm = big["load_cold"]["phases"]["check"], big["load_warm"]["phases"]["check"]
    out.append(f"[{'met' if cold < 2 else 'MISSED'}] load + validate {big['entries']:,} entries cold: {cold:.2f} s (goal < 2 s)")
    out.append(f"[{'met' if warm < 0.3 else 'MISSED'}] ... with no store file changed: {warm:.2f} s (goal < 0.3 s)")
    full = [r for r in rows if r["week_facts"] >= 20]
    if len(full) >= 2:
        small, large = min(full, key=lambda r: r["entries"]), max(full, key=lambda r: r["entries"])
        for kind in ("html", "pdf"):
            growth = large[kind]["wall"] / small[kind]["wall"]
            out.append(f"[{'met' if growth < 1.25 else 'MISSED'}] one week's {kind.upper()} build with "
                       f"{large['weeks']} weeks of history vs {small['weeks']}: {growth:.2f}x the time "
                       f"(same week content; goal: no growth with history, < 1.25x)")
    for r in rows:
        pairs = pdf_weasy(r)
        out.append(f"[{'met' if pairs['median'] <= 1.1 else 'MISSED'}] {r['entries']:,} entries: build PDF / "
                   f"WeasyPrint alone = {pairs['median']:.2f} ({pairs['low']:.2f}-{pairs['high']:.2f}, "
                   f"n={pairs['n']}; goal <= 1.1)")
    return out + archive_goal(archive)


def archive_goal(archive: dict) -> list[str]:
    if "jobs1" in archive:
        met = archive["speedup"]["median"] >= 1.6
        return [f"[{'met' if met else 'MISSED'}] --all on 2 processes vs 1: {speedup(archive)} (goal >= 1.6x)"]
    return [f"[n/a] --all on 2 processes vs 1: {NA_ALL}"] if archive else []


def document(heading: str, rows: list[dict], archive: dict, startup: list[tuple[str, float]], imports: str,
             goal_lines: list[str]) -> str:
    """The block of docs/performance.md that `make bench` writes: one run's figures."""
    parts = [heading]
    if rows:
        parts.append(summary(rows, archive))
    elif archive:
        parts.append(archive_paragraph(archive).strip())
    if startup:
        parts.append("Start-up, paid by every command: " + "; ".join(f"{label} {seconds(value)}" for label, value in startup)
                     + ".")
    if imports:
        parts.append(imports)
    if goal_lines:
        parts.append("Against the goals (median; min-max and n of the runs or pairwise ratios):\n\n"
                     + "\n".join(f"- {line}" for line in goal_lines))
    return "\n\n".join(parts)


def write_docs(path: Path, block: str) -> None:
    """Replace what is between BEGIN and END in `path` with `block`."""
    text = path.read_text(encoding="utf-8")
    found = re.search(re.escape(BEGIN) + r"\n.*?\n" + re.escape(END), text, flags=re.S)
    if found is None:
        raise SystemExit(f"{path} has no benchmark markers: a line '{BEGIN}' and, after it, a line '{END}'")
    path.write_text(text[:found.start()] + f"{BEGIN}\n\n{block}\n\n{END}" + text[found.end():], encoding="utf-8")


def read_docs(path: Path, strict: bool = False) -> str:
    """What is between the markers now (the test that the manual's table is the bench's);
    `strict`: a file without them is refused, as `write_docs` would refuse it."""
    text = path.read_text(encoding="utf-8")
    found = re.search(re.escape(BEGIN) + r"\n(.*?)\n" + re.escape(END), text, flags=re.S)
    if found is None and strict:
        raise SystemExit(f"{path} has no benchmark markers: a line '{BEGIN}' and, after it, a line '{END}'")
    return found.group(1).strip() if found else ""
