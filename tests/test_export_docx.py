"""`edition export docx`: the volume as a Word manuscript for a publisher.
The file is read back twice: through python-docx (styles, runs, tables)
and by parsing its package's XML directly (the footnotes part, its
relationship and content type, each call where its note's anchor is)."""

from __future__ import annotations

import posixpath
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

from edition import api

from .conftest import copy_sample, snapshot

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"

EDITION = """\
title: Letters *from Below*
subtitle: Soviet Reactions to 1956
editors:
- A. Editor
- B. Editor
layout: {layout}
typography: {typography}
"""

LETTER = """\
id: letter
title: Letter to the Journal *Kommunist* on Stalin
date:
  text: not later than 14 November 1956
  iso: '1956-11-14'
  certainty: not-after
  supplied: true
place: Gorky
summary: |-
  An anonymous worker defends *Stalin*.
archival_refs:
- text: RGANI. F. 5. Op. 30. D. 140. L. 197.
layers:
- id: ru
  lang: ru
  role: original
- id: en
  lang: en
  role: translation
  translator: T. Asghar
  translated_from: ru
- id: en.2
  lang: en
  role: translation
  revises: en
segments:
- id: p1
  kind: salutation
  ru: Товарищ редактор!
  en: Comrade Editor,
- id: p2
  ru: Я читаю ваш журнал «Коммунист» на нашем автозаводе.
  en: I read your journal *Kommunist* at our Molotov motor factory every month.
  en.2: I read your journal *Kommunist* every month at our Molotov motor factory.
- id: p3
  kind: quotation
  ru: Цитата.
  en: A quotation from Lenin.
- id: p4
  kind: list-item
  ru: Первое.
  en: First point.
- id: p5
  kind: signature
  ru: Член КПСС с 1924 года
  en: Member of the CPSU since 1924
notes:
- id: n1
  kind: footnote
  layer: en
  at: title
  phrase: Stalin
  text: Sent on by the editors of *Kommunist*.
- id: n2
  kind: footnote
  layer: en.2
  at: p2
  phrase: Molotov motor factory
  text: The Gorky Automobile Plant (GAZ).
- id: g1
  kind: gloss
  layer: en.2
  at: p2
  phrase: journal
  text: zhurnal
- id: n3
  kind: footnote
  layer: en
  at: p3
  phrase: Lenin
  text: Lenin's words, as the writer remembers them.
- id: r1
  kind: footnote
  layer: ru
  at: p2
  phrase: журнал
  text: A note on the original's wording.
- id: a1
  kind: archival
  text: 'Archive. V. Gorbunov. 30.11.1956.'
"""


def make_edition(root: Path, layout: str = "translation", extra: str = "", typography: bool = False) -> Path:
    """The test letter's edition; set as typed unless `typography`, so that
    the structure is read back in the stored words."""
    (root / "seeds").mkdir(parents=True)
    (root / "edition.yaml").write_text(EDITION.format(layout=layout, typography=str(typography).lower()) + extra, encoding="utf-8")
    (root / "seeds" / "letter.yaml").write_text(LETTER, encoding="utf-8")
    return root


def footnotes_of(path: Path) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """The footnote references of the body in order, each with the body
    text before it in its paragraph, and the notes of footnotes.xml by id
    (their text without the note's own reference mark)."""
    with zipfile.ZipFile(path) as package:
        body = etree.fromstring(package.read("word/document.xml"))
        notes = etree.fromstring(package.read("word/footnotes.xml"))
    calls = []
    for paragraph in body.iter(f"{{{W}}}p"):
        text = ""
        for node in paragraph.iter(f"{{{W}}}t", f"{{{W}}}footnoteReference"):
            if node.tag == f"{{{W}}}t":
                text += node.text or ""
            else:
                calls.append((text, node.get(f"{{{W}}}id")))
    texts = {
        note.get(f"{{{W}}}id"): "".join(t.text or "" for t in note.iter(f"{{{W}}}t")).strip()
        for note in notes.iter(f"{{{W}}}footnote")
        if note.get(f"{{{W}}}type") is None
    }
    return calls, texts


