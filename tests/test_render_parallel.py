"""The parallel layout, tested by reading the PDF back: the original and its
translation side by side, one row per segment, each pair starting level; a
long pair breaking across pages in both columns; three columns; footnotes
of every column at the foot of their page, each column in its own series;
a document without its original printed alone; the layout settings in
edition.yaml and on the command line; bleed and crop marks.

Test material: the Universal Declaration of Human Rights in Russian, English
and German (tests/udhr.py). Each volume is built once per module."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pypdf = pytest.importorskip("pypdf")
pytest.importorskip("weasyprint")

from edition import store
from edition.errors import EditionError
from edition.model import (
    Anchor,
    Document,
    Edition,
    Layer,
    LayerRole,
    Note,
    NoteKind,
    Segment,
    SegmentKind,
)
from edition.render import BuildReport, build_pdf, render_html, templates_dirs
from edition.render.html import printed_layers

from .printed import chunks, on_page, squeeze, unhyphen
from .udhr import joined, udhr_document

REPO = Path(__file__).resolve().parents[1]
LONG = range(2, 14)  # articles 2–13 as one paragraph: longer than a page in a column


def note_word(n: int) -> str:
    """A word that occurs only in note n: finds the note in the PDF."""
    return "Quill" + "abcdefghijklmnopqrstuvwxyz"[n % 26] * (1 + n // 26)


def annotated_udhr(langs=("ru", "en"), numbers=range(1, 31)) -> Document:
    """The articles, with the long paragraph after article 1, a paragraph the
    original lacks, a note in the title, and a note on the first word of
    every second paragraph, alternately in the original and the translation."""
    doc = udhr_document("udhr", numbers, langs)
    doc.segments.insert(
        2, Segment("long", SegmentKind.PARAGRAPH, {la: joined(la, LONG) for la in langs})
    )
    doc.segments.insert(
        5, Segment("extra", SegmentKind.PARAGRAPH, {langs[1]: "A paragraph only the translation has."})
    )
    doc.notes.append(Note("n-title", NoteKind.FOOTNOTE, "On the title.", Anchor(langs[1], "title", "Rights")))
    paragraphs = [s for s in doc.segments if s.kind is not SegmentKind.HEADING and len(s.text) == len(langs)]
    for n, segment in enumerate(paragraphs[::2]):
        layer = langs[n % len(langs)]
        first = segment.text[layer].split()[0]
        doc.notes.append(Note(
            f"n{n}", NoteKind.FOOTNOTE, f"{note_word(n)}: a note in the {layer} column.",
            Anchor(layer, segment.id, first),
        ))
    return doc


def translation_only() -> Document:
    return Document(
        id="letter",
        title="A letter known only in translation",
        original_language="ru",
        layers=[Layer("en", "en", LayerRole.TRANSLATION, translator="A. Translator", translated_from="ru")],
        segments=[Segment("p1", SegmentKind.PARAGRAPH, {"en": joined("en", range(1, 4))})],
    )


def edition_of(*documents, **settings) -> Edition:
    settings = {"page_size": "A5", "layout": "parallel", **settings}
    return Edition(
        title="Parallel Texts",
        editors=["Anna Editor"],
        languages=["ru", "en"],
        documents=list(documents),
        **settings,
    )


def read_volume(folder: Path, edition: Edition) -> dict:
    out, html_out = folder / "volume.pdf", folder / "volume.html"
    report = build_pdf(edition, out, templates_dirs(REPO), html_out=html_out)
    reader = pypdf.PdfReader(out)
    return {
        "edition": edition,
        "report": report,
        "reader": reader,
        "chunks": chunks(reader),
        "html": html_out.read_text("utf-8"),
        "out": out,
    }


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    """Russian original and English translation, and a letter known only in
    English, in A5."""
    return read_volume(
        tmp_path_factory.mktemp("parallel"), edition_of(annotated_udhr(), translation_only())
    )


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    """Russian, English and German side by side, in A4 with bleed and crop
    marks."""
    edition = edition_of(
        annotated_udhr(("ru", "en", "de"), range(1, 9)),
        columns=["ru", "en", "de"],
        page_size="A4",
        bleed="3mm",
        marks="crop",
    )
    return read_volume(tmp_path_factory.mktemp("three"), edition)


# --- helpers ------------------------------------------------------------------------


def first_words(volume, doc: Document, layers: tuple[str, ...]) -> dict[str, list]:
    """For each segment printed in all `layers`, the chunk where each layer's
    text begins, found in drawing order (a row is drawn cell by cell, left to
    right, and rows in order)."""
    drawn = volume["chunks"]
    position = 0
    found = {}
    for segment in doc.segments:
        if not all(la in segment.text for la in layers):
            continue
        starts = []
        for layer in layers:
            word = segment.text[layer].split()[0]
            while not drawn[position].text.startswith(word):
                position += 1
            starts.append(drawn[position])
        found[segment.id] = starts
    return found


def column_starts(volume, page: int, columns: int = 2) -> list[float]:
    """Where the lines of each column start on a page: the x positions most
    lines start at (they differ between left and right pages)."""
    from collections import Counter

    body = [c for c in on_page(volume["chunks"], page) if c.size > 9 and not c.text.isdigit()]
    common = Counter(round(c.x, 1) for c in body).most_common(columns)
    return sorted(x for x, _ in common)


def column_of(starts: list[float], chunk) -> int:
    return max(i for i, x in enumerate(starts) if chunk.x >= x - 1)


# --- two columns -----------------------------------------------------------------


def test_the_build_reports_no_problem(two):
    report = two["report"]
    assert isinstance(report, BuildReport)
    assert report.warnings == []
    assert report.pages == len(two["reader"].pages) >= 12


def test_each_pair_starts_level(two):
    doc = two["edition"].documents[0]
    starts = first_words(two, doc, ("ru", "en"))
    assert len(starts) == len([s for s in doc.segments if len(s.text) == 2]) > 60
    for segment, (ru, en) in starts.items():
        assert ru.page == en.page, segment
        assert abs(ru.y - en.y) < 0.5, (segment, ru, en)
        assert en.x - ru.x > 100, segment  # a column apart


def test_a_long_pair_breaks_across_pages_in_both_columns(two):
    doc = two["edition"].documents[0]
    (ru, en) = first_words(two, doc, ("ru", "en"))["long"]
    texts = {"ru": squeeze(joined("ru", LONG)), "en": squeeze(joined("en", LONG))}
    # The next page opens with the pair's continuation in both columns.
    following = on_page(two["chunks"], ru.page + 1)
    starts = column_starts(two, ru.page + 1)
    body = [c for c in following if c.size > 9 and c.x >= starts[0] - 1]
    left = min((c for c in body if column_of(starts, c) == 0), key=lambda c: c.y)
    right = min((c for c in body if column_of(starts, c) == 1), key=lambda c: c.y)
    assert squeeze(unhyphen(left.text)) in texts["ru"], left
    assert squeeze(unhyphen(right.text)) in texts["en"], right
    assert abs(left.y - right.y) < 0.5
    # ... and the pair ends on a later page in both columns
    lines = two["report"].lines
    assert lines[("udhr", "ru", "long")][-1].page > ru.page
    assert lines[("udhr", "en", "long")][-1].page > en.page


def test_a_segment_the_original_lacks_leaves_its_cell_empty(two):
    html = two["html"]
    row = re.search(r'<tr class="row row-paragraph" data-segment="extra">(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r"<td [^>]*>(.*?)</td>", row, re.S)
    assert cells[0] == '<div class="cell"></div>'
    assert "A paragraph only the translation has." in cells[1]
    text = " ".join(c.text for c in two["chunks"])
    assert "A paragraph only the translation has." in text


def test_every_text_cell_has_its_language(two):
    html = two["html"]
    cells = re.findall(r'<td class="col [^"]*"([^>]*)>', html)
    assert len(cells) > 100
    assert all(re.search(r'lang="(ru|en)"', attrs) for attrs in cells)
    # Russian is hyphenated by the Russian rules in its narrow column
    ru_lines = [line.text for line in two["report"].lines[("udhr", "ru", "long")]]
    assert any(line.endswith("\u2010") for line in ru_lines)


def test_footnotes_of_both_columns_stand_on_the_page_of_their_call(two):
    doc = two["edition"].documents[0]
    lines = two["report"].lines
    notes = [n for n in doc.notes if n.id.startswith("n") and n.id != "n-title"]
    assert len(notes) > 20
    for number, note in enumerate(notes):
        word = note_word(number)
        note_pages = {c.page for c in two["chunks"] if word in c.text}
        assert len(note_pages) == 1, note.id
        # the call follows the note's first word, on the segment's first line
        call_line = lines[(doc.id, note.anchor.layer, note.anchor.segment)][0]
        assert call_line.start == 0
        assert note_pages == {call_line.page}, note.id


def test_each_column_numbers_its_notes_in_its_own_series(two):
    """The translation's notes count 1, 2, 3 (after the note in the title),
    the original's α, β, γ, each in reading order."""
    doc = two["edition"].documents[0]
    notes = [n for n in doc.notes if n.id.startswith("n") and n.id != "n-title"]
    greek = "αβγδεζηθικλμνξοπρστυφχψω"
    expected = {}
    counts = {"ru": 0, "en": 1}
    for number, note in enumerate(notes):
        layer = note.anchor.layer
        counts[layer] += 1
        expected[note_word(number)] = greek[counts[layer] - 1] if layer == "ru" else str(counts[layer])
    drawn = two["chunks"]
    for i, chunk in enumerate(drawn):
        word = chunk.words[0].rstrip(":") if chunk.words else ""
        if word in expected:
            marker = drawn[i - 1]  # the footnote marker is drawn just before its body
            assert marker.page == chunk.page and abs(marker.y - chunk.y) < 0.5
            assert marker.text == expected.pop(word), word
    assert not expected  # every note was found


