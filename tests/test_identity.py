"""Document identity: ids made for new documents (transliterated, numbered,
cut between words, unique), the document number, naming a document by id,
position or prefix, `edition list` at 80 columns; every format a document
arrives in (.txt, .md, .docx, TEI and a bare FRUS div); emphasis in every
TEI element that holds text."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from edition import api, store
from edition.export.tei import corpus_tei, document_tei
from edition.importers import read as import_file
from edition.importers.ids import MAX_LENGTH, ascii_words, document_id, make_unique
from edition.model import (
    Anchor,
    ArchivalRef,
    DateSpec,
    Document,
    Edition,
    Layer,
    Note,
    NoteKind,
    Segment,
)
from edition.text import words

from .conftest import snapshot
from .test_tei import NS, assert_valid, reimport, rich_document, stored_words, tei_schema, tei_text_words  # noqa: F401

ID_SHAPE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def new_edition(root: Path) -> Path:
    api.init(root, "Volume", ["An Editor"])
    return root


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------
# Ids.


def test_cyrillic_titles_are_transliterated_by_the_library_of_congress_system():
    assert document_id("Шифртелеграмма Рощина Филиппову") == "shifrtelegramma-roshchina-filippovu"
    assert document_id("Записка Щербакова о положении", date_iso="1943-05-01") == "1943-05-01-zapiska-shcherbakova-o-polozhenii"
    assert ascii_words("Юрий Ёлкин") == ["iurii", "elkin"]


def test_two_russian_documents_get_their_own_ids(tmp_path, cli):
    root = new_edition(tmp_path / "ed")
    first = write(tmp_path / "a.txt", "Письмо Хрущёву\n\nТекст первого письма.\n")
    second = write(tmp_path / "b.txt", "Записка Молотова\n\nТекст записки.\n")
    result = cli("import", first, second, "--lang", "ru", "-C", root)
    assert result.exit_code == 0, result.output
    ids = sorted(p.stem for p in (root / "seeds").glob("*.yaml"))
    assert ids == ["pismo-khrushchevu", "zapiska-molotova"]


def test_numbers_in_titles_are_kept():
    assert document_id("Genesis, chapter 1") == "genesis-chapter-1"
    assert document_id("Genesis, chapter 2") == "genesis-chapter-2"
    assert document_id("Ciphered Telegram No. 709, Filippov to Krasovsky", date_iso="1952-02-03") == "1952-02-03-ciphered-telegram-709-filippov-krasovsky"


def test_numbered_documents_of_a_volume_import_together(tmp_path, cli):
    root = new_edition(tmp_path / "ed")
    files = [write(tmp_path / f"ch{n}.md", f"# Genesis, chapter {n}\n\nIn the beginning, part {n}.\n") for n in (1, 2, 10)]
    result = cli("import", *files, "-C", root)
    assert result.exit_code == 0, result.output
    assert sorted(p.stem for p in (root / "seeds").glob("*.yaml")) == ["genesis-chapter-1", "genesis-chapter-10", "genesis-chapter-2"]


@pytest.mark.parametrize(
    "title",
    [
        "Telegram from the Ambassador in the Soviet Union to the Department of State concerning Comrade Nikolaev",
        "Memorandum of Conversation between Comrade Nadezhda Konstantinovna and the Delegation",
        "Supercalifragilisticexpialidociousandsomewhatlongerstill",
        "Письмо товарища Константина Константиновича Константинопольского в редакцию журнала",
    ],
)
def test_long_titles_are_cut_between_words(title):
    made = document_id(title)
    assert ID_SHAPE.match(made) and made != "document"
    title_words = ascii_words(title)
    parts = made.split("-")
    assert all(part in title_words for part in parts), f"{made} has a cut word"
    assert len(made) <= MAX_LENGTH or len(parts) == 1


def test_titles_without_letters_use_the_file_name_never_document(tmp_path):
    assert document_id("北京", fallback="beijing-cable") == "beijing-cable"
    assert document_id("…") == "untitled"
    result = import_file(write(tmp_path / "Cable from Beijing.txt", "北京\n\n电报的正文。\n"))
    assert result.documents[0].id == "cable-beijing"


def test_collisions_in_a_batch_and_against_the_edition(tmp_path, cli):
    def doc(title: str, text: str) -> Document:
        return Document(id=document_id(title), title=title, layers=[Layer("en", "en")], segments=[Segment("p1", text={"en": text})])

    batch = [doc("Cable", "one"), doc("Cable", "two"), doc("Cable", "three")]
    make_unique(batch)
    assert [d.id for d in batch] == ["cable", "cable-2", "cable-3"]
    existing = {"cable": dataclasses.replace(batch[0], title="Cable"), "cable-2": doc("Cable.", "other")}
    again = [doc("Cable", "one"), doc("Cable", "new")]
    make_unique(again, existing)
    # The same title and date is the same document imported again: it keeps its id.
    assert [d.id for d in again] == ["cable", "cable-3"]

    root = new_edition(tmp_path / "ed")
    a = write(tmp_path / "a.txt", "Report\n\nThe first report.\n")
    b = write(tmp_path / "b.txt", "Report!\n\nThe second report.\n")
    assert cli("import", a, "-C", root).exit_code == 0
    result = cli("import", b, "-C", root)
    assert result.exit_code == 0, result.output
    assert sorted(p.stem for p in (root / "seeds").glob("*.yaml")) == ["report", "report-2"]
    # Importing the first file again is refused, not duplicated.
    before = snapshot(root)
    again = cli("import", a, "-C", root)
    assert again.exit_code == 2 and "report.yaml" in again.stderr and "--replace" in again.stderr and "Traceback" not in again.output
    assert snapshot(root) == before


def test_all_wilson_pages_import_at_once_with_distinct_readable_ids(tmp_path, real_data):
    root = new_edition(tmp_path / "ed")
    pages = sorted((real_data / "wilson").glob("*.txt"))
    assert len(pages) == 11
    done = subprocess.run(
        [sys.executable, "-m", "edition", "import", *map(str, pages), "-C", str(root)],
        capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"}, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    ids = [p.stem for p in (root / "seeds").glob("*.yaml")]
    assert len(ids) == len(set(ids)) == 11
    for doc_id in ids:
        assert ID_SHAPE.match(doc_id) and len(doc_id.split("-")) >= 3, doc_id
    assert not any(doc_id.endswith(("-2", "-3")) for doc_id in ids), "titles alone should tell these pages apart"


# --------------------------------------------------------------------------
# The document number and the volume's order.


def test_number_is_stored_apart_from_the_title_and_orders_the_volume(tmp_path):
    root = new_edition(tmp_path / "ed")
    date = DateSpec("26 January 1956", "1956-01-26")
    for number in ("10", "9", "9a"):
        doc = Document(id=f"d{number}", title=f"Telegram {number}", date=date, number=number,
                       layers=[Layer("en", "en")], segments=[Segment("p1", text={"en": "Text."})])  # fmt: skip
        store.write_document(root, doc)
    earlier = Document(id="zz", title="Earlier", date=DateSpec("1955", "1955"), layers=[Layer("en", "en")], segments=[Segment("p1", text={"en": "T."})])
    store.write_document(root, earlier)
    text = (root / "seeds" / "d9a.yaml").read_text(encoding="utf-8")
    assert "title: Telegram 9a\nnumber: 9a\n" in text
    edition = store.load(root)
    assert [(d.id, d.number) for d in edition.documents] == [("zz", None), ("d9", "9"), ("d9a", "9a"), ("d10", "10")]
    # A number written by hand, unquoted, is still text.
    (root / "seeds" / "d10.yaml").write_text(text.replace("number: 9a", "number: 010").replace("id: d9a", "id: d10"), encoding="utf-8")
    assert store.load(root).document("d10").number == "010"


def test_number_is_in_the_json_and_tei_export_and_comes_back(tmp_path):
    doc = rich_document()
    doc.number = "22a"
    data = document_tei(doc, Edition(title="T"))
    tree = etree.fromstring(data)
    assert tree.find(".//t:publicationStmt/t:idno[@type='number']", NS).text == "22a"
    (back,) = reimport(data, tmp_path)
    assert back.number == "22a" and store.document_tree(back) == store.document_tree(doc)
    from edition.export.json import document_json

    assert document_json(doc)["number"] == "22a"


# --------------------------------------------------------------------------
# Naming a document.


@pytest.fixture
def volume(tmp_path) -> Path:
    """Four documents: two dated 1956 (ids start with the year), one with a
    long id, one undated."""
    root = new_edition(tmp_path / "vol")
    docs = [
        ("1956-11-02-cable-chinese-embassy", DateSpec("2 November 1956", "1956-11-02")),
        ("1956-11-02-cable-chinese-foreign-ministry", DateSpec("2 November 1956", "1956-11-02")),
        ("1962-10-25-minutes-hungarian-council-of-ministers", DateSpec("25 October 1962", "1962-10-25")),
        ("untitled", None),
    ]
    for doc_id, date in docs:
        store.write_document(root, Document(id=doc_id, title=f"Title of {doc_id}", date=date,
                                            layers=[Layer("en", "en")], segments=[Segment("p1", text={"en": f"Text of {doc_id}."})]))  # fmt: skip
    return root


def test_show_by_position_prefix_and_id(volume, cli):
    assert "Text of 1956-11-02-cable-chinese-embassy." in cli("show", "1", "-C", volume).stdout
    assert "Text of untitled." in cli("show", "4", "-C", volume).stdout
    assert "Text of 1962-10-25-minutes" in cli("show", "1962", "-C", volume).stdout
    assert "Text of 1956-11-02-cable-chinese-foreign-ministry." in cli("show", "1956-11-02-cable-chinese-f", "-C", volume).stdout
    assert "Text of untitled." in cli("show", "untitled", "-C", volume).stdout


def test_an_ambiguous_prefix_lists_the_candidates(volume, cli):
    result = cli("show", "1956", "-C", volume)
    assert result.exit_code == 2 and result.stdout == ""
    assert "'1956' is the start of 2 document ids: 1 1956-11-02-cable-chinese-embassy, 2 1956-11-02-cable-chinese-foreign-ministry" in result.stderr
    assert "hint:" in result.stderr and "Traceback" not in result.output


def test_an_unknown_name_says_which_documents_exist(volume, cli):
    result = cli("show", "telegram", "-C", volume)
    assert result.exit_code == 2 and result.stdout == ""
    assert "no document 'telegram' in this edition" in result.stderr
    assert "the edition has 4 document(s): 1956-11-02-cable-chinese-embassy," in result.stderr and "edition list" in result.stderr
    result = cli("show", "5", "-C", volume)
    assert result.exit_code == 2 and "no document number 5: the edition has 4 document(s), numbered 1 to 4" in result.stderr


def test_every_command_that_takes_a_document_takes_its_number(volume, cli, tmp_path):
    note = cli("note", "add", "3", "--layer", "en", "--segment", "p1", "--at", "Text", "--text", "A note.", "-C", volume)
    assert note.exit_code == 0, note.output
    assert "A note." in cli("show", "3", "-C", volume).stdout
    translation = write(tmp_path / "de.txt", "Text auf Deutsch.\n")
    added = cli("translation", "add", "2", translation, "--lang", "de", "-C", volume)
    assert added.exit_code == 0, added.output
    assert (volume / "translations" / "1956-11-02-cable-chinese-foreign-ministry").is_dir()
    out = tmp_path / "out"
    exported = cli("export", "json", "1", "-C", volume, "--out", out)
    assert exported.exit_code == 0, exported.output


def test_list_never_breaks_an_id_at_80_columns(volume, cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    table = cli("list", "-C", volume).stdout
    lines = table.splitlines()
    assert lines and all(len(line) <= 80 for line in lines)
    for position, doc_id in enumerate(d.id for d in store.load(volume).documents):
        row = next(line for line in lines if line.lstrip().startswith(f"{position + 1} "))
        assert f" {doc_id} " in f"{row} ", f"{doc_id} broken in:\n{table}"
    # The title folds instead.
    assert any(line.startswith(" " * 10) for line in lines)
    # Narrower than an id: the line runs past the edge, the id stays whole.
    monkeypatch.setenv("COLUMNS", "30")
    narrow = cli("list", "-C", volume).stdout
    assert "1962-10-25-minutes-hungarian-council-of-ministers" in narrow and "…" not in narrow


# --------------------------------------------------------------------------
# Every format a document arrives in.

TEXT = [
    ("title", "Letter from Comrade Ivanov to the Editorial Board"),
    ("date", "12 March 1957"),
    ("p", "Dear comrades,"),
    ("italic", ("We read the article in ", "Pravda", " with great attention.")),
    ("p", "The second paragraph speaks of the plan for 1958."),
    ("p", "I. Ivanov"),
]


def _as_txt(path: Path) -> Path:
    blocks = ["".join((a, f"*{b}*", c)) if kind == "italic" else text for kind, text in TEXT for a, b, c in [text if kind == "italic" else ("", "", "")]]
    return write(path, "\n\n".join(blocks) + "\n")


def _as_md(path: Path) -> Path:
    blocks = []
    for kind, text in TEXT:
        if kind == "title":
            blocks.append(f"# {text}")
        elif kind == "italic":
            blocks.append(f"{text[0]}_{text[1]}_{text[2]}")
        else:
            blocks.append(text)
    return write(path, "\n\n".join(blocks) + "\n")


def _as_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    for kind, text in TEXT:
        if kind == "title":
            document.add_heading(text, level=0)
        elif kind == "italic":
            paragraph = document.add_paragraph(text[0])
            paragraph.add_run(text[1]).italic = True
            paragraph.add_run(text[2])
        else:
            document.add_paragraph(text)
    document.save(str(path))
    return path


def test_the_same_text_as_txt_md_and_docx_is_the_same_document(tmp_path):
    made = [fn(tmp_path / f"letter.{ext}") for fn, ext in ((_as_txt, "txt"), (_as_md, "md"), (_as_docx, "docx"))]
    trees = [store.document_tree(import_file(path).documents[0]) for path in made]
    assert trees[0] == trees[1] == trees[2]
    doc = import_file(made[2]).documents[0]
    assert doc.id == "1957-03-12-letter-comrade-ivanov-editorial"
    assert doc.segments[1].text["en"] == "We read the article in *Pravda* with great attention."
    assert [s.kind.value for s in doc.segments] == ["salutation", "paragraph", "paragraph", "signature"]


def test_markdown_document_with_front_matter_and_footnotes(tmp_path, cli):
    root = new_edition(tmp_path / "ed")
    source = write(tmp_path / "note.md", (
        "---\ntitle: Note by *Comrade* Suslov\nnumber: '7'\ndate: 3 May 1956\nlang: ru\ncollection: Politburo papers\n---\n"
        "## Part one\n\nТекст записки[^1] и далее.\n\n- первое\n- второе\n\n> цитата\n\n[^1]: Подчёркнуто.\n"
    ))  # fmt: skip
    result = cli("import", source, "-C", root)
    assert result.exit_code == 0, result.output
    doc = store.load(root).documents[0]
    assert (doc.id, doc.number, doc.title, doc.date.iso, doc.collection) == (
        "1956-05-03-note-comrade-suslov", "7", "Note by *Comrade* Suslov", "1956-05-03", "Politburo papers")  # fmt: skip
    assert [(s.kind.value, s.text["ru"]) for s in doc.segments] == [
        ("heading", "Part one"), ("paragraph", "Текст записки и далее."), ("list-item", "первое"),
        ("list-item", "второе"), ("quotation", "цитата"),
    ]  # fmt: skip
    assert [(n.text, n.anchor) for n in doc.notes] == [("Подчёркнуто.", Anchor("ru", "p2", "записки", 1))]


def test_bad_front_matter_names_the_line_and_writes_nothing(tmp_path, cli):
    root = new_edition(tmp_path / "ed")
    before = snapshot(root)
    bad = write(tmp_path / "bad.md", "---\ntitle: A\nnumbr: 3\n---\nText.\n")
    result = cli("import", bad, "-C", root)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{bad}:3:1: unknown field 'numbr' in the front matter" in result.stderr and "did you mean 'number'?" in result.stderr
    baddate = write(tmp_path / "baddate.md", "---\ndate: sometime\n---\nText.\n")
    result = cli("import", baddate, "-C", root)
    assert result.exit_code == 1 and f"{baddate}:2:1: 'sometime' in the front matter is not a date" in result.stderr
    assert snapshot(root) == before


def test_word_footnotes_become_numbered_notes(tmp_path):
    from .test_deliveries import make_docx

    path = make_docx(
        tmp_path / "doc.docx",
        [("Title", ["Memorandum on the plan"]), (None, ["The plan", ("fn", "1"), " was approved."])],
        {"1": "Approved on 3 May."},
    )
    doc = import_file(path).documents[0]
    assert doc.title == "Memorandum on the plan" and doc.id == "memorandum-plan"
    assert [(n.label, n.text, n.anchor) for n in doc.notes] == [("1", "Approved on 3 May.", Anchor("en", "p1", "plan", 1))]


FRUS = {
    "frus1955-57v24-d22": ("22", "Diary Entry by the President’s Press Secretary (Hagerty)", "1956-01-26", "Washington"),
    "frus1961-63v05-d146": ("146", "Letter From the Ambassador in the Soviet Union (Thompson) to the Secretary of State's Special Assistant (Bohlen)", "1962-01-25", "Moscow"),
    "frus1961-63v05-d147": ("147", "Telegram From the Department of State to the Embassy in the United Kingdom", "1962-01-26", "Washington"),
    "frus1961-63v05-d150": ("150", "Memorandum of Conversation", "1962-01-30", "Washington"),
}  # fmt: skip
FRUS_WRAP = b'<TEI xmlns="http://www.tei-c.org/ns/1.0" xmlns:frus="http://history.state.gov/frus/ns/1.0"><text><body>'


@pytest.mark.parametrize("stem", sorted(FRUS))
def test_frus_fragments_import_with_their_id_number_title_date_notes_and_every_word(stem, real_data):
    path = real_data / "frus" / f"{stem}.xml"
    result = import_file(path)
    (doc,) = result.documents
    number, title, iso, place = FRUS[stem]
    assert (doc.id, doc.number, doc.title, doc.date.iso, doc.place) == (stem, number, title, iso, place)
    tree = etree.fromstring(FRUS_WRAP + path.read_bytes() + b"</body></text></TEI>")
    notes = tree.findall(".//t:note", NS)
    source = [n for n in notes if n.get("type") == "source"]
    # The source note is the document's archival source; the others are its notes.
    assert len(source) == 1 and doc.archival_refs[0].text == re.sub(r"\s+", " ", "".join(source[0].itertext())).removeprefix("Source: ")
    assert [n.label for n in doc.notes] == [n.get("n") for n in notes if n.get("type") != "source"]
    assert all(n.anchor is not None for n in doc.notes)
    expected = tei_text_words(tree.find("t:text", NS))
    stored = stored_words(doc) + Counter(words(doc.number)) + Counter(w for label in result.structure for w in words(label))
    assert stored == expected, f"lost: {expected - stored}, extra: {stored - expected}"


def test_frus_fragments_import_through_the_cli_and_are_named_by_number(tmp_path, cli, real_data):
    root = new_edition(tmp_path / "ed")
    result = cli("import", *sorted((real_data / "frus").glob("*.xml")), "-C", root)
    assert result.exit_code == 0, result.output
    rows = json.loads(cli("list", "--json", "-C", root).stdout)
    assert [r["id"] for r in rows] == sorted(FRUS)  # by date: 1956, then January 1962
    assert cli("show", "4", "-C", root).stdout.startswith("150. Memorandum of Conversation\nJanuary 30, 1962, 1 p.m.\n")
    assert "Hagerty" in cli("show", "frus1955", "-C", root).stdout


def test_a_fragment_with_entities_is_refused(tmp_path):
    bad = write(tmp_path / "d1.xml", '<!DOCTYPE div [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<div type="document" xml:id="d1"><p>&x;</p></div>\n')
    with pytest.raises(Exception) as raised:
        import_file(bad)
    assert "d1.xml" in str(raised.value) and "passwd" not in str(raised.value).split("file:")[0]


def test_a_broken_fragment_names_the_files_line(tmp_path):
    from edition.errors import EditionError

    bad = write(tmp_path / "d2.xml", '<div type="document" xml:id="d2" n="2">\n  <head>2. Title</head>\n  <p>Text</pp>\n</div>\n')
    with pytest.raises(EditionError) as raised:
        import_file(bad)
    problem = raised.value.problems[0]
    assert problem.line == 3 and "malformed XML" in problem.message


# --------------------------------------------------------------------------
# Emphasis in every TEI element that holds text.


def emphasised_document() -> tuple[Document, Edition]:
    doc = rich_document()
    doc.title = "Letter to the *Kommunist* editors"
    doc.number = "3"
    doc.date = dataclasses.replace(doc.date, text="not later than *18 September* 1956")
    for key in ("collection", "author", "recipient", "place", "doc_type", "citation", "publication", "summary", "credit", "rights"):
        setattr(doc, key, f"The *{key}* field")
    # An idno holds no markup in TEI: opis, delo and folios are written plain.
    doc.archival_refs = [ArchivalRef("*RGANI* F. 5, op. 30", "*RGANI*", "*5*", "30", "140", "182", "*Attested* copy")]
    doc.unplaced = ["Stamp: *illegible*"]
    doc.layers = [dataclasses.replace(layer, translator=layer.translator and f"*{layer.translator}*",
                                      description=f"Layer *{layer.id}*") for layer in doc.layers]  # fmt: skip
    doc.notes.append(Note("n9", NoteKind.FOOTNOTE, "An *emphasised* note.", Anchor("en", "p1", ""), "9"))
    edition = Edition(title="The *Volume*", subtitle="A *subtitle*", editors=["E. *Ditor*"], publisher="*Press*", year="2026")
    return doc, edition


def test_no_asterisk_leaks_into_any_tei_text_node(tmp_path, tei_schema):
    doc, edition = emphasised_document()
    for what, data in (("document", document_tei(doc, edition)), ("corpus", corpus_tei(dataclasses.replace(edition, documents=[doc])))):
        assert_valid(tei_schema, data, what)
        tree = etree.fromstring(data)
        leaks = [(etree.QName(el).localname, t) for el in tree.iter() if isinstance(el.tag, str)
                 for t in (el.text, el.tail) if t and "*" in t]  # fmt: skip
        assert leaks == [], leaks
        his = {etree.QName(hi.getparent()).localname for hi in tree.iter(f"{{{NS['t']}}}hi")}
        assert {"title", "head", "repository", "name", "placeName", "term", "date", "item", "note", "bibl", "p", "publisher"} <= his
    (back,) = reimport(document_tei(doc, edition), tmp_path)
    assert store.document_tree(back) == store.document_tree(doc)


def test_html_shows_emphasis_as_em(tmp_path):
    from edition.render.html import render_html, templates_dirs

    doc, edition = emphasised_document()
    html = render_html(dataclasses.replace(edition, documents=[doc]), templates_dirs(tmp_path))
    for word in ("Kommunist", "place", "illegible", "summary", "RGANI"):
        assert f"<em>{word}</em>" in html, word
    assert not any(f"*{word}*" in html for word in ("Kommunist", "place", "illegible", "summary"))


def test_a_fragment_whose_file_name_has_no_volume_takes_its_xml_id(tmp_path, real_data):
    copy = tmp_path / "hagerty.xml"
    copy.write_bytes((real_data / "frus" / "frus1955-57v24-d22.xml").read_bytes())
    (doc,) = import_file(copy).documents
    assert (doc.id, doc.number) == ("d22", "22")


def test_front_matter_may_give_the_id_and_a_bad_one_is_refused(tmp_path):
    good = write(tmp_path / "a.md", "---\nid: frus-1956-d22\n---\n# A title\n\nText.\n")
    assert import_file(good).documents[0].id == "frus-1956-d22"
    from edition.errors import EditionError

    bad = write(tmp_path / "b.md", "---\nid: Not An Id\n---\n# A title\n\nText.\n")
    with pytest.raises(EditionError) as raised:
        import_file(bad)
    assert f"{bad}:2:1: 'Not An Id' in the front matter is not a document id" in str(raised.value)


def test_an_unclosed_fragment_says_so_at_its_last_line(tmp_path, cli):
    root = new_edition(tmp_path / "ed")
    bad = write(tmp_path / "d9.xml", '<div type="document" xml:id="d9" n="9">\n  <head>9. Title</head>\n  <p>Text</p>\n')
    before = snapshot(root)
    result = cli("import", bad, "-C", root)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{bad}:3: malformed XML: an element is not closed by the end of the file" in result.stderr and "body" not in result.stderr
    assert snapshot(root) == before


def test_a_number_after_a_long_title_survives_the_length_limit():
    made = [document_id(f"Шифртелеграмма Рощина Филиппову номер {n} о положении в Корее") for n in (5, 6)]
    assert made == ["shifrtelegramma-roshchina-filippovu-5", "shifrtelegramma-roshchina-filippovu-6"]
    assert document_id("Ciphered Telegram No. 25553, Roshchin to Filippov [Stalin]") == "ciphered-telegram-25553-roshchin"


def test_many_collisions_are_resolved_quickly():
    import time

    same = [Document(id="cable", title=f"Cable {i}") for i in range(5000)]
    started = time.perf_counter()
    make_unique(same)
    assert time.perf_counter() - started < 1.0
    assert len({d.id for d in same}) == 5000 and same[-1].id == "cable-5000"


def test_a_number_ending_a_plain_text_title_is_the_titles_own_without_a_note(cli, tmp_path):
    """"Genesis, chapter 1" keeps its 1: a trailing number is a note call
    only when the file has that note (or it follows a bracket or a date)."""
    root = tmp_path / "ed"
    api.init(root, "Numbered")
    files = []
    for name, text in (("g1.txt", "Genesis, chapter 1"), ("g2.txt", "Genesis, chapter 2"), ("m3.txt", "Memorandum No. 3"),
                       ("n.txt", "Letter to Stalin 1"), ("s.txt", "Letter [sic!] 3")):  # fmt: skip
        body = "In the beginning.\n\n1. The note." if name == "n.txt" else "In the beginning."
        (tmp_path / name).write_text(f"{text}\n\n{body}\n", "utf-8")
        files.append(tmp_path / name)
    result = cli("import", *files, "-C", root)
    assert result.exit_code == 0, result.output
    titles = {d.title: d for d in api.open_workspace(root).edition.documents}
    assert {"Genesis, chapter 1", "Genesis, chapter 2", "Memorandum No. 3", "Letter to Stalin", "Letter [sic!]"} == set(titles)
    assert len({d.id for d in titles.values()}) == 5
    assert [n.label for n in titles["Letter to Stalin"].notes] == ["1"]  # a call with its note
    assert "3" in titles["Letter [sic!]"].unplaced[0] and "no note" in result.stderr  # a call without one
