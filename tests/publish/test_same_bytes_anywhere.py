"""What sitrep publishes names no folder of the machine that built it, and the same workspace
gives the same bytes wherever it lies (docs/commands.md, "Reproducible builds"): the example is
built, every week, edition language and export, in two folders of different names and depths,
as a user builds it; every file under output/ is compared, and searched for either folder (as a
path, a file: URL, percent-encoded) and for the home folder, PDFs with their streams
decompressed.

Before issue 22, every multilingual PDF linked its other editions as
file:///<folder>/output/<week>/...-ar.html, so the PDFs differed and named the folder."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pikepdf
import pytest

from support import copy_example

EXPORTS = (("hxl", "--all", "-o", "output/exports"), ("acled", "--all", "-o", "output/exports/acled.csv"),
           ("json", "--all", "-o", "output/exports/report.json"))


def build_everything(ws: Path, sitrep_process) -> dict[str, bytes]:
    """Build every report and export of the workspace into its output/; every file there, by
    its path relative to output/."""
    done = sitrep_process("build", "--all", "--jobs", "1", cwd=ws, timeout=600)
    assert done.exit_code == 0, done.stderr
    for args in EXPORTS:
        done = sitrep_process("export", *args, cwd=ws)
        assert done.exit_code == 0, done.stderr
    output = ws / "output"
    return {path.relative_to(output).as_posix(): path.read_bytes() for path in sorted(output.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory, sitrep_process) -> list[tuple[Path, dict[str, bytes]]]:
    """The example built in two folders: each workspace and what its output/ holds."""
    base = tmp_path_factory.mktemp("anywhere")
    folders = [base / "ws", base / "a second place, é" / "deeper" / "other workspace"]
    return [(ws, build_everything(copy_example(ws), sitrep_process)) for ws in folders]


def without_file_stats(manifest: bytes) -> dict:
    """A manifest less each file's size and modification time (`stats`): the build's own record
    of the files as it wrote them, to notice one changed or replaced since (publish/archive.py,
    is_current). A file's modification time is when it was written, so it differs from one
    build to the next even in the same folder; it names no folder."""
    data = json.loads(manifest)
    for entry in data["weeks"].values():
        assert set(entry.pop("stats")) == set(entry["files"])
    return data


def test_the_same_workspace_in_two_folders_gives_the_same_bytes(two_builds):
    (_, first), (_, second) = two_builds
    assert sorted(first) == sorted(second)
    assert {"index.html", "index-ar.html", "index-fr.html", "exports/incidents.csv", "exports/acled.csv",
            "exports/report.json", "2016-W26/fallujah-sitrep-2016-W26-ar.pdf",
            "2016-W26/fallujah-sitrep-2016-W26.html"} <= set(first)
    manifests = [name for name in first if name.startswith(".sitrep-manifest")]
    assert len(manifests) == 3  # one per language
    different = [name for name in first if first[name] != second[name] and name not in manifests]
    assert different == []
    for name in manifests:
        assert without_file_stats(first[name]) == without_file_stats(second[name]), name


def uncompressed(pdf: bytes) -> bytes:
    """The PDF with every stream decompressed and no object streams: its text, names and links
    as a search must see them."""
    import io

    source, target = io.BytesIO(pdf), io.BytesIO()
    with pikepdf.open(source) as document:
        document.save(target, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.generalized,
                      object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return target.getvalue()


def test_no_output_names_the_folder_it_was_built_in(two_builds):
    home = str(Path.home())
    for ws, files in two_builds:
        folder = str(ws.resolve())
        forbidden = {folder, ws.resolve().as_uri(), quote(folder), str(ws.resolve().parent)}
        if home not in ("/", ""):
            forbidden.add(home)
        needles = {form.encode() for form in forbidden} | {form.encode("utf-16-be") for form in forbidden}
        for name, data in files.items():
            searched = data + (uncompressed(data) if name.endswith(".pdf") else b"")
            found = [needle for needle in needles if needle in searched]
            assert not found, f"{name} holds {found}"


def test_every_link_of_a_pdf_to_a_file_opens_a_file_it_was_published_with(two_builds):
    """A reader resolves a relative /URI against where the PDF is (ISO 32000-1, 12.6.4.7: with no
    /Base, "relative to the location of the document itself"): each such link of each PDF, so
    resolved, is a file of the same output folder; before, each was file:///<build folder>/..."""
    import io
    import posixpath
    from urllib.parse import unquote, urlsplit

    (_, files), _ = two_builds
    followed = 0
    for name, data in files.items():
        if not name.endswith(".pdf"):
            continue
        with pikepdf.open(io.BytesIO(data)) as pdf:
            uris = [str(annot.A.URI) for page in pdf.pages for annot in page.get("/Annots", [])
                    if "/A" in annot and "/URI" in annot.A]
        for uri in uris:
            parts = urlsplit(uri)
            if parts.scheme in ("https", "http", "mailto"):
                continue
            assert not parts.scheme and not parts.netloc, f"{name}: {uri}"
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), unquote(parts.path)))
            assert target in files, f"{name}: {uri} leads to {target}, which was not published"
            followed += 1
    assert followed == 6 * 2  # every report (2 weeks, 3 languages) links the other two languages
