"""The index of persons and places counts every printed text: a name in a
document's headnote (summary), source note, dateline or title is cited with
its page, as one in the text is with its page or line; Cyrillic entries
stand after the Latin ones or under their transliteration, as the edition
chooses."""

from __future__ import annotations

import re
import unicodedata

import pytest

from edition import store
from edition.model import PERSON, PLACE, ArchivalRef, DateSpec, Document, Edition, Layer, LayerRole, Name, Register, Segment
from edition.names import document_occurrences, head_texts, index_key
from edition.render.html import _index_sections
from edition.render.index import head_anchor, index_references

from .conftest import copy_sample

MIKHAILOV = "1953-06-26-secret-memorandum-secretary-moscow"


def memo() -> Document:
    return Document(
        id="memo",
        title="Report of Mikhailov",
        date=DateSpec("June 26, 1953", "1953-06-26"),
        place="Moscow",
        summary="Mikhailov writes to Khrushchev.\n\nThe rallies followed East Berlin.",
        archival_refs=[ArchivalRef("TsKhSD, op. 30")],
        credit="Translated by Christiaan Hetzner.",
        layers=[Layer("en", "en", LayerRole.TRANSLATION)],
        segments=[Segment("p1", text={"en": "Rallies took place in factories."})],
    )


REGISTER = Register([
    Name("khrushchev", PERSON, "Khrushchev, Nikita S.", ("Khrushchev",)),
    Name("mikhailov", PERSON, "Mikhailov, Nikolai A.", ("Mikhailov",)),
    Name("hetzner", PERSON, "Hetzner, Christiaan", ("Hetzner",)),
    Name("moscow", PLACE, "Moscow", ("Moscow",)),
    Name("berlin", PLACE, "Berlin", ("East Berlin", "Berlin")),
    Name("factories", PLACE, "Factories", ("factories",)),
])


def test_names_are_found_in_every_part_of_the_head():
    found = {(o.name, o.place) for o in document_occurrences(memo(), REGISTER)}
    assert ("mikhailov", "title") in found
    assert ("moscow", "place") in found
    assert ("mikhailov", "summary:1") in found and ("khrushchev", "summary:1") in found
    assert ("berlin", "summary:2") in found
    assert ("hetzner", "source") in found
    assert ("factories", "p1") in found
    assert [p for p, _ in head_texts(memo()) if p.startswith("summary")] == ["summary:1", "summary:2"]


def test_a_name_in_the_head_is_cited_by_the_page_of_its_paragraph():
    edition = Edition(title="T", documents=[memo()])
    pages = {"doc-1": 3, "doc-1-headnote-1": 3, "doc-1-headnote-2": 4, "doc-1-source": 4}
    assert head_anchor(1, "summary:2") == "doc-1-headnote-2" and head_anchor(1, "p1") is None
    refs = index_references(edition, REGISTER, {}, pages, ["i", "ii", "1", "2"], by_line=True)
    assert refs["khrushchev"] == ["1"]  # the first paragraph of the headnote: no line number
    assert refs["berlin"] == ["2"]  # the second, on the next page
    assert refs["hetzner"] == ["2"]  # the source note
    assert refs["moscow"] == ["1"]  # the dateline, on the opening page
    assert "factories" not in refs  # the text's line is not in this (empty) line map


def test_cyrillic_entries_after_the_latin_or_under_their_transliteration():
    names = ["Zhukov, Georgii", "Абакумов, Виктор", "Berija", "Хрущёв, Никита", "Kádár, János"]
    register = Register([Name(f"n{i}", PERSON, n, (n,)) for i, n in enumerate(names)])
    refs = {n.id: ("1",) for n in register.names}

    def order(choice: str) -> list[str]:
        edition = Edition(title="T", index_cyrillic=choice)
        (section,) = _index_sections(edition, register, refs)
        return [e.name for e in section.entries]

    assert order("after") == ["Berija", "Kádár, János", "Zhukov, Georgii", "Абакумов, Виктор", "Хрущёв, Никита"]
    assert order("transliterated") == ["Абакумов, Виктор", "Berija", "Kádár, János", "Хрущёв, Никита", "Zhukov, Georgii"]
    assert index_key("Хрущёв", "transliterated")[1] == "Khrushchev"


