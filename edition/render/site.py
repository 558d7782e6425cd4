"""Model → the volume as a folder of static HTML pages, readable offline.

The same view model as the printed volume (render/html.py), laid out for a
screen: an index page with the contents, one page per document (parallel
columns as a grid row per segment, notes as numbered calls that pop up on
hover or focus and link to the note, the apparatus keyed to segments), and a
page for the index of names and the abbreviations. Nothing on any page points
outside the folder, and document text only ever reaches the HTML through
Jinja2's autoescaping."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Sequence

from ..collate import Lacuna, apparatus_of_versions, entry_text, lacuna_text
from ..errors import EditionError, UsageError
from ..model import Edition
from ..names import Register, document_occurrences, matcher
from ..numerals import roman
from ..ids import ID_HINT, is_id
from ..status import board
from ..files import atomic_write
from .html import (
    SOFT_HYPHEN,
    Block,
    Bound,
    DocumentView,
    Footnote,
    ListBlock,
    Row,
    Run,
    VolumeView,
    _default_templates,
    display_offsets,
    load_templates,
    piece_text,
    split_run,
    volume_view,
)

# The file that says a folder is a site we wrote, and which files are ours:
# only those are ever replaced or removed when the site is written again.
SITE_MARKER = ".edition-site"
MARKER_HEAD = "edition site: the files below were written by `edition`; others are left alone\n"
STYLESHEET = "site.css"
TEMPLATE_DIR = "site"  # inside each template folder
RESERVED = {"index", "names", "status"}  # page names of our own

# A URL that leaves the folder: a scheme (http:, data:, file:, …) or a
# network path (//host). The stylesheet may only refer to files beside it.
EXTERNAL_URL = re.compile(r"^\s*['\"]?\s*(?:[A-Za-z][A-Za-z0-9+.-]*:|//|\\\\)")
CSS_URL = re.compile(r"url\(([^)]*)\)|@import", re.IGNORECASE)


@dataclass(frozen=True)
class AppMark:
    """Where an apparatus entry's lemma ends in the text: a marker that pops
    the entry up and links to it."""

    kind: ClassVar[str] = "app"
    id: str  # "app-3": the entry; the marker itself is "lem-3"
    text: str  # the entry as the apparatus prints it


@dataclass(frozen=True)
class NameMark:
    """Where a registered name occurs in the text: the index links here."""

    kind: ClassVar[str] = "name"
    id: str  # "nm-3"


@dataclass(frozen=True)
class PageLink:
    file: str
    number: int
    title: str


@dataclass(frozen=True)
class AppEntry:
    id: str  # "app-3"
    segment: str  # the segment id its lemma stands in
    paragraph: int  # that segment's position in the document, from 1
    text: str


@dataclass(frozen=True)
class SiteApparatus:
    base: str  # the layer the text shows
    witnesses: tuple[str, ...]
    entries: tuple[AppEntry, ...]


@dataclass(frozen=True)
class DocumentPage:
    """One document's page: its view with apparatus markers placed, the
    labels of its footnote calls, its footnotes in reading order, and its
    neighbours."""

    file: str
    doc: DocumentView
    labels: dict[str, str]
    footnotes: tuple[tuple[str, tuple[tuple[str, Footnote], ...]], ...]  # (series, ((label, note), …))
    apparatus: SiteApparatus | None
    paragraphs: dict[str, int]  # segment id → position from 1
    prev: PageLink | None
    next: PageLink | None


@dataclass(frozen=True)
class NamePlace:
    file: str
    anchor: str
    label: str  # "¶ 2" or "¶ 2, de"


@dataclass(frozen=True)
class NameInDocument:
    file: str
    number: int
    anchor: str  # the first occurrence
    places: tuple[NamePlace, ...]


@dataclass(frozen=True)
class NameEntry:
    id: str
    name: str
    note: str | None
    documents: tuple[NameInDocument, ...]


@dataclass(frozen=True)
class NameSection:
    title: str
    kind: str
    entries: tuple[NameEntry, ...]


@dataclass
class SiteReport:
    """What `write_site` did: the files written (the marker last), the
    files of an earlier site removed because this one has no such page, and
    warnings about notes that could not be placed at their phrase."""

    folder: Path
    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# --- labels ----------------------------------------------------------------------

GREEK = "αβγδεζηθικλμνξοπρστυφχψω"


def series_label(series: str, n: int) -> str:
    """The n-th call (from 1) of a footnote series: 1, 2, 3; α, β, γ;
    i, ii, iii; a, b, c — as the printed volume counts them."""
    if series == "b":  # CSS lower-greek: α … ω, αα, αβ …
        out = ""
        while n > 0:
            n, k = divmod(n - 1, len(GREEK))
            out = GREEK[k] + out
        return out
    if series == "c":
        return roman(n)
    if series == "d":  # CSS lower-latin: a … z, aa, ab …
        out = ""
        while n > 0:
            n, k = divmod(n - 1, 26)
            out = "abcdefghijklmnopqrstuvwxyz"[k] + out
        return out
    return str(n)


# --- the site's view ------------------------------------------------------------


def page_name(doc_id: str) -> str:
    """A document's file name in the site; refuses ids that are no safe file
    name or that would replace one of the site's own pages."""
    if not is_id(doc_id) or doc_id.casefold() in RESERVED:
        raise EditionError.at(
            f"document id {doc_id!r} cannot name a page of the HTML edition",
            hint=ID_HINT + ", and not " + " or ".join(sorted(RESERVED)),
        )
    return f"{doc_id}.html"


