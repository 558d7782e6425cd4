"""Plain-text archival documents, as the Wilson Center and documentary
volumes publish them: a dateline and title, labelled metadata (Citation,
Summary, Original Language), body paragraphs and lists, archival notes and
signatures, numbered endnotes called from the text, and possibly several
documents in one file under a shared heading and translation credit.

Any plain text imports too: its first block is the title, the rest are
paragraphs. Nothing is dropped: what cannot be placed goes to `unplaced`
and is reported."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Anchor, Document, Layer, LayerRole, Note, NoteKind, Segment, SegmentKind
from .base import Paragraph
from .ids import document_id, make_unique, title_slug
from ..text import (
    LANGUAGE_NAMES,
    language_code,
    parse_cited_signature,
    parse_date,
    parse_signature,
    tidy_space,
)


@dataclass
class ImportResult:
    """What an importer made of a file. `structure` lists the source's own
    labels and markers that became structure rather than stored text
    ("Summary:", "Translation - English"), so that a reader (or a test) can
    account for every word of the source."""

    documents: list[Document]
    warnings: list[str] = field(default_factory=list)
    structure: list[str] = field(default_factory=list)


_LABEL = re.compile(r"^(Citation|Summary|Original Language|Contents|Abstract|Source|Rights|Credits?):$", re.I)
_CREDIT = re.compile(r"^Translated\s+(?:from\s+(?:the\s+)?(?P<lang>[A-Z][a-z]+)\s+)?by\s+(?P<who>.+?)\.?$")
# Bounded and possessive (hardening, issue 7): the unbounded `[^.]+…[^.]*\.`
# backtracked quadratically on a long citation without a full stop (a 20 kB
# line took 30 s). A credit whose name runs past 500 characters is not one.
_CREDIT_IN_TEXT = re.compile(r"Translated\s+(?:from\s+(?:the\s+)?[A-Z][a-z]+\s+)?by\s+[^.]{1,500}+(?:\.[A-Z]\.?){0,20}[^.]{0,500}+\.")
_ENDNOTE = re.compile(r"^(\d{1,3})\.\s+(.+)$", re.S)
_ARCHIVAL_NOTE = re.compile(
    r"^(Accompanying note|Covering note|Covering letter|Note|Notation|Stamp|Resolution|Handwritten note|Marginal note|Annotation)s?:\s", re.I
)
_LIST_ITEM = re.compile(r"^\s*(?:[-*•–]|\d{1,2}[.)])\s+")
_BOLD = re.compile(r"^\*\*(.+)\*\*$", re.S)
_URL = re.compile(r"^<?(https?://\S+?)>?$")
_CALL_AT_END = re.compile(r"(?<=[\w\].”’\")])\s+(\d{1,3})$")
_CALL_AFTER_BRACKET = re.compile(r"(?<=\])\s+(\d{1,3})(?=\s|$)")
_CALL_AFTER_SENTENCE = re.compile(r"(?<=[.!?”\"’)])\s+(\d{1,3})(?=\s+[A-ZА-ЯЁ])")


@dataclass
class _Block:
    text: str  # lines joined, spaces tidied
    lines: list[str]  # the raw lines, for blocks that hold several items


def read_text(text: str, *, lang: str = "en", name: str = "document") -> ImportResult:
    """Import the documents held in `text` (already decoded and NFC).
    `lang` is the language of the text; `name` seeds ids of untitled files."""
    result = ImportResult(documents=[])
    blocks = _blocks(text)
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
            doc.credit = shared_credit
            _credit_layer(doc, shared_credit)
        result.documents.append(doc)
    _unique_ids(result.documents, name)
    return result


def read_paragraphs(text: str) -> list[Paragraph]:
    """The paragraphs of a delivered translation: blocks separated by blank
    lines; each line of a bulleted list is a paragraph of its own."""
    out: list[Paragraph] = []
    for block in _blocks(text):
        if all(_LIST_ITEM.match(line) for line in block.lines):
            out.extend(Paragraph(tidy_space(line[_LIST_ITEM.match(line).end() :]), SegmentKind.LIST_ITEM) for line in block.lines)
        else:
            out.append(Paragraph(block.text, _kind_of(block.text)[0]))
    return out


def _blocks(text: str) -> list[_Block]:
    out = []
    for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        lines = [line for line in chunk.split("\n") if line.strip()]
        if lines:
            out.append(_Block(tidy_space(" ".join(lines)), lines))
    return out


def _unbold(text: str, result: ImportResult) -> str:
    match = _BOLD.match(text)
    if match:
        result.structure.append("**…**")
        return tidy_space(match.group(1))
    return text


def _take_shared_credit(blocks: list[_Block], result: ImportResult) -> str | None:
    """A credit line at the very end of a file belongs to all its documents."""
    last = blocks[-1].text
    if _CREDIT.match(last) and len(blocks) > 1:
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
        if _looks_like_title(a) and _is_dateline(b) and not _is_dateline(a):
            starts.append(i)
            i += 2
        elif _is_dateline(a) and _looks_like_title(b) and not _is_dateline(b) and (i == 0 or _BOLD.match(a.text)):
            starts.append(i)
            i += 2
        else:
            i += 1
    return starts


def _document(blocks: list[_Block], lang: str, result: ImportResult) -> Document:
    doc = Document(id="", title="")
    title_calls: list[str] = []
    date_calls: list[str] = []
    rest = list(blocks)
    # The head: a title and a dateline, in either order.
    for _ in range(2):
        if not rest:
            break
        if doc.date is None and _is_dateline(rest[0]):
            text, date_calls = _split_calls(_unbold(rest.pop(0).text, result))
            doc.date = parse_date(text)
        elif not doc.title:
            doc.title, title_calls = _split_calls(_unbold(rest.pop(0).text, result))
    if not doc.title:
        doc.title = "(untitled)"
        result.warnings.append("a document has no title: it was called '(untitled)'")
    # Endnotes: the run of numbered blocks at the end.
    endnotes: list[tuple[str, str]] = []
    while rest and (m := _ENDNOTE.match(rest[-1].text)):
        label = m.group(1)
        if endnotes and int(label) + 1 != int(endnotes[0][0]):
            break
        endnotes.insert(0, (label, m.group(2)))
        rest.pop()
    if endnotes and endnotes[0][0] != "1":
        # Not notes after all (a numbered list at the end of the text).
        rest.extend(_Block(f"{label}. {text}", [f"{label}. {text}"]) for label, text in endnotes)
        endnotes = []
    labels = {label for label, _ in endnotes}
    # Labelled metadata, archival lines and the body.
    layer_lang, body = lang, []
    i = 0
    while i < len(rest):
        block = rest[i]
        label = _LABEL.match(_unbold_plain(block.text))
        if label:
            _unbold(block.text, result)
            result.structure.append(_unbold_plain(block.text))
            value = rest[i + 1] if i + 1 < len(rest) else None
            consumed = _labelled(doc, label.group(1).lower(), value, result)
            if consumed == "layer-language":
                layer_lang = _contents_language(value.text, lang)
            i += 2 if consumed else 1
            continue
        body.append(block)
        i += 1
    _body(doc, body, result)
    # The text layer.
    credit_match = _CREDIT_IN_TEXT.search(" ".join(filter(None, [doc.citation, doc.publication, doc.credit])))
    layer = Layer(id=layer_lang, lang=layer_lang, role=LayerRole.ORIGINAL)
    doc.layers.append(layer)
    if credit_match:
        _credit_layer(doc, credit_match.group(0))
    # Calls and endnotes.
    calls = [("title", c) for c in title_calls] + [("date", c) for c in date_calls]
    _notes(doc, endnotes, calls, labels, layer.id, result)
    if not doc.segments:
        result.warnings.append(f"'{doc.title}': no body text was found")
    doc.id = document_id(doc.title, date_iso=doc.date.iso if doc.date else None)
    return doc


def _split_calls(text: str) -> tuple[str, list[str]]:
    """Take footnote calls off the end of a title or dateline ("Stalin 1")."""
    calls = []
    while m := _CALL_AT_END.search(text):
        calls.insert(0, m.group(1))
        text = text[: m.start()]
    return text, calls


def _labelled(doc: Document, label: str, value: _Block | None, result: ImportResult):
    """Store a labelled metadata block; return what was consumed."""
    if value is None:
        return None
    text = value.text
    if label == "citation":
        _citation(doc, value, result)
        return "value"
    if label in ("summary", "abstract"):
        doc.summary = text
        return "value"
    if label == "original language":
        code = language_code(text)
        if code:
            doc.original_language = code
            result.structure.append(text)
            return "value"
        return None  # an unknown language name stays in the text
    if label == "contents":
        result.structure.append(text)
        return "layer-language"
    if label == "rights":
        doc.rights = text
        return "value"
    if label in ("credit", "credits"):
        doc.credit = text
        return "value"
    return None


def _contents_language(text: str, default: str) -> str:
    """ "Translation - English" → "en"."""
    for word in re.findall(r"[A-Za-z]+", text):
        code = language_code(word)
        if code and word.lower() not in ("translation", "original"):
            return code
    return default


def _citation(doc: Document, block: _Block, result: ImportResult) -> None:
    """Split a citation into its head, the archival signature inside it, the
    publication history and the translation credit, keeping every word."""
    lines = [tidy_space(line) for line in block.lines]
    urls = [line for line in lines if _URL.match(line)]
    if urls:
        doc.source_url = _URL.match(urls[0]).group(1)
        result.structure.append("<…>")
        lines = [line for line in lines if line not in urls[:1]]
    text = tidy_space(" ".join(lines))
    credit = _CREDIT_IN_TEXT.search(text)
    if credit:
        doc.credit = credit.group(0)
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
            text = ", ".join(parts[:start]) + "."
            break
    doc.citation = text


def _body(doc: Document, blocks: list[_Block], result: ImportResult) -> None:
    for block in blocks:
        if all(_LIST_ITEM.match(line) for line in block.lines):
            for line in block.lines:
                marker = _LIST_ITEM.match(line).group(0).strip()
                result.structure.append(marker)
                _segment(doc, SegmentKind.LIST_ITEM, tidy_space(line[_LIST_ITEM.match(line).end() :]))
            continue
        # A block may mix archival lines (notes, signatures) with text.
        pending: list[str] = []
        for line in block.lines:
            clean = tidy_space(line)
            ref = parse_signature(clean)
            if ref or _ARCHIVAL_NOTE.match(clean):
                if pending:
                    _text_block(doc, tidy_space(" ".join(pending)))
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
            if len(pending) == len(block.lines) and _ARCHIVAL_NOTE.match(text):
                doc.notes.append(Note(id=f"a{_count(doc, NoteKind.ARCHIVAL) + 1}", kind=NoteKind.ARCHIVAL, text=text))
            else:
                _text_block(doc, text)
    _mark_letter_parts(doc)


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
    if last is doc.segments[-1] and len(doc.segments) > 2 and len(text.split()) <= 8 and not text.endswith((".", "!", "?", "”", '"')):
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


def _notes(doc, endnotes, calls, labels, layer_id, result) -> None:
    """Anchor each numbered endnote at its call: after the word (or bracket)
    the number follows in a title, a dateline or a paragraph."""
    placed: dict[str, Anchor] = {}
    for place, label in calls:
        if label in labels:
            text = doc.title if place == "title" else ""
            phrase = text.split()[-1] if text else ""
            placed[label] = Anchor(layer_id, place, phrase, text.count(phrase) if phrase else 1)
            result.structure.append(label)  # the call itself
    for segment in doc.segments:
        text = segment.text[""]
        for pattern in (_CALL_AFTER_BRACKET, _CALL_AFTER_SENTENCE, _CALL_AT_END):
            for m in reversed(list(pattern.finditer(text))):
                label = m.group(1)
                if label not in labels or label in placed:
                    continue
                before = text[: m.start()]
                phrase = before.split()[-1] if before.split() else ""
                text = before + text[m.end() :]
                result.structure.append(label)  # the call itself
                placed[label] = Anchor(layer_id, segment.id, phrase, before.count(phrase) if phrase else 1)
        segment.text[""] = text
    for segment in doc.segments:
        segment.text = {layer_id: segment.text[""]}
    for label, text in endnotes:
        anchor = placed.get(label)
        if anchor is None:
            result.warnings.append(
                f"'{doc.title}': endnote {label} has no call in the text; it was kept as a note on the whole document"
            )
        doc.notes.append(Note(id=f"n{label}", kind=NoteKind.FOOTNOTE, text=tidy_space(text), anchor=anchor, label=label))
    doc.notes.sort(key=lambda n: (n.kind is NoteKind.ARCHIVAL, int(n.label) if n.label else 0))


def _unique_ids(documents: list[Document], name: str) -> None:
    for doc in documents:
        if not title_slug(doc.title):  # a title of no letters: the file's name
            doc.id = document_id(doc.title, date_iso=doc.date.iso if doc.date else None, fallback=name)
    make_unique(documents)


__all__ = ["ImportResult", "read_text", "LANGUAGE_NAMES"]
