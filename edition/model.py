"""The edition as documentary editors think of it: documents, their segments,
parallel text layers and anchored notes. Plain dataclasses; no I/O, no YAML,
no printing — every other room reads and writes these."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

# Segment ids that name a part of the document's head rather than a segment:
# a note may be anchored to a phrase of the title or of the dateline, as the
# seeds' "Stalin 1" and "] 2" calls are.
HEAD_PLACES = ("title", "date")


class SegmentKind(str, Enum):
    PARAGRAPH = "paragraph"
    HEADING = "heading"
    QUOTATION = "quotation"
    LIST_ITEM = "list-item"
    SIGNATURE = "signature"
    SALUTATION = "salutation"
    DATELINE = "dateline"


class LayerRole(str, Enum):
    ORIGINAL = "original"
    TRANSLATION = "translation"


class NoteKind(str, Enum):
    FOOTNOTE = "footnote"  # the editor's numbered note
    TRANSLATOR = "translator"  # translator's note
    GLOSS = "gloss"  # original-language wording behind a translated term
    ARCHIVAL = "archival"  # stamps, accompanying notes, "read by …"


class Certainty(str, Enum):
    EXACT = "exact"
    APPROXIMATE = "approximate"  # "circa", "early June"
    NOT_BEFORE = "not-before"
    NOT_AFTER = "not-after"
    RANGE = "range"  # between iso and iso_end
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class DateSpec:
    """A date as the editor wrote it and as a sortable ISO date.

    `text` is kept verbatim ("not later than 18 September 1956"); `iso` is
    YYYY, YYYY-MM or YYYY-MM-DD; `supplied` marks a date the editor supplied
    in square brackets rather than one the document bears.

    A document dated in the Julian calendar (Old Style, as Russian documents
    before February 1918 are: "12 (24) March 1899", "12 March 1917 O.S.")
    has `calendar` "julian" and its day as written in `iso_julian`; `iso`
    and `iso_end` are always Gregorian, so that sorting, TEI `when` and
    everything else that compares dates stays right. An undated document
    has certainty "unknown", no `iso`, and its reason in `text`."""

    text: str
    iso: str | None = None
    certainty: Certainty = Certainty.EXACT
    iso_end: str | None = None
    supplied: bool = False
    calendar: str | None = None  # None or "gregorian"; "julian": Old Style
    iso_julian: str | None = None  # the Julian day as the document gives it

    @property
    def sort_key(self) -> str:
        return self.iso or "9999"


CALENDARS = ("gregorian", "julian")


@dataclass(frozen=True)
class ArchivalRef:
    """One archival signature. `text` is the citation as written; the parts
    (repository, fond/opis/delo/list) are read from it for sorting and TEI."""

    text: str
    archive: str | None = None
    fond: str | None = None
    opis: str | None = None
    delo: str | None = None
    folios: str | None = None
    copy: str | None = None  # "Attested Copy", "original", "draft" …


@dataclass(frozen=True)
class Unaligned:
    """A paragraph of a delivered translation that matched no segment; kept
    where it stood (after segment `after`; None: before the first)."""

    after: str | None
    text: str


# How far a segment of a translation has been checked, in order.
REVIEW_STATES = ("draft", "reviewed", "approved")


@dataclass(frozen=True)
class Review:
    """Who set a segment of a layer to which review state, when, and the
    digest of the text they saw (see `edition.review.text_digest`): when the
    text no longer has that digest, the segment is a draft again."""

    segment: str
    state: str  # one of REVIEW_STATES
    by: str
    at: str  # ISO 8601, UTC, to the second
    digest: str
    comment: str | None = None


@dataclass
class Layer:
    """A version of the document's text: the original or a translation."""

    id: str  # "en", "ru", "en.2"
    lang: str
    role: LayerRole = LayerRole.TRANSLATION
    translator: str | None = None
    translated_from: str | None = None  # a language code or a layer id
    revises: str | None = None  # id of the layer this one revises
    date: str | None = None  # when the translation was made
    description: str | None = None  # what this layer is ("working translation for …")
    added: str | None = None  # when it was added to the edition
    source_file: str | None = None
    source_sha256: str | None = None
    flagged: list[str] = field(default_factory=list)  # segments whose alignment needs review
    unaligned: list[Unaligned] = field(default_factory=list)
    # The runs of segments (first, last) the layer translates, when it
    # covers part of the document (an excerpt, a revision in progress);
    # None: the whole document. A segment outside them is not translated;
    # one inside them with no text is missing.
    coverage: list[tuple[str, str]] | None = None
    # Segments whose pairing an editor fixed by hand (`translation review`):
    # kept when the layer's text is aligned again.
    pinned: list[str] = field(default_factory=list)
    # The review state of each segment a reviewer has set (one record per
    # segment, in the document's order); a segment without one is a draft.
    reviews: list[Review] = field(default_factory=list)


