"""Dates as editors record them (exact, ranges, supplied, undated with a
reason, Old Style (Julian) dates kept with their Gregorian day), markings
and roles: read from text, stored canonically, checked, ordered, exported."""

from __future__ import annotations

import json

import pytest

from edition import store, yamlio
from edition.errors import EditionError
from edition.export.json import edition_json
from edition.export.tei import document_tei
from edition.model import Certainty, DateSpec, Document, Layer, LayerRole, Segment, julian_to_gregorian
from edition.text import parse_date

from .conftest import REPO
from .test_tei import assert_valid, tei_schema  # noqa: F401 - the schema fixture


@pytest.mark.parametrize(
    "text, iso, julian",
    [
        ("12 (24) March 1899", "1899-03-24", "1899-03-12"),
        ("12/24 March 1899", "1899-03-24", "1899-03-12"),
        ("March 12 (24), 1899", "1899-03-24", "1899-03-12"),
        ("12 March 1917 O.S.", "1917-03-25", "1917-03-12"),
        ("25 October 1917 (old style)", "1917-11-07", "1917-10-25"),
        ("25 October (7 November) 1917", "1917-11-07", "1917-10-25"),
        ("25 октября (7 ноября) 1917 г.", "1917-11-07", "1917-10-25"),
        ("[not later than 2 (15) March 1917]", "1917-03-15", "1917-03-02"),
    ],
)
def test_old_style_dates(text, iso, julian):
    spec = parse_date(text)
    assert (spec.calendar, spec.iso, spec.iso_julian) == ("julian", iso, julian)
    assert spec.text == text.strip("[]")


def test_the_julian_calendar_falls_behind_by_a_day_a_century_but_not_in_leap_centuries():
    assert julian_to_gregorian(1582, 10, 5) == (1582, 10, 15)
    assert julian_to_gregorian(1700, 2, 29) == (1700, 3, 11)  # 1700 is leap in the Julian calendar only
    assert julian_to_gregorian(1899, 12, 31) == (1900, 1, 12)
    assert julian_to_gregorian(1918, 1, 31) == (1918, 2, 13)  # the last Julian day in Soviet Russia
    assert julian_to_gregorian(2000, 2, 29) == (2000, 3, 13)


@pytest.mark.parametrize(
    "text, iso, end, certainty",
    [
        ("between 10 and 12 March 1956", "1956-03-10", "1956-03-12", Certainty.RANGE),
        ("between March and May 1956", "1956-03", "1956-05", Certainty.RANGE),
        ("11/12 March 1956", "1956-03-11", "1956-03-12", Certainty.RANGE),  # a night, not Old Style
        ("March–April 1956", "1956-03", "1956-04", Certainty.RANGE),
        ("not before 3 May 1957", "1957-05-03", None, Certainty.NOT_BEFORE),
        ("undated", None, None, Certainty.UNKNOWN),
        ("n.d. [between the two congresses]", None, None, Certainty.UNKNOWN),
    ],
)
def test_ranges_and_undated(text, iso, end, certainty):
    spec = parse_date(text)
    assert (spec.iso, spec.iso_end, spec.certainty, spec.calendar) == (iso, end, certainty, None)
    assert spec.text == text


@pytest.mark.parametrize("text", ["12 (24) Smarch 1899", "between 12 and 10 March 1956", "Berlin, 10 September 1975", "1 May"])
def test_what_is_not_a_date(text):
    assert parse_date(text) is None


def test_a_long_line_is_no_date_and_is_read_in_one_pass():
    # A line that ends with a date after a long run of spaces once took the
    # patterns minutes (each start tried the whole run); a dateline is short.
    from .test_bad_input import bounded

    with bounded():
        assert parse_date("12 March 1899" + " " * 200_000 + "O.S.") is None
        assert parse_date("1956" + " " * 200_000 + "- 1957") is None
    assert parse_date("12 March 1899 [O.S.]").iso_julian == "1899-03-12"


def edition_with(root, *docs: Document):
    from edition import api

    api.init(root, "Dates")
    for doc in docs:
        store.write_document(root, doc)
    return store.load(root)


def doc(doc_id: str, date: DateSpec | None, classification=()) -> Document:
    return Document(
        id=doc_id,
        title=f"Document {doc_id}",
        date=date,
        classification=list(classification),
        original_language="ru",
        layers=[Layer("en", "en", LayerRole.TRANSLATION, translated_from="ru")],
        segments=[Segment("p1", text={"en": "Text."})],
    )


def test_documents_are_ordered_by_their_gregorian_day(tmp_path):
    old_style = doc("b-petition", parse_date("12 (24) March 1899"))  # Gregorian 24 March
    gregorian = doc("a-report", parse_date("20 March 1899"))
    undated = doc("0-undated", parse_date("undated"))
    edition = edition_with(tmp_path / "ed", old_style, undated, gregorian)
    assert [d.id for d in edition.documents] == ["a-report", "b-petition", "0-undated"]
    assert store.volume_order(gregorian) < store.volume_order(old_style) < store.volume_order(undated)


