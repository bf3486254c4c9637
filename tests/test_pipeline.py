"""One pipeline: the stages are chained in sitrep/pipeline.py only, imports flow one way
through the stage packages, the preview is the build, and the library front door neither forks
for one week nor leaves the caller's garbage collector changed (the CLI passes those tricks in)."""

from __future__ import annotations

import ast
import gc
import os
import re
from pathlib import Path

import pytest

from sitrep import build_all, build_week
from sitrep.commands import serve
from sitrep.pipeline import Layout, Workspace
from support import REPO

WEEK = "2016-W26"
STAGE_CALLS = re.compile(r"\b(render_for|build_context|check_references|policy_for)\(")


@pytest.fixture
def ws(workspace: Path, monkeypatch) -> Path:
    monkeypatch.chdir(workspace)
    return workspace


def test_the_stages_are_chained_in_the_pipeline_only():
    chained_in = sorted(path.name for path in (REPO / "sitrep").rglob("*.py")
                        if path.name not in ("templates.py", "builder.py", "references.py")  # where they are defined
                        and STAGE_CALLS.search(path.read_text(encoding="utf-8")))
    assert chained_in == ["pipeline.py"]


def test_a_library_build_of_one_week_forks_nothing(ws, monkeypatch):
    def no_fork():
        raise AssertionError("build_week forked a process")

    monkeypatch.setattr(os, "fork", no_fork)
    result = build_week("config.yaml", WEEK, formats=("pdf",), force=True)
    assert result.files["pdf"].read_bytes().startswith(b"%PDF")


def test_a_library_build_of_the_series_leaves_the_garbage_collector_as_it_was(ws):
    frozen_before = gc.get_freeze_count()
    results = build_all("config.yaml", formats=("html",), force=True, jobs=2)
    assert len(results) == 2 and not any(r.skipped for r in results)
    assert gc.get_freeze_count() == frozen_before


def test_the_preview_is_the_build(ws):
    build_week("config.yaml", WEEK, formats=("html",), force=True)
    built = (ws / f"output/{WEEK}/fallujah-sitrep-{WEEK}.html").read_text(encoding="utf-8")
    _, served, _ = serve.render_report("config.yaml", WEEK)
    # The same document; only the URLs of the fonts and the workspace are the server's own, and
    # the built file carries those files inside it (one file that travels).
    workspace = Workspace.load("config.yaml")
    rendered = workspace.render_week(workspace.resolve(WEEK, "public"), "public")
    assert served.replace(f'"{serve.ASSETS_URL}/', '"../assets/') == rendered.html.text
    assert workspace.standalone(rendered) == built


def test_layouts_name_the_same_folders(ws):
    workspace = Workspace.load("config.yaml")
    week = workspace.resolve(WEEK, "public")
    built = Layout.output(workspace.config, week)
    served = Layout.served(workspace.config, week, serve.ASSETS_URL, serve.WORKSPACE_URL)
    assert (built.assets_url, built.workspace_url) == ("../assets", "../..")
    assert built.week_dir == served.week_dir == workspace.config.output_dir / WEEK
    assert served.mounts == {serve.ASSETS_URL: built.assets_dir, serve.WORKSPACE_URL: workspace.config.workspace}


def test_the_command_line_has_one_error_boundary():
    """Commands raise SitrepError; one place (app._ErrorBoundary) prints it and exits 1."""
    commands = REPO / "sitrep/commands"
    source = "".join(path.read_text(encoding="utf-8") for path in [commands / "app.py", *commands.glob("cli/*.py")])
    assert source.count("_fail(") == 2  # its definition and the boundary's one call
    assert source.count("except SitrepError") == 2  # the boundary, and main()'s last resort


# The layers, lowest first: a module may import from its own layer and the ones below it only.
LAYERS = [("errors", "output", "processes", "language", "progress"), ("source",), ("report",), ("render",), ("publish",), ("pipeline",),
          ("build", "exchange", "edit"), ("commands",)]


def layer_of(module: str) -> int:
    """'sitrep.render.pdf' -> the index of the render layer."""
    top = module.split(".")[1]
    return next(i for i, names in enumerate(LAYERS) if top in names)


def test_imports_flow_one_way_through_the_stages():
    package = REPO / "sitrep"
    upward = []
    for path in package.rglob("*.py"):
        if path.name in ("__init__.py", "__main__.py") and path.parent == package:
            continue  # the package's front door and `python -m sitrep`: above every layer
        module = ".".join(path.relative_to(REPO).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sitrep."):
                if layer_of(node.module) > layer_of(module):
                    upward.append(f"{module} imports {node.module}")
            assert not (isinstance(node, ast.ImportFrom) and node.level), f"{module}: relative import"
    assert upward == []


@pytest.mark.parametrize("module, must_not_load", [
    # The program's start: the PDF helper is forked before anything but the standard library loads.
    ("sitrep.commands.entry, sitrep.render.pdfhelper", ("typer", "sitrep.errors", "multiprocessing", "weasyprint")),
    # The command line: `sitrep --help` answers without loading the pipeline.
    ("sitrep.commands.cli", ("pydantic", "yaml", "jinja2", "weasyprint", "sitrep.build", "sitrep.pipeline")),
])
def test_the_command_line_starts_light(module, must_not_load):
    import subprocess
    import sys

    code = f"import sys, {module}; print(' '.join(sorted(sys.modules)))"
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split())
    assert not loaded & set(must_not_load)
