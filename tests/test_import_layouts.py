"""The plain-text importer on the layouts archival pages and documentary
volumes have, as small texts: collection headings over titles with dates
and note calls, several documents in one file, markings, dates as editors
write them (ranges, supplied, undated, Old Style), calls without notes, and
what cannot be placed kept and reported."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edition import store
from edition.importers.text import read_text
from edition.model import Certainty, LayerRole
from edition.text import parse_date, words

from .conftest import snapshot
from .test_import_text import stored_words

HEADING = "Letters to the Editorial Board of ‘Kommunist’, 1956–1957"
NOTES = "The text of the letter.\n\n1. The first note.\n\n2. The date of the covering letter.\n"


@pytest.mark.parametrize(
    "head",
    [
        "Letter from a Reader to the Editorial Board 1\n\n[not later than 18 September 1956] 2",
        "Letter from a Reader to the Editorial Board 1\n[not later than 18 September 1956] 2",
        "[not later than 18 September 1956] 2\nLetter from a Reader to the Editorial Board 1",
        "[not later than 18 September 1956] 2\n\nLetter from a Reader to the Editorial Board 1",
    ],
    ids=["title-date", "title-date-one-block", "date-title-one-block", "date-title"],
)
def test_collection_heading_title_with_call_and_date(head):
    text = f"{HEADING}\n\n{head}\n\n{NOTES}"
    result = read_text(text)
    (doc,) = result.documents
    assert doc.collection == "Letters to the Editorial Board of ‘Kommunist’, 1956–1957"
    assert doc.title == "Letter from a Reader to the Editorial Board"
    assert doc.date.iso == "1956-09-18" and doc.date.certainty is Certainty.NOT_AFTER and doc.date.supplied
    assert sorted((n.label, n.anchor.segment) for n in doc.notes) == [("1", "title"), ("2", "date")]
    assert [s.text["en"] for s in doc.segments] == ["The text of the letter."]
    assert not result.warnings


def test_collection_heading_over_a_title_that_carries_its_date():
    text = f"{HEADING}\n\nLetter from a Reader to the Editorial Board, 18 September 1956 1\n\nThe text.\n\n1. A note.\n"
    (doc,) = read_text(text).documents
    assert doc.collection == HEADING
    assert doc.title == "Letter from a Reader to the Editorial Board, 18 September 1956"
    assert doc.date.iso == "1956-09-18"
    assert doc.notes[0].anchor.segment == "title" and doc.notes[0].anchor.phrase == "1956"


def test_call_without_its_note_is_taken_out_kept_and_reported():
    text = "Memo\n\n1 May 1950 2\n\nHe wrote it [sic!] 3 and left.\n\n1. A note without a call.\n"
    result = read_text(text)
    (doc,) = result.documents
    assert doc.segments[0].text["en"] == "He wrote it [sic!] and left."
    assert doc.date.text == "1 May 1950"
    assert len(doc.unplaced) == 2 and all("with no note" in u for u in doc.unplaced)
    lines = sorted(w.line for w in result.warnings)
    assert lines == [3, 5, 7]  # the date's call, the paragraph's call, the note with no call


def test_two_documents_in_one_file_under_a_shared_credit():
    text = (
        "Memorandum on the Harvest in the Volga Region\n\n12 (24) March 1899\n\nThe harvest failed.\n\n"
        "Report of the Governor of Samara Province to the Ministry\n\nbetween 10 and 12 April 1899\n\nTop Secret\nNot to be copied\n\nThe report.\n\n"
        "Translated from the Russian by A. Translator.\n"
    )
    first, second = read_text(text).documents
    assert first.date.calendar == "julian" and (first.date.iso_julian, first.date.iso) == ("1899-03-12", "1899-03-24")
    assert second.date.certainty is Certainty.RANGE and (second.date.iso, second.date.iso_end) == ("1899-04-10", "1899-04-12")
    assert second.classification == ["Top Secret", "Not to be copied"]
    assert [s.text["en"] for s in second.segments] == ["The report."]
    for doc in (first, second):
        assert doc.original_language == "ru" and doc.layers[0].role is LayerRole.TRANSLATION
        assert doc.layers[0].translator == "A. Translator"


def test_a_wrong_gregorian_day_beside_a_julian_one_is_reported():
    result = read_text("Note\n\n12 (24) March 1917\n\nText.\n")
    (doc,) = result.documents
    assert doc.date.iso == "1917-03-25"
    assert any("1917-03-25" in w and w.line == 3 for w in result.warnings)


@pytest.mark.parametrize(
    "text, iso, end, certainty",
    [
        ("not later than 18 September 1956", "1956-09-18", None, Certainty.NOT_AFTER),
        ("between 10 March and 2 April 1956", "1956-03-10", "1956-04-02", Certainty.RANGE),
        ("10–12 March 1956", "1956-03-10", "1956-03-12", Certainty.RANGE),
        ("[1956]", "1956", None, Certainty.APPROXIMATE),
        ("undated, after the 20th Congress", None, None, Certainty.UNKNOWN),
        ("12 марта 1917 г.", "1917-03-12", None, Certainty.EXACT),
    ],
)
def test_dates_as_editors_write_them(text, iso, end, certainty):
    spec = parse_date(text)
    assert (spec.iso, spec.iso_end, spec.certainty) == (iso, end, certainty)


def test_old_style_dates_keep_the_julian_day_and_sort_by_the_gregorian_one():
    spec = parse_date("25 October 1917 (O.S.)")
    assert (spec.calendar, spec.iso_julian, spec.iso) == ("julian", "1917-10-25", "1917-11-07")
    assert parse_date("12 (24) March 1899").iso == "1899-03-24"




def test_what_cannot_be_placed_is_kept_and_reported_with_file_and_line(cli, tmp_path):
    root = tmp_path / "ed"
    cli("init", root)
    source = tmp_path / "page.txt"
    source.write_text(
        "June 1, 1950\nReport on the Harvest\n\nOriginal Language:\nKlingon\n\nRecord ID:\n4711\n\nThe harvest [sic] 7 failed.\n\nSummary:\n",
        encoding="utf-8",
    )
    done = cli("import", "-C", root, source)
    assert done.exit_code == 0, done.output
    assert "Traceback" not in done.output
    for line in (4, 7, 10, 12):
        assert f"{source}:{line}: " in done.output
    assert done.output.count("hint: ") == 4
    (doc,) = store.load(root).documents
    assert doc.unplaced[:3] == ["Original Language: Klingon", "Record ID: 4711", "Summary:"]
    assert "note call 7" in doc.unplaced[3]
    assert doc.segments[0].text["en"] == "The harvest [sic] failed."
    assert doc.original_language is None and doc.layers[0].role is LayerRole.ORIGINAL


def test_a_file_with_nothing_readable_changes_nothing(cli, tmp_path):
    root = tmp_path / "ed"
    cli("init", root)
    source = tmp_path / "blank.txt"
    source.write_text("\n\n   \n", encoding="utf-8")
    before = snapshot(root)
    done = cli("import", "-C", root, source)
    assert done.exit_code == 1 and "Traceback" not in done.output
    assert snapshot(root) == before


# Pages built from the parts real archive pages have, in any order and number.
_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZабвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВЕЖЗ", min_size=1, max_size=9)
_TOKEN = st.one_of(
    _WORD, _WORD, _WORD,
    st.integers(0, 2000).map(str),
    st.sampled_from(["[...]", "[sic]", "[sic!]", "[redacted]", "(2)", "No.", "Nº", "–", "“quoted”", "[Stalin]", "1.", "12 March 1917"]),
    st.integers(1, 6).map(lambda n: f"[{n}]"),
    st.tuples(_WORD, st.integers(1, 6)).map(lambda t: f"{t[0]}{t[1]}"),
)  # fmt: skip
_LINE = st.lists(_TOKEN, min_size=1, max_size=12).map(" ".join)
_BLOCK = st.one_of(
    _LINE,
    _LINE.map(lambda line: line + "."),
    st.lists(_LINE, min_size=2, max_size=4).map("\n".join),
    st.sampled_from(["Top Secret", "Secret\nNot to be copied", "TOP PRIORITY", "Copies: Stalin (2), Molotov, Beria"]),
    st.tuples(
        st.sampled_from(["Citation", "Source", "Summary", "Credits", "Type", "Record ID", "Original Language", "Contents"]),
        st.one_of(_LINE, st.sampled_from(["Russian", "Klingon", "English Translation", "Translation - English", "Translated by A. B. Name."])),
    ).map(lambda t: f"{t[0]}:\n{t[1]}"),
    st.integers(1, 6).map(lambda n: f"[{n}] An endnote."),
    st.integers(1, 6).map(lambda n: f"{n}. An endnote."),
)
_HEAD = st.sampled_from(
    ["June 26, 1953\nA Memorandum on the Harvest", "A Memorandum on the Harvest\n\n[not later than 18 September 1956] 2",
     "Letters of Readers, 1956–1957\n\nA Letter 1\n\n12 (24) March 1899", "undated\nA Note", "A Title Only"]
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(head=_HEAD, blocks=st.lists(_BLOCK, min_size=1, max_size=10))
def test_no_word_of_any_page_is_lost(head, blocks):
    text = head + "\n\n" + "\n\n".join(blocks) + "\n"
    result = read_text(text)
    source = _unglued(Counter(words(text)))
    stored = stored_words(result.documents)
    stored.update(w for item in result.structure for w in words(item))
    # stored_words counts a credit or heading shared by documents once; a
    # ⊆ check may count each document's own.
    stored.update(w for doc in result.documents for w in words(f"{doc.credit or ''} {doc.collection or ''}"))
    missing = source - _unglued(stored)
    assert not missing, f"lost {missing}"
    for doc in result.documents:
        labels = {n.label for n in doc.notes if n.label and n.anchor}
        for segment in doc.segments:
            for text_ in segment.text.values():
                assert not any(f"[{label}]" in text_ for label in labels), text_


def _unglued(counted: Counter) -> Counter:
    out: Counter = Counter()
    for word, n in counted.items():
        for part in re.split(r"(?<=[^\W\d])(?=\d)", word):
            out[part] += n
    return out