def test_julian_date_and_classification_are_stored_canonically_and_read_back(tmp_path):
    root = tmp_path / "ed"
    original = doc("petition", parse_date("12 (24) March 1899"), ["Secret", "Not to be copied"])
    edition_with(root, original)
    text = (root / "seeds" / "petition.yaml").read_text(encoding="utf-8")
    assert (
        "date:\n  text: 12 (24) March 1899\n  iso: '1899-03-24'\n  certainty: exact\n  calendar: julian\n"
        "  iso_julian: '1899-03-12'\nclassification:\n- Secret\n- Not to be copied\noriginal_language: ru\n"
    ) in text
    loaded, canonical, _ = store.read_document_file(root / "seeds" / "petition.yaml", check_canonical=True)
    assert canonical and loaded.date == original.date and loaded.classification == ["Secret", "Not to be copied"]


def test_an_edition_of_the_earlier_release_loads_unchanged():
    for path in sorted((REPO / "seeds").glob("*.yaml")):
        loaded, canonical, _ = store.read_document_file(path, check_canonical=True)
        assert canonical, path
        assert loaded.date.calendar is None and loaded.classification == []
        assert yamlio.dump(store.document_tree(loaded)) == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "date_lines, message, line",
    [
        ("  iso: '1899-03-12'\n  calendar: julian\n  iso_julian: '1899-03-12'\n", "the Julian day 1899-03-12 is 1899-03-24", 5),
        ("  iso: '1899-03-24'\n  iso_julian: '1899-03-12'\n", "'iso_julian' is given but the calendar is not Julian", 6),
        ("  iso: '1899-03-24'\n  calendar: byzantine\n", "'calendar' cannot be 'byzantine'", 6),
    ],
)
def test_a_julian_date_that_does_not_add_up_is_an_error_with_its_line(tmp_path, date_lines, message, line):
    path = tmp_path / "doc.yaml"
    path.write_text(
        f"id: doc\ntitle: A petition\ndate:\n  text: 12 March 1899\n{date_lines}layers:\n- id: en\n  lang: en\n"
        "segments:\n- id: p1\n  en: Text.\n",
        encoding="utf-8",
    )
    with pytest.raises(EditionError) as caught:
        store.read_document_file(path)
    (problem,) = caught.value.problems
    assert message in problem.message and problem.hint
    assert problem.line == line


def test_tei_and_json_carry_the_julian_day_and_the_classification(tmp_path, tei_schema):  # noqa: F811
    edition = edition_with(tmp_path / "ed", doc("petition", parse_date("12 (24) March 1899"), ["Top Secret"]))
    data = document_tei(edition.documents[0], edition)
    assert_valid(tei_schema, data, "petition")
    tei = data.decode("utf-8")
    assert 'when="1899-03-24"' in tei and 'when-custom="1899-03-12"' in tei and 'datingMethod="#julian"' in tei
    assert '<term type="classification">Top Secret</term>' in tei
    out = json.loads(json.dumps(edition_json(edition)))["documents"][0]
    assert out["classification"] == ["Top Secret"]
    assert (out["date"]["calendar"], out["date"]["iso"], out["date"]["iso_julian"]) == ("julian", "1899-03-24", "1899-03-12")


def test_an_original_in_another_language_than_the_documents_is_a_warning(tmp_path):
    """What an earlier release wrote for a page that said "Original Language:
    Hungarian": its English text as the original."""
    wrong = doc("minutes", parse_date("25 October 1962"))
    wrong.layers[0].role, wrong.layers[0].translated_from = LayerRole.ORIGINAL, None
    wrong.original_language = "hu"
    problems = store.check_document(wrong, tmp_path / "minutes.yaml")
    (problem,) = problems
    assert problem.severity == "warning" and "original language is 'hu'" in problem.message
    assert "role: translation" in problem.hint
    assert store.check_document(doc("fine", None), tmp_path / "fine.yaml") == []


def test_a_date_that_says_gregorian_is_kept_as_written(tmp_path):
    path = tmp_path / "doc.yaml"
    path.write_text(
        "id: doc\ntitle: A report\ndate:\n  text: 24 March 1899\n  iso: '1899-03-24'\n  certainty: exact\n  calendar: gregorian\n"
        "layers:\n- id: en\n  lang: en\n  role: original\nsegments:\n- id: p1\n  en: |-\n    Text.\n",
        encoding="utf-8",
    )
    loaded, canonical, _ = store.read_document_file(path, check_canonical=True)
    assert loaded.date.calendar == "gregorian" and canonical
