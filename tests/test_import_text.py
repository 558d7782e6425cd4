"""The plain-text importer on both seeds: golden YAML, nothing lost, and
the simple case of any text file."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from edition import store, yamlio
from edition.importers import read
from edition.importers.text import read_text
from edition.model import Certainty, LayerRole, NoteKind, SegmentKind
from edition.text import words

from .conftest import GOLDEN, REFRESH, SOURCES

SEEDS = sorted(SOURCES.glob("*.txt"))


@pytest.mark.parametrize("source", SEEDS, ids=lambda p: p.stem)
def test_seed_import_matches_golden_yaml(source: Path):
    result = read(source)
    for doc in result.documents:
        text = yamlio.dump(store.document_tree(doc))
        golden = GOLDEN / "import" / f"{doc.id}.yaml"
        if REFRESH:
            golden.write_text(text, encoding="utf-8")
        assert golden.exists(), f"missing golden file {golden}; refresh with EDITION_REFRESH_GOLDEN=1"
        assert text == golden.read_text(encoding="utf-8"), f"{doc.id} differs from {golden}"


def stored_words(documents) -> Counter:
    """Words of every field that keeps the source's own wording. Derived
    values (ids, ISO dates, parsed signature parts, layer facts, anchors)
    repeat words already counted and are left out; a heading or credit
    shared by all documents of a file is counted once."""
    counted: Counter = Counter()
    shared: set[str] = set()
    for doc in documents:
        for value in (doc.collection, doc.credit):
            if value and value not in shared:
                shared.add(value)
                counted.update(words(value))
        for value in (doc.title, doc.doc_type, doc.citation, doc.publication, doc.source_url, doc.summary, doc.rights, *doc.classification):
            counted.update(words(value or ""))
        if doc.date:
            counted.update(words(doc.date.text))
        for ref in doc.archival_refs:
            counted.update(words(ref.text))
        for segment in doc.segments:
            for text in segment.text.values():
                counted.update(words(text))
        for note in doc.notes:
            counted.update(words(note.text) + words(note.label or ""))
        for item in doc.unplaced:
            counted.update(words(item))
    return counted


@pytest.mark.parametrize("source", SEEDS, ids=lambda p: p.stem)
def test_every_word_of_the_source_is_stored_once(source: Path):
    result = read(source)
    source_words = Counter(words(source.read_text(encoding="utf-8")))
    structure = Counter(w for item in result.structure for w in words(item))
    stored = stored_words(result.documents)
    assert stored + structure == source_words, (
        f"lost: {source_words - stored - structure}, extra: {stored + structure - source_words}"
    )
    # What became structure is only labels and layer facts, never text.
    labels = {note.label for doc in result.documents for note in doc.notes if note.label}
    allowed = {"Citation", "Summary", "Original", "Language", "German", "Contents", "Translation", "English"}
    assert set(structure) <= allowed | labels


def test_seeds_give_three_documents():
    documents = [doc for source in SEEDS for doc in read(source).documents]
    assert len(documents) == 3
    assert [d.date.iso for d in documents] == ["1953-06-26", "1956-09-18", "1956-11-14"]


def test_wilson_center_memo_metadata():
    doc = read(SOURCES / "000_8f8816d347ee0276.txt").documents[0]
    assert doc.title == "Secret Memorandum from Secretary of the Moscow Committee N. Mikhailov to Nikita Khrushchev"
    assert doc.date.text == "June 26, 1953" and doc.date.certainty is Certainty.EXACT
    assert doc.original_language == "de"
    assert doc.source_url == "https://wilson-center-digital-archive.dvincitest.com/document/112612"
    assert doc.archival_refs[0].archive == "TsKhSD" and doc.archival_refs[0].folios == "87-91"
    assert doc.publication.startswith("Published in German in Gerhard Beier, *Wir wollen freie Menschen sein*")
    assert doc.summary.startswith("Mikhailov reports to Khrushchev")
    (layer,) = doc.layers
    assert (layer.id, layer.role, layer.translator, layer.translated_from) == ("en", LayerRole.TRANSLATION, "Christiaan Hetzner", "de")
    kinds = Counter(s.kind for s in doc.segments)
    assert kinds[SegmentKind.LIST_ITEM] == 5 and kinds[SegmentKind.QUOTATION] == 2
    assert doc.segments[-1].text["en"] == "Today rallies in other factories are being held."
    assert "[...]" in doc.segments[3].text["en"]  # editorial omission kept as typed


def test_letters_share_heading_and_credit_and_keep_their_notes():
    result = read(SOURCES / "003_19ea646c6e76e04b.txt")
    first, second = result.documents
    for doc in (first, second):
        assert doc.collection.startswith("Two Anonymous Letters")
        assert doc.credit == "Translated from the Russian by Tahir Asghar."
        assert doc.layers[0].translator == "Tahir Asghar" and doc.layers[0].translated_from == "ru"
        assert doc.date.supplied and doc.date.certainty is Certainty.NOT_AFTER
    assert first.date.text == "not later than 18 September 1956"
    ref = first.archival_refs[0]
    assert (ref.archive, ref.fond, ref.opis, ref.delo, ref.folios, ref.copy) == ("RGANI", "5", "30", "140", "182-183", "Attested Copy")
    archival = [n for n in first.notes if n.kind is NoteKind.ARCHIVAL]
    assert archival[0].text.startswith("Accompanying note: ‘read by M. Suslov’")
    # Endnote 1 of the first letter has no call: kept, unanchored, reported.
    note1 = next(n for n in first.notes if n.label == "1")
    assert note1.anchor is None
    assert any("endnote 1 has no call" in w for w in result.warnings)
    # "… J.V. Stalin 1" and "[…] 2" are calls, not words of the text.
    assert not second.title.endswith("1")
    title_note = next(n for n in second.notes if n.label == "1")
    assert (title_note.anchor.segment, title_note.anchor.phrase) == ("title", "Stalin")
    date_note = next(n for n in second.notes if n.label == "2")
    assert (date_note.anchor.segment, date_note.anchor.phrase) == ("date", "")
    assert second.segments[0].kind is SegmentKind.SALUTATION
    assert second.segments[-1].kind is SegmentKind.SIGNATURE
    assert second.notes[-1].text == "Note: ‘Archive. V. Gorbunov. 30.11.1956’."
    assert second.archival_refs[0].folios == "197"


def test_any_plain_text_imports_first_line_as_title():
    result = read_text("A Short Note\n\nFirst paragraph\nwrapped over lines.\n\nSecond one.\n", lang="de", name="note")
    (doc,) = result.documents
    assert doc.title == "A Short Note"
    assert [s.text["de"] for s in doc.segments] == ["First paragraph wrapped over lines.", "Second one."]
    assert doc.layers[0].role is LayerRole.ORIGINAL and doc.layers[0].lang == "de"
    assert doc.id == "short-note"


def test_call_in_a_paragraph_is_anchored_to_the_word_before_it():
    text = "Title\n\n1 May 1950\n\nThe plan was approved by the Presidium. 1 Then came [the rest] 2 of it.\n\n1. First note.\n\n2. Second note.\n"
    (doc,) = read_text(text).documents
    assert doc.segments[0].text["en"] == "The plan was approved by the Presidium. Then came [the rest] of it."
    anchors = {n.label: n.anchor for n in doc.notes}
    assert anchors["2"].phrase == "rest]"
    assert anchors["1"] is None or anchors["1"].phrase == "Presidium."


def test_bom_and_crlf_line_endings(tmp_path):
    path = tmp_path / "memo.txt"
    path.write_bytes("\ufeffMemo\r\n\r\nBody text here.\r\n".encode())
    (doc,) = read(path).documents
    assert doc.title == "Memo" and doc.segments[0].text["en"] == "Body text here."


def test_each_block_knows_its_line_in_a_long_file():
    """Line numbers are counted on from one block to the next (a 4 MB file
    of 31,000 paragraphs once took 40 s when each count began at the top),
    and stay those of the file: blank lines of spaces, CRLF, blocks of
    several lines."""
    import random

    from edition.importers.text import _blocks

    rng = random.Random(31)
    parts, expected, line = [], [], 1
    for n in range(400):
        lines = [f"Paragraph {n} line {k}." for k in range(rng.randint(1, 3))]
        expected.append(line)
        gap = rng.choice(["\n\n", "\n  \n", "\n\n\n", "\n \t\n\n"])
        parts.append("\n".join(lines) + gap)
        line += len(lines) - 1 + gap.count("\n")
    text = "".join(parts)
    assert [block.line for block in _blocks(text)] == expected
    assert [block.line for block in _blocks(text.replace("\n", "\r\n"))] == expected
