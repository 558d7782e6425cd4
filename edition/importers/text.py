"""Plain-text archival documents, as the Wilson Center and documentary
volumes publish them: a dateline and title, labelled metadata (Citation,
Source, Summary, Credits, Original Language, Contents, Type), body
paragraphs and lists, classification markings, archival notes and
signatures, numbered endnotes ("1. …", "[1] …") called from the text (also
when a page has flattened the superscript call into it: "JELEN1"), and
possibly several documents in one file under a shared heading and
translation credit. Whether the text is an original or a translation, and
from which language, is read from what the page says, never guessed.

Any plain text imports too: its first block is the title, the rest are
paragraphs. Nothing is dropped: what cannot be placed goes to `unplaced`
and is reported."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..model import Anchor, ArchivalRef, Certainty, Document, Layer, LayerRole, Note, NoteKind, Segment, SegmentKind
from .base import Paragraph
from .ids import document_id, make_unique, title_slug
from ..text import (
    LANGUAGE_NAMES,
    language_code,
    parse_cited_signature,
    parse_date,
    parse_signature,
    stated_gregorian_day,
    tidy_space,
)


class ImportWarning(str):
    """A warning's message, with the line of the source it is about and what
    the user can do (the caller adds the file's name)."""

    line: int | None
    hint: str | None

    def __new__(cls, message: str, line: int | None = None, hint: str | None = None):
        obj = super().__new__(cls, message)
        obj.line, obj.hint = line, hint
        return obj


@dataclass
class ImportResult:
    """What an importer made of a file. `structure` lists the source's own
    labels and markers that became structure rather than stored text
    ("Summary:", "Translation - English"), so that a reader (or a test) can
    account for every word of the source."""

    documents: list[Document]
    warnings: list[str] = field(default_factory=list)
    structure: list[str] = field(default_factory=list)


_LABEL = re.compile(
    r"^(Citation|Summary|Original Language|Contents|Abstract|Source|Rights|Credits?|Type|Record ID|Original Uploaded Date):$", re.I
)
# "Translated from the Russian by Tahir Asghar.", "Translated for CWIHP by
# András Bocz.", "Obtained by … and translated by Margaret K. Gnoinska (Troy
# University)." The translator's affiliation in brackets is not their name.
_CREDIT = re.compile(
    r"^(?:.*?\band\s+)?[Tt]ranslated\s+(?:from\s+(?:the\s+)?(?P<lang>[A-Z][a-z]+)\s+)?(?:for\s+\S+\s+)?by\s+"
    r"(?P<who>[^()]+?)\s*(?:\([^)]*\))?\.?$"
)
# A sentence that says who translated: it ends at a full stop that does not
# close an initial ("Gwenyth A. Jones").
_CREDIT_SENTENCE = re.compile(
    r"(?:^|(?<=[.!?]\s))(?:[^.]{0,300}?\band\s+)?[Tt]ranslated\s+(?:from\s+(?:the\s+)?[A-Z][a-z]+\s+)?(?:for\s+\S+\s+)?by\s+"
    r"(?:[^.]|(?<=\b[A-Z])\.){1,300}+\.?"
)
# The archive's acknowledgement of who funded the translation, when a page
# gives it without its "Credits:" label.
_FUNDER = re.compile(r"^This document was made possible with support from\b")
# Classification and handling markings, each on a line of its own.
_MARKING = re.compile(
    r"^(?:(?:strictly\s+|top\s+)?secret|confidential|strictly confidential|restricted|for official use only|"
    r"personal(?:ly)?|eyes only|top priority|priority|urgent|not to be copied|not for publication|copy only|"
    r"совершенно секретно|секретно|сов\.\s*секретно|строго секретно|лично|срочно)(?:\s*[.!]?)$",
    re.I,
)
_ENDNOTE = re.compile(r"^(?:(\d{1,3})\.|\[(\d{1,3})\])\s+(.+)$", re.S)
_ARCHIVAL_NOTE = re.compile(
    r"^(Accompanying note|Covering note|Covering letter|Note|Notation|Stamp|Resolution|Handwritten note|Marginal note|Annotation)s?:\s",
    re.I,
)
_LIST_ITEM = re.compile(r"^\s*(?:[-*•–]|\d{1,2}[.)])\s+")
_SPEECH_DASHES = "–—"


def _is_list(lines: list[str]) -> bool:
    """Whether a block's lines are the items of a list. A paragraph of one
    line opened by a dash is a line of dialogue, as Russian (and French,
    Polish…) typography opens speech, not a list of one item: its dash is
    the text's own."""
    if not lines or not all(_LIST_ITEM.match(line) for line in lines):
        return False
    return len(lines) > 1 or _marker(lines[0]) not in _SPEECH_DASHES


def _marker(line: str) -> str:
    """The list marker that opens `line` ("-", "1."); "" when none does."""
    found = _LIST_ITEM.match(line)
    return found.group(0).strip() if found else ""


def _without_marker(line: str) -> str:
    """`line` without the list marker that opens it."""
    return _LIST_ITEM.sub("", line, count=1)


_BOLD = re.compile(r"^\*\*(.+)\*\*$", re.S)
_URL = re.compile(r"^<?(https?://\S+?)>?$")
_CALL_AT_END = re.compile(r"(?<=[\w\].”’\")])\s+(\d{1,3})$")
_CALL_AFTER_BRACKET = re.compile(r"(?<=\])\s+(\d{1,3})(?=\s|$)")
_CALL_AFTER_SENTENCE = re.compile(r"(?<=[.!?”\"’)])\s+(\d{1,3})(?=\s+[A-ZА-ЯЁ])")
# "edition[1] of", "aggression.” [3] It": a bracketed number is a call.
_CALL_BRACKETED = re.compile(r"\s?\[(\d{1,3})\]")
# A superscript call flattened into the text: "JELEN1", "[KPP].1 He".
_CALL_GLUED = re.compile(r"(?<=[A-Za-zА-Яа-яЁё\].,;:”’\")])(\d{1,3})(?=[\s.,;:]|$)")


@dataclass
class _Block:
    text: str  # lines joined, spaces tidied
    lines: list[str]  # the raw lines, for blocks that hold several items
    line: int = 0  # where the block starts in the file (1-based)


def read_text(text: str, *, lang: str = "en", name: str = "document") -> ImportResult:
    """Import the documents held in `text` (decoded; made NFC here).
    `lang` is the language of the text; `name` seeds ids of untitled files."""
    text = unicodedata.normalize("NFC", text)  # a caller's own string, too
    result = ImportResult(documents=[])
    blocks = _page_blocks(_blocks(text))
    if not blocks:
        return result
    shared_credit = _take_shared_credit(blocks, result)
    starts = _document_starts(blocks)
    collection = None
    if starts and starts[0] > 0:
        head = blocks[: starts[0]]
        if len(head) == 1 and not _LABEL.match(head[0].text):
            collection = _unbold(head[0].text, result)
        else:
            starts = [0] + starts[1:]
    if not starts:
        starts = [0]
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(blocks)
        doc = _document(blocks[start:end], lang, result)
        doc.collection = collection
        if shared_credit:
            doc.credit = f"{doc.credit} {shared_credit}" if doc.credit else shared_credit
            _credit_layer(doc, shared_credit)
        result.documents.append(doc)
    _unique_ids(result.documents, name)
    return result


def read_paragraphs(text: str) -> list[Paragraph]:
    """The paragraphs of a delivered translation: blocks separated by blank
    lines; each line of a bulleted list is a paragraph of its own."""
    out: list[Paragraph] = []
    for block in _blocks(text):
        if _is_list(block.lines):
            out.extend(Paragraph(tidy_space(_without_marker(line)), SegmentKind.LIST_ITEM) for line in block.lines)
        else:
            out.append(Paragraph(block.text, _kind_of(block.text)[0]))
    return out


def _blocks(text: str) -> list[_Block]:
    out = []
    text = text.replace("\r\n", "\n")
    pos = 0
    first = 1  # the line `pos` stands on, counted on from the previous block's
    counted = 0
    for sep in [*re.finditer(r"\n\s*\n", text), None]:
        end = sep.start() if sep else len(text)
        chunk = text[pos:end]
        first += text.count("\n", counted, pos)
        counted = pos
        numbered = [(first + i, line) for i, line in enumerate(chunk.split("\n")) if line.strip()]
        if numbered:
            lines = [line for _, line in numbered]
            out.append(_Block(tidy_space(" ".join(lines)), lines, numbered[0][0]))
        if sep:
            pos = sep.end()
    return out


def _page_blocks(blocks: list[_Block]) -> list[_Block]:
    """Archival web pages saved as text set a label and its value on
    consecutive lines ("Citation:" / "…") and the date over the title with no
    blank line between: split those into the blocks the rest expects."""
    out: list[_Block] = []
    for block in blocks:
        if len(block.lines) > 1 and _LABEL.match(block.lines[0].strip()):
            out.append(_Block(block.lines[0].strip(), block.lines[:1], block.line))
            rest = block.lines[1:]
            out.append(_Block(tidy_space(" ".join(rest)), rest, block.line + 1))
        else:
            out.append(block)
    i = 0
    while i < len(out):
        block = out[i]
        i += 1
        if len(block.lines) < 2:
            continue
        # Near the top of the file (under a heading at most), after a
        # document's endnotes, or over labelled metadata.
        follows = out[i].text if i < len(out) else ""
        after_notes = i > 1 and _ENDNOTE.match(out[i - 2].text) is not None
        if not (i <= 2 or after_notes or _LABEL.match(follows)):
            continue
        first = _CALL_AT_END.sub("", block.lines[0].strip())
        last = _CALL_AT_END.sub("", block.lines[-1].strip())
        if parse_date(first) is not None and _looks_like_title(_lines_block(block.lines[1:], block.line + 1)):
            head = [_lines_block(block.lines[:1], block.line), _lines_block(block.lines[1:], block.line + 1)]
        elif parse_date(last) is not None and _looks_like_title(_lines_block(block.lines[:-1], block.line)):
            head = [_lines_block(block.lines[:-1], block.line), _lines_block(block.lines[-1:], block.line + len(block.lines) - 1)]
        else:
            continue
        out[i - 1 : i] = head
        i += 1
    return out


_SPAN_OF_YEARS = re.compile(r"\b\d{4}\s*[–—-]\s*\d{2,4}\b")


def _lines_block(lines: list[str], line: int) -> _Block:
    return _Block(tidy_space(" ".join(lines)), lines, line)


def _trailing_date(title: str):
    """The date a title ends with ("Letter from a Reader, 18 September 1956"),
    for a document that has no dateline of its own."""
    match = re.search(r",\s+([^,]{4,60})$", _CALL_AT_END.sub("", title))
    return parse_date(match.group(1)) if match else None


def _unbold(text: str, result: ImportResult) -> str:
    match = _BOLD.match(text)
    if match:
        result.structure.append("**…**")
        return tidy_space(match.group(1))
    return text


def _take_shared_credit(blocks: list[_Block], result: ImportResult) -> str | None:
    """A credit line at the very end of a file belongs to all its documents."""
    last = blocks[-1].text
    # Only a line that is a credit and nothing else: "… and translated by
    # the embassy." ending a letter is the letter's own sentence.
    after_label = len(blocks) > 1 and _LABEL.match(blocks[-2].text)  # it is that label's value
    if last.startswith("Translated") and len(last.split()) <= 20 and _CREDIT.match(last) and len(blocks) > 1 and not after_label:
        blocks.pop()
        return last
    return None


def _is_dateline(block: _Block) -> bool:
    text = _CALL_AT_END.sub("", _unbold_plain(block.text))
    return parse_date(text) is not None


def _unbold_plain(text: str) -> str:
    match = _BOLD.match(text)
    return tidy_space(match.group(1)) if match else text


def _looks_like_title(block: _Block) -> bool:
    text = _CALL_AT_END.sub("", _unbold_plain(block.text))
    return len(text.split()) <= 40 and not text.endswith((".", ":", ",", ";")) and not _LABEL.match(text)


def _document_starts(blocks: list[_Block]) -> list[int]:
    """Indices of the blocks where a document begins: a title followed by a
    dateline, or a dateline followed by a title (the Wilson Center order)."""
    starts = []
    i = 0
    while i < len(blocks) - 1:
        a, b = blocks[i], blocks[i + 1]
        # Within a file, a short line over a date is a signature and its
        # date ("Foreign Ministry" / "2 November 1956"), not a new document.
        if _looks_like_title(a) and _is_dateline(b) and not _is_dateline(a) and (i == 0 or len(a.text.split()) >= 4):
            starts.append(i)
            i += 2
        elif (
            _is_dateline(a)
            and _looks_like_title(b)
            and not _is_dateline(b)
            and (i == 0 or _BOLD.match(a.text) or (i + 2 < len(blocks) and _LABEL.match(blocks[i + 2].text)))
        ):  # the archive's page layout: date, title, then its labelled blocks
            starts.append(i)
            i += 2
        else:
            i += 1
    if not starts and len(blocks) > 2 and _looks_like_title(blocks[0]) and _looks_like_title(blocks[1]):
        # A heading over a title that carries its date: "… Board, 18 September 1956 1".
        heading, title = _trailing_date(blocks[0].text), _trailing_date(blocks[1].text)
        if title and (heading is None or heading.certainty is Certainty.RANGE or len(heading.iso or "") < len(title.iso or "")):
            starts.append(1)
    if (
        starts[:1] == [0]
        and len(blocks) > 3
        and _SPAN_OF_YEARS.search(blocks[0].text)
        and _looks_like_title(blocks[2])
        and not _is_dateline(blocks[2])
    ):
        # A series heading with its span of years, over a date and a title.
        starts[0] = 1
    return starts


def _document(blocks: list[_Block], lang: str, result: ImportResult) -> Document:
    doc = Document(id="", title="")
    title_calls: list[str] = []
    date_calls: list[str] = []
    rest = list(blocks)
    head_line = rest[0].line if rest else 0
    head_lines = {"title": head_line, "date": head_line}
    # The head: a title and a dateline, in either order.
    for _ in range(2):
        if not rest:
            break
        if doc.date is None and _is_dateline(rest[0]):
            head_lines["date"] = rest[0].line
            text, date_calls = _split_calls(_unbold(rest.pop(0).text, result))
            doc.date = parse_date(text)
        elif not doc.title:
            head_lines["title"] = rest[0].line
            doc.title, title_calls = _split_calls(_unbold(rest.pop(0).text, result))
    if doc.date is None and doc.title and (dated := _trailing_date(doc.title)):
        doc.date = dated  # the title's own date; the title keeps its words
    if not doc.title:
        doc.title = "(untitled)"
        result.warnings.append(ImportWarning("a document has no title: it was called '(untitled)'", head_line))
    _check_dual_date(doc, head_lines["date"], result)
    # Endnotes: the run of numbered blocks at the end ("1. …" or "[1] …").
    endnotes: list[tuple[str, str, int]] = []
    while rest and (m := _ENDNOTE.match(rest[-1].text)):
        label = m.group(1) or m.group(2)
        if endnotes and int(label) + 1 != int(endnotes[0][0]):
            break
        endnotes.insert(0, (label, m.group(3), rest[-1].line))
        rest.pop()
    if endnotes and endnotes[0][0] != "1":
        # Not notes after all (a numbered list at the end of the text).
        rest.extend(_Block(f"{label}. {text}", [f"{label}. {text}"], line) for label, text, line in endnotes)
        endnotes = []
    labels = {label for label, _, _ in endnotes}
    doc.title, title_calls = _own_numbers(doc.title, title_calls, labels)
    # Labelled metadata, archival lines and the body.
    layer_lang, body, translation = lang, [], False
    keep_credit = any(_LABEL.match(b.text) and b.text.lower().startswith("credit") for b in rest)
    i = 0
    while i < len(rest):
        block = rest[i]
        if _FUNDER.match(block.text) and not doc.credit:
            doc.credit = block.text  # the archive's credit line, unlabelled
            i += 1
            continue
        label = _LABEL.match(_unbold_plain(block.text))
        if label:
            _unbold(block.text, result)
            value = rest[i + 1] if i + 1 < len(rest) else None
            consumed = _labelled(doc, label.group(1), value, result, keep_credit)
            if consumed == "unplaced":
                doc.unplaced.append(tidy_space(f"{_unbold_plain(block.text)} {value.text if value else ''}"))
                result.warnings.append(
                    ImportWarning(
                        f"'{_unbold_plain(block.text)}' {'has no value' if value is None else 'names nothing this edition records'}: "
                        "it was kept in the document's `unplaced`",
                        block.line,
                        "move it into a field (citation, summary …) or delete it from `unplaced`",
                    )
                )
                i += 2 if value is not None else 1
                continue
            result.structure.append(_unbold_plain(block.text))
            if consumed == "layer-language" and value is not None:
                layer_lang = _contents_language(value.text, lang)
                translation = "translation" in value.text.lower()
            i += 2 if consumed else 1
            continue
        body.append(block)
        i += 1
    lines = _body(doc, body, result)
    # The text layer: a translation when the source says so (a credit line,
    # "Contents: Translation - English", an original language of its own).
    layer = Layer(id=layer_lang, lang=layer_lang, role=LayerRole.ORIGINAL)
    doc.layers.append(layer)
    if doc.original_language and (translation or doc.original_language != layer_lang):
        layer.role, layer.translated_from = LayerRole.TRANSLATION, doc.original_language
    elif translation:
        layer.role = LayerRole.TRANSLATION
    sources = [doc.citation, doc.publication, doc.credit, *(ref.text for ref in doc.archival_refs)]
    credit_match = _CREDIT_SENTENCE.search(" ".join(filter(None, sources)))
    if credit_match:
        _credit_layer(doc, credit_match.group(0))
    # Calls and endnotes.
    calls = [("title", c) for c in title_calls] + [("date", c) for c in date_calls]
    _notes(doc, endnotes, calls, labels, layer.id, result, lines, head_lines)
    if not doc.segments:
        result.warnings.append(ImportWarning(f"'{doc.title}': no body text was found", head_line))
    doc.id = document_id(doc.title, date_iso=doc.date.iso if doc.date else None)
    return doc


def _check_dual_date(doc: Document, line: int, result: ImportResult) -> None:
    """An Old Style date that also states its Gregorian day ("12 (24) March
    1899") is checked against the calendar; the computed day is stored."""
    date = doc.date
    if date is None:
        return
    stated = stated_gregorian_day(date)
    if stated is not None and date.iso and len(date.iso) == 10 and int(date.iso[8:]) != stated:
        result.warnings.append(
            ImportWarning(
                f"the date '{date.text}' gives day {stated} as the Gregorian day, but the Julian day "
                f"{date.iso_julian} is {date.iso} in the Gregorian calendar; {date.iso} was stored",
                line,
                "check the date in the source",
            )
        )


_NUMBERED = re.compile(r"(?:^|\s)(?:No\.?|Nr\.?|Nos?\.|№|#)$|[^\W\d_]$", re.I)


def _own_numbers(title: str, calls: list[str], labels: set[str]) -> tuple[str, list[str]]:
    """Numbers taken off a title's end as note calls go back into it when
    the file has no note of theirs and they follow a word ("Genesis,
    chapter 1", "Memorandum No. 3"): they are the title's own words. A
    number after a bracket or a date ("[sic!] 3") stays a call."""
    while calls and calls[-1] not in labels and _NUMBERED.search(title.rstrip()):
        title = f"{title.rstrip()} {calls.pop()}"
    return title, calls


def _split_calls(text: str) -> tuple[str, list[str]]:
    """Take footnote calls off the end of a title or dateline ("Stalin 1")."""
    calls: list[str] = []
    while m := _CALL_AT_END.search(text):
        calls.insert(0, m.group(1))
        text = text[: m.start()]
    return text, calls


def _labelled(doc: Document, label: str, value: _Block | None, result: ImportResult, keep_credit: bool = False):
    """Store a labelled metadata block; return what was consumed
    ("unplaced": nothing holds it, the caller keeps it and reports it)."""
    if value is None:
        return "unplaced"
    label = label.lower()
    text = value.text
    held = {"citation": doc.citation or doc.publication or doc.source_url, "summary": doc.summary, "abstract": doc.summary,
            "type": doc.doc_type, "rights": doc.rights, "original language": doc.original_language}  # fmt: skip
    if held.get(label):
        return "unplaced"  # said twice: the first is kept, the second reported
    if label == "citation":
        _citation(doc, value, result, keep_credit)
        return "value"
    if label == "source":
        _source(doc, text)
        return "value"
    if label in ("summary", "abstract"):
        doc.summary = text
        return "value"
    if label == "type":
        doc.doc_type = text
        return "value"
    if label == "original language":
        code = language_code(text)
        if code:
            doc.original_language = code
            result.structure.append(text)
            return "value"
        return "unplaced"
    if label == "contents":
        result.structure.append(text)
        return "layer-language"
    if label == "rights":
        doc.rights = text
        return "value"
    if label in ("credit", "credits"):
        doc.credit = f"{doc.credit} {text}" if doc.credit else text
        return "value"
    return "unplaced"


def _source(doc: Document, text: str) -> None:
    """The "Source" line of an archive's page: where the document is kept,
    and often who translated it ("… ll. 0091. Translated by Gary Goldberg.")."""
    credit = _CREDIT_SENTENCE.search(text)
    if credit and credit.end() == len(text) and credit.group(0)[:1] == "T":
        doc.credit = f"{credit.group(0)} {doc.credit}" if doc.credit else credit.group(0)
        text = text[: credit.start()].strip()
    if not text:
        return
    ref = parse_cited_signature([p.strip() for p in re.split(r",\s+", text.rstrip("."))])
    doc.archival_refs.append(ref or ArchivalRef(text=text))


def _contents_language(text: str, default: str) -> str:
    """ "Translation - English" → "en"."""
    for word in re.findall(r"[A-Za-z]+", text):
        code = language_code(word)
        if code and word.lower() not in ("translation", "original"):
            return code
    return default


def _citation(doc: Document, block: _Block, result: ImportResult, keep_credit: bool = False) -> None:
    """Split a citation into its head, the archival signature inside it, the
    publication history and the translation credit, keeping every word."""
    lines = [tidy_space(line) for line in block.lines]
    urls = [line for line in lines if _URL.match(line)]
    if urls:
        doc.source_url = _URL.sub(r"\1", urls[0], count=1)
        result.structure.append("<…>")
        lines = [line for line in lines if line not in urls[:1]]
    text = tidy_space(" ".join(lines))
    if not urls and (url := re.search(r"\s<?(https?://\S+?)>?$", text)):
        doc.source_url = url.group(1)
        text = text[: url.start()].strip()
    credit = None if keep_credit else _CREDIT_SENTENCE.search(text)
    if credit:
        doc.credit = f"{doc.credit} {credit.group(0)}" if doc.credit else credit.group(0)
        text = tidy_space(text[: credit.start()] + text[credit.end() :])
    published = re.search(r"(?:^|(?<=\.\s))(?:Originally |First )?(?:Published|Reprinted)\b", text)
    if published:
        doc.publication = text[published.start() :].strip()
        text = text[: published.start()].strip()
    # The head: "Title", date, holder, ARCHIVE, part, part.
    head = text.rstrip(".")
    parts = [p.strip() for p in re.split(r",\s+", head)]
    for start in range(len(parts)):
        ref = parse_cited_signature(parts[start:])
        if ref:
            doc.archival_refs.append(ref)
            text = ", ".join(parts[:start]) + "." if start else ""
            break
    doc.citation = text or None


def _body(doc: Document, blocks: list[_Block], result: ImportResult) -> dict[str, int]:
    """Add the body's segments; return the source line of each segment."""
    lines: dict[str, int] = {}
    for block in blocks:
        before = len(doc.segments)
        _body_block(doc, block, result)
        for segment in doc.segments[before:]:
            lines[segment.id] = block.line
    _mark_letter_parts(doc)
    return lines


def _body_block(doc: Document, block: _Block, result: ImportResult) -> None:
    # Classification and handling markings ("Top Secret" / "Not to be
    # copied") heading a block are the document's, one line each.
    source_lines = list(block.lines)
    while source_lines and _MARKING.match(source_lines[0].strip()):
        doc.classification.append(tidy_space(source_lines.pop(0)))
    if not source_lines:
        return
    if _is_list(source_lines):
        for line in source_lines:
            marker = _marker(line)
            if marker[:1].isdigit():  # a number is the document's own word ("1."): kept
                _segment(doc, SegmentKind.LIST_ITEM, tidy_space(line))
                continue
            result.structure.append(marker)
            _segment(doc, SegmentKind.LIST_ITEM, tidy_space(_without_marker(line)))
        return
    # A block may mix archival lines (notes, signatures) with text.
    pending: list[str] = []
    for line in source_lines:
        clean = tidy_space(line)
        ref = parse_signature(clean)
        if ref or _ARCHIVAL_NOTE.match(clean):
            if pending:
                _text_block(doc, _joined(pending))
                pending = []
            if ref:
                doc.archival_refs.append(ref)
            else:
                doc.notes.append(Note(id=f"a{_count(doc, NoteKind.ARCHIVAL) + 1}", kind=NoteKind.ARCHIVAL, text=clean))
            continue
        pending.append(line)
    if pending:
        # An archival note may run over several lines of its block.
        text = tidy_space(" ".join(pending))
        if len(pending) == len(source_lines) and _ARCHIVAL_NOTE.match(text):
            doc.notes.append(Note(id=f"a{_count(doc, NoteKind.ARCHIVAL) + 1}", kind=NoteKind.ARCHIVAL, text=text))
        else:
            _text_block(doc, _joined(pending))


_LINE_START = re.compile(r"^[\s]*[A-ZА-ЯЁ0-9\[(\"“‘«]")


def _joined(lines: list[str]) -> str:
    """A block's lines as one text. Short lines that each start afresh (a
    letterhead, an address, a distribution list) keep their line breaks;
    prose wrapped over lines is joined with spaces."""
    clean = [tidy_space(line) for line in lines]
    if (
        len(clean) > 1
        and all(len(line) <= 60 for line in clean)
        and all(_LINE_START.match(line) and not before.endswith(("-", "‐")) for before, line in zip(clean, clean[1:]))
    ):
        return "\n".join(clean)
    return tidy_space(" ".join(lines))


def _count(doc: Document, kind: NoteKind) -> int:
    return sum(1 for n in doc.notes if n.kind is kind)


def _kind_of(text: str) -> tuple[SegmentKind, str]:
    """A block's kind and its text without the marker that showed it."""
    if text.startswith("> "):
        return SegmentKind.QUOTATION, text[2:]
    if re.match(r"^#{1,6}\s", text):
        return SegmentKind.HEADING, text.lstrip("#").strip()
    if re.match(r'^["“„«]', text) and re.search(r'["”“»](\s*\[\.\.\.\])?$', text):
        return SegmentKind.QUOTATION, text
    return SegmentKind.PARAGRAPH, text


def _text_block(doc: Document, text: str) -> None:
    _segment(doc, *_kind_of(text))


def _segment(doc: Document, kind: SegmentKind, text: str) -> None:
    """Add a segment; its text waits under the key "" until `_notes` has
    taken the footnote calls out of it and knows the layer's id."""
    doc.segments.append(Segment(id=f"p{len(doc.segments) + 1}", kind=kind, text={"": text}))


def _mark_letter_parts(doc: Document) -> None:
    """A letter's opening address ("Comrade Editor,") and its closing
    signature line are not paragraphs of the text proper."""
    paragraphs = [s for s in doc.segments if s.kind is SegmentKind.PARAGRAPH]
    if not paragraphs:
        return
    first, last = paragraphs[0], paragraphs[-1]
    if first is doc.segments[0] and first.text[""].endswith(",") and len(first.text[""].split()) <= 6:
        first.kind = SegmentKind.SALUTATION
    text = last.text[""]
    signed = re.search(r"[^\W\d_]", text.replace("[...]", "").replace("[…]", ""))  # an omission mark signs nothing
    if (
        last is doc.segments[-1]
        and len(doc.segments) > 2
        and len(text.split()) <= 8
        and not text.endswith((".", "!", "?", "…", "”", "»", "’", '"', ",", ";", ":"))
        and signed
    ):
        last.kind = SegmentKind.SIGNATURE


def _credit_layer(doc: Document, credit: str) -> None:
    """A credit line makes the text a translation, by the person it names."""
    match = _CREDIT.match(credit.strip())
    if not match or not doc.layers:
        return
    layer = doc.layers[0]
    layer.role = LayerRole.TRANSLATION
    layer.translator = match.group("who").strip()
    source = match.group("lang")
    layer.translated_from = language_code(source) if source else doc.original_language
    if doc.original_language is None and layer.translated_from:
        doc.original_language = layer.translated_from


def _notes(doc, endnotes, calls, labels, layer_id, result, lines, head_lines) -> None:
    """Anchor each numbered endnote at its call: after the word (or bracket)
    the number follows in a title, a dateline or a paragraph, or the word a
    flattened superscript is glued to ("JELEN1"). A call whose note the file
    lacks is taken out of the text too, kept in `unplaced` and reported."""
    placed: dict[str, Anchor] = {}
    orphans: list[tuple[str, str, str, int]] = []  # label, place, phrase, line
    for place, label in calls:
        text = doc.title if place == "title" else ""
        phrase = text.split()[-1] if text else ""
        anchor = Anchor(layer_id, place, phrase, text.count(phrase) if phrase else 1)
        if label in labels and label not in placed:
            placed[label] = anchor
            result.structure.append(label)  # the call itself
        else:
            orphans.append((label, place, phrase, head_lines[place]))
    for segment in doc.segments:
        text = segment.text[""]
        for pattern in (_CALL_BRACKETED, _CALL_AFTER_BRACKET, _CALL_AFTER_SENTENCE, _CALL_AT_END):
            for m in reversed(list(pattern.finditer(text))):
                label = m.group(1)
                known = label in labels and label not in placed
                if not known and not _orphan_call(pattern, m, text, labels):
                    continue
                before = text[: m.start()]
                phrase = before.split()[-1] if before.split() else ""
                text = before + text[m.end() :]
                anchor = Anchor(layer_id, segment.id, phrase, before.count(phrase) if phrase else 1)
                if known:
                    result.structure.append(label)  # the call itself
                    placed[label] = anchor
                else:
                    orphans.append((label, segment.id, phrase, lines.get(segment.id, head_lines["title"])))
        segment.text[""] = text
    for label in sorted(labels - set(placed), key=int):
        _place_glued_call(doc, label, layer_id, placed, result)
    for segment in doc.segments:
        segment.text = {layer_id: segment.text[""]}
    for label, text, line in endnotes:
        call = placed.get(label)
        if call is None:
            result.warnings.append(
                ImportWarning(
                    f"'{doc.title}': endnote {label} has no call in the text; it was kept as a note on the whole document",
                    line,
                    "anchor it with `edition note move` or leave it on the whole document",
                )
            )
        doc.notes.append(Note(id=f"n{label}", kind=NoteKind.FOOTNOTE, text=tidy_space(text), anchor=call, label=label))
    for label, place, phrase, line in orphans:
        doc.unplaced.append(f"note call {label} after “{phrase}” in {place}, with no note {label} in the file")
        result.warnings.append(
            ImportWarning(
                f"'{doc.title}': note call {label} after '{phrase}' has no note in the file; "
                "the number was taken out of the text and kept in `unplaced`",
                line,
                f"add the note (edition note add {doc.id or '…'} --layer {layer_id} --segment {place} --at '{phrase}' --text …) "
                "or delete it from `unplaced`",
            )
        )
    doc.notes.sort(key=lambda n: (n.kind is NoteKind.ARCHIVAL, int(n.label) if n.label else 0))


def _orphan_call(pattern, match, text: str, labels: set[str]) -> bool:
    """Whether a number the file has no note for is still plainly a note
    call: bracketed and glued to a word ("edition[5]"), or standing after an
    editorial bracket before a new sentence ("[sic!] 3 The …")."""
    if pattern is _CALL_BRACKETED:
        return bool(labels) or not match.group(0).startswith((" ", "\u00a0"))
    if pattern is _CALL_AFTER_BRACKET:
        opened = text.rfind("[", 0, match.start())
        inside = text[opened + 1 : match.start()].strip().rstrip("]") if opened >= 0 else ""
        if inside.isdigit():
            return False
        if re.match(r"^(?:sic\b|\.\.\.|…)", inside, re.I):
            return True  # "[sic!] 3": an editor's mark takes no number of its own
        if labels and int(match.group(1)) <= max(map(int, labels)) + 3:
            return True  # the next number after the notes the file has
        return re.match(r"^(?:$|\s+[A-ZА-ЯЁ]|[.,;:])", text[match.end() :]) is not None
    return False


def _place_glued_call(doc: Document, label: str, layer_id: str, placed: dict, result: ImportResult) -> None:
    """The first flattened call `label` in document order, after the call
    placed before it."""
    after = placed.get(str(int(label) - 1))
    order = [s.id for s in doc.segments]
    start = order.index(after.segment) if after and after.segment in order else 0
    for segment in doc.segments[start:]:
        text = segment.text[""]
        for m in _CALL_GLUED.finditer(text):
            if m.group(1) != label:
                continue
            before = text[: m.start()]
            phrase = before.split()[-1] if before.split() else ""
            segment.text[""] = before + text[m.end() :]
            placed[label] = Anchor(layer_id, segment.id, phrase, before.count(phrase) if phrase else 1)
            result.structure.append(label)  # the call itself
            return


def _unique_ids(documents: list[Document], name: str) -> None:
    for doc in documents:
        if not title_slug(doc.title):  # a title of no letters: the file's name
            doc.id = document_id(doc.title, date_iso=doc.date.iso if doc.date else None, fallback=name)
    make_unique(documents)


__all__ = ["ImportResult", "ImportWarning", "read_text", "LANGUAGE_NAMES"]
