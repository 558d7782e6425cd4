"""A large volume laid out in parts, in parallel processes, and assembled.

One WeasyPrint layout of a 2,000-page volume runs on one core and keeps
every page in memory. Here the volume is laid out in parts — the front
matter (title page, imprint, contents), the documents in chunks of
consecutive documents, the back matter (index, abbreviations) — each
rendered alone from the volume's view through the blocks of its template
(`front`, `document`, `back` in volume.html.j2; render/html.py,
`volume_parts`) and laid out by a worker process (`_Crew`, one per core,
spawned), or in this process when the volume is too small to pay for
starting them (`workers`). A page without those blocks is given them
(html.marked_parts). Every volume is built so, tagged or not: the parts'
structure trees are joined with their pages (render/join.py).

Each chunk is laid out once, in order, before the chunks ahead of it have
told how many pages they hold: where its lines fall depends neither on its
first folio nor on its side of the opening. The worker keeps the layout,
with its running heads and folios held back (render/weasy/folios.py), until
the chunk's first folio is known; it then stamps the apparatus's line labels
and the margin's line numbers into it (render/weasy/tree.py), turns its pages to
their side, has WeasyPrint make the heads and folios, and prints the PDF.
With every chunk printed, the line map gives the contents' page numbers and
the index's references, and the front and back matter are laid out; the
PDFs are joined with pikepdf, bookmarks and named destinations included,
and render/pdf.py finishes the build.
An apparatus printed after each document (`apparatus_at: end`) prints line
numbers inside the text: its chunks are laid out for their lines first.

Layouts and PDFs are cached under the build folder (`build/.cache/layout/`),
keyed by a hash of everything they depend on: the part's HTML (with the
inlined stylesheet), its first folio and side for a PDF, the template
folders' files, WeasyPrint's version and this renderer's code. A rebuild
lays out again only the chunks whose HTML changed (and those after one whose
page count changed). What comes before a layout is kept too: each
document's view (render/viewcache.py, under `views/`), so that an edit
renders one document; a chunk's HTML, keyed by its documents' views; a
chunk's line map, keyed by its HTML, folio and views; and the index's
alphabetical order. The volume's whole HTML is made only for `--html`.
Deleting the cache is always safe; an entry that cannot be read (or is a
symbolic link) is laid out (or rendered) again.

A chunk that cannot be turned to its side (a template whose left and right
pages differ in more than their margins) is laid out again at its folio and
must fall as it did; if it does not, every chunk is laid out at its folio,
one after the other (`_print_chunks` with `placing`). A worker that dies
leaves the rest of the build to this process."""

from __future__ import annotations

import hashlib
import json
import os
import dataclasses
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from ..errors import EditionError
from ..model import Edition
from ..files import atomic_write
from ..workers import Crew, WorkerLost
from .weasy import (
    REPRODUCIBLE_EPOCH,
    Reading,
    anchor_pages,
    building,
    check_internals,
    make_fetcher,
    placed_footnotes,
    stamp_labels,
    stamp_numbers,
)
from .weasy.folios import FoliosError, give_folios
from .html import VolumeParts, VolumeView, foot_labels, render_volume, volume_parts, volume_templates, with_index
from .index import index_references, not_indexed
from .join import join_pdfs
from .lines import LaidLine, Numbering, number_lines, overfull, same_layout, unmarked, unprinted
from .printed import Laps, Printed, Progress
from .rebuild import code_digest, lines_from_json, lines_json
from .viewcache import DocumentViews, read_entry, register_digest

# A document section after the contents: WeasyPrint then adds the blank
# page that makes the first document open on a recto, exactly as in the
# whole volume; the sentinel's own page is dropped. It holds the documents'
# anchors, so that the contents' links have a target in the front matter's
# layout: named destinations, which the parts' own anchors replace when the
# parts are joined.
SENTINEL = '<section class="document">{anchors}</section>\n'
# Documents a chunk holds: what an edit lays out again (8 documents of the
# benchmark, 17 pages, about 1 s). A warm worker lays out small parts at the
# cost of large ones (48 pages as one part, three or six: the same CPU within
# the noise, 2026-12-04), but each part carries its own font subsets: smaller
# chunks make a larger PDF (923 pages: 6.5 MB at 8 documents, 4.3 MB at 25)
# and a longer join.
CHUNK_DOCUMENTS = 8
# Below this much text (all layers) the volume is laid out in this process:
# starting workers would cost more than it saves. Generated Bible volumes on
# two cores, 2026-12-04: 21 pages (70,000 characters) 1.2-1.6 s here, 1.7-1.9
# s with two workers (twice the CPU); 39 pages (137,000) 1.9-2.2 s either
# way; 71 pages (289,000) 3.9 s here, 2.9 s with workers. The sample edition
# prints 16 pages from 17,000 characters (notes): 100,000 is the middle way.
PARALLEL_TEXT = 100_000