def _pieces_of(doc: DocumentView):
    """Every text of a document in reading order: title, dateline, then the
    blocks row by row, left to right."""
    yield doc.title
    if doc.date:
        yield doc.date
    for block in doc.text_blocks():
        yield block.pieces


def _labels(doc: DocumentView):
    """The label of each footnote call, and the footnotes per series in
    reading order."""
    labels: dict[str, str] = {}
    by_series: dict[str, list] = {}
    for pieces in _pieces_of(doc):
        for piece in pieces:
            if isinstance(piece, Bound):
                for note in piece.notes:
                    series = by_series.setdefault(note.series, [])
                    labels[note.id] = series_label(note.series, len(series) + 1)
                    series.append((labels[note.id], note))
    return labels, tuple((s, tuple(by_series[s])) for s in sorted(by_series))


# (layer id, segment id) → [(offset in the stored text, marker)]
Points = dict[tuple[str, str], list[tuple[int, object]]]


def with_points(pieces: tuple, text: str, points: Sequence[tuple[int, object]]) -> tuple:
    """The pieces with each marker placed at its offset in the stored text
    `text`: a marker inside a word bound to its footnote calls goes before
    that word, one at its end after the calls."""
    if not points:
        return pieces
    to_display = display_offsets(text)
    todo = sorted(
        ((to_display[min(max(o, 0), len(text))], k, m) for k, (o, m) in enumerate(points)),
        key=lambda t: (t[0], t[1]),
    )
    out: list = []
    pos = 0
    k = 0
    for piece in pieces:
        if isinstance(piece, Run):
            length = len(piece.text)
            k = split_run(piece, pos, todo, k, out, lambda item: item[2])
        elif isinstance(piece, Bound):
            length = len(piece_text((piece,)).replace(SOFT_HYPHEN, ""))
            while k < len(todo) and todo[k][0] < pos + length:
                out.append(todo[k][2])
                k += 1
            out.append(piece)
        else:
            length = 0
            out.append(piece)
        pos += length
    out.extend(m for _, _, m in todo[k:])
    return tuple(out)