def test_the_manuscript_has_the_title_page_and_each_document_in_named_styles(tmp_path):
    root = make_edition(tmp_path / "ed")
    report = api.export_docx(root)
    (path,) = report.written
    assert path == root / "build" / "edition.docx"
    word = docx.Document(path)
    styled = [(p.style.name, p.text) for p in word.paragraphs if p.text]
    assert styled[:4] == [("Title", "Letters from Below"), ("Subtitle", "Soviet Reactions to 1956"), ("Editors", "A. Editor"), ("Editors", "B. Editor")]
    # The reading text is the newest revision (en.2), as the PDF prints it.
    assert styled[4:] == [
        ("Heading 1", "No. 1 Letter to the Journal Kommunist on Stalin"),
        ("Dateline", "Gorky, [not later than 14 November 1956]"),
        ("Headnote", "An anonymous worker defends Stalin."),
        ("Source Note", "RGANI. F. 5. Op. 30. D. 140. L. 197."),
        ("Source Note", "English translation, revised."),
        ("Salutation", "Comrade Editor,"),
        ("Normal", "I read your journal Kommunist every month at our Molotov motor factory."),
        ("Quote", "A quotation from Lenin."),
        ("List Bullet", "First point."),
        ("Signature", "Member of the CPSU since 1924"),
        # The apparatus of variants (en against the printed en.2), keyed
        # to the paragraph, since a Word file has no fixed lines.
        ("Heading 3", "Apparatus"),
        ("Apparatus Entry", "¶2\u2002every month] om. en"),
        ("Apparatus Entry", "¶2\u2002factory] factory every month en"),
        ("Heading 3", "Notes"),
        ("Endnote Entry", "журнал (ru, p2)] A note on the original's wording."),
        ("Heading 3", "Archival notes"),
        ("Endnote Entry", "Archive. V. Gorbunov. 30.11.1956."),
    ]
    heading = next(p for p in word.paragraphs if p.style.name == "Heading 1")
    assert heading.paragraph_format.page_break_before
    assert heading.runs[0].text == "No. 1" and heading.runs[0].font.small_caps
    assert word.styles["Signature"].font.small_caps
    # Emphasis (`*…*`) is italics, in the text and in the heading; nothing else is.
    text = next(p for p in word.paragraphs if p.text.startswith("I read"))
    assert [r.text for r in text.runs if r.italic] == ["Kommunist"]
    assert [r.text for r in heading.runs if r.italic] == ["Kommunist"]
    assert "*" not in "".join(p.text for p in word.paragraphs)
    assert word.core_properties.title == "Letters from Below"


def test_editorial_notes_are_word_footnotes_called_where_their_anchor_is(tmp_path):
    root = make_edition(tmp_path / "ed")
    (path,) = api.export_docx(root).written
    calls, notes = footnotes_of(path)
    # Each call stands right after its note's phrase, in reading order; the
    # note on the text of en (p3) prints too, since en.2 lacks p3 and p3 is
    # printed from en.
    assert [(before, notes[number]) for before, number in calls] == [
        ("No. 1 Letter to the Journal Kommunist on Stalin", "Sent on by the editors of Kommunist."),
        ("I read your journal", "zhurnal"),
        ("I read your journal Kommunist every month at our Molotov motor factory", "The Gorky Automobile Plant (GAZ)."),
        ("A quotation from Lenin", "Lenin's words, as the writer remembers them."),
    ]
    assert [number for _, number in calls] == ["1", "2", "3", "4"]
    assert sorted(notes) == ["1", "2", "3", "4"]
    # A note's emphasis is italics inside the footnote too.
    with zipfile.ZipFile(path) as package:
        footnotes = etree.fromstring(package.read("word/footnotes.xml"))
    first = footnotes.xpath("w:footnote[@w:id='1']", namespaces=NS)[0]
    assert [r.xpath("string(w:t)", namespaces=NS) for r in first.xpath(".//w:r[w:rPr/w:i]", namespaces=NS)] == ["Kommunist"]
    assert first.xpath("string(w:p/w:pPr/w:pStyle/@w:val)", namespaces=NS) == "FootnoteText"
    assert first.xpath("count(.//w:footnoteRef)", namespaces=NS) == 1


