"""Long reports on both cores: can WeasyPrint lay out a long report's parts in parallel and the
parts be joined into one tagged PDF? A prototype, and its measurements (issue 25; the findings
are in docs/performance.md, "Long reports").

    .venv/bin/python bench/longreport.py [--facts 120,650] [--pairs 3] [--parts 2] [--keep DIR]

For each size, a synthetic workspace whose weeks hold about FACTS facts each (bench/generate.py
with its FACTS_PER_WEEK raised) has its latest week rendered to HTML, as `sitrep build` renders
it. Then, interleaved (serial, parallel, serial, parallel ...), in fresh forked processes with
WeasyPrint imported beforehand (so neither side pays the import):

- serial: sitrep's own layout (render/pdflayout.layout_pdf) of the whole HTML;
- parallel: the HTML cut at section boundaries (or between two groups of documented abuses)
  into PARTS documents of about equal length, each laid out by layout_pdf in a forked process,
  the parts joined with pikepdf.

Page numbers: each part is paginated first; WeasyPrint lays out margin boxes (the running header
and "Page N of M") only once every page of a document is made (weasyprint/layout/__init__.py,
layout_document). The prototype wraps `make_margin_boxes` so that a part, once paginated, tells
the parent how many pages it has and its last running strings (`string-set`), and waits for its
page offset, the total and the strings carried over from the parts before it: one layout pass.

The join (pikepdf): pages; the structure tree (each part's Document element's children moved
under the first part's, the ParentTree's keys and every page's /StructParents and annotation's
/StructParent shifted past the keys before it; marked-content ids are per page and need no
change); named destinations merged (a link to an anchor in another part then resolves); the
outlines chained. Then it checks the result against the serial PDF: the page count, the text of
every page (pdftotext), the outline, every link's destination, every /StructParents key, and the
PyPI checker `pdfua`; and it prints the figures: the median of pairwise parallel/serial ratios,
with min-max and n.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from multiprocessing import get_context
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

ELSEWHERE = "sitrep-part:"  # a link to another part's anchor, until join() points it there
CUT = re.compile(r'<section class=|<div class="abuse-group"')


def long_week(folder: Path, facts: int) -> tuple[str, dict]:
    """A workspace of a few weeks of about `facts` facts each; its latest week's HTML, and how
    sitrep lays it out (render_pdf's keyword arguments)."""
    import generate

    from sitrep.pipeline import Workspace

    generate.FACTS_PER_WEEK = facts
    made = generate.generate(folder, facts * 3 + 200, seed=1)
    workspace = Workspace.load(made.config)
    rendered = workspace.render_week(workspace.resolve(None, "public"), "public")
    return rendered.html.text, dict(base_dir=rendered.layout.week_dir, allowed_roots=list(rendered.policy.readable),
                                    withheld_roots=list(rendered.policy.withheld), variant=workspace.config.pdf_variant)


def split(html: str, parts: int) -> list[str]:
    """The HTML as `parts` documents: the same head, <main>'s content cut at the section (or
    abuse group) boundary nearest each equal share of its length (inline SVG not counted); the report header in the first,
    the footer in the last. A cut inside an open section reopens it (without its id)."""
    start = html.index("<main>") + len("<main>")
    end = html.index("</main>")
    body_start = html.index(">", html.index("<body")) + 1
    content = html[start:end]
    bounds = [m.start() for m in CUT.finditer(content)]
    svgs = [(m.start(), m.end()) for m in re.finditer(r"<svg\b.*?</svg>", content, re.S)]

    def weight(at: int) -> int:  # characters before `at`, less inline SVG's (charts, the map: fast to lay out)
        return at - sum(min(end, at) - start for start, end in svgs if start < at)

    whole = weight(len(content))
    cuts = sorted({min(bounds, key=lambda b: abs(weight(b) - whole * k / parts)) for k in range(1, parts)})
    pieces = [content[a:b] for a, b in zip([0, *cuts], [*cuts, len(content)])]
    documents = []
    for k, piece in enumerate(pieces):
        before = html[:start] if k == 0 else html[:body_start] + "<main>"
        if k:
            opened = content[:cuts[k - 1]].rfind("<section ")
            if content.find("</section>", opened, cuts[k - 1]) < 0:
                tag = content[opened:content.index(">", opened) + 1]
                piece = re.sub(r' id="[^"]*"', "", tag) + piece
        after = html[end:] if k == len(pieces) - 1 else "</main></body></html>"
        document = before + piece + after
        ids = set(re.findall(r' id="([^"]+)"', document))
        # A link to an anchor of another part: WeasyPrint would drop it; join() makes it internal again.
        documents.append(re.sub(r'href="#([^"]+)"', lambda m: m.group(0) if m.group(1) in ids
                                else f'href="{ELSEWHERE}{m.group(1)}"', document))
    return documents


# --- one part, in a forked process ----------------------------------------------------------------

def _part(html: str, options: dict, conn) -> None:
    import weasyprint.layout as layout
    import weasyprint.layout.page as paging
    from weasyprint.document import Document

    from sitrep.render.pdflayout import layout_pdf

    margin_boxes, strings_for = layout.make_margin_boxes, layout.LayoutContext.get_string_or_element_for
    page_styles = paging.set_page_type_computed_styles
    told: dict = {}

    def set_page_type_computed_styles(page_type, html, style_for):
        told["html"] = html  # the document being laid out, to style the page types the offset makes
        return page_styles(page_type, html, style_for)

    def make_margin_boxes(context, page, state):
        if "offset" not in told:  # every page of this part is made: say how many, learn where they go
            last = {name: values[max(values)][-1] for name, values in context.string_set.items() if values}
            conn.send((state[1]["pages"][0], last))
            told.update(conn.recv())
        quote_depth, counters, *rest = state
        counters = {**counters, "page": [counters["page"][0] + told["offset"]], "pages": [told["total"]]}
        if told["offset"]:  # :first, :left and :right as in the whole document
            kind = page.page_type
            side = {"left": "right", "right": "left"}.get(kind.side, kind.side) if told["offset"] % 2 else kind.side
            page.page_type = kind._replace(index=kind.index + told["offset"], side=side)
            page_styles(page.page_type, told["html"], context.style_for)
        return margin_boxes(context, page, (quote_depth, counters, *rest))

    def get_string_or_element_for(context, store, page, name, keyword):
        found = strings_for(context, store, page, name, keyword)
        if not found and store is context.string_set and name in told.get("carried", {}):
            return (told["carried"][name],)
        return found

    def write_pdf(document, *args, **kwargs):
        told["bookmarks"] = [(level, label) for page in document.pages for level, label, *_ in page.bookmarks]
        return write(document, *args, **kwargs)

    write = Document.write_pdf
    Document.write_pdf = write_pdf
    layout.make_margin_boxes = make_margin_boxes
    paging.set_page_type_computed_styles = set_page_type_computed_styles
    layout.LayoutContext.get_string_or_element_for = get_string_or_element_for
    pdf, refused = layout_pdf(html, options["base_dir"], options["allowed_roots"], options["withheld_roots"],
                              options["variant"])
    conn.send((told["bookmarks"], time.process_time()))
    conn.send_bytes(pdf)
    conn.close()
    os._exit(0)


def parallel(html: str, options: dict, parts: int) -> tuple[bytes, dict]:
    """The report laid out in `parts` forked processes, joined; and the seconds each step took."""
    ctx = get_context("fork")
    t0 = time.perf_counter()
    conns, processes = [], []
    for document in split(html, parts):
        mine, theirs = ctx.Pipe()
        process = ctx.Process(target=_part, args=(document, options, theirs))
        process.start()
        theirs.close()  # a part that fails ends the parent's wait (EOFError), never hangs it
        conns.append(mine)
        processes.append(process)
    told = [conn.recv() for conn in conns]
    t1 = time.perf_counter()
    total, offset, carried = sum(n for n, _ in told), 0, {}
    for conn, (pages, last) in zip(conns, told):
        conn.send({"offset": offset, "total": total, "carried": dict(carried)})
        offset += pages
        carried.update(last)
    bookmarks, pdfs = [], []
    cpu = []
    for conn in conns:
        marks, seconds = conn.recv()
        bookmarks += marks
        cpu.append(seconds)
        pdfs.append(conn.recv_bytes())
    for process in processes:
        process.join()
    t2, c2 = time.perf_counter(), time.process_time()
    joined = join(pdfs, bookmarks)
    t3, c3 = time.perf_counter(), time.process_time()
    return joined, {"paginate": t1 - t0, "finish": t2 - t1, "join": t3 - t2, "pages": [n for n, _ in told],
                    "cpu": cpu, "join cpu": c3 - c2}


# --- the join -------------------------------------------------------------------------------------

def _pairs(tree, key: str) -> list:
    """A name or number tree's leaves as one flat [key, value, ...] list."""
    out = list(tree.get(key, []))
    for kid in tree.get("/Kids", []):
        out += _pairs(kid, key)
    return out


def _copy(out, src, value):
    """`value` of `src` in `out` (a direct array or dictionary made indirect first)."""
    import pikepdf

    if isinstance(value, (pikepdf.Array, pikepdf.Dictionary)) and not value.is_indirect:
        value = src.make_indirect(value)
    return out.copy_foreign(value) if isinstance(value, (pikepdf.Array, pikepdf.Dictionary)) else value


def _outline(pdf) -> list:
    """The outline's items in reading order (depth first): (title, destination)."""
    items = []

    def walk(children):
        for item in children:
            items.append((item.title, item.destination))
            walk(item.children)

    with pdf.open_outline() as outline:
        walk(outline.root)
    return items


def join(pdfs: list[bytes], bookmarks: list[tuple[int, str]]) -> bytes:
    """The parts as one PDF; `bookmarks`: every part's (level, label), in order, to nest the outline
    as the whole document's (a part that begins inside a section has its subsections at the top)."""
    import warnings

    import pikepdf

    warnings.filterwarnings("ignore", category=pikepdf.PageCopyWarning)  # named destinations: merged below

    out = pikepdf.open(io.BytesIO(pdfs[0]))
    root = out.Root.StructTreeRoot
    document = root.K if isinstance(root.K, pikepdf.Dictionary) else root.K[0]
    nums = _pairs(root.ParentTree, "/Nums")
    next_key = max(int(k) for k in nums[::2]) + 1
    names = _pairs(out.Root.Names.Dests, "/Names") if "/Names" in out.Root else []
    ids = _pairs(root.IDTree, "/Names") if "/IDTree" in root else []
    outlines = out.Root.Outlines
    items = _outline(out)
    for data in pdfs[1:]:
        src = pikepdf.open(io.BytesIO(data))
        for page in src.pages:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + next_key
            for annot in page.obj.get("/Annots", []):
                if "/StructParent" in annot:
                    annot.StructParent = int(annot.StructParent) + next_key
        out.pages.extend(src.pages)
        sroot = src.Root.StructTreeRoot
        spairs = _pairs(sroot.ParentTree, "/Nums")
        for k, v in zip(spairs[::2], spairs[1::2]):
            nums += [int(k) + next_key, _copy(out, src, v)]
        next_key = max(int(k) for k in nums[::2]) + 1
        sdoc = sroot.K if isinstance(sroot.K, pikepdf.Dictionary) else sroot.K[0]
        for kid in sdoc.K:
            copied = _copy(out, src, kid)
            if isinstance(copied, pikepdf.Dictionary):
                copied.P = document
            document.K.append(copied)
        if "/Names" in src.Root and "/Dests" in src.Root.Names:
            spairs = _pairs(src.Root.Names.Dests, "/Names")
            names += [x if i % 2 == 0 else _copy(out, src, x) for i, x in enumerate(spairs)]
        if "/IDTree" in sroot:
            spairs = _pairs(sroot.IDTree, "/Names")
            ids += [x if i % 2 == 0 else _copy(out, src, x) for i, x in enumerate(spairs)]
        items += [(title, _copy(out, src, dest)) for title, dest in _outline(src)]
    for page in out.pages:  # links to another part's anchors: to its named destination
        for annot in page.obj.get("/Annots", []):
            uri = annot.get("/A", {}).get("/URI") if "/A" in annot else None
            if uri is not None and bytes(uri).startswith(ELSEWHERE.encode()):
                del annot.A
                annot.Dest = pikepdf.String(bytes(uri)[len(ELSEWHERE):])
    with out.open_outline() as outline:
        outline.root.clear()
        stack = [(0, outline.root)]
        for (level, _), (title, dest) in zip(bookmarks, items):
            while stack[-1][0] >= level:
                stack.pop()
            item = pikepdf.OutlineItem(title, dest)
            stack[-1][1].append(item)
            stack.append((level, item.children))
    root.ParentTree = out.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array(nums)))
    root.ParentTreeNextKey = next_key
    if names:
        order = sorted(range(0, len(names), 2), key=lambda i: bytes(names[i]))
        out.Root.Names.Dests = pikepdf.Dictionary(Names=pikepdf.Array([x for i in order for x in names[i:i + 2]]))
    if ids:
        order = sorted(range(0, len(ids), 2), key=lambda i: bytes(ids[i]))
        root.IDTree = pikepdf.Dictionary(Names=pikepdf.Array([x for i in order for x in ids[i:i + 2]]))
    buffer = io.BytesIO()
    out.save(buffer, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue()


# --- the serial layout, the checks, the figures --------------------------------------------------

def _serial(html: str, options: dict, conn) -> None:
    from sitrep.render.pdflayout import layout_pdf

    pdf = layout_pdf(html, options["base_dir"], options["allowed_roots"], options["withheld_roots"], options["variant"])[0]
    conn.send(time.process_time())
    conn.send_bytes(pdf)
    os._exit(0)


def serial(html: str, options: dict) -> tuple[bytes, float]:
    """The report laid out in one forked process; and that process's CPU seconds."""
    ctx = get_context("fork")
    mine, theirs = ctx.Pipe()
    process = ctx.Process(target=_serial, args=(html, options, theirs))
    process.start()
    theirs.close()
    cpu = mine.recv()
    pdf = mine.recv_bytes()
    process.join()
    return pdf, cpu


def page_texts(pdf: bytes) -> list[str]:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        text = subprocess.run(["pdftotext", "-layout", f.name, "-"], capture_output=True, text=True).stdout
    return text.split("\f")[:-1]


def checks(pdf: bytes, reference: bytes, title: str) -> dict:
    """What the joined PDF gets right and wrong, against the serial one."""
    import pikepdf

    ours, theirs = pikepdf.open(io.BytesIO(pdf)), pikepdf.open(io.BytesIO(reference))
    texts, expected = page_texts(pdf), page_texts(reference)
    total = len(texts)
    root = ours.Root.StructTreeRoot
    keys = {int(k) for k in _pairs(root.ParentTree, "/Nums")[::2]}
    parents = [int(p.obj.StructParents) for p in ours.pages if "/StructParents" in p.obj]
    parents += [int(a.StructParent) for p in ours.pages for a in p.obj.get("/Annots", []) if "/StructParent" in a]
    names = {bytes(n) for n in _pairs(ours.Root.Names.Dests, "/Names")[::2]}
    links = [bytes(a.Dest) for p in ours.pages for a in p.obj.get("/Annots", [])
             if isinstance(a.get("/Dest"), pikepdf.String)]

    def outline(pdf):  # every entry, depth first: its depth, title and page
        found = []

        def walk(children, depth):
            for i in children:
                found.append((depth, str(i.title), pdf.pages.index(pikepdf.Page(i.destination[0]))))
                walk(i.children, depth + 1)

        with pdf.open_outline() as o:
            walk(o.root, 0)
        return found

    return {
        "pages": (total, len(expected)),
        "pages whose text differs": sum(a != b for a, b in zip(texts, expected)) + abs(total - len(expected)),
        "footers right": sum(f"Page {i} of {total}" in t for i, t in enumerate(texts, 1)),
        "running headers": sum(title in t for t in texts[1:]),
        "serial running headers": sum(title in t for t in expected[1:]),
        "StructParents without a ParentTree entry": len(set(parents) - keys),
        "duplicate StructParents": len(parents) - len(set(parents)),
        "links": len(links), "links left to a URI": sum(1 for p in ours.pages for a in p.obj.get("/Annots", [])
                                                        if ELSEWHERE.encode() in bytes(a.get("/A", {}).get("/URI", b""))), "links to no destination": sum(link not in names for link in links),
        "serial links": sum(1 for p in theirs.pages for a in p.obj.get("/Annots", []) if "/Dest" in a),
        "outline entries (serial)": (len(outline(ours)), len(outline(theirs))),
        "outline entries differing (depth, title or page)": sum(a != b for a, b in zip(outline(ours), outline(theirs))),
        "bytes (serial)": (len(pdf), len(reference)),
        "pdfua findings (serial)": (pdfua_findings(pdf), pdfua_findings(reference)),
    }


def pdfua_findings(pdf: bytes) -> int:
    from pdfua.validator import Validator

    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        try:
            report = Validator().validate(f.name)
        except Exception as error:  # pdfua 0.1.3's heading check crashes on an array (FINDINGS.md)
            return f"crashed: {type(error).__name__}"
        return sum(len(o.findings) for o in report.outcomes)


def compare_layouts(facts: int, pairs: int, parts: int, keep: Path | None) -> dict:
    """Serial and parallel layouts of a week of `facts` facts, in `pairs` pairs: printed, and
    returned (the ratios, the pages)."""
    folder = Path(tempfile.mkdtemp(prefix=f"longreport-{facts}-"))
    html, options = long_week(folder / "ws", facts)
    title = re.search(r'<h1 class="doc-title">([^<]*)</h1>', html).group(1)
    ratios, times, model = [], {"serial": [], "parallel": []}, []
    for _ in range(pairs):
        t = time.perf_counter()
        reference, serial_cpu = serial(html, options)
        times["serial"].append(time.perf_counter() - t)
        t = time.perf_counter()
        joined, steps = parallel(html, options, parts)
        times["parallel"].append(time.perf_counter() - t)
        ratios.append(times["parallel"][-1] / times["serial"][-1])
        # On a busy machine the parts do not get a core each; the CPU seconds say what they would
        # take if they did: the slowest part, then the join, against the serial layout.
        model.append((max(steps["cpu"]) + steps["join cpu"]) / serial_cpu)
        print(f"  pair: serial {times['serial'][-1]:.2f} s, parallel {times['parallel'][-1]:.2f} s "
              f"(parts paginated {steps['paginate']:.2f} s, finished {steps['finish']:.2f} s, "
              f"joined {steps['join']:.2f} s; part pages {steps['pages']}; CPU s serial {serial_cpu:.2f}, "
              f"parts {', '.join(f'{c:.2f}' for c in steps['cpu'])}, join {steps['join cpu']:.2f})", flush=True)
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
        (keep / f"serial-{facts}.pdf").write_bytes(reference)
        (keep / f"joined-{facts}.pdf").write_bytes(joined)
        (keep / f"week-{facts}.html").write_text(html, encoding="utf-8")
    print(f"{facts} facts a week, {len(page_texts(reference))} pages, {parts} parts, load "
          f"{os.getloadavg()[0]:.1f}: serial median {statistics.median(times['serial']):.2f} s, parallel "
          f"{statistics.median(times['parallel']):.2f} s; parallel/serial median {statistics.median(ratios):.2f} "
          f"(min {min(ratios):.2f}, max {max(ratios):.2f}, n {len(ratios)}); on a core each "
          f"(CPU s: slowest part + join, / serial) {statistics.median(model):.2f} "
          f"(min {min(model):.2f}, max {max(model):.2f})")
    for name, value in checks(joined, reference, title).items():
        print(f"  {name}: {value}")
    return {"ratios": ratios, "model": model, "pages": len(page_texts(reference)), "serial": times["serial"]}


def measure(quick: bool) -> list:
    """Issue 25's goal (bench/goals.py): the prototype's two-part layout of a report of 20 pages
    or more, against the serial layout. sitrep does not lay reports out this way (see
    docs/performance.md, "Long reports"): the line says what the prototype would give."""
    from goals import goal

    import weasyprint  # noqa: F401  (imported once, before any fork: neither side pays for it)

    got = compare_layouts(120, 1 if quick else 3, 2, None)
    ratios = got["ratios"]
    return [goal("long-report", None if not ratios else statistics.median(ratios), low=min(ratios), high=max(ratios),
                 n=len(ratios), before=1.0, detail=f"{got['pages']} pages laid out in two parts by the prototype "
                 f"(bench/longreport.py)", note="a prototype only: sitrep's build lays a report out "
                 f"on one core (docs/performance.md, Long reports); on a core each, by CPU time: "
                 f"{statistics.median(got['model']):.2f}x")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--facts", default="120,650", help="facts per week, one report per size (default 120,650)")
    parser.add_argument("--pairs", type=int, default=3, help="interleaved serial/parallel pairs (default 3)")
    parser.add_argument("--parts", type=int, default=2, help="parts laid out at once (default 2)")
    parser.add_argument("--keep", type=Path, help="write the last serial and joined PDFs here")
    args = parser.parse_args()
    import weasyprint  # noqa: F401  (imported once, before any fork: neither side pays for it)

    for facts in (int(f) for f in args.facts.split(",") if f):
        compare_layouts(facts, args.pairs, args.parts, args.keep)


if __name__ == "__main__":
    main()