def test_the_cyrillic_choice_is_read_checked_and_written(tmp_path, cli):
    root = copy_sample(tmp_path / "sample")
    assert store.load_workspace(root).edition.index_cyrillic == "after"
    text = (root / "edition.yaml").read_text()
    (root / "edition.yaml").write_text(text + "index_cyrillic: transliterated\n")
    edition = store.load_workspace(root).edition
    assert edition.index_cyrillic == "transliterated"
    assert store.edition_tree(edition)["index_cyrillic"] == "transliterated"
    (root / "edition.yaml").write_text(text + "index_cyrillic: latin\n")
    result = cli("build", "--edition", str(root))
    assert result.exit_code == 1
    assert re.search(r"edition\.yaml:\d+:\d+: .*index_cyrillic", result.output)
    assert "after" in result.output and "transliterated" in result.output
    assert "Traceback" not in result.output


@pytest.fixture(scope="module")
def volume(tmp_path_factory):
    """The sample edition, with two names the documents print only in a
    headnote and in a source note, built by line."""
    from typer.testing import CliRunner

    from edition.cli import app

    root = copy_sample(tmp_path_factory.mktemp("index") / "sample")
    (root / "edition.yaml").write_text((root / "edition.yaml").read_text() + "index: lines\n")
    names = (root / "names.yaml").read_text()
    names = names.replace("persons:\n", "persons:\n- id: hetzner\n  name: Hetzner, Christiaan\n  forms:\n  - Hetzner\n", 1)
    names = names.replace("places:\n", "places:\n- id: east-berlin\n  name: East Berlin\n  forms:\n  - East Berlin\n", 1)
    (root / "names.yaml").write_text(names)
    result = CliRunner().invoke(app, ["build", "--edition", str(root)])
    assert result.exit_code == 0, result.output
    import pypdf

    reader = pypdf.PdfReader(root / "build" / "edition.pdf")
    pages = [unicodedata.normalize("NFC", p.extract_text()) for p in reader.pages]
    return {"root": root, "output": result.output, "pages": pages}


def _entry(pages: list[str], name: str) -> str:
    """The index's line for `name`: the name and its references."""
    index = next(i for i, text in enumerate(pages) if "Index of persons" in text or "Index of places" in text)
    for text in pages[index:]:
        for line in text.splitlines():
            if line.startswith(name):
                return line
    raise AssertionError(f"{name} is not in the index")


def test_a_name_printed_only_in_a_headnote_is_in_the_index(volume):
    assert "'East Berlin'" not in volume["output"]  # no "not printed in the volume" warning
    assert "'Hetzner, Christiaan'" not in volume["output"]
    pages = volume["pages"]
    berlin = _entry(pages, "East Berlin")
    hetzner = _entry(pages, "Hetzner, Christiaan")
    # Cited by page (no line: the headnote and source note are not numbered).
    for entry in (berlin, hetzner):
        refs = re.findall(r"\d+(?:\.\d+)?", entry)
        assert refs and all("." not in r for r in refs), entry
    # The page cited is the memorandum's opening page, where its title
    # (which names Mikhailov, cited there by page) and headnote stand.
    (ref,) = re.findall(r"\d+", berlin)
    mikhailov = re.findall(r"(?<![\d.])\d+(?![\d.])", _entry(pages, "Mikhailov"))
    assert ref in mikhailov, (berlin, mikhailov)


def test_names_in_the_text_keep_their_lines(volume):
    # Khrushchev is named in the text of several documents: cited by line.
    entry = _entry(volume["pages"], "Khrushchev")
    assert re.search(r"\d+\.\d+", entry), entry


def test_the_sites_index_links_a_name_to_the_headnote_that_prints_it(tmp_path, cli):
    root = copy_sample(tmp_path / "sample")
    names = (root / "names.yaml").read_text()
    (root / "names.yaml").write_text(names.replace("places:\n", "places:\n- id: east-berlin\n  name: East Berlin\n  forms:\n  - East Berlin\n", 1))
    result = cli("site", "--edition", str(root))
    assert result.exit_code == 0, result.output
    import lxml.html

    site = root / "build" / "site"
    tree = lxml.html.document_fromstring((site / "names.html").read_bytes())
    (entry,) = tree.xpath("//dt[normalize-space()='East Berlin']/following-sibling::dd[1]")
    links = [a.get("href") for a in entry.iter("a")]
    target = f"{MIKHAILOV}.html#headnote"
    assert target in links, links
    page = lxml.html.document_fromstring((site / f"{MIKHAILOV}.html").read_bytes())
    (headnote,) = page.xpath("//*[@id='headnote']")
    assert "East Berlin" in headnote.text_content()