def test_a_document_without_its_original_is_printed_alone(two):
    html = two["html"]
    section = html[html.index('data-doc="2"'):]
    assert "<table" not in section and '<div class="text" lang="en">' in section
    remark = "The Russian original is not part of this edition; the English translation is printed alone."
    assert remark in section
    text = " ".join(c.text for c in two["chunks"] if c.page >= two["report"].lines[("letter", "en", "p1")][0].page)
    assert squeeze(remark) in squeeze(text)
    # the translation runs the full measure, not in a column
    first = two["report"].lines[("letter", "en", "p1")][0]
    assert len(first.text) > 60


def test_a_pair_that_cannot_start_at_the_foot_of_a_page_moves_whole(tmp_path, monkeypatch):
    """A one-line original beside a long translation: near the foot of a
    page the translation cannot leave two lines there (orphans), so the
    whole row goes to the next page and both texts start there, level.
    (Without edition.render.weasy.patches._pairs_start_level the one-line original
    would stay behind: WeasyPrint lays out each cell on its own.)"""
    import random

    from edition.render.weasy import patches

    moved = []
    original = patches._cell_could_not_start
    monkeypatch.setattr(
        patches, "_cell_could_not_start", lambda box, changed: (moved.append(box), original(box, changed))
    )
    rnd = random.Random(1)
    words = joined("en", range(1, 31)).split()
    segments = []
    for i in range(80):
        n, start = rnd.randint(8, 90), rnd.randrange(len(words) - 90)
        segments.append(Segment(f"s{i}", SegmentKind.PARAGRAPH, {
            "ru": f"Строка{i} короткая.", "en": f"Line{i} " + " ".join(words[start:start + n]),
        }))
    doc = Document(
        id="rows", title="Short and long",
        layers=[Layer("ru", "ru", LayerRole.ORIGINAL), Layer("en", "en", LayerRole.TRANSLATION)],
        segments=segments,
    )
    volume = read_volume(tmp_path, edition_of(doc, line_numbers="none"))
    assert moved  # the case arose
    starts = {}
    for chunk in volume["chunks"]:
        word = chunk.words[0] if chunk.words else ""
        if re.fullmatch(r"(Строка|Line)\d+", word):
            starts[word] = (chunk.page, round(chunk.y, 1))
    for i in range(80):
        assert starts[f"Строка{i}"] == starts[f"Line{i}"], i