@dataclass
class Segment:
    """A paragraph-level unit with a stable id; `text` maps layer id to the
    layer's wording of this segment (a layer may lack a segment)."""

    id: str
    kind: SegmentKind = SegmentKind.PARAGRAPH
    text: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Anchor:
    """A place in a layer: the end of `phrase` (its `occurrence`-th instance)
    in segment `segment` (or in the head: "title", "date"). An empty phrase
    means the end of the segment. Anchoring to words rather than offsets lets
    the note survive edits and re-alignment elsewhere in the segment."""

    layer: str
    segment: str
    phrase: str = ""
    occurrence: int = 1


@dataclass
class Note:
    id: str
    kind: NoteKind
    text: str
    anchor: Anchor | None = None  # None: a note on the whole document
    label: str | None = None  # the number or mark the source gave it


@dataclass
class Document:
    """One archival document with its metadata, segments, layers and notes.

    Fields named in VERBATIM_FIELDS keep the source's own words; the others
    are normalised values an editor or importer derived from them."""

    id: str
    title: str
    date: DateSpec | None = None
    # The document's number in its series, as printed ("22", "22a", "IV"):
    # FRUS `@n` or the editor's own; kept apart from the title.
    number: str | None = None
    collection: str | None = None  # the series or file heading it came in
    author: str | None = None
    recipient: str | None = None
    place: str | None = None
    doc_type: str | None = None
    # Classification and handling markings as the document bears them, one
    # line each ("Top Secret", "Not to be copied"), as FRUS and the Wilson
    # Center record them.
    classification: list[str] = field(default_factory=list)
    original_language: str | None = None
    archival_refs: list[ArchivalRef] = field(default_factory=list)
    citation: str | None = None
    publication: str | None = None
    source_url: str | None = None
    summary: str | None = None
    credit: str | None = None  # a translation credit line, as written
    rights: str | None = None
    layers: list[Layer] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)  # what an importer could not place
    reading: str | None = None  # the layer (or language) printed as this document's reading text

    def layer(self, layer_id: str) -> Layer | None:
        return next((layer for layer in self.layers if layer.id == layer_id), None)

    def segment(self, segment_id: str) -> Segment | None:
        return next((s for s in self.segments if s.id == segment_id), None)

    @property
    def main_layer(self) -> Layer | None:
        """The layer a reader sees first: the latest revision of the
        document's first translation (translations added later, into other
        languages, stand beside it); else the original."""
        first = next((l for l in self.layers if l.role is LayerRole.TRANSLATION and not l.revises), None)
        if first is None:
            return self.layers[0] if self.layers else None
        return self.newest_revision(first)

    def newest_revision(self, layer: Layer) -> Layer:
        """The last revision of `layer` (itself when none revises it)."""
        current, seen = layer, {layer.id}
        while revision := next((l for l in reversed(self.layers) if l.revises == current.id and l.id not in seen), None):
            current = revision
            seen.add(current.id)
        return current

    def reading_layer(self, choice: str | None = None) -> Layer | None:
        """The reading text: the layer printed in the translation layout and
        the base of the apparatus. The document's own `reading` wins over
        `choice` (the edition's); each is a layer id, or a language code for
        that language's newest revision. Without either, or when neither
        names a layer of this document: `main_layer`."""
        for wanted in (self.reading, choice):
            layer = self.named_layer(wanted) if wanted else None
            if layer is not None:
                return layer
        return self.main_layer

    def named_layer(self, name: str) -> Layer | None:
        """A layer named by its id, or by a language code: that language's
        newest revision; None when the document has neither."""
        layer = self.layer(name)
        if layer is not None:
            return layer
        same = [l for l in self.layers if l.lang == name or l.lang.split("-")[0] == name]
        if not same:
            return None
        first = next((l for l in same if not l.revises or self.layer(l.revises) not in same), same[0])
        return self.newest_revision(first)

    def revision_chain(self, layer: Layer) -> list[Layer]:
        """`layer`, the layer it revises, the one that revises, and so on: where
        a reading text lacks a segment, it is read from the next of these."""
        chain = [layer]
        while chain[-1].revises and (earlier := self.layer(chain[-1].revises)) is not None and earlier not in chain:
            chain.append(earlier)
        return chain

    def covered(self, layer: Layer) -> list[str]:
        """The ids of the segments `layer` sets out to translate, in order."""
        ids = [s.id for s in self.segments]
        if layer.coverage is None:
            return ids
        index = {sid: i for i, sid in enumerate(ids)}
        out: list[str] = []
        for first, last in layer.coverage:
            if first in index and last in index:
                out.extend(ids[index[first] : index[last] + 1])
        return list(dict.fromkeys(out))

    def coverage_of(self, layer_id: str) -> list[tuple[str, str]] | None:
        """The runs of consecutive segments that have text in a layer (None
        when every segment has): what `coverage` records for a layer stored
        by a command."""
        runs: list[list[str]] = []
        previous_had = False
        for segment in self.segments:
            has = layer_id in segment.text
            if has and previous_had:
                runs[-1][1] = segment.id
            elif has:
                runs.append([segment.id, segment.id])
            previous_had = has
        if len(runs) == 1 and runs[0] == [self.segments[0].id, self.segments[-1].id]:
            return None
        return [(first, last) for first, last in runs]

    def place_text(self, layer_id: str, place: str) -> str | None:
        """The text of a segment or head place ("title", "date") in a layer."""
        if place == "title":
            return self.title
        if place == "date":
            return self.date.text if self.date else None
        segment = self.segment(place)
        return segment.text.get(layer_id) if segment else None


