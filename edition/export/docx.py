"""The edition as Word files: the volume as a manuscript for a publisher,
and one document as a translator's kit.

The manuscript is written from the very view the printed volume is made
from (`edition.render.html.volume_view`), so the same layer prints each
segment, the same notes are called where the PDF calls them and the same
source notes are said. Editorial notes are real Word footnotes, and every
paragraph has a named style (Title, Heading 1, Quote, Footnote Text …),
so a publisher can restyle the whole by style. python-docx writes the
package; it has no footnotes part, so that part is built here with the
relationship and content type Word gives it. The apparatus of variants,
keyed to printed lines in the PDF, follows each document keyed to the
paragraph.

The kit is a table keyed by segment ids (id | source | target), the
document's notes as Word comments on the source text, that
`edition.importers.kit` reads back by those ids, with no alignment."""

from __future__ import annotations

import dataclasses
import io
from typing import TYPE_CHECKING, Sequence

from ..importers.kit import EDITORS, ID_HEAD, kit_marker
from ..model import HEAD_PLACES, Document, Edition, inline_spans, plain
from ..text import LANGUAGE_NAMES

if TYPE_CHECKING:
    from ..render.html import DocumentView, Piece, Run

# What the print adds for its own line breaking: a soft hyphen at each
# hyphenation point before a note call, a zero-width space after a web
# address's slashes and dots, a word joiner after dashes. A manuscript
# leaves line breaking to the typesetter.
SOFT_HYPHEN, ZWSP, WORD_JOINER = "\u00ad", "\u200b", "\u2060"

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

# Our styles: (name as Word stores it, style id, type, based on). Word
# shows built-in names capitalised ("Footnote Text"); a publisher's
# template that defines the same names restyles the manuscript. Those of
# BUILTIN are Word's own styles, the others the edition's.
PARAGRAPH, CHARACTER = 1, 2
STYLES = (
    ("footnote text", "FootnoteText", PARAGRAPH, "Normal"),
    ("footnote reference", "FootnoteReference", CHARACTER, None),
    ("Editors", "Editors", PARAGRAPH, "Subtitle"),
    ("Dateline", "Dateline", PARAGRAPH, "Normal"),
    ("Headnote", "Headnote", PARAGRAPH, "Normal"),
    ("Source Note", "SourceNote", PARAGRAPH, "Normal"),
    ("Salutation", "Salutation", PARAGRAPH, "Normal"),
    ("Signature", "Signature", PARAGRAPH, "Normal"),
    ("Endnote Entry", "EndnoteEntry", PARAGRAPH, "Normal"),
    ("Apparatus Entry", "ApparatusEntry", PARAGRAPH, "Normal"),
    ("Column Head", "ColumnHead", PARAGRAPH, "Normal"),
    ("Kit Marker", "KitMarker", PARAGRAPH, "Normal"),
)

BUILTIN = ("footnote text", "footnote reference", "Salutation", "Signature")
# The ids of the styles python-docx's template has, by name: a style is set
# by its id (python-docx's lookup by name scans every style each time,
# three quarters of the time of a large manuscript).
STYLE_IDS = {
    "Normal": None,
    "Title": "Title",
    "Subtitle": "Subtitle",
    "Heading 1": "Heading1",
    "Heading 2": "Heading2",
    "Heading 3": "Heading3",
    "Quote": "Quote",
    "List Bullet": "ListBullet",
    **{name: style_id for name, style_id, _, _ in STYLES},
}

# Segment kinds → the paragraph style that sets them.
KIND_STYLES = {
    "paragraph": "Normal",
    "heading": "Heading 2",
    "quotation": "Quote",
    "list-item": "List Bullet",
    "signature": "Signature",
    "salutation": "Salutation",
    "dateline": "Dateline",
}


# --- the package ------------------------------------------------------------------