# --- three columns ---------------------------------------------------------------------


def test_three_columns_stand_side_by_side(three):
    # three columns are too narrow to justify even on A4 (render/measure.py)
    (warning,) = three["report"].warnings
    assert warning.startswith("3 columns on A4 hold about") and "set ragged right" in warning
    doc = three["edition"].documents[0]
    starts = first_words(three, doc, ("ru", "en", "de"))
    assert len(starts) > 15
    for segment, (ru, en, de) in starts.items():
        assert ru.page == en.page == de.page, segment
        assert abs(ru.y - en.y) < 0.5 and abs(en.y - de.y) < 0.5, segment
        assert ru.x < en.x < de.x, segment
    html = three["html"]
    assert '<table class="parallel cols-3 ragged">' in html
    heads = re.findall(r'<th class="col-head[^"]*" lang="(\w+)">([^<]+)</th>', html)
    assert heads == [
        ("ru", "Russian original"),
        ("en", "English translation by United Nations"),
        ("de", "German translation by United Nations"),
    ]


def test_three_columns_number_their_notes_in_three_series(three):
    doc = three["edition"].documents[0]
    html = three["html"]
    assert html.count('<span class="fn fn-footnote fn-series-b"') == sum(
        n.anchor.layer == "ru" for n in doc.notes
    )
    assert html.count('<span class="fn fn-footnote fn-series-c"') == sum(
        n.anchor.layer == "de" for n in doc.notes
    )
    markers = {c.text for c in three["chunks"] if c.size < 8 and len(c.text) <= 3}
    assert {"α", "β", "1", "2", "3", "i"} <= markers  # calls: ru α β, en 1 (title) 2 3, de i