def _with_points(doc: DocumentView, points: Points) -> DocumentView:
    """The view with the markers placed in its blocks."""

    def place(block: Block) -> Block:
        todo = points.get((block.layer, block.id))
        if not todo:
            return block
        if block.typeset is not None:  # offsets in the stored text, as printed
            return dataclasses.replace(
                block, pieces=with_points(block.pieces, block.typeset.text, [(block.typeset.at(at), mark) for at, mark in todo])
            )
        return dataclasses.replace(block, pieces=with_points(block.pieces, block.source, todo))

    blocks = tuple(ListBlock(tuple(place(i) for i in b.items)) if isinstance(b, ListBlock) else place(b) for b in doc.blocks)
    rows = tuple(Row(r.kind, r.id, tuple(place(c) if c is not None else None for c in r.cells)) for r in doc.rows)
    return dataclasses.replace(doc, blocks=blocks, rows=rows)


def _apparatus(edition: Edition, doc: DocumentView, paragraphs: dict[str, int], points: Points):
    """The apparatus of the other layers in the shown text's language
    against that text (`collate.apparatus_of_versions`, as in print),
    each entry keyed to the paragraph of its lemma (the printed volume keys
    them to lines, which a web page has not); adds a marker after each
    lemma to `points`."""
    base = next((c.layer for c in doc.columns if not c.series), doc.layer)
    source = edition.document(doc.id)
    if source is None or base is None:
        return None
    app = apparatus_of_versions(source, source.layer(base), edition.apparatus)
    if app is None:
        return None
    witnesses = list(app.witnesses)
    texts = {seg.id: seg.text.get(base, "") for seg in source.segments}
    entries: list[AppEntry] = []
    for n, entry in enumerate(app.in_order(list(texts)), start=1):
        if isinstance(entry, Lacuna):  # marked at the stretch's first word
            first = texts[entry.first]
            end = len(first) - len(first.lstrip())
            end += len(first[end:].split(maxsplit=1)[0]) if first.strip() else 0
            text = lacuna_text(entry)
            entries.append(AppEntry(f"app-{n}", entry.first, paragraphs.get(entry.first, 0), text))
            points.setdefault((base, entry.first), []).append((end, AppMark(f"app-{n}", text)))
            continue
        end = entry.end  # the marker stands after the lemma's last word
        while end > entry.start and texts[entry.segment][end - 1 : end].isspace():
            end -= 1
        text = entry_text(entry)
        entries.append(AppEntry(f"app-{n}", entry.segment, paragraphs.get(entry.segment, 0), text))
        points.setdefault((base, entry.segment), []).append((end, AppMark(f"app-{n}", text)))
    return SiteApparatus(base, tuple(witnesses), tuple(entries)) if entries else None


def _paragraphs(doc: DocumentView) -> dict[str, int]:
    out: dict[str, int] = {}
    for block in doc.text_blocks():
        out.setdefault(block.id, len(out) + 1)
    return out


def _names(
    edition: Edition,
    doc: DocumentView,
    file: str,
    register: Register | None,
    pattern,
    paragraphs: dict[str, int],
    labels: dict[str, str],
    points: Points,
    found: dict[str, list[NameInDocument]],
) -> None:
    """Adds a marker at each registered name in the page's text to
    `points`, and the places of each name in this document to `found`
    (one link per paragraph and column, title or note). A name in a layer
    this page does not show is not cited."""
    source = edition.document(doc.id)
    if pattern is None or register is None or source is None:  # no pattern without a register
        return
    shown = {(b.layer, b.id) for b in doc.text_blocks()}
    after_text = {n.id for n in (*doc.notes, *doc.archival)}
    places: dict[str, dict[tuple, NamePlace]] = {}
    count = 0
    key: tuple[str, ...]
    for occ in document_occurrences(source, register, pattern):
        if occ.place in ("title", "place", "date"):
            key, anchor, label = ("title",), "doc-title", "title"
        elif occ.place.startswith("summary:"):
            key, anchor, label = ("headnote",), "headnote", "headnote"
        elif occ.place == "source":
            key, anchor, label = ("source",), "source-note", "source note"
        elif occ.place.startswith("note:"):
            note = occ.place[5:]
            if note not in labels and note not in after_text:
                continue  # not printed: a note carried to a revision prints as the revision's
            key = ("note", note)
            anchor = f"fn-{note}" if note in labels else f"note-{note}"
            label = f"note\u00a0{labels[note]}" if note in labels else "note"
        elif (occ.layer, occ.place) in shown:
            count += 1
            anchor = f"nm-{count}"
            points.setdefault((occ.layer, occ.place), []).append((occ.start, NameMark(anchor)))
            key = ("segment", occ.layer, occ.place)
            label = f"¶\u00a0{paragraphs.get(occ.place, 0)}" + (f", {occ.layer}" if doc.columns else "")
        else:
            continue
        places.setdefault(occ.name, {}).setdefault(key, NamePlace(file, anchor, label))
    for name, kept in places.items():
        values = tuple(kept.values())
        found.setdefault(name, []).append(NameInDocument(file, doc.number, values[0].anchor, values))