def _new_document():
    """An empty python-docx document with our styles added."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt, RGBColor

    document = docx.Document()
    styles = document.styles
    for name, style_id, kind, base in STYLES:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH if kind == PARAGRAPH else WD_STYLE_TYPE.CHARACTER, builtin=name in BUILTIN)
        style.style_id = style_id
        if base:
            style.base_style = styles[base]
        font = style.font
        if name == "footnote text":
            font.size = Pt(10)
            style.paragraph_format.space_after = Pt(0)
        elif name == "footnote reference":
            font.superscript = True
        elif name in ("Signature", "Column Head"):
            font.small_caps = True
        elif name in ("Source Note", "Endnote Entry", "Apparatus Entry"):
            font.size = Pt(10)
        elif name == "Headnote":
            font.italic = True
        elif name == "Kit Marker":
            font.size = Pt(8)
            font.color.rgb = RGBColor(0x80, 0x80, 0x80)
    return document


class Footnotes:
    """The footnotes part of a document: Word's two separators (ids -1 and
    0, as Word writes them), then one `w:footnote` per note, numbered from 1
    in the order the calls are made."""

    def __init__(self, document):
        from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
        from docx.opc.packuri import PackURI
        from docx.opc.part import XmlPart
        from docx.oxml import parse_xml

        separators = "".join(
            f'<w:footnote w:type="{kind}" w:id="{number}"><w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/>'
            f"</w:pPr><w:r><w:{kind}/></w:r></w:p></w:footnote>"
            for kind, number in (("separator", -1), ("continuationSeparator", 0))
        )
        self.element = parse_xml(f'<w:footnotes xmlns:w="{W_NS}">{separators}</w:footnotes>')
        part = XmlPart(PackURI("/word/footnotes.xml"), CONTENT_TYPE.WML_FOOTNOTES, self.element, document.part.package)
        document.part.relate_to(part, RELATIONSHIP_TYPE.FOOTNOTES)
        _declare_separators(document)
        self.count = 0

    def call(self, paragraph, body: Sequence[Run]) -> None:
        """Put a footnote reference at the end of `paragraph` (python-docx's
        Paragraph) and the note, with its text `body`, into the part."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.text.paragraph import Paragraph

        self.count += 1
        number = str(self.count)
        _reference(paragraph, "w:footnoteReference").set(qn("w:id"), number)

        note = OxmlElement("w:footnote")
        note.set(qn("w:id"), number)
        p = OxmlElement("w:p")
        note.append(p)
        self.element.append(note)
        text = Paragraph(p, paragraph._parent)
        restyle(text, "footnote text")
        _reference(text, "w:footnoteRef")
        text.add_run(" ")
        add_runs(text, body)


# The elements of w:settings that follow w:footnotePr (ECMA-376 §17.15.1.78).
SETTINGS_AFTER_FOOTNOTES = (
    "w:endnotePr",
    "w:compat",
    "w:docVars",
    "w:rsids",
    "m:mathPr",
    "w:attachedSchema",
    "w:themeFontLang",
    "w:clrSchemeMapping",
    "w:doNotIncludeSubdocsInStats",
    "w:doNotAutoCompressPictures",
    "w:forceUpgrade",
    "w:captions",
    "w:readModeInkLockDown",
    "w:smartTagType",
    "sl:schemaLibrary",
    "w:shapeDefaults",
    "w:doNotEmbedSmartTags",
    "w:decimalSymbol",
    "w:listSeparator",
)


def _declare_separators(document) -> None:
    """settings.xml's `w:footnotePr` naming the separator notes, as Word
    writes it: `<w:footnotePr><w:footnote w:id="-1"/><w:footnote w:id="0"/>`."""
    from docx.oxml import parse_xml

    settings = document.settings.element
    footnote_pr = parse_xml(f'<w:footnotePr xmlns:w="{W_NS}"><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>')
    settings.insert_element_before(footnote_pr, *SETTINGS_AFTER_FOOTNOTES)


def para(container, style: str, text: str = ""):
    """A new paragraph at the end of `container` (the document, a cell) in
    the named style. Into the document's body it is put directly before
    the closing section properties, its last child: python-docx looks for
    them among all the body's children at every paragraph it adds, which
    makes a long manuscript quadratic in time."""
    from docx.document import Document as WordDocument
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    if isinstance(container, WordDocument):
        element = OxmlElement("w:p")
        body = container.element.body
        last = next(body.iterchildren(reversed=True), None)  # from the end, at once (len() counts every child)
        if last is not None and last.tag == qn("w:sectPr"):
            last.addprevious(element)
        else:
            body.append(element)
        paragraph = Paragraph(element, container._body)
        if text:
            paragraph.add_run(text)
    else:
        paragraph = container.add_paragraph(text)
    restyle(paragraph, style)
    return paragraph


def restyle(paragraph, style: str) -> None:
    paragraph._p.get_or_add_pPr().style = STYLE_IDS[style]


def _reference(paragraph, mark: str):
    """A run in the style Footnote Reference holding the element `mark`."""
    from docx.oxml import OxmlElement

    run = paragraph.add_run()
    run._r.get_or_add_rPr().style = "FootnoteReference"
    element = OxmlElement(mark)
    run._r.append(element)
    return element