def test_bleed_and_crop_marks(three, two):
    bleed = 3 / 25.4 * 72
    for page in three["reader"].pages:
        media, trim = page.mediabox, page.trimbox
        assert float(trim.width) == pytest.approx(210 / 25.4 * 72, abs=0.1)
        assert float(media.width) - float(trim.width) == pytest.approx(2 * bleed, abs=0.1)
        assert float(trim.left) - float(media.left) == pytest.approx(bleed, abs=0.1)
    assert marks_drawn(three["reader"].pages[0])
    assert not marks_drawn(two["reader"].pages[0])
    assert two["reader"].pages[0].mediabox == two["reader"].pages[0].trimbox


def marks_drawn(page) -> bool:
    """Crop marks: lines drawn in a form that reaches into the bleed."""
    from pypdf.generic import ContentStream

    for ref in (page["/Resources"].get("/XObject") or {}).values():
        form = ref.get_object()
        box = [float(v) for v in form.get("/BBox", [0, 0, 0, 0])]
        if box[0] < 0 and box[1] < 0:
            ops = [op for _, op in ContentStream(form, page.pdf).operations]
            return ops.count(b"l") >= 8
    return False


# --- which layers a document prints -----------------------------------------------------


def test_printed_layers_follow_the_layout_and_the_columns():
    doc = udhr_document("d", range(1, 2), ("ru", "en", "de"))

    def ids(layout, names=()):
        layers, remark = printed_layers(doc, layout, list(names))
        return [la.id for la in layers], remark

    assert ids("translation") == (["en"], None)  # the main layer: the first translation
    assert ids("original") == (["ru"], None)
    assert ids("parallel") == (["ru", "en"], None)
    assert ids("parallel", ["original", "en"]) == (["ru", "en"], None)
    assert ids("parallel", ["en", "ru", "de"]) == (["en", "ru", "de"], None)
    layers, remark = ids("parallel", ["ru", "fr", "en"])
    assert layers == ["ru", "en"] and remark == "The French text is not part of this edition."

    letter = translation_only()
    assert printed_layers(letter, "original", [])[1] == (
        "The Russian original is not part of this edition; the English translation is printed."
    )
    layers, remark = printed_layers(letter, "parallel", [])
    assert [la.id for la in layers] == ["en"] and "printed alone" in remark


