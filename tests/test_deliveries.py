"""Reading delivered translations: plain text, Markdown with front matter
and footnotes, Word files with styles and footnotes; and their bad forms."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from edition.errors import EditionError
from edition.importers import read_delivery
from edition.model import SegmentKind

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def make_docx(path: Path, paragraphs: list[tuple[str | None, list]], footnotes: dict[str, str]) -> Path:
    """A minimal Word package: each paragraph is (style id or None, runs);
    a run is text or ("fn", id) for a footnote reference."""
    body = []
    for style, runs in paragraphs:
        ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
        parts = []
        for run in runs:
            if isinstance(run, tuple):
                parts.append(f'<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteReference w:id="{run[1]}"/></w:r>')
            else:
                parts.append(f'<w:r><w:t xml:space="preserve">{run}</w:t></w:r>')
        body.append(f"<w:p>{ppr}{''.join(parts)}</w:p>")
    document = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W_NS}><w:body>{"".join(body)}</w:body></w:document>'
    notes = "".join(
        f'<w:footnote w:id="{i}"><w:p><w:r><w:t>{t}</w:t></w:r></w:p></w:footnote>' for i, t in footnotes.items()
    )
    footnotes_xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes {W_NS}>'
        f'<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>{notes}</w:footnotes>'
    )
    styles = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles {W_NS}>'
        '<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style>'
        '<w:style w:type="paragraph" w:styleId="ListBullet"><w:name w:val="List Bullet"/></w:style>'
        '<w:style w:type="paragraph" w:styleId="Quote"><w:name w:val="Quote"/></w:style>'
        "</w:styles>"
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        '<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/>'
        '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
        "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
        "</Relationships>"
    )
    doc_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
        "</Relationships>"
    )
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("[Content_Types].xml", content_types)
        package.writestr("_rels/.rels", rels)
        package.writestr("word/document.xml", document)
        package.writestr("word/_rels/document.xml.rels", doc_rels)
        package.writestr("word/footnotes.xml", footnotes_xml)
        package.writestr("word/styles.xml", styles)
    return path


def test_word_file_paragraphs_styles_and_footnotes(tmp_path):
    path = make_docx(
        tmp_path / "letter.docx",
        [
            ("Heading1", ["Письмо в редакцию"]),
            (None, ["Товарищ редактор,"]),
            (None, ["Я постоянный читатель журнала «Коммунист»", ("fn", "1"), " и удивлён."]),
            ("ListBullet", ["первый пункт"]),
            ("Quote", ["«Цитата»"]),
            (None, ["   "]),
        ],
        {"1": "Журнал ЦК КПСС."},
    )
    delivery = read_delivery(path)
    assert [(p.kind, p.text) for p in delivery.paragraphs] == [
        (SegmentKind.HEADING, "Письмо в редакцию"),
        (SegmentKind.PARAGRAPH, "Товарищ редактор,"),
        (SegmentKind.PARAGRAPH, "Я постоянный читатель журнала «Коммунист» и удивлён."),
        (SegmentKind.LIST_ITEM, "первый пункт"),
        (SegmentKind.QUOTATION, "«Цитата»"),
    ]
    (note,) = delivery.notes
    assert (note.paragraph, note.phrase, note.text) == (2, "«Коммунист»", "Журнал ЦК КПСС.")
    assert delivery.name == "letter.docx" and len(delivery.sha256) == 64


def test_markdown_front_matter_and_footnotes(tmp_path):
    path = tmp_path / "de.md"
    path.write_text(
        "---\nlang: de\ntranslator: Anna Schmidt\nfrom: en\n---\n\n# Überschrift\n\nErster Absatz[^a] mit\nzwei Zeilen.\n\n"
        "- eins\n- zwei\n\n> Ein Zitat\n> über zwei Zeilen.\n\n[^a]: Wörtlich: „Absatz“.\n",
        encoding="utf-8",
    )
    delivery = read_delivery(path)
    assert delivery.meta == {"lang": "de", "translator": "Anna Schmidt", "from": "en"}
    assert [(p.kind.value, p.text) for p in delivery.paragraphs] == [
        ("heading", "Überschrift"),
        ("paragraph", "Erster Absatz mit zwei Zeilen."),
        ("list-item", "eins"),
        ("list-item", "zwei"),
        ("quotation", "Ein Zitat über zwei Zeilen."),
    ]
    (note,) = delivery.notes
    assert (note.paragraph, note.phrase, note.text) == (1, "Absatz", "Wörtlich: „Absatz“.")


def test_plain_text_with_bom_and_crlf(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes("\ufeffFirst\r\nparagraph.\r\n\r\nSecond.\r\n".encode())
    assert [p.text for p in read_delivery(path).paragraphs] == ["First paragraph.", "Second."]


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("empty.txt", b"", "file is empty"),
        ("blank.txt", b"\n\n  \n", "file is empty"),
        ("latin1.txt", "Gr\u00fc\u00dfe aus K\u00f6ln".encode("latin-1"), "invalid UTF-8"),
        ("fake.docx", b"This is not a zip file at all", "not a Word file"),
        ("broken.docx", b"PK\x03\x04broken zip", "not a Word file"),
        ("doc.pdf", b"%PDF-1.4", "cannot read '.pdf' files"),
        ("front.md", b"---\nlang: de\ntranslater: X\n---\n\nText.\n", "unknown field 'translater' in the front matter"),
        ("nodef.md", b"Text[^9] here.\n", "footnote call [^9] has no definition"),
    ],
)
def test_bad_deliveries_are_clear_errors(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(EditionError, match=message.replace("[", r"\[").replace("^", r"\^").replace(".", r"\.")) as info:
        read_delivery(path)
    assert str(path) in str(info.value)


def test_a_word_file_with_an_external_entity_reads_no_local_file(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    path = make_docx(tmp_path / "x.docx", [(None, ["Hello"])], {})
    # Rewrite document.xml with an external entity pointing at the secret.
    evil = (
        f'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        f'<w:document {W_NS}><w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>'
    )
    rebuilt = tmp_path / "evil.docx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(rebuilt, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, evil if item.filename == "word/document.xml" else src.read(item))
    try:
        delivery = read_delivery(rebuilt)
    except EditionError:
        return  # refused: fine
    assert all("TOP SECRET" not in p.text for p in delivery.paragraphs)