def part_css(view: VolumeView, *, first_folio: int, right: bool) -> str:
    """The rules that open a part of documents or the back matter on its
    side of the opening, at its folio, with the edition's running head
    (a part that opens with no document title, the back matter, carries it
    over from the documents before it)."""
    title = '"' + "".join(ch if ch.isalnum() or ch == " " else f"\\{ord(ch):x} " for ch in view.running_title) + '"'
    return f"html {{ string-set: edition-title {title}; }}\n" + folio_css(first_folio, right)


def folio_css(first_folio: int, right: bool) -> str:
    """The rules that open a part on its side of the opening, at its folio:
    the root's `break-before` and the page counter on its first page."""
    return f"html {{ break-before: {'right' if right else 'left'}; }}\n@page :first {{ counter-reset: page {first_folio}; }}"


# --- one part, in a worker ------------------------------------------------------


@dataclass(frozen=True)
class Task:
    html: str
    base_url: str
    roots: tuple[str, ...]  # the template folders the fetcher serves
    epoch: str  # SOURCE_DATE_EPOCH
    variant: str | None = None  # the PDF standard to meet (PDF/UA, PDF/A), None: plain
    placed: bool = False  # laid out at its folio and side: its margin boxes are its own

    def pdf(self, document) -> bytes:
        return document.write_pdf(pdf_variant=self.variant)


@dataclass(frozen=True)
class Finish:
    """What a held chunk needs to be printed: its first folio and side, the
    margin's line numbers ("" none, "document" or "page"), the labels of
    its apparatus entries at the foot of the page (html.foot_labels), and
    its page opening at that folio, should it have to be laid out there."""

    first_folio: int
    right: bool
    numbers: str
    labels: dict[str, str | None]
    at_folio: str = ""


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


def _render(task: Task):
    import weasyprint

    fetcher = make_fetcher([Path(r) for r in task.roots])
    return weasyprint.HTML(string=task.html, base_url=task.base_url, url_fetcher=fetcher).render()


def _laid(document, records, pdf: bytes | None = None, reading: Reading | None = None) -> Laid:
    return Laid(
        len(document.pages),
        (reading or Reading(document)).laid,
        anchor_pages(document),
        placed_footnotes(document),
        _log(records),
        pdf,
    )


def _log(records) -> list[tuple[int, str]]:
    return [(r.levelno, r.getMessage()) for r in records]


def lay_out(task: Task) -> Laid:
    """Lay one part out and print it as it is (the front and back matter,
    whose folios are their own)."""
    with building(task.epoch) as build:
        document = _render(task)
        return _laid(document, build.log, task.pdf(document))


class Desk:
    """A worker's table: chunks laid out with their margin boxes held back,
    kept until their folios are known (render/weasy/folios.py)."""

    def __init__(self) -> None:
        self.held: dict = {}
        # Told of each page as it is laid out: the build's progress, when
        # this desk is in the build's own process.
        self.pages: Callable[[int], None] | None = None

    def lay(self, key, task: Task, hold: bool = True) -> Laid:
        with building(task.epoch, hold_margins=not task.placed, pages=self.pages) as build:
            document = _render(task)
            reading = Reading(document)
            laid = _laid(document, build.log, reading=reading)
            margins = build.margins
        if hold:
            self.held[key] = (task, document, reading, margins, laid)
        return laid

    def finish(self, key, finish: Finish) -> Laid:
        """Print a held chunk: labels and line numbers stamped, the pages
        turned to their sides and numbered, the PDF written."""
        task, document, reading, margins, laid = self.held.pop(key)
        with building(task.epoch) as build:
            numbered = _stamped(document, reading, finish)
            try:
                if not task.placed:
                    give_folios(document, margins, finish.first_folio, finish.right)
            except FoliosError:
                # pages that differ between the sides: laid out again at the folio
                del document, reading
                return self._again(replace(task, html=finish.at_folio), finish, laid)
            pdf = task.pdf(document)
        return replace(laid, pdf=pdf, numbered=numbered, log=laid.log + _log(build.log))

    def _again(self, task: Task, finish: Finish, laid: Laid) -> Laid:
        with building(task.epoch) as build:
            document = _render(task)
            reading = Reading(document)
            again = _laid(document, build.log, reading=reading)
            if again.pages != laid.pages or not same_layout(again.lines, laid.lines):
                raise FoliosError("the chunk's pages change with their side")
            numbered = _stamped(document, reading, finish)
            return replace(laid, pdf=task.pdf(document), numbered=numbered, log=again.log)


