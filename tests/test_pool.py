"""One pool over every report of a run, a week in a language (issue 25): `build --all` and a
one-week build of several languages load the store once, import WeasyPrint once, then fork
their workers; each report is built once, by a worker, and the files are the bytes a build of
one report after the other writes. What it costs is measured by bench/languages.py, not here."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from support import copy_example

LANGUAGES = ["en", "ar", "fr"]
WEEKS = ["2015-W31", "2016-W26"]


def test_the_pool_builds_every_report_once_in_its_workers_from_one_load(tmp_path, monkeypatch):
    from sitrep import build as build_module
    from sitrep.pipeline import Workspace

    ws = copy_example(tmp_path / "ws")
    monkeypatch.chdir(ws)
    journal = tmp_path / "journal"
    parent = os.getpid()
    loads = []
    load, build_one, start_worker = Workspace.load.__func__, build_module._Plan.build, build_module._start_worker

    def counted_load(cls, *args, **kwargs):
        loads.append(os.getpid())
        return load(cls, *args, **kwargs)

    def journalled_build(plan, week, force):
        with open(journal, "a", encoding="utf-8") as out:  # one short line a write: appended whole
            out.write(json.dumps(["built", plan.language, str(week), os.getpid()]) + "\n")
        return build_one(plan, week, force)

    def journalled_start(*args):
        with open(journal, "a", encoding="utf-8") as out:
            out.write(json.dumps(["started", "weasyprint" in sys.modules, os.getpid()]) + "\n")
        return start_worker(*args)

    monkeypatch.setattr(Workspace, "load", classmethod(counted_load))
    monkeypatch.setattr(build_module._Plan, "build", journalled_build)
    monkeypatch.setattr(build_module, "_start_worker", journalled_start)

    results = build_module.build_languages("config.yaml", LANGUAGES, all_weeks=True, formats=("html", "pdf"),
                                           force=True, jobs=2)
    lines = [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines()]
    built = [tuple(line[1:3]) for line in lines if line[0] == "built"]
    assert sorted(built) == sorted((tag, week) for tag in LANGUAGES for week in WEEKS)  # each one once
    workers = {line[2] for line in lines if line[0] == "started"}
    assert len(workers) == 2 and parent not in workers
    assert all(line[3] in workers for line in lines if line[0] == "built")  # none in this process
    assert all(line[1] for line in lines if line[0] == "started")  # WeasyPrint imported before the fork
    assert loads == [parent]  # the store loaded once, here, for every language
    # The results in the order of one report after the other: each language's weeks, oldest first.
    assert [(r.language, str(r.week)) for r in results] == [(tag, week) for tag in LANGUAGES for week in WEEKS]
    assert not any(r.skipped for r in results)
    for tag in LANGUAGES:  # each language's manifest holds its two reports, and its index is written
        manifest = ws / "output" / (".sitrep-manifest.json" if tag == "en" else f".sitrep-manifest-{tag}.json")
        assert sorted(json.loads(manifest.read_text(encoding="utf-8"))["weeks"]) == WEEKS
        assert (ws / "output" / ("index.html" if tag == "en" else f"index-{tag}.html")).is_file()


def output_files(ws: Path) -> dict[str, bytes]:
    """Every file under output/, a manifest less each file's modification time and size (when
    it was written: a build's own record, different in any two builds)."""
    files = {}
    for path in sorted((ws / "output").rglob("*")):
        if path.is_file():
            name = path.relative_to(ws / "output").as_posix()
            data = path.read_bytes()
            if name.startswith(".sitrep-manifest"):
                manifest = json.loads(data)
                for entry in manifest["weeks"].values():
                    entry.pop("stats")
                data = json.dumps(manifest, sort_keys=True).encode()
            files[name] = data
    return files


def test_the_pool_writes_the_bytes_of_one_report_after_the_other(tmp_path, sitrep_process):
    serial, pooled = copy_example(tmp_path / "serial"), copy_example(tmp_path / "pooled")
    done = sitrep_process("build", "--all", "--jobs", "1", cwd=serial, timeout=600)
    assert done.exit_code == 0, done.stderr
    # One week in every language on the PDF helper's lanes, then the rest of the series on the pool.
    week = sitrep_process("build", "--jobs", "2", cwd=pooled, timeout=600)
    assert week.exit_code == 0, week.stderr
    assert "sitrep build: en, ar, fr: 3 reports to build" in week.stderr  # counted together
    assert sorted(line.split(": ")[1] for line in week.stderr.splitlines() if ": built (" in line) == [
        f"2016-W26, {tag}" for tag in sorted(LANGUAGES)]
    rest = sitrep_process("build", "--all", "--jobs", "2", cwd=pooled, timeout=600)
    assert rest.exit_code == 0, rest.stderr
    assert "sitrep build: en, ar, fr: 3 reports to build" in rest.stderr  # 2015-W31 in each; 2016-W26 is current
    first, second = output_files(serial), output_files(pooled)
    assert sorted(first) == sorted(second)
    assert len([name for name in first if name.endswith(".pdf")]) == 6
    assert [name for name in first if first[name] != second[name]] == []
