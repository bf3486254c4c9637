"""Who may read what a build writes: an internal edition's files and the cache (which holds
every entry, restricted ones included) by their owner only, whatever the umask; a public
edition's files as the umask allows (issue 9: internal reports were written 0644)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from support import series_workspace

WEEK = "2025-W12"


@pytest.fixture
def series(tmp_path: Path) -> Path:
    return series_workspace(tmp_path)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def modes(paths) -> dict[str, str]:
    return {path.name: oct(mode(path)) for path in paths}


def build(workspace: Path, *args: str, umask: int = 0o022) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "sitrep", "build", "--week", WEEK, *args], cwd=workspace,
                          capture_output=True, text=True, timeout=120, umask=umask)
    assert done.returncode == 0, done.stderr
    return done


def public_files(output: Path) -> list[Path]:
    return [output / WEEK / f"sitrep-{WEEK}.html", output / WEEK / f"sitrep-{WEEK}.pdf", output / "index.html",
            output / ".sitrep-manifest.json", *(output / "assets" / "fonts").iterdir()]


def internal_files(output: Path) -> list[Path]:
    return [output / WEEK / f"sitrep-{WEEK}-internal.html", output / WEEK / f"sitrep-{WEEK}-internal.pdf",
            output / "index-internal.html", output / ".sitrep-manifest-internal.json"]


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_internal_files_and_the_cache_are_the_owners_only_public_files_follow_the_umask(series, umask):
    build(series, umask=umask)
    build(series, "--edition", "internal", umask=umask)
    output = series / "output"
    public = 0o666 & ~umask
    assert modes(public_files(output)) == {p.name: oct(public) for p in public_files(output)}
    assert modes(internal_files(output)) == {p.name: oct(0o600) for p in internal_files(output)}
    cache = series / ".sitrep-cache"
    inside = list(cache.rglob("*"))
    assert {"templates", ".gitignore", "CACHEDIR.TAG"} <= {p.name for p in inside}
    assert any(p.name.startswith("store-") for p in inside)
    assert modes(p for p in [cache, *inside] if p.is_dir()) == {p.name: oct(0o700) for p in [cache, *inside] if p.is_dir()}
    assert modes(p for p in inside if p.is_file()) == {p.name: oct(0o600) for p in inside if p.is_file()}


def test_internal_files_an_older_version_left_readable_by_all_are_written_again(series):
    build(series, "--edition", "internal")
    output = series / "output"
    for path in internal_files(output):
        path.chmod(0o644)  # as sitrep wrote every file before
    done = build(series, "--edition", "internal")
    assert "built in" in done.stdout
    assert modes(internal_files(output)) == {p.name: oct(0o600) for p in internal_files(output)}
    assert "up to date" in build(series, "--edition", "internal").stdout


def test_the_umask_is_read_without_changing_it():
    from sitrep.output import current_umask

    before = os.umask(0o027)
    try:
        assert current_umask() == 0o027
        assert current_umask() == 0o027  # and it was left as it was
    finally:
        os.umask(before)