def _stamped(document, reading: Reading, finish: Finish) -> int:
    """The apparatus's line labels and the margin's line numbers stamped
    into a laid-out chunk; returns the numbers printed."""
    stamp_labels(document, finish.labels)
    return stamp_numbers(reading, finish.numbers == "page") if finish.numbers else 0


def _desk() -> Desk:
    """A worker's desk, with WeasyPrint loaded (and its internals checked)
    while the build renders its HTML. A worker whose WeasyPrint lacks them
    stops; the build then lays out in its own process, and says why."""
    check_internals()
    return Desk()


def _answer(desk: Desk, kind: str, key, payload) -> tuple[str, object]:
    """("ok", result), ("error", message) or ("unturned", why): a chunk
    that cannot be turned to its side, so that the chunks are laid out at
    their folios."""
    try:
        return "ok", _do(desk, kind, key, payload)
    except FoliosError as exc:
        return "unturned", str(exc)
    except Exception as exc:  # noqa: BLE001 - reported to the build, which raises it
        return "error", _problem(exc)


def _do(desk: Desk, kind: str, key, payload):
    if kind == "lay":
        return desk.lay(key, payload)
    if kind == "probe":
        return desk.lay(key, payload, hold=False)
    if kind == "finish":
        return desk.finish(key, payload)
    return lay_out(payload)


def _problem(exc: Exception) -> str:
    if isinstance(exc, EditionError):
        return "; ".join(p.message for p in exc.problems)
    return f"{type(exc).__name__}: {exc}"


class _Crew(Crew):
    """The layout workers, each with its desk: spawned (WeasyPrint must start
    afresh in each: workers.start_method), or with one job (or workers that
    cannot start) one desk in this process."""

    def __init__(self, jobs: int) -> None:
        super().__init__(jobs if jobs > 1 else 0, _answer, _desk, fresh=True)
        self.checked = self.local is not None  # a desk here checked WeasyPrint

    def send(self, worker: int, message: tuple[str, Any, Any]) -> None:
        """Give a worker a message; with the first, WeasyPrint's internals
        are checked here too, while the worker lays out (this process's
        WeasyPrint is the one that must not have changed), and only when
        something is laid out."""
        super().send(worker, message)
        if not self.checked:
            self.checked = True
            check_internals()


# --- the cache ------------------------------------------------------------------