def test_the_original_layout_prints_the_original(tmp_path):
    edition = edition_of(udhr_document("d", range(1, 2)), layout="original")
    html = render_html(edition, templates_dirs(REPO))
    assert '<div class="text" lang="ru">' in html and "Все люди рождаются" in html
    assert "All human beings" not in html


# --- settings: edition.yaml and the command line ------------------------------------------


def write_edition_yaml(root: Path, extra: str) -> Path:
    root.mkdir(exist_ok=True)
    path = root / "edition.yaml"
    path.write_text("title: Test\n" + extra, "utf-8")
    return path


def test_edition_yaml_holds_the_print_settings(tmp_path):
    path = write_edition_yaml(
        tmp_path,
        "layout: parallel\ncolumns: [original, en, en.2]\nline_numbers: page\nbleed: 3mm\nmarks: crop\n",
    )
    edition = store.read_edition_file(path)
    assert (edition.layout, edition.columns, edition.line_numbers, edition.bleed, edition.marks) == (
        "parallel", ["original", "en", "en.2"], "page", "3mm", "crop",
    )
    tree = store.edition_tree(edition)
    assert tree["columns"] == ["original", "en", "en.2"] and tree["line_numbers"] == "page"
    # defaults are not written out
    plain = store.edition_tree(store.read_edition_file(write_edition_yaml(tmp_path, "")))
    assert plain["line_numbers"] is None and plain["columns"] == [] and plain["bleed"] is None
    # a comma-separated string is a list too
    assert store.read_edition_file(write_edition_yaml(tmp_path, "columns: ru, en\n")).columns == ["ru", "en"]


@pytest.mark.parametrize(
    "extra, message",
    [
        ("columns: [ru, en, de, fr, uk]\n", "at most 4 columns"),
        ("columns: [ru, ru]\n", "named twice"),
        ("columns: ['ru en']\n", "not a layer id"),
        ("line_numbers: sometimes\n", "'line_numbers' cannot be"),
        ("bleed: lots\n", "must be a length"),
        ("marks: trim\n", "'marks' cannot be"),
        ("colums: [ru]\n", "unknown field 'colums'"),
    ],
)
def test_bad_print_settings_are_errors_with_a_position(tmp_path, extra, message):
    path = write_edition_yaml(tmp_path, extra)
    with pytest.raises(EditionError, match=message) as info:
        store.read_edition_file(path)
    problem = info.value.problems[0]
    assert problem.line == 2


def test_build_takes_layout_and_columns_from_the_command_line(sample, cli, monkeypatch):
    import edition.render as render

    seen = {}

    def fake_build(edition, out, templates, html_out=None, **options):
        seen.update(layout=edition.layout, columns=edition.columns)
        return BuildReport(pages=1)

    monkeypatch.setattr(render, "build_pdf", fake_build)
    result = cli("build", "--edition", sample, "--layout", "parallel", "--columns", "original,en")
    assert result.exit_code == 0, result.output
    assert seen == {"layout": "parallel", "columns": ["original", "en"]}

    result = cli("build", "--edition", sample, "--layout", "sideways")
    assert result.exit_code == 2 and "'sideways' is not one of 'translation', 'original', 'parallel'" in result.output
    result = cli("build", "--edition", sample, "--layout", "parallel", "--columns", "xx")
    assert result.exit_code == 2 and "no document has a layer or language 'xx'" in result.output


def test_two_columns_print_without_overprint(two):
    from .overprint import faults

    assert faults(two["out"]) == []


def test_three_columns_print_without_overprint(three):
    from .overprint import faults

    assert faults(three["out"]) == []