def _saved(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def add_runs(paragraph, runs: Sequence[Run]) -> None:
    """Runs of text into a python-docx paragraph, emphasis as italics (the
    print's break marks in web addresses left out)."""
    for run in runs:
        text = run.text.replace(ZWSP, "").replace(WORD_JOINER, "") if run.url else run.text
        if text:
            made = paragraph.add_run()
            if any(c in text for c in "\t\n\r"):
                made.text = text  # python-docx makes tabs and line breaks, a character at a time
            else:
                made._r.add_t(text)
            if run.em:
                made.italic = True


def add_pieces(paragraph, pieces: Sequence[Piece], footnotes: Footnotes) -> None:
    """Text with its note calls: each footnote called after its word."""
    from ..render.html import Bound, Run

    for piece in pieces:
        if isinstance(piece, Run):
            add_runs(paragraph, (piece,))
        elif isinstance(piece, Bound):
            head = tuple(Run(r.text.replace(SOFT_HYPHEN, ""), r.em, r.url) for r in piece.head)
            add_runs(paragraph, head + piece.runs)
            for note in piece.notes:
                if note.note_kind != "apparatus":  # listed after the text (see manuscript)
                    footnotes.call(paragraph, note.body)


def _runs(text: str) -> tuple[Run, ...]:
    from ..render.html import runs

    return runs(text)


# --- the manuscript ---------------------------------------------------------------


def manuscript(edition: Edition) -> tuple[bytes, list[str]]:
    """The edition (its documents as given) as a Word manuscript, and the
    warnings of placing its notes (the same as a PDF build's). The text of
    each document is the one the PDF prints: the reading text, or with
    `layout: parallel` the columns as a table of one row per segment."""
    from ..render.html import volume_view

    # The apparatus of variants is keyed to printed lines, which a Word
    # file does not have: it follows each document's text, keyed to the
    # paragraph (¶) where its lemma stands. The index refers to pages: none.
    view, warnings = volume_view(dataclasses.replace(edition, apparatus_at="foot", index="none"))
    document = _new_document()
    footnotes = Footnotes(document)
    properties = document.core_properties
    properties.title = plain(edition.title)
    properties.author = "; ".join(plain(e) for e in edition.editors)

    add_runs(para(document, "Title"), _runs(edition.title))
    if edition.subtitle:
        add_runs(para(document, "Subtitle"), _runs(edition.subtitle))
    for editor in edition.editors:
        add_runs(para(document, "Editors"), _runs(editor))
    imprint = ", ".join(filter(None, [edition.publisher, edition.year]))
    if imprint:
        add_runs(para(document, "Editors"), _runs(imprint))
    for doc, model in zip(view.documents, edition.documents):
        _document(document, doc, footnotes, {s.id: n for n, s in enumerate(model.segments, start=1)})
    return _saved(document), warnings


def _document(document, doc: DocumentView, footnotes: Footnotes, paragraph_of: dict[str, int]) -> None:
    from ..render.html import ListBlock

    heading = para(document, "Heading 1")
    heading.paragraph_format.page_break_before = True
    number = heading.add_run(f"No. {doc.printed_number}")
    number.font.small_caps = True
    heading.add_run(" ")
    add_pieces(heading, doc.title, footnotes)
    if doc.place or doc.date:
        dateline = para(document, "Dateline")
        if doc.place:
            add_runs(dateline, doc.place)
            if doc.date:
                dateline.add_run(", ")
        if doc.date:
            if doc.date_supplied:
                dateline.add_run("[")
            add_pieces(dateline, doc.date, footnotes)
            if doc.date_supplied:
                dateline.add_run("]")
    for paragraph in doc.summary:
        add_runs(para(document, "Headnote"), paragraph)
    for line in doc.source:
        add_runs(para(document, "Source Note"), line)

    if doc.columns:
        _parallel(document, doc, footnotes)
    for block in doc.blocks:
        for item in block.items if isinstance(block, ListBlock) else (block,):
            add_pieces(para(document, KIND_STYLES.get(item.kind, "Normal")), item.pieces, footnotes)

    if doc.foot:
        para(document, "Heading 3", "Apparatus")
        for entry in doc.foot:
            line = para(document, "Apparatus Entry")
            line.add_run(f"¶{paragraph_of.get(entry.segment, '?')}").bold = True
            line.add_run("\u2002" + entry.text)
    for title, notes in (("Notes", doc.notes), ("Archival notes", doc.archival)):
        if notes:
            para(document, "Heading 3", title)
        for note in notes:
            entry = para(document, "Endnote Entry")
            if note.label:
                entry.add_run(note.label + " ")
            if note.lemma:
                entry.add_run(note.lemma + (f" ({note.where})" if note.where else "") + "] ")
            add_runs(entry, note.body)
    if doc.unplaced:
        para(document, "Heading 3", "Unplaced text")
        for unplaced in doc.unplaced:
            add_runs(para(document, "Endnote Entry"), unplaced)


def _parallel(document, doc: DocumentView, footnotes: Footnotes) -> None:
    """The parallel layout as a table: a head row of column labels
    (repeated on every page), then a row per segment, a cell per column."""
    table = document.add_table(rows=1, cols=len(doc.columns))
    table.style = "Table Grid"
    _repeat_as_header(table.rows[0])
    for cell, column in zip(table.rows[0].cells, doc.columns):
        restyle(cell.paragraphs[0], "Column Head")
        cell.paragraphs[0].add_run(column.label)
    for row in doc.rows:
        cells = table.add_row().cells
        for cell, block in zip(cells, row.cells):
            if block is not None:
                paragraph = cell.paragraphs[0]
                restyle(paragraph, KIND_STYLES.get(block.kind, "Normal"))
                add_pieces(paragraph, block.pieces, footnotes)


def _repeat_as_header(row) -> None:
    from docx.oxml import OxmlElement

    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:tblHeader"))


# --- the translator's kit ---------------------------------------------------------


def _language(code: str) -> str:
    return LANGUAGE_NAMES.get(code.split("-")[0], code)


def kit(doc: Document, source: str, target: str) -> bytes:
    """A translator's kit for `doc`: a table of one row per segment that
    has text in layer `source` (a layer id, or a language: its newest
    revision): the segment id, the source text, and the text of language
    `target` where the document has it (empty otherwise). A short
    instruction says what to do with it; the marker line names the
    document and languages, for `translation add` to read it back by ids."""
    from .xliff import source_and_target

    from ..render.html import Run

    source_layer, target_layer = source_and_target(doc, source, target)
    source_name, target_name = _language(source_layer.lang), _language(target)
    document = _new_document()
    properties = document.core_properties
    properties.title = f"Translation kit: {plain(doc.title)}"
    para(document, "Title", f"Translation kit: {plain(doc.title)}")
    document.add_paragraph(
        f"Write the {target_name} translation in the right-hand column, row by row. Keep the segment ids "
        f"and the {source_name} text as they are: the translation is read back by the ids. A row left empty "
        f"stays untranslated; a cell may hold several paragraphs; italics are kept. Return the file as .docx "
        f"(the editors add it with `edition translation add {doc.id} FILE.docx`). The editors' notes are comments on the "
        f"{source_name} text; a comment of yours on a row comes back as a translator's note on that segment."
    )
    para(document, "Kit Marker", kit_marker(doc.id, source_layer.id, source_layer.lang, target))
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    _repeat_as_header(table.rows[0])
    for cell, head in zip(table.rows[0].cells, (ID_HEAD, f"{source_name} ({source_layer.lang})", f"{target_name} ({target})")):
        restyle(cell.paragraphs[0], "Column Head")
        cell.paragraphs[0].add_run(head)
    notes_on: dict[str, list] = {}
    for note in doc.notes:
        if note.anchor is not None and note.anchor.segment not in HEAD_PLACES:
            same = notes_on.setdefault(note.anchor.segment, [])
            if not any(n.text == note.text for n in same):  # a note carried to a revision says it once
                same.append(note)
    for segment in doc.segments:
        text = segment.text.get(source_layer.id)
        if not text:
            continue
        cells = table.add_row().cells
        cells[0].paragraphs[0].add_run(segment.id)
        _cell_text(cells[1], text)
        source_runs = [run for paragraph in cells[1].paragraphs for run in paragraph.runs]
        for note in notes_on.get(segment.id, []):
            # The document's notes on a segment, as Word comments on its
            # source text: context for the translator (not stored again).
            comment = document.add_comment(source_runs, author=f"{EDITORS} ({note.kind.value})", initials="")
            add_runs(comment.paragraphs[0], tuple(Run(span, em) for span, em in inline_spans(note.text)))
        translated = segment.text.get(target_layer.id) if target_layer else None
        if translated:
            _cell_text(cells[2], translated)
    from docx.shared import Cm

    table.autofit = False
    widths = (Cm(2.5), Cm(7.25), Cm(7.25))  # the ids narrow, the texts side by side
    for column, width in zip(table.columns, widths):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width
    return _saved(document)


def _cell_text(cell, text: str) -> None:
    """A stored text into a table cell: one paragraph a line, `*…*` as italics."""
    from ..render.html import Run

    for number, line in enumerate(text.split("\n")):
        paragraph = cell.paragraphs[0] if number == 0 else cell.add_paragraph()
        add_runs(paragraph, tuple(Run(span, em) for span, em in inline_spans(line)))


__all__ = ["Footnotes", "kit", "manuscript"]