class LayoutCache:
    """Laid-out parts under `folder`, one JSON file (and one PDF) per key.
    Writes are atomic; an entry that cannot be read, or whose PDF does not
    match the hash recorded beside it, counts as missing."""

    def __init__(self, folder: Path | None, salt: str):
        self.folder = folder
        self.salt = salt
        self.pending: dict[str, str] = {}  # texts to write (see `save`)

    def key(self, *parts: str) -> str:
        h = hashlib.sha256(self.salt.encode())
        for part in parts:
            h.update(b"\0" + part.encode())
        return h.hexdigest()

    def get(self, key: str, pdf: bool) -> Laid | None:
        if self.folder is None:
            return None
        try:
            data = json.loads(read_entry(self.folder / f"{key}.json"))
            printed = None
            if pdf:
                printed = _read_bytes(self.folder / f"{key}.pdf")
                if hashlib.sha256(printed).hexdigest() != data["pdf"]:
                    return None
            return Laid(
                data["pages"],
                [LaidLine(p, (d, la, s), c, t, y, o) for p, d, la, s, c, t, y, o in data["lines"]],
                {k: int(v) for k, v in data["anchors"].items()},
                int(data["placed"]),
                [(int(level), str(message)) for level, message in data["log"]],
                printed,
                int(data["numbered"]),
                cached=True,
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def has(self, key: str) -> bool:
        """Whether an entry is kept under `key` (it may yet be unreadable)."""
        return self.folder is not None and os.path.lexists(self.folder / f"{key}.json")

    def text(self, key: str) -> str | None:
        """A text kept under `key` (a part's HTML), or None."""
        if self.folder is None:
            return None
        try:
            data = json.loads(read_entry(self.folder / f"{key}.html.json"))
            text = data["text"]
            if not isinstance(text, str) or hashlib.sha256(text.encode()).hexdigest() != data["sha256"]:
                return None
            return text
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put_text(self, key: str, text: str) -> None:
        """Keep a text under `key`, written by `save` once the build succeeds."""
        if self.folder is None:
            return
        data = {"sha256": hashlib.sha256(text.encode()).hexdigest(), "text": text}
        self.pending[key] = json.dumps(data, ensure_ascii=False)

    def save(self) -> None:
        """Write the texts kept by this build."""
        pending, self.pending = self.pending, {}
        if self.folder is None:
            return
        for key, text in pending.items():
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                atomic_write(self.folder / f"{key}.html.json", text)
            except OSError:
                return

    def put(self, key: str, laid: Laid) -> None:
        if self.folder is None:
            return
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


def _read_bytes(path: Path) -> bytes:
    """A cached PDF, not followed when planted as a link (OSError)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as f:
        return f.read()


def cache_salt(templates: list[Path]) -> str:
    """What every layout depends on beyond its HTML: WeasyPrint's version,
    our renderer's code (the WeasyPrint room, the line reader), and
    the template folders' files (fonts, images)."""
    from importlib import metadata

    import edition

    # WeasyPrint's version as installed: importing it would cost a build
    # that lays nothing out the better part of a second.
    h = hashlib.sha256(f"{metadata.version('weasyprint')}\0{edition.__version__}\0".encode())
    here = Path(__file__).parent
    for path in [here / "pdf.py", here / "lines.py", here / "assemble.py", *sorted((here / "weasy").glob("*.py"))]:
        h.update(path.read_bytes())
    for root in templates:
        for path in sorted(Path(root).rglob("*")):
            if path.is_file():
                h.update(str(path.relative_to(root)).encode() + b"\0")
                h.update(path.read_bytes())
    return h.hexdigest()


# --- the build ------------------------------------------------------------------


def workers(edition: Edition, jobs: int, chunk_documents: int | None) -> int:
    """The worker processes that lay the parts out: `jobs` when more than one
    is asked for parts (`chunk_documents`) or the volume is large enough to
    pay for starting them; otherwise none, and this process lays out."""
    if jobs < 2:
        return 0
    if chunk_documents is not None:
        return jobs
    text = sum(len(t) for doc in edition.documents for seg in doc.segments for t in seg.text.values())
    return jobs if text >= PARALLEL_TEXT else 0


def build_in_parts(
    edition: Edition,
    templates: list[Path],
    lap: Laps,
    *,
    register,
    progress: Progress | None,
    jobs: int,
    chunk_documents: int | None,
    cache_dir: Path | None,
    html: bool = False,
) -> Printed:
    """Lay the volume out in parts and join them (see the module's
    docstring); with `html`, the volume's HTML for `--html` too. Returns
    the printed volume for render/pdf.py to finish."""
    register = register if register is not None else edition.register
    # The workers start (and load WeasyPrint) while the HTML is rendered.
    crew = _Crew(workers(edition, jobs, chunk_documents))
    try:
        printed = _build(crew, edition, templates, lap, html, register, progress, chunk_documents, cache_dir)
    except BaseException:
        crew.close(at_once=True)
        raise
    # Every answer is in: the workers are stopped without waiting for them
    # to free what they hold.
    crew.close(at_once=True)
    return printed


def _build(crew, edition, templates, lap, html, register, progress, chunk_documents, cache_dir) -> Printed:
    """build_in_parts with its workers started."""
    timings = lap.timings
    tell = progress or (lambda stage, done, total: None)

    # Each document's view is kept between builds: an edit renders its
    # document again, not the volume; the volume's whole HTML is not made.
    views = DocumentViews(cache_dir / "views" if cache_dir is not None else None)
    loaded = volume_templates(templates)
    volume = render_volume(edition, templates, register=register, whole=False, views=views, loaded=loaded)
    pieces = volume_parts(templates, loaded)
    lap("html")
    count = len(volume.view.documents)
    # Two chunks a worker at least, so that none waits; here, chunks as large as an edit may lay out.
    spread = 2 * len(crew.workers)
    size = chunk_documents or (max(1, min(CHUNK_DOCUMENTS, -(-count // spread))) if spread else CHUNK_DOCUMENTS)
    chunks = [range(i, min(i + size, count)) for i in range(0, count, size)]
    base_url = volume.base_dir.as_uri() + "/"
    roots = tuple(str(t) for t in templates)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", REPRODUCIBLE_EPOCH)
    variant = None if edition.pdf_variant == "none" else edition.pdf_variant

    def task(html: str) -> Task:
        return Task(html, base_url, roots, epoch, variant)

    cache = LayoutCache(cache_dir, cache_salt(templates) if cache_dir is not None else "")
    per_page = edition.line_numbers == "page"
    by_line = edition.index == "lines"
    numbers = edition.line_numbers if volume.line_numbers else ""
    lap("cache")

    def chunk_tasks(of: VolumeView, keys: tuple[str | None, ...] = ()) -> list[Task]:
        css = part_css(of, first_folio=1, right=True)
        shared: dict[int, bytes] = {}  # the volume's part of every chunk's key, made once
        return [task(_chunk_html(pieces, of, c, css, cache, keys, shared)) for c in chunks]

    numbered: dict[int, Numbering] = {}  # each printed chunk's line map
    printing: list[VolumeView] = [volume.view]  # the view the chunks are printed from
    printed_tasks: list[Task] = []  # the chunks as printed

    def kept_numbering(j: int, first_folio: int, part: Laid) -> Numbering:
        """A chunk's line map: made when it was printed, kept from an
        earlier build (keyed by its HTML, its folio and its documents'
        views, whose text the lines are matched against), or made now."""
        made = numbered.get(j)
        keys = [volume.keys[i] for i in chunks[j]] if volume.keys else [None]
        if None in keys or j >= len(printed_tasks):
            return made or _chunk_numbering(part, first_folio, volume, per_page)
        key = cache.key("numbering", str(per_page), printed_tasks[j].html, str(first_folio), *[str(k) for k in keys])
        text = cache.text(key) if made is None else None
        if text is not None:
            try:
                data = json.loads(text)
                return Numbering(lines_from_json(data["lines"]), [str(w) for w in data["warnings"]])
            except (ValueError, KeyError, TypeError):
                pass
        made = made or _chunk_numbering(part, first_folio, volume, per_page)
        cache.put_text(key, json.dumps({"lines": lines_json(made.lines), "warnings": made.warnings}, ensure_ascii=False))
        return made

    def finish(j: int, first_folio: int, right: bool, laid: Laid) -> Finish:
        numbered[j] = _chunk_numbering(laid, first_folio, volume, per_page)
        docs = {n + 1 for n in chunks[j]}
        labels = foot_labels({n: v for n, v in volume.foot.items() if n in docs}, numbered[j].lines)
        css = part_css(printing[0], first_folio=first_folio, right=right)
        at_folio = pieces.render(printing[0], "documents", documents=chunks[j], css=css)
        return Finish(first_folio, right, numbers, labels, at_folio)

    def placing(j: int, first_folio: int, right: bool) -> Task:
        """A chunk's task at its folio and side, laid out there."""
        css = part_css(printing[0], first_folio=first_folio, right=right)
        return replace(printed_tasks[j], html=pieces.render(printing[0], "documents", documents=chunks[j], css=css), placed=True)

    def print_volume(crew: _Crew):
        counted = {"laid out": 0}
        text, probed = volume.view, None
        if volume.keyed_text:
            # The apparatus printed after each document gives line numbers:
            # the text's lines first, then the documents keyed to them.
            probed = _lay_parts(crew, "probe", chunk_tasks(volume.view, volume.keys), cache, counted)
            probe_numbering, _, probe_pages = _numbering(probed, volume, per_page)
            keyed = render_volume(edition, templates, register=register, loaded=loaded, apparatus_lines=probe_numbering.lines,
                                  folios=[str(n) for n in range(1, probe_pages + 1)])  # fmt: skip
            text = printing[0] = keyed.view
        printed_tasks[:] = chunk_tasks(text, volume.keys if probed is None else ())
        printed = _print_chunks(crew, printed_tasks, cache, finish, numbers, counted, tell)
        if printed is None:
            # A chunk's pages change with their side: every chunk is laid
            # out at its folio, one after the other.
            numbered.clear()
            printed = _print_chunks(crew, printed_tasks, cache, finish, numbers, counted, tell, placing=placing)
        assert printed is not None  # a chunk laid out at its folio is printed as it falls
        lap("layout")
        numbering, folios_at, doc_pages = _numbering(printed, volume, per_page, kept_numbering)
        if probed is not None and any(a.pages != b.pages or not same_layout(a.lines, b.lines) for a, b in zip(probed, printed)):
            numbering.warnings.append("the apparatus after a document may cite a line off by one: its lines moved once it was printed")
        anchors = _anchors(printed, folios_at)
        arabic = [str(n) for n in range(1, doc_pages + 1)]
        # each document's occurrences of the index's names are kept with its view
        view_keys = dict(zip((d.id for d in volume.view.documents), volume.keys))
        names = register_digest(register) if views.folder is not None else ""
        refs = index_references(edition, register, numbering.lines, anchors, arabic, by_line=by_line,
                                found=lambda doc, find: views.occurrences(view_keys.get(doc.id), names, find))  # fmt: skip
        # The front matter (contents at the documents' folios), the back
        # matter (index); the documents' text again only for --html.
        whole = ""
        if html:
            keyed_volume = render_volume(edition, templates, register=register, loaded=loaded, apparatus_lines=numbering.lines,
                                         index_refs=refs, folios=arabic)  # fmt: skip
            whole, matter_view = keyed_volume.html, keyed_volume.view
        else:
            matter_view = with_index(volume.view, edition, register=register, index_refs=refs, views=views)
        lap("lines")
        contents = "\n".join(
            f'a.toc-entry[href="#doc-{n}"]::after {{ content: leader(". ") "{anchors.get(f"doc-{n}", "")}"; }}' for n in range(1, count + 1)
        )
        sentinel = SENTINEL.format(anchors="".join(f'<span id="doc-{n}"></span>' for n in range(1, count + 1)))
        matter = [task(pieces.render(matter_view, "front", css=contents, after=sentinel))]
        back_css = part_css(matter_view, first_folio=doc_pages + 1, right=doc_pages % 2 == 0)
        back = pieces.render(matter_view, "back", css=back_css)
        if back != pieces.render(matter_view, "none", css=back_css):  # the templates print back matter
            matter.append(task(back))
        matter_laid = _lay_parts(crew, "part", matter, cache, counted, tell)
        lap("layout (front and back)")
        timings["parts laid out"] = float(counted["laid out"])
        timings["documents rendered"] = float(views.rendered)
        timings["parts"] = float(len(chunks) + len(matter) + (len(chunks) if probed is not None else 0))
        return printed, matter_laid, numbering, folios_at, doc_pages, refs, whole

    try:
        result = print_volume(crew)
    except WorkerLost:
        # A worker could not start or died: the volume is laid out here.
        crew.close()
        result = print_volume(_Crew(1))
    parts, matter, numbering, folios_at, doc_pages, refs, whole = result
    front = matter[0]
    back = matter[1] if len(matter) > 1 else None

    laid2 = _shifted(parts, folios_at)
    front_pages = front.pages - 1  # the sentinel's page is dropped
    pages = front_pages + doc_pages + (back.pages if back else 0)
    lines = {
        key: [type(x)(x.page + front_pages, x.number, x.text, x.start, x.end) for x in printed] for key, printed in numbering.lines.items()
    }
    line_warnings = list(numbering.warnings)
    if numbers:
        line_warnings.extend(unprinted(sum(p.numbered for p in parts), numbering))
        line_warnings.extend(unmarked(laid2, volume.blocks))
    line_warnings.extend(overfull([_moved(x, front_pages) for x in laid2], volume.blocks))
    if volume.back_references and edition.index != "none":
        line_warnings.extend(not_indexed(edition, register, refs))

    views.save()
    cache.save()
    tell("writing the PDF", doc_pages, doc_pages)
    pdf = join_pdfs([(front.pdf, range(front_pages))] + [(p.pdf, None) for p in parts] + ([(back.pdf, None)] if back else []))
    lap("pdf")
    return Printed(
        pdf,
        pages,
        front_pages,
        lines,
        volume.footnotes,
        sum(p.placed for p in parts),
        [rec for part in (front, *parts, *([back] if back else [])) for rec in part.log],
        volume.warnings + line_warnings,
        whole,
    )


def _chunk_html(
    pieces: VolumeParts,
    view: VolumeView,
    chunk: range,
    css: str,
    cache: LayoutCache,
    keys: tuple[str | None, ...] = (),
    shared: dict[int, bytes] | None = None,
) -> str:
    """A chunk's page of documents, rendered from the view or, when the
    view of the chunk is the one it was rendered from before, kept from
    then: the templates and our code are in the key (an edit re-renders
    only its chunk). The documents' views are known by their keys in the
    cache of views (`keys`: a key digests all a view is made from) or, where
    they have none, by their own digest."""
    import pickle

    if cache.folder is None:
        return pieces.render(view, "documents", documents=chunk, css=css)
    try:
        if keys and all(keys[i] is not None for i in chunk):
            shared = {} if shared is None else shared
            if id(view) not in shared:
                shared[id(view)] = pickle.dumps(dataclasses.replace(view, documents=()), protocol=5)
            volume = shared[id(view)]
            seen = hashlib.sha256(volume + "\0".join(str(keys[i]) for i in chunk).encode()).hexdigest()
        else:
            documents = tuple(view.documents[i] for i in chunk)
            seen = hashlib.sha256(pickle.dumps(dataclasses.replace(view, documents=documents), protocol=5)).hexdigest()
        key = cache.key("html", code_digest(), css, seen)
    except (pickle.PicklingError, TypeError, AttributeError):  # a view that cannot be kept
        return pieces.render(view, "documents", documents=chunk, css=css)
    html = cache.text(key)
    if html is None:
        html = pieces.render(view, "documents", documents=chunk, css=css)
        cache.put_text(key, html)
    return html


def _numbering(parts: list[Laid], volume, per_page: bool, known=None):
    """The line map of the chunks laid out one after another: (numbering,
    each chunk's first folio, the pages of the documents). A chunk holds
    whole documents, so its lines number alone as in the volume: `known(j,
    first folio, part)` gives a chunk's map where one was made or kept."""
    folios_at = []
    folio = 1
    lines: dict = {}
    warnings: list[str] = []
    for j, part in enumerate(parts):
        folios_at.append(folio)
        chunk = known(j, folio, part) if known is not None else _chunk_numbering(part, folio, volume, per_page)
        lines.update(chunk.lines)
        warnings.extend(chunk.warnings)
        folio += part.pages
    return Numbering(lines, warnings), folios_at, folio - 1


def _chunk_numbering(part: Laid, first_folio: int, volume, per_page: bool) -> Numbering:
    return number_lines([_moved(x, first_folio - 1) for x in part.lines], volume.blocks, per_page)


def _print_chunks(
    crew: _Crew, tasks: list[Task], cache: LayoutCache, finish, numbers: str, counted: dict, tell, placing=None
) -> list[Laid] | None:
    """Lay out each chunk once and print it at its folio (see the module's
    docstring): chunks are laid out in order, by whichever worker is free,
    and held there until the chunks before them have told their page
    counts; the worker then prints the chunk at its folio. A chunk whose
    layout and PDF at that folio are cached is not laid out. Returns the
    chunks with their PDFs, or None when one cannot be turned to its side.

    With `placing(j, first folio, right)`, the task of chunk j at its folio,
    each chunk is laid out there once the chunks before it are laid out,
    and printed as it falls (a template whose left and right pages differ)."""
    n = len(tasks)

    def key(kind: str, task: Task, *at: str) -> str:
        return cache.key(kind, numbers, task.epoch, str(task.variant), task.html, *at)

    layout_keys = [key("layout", t) for t in tasks]
    laid: list[Laid | None] = [None] * n
    printed: list[Laid | None] = [None] * n
    # A chunk whose layout was kept is read once its folio is known: its PDF
    # at that folio, when kept too, tells its layout as well.
    state = ["kept" if cache.has(key) and placing is None else "todo" for key in layout_keys]
    owner: dict[int, int] = {}
    print_keys: dict[int, str] = {}
    idle = set(range(len(crew)))
    pages_done = 0

    def lay(worker: int, j: int) -> None:
        """Chunk j to a worker to lay out; a desk in this process tells
        the progress of each page."""
        if crew.local is not None:
            if not pages_done:
                tell("laying out pages", 0, None)
            crew.local.pages = lambda n: tell("laying out pages", pages_done + n, None)
        crew.send(worker, ("lay", j, tasks[j]))

    while True:
        # In order, as far as the page counts go: cached PDFs, and the held
        # chunks whose folio is now known.
        folio = 1
        for j in range(n):
            right = folio % 2 == 1
            if state[j] == "kept":
                print_keys[j] = key("pdf", tasks[j], str(folio), str(right))
                printed[j] = cache.get(print_keys[j], pdf=True)
                if printed[j] is not None:
                    laid[j], state[j] = printed[j], "done"
                else:  # laid out again, to be held for its folio
                    laid[j], state[j] = cache.get(layout_keys[j], pdf=False), "todo"
            done = laid[j]
            if done is None:
                if placing is not None and state[j] == "todo" and idle:
                    tasks[j] = placing(j, folio, right)  # the printed chunk's task from now on
                    layout_keys[j] = key("layout", tasks[j])
                    owner[j] = idle.pop()
                    state[j] = "laying"
                    lay(owner[j], j)
                break
            if j not in print_keys:  # a chunk's folio, once known, stays
                print_keys[j] = key("pdf", tasks[j], str(folio), str(right))
            if state[j] == "laid":
                crew.send(owner[j], ("finish", j, finish(j, folio, right, done)))
                state[j] = "printing"
            folio += done.pages
        if all(x == "done" for x in state):
            return printed  # type: ignore[return-value]
        for worker in sorted(idle) if placing is None else ():
            todo = next((k for k in range(n) if state[k] == "todo"), None)
            if todo is None:
                break
            state[todo], owner[todo] = "laying", worker
            idle.discard(worker)
            lay(worker, todo)
        worker, j, status, result = crew.receive()
        if status == "unturned":  # (a chunk laid out at its folio is not turned)
            state[j] = "todo"
            for _ in range(sum(x in ("laying", "printing") for x in state)):
                crew.receive()  # the answers under way, before the crew is asked again
            return None
        if status == "error":
            raise EditionError.at(f"PDF build: {result}", hint="the same error would stop the build of the whole volume")
        if state[j] == "laying":
            laid[j], state[j] = result, "laid"
            idle.add(worker)
            cache.put(layout_keys[j], result)
            counted["laid out"] += 1
            pages_done += result.pages
            if crew.local is None:  # a desk here told each page
                tell("laying out pages", pages_done, None)
        else:
            printed[j], state[j] = result, "done"
            cache.put(print_keys[j], result)


def _lay_parts(crew: _Crew, kind: str, tasks: list[Task], cache: LayoutCache, counted: dict, tell=None) -> list[Laid]:
    """Parts from the cache or laid out by the workers, nothing held:
    "probe", the chunks' layouts alone (where their lines fall); "part",
    parts printed as they are (the front and back matter), each told to
    `tell` as it is done."""
    printed = kind == "part"
    keys = [cache.key(kind, t.epoch, str(t.variant), t.html) for t in tasks]
    found = [cache.get(key, pdf=printed) for key in keys]
    todo = [j for j, x in enumerate(found) if x is None]
    told = tell or (lambda stage, done, total: None)
    done = len(tasks) - len(todo)

    def kept(j: int, result: Laid) -> None:
        nonlocal done
        cache.put(keys[j], result)
        done += 1
        told("laying out the front and back matter", done, len(tasks))

    told("laying out the front and back matter", done, len(tasks))
    _dispatch(crew, todo, lambda j: (kind, j, tasks[j]), found, kept)
    counted["laid out"] += len(todo)
    return found  # type: ignore[return-value]


def _dispatch(crew: _Crew, todo: list[int], message, results: list, done) -> None:
    """Each message to a free worker, the answers into `results`."""
    waiting = list(todo)
    idle = list(range(len(crew)))
    outstanding = 0
    while waiting or outstanding:
        while waiting and idle:
            crew.send(idle.pop(), message(waiting.pop(0)))
            outstanding += 1
        worker, j, status, result = crew.receive()
        outstanding -= 1
        idle.append(worker)
        if status != "ok":
            raise EditionError.at(f"PDF build: {result}", hint="the same error would stop the build of the whole volume")
        results[j] = result
        done(j, result)


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