PERSON, PLACE = "person", "place"


@dataclass(frozen=True)
class Name:
    """One entry of the register. `forms` are the spellings to find; a form
    ending in `*` matches any ending (`Хрущёв*` finds Хрущёва, Хрущёвым)."""

    id: str
    kind: str  # person | place
    name: str  # as the index prints it: "Khrushchev, Nikita S."
    forms: tuple[str, ...]
    note: str | None = None


@dataclass(frozen=True)
class Abbreviation:
    abbr: str
    expansion: str


@dataclass
class Register:
    names: list[Name] = field(default_factory=list)
    abbreviations: list[Abbreviation] = field(default_factory=list)

    def name(self, name_id: str) -> Name | None:
        return next((n for n in self.names if n.id == name_id), None)


@dataclass
class Edition:
    """A volume: its settings from edition.yaml and its documents in order."""

    title: str
    subtitle: str | None = None
    editors: list[str] = field(default_factory=list)
    publisher: str | None = None
    year: str | None = None
    languages: list[str] = field(default_factory=list)
    page_size: str = "A5"
    layout: str = "translation"  # translation | original | parallel
    # The layers printed side by side in the parallel layout, left to right:
    # layer ids, language codes or the roles "original" and "translation"
    # (empty: the original, then the translation).
    columns: list[str] = field(default_factory=list)
    line_numbers: str = "document"  # document | page | none: where numbering restarts
    # Which readings the printed apparatus of variants lists: all, the
    # substantive ones (whitespace, punctuation and case left out), or none.
    apparatus: str = "substantive"
    # Where the apparatus is printed: at the foot of the page where each
    # lemma stands, or after the document's text.
    apparatus_at: str = "foot"  # foot | end
    # What the index of persons and places refers to: pages, or page and
    # line ("12.5"), or no index at all.
    index: str = "pages"  # pages | lines | none
    # Where index entries in Cyrillic stand: after the Latin ones, or among
    # them under their transliteration (ALA-LC).
    index_cyrillic: str = "after"  # after | transliterated
    # A PDF standard to meet: tagged PDF/UA for readers with assistive
    # technology, PDF/A for archiving; "none" for a plain PDF.
    pdf_variant: str = "none"
    # The reading text: a layer id or a language code (its newest revision);
    # None: the newest revision of each document's main translation.
    reading: str | None = None
    # Where the reading text and the layers it revises lack a segment: leave
    # it out ("omit"), or print the original's text there, marked.
    reading_gaps: str = "omit"
    numbering: str = "volume"  # volume | source: see NUMBERING
    glossary: bool = False  # print the term base (terms.yaml) as a glossary in the back matter
    # Print with each language's typography (curly quotes, en dashes in
    # ranges, a true ellipsis, thin spaces); the stored text stays as typed.
    typography: bool = True
    bleed: str | None = None  # "3mm": printed area beyond the trim on each side
    marks: str | None = None  # crop | cross | crop cross: printer's marks in the bleed
    documents: list[Document] = field(default_factory=list)
    # The names register (names.yaml): the printed index and the list of
    # abbreviations use it.
    register: Register = field(default_factory=Register, compare=False, repr=False)
    # The term base (terms.yaml, an edition.terms.TermBase): the glossary prints it.
    terms: object | None = field(default=None, compare=False, repr=False)

    def document(self, doc_id: str) -> Document | None:
        return next((d for d in self.documents if d.id == doc_id), None)