def test_the_manuscript_takes_the_typography_of_print_as_the_pdf_does(tmp_path):
    root = make_edition(tmp_path / "ed", layout="parallel", typography=True)
    (path,) = api.export_docx(root).written
    word = docx.Document(str(path))
    sources = [p.text for p in word.paragraphs if p.style.name == "Source Note"]
    assert "RGANI. F.\u00a05. Op.\u00a030. D.\u00a0140. L.\u00a0197." in sources  # a number stays with its abbreviation
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    assert any("на\u00a0нашем" in text for text in cells)  # Russian binds a one-letter preposition
    _, notes = footnotes_of(path)
    assert "A note on the original\u2019s wording." in notes.values()
    assert (root / "seeds" / "letter.yaml").read_text(encoding="utf-8") == LETTER  # the stored text as typed


def test_the_package_is_what_word_writes_for_footnotes(tmp_path):
    """The footnotes part has Word's content type and relationship, the two
    separators Word writes (ids -1 and 0) declared in the settings, and
    every part the relationships name is in the package with a content type."""
    root = make_edition(tmp_path / "ed")
    (path,) = api.export_docx(root).written
    with zipfile.ZipFile(path) as package:
        names = set(package.namelist())
        types = etree.fromstring(package.read("[Content_Types].xml"))
        rels = etree.fromstring(package.read("word/_rels/document.xml.rels"))
        settings = etree.fromstring(package.read("word/settings.xml"))
        footnotes = etree.fromstring(package.read("word/footnotes.xml"))
        styles = etree.fromstring(package.read("word/styles.xml"))
        for name in names:
            if name.endswith((".xml", ".rels")):
                etree.fromstring(package.read(name))  # every XML part is well-formed
    overrides = {o.get("PartName"): o.get("ContentType") for o in types.iter(f"{CT}Override")}
    defaults = {d.get("Extension"): d.get("ContentType") for d in types.iter(f"{CT}Default")}
    assert overrides["/word/footnotes.xml"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
    for name in names:
        assert "/" + name in overrides or name.rsplit(".", 1)[-1] in defaults, name
    targets = {r.get("Type").rsplit("/", 1)[-1]: r.get("Target") for r in rels.iter(f"{RELS}Relationship") if r.get("TargetMode") != "External"}
    assert targets["footnotes"] == "footnotes.xml"
    assert all(posixpath.normpath(f"word/{target}") in names for target in targets.values())
    assert settings.xpath("w:footnotePr/w:footnote/@w:id", namespaces=NS) == ["-1", "0"]
    # footnotePr stands where the schema puts it: before w:compat.
    children = [etree.QName(c).localname for c in settings]
    assert children.index("footnotePr") < children.index("compat")
    kinds = [(n.get(f"{{{W}}}type"), n.get(f"{{{W}}}id")) for n in footnotes]
    assert kinds[:2] == [("separator", "-1"), ("continuationSeparator", "0")]
    assert footnotes.xpath("count(w:footnote[1]//w:separator)", namespaces=NS) == 1
    assert footnotes.xpath("count(w:footnote[2]//w:continuationSeparator)", namespaces=NS) == 1
    # Word's own footnote styles, by their built-in names.
    named = {s.get(f"{{{W}}}styleId"): s.xpath("string(w:name/@w:val)", namespaces=NS) for s in styles.iter(f"{{{W}}}style")}
    assert named["FootnoteText"] == "footnote text" and named["FootnoteReference"] == "footnote reference"
    reference = styles.xpath("w:style[@w:styleId='FootnoteReference']", namespaces=NS)[0]
    assert reference.xpath("string(w:rPr/w:vertAlign/@w:val)", namespaces=NS) == "superscript"
    # python-docx opens it again and can save it unchanged in content.
    again = tmp_path / "again.docx"
    docx.Document(path).save(again)
    assert footnotes_of(again) == footnotes_of(path)


def test_the_reading_setting_chooses_the_text_as_for_the_pdf(tmp_path):
    root = make_edition(tmp_path / "ed", extra="reading: en\n")
    (path,) = api.export_docx(root).written
    texts = [p.text for p in docx.Document(path).paragraphs]
    assert "I read your journal Kommunist at our Molotov motor factory every month." in texts
    calls, notes = footnotes_of(path)
    # The notes on en.2 are not on the printed text: they go after it.
    assert [notes[n] for _, n in calls] == ["Sent on by the editors of Kommunist.", "Lenin's words, as the writer remembers them."]
    assert "Molotov motor factory (en.2, p2)] The Gorky Automobile Plant (GAZ)." in texts


def test_the_parallel_layout_is_a_table_of_one_row_per_segment(tmp_path):
    root = make_edition(tmp_path / "ed", layout="parallel", extra="columns: [ru, en]\n")
    (path,) = api.export_docx(root).written
    word = docx.Document(path)
    (table,) = word.tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["Russian original", "English translation by T. Asghar"]
    assert rows[1:] == [
        ["Товарищ редактор!", "Comrade Editor,"],
        ["Я читаю ваш журнал «Коммунист» на нашем автозаводе.", "I read your journal Kommunist at our Molotov motor factory every month."],
        ["Цитата.", "A quotation from Lenin."],
        ["Первое.", "First point."],
        ["Член КПСС с 1924 года", "Member of the CPSU since 1924"],
    ]
    assert table.rows[0]._tr.xpath("./w:trPr/w:tblHeader")  # the head repeats on every page
    assert table.rows[5].cells[1].paragraphs[0].style.name == "Signature"
    calls, notes = footnotes_of(path)
    # The notes of both columns are footnotes, each after its phrase.
    assert [(before.split()[-1], notes[n]) for before, n in calls] == [
        ("Stalin", "Sent on by the editors of Kommunist."),
        ("журнал", "A note on the original's wording."),
        ("Lenin", "Lenin's words, as the writer remembers them."),
    ]


def test_named_documents_only_and_the_sample_edition(tmp_path, cli):
    root = copy_sample(tmp_path / "sample")
    out = tmp_path / "two.docx"
    result = cli("export", "docx", "1956-11", "1953", "--out", out, "-C", root)
    assert result.exit_code == 0, result.output
    assert f"exported 2 document(s) as a Word manuscript: {out}" in result.stderr
    headings = [p.text for p in docx.Document(out).paragraphs if p.style.name == "Heading 1"]
    assert len(headings) == 2 and headings[0].startswith("No. 1 ") and headings[1].startswith("No. 2 ")
    calls, notes = footnotes_of(out)
    assert calls and len(notes) == len(calls)


def test_bad_command_lines_are_refused_and_nothing_is_written(tmp_path, cli):
    root = make_edition(tmp_path / "ed")
    before = snapshot(root)
    wrong_name = cli("export", "docx", "--out", tmp_path / "volume.pdf", "-C", root)
    assert wrong_name.exit_code == 2 and "--out names the Word file to write" in wrong_name.stderr
    into_sources = cli("export", "docx", "--out", root / "seeds" / "letter.docx", "-C", root)
    assert into_sources.exit_code == 2 and "nothing was written" in into_sources.stderr
    kit_elsewhere = cli("export", "tei", "--kit", "-C", root)
    assert kit_elsewhere.exit_code == 2 and "--kit is for docx" in kit_elsewhere.stderr
    assert "Traceback" not in wrong_name.output + into_sources.output + kit_elsewhere.output
    assert snapshot(root) == before


def test_export_docx_from_the_installed_command(tmp_path):
    root = make_edition(tmp_path / "ed")
    done = subprocess.run([sys.executable, "-m", "edition.cli", "export", "docx", "-C", str(root)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    calls, notes = footnotes_of(root / "build" / "edition.docx")
    assert len(calls) == 4 and len(notes) == 4


@pytest.mark.parametrize("layout", ["translation", "parallel"])
def test_every_call_has_its_note_and_every_note_its_call(tmp_path, layout):
    """On the sample edition, in both layouts: no dangling reference (Word
    repairs a file whose reference names no footnote)."""
    root = copy_sample(tmp_path / "sample")
    out = tmp_path / f"{layout}.docx"
    api.export_docx(root, out=out) if layout == "translation" else _parallel(root, out)
    calls, notes = footnotes_of(out)
    assert sorted(n for _, n in calls) == sorted(notes) and calls


def _parallel(root: Path, out: Path) -> None:
    text = (root / "edition.yaml").read_text(encoding="utf-8").replace("layout: translation", "layout: parallel")
    (root / "edition.yaml").write_text(text, encoding="utf-8")
    api.export_docx(root, out=out)