def _name_sections(view: VolumeView, found: dict[str, list[NameInDocument]], register: Register | None):
    """The index sections of the volume (persons, places) with, for each
    name, the documents and places it occurs in on the site."""
    by_name = {n.name: n for n in (register.names if register else ())}
    sections = []
    for section in view.index:
        entries: list[NameEntry] = []
        for entry in section.entries:
            name = by_name.get(entry.name)
            documents = tuple(found.get(name.id, ())) if name else ()
            if name is None or not documents:
                continue
            entries.append(
                NameEntry(
                    id=f"name-{name.id}" if is_id(name.id) else f"name-{len(entries) + 1}",
                    name=entry.name,
                    note=name.note,
                    documents=documents,
                )
            )
        if entries:
            sections.append(NameSection(section.title, section.kind, tuple(entries)))
    return tuple(sections)


@dataclass(frozen=True)
class SiteView:
    volume: VolumeView
    pages: tuple[DocumentPage, ...]
    names: tuple[NameSection, ...]


def site_view(edition: Edition, register: Register | None = None) -> tuple[SiteView, list[str]]:
    """The site as the templates see it, and the view's warnings."""
    if register is None:
        register = edition.register
    # The site makes its own apparatus (after the text, each entry popping
    # up from a marker after its lemma): the printed one is not needed.
    view, warnings = volume_view(dataclasses.replace(edition, apparatus="none"), register=register)
    files = [page_name(d.id) for d in view.documents]
    if len(set(files)) != len(files):
        raise EditionError.at("two documents have the same id; their pages would be one file")
    links = [PageLink(f, d.number, d.title_plain) for f, d in zip(files, view.documents)]
    pattern = matcher(register) if register and view.index else None
    found: dict[str, list[NameInDocument]] = {}
    pages = []
    for i, doc in enumerate(view.documents):
        paragraphs = _paragraphs(doc)
        labels, footnotes = _labels(doc)
        points: Points = {}
        apparatus = _apparatus(edition, doc, paragraphs, points)
        _names(edition, doc, files[i], register, pattern, paragraphs, labels, points, found)
        pages.append(
            DocumentPage(
                file=files[i],
                doc=_with_points(doc, points),
                labels=labels,
                footnotes=footnotes,
                apparatus=apparatus,
                paragraphs=paragraphs,
                prev=links[i - 1] if i > 0 else None,
                next=links[i + 1] if i + 1 < len(links) else None,
            )
        )
    return SiteView(view, tuple(pages), _name_sections(view, found, register)), warnings


# --- writing -------------------------------------------------------------------


