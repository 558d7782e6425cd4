"""Model → one HTML volume through the Jinja2 templates.

The text runs (emphasis, footnote calls) are built here in Python, as small
frozen structures the templates iterate over: document text is data and only
ever reaches the HTML through Jinja2's autoescaping, never as markup and never
as template source."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache, partial
from pathlib import Path
from typing import Any, Callable, ClassVar, Collection, Mapping, Sequence, Union

from ..collate import Lacuna, apparatus_of_versions, entry_text, lacuna_text
from ..errors import EditionError
from ..model import (
    HEAD_PLACES,
    Document,
    Edition,
    Layer,
    LayerRole,
    Note,
    NoteKind,
    Segment,
    SegmentKind,
    inline_spans,
    plain,
    resolve_anchor,
)
from ..names import PERSON, PLACE, Register, headnote_paragraphs, index_key
from ..settings import PAGE_FORMATS, PageFormat, settings_problems
from .. import review
from ..text import LANGUAGE_NAMES, collation_key
from ..typography import Typeset, typeset
from .lines import BlockKey, BlockText, LineMap, line_at
from .measure import measure

TEMPLATE = "volume.html.j2"
STYLESHEET = "edition.css"

# Notes printed as footnotes at their call; the others (archival notes, notes
# on the whole document) are printed after the text.
FOOTNOTE_KINDS = (NoteKind.FOOTNOTE, NoteKind.TRANSLATOR, NoteKind.GLOSS)


# --- page formats -------------------------------------------------------------


def running_head(title: str, limit: int) -> str:
    """A title short enough for the running head: cut at a word boundary
    with an ellipsis (margin boxes do not clip; a long head would run off
    the page)."""
    if len(title) <= limit:
        return title
    cut = title[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.–—-")
    return (cut or title[: limit - 1]) + "…"


def page_format(name: str) -> PageFormat:
    try:
        return PAGE_FORMATS[name]
    except KeyError:
        raise EditionError.at(
            f"unknown page size {name!r}",
            hint="set page_size in edition.yaml to one of " + ", ".join(PAGE_FORMATS),
        ) from None


# --- inline text ----------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """A stretch of text, emphasised or not; `url` marks a web address (it
    breaks only after its slashes and dots, never with a hyphen)."""

    kind: ClassVar[str] = "run"
    text: str
    em: bool = False
    url: bool = False


@dataclass(frozen=True)
class Footnote:
    """A note printed at the foot of the page where its call stands."""

    id: str
    note_kind: str  # NoteKind value: footnote, translator, gloss
    body: tuple[Run, ...]
    # The numbering series: "" is the document's footnote series (1, 2, 3);
    # in the parallel layout the notes of the other columns count in their
    # own series ("b": α, β, γ; "c": i, ii, iii; "d": a, b, c), each in
    # reading order.
    series: str = ""
    anchor: str = ""  # its element id: the index finds its page by it
    label: str = ""  # printed before the body: an apparatus entry's line number
    entry: str = ""  # an apparatus entry's key, "document number:entry number"


@dataclass(frozen=True)
class Bound:
    """The word before one or more footnote calls, and the notes. `runs`
    (the end of the word) and the calls print unbreakable, so a line cannot
    end between a word and its call. `head`, the rest of a long word, carries
    its hyphenation points as soft hyphens (from the layer's dictionary):
    the word can still be hyphenated before its last syllable, at the points
    it would have had without the call."""

    kind: ClassVar[str] = "bound"
    runs: tuple[Run, ...]
    notes: tuple[Footnote, ...]
    head: tuple[Run, ...] = ()


Piece = Union[Run, Bound]


def piece_text(pieces_: Sequence[Piece]) -> str:
    """The text the pieces print, soft hyphens included, calls
    left out: the string that line offsets count in."""
    out: list[str] = []
    for piece in pieces_:
        if isinstance(piece, Run):
            out.append(piece.text)
        elif isinstance(piece, Bound):
            out.extend(r.text for r in piece.head)
            out.extend(r.text for r in piece.runs)
    return "".join(out)


def split_run(run: Run, pos: int, todo: Sequence[tuple], k: int, out: list, made) -> int:
    """Append `run` (which starts at offset `pos`) to `out`, cut at each
    offset todo[k][0], todo[k+1][0]… that falls inside it, with
    `made(todo[i])` put at the cut; returns the index of the first item
    left for the pieces after it."""
    start = 0
    length = len(run.text)
    while k < len(todo) and todo[k][0] < pos + length:
        cut = max(todo[k][0] - pos, 0)
        if cut > start:
            out.append(Run(run.text[start:cut], run.em))
            start = cut
        out.append(made(todo[k]))
        k += 1
    if start < length:
        out.append(Run(run.text[start:], run.em))
    return k


class Runs(tuple):
    """Runs that print as their text where a page prints them whole: on a
    page of release 0.1.0, `{{ group.title }}` printed a source group's
    title, then a string, and prints the same words now (autoescaped), not
    a tuple's repr. Today's page prints runs with the `runs` macro."""

    def __str__(self) -> str:
        return "".join(r.text for r in self)


def runs(text: str) -> tuple[Run, ...]:
    """Emphasis only (no calls): note bodies, headnotes, citations. Web
    addresses are runs of their own, with their break points."""
    out: list[Run] = []
    for t, em in inline_spans(text):
        pos = 0
        for match in URL_RE.finditer(t):
            if match.start() > pos:
                out.append(Run(t[pos : match.start()], em))
            out.append(Run(url_breaks(match.group()), em, url=True))
            pos = match.end()
        if pos < len(t):
            out.append(Run(t[pos:], em))
    return tuple(out)


# A web address, without the punctuation of the sentence it ends.
URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"\u201c\u201d]*[^\s<>\"\u201c\u201d.,;:!?)\]']")
ZWSP = "\u200b"


def url_breaks(url: str) -> str:
    """A web address as printed: a zero-width break opportunity after each
    `/` and `.` (not between the slashes of `//`), the only places a line
    may end inside it. The stored text is never changed."""
    url = url.replace("-", "-" + WORD_JOINER)  # no break after a hyphen in it
    return re.sub(r"(?<=[/.])(?![/.]|$)", ZWSP, url)


WORD_JOINER = "\u2060"


def unbroken_ranges(text: str) -> str:
    """No line break after the dash of a range or a double name ("1956–1962",
    "Rákosi–Gerő", "Jean-Paul"): a word joiner after a dash between two
    characters that are not spaces."""
    return re.sub(r"(?<=\S)([\u2013\u2014-])(?=\S)", "\\1" + WORD_JOINER, text)


def display_offsets(text: str) -> list[int]:
    """For each offset of the stored text (emphasis marks included), the
    offset among the printed characters (the marks print nothing)."""
    out: list[int] = []
    n = 0
    for span, em in inline_spans(text):
        if em:
            out.append(n)  # the opening '*'
        for _ in span:
            out.append(n)
            n += 1
        if em:
            out.append(n)  # the closing '*'
    out.append(n)
    return out


def pieces(text: str, calls: list[tuple[int, Footnote]], lang: str | None = None) -> tuple[Piece, ...]:
    """Text with emphasis and footnote calls. `calls` are (offset, note)
    with offsets in the stored text (emphasis marks included), as
    `resolve_anchor` gives them; notes at one offset keep their order.
    With `lang`, a long word before a call keeps its hyphenation points."""
    if not calls:  # most paragraphs: runs of emphasis only
        return runs(text)
    # Display characters with their emphasis, and where each raw offset
    # (in the text with its `*` marks) falls among them.
    chars = [(ch, em) for span, em in inline_spans(text) for ch in span]
    raw_to_display = display_offsets(text)

    by_offset: dict[int, list[Footnote]] = {}
    for offset, note in sorted(calls, key=lambda c: c[0]):
        by_offset.setdefault(raw_to_display[min(offset, len(text))], []).append(note)

    out: list[Piece] = []
    pos = 0
    for call_at in sorted(by_offset):
        word_start = call_at
        while word_start > pos and not chars[word_start - 1][0].isspace():
            word_start -= 1
        out.extend(_group(chars[pos:word_start]))
        head, tail = _split_last_syllable(chars[word_start:call_at], lang)
        out.append(Bound(tuple(_group(tail)), tuple(by_offset[call_at]), tuple(_group(head))))
        pos = call_at
    out.extend(_group(chars[pos:]))
    return tuple(out)


SOFT_HYPHEN = "\u00ad"


def _split_last_syllable(word: list[tuple[str, bool]], lang: str | None):
    """(head, tail) of a word: the tail is its last syllable (or the whole
    word), the head the syllables before, with a soft hyphen at each of the
    word's hyphenation points inside it."""
    letters = [i for i, (ch, _) in enumerate(word) if ch.isalnum()]
    if not lang or len(letters) < 5:
        return [], word
    start, end = letters[0], letters[-1] + 1
    core = "".join(ch for ch, _ in word[start:end])
    if not core.isalpha():
        return [], word  # numbers, URLs, compounds with a hyphen: leave them whole
    points = _hyphenation_points(core, lang)
    if not points:
        return [], word
    split = start + points[-1]
    head: list[tuple[str, bool]] = []
    # No soft hyphen where head and tail meet: WeasyPrint 70 breaks there
    # without drawing the hyphen.
    breaks = {start + p for p in points[:-1]}
    for i, (ch, em) in enumerate(word[:split]):
        head.append((ch, em))
        if i + 1 in breaks:
            head.append((SOFT_HYPHEN, em))
    return head, word[split:]


@lru_cache(maxsize=1 << 15)
def _hyphenation_points(word: str, lang: str) -> tuple[int, ...]:
    """Where pyphen may break `word` (kept: a volume asks for the same
    words of a language again and again)."""
    try:
        import pyphen  # WeasyPrint's own hyphenation dictionaries
    except ImportError:
        return ()
    dictionary = pyphen.language_fallback(lang.replace("-", "_"))
    if not dictionary:
        return ()
    return tuple(pyphen.Pyphen(lang=dictionary, left=2, right=2).positions(word))


def _group(chars: list[tuple[str, bool]]) -> list[Run]:
    """Runs of characters with the same emphasis (joined once per run: a
    string grown a character at a time is quadratic in a long paragraph)."""
    grouped: list[Run] = []
    start = 0
    for i in range(1, len(chars) + 1):
        if i == len(chars) or chars[i][1] != chars[start][1]:
            grouped.append(Run("".join(ch for ch, _ in chars[start:i]), chars[start][1]))
            start = i
    return grouped


# --- the volume as the templates see it ----------------------------------------


@dataclass(frozen=True)
class Block:
    """One segment as printed: its kind (paragraph, heading, quotation,
    list-item, signature, salutation, dateline) and its text in one layer.
    `fallback` marks a segment the printed layer lacks, shown from another
    layer rather than dropped. `source` is the stored text the pieces come
    from (line offsets are given in it)."""

    kind: str
    id: str
    layer: str
    lang: str
    pieces: tuple[Piece, ...]
    fallback: bool = False
    source: str = ""
    unreviewed: bool = False  # a draft build marks text not yet reviewed (edition/review.py)
    typeset: Typeset | None = None  # the text as printed, when its typography differs from the stored one


@dataclass(frozen=True)
class ListBlock:
    """Consecutive list items, printed as one list."""

    kind: ClassVar[str] = "list"
    items: tuple[Block, ...]


@dataclass(frozen=True)
class Column:
    """One text column of the parallel layout: the layer it prints, a label
    for its head, its footnote series, and the side its line numbers stand
    on (the first column's on the left, the last column's on the right, a
    middle column's on its left, in the gutter)."""

    layer: str
    lang: str
    label: str
    series: str
    numbers: str  # "left" | "right"


@dataclass(frozen=True)
class Row:
    """One segment in the parallel layout: a cell per column (None where the
    column's layer lacks the segment: the cell stays empty, the texts stay
    in step)."""

    kind: str
    id: str
    cells: tuple[Block | None, ...]


@dataclass(frozen=True)
class EndNote:
    """A note printed after the text: on the whole document, archival, or
    anchored in a text not printed here (then `lemma` is its phrase)."""

    id: str
    note_kind: str
    label: str | None
    lemma: str | None
    where: str | None  # "ru, p3": layer and segment of an anchor not printed here
    body: tuple[Run, ...]
    anchor: str = ""  # its element id: the index finds its page by it


@dataclass(frozen=True)
class ApparatusLine:
    """The apparatus entries whose lemma starts on one printed line (number
    None when the line is not known: the HTML volume, the first pass of the
    PDF build)."""

    number: int | None
    entries: tuple[str, ...]
    page: str = ""  # the folio, when line numbers restart on every page: "12.5"

    @property
    def reference(self) -> str:
        """The line as a reader finds it: "5", or "12.5" (page and line)."""
        return f"{self.page}.{self.number}" if self.page else str(self.number)


@dataclass(frozen=True)
class ApparatusView:
    base: str
    witnesses: tuple[str, ...]
    lines: tuple[ApparatusLine, ...]


@dataclass(frozen=True)
class IndexEntry:
    name: str
    refs: tuple[str, ...]  # where the name is printed: folios, or folio.line


@dataclass(frozen=True)
class IndexSection:
    title: str
    kind: str
    entries: tuple[IndexEntry, ...]


@dataclass(frozen=True)
class SourceGroup:
    """A part of the list of sources: an archive (its abbreviation and, from
    the register, its name) or the publications, with each source as cited
    and the numbers of the documents that come from it."""

    title: tuple[Run, ...]  # `*…*` in an archive's name prints in italics
    entries: tuple[tuple[tuple[Run, ...], tuple[str, ...]], ...]


@dataclass(frozen=True)
class DocumentView:
    number: int  # its place in the volume: anchors and keys
    anchor: str  # the element id the contents and bookmarks point to
    id: str
    title: tuple[Piece, ...]
    title_plain: str
    running_title: str
    date: tuple[Piece, ...] | None
    date_supplied: bool
    place: tuple[Run, ...] | None
    summary: tuple[tuple[Run, ...], ...]  # paragraphs of the headnote
    source: tuple[tuple[Run, ...], ...]  # lines of the source note
    lang: str
    layer: str | None
    blocks: tuple[Block | ListBlock, ...]  # the text in one column (columns empty)
    notes: tuple[EndNote, ...]
    archival: tuple[EndNote, ...]
    unplaced: tuple[tuple[Run, ...], ...]
    columns: tuple[Column, ...] = ()  # two to four: the parallel layout
    rows: tuple[Row, ...] = ()  # the parallel layout's rows, one per segment
    apparatus: ApparatusView | None = None  # printed after the text
    foot: tuple[KeyedEntry, ...] = ()  # the apparatus at the foot of the page
    foot_layer: str = ""  # the layer its entries are keyed to
    label: str = ""  # the number it prints (contents, head, bookmark): see document_number

    @property
    def printed_number(self) -> str:
        return self.label or str(self.number)

    def text_blocks(self):
        """Every printed block, in document order (row by row, left to right)."""
        for block in self.blocks:
            yield from block.items if isinstance(block, ListBlock) else (block,)
        for row in self.rows:
            yield from (cell for cell in row.cells if cell is not None)


@dataclass(frozen=True)
class VolumeView:
    title: str  # plain: <title>, metadata, bookmarks
    subtitle: str | None
    editors: tuple[str, ...]
    publisher: str | None
    year: str | None
    lang: str
    keywords: str
    page: PageFormat
    documents: tuple[DocumentView, ...]
    running_title: str
    bleed: str | None = None  # a CSS length
    marks: str | None = None  # the CSS `marks` value
    line_numbers: bool = True
    index: tuple[IndexSection, ...] = ()  # persons, places
    abbreviations: tuple[tuple[str, str], ...] = ()
    glossary: tuple[GlossaryEntry, ...] = ()  # the term base, when the edition prints it
    sources: tuple[SourceGroup, ...] = ()  # the list of sources
    title_runs: tuple[Run, ...] = ()  # the title as printed: `*…*` in italics
    subtitle_runs: tuple[Run, ...] = ()
    editors_printed: tuple[str, ...] = ()  # as the title page sets them: no break after a dash
    ragged: tuple[int, ...] = ()  # the column counts too narrow to justify (render/measure.py)

    @property
    def number_figures(self) -> int:
        """The most characters of a printed document number (1–6): how much
        room the contents keep for the numbers."""
        return min(max((len(d.printed_number) for d in self.documents), default=1), 6)


def volume_view(
    edition: Edition,
    *,
    register: Register | None = None,
    apparatus_lines: LineMap | None = None,
    index_refs: Mapping[str, Sequence[str]] | None = None,
    folios: Sequence[str] | None = None,
    views: Any = None,
    keys: list[str | None] | None = None,
) -> tuple[VolumeView, list[str]]:
    """The volume as the templates see it, and warnings about what could not
    be placed where it belongs (it is printed elsewhere, never dropped).
    `apparatus_lines` (a line map, render/lines.py) keys the apparatus to
    printed lines (and `folios`, the folio of each page of the layout it
    came from, to pages, when line numbers restart on every page); `register` makes the index of persons and places, with
    the references `index_refs` (register id → printed pages or lines, from
    an earlier layout: render/index.py) when given. `views`
    (render/viewcache.py) keeps each document's view between builds when
    no layout keys it; `keys` then hears each document's key there."""
    warnings: list[str] = []
    page = page_format(edition.page_size)
    _check_print_settings(edition)
    if register is None:
        register = edition.register
    mark_drafts = review.in_review(edition.documents)
    if views is not None and apparatus_lines is None and folios is None:
        settings = views.settings(edition, mark_drafts)
        made = []
        for number, doc in enumerate(edition.documents, start=1):
            key = views.key(settings, doc, number)
            kept = views.get(key) if key is not None else None
            if kept is None:
                told: list[str] = []
                kept = _document_view(doc, number, page, edition, told, None, mark_drafts, None), told
                views.put(key, *kept)
            made.append(kept[0])
            warnings.extend(kept[1])
            if keys is not None:
                keys.append(key)
        documents = tuple(made)
    else:
        documents = tuple(
            _document_view(doc, number, page, edition, warnings, apparatus_lines, mark_drafts, folios)
            for number, doc in enumerate(edition.documents, start=1)
        )
    langs = Counter(d.lang for d in documents)
    lang = langs.most_common(1)[0][0] if langs else (edition.languages or ["en"])[0]
    title, subtitle = (_set(edition, t or "", lang).text for t in (edition.title, edition.subtitle))
    keywords = ", ".join(["documentary edition", *edition.languages])
    view = VolumeView(
        title=plain(edition.title),
        subtitle=plain(edition.subtitle) if edition.subtitle else None,
        title_runs=runs(unbroken_ranges(title)),
        subtitle_runs=runs(unbroken_ranges(subtitle)),
        editors=tuple(plain(e) for e in edition.editors),
        editors_printed=tuple(unbroken_ranges(plain(e)) for e in edition.editors),
        publisher=plain(edition.publisher) if edition.publisher else None,
        year=edition.year,
        lang=lang,
        keywords=keywords,
        page=page,
        documents=documents,
        running_title=running_head(plain(title), page.head_chars),
        bleed=edition.bleed,
        # "crop" asks for the marks a printer expects: crop marks and
        # registration crosses.
        marks={"crop": "crop cross"}.get(edition.marks or "", edition.marks) or None,
        line_numbers=edition.line_numbers != "none",
        index=_index_sections(edition, register, index_refs, views) if edition.index != "none" else (),
        abbreviations=tuple((a.abbr, a.expansion) for a in (register.abbreviations if register else ())),
        sources=list_of_sources(edition, register, lang),
        glossary=glossary(edition) if edition.glossary else (),
    )
    return view, warnings


@dataclass(frozen=True)
class GlossaryEntry:
    """A term of the term base as the glossary prints it: the term, its
    preferred renderings by language, those to avoid, the editors' note."""

    term: str
    lang: str
    renderings: tuple[tuple[str, str], ...]  # (language name, "regional committee; obkom committee")
    avoid: str
    note: str | None


def glossary(edition: Edition) -> tuple[GlossaryEntry, ...]:
    """The edition's term base (terms.yaml) in the order of the Unicode
    Collation Algorithm, for the back matter."""
    terms = getattr(edition.terms, "terms", None) or []
    out = []
    for term in sorted(terms, key=lambda t: collation_key(t.term)):
        renderings = tuple((language_name(lang) or lang, "; ".join(words)) for lang, words in term.preferred.items() if words)
        avoid = "; ".join(w for words in term.avoid.values() for w in words)
        out.append(GlossaryEntry(term.term, term.lang, renderings, avoid, term.note))
    return tuple(out)


def list_of_sources(edition: Edition, register: Register | None, lang: str | None = None) -> tuple[SourceGroup, ...]:
    """The edition's sources from its documents' data: the archival
    signatures, archive by archive (named from the list of abbreviations
    where it has them), then the publications and archive citations; each
    with the numbers of its documents, in the volume's order; printed with
    the typography of `lang`, the volume's language."""
    expansions = {a.abbr: a.expansion for a in (register.abbreviations if register else ())}
    archives: dict[str, dict[str, list[str]]] = {}
    published: dict[str, list[str]] = {}
    for number, doc in enumerate(edition.documents, start=1):
        label = document_number(edition, doc, number)
        for ref in doc.archival_refs:
            archives.setdefault(ref.archive or "", {}).setdefault(ref.text, []).append(label)
        for text in (doc.publication, doc.citation):
            if text:
                published.setdefault(text, []).append(label)
    groups = []
    for archive in sorted(archives, key=lambda a: (a == "", collation_key(a))):
        name = _set(edition, expansions.get(archive, ""), lang).text
        title = f"{archive} — {name}" if archive in expansions else archive or "Other archives"
        entries = tuple((runs(_set(edition, t, lang).text), tuple(n)) for t, n in archives[archive].items())
        groups.append(SourceGroup(Runs(runs(title)), entries))
    if published:
        entries = tuple((runs(_set(edition, t, lang).text), tuple(n)) for t, n in published.items())
        groups.append(SourceGroup(Runs(runs("Publications")), entries))
    return tuple(groups)


def _index_sections(
    edition: Edition, register: Register | None, refs: Mapping[str, Sequence[str]] | None, views: Any = None
) -> tuple[IndexSection, ...]:
    """Persons, then places, each alphabetical, with their references.
    Before the layout has told the pages (`refs` None), every name of the
    register is listed without them (nothing is searched: that layout only
    says where the text falls, and the index comes after it). `views`
    (render/viewcache.py) keeps the alphabetical order between builds."""
    if register is None or not register.names:
        return ()
    if refs is None:
        refs = {name.id: () for name in register.names}
    names = list(register.names)
    order = views.index_order(names, edition.index_cyrillic, _index_order) if views is not None else None
    alphabetical = [names[k] for k in order] if order is not None else _index_order(names, edition.index_cyrillic)
    sections = []
    for kind, title in ((PERSON, "Index of persons"), (PLACE, "Index of places")):
        entries = tuple(IndexEntry(name.name, tuple(refs[name.id])) for name in alphabetical if name.kind == kind and name.id in refs)
        if entries:
            sections.append(IndexSection(title, kind, entries))
    return tuple(sections)


def _index_order(names: Sequence[Any], cyrillic: str) -> list:
    """The register's names in the index's order (a stable sort: names
    that sort alike keep the register's order)."""
    return sorted(names, key=lambda n: index_key(n.name, cyrillic))


@dataclass(frozen=True)
class KeyedEntry:
    """An apparatus entry as printed, with the place of its lemma: the
    segment, the offset just after the lemma's first word in the base
    layer's stored text (where an entry printed at the foot of the page is
    called), and the printed line (None before the layout has told it)."""

    segment: str
    call_at: int
    number: int | None
    text: str
    start: int = 0  # where the lemma's first word starts: its line is the entry's
    page: str = ""  # the folio of its line, when line numbers restart on every page


def apparatus_entries(
    doc: Document, base: Layer | None, edition: Edition, lines: LineMap | None, folios: Sequence[str] | None = None
) -> tuple[tuple[str, ...], list[KeyedEntry]]:
    """The witnesses and entries of the apparatus of the document's other
    layers in the base's language against the printed base layer, keyed to
    the printed lines when `lines` (a line map) is given. With line numbers
    restarting on every page and the folio of each PDF page (`folios`), an
    entry also carries the folio of its line: a line number alone would not
    say which page."""
    app = apparatus_of_versions(doc, base, edition.apparatus)
    if app is None or base is None:  # no apparatus without a base
        return (), []
    witnesses = tuple(app.witnesses)
    texts = {s.id: s.text.get(base.id, "") for s in doc.segments}

    def folio(found) -> str:
        if found is None or not folios or edition.line_numbers != "page":
            return ""
        return folios[found.page - 1] if 0 < found.page <= len(folios) else str(found.page)

    out = []
    for entry in app.in_order(list(texts)):
        if isinstance(entry, Lacuna):  # at the stretch's first word
            text = texts.get(entry.first, "")
            start = len(text) - len(text.lstrip())
            call_at = start + len(text[start:].split(maxsplit=1)[0]) if text.strip() else start
            found = line_at(lines, doc.id, base.id, entry.first, start) if lines is not None else None
            out.append(KeyedEntry(entry.first, call_at, found.number if found else None, lacuna_text(entry), start, folio(found)))
            continue
        text = texts.get(entry.segment, "")
        start = entry.start
        while start < entry.end and start < len(text) and text[start].isspace():
            start += 1
        call_at = start
        while call_at < entry.end and call_at < len(text) and not text[call_at].isspace():
            call_at += 1
        found = line_at(lines, doc.id, base.id, entry.segment, start) if lines is not None else None
        out.append(KeyedEntry(entry.segment, call_at, found.number if found else None, entry_text(entry), start, folio(found)))
    return witnesses, out


def line_labels(numbers: Sequence[int | None]) -> list[str | None]:
    """What each entry of a document's apparatus at the foot of the page
    prints before its text, given the numbers of the lines the entries are
    keyed to: the number for the first entry of its line, "" for the others
    (a bullet), None where the line is not known."""
    return [None if n is None else "" if k and numbers[k - 1] == n else str(n) for k, n in enumerate(numbers)]


def foot_labels(foot: Mapping[int, tuple[str, str, Sequence[KeyedEntry]]], lines: LineMap) -> dict[str, str | None]:
    """The labels of the apparatus entries at the foot of the page (keyed
    as `Footnote.entry`), from a line map: what the build prints into the
    boxes the layout kept for them (render/lines.py, stamp_labels)."""
    out: dict[str, str | None] = {}
    for number, (doc_id, base, entries) in foot.items():
        found = [line_at(lines, doc_id, base, e.segment, e.start) for e in entries]
        labels = line_labels([x.number if x else None for x in found])
        out.update((f"{number}:{k}", label) for k, label in enumerate(labels, start=1))
    return out


def _apparatus_view(base: Layer, witnesses: tuple[str, ...], entries: list[KeyedEntry]) -> ApparatusView | None:
    """The apparatus printed after the text: entries grouped by line."""
    if not entries:
        return None
    groups: list[tuple[int | None, str, list[str]]] = []
    for entry in entries:
        if groups and entry.number is not None and groups[-1][:2] == (entry.number, entry.page):
            groups[-1][2].append(entry.text)
        else:
            groups.append((entry.number, entry.page, [entry.text]))
    return ApparatusView(base.id, witnesses, tuple(ApparatusLine(n, tuple(e), page) for n, page, e in groups))


# The line number an entry at the foot of the page prints before the first
# layout has told it: two figures, about as wide as most line numbers.
PROVISIONAL_LINE = "00"


def _check_print_settings(edition: Edition) -> None:
    """Settings that reach the stylesheet are checked here too: an Edition
    made in Python has not been through store.py."""
    problems = settings_problems(edition)
    if problems:
        message, hint = problems[0]
        raise EditionError.at(message, hint=f"{hint} (edition.yaml)")


# --- which layers a document prints -----------------------------------------------


def language_name(code: str | None) -> str | None:
    return LANGUAGE_NAMES.get((code or "").split("-")[0].lower())


def _original(doc: Document) -> Layer | None:
    return next((la for la in doc.layers if la.role is LayerRole.ORIGINAL), None)


def _translation(doc: Document, reading: str | None = None) -> Layer | None:
    main = doc.reading_layer(reading)
    if main is not None and main.role is LayerRole.TRANSLATION:
        return main
    return None


def _resolve_column(doc: Document, name: str, reading: str | None = None) -> Layer | None:
    """A column name (a layer id, a language code, or a role) as a layer of
    this document."""
    if name == "original":
        return _original(doc)
    if name == "translation":
        return _translation(doc, reading)
    layer = doc.layer(name)
    if layer is not None:
        return layer
    same_lang = [la for la in doc.layers if la.lang == name]
    for preferred in (_original(doc), doc.reading_layer(reading)):
        if preferred in same_lang:
            return preferred
    return same_lang[0] if same_lang else None


def _describe(layer: Layer) -> str:
    """A layer in a sentence of the source note: "English translation",
    "Russian original"."""
    role = "original" if layer.role is LayerRole.ORIGINAL else "translation"
    name = language_name(layer.lang)
    return f"{name} {role}" if name else role


def layer_label(doc: Document, layer: Layer, source: bool = False) -> str:
    """What a layer is, as a column head or the source note names it: its
    description, else language and role, who translated it and when
    ("English translation by Constance Garnett (1916)", "English
    translation, revised by …"). With `source`, a translation also says
    what it was made from ("… from the Hungarian …")."""
    if layer.description and (source or head_sized(layer.description)):
        return layer.description[0].upper() + layer.description[1:]
    label = _describe(layer)
    if layer.role is LayerRole.TRANSLATION:
        if source:
            made_from = doc.layer(layer.translated_from or "")
            origin = language_name(made_from.lang if made_from else layer.translated_from or doc.original_language)
            if origin and origin != language_name(layer.lang):
                label += f" from the {origin}"
        if layer.revises:
            label += ", revised"
        if layer.translator:
            label += f" by {layer.translator}"
        if layer.date:
            label += f" ({layer.date})"
    return label


HEAD_CHARS = 60  # a longer description is a sentence: the source note prints it


def head_sized(description: str) -> bool:
    """Whether a layer's description is short enough to head its column."""
    return len(description) <= HEAD_CHARS


def column_labels(doc: Document, layers: Sequence[Layer]) -> list[str]:
    """The heads of the parallel columns: each layer named by what it is;
    two layers that would read alike are told apart by their order
    ("first version", "second version"), never by their ids."""
    labels = [layer_label(doc, la) for la in layers]
    ordinals = ("first", "second", "third", "fourth")
    out = []
    for i, label in enumerate(labels):
        if labels.count(label) > 1:
            k = labels[:i].count(label)
            label = f"{label}, {ordinals[k] if k < len(ordinals) else str(k + 1) + 'th'} version"
        out.append(label[0].upper() + label[1:] if label else label)
    return out


def _original_language(doc: Document) -> str | None:
    """The language the document was written in, as far as its data say."""
    if doc.original_language:
        return doc.original_language
    for layer in doc.layers:
        made_from = doc.layer(layer.translated_from or "")
        if made_from is None and layer.translated_from:
            return layer.translated_from
    return None


def _describe_missing(doc: Document, name: str) -> str:
    if name == "original":
        lang = language_name(_original_language(doc))
        return f"{lang} original" if lang else "original"
    if name == "translation":
        return "translation"
    lang = language_name(name)
    return f"{lang} text" if lang else f"layer {name!r}"


def printed_layers(doc: Document, layout: str, names: Sequence[str], reading: str | None = None) -> tuple[list[Layer], str | None]:
    """The layers a document prints, left to right, and a sentence for its
    source note when the layout asked for a text the document lacks (that
    text is then left out: no empty column). `reading` is the edition's
    choice of reading text (see Document.reading_layer)."""
    main = doc.reading_layer(reading)
    if main is None:
        return [], None
    if layout == "original":
        original = _original(doc)
        if original is not None:
            return [original], None
        return [main], f"The {_describe_missing(doc, 'original')} is not part of this edition; the {_describe(main)} is printed."
    if layout not in ("parallel", "facing"):
        return [main], None
    # Facing pages: the original on the left page, the translation on the right.
    names = ["original", "translation"] if layout == "facing" else list(names) or ["original", "translation"]
    chosen: list[Layer] = []
    missing: list[str] = []
    for name in names:
        layer = _resolve_column(doc, name, reading)
        if layer is None:
            missing.append(name)
        elif layer not in chosen:
            chosen.append(layer)
    if not chosen:
        chosen = [main]
    if not missing:
        return chosen, None
    original = _original(doc)
    if original is not None and not any(la.role is LayerRole.TRANSLATION for la in doc.layers):
        # Written in the language it is read in (a letter in English): no
        # translation of it exists, so none is "not part of this edition".
        if len(chosen) == 1:
            written = language_name(original.lang)
            return chosen, f"Written in {written}: the original is printed alone." if written else "The original is printed alone."
        return chosen, None
    if original is None and missing[0] == names[0]:
        # The first column holds the originals: what a document without its
        # original lacks there is its own original (Hungarian minutes in a
        # volume of Russian originals), not a "Russian text".
        if _original_language(doc) and language_name(names[0]):
            missing = list(dict.fromkeys(["original", *missing[1:]]))
    # A revision asked for by its id ("en.2") that this document's
    # translation never had: nothing of it is missing.
    languages = {la.lang for la in doc.layers}
    missing = [
        name for name in missing if name in ("original", "translation") or language_name(name) or name.split(".")[0] not in languages
    ]
    if not missing:
        return chosen, None
    texts = " and the ".join(_describe_missing(doc, name) for name in missing)
    verb = "are" if len(missing) > 1 else "is"
    if len(chosen) == 1:
        return chosen, f"The {texts} {verb} not part of this edition; the {_describe(chosen[0])} is printed alone."
    return chosen, f"The {texts} {verb} not part of this edition."


SERIES = ("b", "c", "d")  # the footnote series of the columns other than the main one


def _columns(doc: Document, layers: list[Layer], reading: str | None = None) -> tuple[Column, ...]:
    main = doc.reading_layer(reading)
    primary = next(
        (la for la in layers if la is main),
        next((la for la in layers if la.role is LayerRole.TRANSLATION), layers[0]),
    )
    series = iter(SERIES)
    labels = column_labels(doc, layers)
    columns = []
    for i, layer in enumerate(layers):
        columns.append(
            Column(
                layer=layer.id,
                lang=layer.lang,
                label=labels[i],
                series="" if layer is primary else next(series),
                numbers="right" if i == len(layers) - 1 else "left",
            )
        )
    return tuple(columns)


@dataclass(frozen=True)
class PrintedText:
    """Single column: the layer each segment is printed from, the segments
    left out (no layer of the reading text's chain has them) and those
    printed from the original instead (`reading_gaps: original`)."""

    layers: Mapping[str, Layer]
    untranslated: tuple[str, ...] = ()
    supplied: tuple[str, ...] = ()


def _printed_from(doc: Document, main: Layer | None, gaps: str, warnings: list[str]) -> PrintedText:
    """Which layer each segment is printed from: the reading layer, else the
    next layer of its revision chain that has the segment (en.2, then en).
    A segment none of them has is left out, or with `gaps: original`
    printed from the original (a warning, and the text is marked as not
    translated); never from another translation."""
    where = f"document {doc.id!r}"
    printed: dict[str, Layer] = {}
    untranslated: list[str] = []
    supplied: list[str] = []
    chain = doc.revision_chain(main) if main else []
    original = _original(doc)
    for seg in doc.segments:
        layer = next((la for la in chain if la.id in seg.text), None)
        if layer is None and main is None and seg.text:
            # Text in a layer the document does not declare: print it anyway.
            layer = Layer(id=next(iter(seg.text)), lang="und")
        if layer is None and seg.text and main is not None:  # (without a main layer, text prints as it is: above)
            if gaps == "original" and original is not None and original.id in seg.text:
                layer = original
                supplied.append(seg.id)
                warnings.append(f"{where}: segment {seg.id!r} has no text in layer {main.id!r}; printed from layer {layer.id!r}")
            else:
                untranslated.append(seg.id)
        if layer is not None:
            printed[seg.id] = layer
    return PrintedText(printed, tuple(untranslated), tuple(supplied))


def _partial_remark(doc: Document, main: Layer, text: PrintedText) -> str | None:
    """The source note's sentences on a reading text that covers part of the
    document: which paragraphs it gives, and which are printed from the
    original instead (None when it covers all)."""
    if not text.untranslated and not text.supplied:
        return None
    position = {s.id: i for i, s in enumerate(doc.segments, start=1)}
    supplied = [position[sid] for sid in text.supplied]
    gaps = {position[sid] for sid in text.untranslated} | set(supplied)
    covered = [n for n in range(1, len(doc.segments) + 1) if n not in gaps]
    what = _describe(main)
    sentences = [
        f"The {what} covers part of the text: ¶{paragraph_ranges(covered)} of {len(doc.segments)}."
        if covered
        else f"The {what} has none of the text."
    ]
    if supplied:
        original = _describe(text.layers[text.supplied[0]])
        sentences.append(
            f"¶{paragraph_ranges(sorted(supplied))} {'is' if len(supplied) == 1 else 'are'} printed from the {original}, marked in the margin."
        )
    return " ".join(sentences)


def paragraph_ranges(numbers: Sequence[int]) -> str:
    """1, 2, 3, 5, 7, 8 → "1–3, 5, 7–8"."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and runs[-1][1] == n - 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)


# Footnote calls by (layer, segment): where each is called in the stored text.
# The head (title, dateline) is printed once whatever the layer, under the
# layer "".
Calls = dict[tuple[str, str], list[tuple[int, Footnote]]]


@dataclass(frozen=True)
class _Printing:
    """What a document prints: its layers left to right (one, the reading
    text, or the columns of the parallel layout), in a single column the
    layer each segment is printed from, and a sentence for the source note
    on what the layout asked for and the document lacks."""

    layers: list[Layer]
    main: Layer | None
    columns: tuple[Column, ...]  # the parallel layout's, else none
    text: PrintedText  # the single column's, else empty
    remark: str | None

    @property
    def parallel(self) -> bool:
        return len(self.layers) > 1

    @property
    def series(self) -> dict[str, str]:
        """Each column's footnote series ("" for the main column)."""
        return {c.layer: c.series for c in self.columns}

    def prints(self, layer_id: str, segment_id: str) -> bool:
        """Whether the text of this layer in this segment is on the page."""
        if self.parallel:
            return layer_id in self.series
        layer = self.text.layers.get(segment_id)
        return layer is not None and layer.id == layer_id


def _printing(doc: Document, edition: Edition, warnings: list[str]) -> _Printing:
    layers, remark = printed_layers(doc, edition.layout, edition.columns, edition.reading)
    if edition.reading and not doc.reading and doc.named_layer(edition.reading) is None:
        warnings.append(f"document {doc.id!r}: no layer or language {edition.reading!r} for the reading text; printed from its main layer")
    main = layers[0] if layers else None
    if len(layers) > 1:
        return _Printing(layers, main, _columns(doc, layers, edition.reading), PrintedText({}), remark)
    text = _printed_from(doc, main, edition.reading_gaps, warnings)
    if main is not None:
        remark = " ".join(filter(None, [remark, _partial_remark(doc, main, text)]))
    return _Printing(layers, main, (), text, remark)


def _notes(
    doc: Document, number: int, edition: Edition, printing: _Printing, editorial: str | None, calls: Calls, warnings: list[str]
) -> tuple[tuple[EndNote, ...], tuple[EndNote, ...]]:
    """The document's notes: footnotes called where they are anchored (added
    to `calls`), and the notes printed after the text and the archival
    notes. A note whose phrase is not found, or that is anchored in a layer
    this volume does not print, is printed after the text, never dropped."""
    where = f"document {doc.id!r}"
    series = printing.series
    endnotes: list[EndNote] = []
    archival: list[EndNote] = []
    note_ids = {note.id for note in doc.notes}
    for note in doc.notes:
        # A translator's note is in the language of the text it is on; the
        # editor's notes in the reading text's.
        anchored = doc.layer(note.anchor.layer) if note.anchor and note.kind is NoteKind.TRANSLATOR else None
        body = runs(_set(edition, note.text, anchored.lang if anchored else editorial).text)
        anchor = note.anchor
        if note.kind not in FOOTNOTE_KINDS or anchor is None:
            target = archival if note.kind is NoteKind.ARCHIVAL else endnotes
            target.append(_endnote(note, number, body, lemma=anchor.phrase if anchor else None))
            continue
        offset = resolve_anchor(doc, anchor)
        if offset is None:
            warnings.append(
                f"{where}: note {note.id!r}: phrase {anchor.phrase!r} not found in "
                f"{anchor.segment!r} of layer {anchor.layer!r}; printed after the text"
            )
            endnotes.append(_endnote(note, number, body, anchor.phrase, f"{anchor.layer}, {anchor.segment}"))
        elif anchor.segment in HEAD_PLACES:
            calls.setdefault(("", anchor.segment), []).append(
                (offset, Footnote(note.id, note.kind.value, body, anchor=note_anchor(number, note.id)))
            )
        elif printing.prints(anchor.layer, anchor.segment):
            calls.setdefault((anchor.layer, anchor.segment), []).append(
                (offset, Footnote(note.id, note.kind.value, body, series.get(anchor.layer, ""), note_anchor(number, note.id)))
            )
        elif not any(f"{note.id}.{layer.id}" in note_ids for layer in printing.layers):
            # Anchored in a layer this volume does not print: after the text
            # (unless it was carried to a printed revision, which prints it).
            endnotes.append(_endnote(note, number, body, anchor.phrase, f"{anchor.layer}, {anchor.segment}"))
    return tuple(endnotes), tuple(archival)


def _apparatus(
    doc: Document,
    number: int,
    edition: Edition,
    printing: _Printing,
    calls: Calls,
    apparatus_lines: LineMap | None,
    folios: Sequence[str] | None,
) -> tuple[Layer | None, ApparatusView | None, tuple[KeyedEntry, ...]]:
    """The apparatus against the base layer (the main column's): its base,
    and its entries either printed after the text or, with `apparatus_at:
    foot`, at the foot of the page, each called from its lemma (added to
    `calls`)."""
    parallel, series = printing.parallel, printing.series
    base = next((la for la in printing.layers if not parallel or not series.get(la.id)), printing.main)
    witnesses, keyed = apparatus_entries(doc, base, edition, apparatus_lines, folios)
    if base is None:
        return None, None, ()
    if not keyed or edition.apparatus_at != "foot":
        return base, _apparatus_view(base, witnesses, keyed), ()
    labels = line_labels([entry.number for entry in keyed])
    for k, (entry, label) in enumerate(zip(keyed, labels), start=1):
        calls.setdefault((base.id, entry.segment), []).append((entry.call_at, Footnote(
            f"app-{k}", "apparatus", (Run(entry.text),), label=PROVISIONAL_LINE if label is None else label,
            entry=f"{number}:{k}",
        )))  # fmt: skip
    return base, None, tuple(keyed)


def _block(edition: Edition, calls: Calls, drafts: Mapping[str, Collection[str]], seg: Segment, layer: Layer, fallback: bool) -> Block:
    """A segment's text in one layer as printed, with its footnote calls;
    `fallback`: printed from another layer than the reading text's."""
    text = seg.text[layer.id]
    printed = _set(edition, text, layer.lang)
    made = pieces(printed.text, [(printed.at(at), n) for at, n in calls.get((layer.id, seg.id), [])], layer.lang)
    return Block(
        kind=seg.kind.value,
        id=seg.id,
        layer=layer.id,
        lang=layer.lang,
        pieces=made,
        fallback=fallback,
        source=text,
        unreviewed=seg.id in drafts.get(layer.id, ()),
        typeset=printed if printed.text != text else None,
    )


def _text(
    doc: Document, edition: Edition, printing: _Printing, calls: Calls, drafts: Mapping[str, Collection[str]]
) -> tuple[tuple[Block | ListBlock, ...], tuple[Row, ...]]:
    """The document's segments as printed: the blocks of a single column,
    or the rows of the parallel layout."""
    block = partial(_block, edition, calls, drafts)
    if printing.parallel:
        return (), _rows(doc, printing, block)
    return _column(doc, printing, block), ()


def _rows(doc: Document, printing: _Printing, block: Callable[[Segment, Layer, bool], Block]) -> tuple[Row, ...]:
    """The parallel layout: a row per segment, a cell per column (None where
    the segment has no text in that column's layer)."""
    rows = []
    for seg in doc.segments:
        cells = tuple(block(seg, la, False) if la.id in seg.text else None for la in printing.layers)
        if any(cells):
            rows.append(Row(seg.kind.value, seg.id, cells))
    return tuple(rows)


def _column(doc: Document, printing: _Printing, block: Callable[[Segment, Layer, bool], Block]) -> tuple[Block | ListBlock, ...]:
    """A single column: each segment from the layer it is printed from,
    consecutive list items gathered into one list."""
    blocks: list[Block | ListBlock] = []
    for seg in doc.segments:
        layer = printing.text.layers.get(seg.id)
        if layer is None:
            continue  # a segment with no text in any layer: nothing to print
        item = block(seg, layer, printing.main is None or seg.id in printing.text.supplied)
        if seg.kind is SegmentKind.LIST_ITEM:
            if blocks and isinstance(blocks[-1], ListBlock):
                blocks[-1] = ListBlock(blocks[-1].items + (item,))
            else:
                blocks.append(ListBlock((item,)))
        else:
            blocks.append(item)
    return tuple(blocks)


def _source_note(doc: Document, edition: Edition, printing: _Printing, editorial: str | None) -> tuple[tuple[Run, ...], ...]:
    """The lines of the source note: the archival references, the
    classification, citation, publication, credit, rights and source URL,
    what the reader has before them when it is not the original, and what
    the layout asked for that the document lacks."""

    def shown(text: str) -> str:
        return _set(edition, text, editorial).text

    main = printing.main
    source: list[tuple[Run, ...]] = [runs(shown(ref.text)) for ref in doc.archival_refs]
    if doc.classification:  # as FRUS prints it: "Top Secret; Not to be copied."
        source.append((Run("; ".join(m.rstrip(".") for m in doc.classification) + "."),))
    for extra in (doc.citation, doc.publication, doc.credit, doc.rights, doc.source_url):
        if extra:
            source.append(runs(shown(extra)))
    for layer in printing.layers if printing.parallel else ():
        if layer.description and not head_sized(layer.description):
            # Too long for its column's head: the head names the layer, the
            # source note says what it is.
            source.append((Run(shown(f"{layer_label(doc, layer)}: {layer.description}")),))
    if main is not None and _says_translation(doc, main, printing):
        source.append((Run(shown(layer_label(doc, main, source=True).rstrip(".") + ".")),))
    if printing.remark:
        source.append((Run(printing.remark),))
    return tuple(source)


def _says_translation(doc: Document, main: Layer, printing: _Printing) -> bool:
    """Whether the source note says what the reader has before them: a
    translation, and no original beside it (unless the source's own credit
    line already says who translated it)."""
    return (
        main.role is LayerRole.TRANSLATION
        and not any(la.role is LayerRole.ORIGINAL for la in printing.layers)
        and not (main.translator and main.translator in (doc.credit or ""))
    )


def _head(edition: Edition, calls: Calls, editorial: str | None, text: str, place: str) -> tuple[Piece, ...]:
    """The title or dateline as printed, with the footnote calls of the
    notes anchored in it."""
    printed = _set(edition, text, editorial)
    return pieces(printed.text, [(printed.at(at), n) for at, n in calls.get(("", place), [])])


def _document_view(
    doc: Document,
    number: int,
    page: PageFormat,
    edition: Edition,
    warnings: list[str],
    apparatus_lines: LineMap | None = None,
    mark_drafts: bool = False,
    folios: Sequence[str] | None = None,
) -> DocumentView:
    """One document as the templates print it: the head (title, dateline,
    place, headnote), the text with its footnote calls, the notes, the
    apparatus and the source note. What cannot be placed where it belongs
    is printed elsewhere, with a warning."""
    printing = _printing(doc, edition, warnings)
    reading_layer = doc.reading_layer(edition.reading)
    editorial = reading_layer.lang if reading_layer else None  # the language the editor writes in
    calls: Calls = {}
    endnotes, archival = _notes(doc, number, edition, printing, editorial, calls, warnings)
    base, apparatus, foot = _apparatus(doc, number, edition, printing, calls, apparatus_lines, folios)
    # Unreviewed text, marked in a draft build of an edition under review.
    drafts = {la.id: review.drafts(doc, la) for la in doc.layers if review.needs_review(la)} if mark_drafts else {}
    blocks, rows = _text(doc, edition, printing, calls, drafts)
    head = partial(_head, edition, calls, editorial)

    def shown(text: str) -> str:
        return _set(edition, text, editorial).text

    date = doc.date
    return DocumentView(
        number=number,
        anchor=f"doc-{number}",
        id=doc.id,
        title=head(doc.title, "title"),
        title_plain=plain(shown(doc.title)),
        running_title=running_head(plain(shown(doc.title)), page.head_chars),
        date=head(date.text, "date") if date and date.text else None,
        date_supplied=bool(date and date.supplied),
        place=runs(shown(doc.place)) if doc.place else None,
        summary=tuple(runs(shown(p)) for p in headnote_paragraphs(doc.summary)),
        source=_source_note(doc, edition, printing, editorial),
        lang=_view_lang(printing.columns, printing.main),
        layer=printing.main.id if printing.main else None,
        blocks=blocks,
        notes=endnotes,
        archival=archival,
        unplaced=tuple(runs(shown(u)) for u in doc.unplaced),
        columns=printing.columns,
        rows=rows,
        apparatus=apparatus,
        foot=foot,
        foot_layer=base.id if base else "",
        label=document_number(edition, doc, number, warnings),
    )


def document_number(edition: Edition, doc: Document, number: int, warnings: list[str] | None = None) -> str:
    """The one number a document prints, in the contents, its head and the
    list of sources: its place in the volume, or with `numbering: source`
    the number its source gave it (FRUS "146"), where it has one."""
    if edition.numbering == "source":
        if doc.number and doc.number.strip():
            return doc.number.strip()
        if warnings is not None:
            warnings.append(
                f"document {doc.id!r} has no number of its own (numbering: source); printed as No. {number}, its place in the volume"
            )
    return str(number)


def _set(edition: Edition, text: str, lang: str | None) -> Typeset:
    """A stored text as printed: with its language's typography (quotes,
    dashes, ellipsis, spaces), unless the edition prints text as typed."""
    return typeset(text, lang if edition.typography else None)


def _view_lang(columns: tuple[Column, ...], main: Layer | None) -> str:
    """The language of the document's text: its main column's."""
    for column in columns:
        if not column.series:
            return column.lang
    return main.lang if main else "und"


def note_anchor(number: int, note_id: str) -> str:
    """The element id of a printed note: document number and note id."""
    return f"note-{number}-{note_id}"


def _endnote(note: Note, number: int, body: tuple[Run, ...], lemma: str | None, where: str | None = None) -> EndNote:
    return EndNote(note.id, note.kind.value, note.label, lemma or None, where, body, note_anchor(number, note.id))


# --- templates ------------------------------------------------------------------


def templates_dirs(root: Path) -> list[Path]:
    """Template folders in lookup order: the edition's own `templates/`
    (when it has one), then the default look shipped with the package;
    absolute, since the PDF's base URL is made from them. The edition's
    folder, and every file and folder in it, must resolve inside the
    edition: a link out of it is an error naming the link."""
    from ..paths import check_inside, safe_tree

    dirs = []
    real_root = Path(root).resolve()
    own = real_root / "templates"
    if own.is_dir() or own.is_symlink():
        check_inside(real_root, own)
    default = _default_templates()
    if own.is_dir():
        safe_tree(own, (real_root, default.resolve()) if default else (real_root,))
        dirs.append(own)
    if default is not None and default not in dirs:
        dirs.append(default)
    return dirs


def _default_templates() -> Path | None:
    import edition

    package_file = getattr(edition, "__file__", None)
    if package_file:  # an installed wheel carries edition/templates
        shipped = Path(package_file).parent / "templates"
        if shipped.is_dir():
            return shipped
    repository = Path(__file__).resolve().parents[2] / "templates"  # editable install
    return repository if repository.is_dir() else None


def _environment(templates: list[Path]):
    """The sandboxed environment of the volume's and the site's templates."""
    from .templating import environment

    return environment(templates, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


@dataclass(frozen=True)
class RenderedVolume:
    html: str
    warnings: list[str]
    base_dir: Path  # the folder the stylesheet came from: its relative URLs start there
    footnotes: int  # how many footnotes the text calls: the PDF must place them all
    blocks: dict[BlockKey, BlockText]  # every printed block of text, in order
    view: VolumeView  # what the templates were given
    # Each document's key in the cache of views (render/viewcache.py), None
    # where it has none; empty when no cache was given.
    keys: tuple[str | None, ...] = ()

    @property
    def line_numbers(self) -> bool:
        """Whether the volume prints line numbers."""
        return self.view.line_numbers

    @cached_property
    def foot(self) -> dict[int, tuple[str, str, tuple[KeyedEntry, ...]]]:
        """The apparatus at the foot of the page: document number →
        (document id, layer, entries), for `foot_labels`."""
        return {d.number: (d.id, d.foot_layer, d.foot) for d in self.view.documents if d.foot}

    @property
    def keyed_text(self) -> bool:
        """Whether the text itself prints line numbers (an apparatus after
        the document): its HTML then changes once the lines are known."""
        return any(d.apparatus for d in self.view.documents)

    @property
    def back_references(self) -> bool:
        """Whether a second render is wanted for the apparatus's line
        numbers or the index's pages (the margin's line numbers need none)."""
        return bool(self.view.index) or self.keyed_text or bool(self.foot)


def load_templates(templates: list[Path], stylesheet: str, names: Sequence[str]):
    """The stylesheet's text and file, and the named templates, from the
    template folders (the edition's own first); a missing or broken one is
    an error that names it."""
    import jinja2

    if not templates:
        raise EditionError.at("no template folder found", hint="reinstall edition or add templates/")
    env = _environment(templates)
    try:
        css, css_file, _ = env.loader.get_source(env, stylesheet)
        return css, css_file, [env.get_template(name) for name in names]
    except jinja2.TemplateNotFound as exc:
        raise EditionError.at(
            f"template {exc.name!r} not found in " + ", ".join(str(t) for t in templates),
            hint="an edition's templates/ may override the defaults, not remove them",
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        from .templating import template_error

        raise template_error(exc) from None


def render_volume(
    edition: Edition,
    templates: list[Path],
    *,
    register: Register | None = None,
    apparatus_lines: LineMap | None = None,
    index_refs: Mapping[str, Sequence[str]] | None = None,
    folios: Sequence[str] | None = None,
    whole: bool = True,
    views: Any = None,
    loaded: Any = None,
) -> RenderedVolume:
    """The HTML volume, the warnings gathered while placing notes, and the
    folder relative URLs of the stylesheet resolve against. Without
    `whole`, the volume's HTML is left out ("": a volume laid out in parts
    renders its parts). `views` keeps each document's view between builds
    (render/viewcache.py); `loaded`, the volume's templates as
    `volume_templates` loaded them, spares compiling them again."""
    from markupsafe import Markup

    css, css_file, (template,) = loaded or volume_templates(templates)
    # The stylesheet comes from our template folders, never from documents:
    # it is inlined raw (a <style> element is not HTML-escaped), once we know
    # it cannot close its element.
    if "</style" in css.lower():
        raise EditionError.at("a stylesheet must not contain '</style'", css_file)
    keys: list[str | None] = []
    view, warnings = volume_view(
        edition, register=register, apparatus_lines=apparatus_lines, index_refs=index_refs, folios=folios, views=views, keys=keys
    )
    # On paper, columns too narrow to justify are set ragged right.
    columns = measure(view.page, (len(doc.columns) for doc in view.documents))
    view = replace(view, ragged=columns.ragged)
    warnings = [*warnings, *columns.warnings]
    html = _rendered(template, view, Markup(css)) if whole else ""
    footnotes = sum(len(piece.notes) for doc in view.documents for text in _texts(doc) for piece in text if isinstance(piece, Bound))
    blocks: dict[BlockKey, BlockText] = {}
    for doc in view.documents:
        column_of = {c.layer: i for i, c in enumerate(doc.columns)}
        for block in doc.text_blocks():
            # The line-number pass reads each printed character back to the
            # stored one it came from.
            source = block.typeset.aligned(block.source) if block.typeset else block.source
            blocks[(doc.number, block.layer, block.id)] = BlockText(doc.id, column_of.get(block.layer, 0), piece_text(block.pieces), source)
    return RenderedVolume(html, warnings, Path(css_file).parent, footnotes, blocks, view, tuple(keys))


def _rendered(template, view: VolumeView, stylesheet) -> str:
    from .templating import render

    return render(template, volume=view, stylesheet=stylesheet)


def with_index(
    view: VolumeView,
    edition: Edition,
    *,
    register: Register | None = None,
    index_refs: Mapping[str, Sequence[str]] | None = None,
    views: Any = None,
) -> VolumeView:
    """The view with the index's references (from a layout): what the
    front and back matter of a volume laid out in parts print
    (render/assemble.py)."""
    import dataclasses

    if register is None:
        register = edition.register
    index = _index_sections(edition, register, index_refs, views) if edition.index != "none" else ()
    return dataclasses.replace(view, index=index)


# A part of the volume: the volume's page with only one of its blocks
# (front matter, documents, back matter) printed. Our own template text,
# compiled in the volume's environment; document text never reaches it.
_PART = (
    "{% extends volume_template %}"
    "{% block front %}{% if part == 'front' %}{{ super() }}{{ after }}{% endif %}{% endblock %}"
    "{% block document %}{% if part == 'documents' %}{{ super() }}{% endif %}{% endblock %}"
    "{% block back %}{% if part == 'back' %}{{ super() }}{% endif %}{% endblock %}"
)
PART_BLOCKS = ("front", "document", "back")


@dataclass(frozen=True)
class VolumeParts:
    """The volume's template cut at its blocks, for a volume laid out in
    parts (render/assemble.py): each part rendered alone from the view."""

    template: Any  # _PART, extending the volume's template (jinja2.Template)
    volume_template: Any
    css: str

    def render(self, view: VolumeView, part: str, *, documents: Sequence[int] = (), css: str = "", after: str = "") -> str:
        """The page of one part: "front" (with `after`, our own markup, at
        its end), "documents" (the documents at those indexes of the view)
        or "back"; `css` (our own rules) after the stylesheet."""
        import dataclasses

        from markupsafe import Markup

        from .templating import render

        if part == "documents":
            view = dataclasses.replace(view, documents=tuple(view.documents[i] for i in documents))
        stylesheet = Markup(self.css + (f"\n{css}\n" if css else ""))
        return render(
            self.template,
            volume_template=self.volume_template,
            part=part,
            volume=view,
            stylesheet=stylesheet,
            after=Markup(after),
        )


def volume_templates(templates: list[Path]):
    """The volume's stylesheet (its text and file) and template, compiled."""
    return load_templates(templates, STYLESHEET, [TEMPLATE])


def volume_parts(templates: list[Path], loaded: Any = None) -> VolumeParts:
    """The volume's parts: its template's blocks front, document and back;
    a template that lacks them (an edition's own copy of an older release's
    page) is given them where that page has its parts (`marked_parts`).
    `loaded`: as for render_volume."""
    css, _, (template,) = loaded or volume_templates(templates)
    if not set(PART_BLOCKS) <= set(template.blocks):
        template = marked_parts(template)
    return VolumeParts(template.environment.from_string(_PART), template, css)


# Statements that open a block of the template, closed by "end" + the name.
_OPENING = frozenset({"for", "if", "block", "macro", "call", "filter", "with", "autoescape", "trans", "raw"})


def marked_parts(template: Any) -> Any:
    """A volume template without the part blocks, given them where the page
    of release 0.1.0 (and a copy an edition changed) has its parts: the
    front matter from `<body>` to the last loop over `volume.documents` at
    the top of the page, each turn of that loop a document, the back matter
    from the loop's end to `</body>`. The lines stay where they were, so
    that an error still names the editor's line. Raises EditionError when
    the page has no such shape."""
    env = template.environment
    name = template.name or "volume.html.j2"
    source, filename, _ = env.loader.get_source(env, name)
    at = start = 0
    opened: list[tuple[int, int, bool]] = []  # each open statement: its start, end, and whether it loops over the documents
    words: list[str] | None = None  # the words of the statement being read
    body = back = None
    loop = None  # the last loop over the documents at the top: (for's start, for's end, endfor's start, endfor's end)
    for _, kind, value in env.lex(source):
        if kind == "block_begin":
            start, words = at, []
        elif kind in ("name", "operator") and words is not None:
            words.append(value)
        elif kind == "block_end" and words is not None:
            end = at + len(value)
            head = words[0] if words else ""
            if head in _OPENING or (head == "set" and "=" not in words):
                documents = head == "for" and words[2:6] == ["in", "volume", ".", "documents"] and not opened
                opened.append((start, end, documents))
            elif head.startswith("end") and opened:
                first, first_end, documents = opened.pop()
                if documents:
                    loop = (first, first_end, start, end)
            words = None
        elif kind == "data" and not opened:
            if body is None and "<body" in value:
                opening = value.index("<body")
                close = value.find(">", opening)
                body = at + close + 1 if close >= 0 else None
            if "</body" in value:
                back = at + value.rindex("</body")
        at += len(value)
    if body is None or loop is None or back is None or not body <= loop[0] < loop[3] <= back:
        raise EditionError.at(
            "the volume's page does not mark its parts (the blocks front, document and back), "
            "nor has the shape that gives them (<body>, a loop over volume.documents, </body>)",
            Path(filename),
            hint="put {% block front %}…{% endblock %} around the title page and contents, "
            "{% block document scoped %}…{% endblock %} inside the loop over volume.documents, and "
            "{% block back %}…{% endblock %} around the back matter, as the default templates/volume.html.j2 does",
        )
    loop_start, loop_end, end_start, end_end = loop
    marked = (
        source[:body] + "{% block front %}" + source[body:loop_start] + "{% endblock %}"
        + source[loop_start:loop_end] + "{% block document scoped %}" + source[loop_end:end_start] + "{% endblock %}"
        + source[end_start:end_end] + "{% block back %}" + source[end_end:back] + "{% endblock %}" + source[back:]
    )  # fmt: skip
    from .templating import compiled

    return compiled(env, marked, name, filename)


def _texts(doc: DocumentView):
    yield doc.title
    if doc.date:
        yield doc.date
    for block in doc.text_blocks():
        yield block.pieces


def render_html(edition: Edition, templates: list[Path], register: Register | None = None) -> str:
    """The whole volume as one HTML string (the stylesheet inlined)."""
    return render_volume(edition, templates, register=register).html
