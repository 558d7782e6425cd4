"""A large volume laid out in parts, in parallel processes, and assembled.

One WeasyPrint layout of a 2,000-page volume runs on one core and keeps
every page in memory. Here the volume's HTML is cut into parts — the front
matter (title page, imprint, contents), the documents in chunks of
consecutive documents, the back matter (index, abbreviations) — and each
part is laid out by a worker process. Pass 1 lays every chunk out as if it
opened on page 1 (where lines fall does not depend on the folio), which
gives each chunk's page count, hence every chunk's first folio, the line
map, the contents' page numbers and the index's references. Pass 2 lays the
chunks out at their folios, on their side of the opening (the root's
`break-before` and a `counter-reset` of the page counter on the part's
first page), with the apparatus keyed to the lines and the line numbers
printed in the margin of the finished layout (render/lines.py), together
with the front and back matter; the PDFs are joined with pypdf, bookmarks
included.

Each layout is cached under the build folder (`build/.cache/layout/`),
keyed by a hash of everything it depends on: the part's HTML (with the
inlined stylesheet and its first folio), the template folders' files,
WeasyPrint's version and this renderer's code. A rebuild re-lays out only
the parts whose HTML changed. Deleting the cache is always safe; an entry
that cannot be read is laid out again.

When a part's second layout does not match the layout its apparatus was
keyed from (a line moved, or its page count changed), that part is keyed
again from its new layout, and the parts after it are laid out at their new
folios — as the whole build does; if the lines still move after three
rounds, the build falls back to the single-process build of
render/pdf.py."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import EditionError, Problem
from ..model import Edition
from ..store import atomic_write
from .html import render_volume
from .index import index_references
from .lines import LaidLine, number_lines, read_lines, same_layout, stamp_numbers, unprinted

DOCUMENT_MARK = '<section class="document"'
BACK_MARK = '<section class="back-matter'
# A document section after the contents: WeasyPrint then adds the blank
# page that makes the first document open on a recto, exactly as in the
# whole volume; the sentinel's own page is dropped. It holds the documents'
# anchors, so that the contents' links have a target in the front matter's
# layout: named destinations, which the parts' own anchors replace when the
# parts are joined.
SENTINEL = '<section class="document">{anchors}</section>\n'
# Pages a chunk of documents should hold: big enough that a worker's
# start-up and the stylesheet's parsing are small beside its layout, small
# enough that a one-document edit re-lays out little.
CHUNK_DOCUMENTS = 25
# Below this much text the volume is built in one process: starting workers
# would cost more than it saves.
PARALLEL_TEXT = 150_000


@dataclass(frozen=True)
class Volume:
    """The HTML of a volume cut at its parts: `head` up to and including
    `<body>`, the front matter, one string per document, the back matter
    and the closing tags."""

    head: str
    front: str
    documents: list[str]
    back: str
    tail: str


def split_volume(html: str, count: int) -> Volume | None:
    """Cut the volume at its document sections; None when the templates do
    not print `count` document sections between the front and back matter
    (an edition's own templates may not: it is then built whole)."""
    body = html.find("<body>")
    end = html.rfind("</body>")
    if body < 0 or end < 0:
        return None
    body += len("<body>\n") if html.startswith("<body>\n", body) else len("<body>")
    starts = []
    at = html.find(DOCUMENT_MARK, body)
    while 0 <= at < end:
        starts.append(at)
        at = html.find(DOCUMENT_MARK, at + 1)
    if len(starts) != count or count == 0:
        return None
    back = html.find(BACK_MARK, starts[-1])
    back = end if back < 0 or back > end else back
    if html.find("</head>", 0, body) < 0:
        return None
    bounds = starts + [back]
    return Volume(
        head=html[:body],
        front=html[body : starts[0]],
        documents=[html[bounds[i] : bounds[i + 1]] for i in range(count)],
        back=html[back:end],
        tail=html[end:],
    )


def part_html(volume: Volume, body: str, *, first_folio: int | None, right: bool, extra_css: str = "") -> str:
    """One part as a whole HTML document: the volume's head, the part's
    body, and the rules that open it on the right side with the right
    folio (None: the front matter, whose folios are its own)."""
    css = [extra_css]
    title = _edition_title(volume)
    if first_folio is not None and title is not None:
        # the running head a part that opens with no document title (the
        # back matter) carries over from the documents before it
        css.append(f"html {{ string-set: edition-title {title}; }}")
    if first_folio is not None:
        css.append(f"html {{ break-before: {'right' if right else 'left'}; }}")
        css.append(f"@page :first {{ counter-reset: page {first_folio}; }}")
    head = volume.head.replace("</head>", "<style>\n" + "\n".join(css) + "\n</style>\n</head>", 1)
    return head + body + volume.tail


def _edition_title(volume: Volume) -> str | None:
    """The edition's running head as the documents set it (their
    data-edition attribute), as a CSS string."""
    import html as html_module

    at = volume.documents[0].find('data-edition="') if volume.documents else -1
    if at < 0:
        return None
    at += len('data-edition="')
    value = html_module.unescape(volume.documents[0][at : volume.documents[0].find('"', at)])
    return '"' + "".join(ch if ch.isalnum() or ch == " " else f"\\{ord(ch):x} " for ch in value) + '"'


# --- one part, in a worker ------------------------------------------------------


@dataclass(frozen=True)
class Task:
    html: str
    base_url: str
    roots: tuple[str, ...]  # the template folders the fetcher serves
    pdf: bool  # whether the PDF is wanted (pass 2) or only the layout (pass 1)
    epoch: str  # SOURCE_DATE_EPOCH
    numbers: str = ""  # the margin's line numbers: "" none, "document" or "page"


@dataclass
class Laid:
    """What a worker sends back: small data and bytes, never boxes."""

    pages: int
    lines: list[LaidLine]
    anchors: dict[str, int]  # element id → its first page (1-based, in the part)
    placed: int  # footnotes placed
    log: list[tuple[int, str]]  # WeasyPrint's warnings and errors
    pdf: bytes | None = None
    numbered: int = 0  # line numbers printed in the margin
    cached: bool = field(default=False, compare=False)


def lay_out(task: Task) -> Laid:
    """Lay one part out with the build's patches of WeasyPrint (footnotes
    kept with their calls, apparatus under the notes, parallel pairs level)
    active in this process."""
    import weasyprint

    from . import pdf as render_pdf

    os.environ["SOURCE_DATE_EPOCH"] = task.epoch
    fetcher = render_pdf.make_fetcher([Path(r) for r in task.roots])
    with (
        render_pdf._captured_weasyprint_log() as log,
        render_pdf._calls_kept_with_their_notes(),
        render_pdf._apparatus_under_the_notes(),
        render_pdf._pairs_start_level(),
    ):
        document = weasyprint.HTML(string=task.html, base_url=task.base_url, url_fetcher=fetcher).render()
        lines = read_lines(document)
        anchors = render_pdf._anchor_pages(document)
        placed = render_pdf._placed_footnotes(document)
        numbered = stamp_numbers(document, task.numbers == "page") if task.pdf and task.numbers else 0
        pdf = document.write_pdf() if task.pdf else None
    return Laid(len(document.pages), lines, anchors, placed,
                [(r.levelno, r.getMessage()) for r in log.records], pdf, numbered)  # fmt: skip


# --- the cache ------------------------------------------------------------------


class LayoutCache:
    """Laid-out parts under `folder`, one JSON file (and one PDF) per key.
    Writes are atomic; an entry that cannot be read, or whose PDF does not
    match the hash recorded beside it, counts as missing."""

    def __init__(self, folder: Path | None, salt: str):
        self.folder = folder
        self.salt = salt

    def key(self, task: Task) -> str:
        h = hashlib.sha256(self.salt.encode())
        h.update(b"\0pdf" if task.pdf else b"\0layout")
        h.update(task.numbers.encode() + b"\0")
        h.update(task.epoch.encode() + b"\0")
        h.update(task.html.encode())
        return h.hexdigest()

    def get(self, task: Task) -> Laid | None:
        if self.folder is None:
            return None
        key = self.key(task)
        try:
            data = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            pdf = None
            if task.pdf:
                pdf = (self.folder / f"{key}.pdf").read_bytes()
                if hashlib.sha256(pdf).hexdigest() != data["pdf"]:
                    return None
            return Laid(
                data["pages"],
                [LaidLine(p, (d, la, s), c, t, y, o) for p, d, la, s, c, t, y, o in data["lines"]],
                {k: int(v) for k, v in data["anchors"].items()},
                int(data["placed"]),
                [(int(level), str(message)) for level, message in data["log"]],
                pdf,
                int(data["numbered"]),
                cached=True,
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, task: Task, laid: Laid) -> None:
        if self.folder is None:
            return
        key = self.key(task)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if laid.pdf is not None:
                atomic_write(self.folder / f"{key}.pdf", laid.pdf)
            data = {
                "pages": laid.pages,
                "lines": [[x.page, *x.key, x.column, x.text, x.y, x.overflow] for x in laid.lines],
                "anchors": laid.anchors,
                "placed": laid.placed,
                "log": laid.log,
                "pdf": hashlib.sha256(laid.pdf).hexdigest() if laid.pdf is not None else None,
                "numbered": laid.numbered,
            }
            atomic_write(self.folder / f"{key}.json", json.dumps(data, ensure_ascii=False))
        except OSError:
            pass  # a cache that cannot be written only costs time


def cache_salt(templates: list[Path]) -> str:
    """What every layout depends on beyond its HTML: WeasyPrint's version,
    our renderer's code (its patches of WeasyPrint, the line reader), and
    the template folders' files (fonts, images)."""
    import weasyprint

    import edition

    h = hashlib.sha256(f"{weasyprint.__version__}\0{edition.__version__}\0".encode())
    here = Path(__file__).parent
    for name in ("pdf.py", "lines.py", "assemble.py"):
        h.update((here / name).read_bytes())
    for root in templates:
        for path in sorted(Path(root).rglob("*")):
            if path.is_file():
                h.update(str(path.relative_to(root)).encode() + b"\0")
                h.update(path.read_bytes())
    return h.hexdigest()


def _run(tasks: list[Task], cache: LayoutCache, jobs: int, pool_box: list) -> list[Laid]:
    """Lay out the tasks, from the cache where it has them, in `jobs`
    worker processes (spawned: WeasyPrint's and Pango's state is not forked)."""
    results: list[Laid | None] = [cache.get(t) for t in tasks]
    todo = [i for i, r in enumerate(results) if r is None]
    if todo and jobs > 1 and len(todo) > 1:
        if not pool_box:
            import multiprocessing

            pool_box.append(ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")))
        # Longest first, so that the last part to finish is a short one.
        order = sorted(todo, key=lambda i: -len(tasks[i].html))
        futures = {i: pool_box[0].submit(lay_out, tasks[i]) for i in order}
        try:
            for i in todo:
                results[i] = futures[i].result()
                cache.put(tasks[i], results[i])
        except BrokenProcessPool:
            # A worker could not start (a program read from stdin cannot be
            # spawned again, for one): what is left is laid out here.
            pool_box.pop().shutdown(cancel_futures=True)
        todo = [i for i in todo if results[i] is None]
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    try:
        for i in todo:
            results[i] = lay_out(tasks[i])
            cache.put(tasks[i], results[i])
    finally:
        if epoch is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = epoch
    return results  # type: ignore[return-value]


# --- the build ------------------------------------------------------------------


def wanted(edition: Edition, jobs: int, chunk_documents: int | None) -> bool:
    """Whether to build in parts: asked for (`chunk_documents`), or a volume
    large enough to pay for the workers, with more than one to use. Tagged
    PDFs (PDF/UA, PDF/A) are built whole: joining parts would break their
    structure tree."""
    if edition.pdf_variant != "none" or len(edition.documents) < 2:
        return False
    if chunk_documents is not None:
        return True
    if jobs < 2:
        return False
    text = sum(len(t) for doc in edition.documents for seg in doc.segments for t in seg.text.values())
    return text >= PARALLEL_TEXT


def build_in_parts(
    edition: Edition,
    out: Path,
    templates: list[Path],
    *,
    html_out: Path | None,
    register,
    progress,
    jobs: int,
    chunk_documents: int | None,
    cache_dir: Path | None,
):
    """Build the PDF in parts (see the module's docstring). Returns the
    report, or None when the volume cannot be built in parts (templates
    that do not mark the documents, a second layout that differs from the
    first): the caller then builds it whole."""
    import time

    from . import pdf as render_pdf

    timings: dict[str, float] = {}
    clock = time.perf_counter()
    tell = progress or (lambda stage, done, total: None)

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = timings.get(name, 0.0) + now - clock
        clock = now

    register = register if register is not None else edition.register
    volume = render_volume(edition, templates, register=register)
    split = split_volume(volume.html, len(edition.documents))
    lap("html")
    if split is None:
        return None
    count = len(split.documents)
    size = chunk_documents or max(1, min(CHUNK_DOCUMENTS, -(-count // (2 * jobs))))
    chunks = [range(i, min(i + size, count)) for i in range(0, count, size)]
    base_url = volume.base_dir.as_uri() + "/"
    roots = tuple(str(t) for t in templates)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", render_pdf.REPRODUCIBLE_EPOCH)
    cache = LayoutCache(cache_dir, cache_salt(templates) if cache_dir is not None else "")
    lap("cache")
    per_page = edition.line_numbers == "page"
    by_line = edition.index == "lines"
    pool: list = []
    laid_out = {"pass 1": 0, "pass 2": 0}  # parts laid out (not from the cache)

    def task(body: str, first_folio: int | None, right: bool, pdf: bool, css: str = "") -> Task:
        html = part_html(split, body, first_folio=first_folio, right=right, extra_css=css)
        return Task(html, base_url, roots, pdf, epoch)

    def chunk_body(volume_split: Volume, chunk: range) -> str:
        return "".join(volume_split.documents[i] for i in chunk)

    try:
        # Pass 1: every chunk as if it opened on page 1.
        tell("laying out pages", 0, None)
        current = _run([task(chunk_body(split, c), 1, True, False) for c in chunks], cache, jobs, pool)
        laid_out["pass 1"] = sum(not r.cached for r in current)
        lap("layout")
        # Pass 2: the chunks at their folios, their apparatus keyed to the
        # lines, line numbers printed in the margin of the finished layout.
        # A chunk whose lines moved (the apparatus's line numbers, set in a
        # box of fixed width, should never move one) is keyed again from
        # where its lines fell, the chunks after it at their new folios when
        # its page count changed; the others come from the cache.
        numbers = edition.line_numbers if volume.line_numbers else ""
        for _attempt in range(3):
            folios_at = []  # each chunk's first folio
            folio = 1
            for result in current:
                folios_at.append(folio)
                folio += result.pages
            doc_pages = folio - 1
            laid = _shifted(current, folios_at)
            anchors = _anchors(current, folios_at)
            numbering = number_lines(laid, volume.blocks, per_page)
            arabic = [str(n) for n in range(1, doc_pages + 1)]
            refs = index_references(edition, register, numbering.lines, anchors, arabic, by_line=by_line)
            keyed = render_volume(edition, templates, register=register, apparatus_lines=numbering.lines, index_refs=refs)
            split2 = split_volume(keyed.html, count)
            lap("lines")
            if split2 is None:
                return None
            tell("laying out numbered pages", 0, doc_pages)
            tasks = [replace(task(chunk_body(split2, c), folios_at[i], folios_at[i] % 2 == 1, True), numbers=numbers)
                     for i, c in enumerate(chunks)]  # fmt: skip
            parts = _run(tasks, cache, jobs, pool)
            laid_out["pass 2"] += sum(not r.cached for r in parts)
            lap("layout (numbered)")
            moved = {i for i, (one, two) in enumerate(zip(current, parts)) if one.pages != two.pages or not same_layout(one.lines, two.lines)}
            if not moved:
                break
            current = [parts[i] if i in moved else current[i] for i in range(len(chunks))]
        else:
            return None  # the lines still move: build it whole

        # The front matter (contents at the documents' folios), the back matter.
        contents = "\n".join(
            f'a.toc-entry[href="#doc-{n}"]::after {{ content: leader(". ") "{anchors.get(f"doc-{n}", "")}"; }}'
            for n in range(1, count + 1)
        )
        tasks = [Task(part_html(split2, split2.front + SENTINEL.format(anchors=''.join(f'<span id="doc-{n}"></span>' for n in range(1, count + 1))), first_folio=None, right=True, extra_css=contents),
                      base_url, roots, True, epoch)]  # fmt: skip
        has_back = bool(split2.back.strip())
        if has_back:
            tasks.append(task(split2.back, doc_pages + 1, doc_pages % 2 == 0, True))
        matter = _run(tasks, cache, jobs, pool)
        laid_out["pass 2"] += sum(not r.cached for r in matter)
        lap("layout (front and back)")
    finally:
        for executor in pool:
            executor.shutdown()
    front = matter[0]
    back = matter[1] if has_back else None

    laid2 = _shifted(parts, folios_at)
    numbering = number_lines(laid2, volume.blocks, per_page)
    front_pages = front.pages - 1  # the sentinel's page is dropped
    folios = [render_pdf._roman(i) for i in range(1, front_pages + 1)] + arabic
    folios += [str(doc_pages + i) for i in range(1, (back.pages if back else 0) + 1)]
    lines = {
        key: [type(x)(x.page + front_pages, x.number, x.text, x.start, x.end) for x in printed]
        for key, printed in numbering.lines.items()
    }
    records = [rec for part in (front, *parts, *([back] if back else [])) for rec in part.log]
    errors = [message for level, message in records if level >= logging.ERROR]
    if errors:
        raise EditionError(*(Problem(f"PDF build: {m}", hint="templates may use only files inside their template folders") for m in errors))
    placed = sum(p.placed for p in parts)
    if placed < volume.footnotes:
        raise EditionError.at(
            f"PDF build: the layout placed {placed} of {volume.footnotes} footnotes",
            hint="WeasyPrint 70 loses footnotes when a stylesheet gives @footnote an "
            "em margin or the footnotes vertical margins or padding; check templates/edition.css",
        )
    line_warnings = list(numbering.warnings)
    if numbers:
        line_warnings.extend(unprinted(sum(p.numbered for p in parts), numbering))
    line_warnings.extend(render_pdf._overfull([_moved(x, front_pages) for x in laid2], volume.blocks))
    if volume.back_references and edition.index != "none":
        line_warnings.extend(render_pdf._not_indexed(edition, register, refs))
    weasy = list(dict.fromkeys(f"weasyprint: {m}" for _, m in records))

    tell("writing the PDF", doc_pages, doc_pages)
    pdf = join_pdfs([(front.pdf, range(front_pages))] + [(p.pdf, None) for p in parts] + ([(back.pdf, None)] if back else []))
    lap("pdf")
    atomic_write(Path(out), pdf)
    if html_out is not None:
        atomic_write(Path(html_out), keyed.html)
    lap("write")
    timings["parts laid out"] = float(laid_out["pass 1"] + laid_out["pass 2"])
    timings["parts"] = float(2 * len(chunks) + 1 + has_back)
    return render_pdf.BuildReport(
        pages=len(folios), warnings=volume.warnings + line_warnings + weasy, size=len(pdf),
        lines=lines, timings=timings, folios=folios,
    )


def _moved(line: LaidLine, pages: int) -> LaidLine:
    return LaidLine(line.page + pages, line.key, line.column, line.text, line.y, line.overflow)


def _shifted(results: list[Laid], folios_at: list[int]) -> list[LaidLine]:
    """The chunks' lines with pages counted from the first document's page
    (page n is folio n)."""
    return [_moved(x, start - 1) for result, start in zip(results, folios_at) for x in result.lines]


def _anchors(results: list[Laid], folios_at: list[int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for result, start in zip(results, folios_at):
        for anchor, page in result.anchors.items():
            out.setdefault(anchor, page + start - 1)
    return out


def join_pdfs(parts: list[tuple[bytes, range | None]]) -> bytes:
    """One PDF of the parts' pages (a range: only those pages), with their
    bookmarks in order and the first part's metadata."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for i, (data, pages) in enumerate(parts):
        reader = PdfReader(io.BytesIO(data))
        if i == 0 and reader.metadata:
            writer.add_metadata({k: v for k, v in reader.metadata.items()})
        writer.append(reader, pages=list(pages) if pages is not None else None, import_outline=True)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