def write_site(
    edition: Edition,
    register: Register | None,
    out: Path,
    *,
    templates: list[Path] | None = None,
    overwrite: bool = False,
    terms=None,
) -> SiteReport:
    """Write the HTML edition into the folder `out`: index.html, one page
    per document (`<id>.html`), names.html, status.html (the status board)
    and the stylesheet, each file
    atomically (the edition's layout and columns as given: `api.build_site`
    applies the command line's). A folder that holds files but is not a site written here is
    refused unless `overwrite` (and even then only our file names are
    replaced); files of an earlier site that this one no longer has are
    removed, nothing else is. The same edition gives the same bytes."""
    from .templating import rendering

    if templates is None:
        default = _default_templates()
        templates = [default] if default else []
    if not templates:
        raise EditionError.at("no template folder found", hint="reinstall edition or add templates/")

    out = Path(out)
    previous = _previous_files(out, overwrite)
    css, css_file, (index, names, status, document) = load_templates(
        templates,
        f"{TEMPLATE_DIR}/{STYLESHEET}",
        [
            f"{TEMPLATE_DIR}/index.html.j2",
            f"{TEMPLATE_DIR}/names.html.j2",
            f"{TEMPLATE_DIR}/status.html.j2",
            f"{TEMPLATE_DIR}/document.html.j2",
        ],
    )
    pages = {"index.html": index, "names.html": names, "status.html": status}
    _check_stylesheet(css, css_file)
    view, warnings = site_view(edition, register)
    status_board = board(edition, terms)  # the team's page: what is left to translate and review

    outputs: dict[str, str] = {STYLESHEET: css}
    with rendering():  # every page within one bound of memory
        for name, template in pages.items():
            outputs[name] = template.render(site=view, volume=view.volume, stylesheet=STYLESHEET, board=status_board)
        for page in view.pages:
            outputs[page.file] = document.render(site=view, volume=view.volume, page=page, doc=page.doc, stylesheet=STYLESHEET)

    report = SiteReport(out, warnings=warnings)
    names = sorted(outputs)
    # The marker first, naming the old files and the new ones: a run that
    # stops half-way leaves a folder still known as ours.
    atomic_write(out / SITE_MARKER, _marker(sorted(set(names) | previous)))
    for name in names:
        atomic_write(out / name, outputs[name])
        report.written.append(out / name)
    for name in sorted(previous - set(names)):
        path = out / name
        if path.is_file() and not path.is_symlink():
            path.unlink()
            report.removed.append(path)
    atomic_write(out / SITE_MARKER, _marker(names))
    report.written.append(out / SITE_MARKER)
    return report


def _marker(names: Sequence[str]) -> str:
    return MARKER_HEAD + "".join(f"{n}\n" for n in names)


def _previous_files(out: Path, overwrite: bool) -> set[str]:
    """The files an earlier site in `out` wrote (empty for a new folder);
    refuses a folder with other content unless told to overwrite."""
    if out.exists() and not out.is_dir():
        raise UsageError.at("not a folder", out, hint="give a folder for the HTML edition")
    if not out.exists():
        return set()
    marker = out / SITE_MARKER
    if marker.is_file() and not marker.is_symlink():  # a link is no marker of ours: never read through it
        lines = marker.read_text(encoding="utf-8", errors="replace").splitlines()[1:]
        # Only plain names of files in the folder itself: a marker cannot
        # send a removal elsewhere.
        return {n for n in lines if n and "/" not in n and "\\" not in n and n not in (".", "..")}
    if any(out.iterdir()) and not overwrite:
        raise UsageError.at(
            "the folder is not empty and holds no HTML edition written by edition; nothing was written",
            out,
            hint="choose a new or empty folder, or ask to overwrite (only the site's own file names are replaced)",
        )
    return set()


def _check_stylesheet(css: str, path: str) -> None:
    """The stylesheet may refer only to files beside it: a page that loads
    nothing from the network works offline and tells no server it was read."""
    # Comments may name what is refused; blank them, keeping line numbers.
    css = re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), css, flags=re.DOTALL)
    for match in CSS_URL.finditer(css):
        if match.group(0).lower() == "@import" or EXTERNAL_URL.match(match.group(1) or ""):
            line = css.count("\n", 0, match.start()) + 1
            raise EditionError.at(
                f"the site's stylesheet refers outside its folder: {match.group(0)[:60]}",
                path,
                line,
                hint="the HTML edition makes no external requests: no @import, web fonts or URLs with a scheme",
            )