# An ISO 639 language code with optional subtags: en, ru, de-1996, sr-Latn.
LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*\Z")  # \Z: "$" would accept "en\n"

PAGE_SIZES = ("A4", "A5", "B5", "6x9in")
LAYOUTS = ("translation", "original", "parallel")
LINE_NUMBERING = ("document", "page", "none")
APPARATUS = ("all", "substantive", "none")
APPARATUS_PLACES = ("foot", "end")
INDEX_REFERENCES = ("pages", "lines", "none")
INDEX_CYRILLIC = ("after", "transliterated")
PDF_VARIANTS = ("none", "pdf/ua-1", "pdf/ua-2", "pdf/a-2u", "pdf/a-3u")
READING_GAPS = ("omit", "original")
# Which number a document prints: the volume's running number, or the
# number its source gave it (FRUS "146"), where it has one.
NUMBERING = ("volume", "source")
COLUMN_ROLES = ("original", "translation")
MAX_COLUMNS = 3
PRINTER_MARKS = ("crop", "cross", "crop cross")
LENGTH_RE = re.compile(r"^(0|\d+(\.\d+)?(mm|cm|in|pt|pc|px))$")


def find_phrase(text: str, phrase: str, occurrence: int = 1) -> int | None:
    """End offset of the `occurrence`-th instance of `phrase` in `text`, or
    None when the text has fewer. An empty phrase anchors at the end."""
    if not phrase:
        return len(text)
    start = 0
    for _ in range(occurrence):
        found = text.find(phrase, start)
        if found < 0:
            return None
        start = found + 1
    return found + len(phrase)


def resolve_anchor(document: Document, anchor: Anchor) -> int | None:
    """Offset in the anchored text where a note's call stands, or None when
    the phrase (or its segment or layer) is gone."""
    text = document.place_text(anchor.layer, anchor.segment)
    if text is None:
        return None
    return find_phrase(text, anchor.phrase, anchor.occurrence)


_EMPHASIS = re.compile(r"(?<![\\*])\*(?!\s)([^*]+?)(?<!\s)\*(?!\*)")


def inline_spans(text: str) -> list[tuple[str, bool]]:
    """Split text into (run, emphasised) pairs. Emphasis is written `*…*`, the
    one inline mark the text keeps (titles of works in citations)."""
    spans: list[tuple[str, bool]] = []
    pos = 0
    for match in _EMPHASIS.finditer(text):
        if match.start() > pos:
            spans.append((text[pos : match.start()], False))
        spans.append((match.group(1), True))
        pos = match.end()
    if pos < len(text):
        spans.append((text[pos:], False))
    return spans


def julian_to_gregorian(year: int, month: int, day: int) -> tuple[int, int, int]:
    """The Gregorian (proleptic) day of a Julian-calendar day, through the
    Julian Day Number (Richards' algorithm, valid for all years after 4713
    BC): 12 March 1917 Old Style is 25 March 1917."""
    a = (14 - month) // 12
    y, m = year + 4800 - a, month + 12 * a - 3
    jdn = day + (153 * m + 2) // 5 + 365 * y + y // 4 - 32083
    a = jdn + 32044
    b = (4 * a + 3) // 146097
    c = a - 146097 * b // 4
    d = (4 * c + 3) // 1461
    e = c - 1461 * d // 4
    m = (5 * e + 2) // 153
    return 100 * b + d - 4800 + m // 10, m + 3 - 12 * (m // 10), e - (153 * m + 2) // 5 + 1


def plain(text: str) -> str:
    """The text without its `*…*` emphasis marks: where only characters
    print (a <title>, a bookmark, an apparatus lemma, a TEI idno)."""
    return "".join(run for run, _ in inline_spans(text))
