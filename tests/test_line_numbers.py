"""Line numbers in the margin, tested by reading the PDF back: a number every
fifth line of each column, beside that line, restarting in every document
(or on every page); the line map of the build agrees with the PDF; the
second render, which prints the numbers, lays the text out exactly as the
first; the WeasyPrint internals the pass reads are still there.

Test material: the Universal Declaration of Human Rights in Russian and
English (tests/udhr.py), in two documents, and a letter in English alone.
The volume is built once for the module."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pypdf = pytest.importorskip("pypdf")
weasyprint = pytest.importorskip("weasyprint")

from edition.model import Anchor, Document, Edition, Layer, LayerRole, Note, NoteKind, Segment, SegmentKind
from edition.render import build_pdf, line_at, templates_dirs
from edition.render import assemble as parts_module
from edition.render.lines import LineMismatch, match_lines
from edition.render.weasy import read_lines, stamp_numbers

from .printed import Chunk, chunks, on_page, squeeze
from .udhr import joined, udhr_document

REPO = Path(__file__).resolve().parents[1]

# A paragraph with what trips up a line counter: a suspended hyphen, a soft
# hyphen, a real hyphen, emphasis, footnote calls.
SPECIAL = {
    "en": "Pre- and post-war programmes of *re\u00adconstruction* were discussed at length, "
    "and the committee’s report on the well‐being of families in one- and two-storey "
    "houses was read aloud; the delegates from the northern districts asked that the "
    "programmes be extended to the settlements of the timber and coal industries.",
    "ru": "Довоенные и после\u00adвоенные программы *восстановления* обсуждались подробно, "
    "а доклад комитета о положении семей в одно- и двухэтажных домах был зачитан вслух; "
    "делегаты северных районов просили распространить программы на посёлки лесной и "
    "угольной промышленности.",
}


def first_part() -> Document:
    doc = udhr_document("udhr-1", range(1, 16), title="Universal Declaration, Articles 1–15")
    doc.segments.insert(2, Segment("special", SegmentKind.PARAGRAPH, dict(SPECIAL)))
    doc.notes += [
        Note("n1", NoteKind.FOOTNOTE, "On reconstruction.", Anchor("en", "special", "*re\u00adconstruction*")),
        Note("n2", NoteKind.FOOTNOTE, "On well-being.", Anchor("en", "special", "well‐being")),
        Note("n3", NoteKind.FOOTNOTE, "О восстановлении.", Anchor("ru", "special", "*восстановления*")),
        Note("n4", NoteKind.FOOTNOTE, "On dignity.", Anchor("en", "a1.1", "dignity")),
    ]
    return doc


def letter(articles: int = 11) -> Document:
    return Document(
        id="letter",
        title="A letter known only in translation",
        original_language="ru",
        layers=[Layer("en", "en", LayerRole.TRANSLATION)],
        segments=[
            Segment("p1", SegmentKind.PARAGRAPH, {"en": joined("en", range(1, 7))}),
            Segment("p2", SegmentKind.PARAGRAPH, {"en": joined("en", range(7, articles + 1))}),
        ],
    )


def volume(*documents, **settings) -> Edition:
    settings = {"page_size": "A5", "layout": "parallel", **settings}
    return Edition(title="Numbered Lines", languages=["ru", "en"], documents=list(documents), **settings)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The volume, with the check of the second render recorded."""
    folder = tmp_path_factory.mktemp("numbered")
    edition = volume(first_part(), udhr_document("udhr-2", range(16, 31)), letter())
    checks = []
    original = parts_module.same_layout

    def recording(first, second):
        result = original(first, second)
        checks.append((list(first), list(second), result))
        return result

    parts_module.same_layout = recording
    try:
        report = build_pdf(edition, folder / "volume.pdf", templates_dirs(REPO))
    finally:
        parts_module.same_layout = original
    reader = pypdf.PdfReader(folder / "volume.pdf")
    return {"edition": edition, "report": report, "chunks": chunks(reader), "reader": reader, "checks": checks, "out": folder / "volume.pdf"}


# --- reading numbers and lines from the PDF ---------------------------------------------

NUMBER_SIZE = 0.72 * 9.5  # .ln-n is 0.72rem; A5 sets the root font size to 9.5pt


def is_number(chunk: Chunk) -> bool:
    return chunk.text.isdigit() and abs(chunk.size - NUMBER_SIZE) < 0.2


def body(chunk: Chunk) -> bool:
    """Text of the text block: not a number, a footnote or a running head
    (above the top margin, 18mm in A5)."""
    return chunk.size > 8 and chunk.y > 18 / 25.4 * 72 and not is_number(chunk)


def document_pages(built) -> dict[str, range]:
    """The pages of each document (from the line map: first to last line)."""
    pages: dict[str, list[int]] = defaultdict(list)
    for (doc, _, _), lines in built["report"].lines.items():
        pages[doc].extend(line.page for line in lines)
    return {doc: range(min(p), max(p) + 1) for doc, p in pages.items()}


def column_edges(chunks_on_page: list[Chunk], columns: int) -> list[float]:
    """Where each column's text starts on a page: the first column's at the
    leftmost body text, the second's at the leftmost body text beyond the
    first column (in A5 a column and its half gutter are 158.7pt wide, its
    text 151pt: a piece of text that starts further right is in the second)."""
    xs = [c.x for c in chunks_on_page if body(c)]
    if not xs:
        return [0.0] * columns
    edges = [min(xs)]
    if columns == 2:
        edges.append(min((x for x in xs if x > edges[0] + 155), default=float("inf")))
    return edges


COLUMNS = {"udhr-1": 2, "udhr-2": 2, "letter": 1}


def printed_numbers(built, doc_id: str) -> dict[str, list[tuple[int, float, int]]]:
    """The numbers printed in the margins of a document's pages: side →
    [(page, y, number)], in page order; "left" of the first column, "right"
    of the last."""
    found = defaultdict(list)
    for page in document_pages(built)[doc_id]:
        here = on_page(built["chunks"], page)
        edges = column_edges(here, COLUMNS[doc_id])
        for chunk in sorted(here, key=lambda c: c.y):
            if is_number(chunk):
                side = "left" if chunk.x < edges[0] else "right"
                found[side].append((page, chunk.y, int(chunk.text)))
    return found


def text_at(built, doc_id: str, page: int, y: float, column: int) -> str:
    """The body text of a column at one baseline."""
    here = on_page(built["chunks"], page)
    edges = column_edges(here, COLUMNS[doc_id]) + [float("inf")]
    return " ".join(
        c.text
        for c in sorted(here, key=lambda c: c.x)
        if body(c) and abs(c.y - y) < 0.5 and edges[column] - 1 <= c.x < edges[column + 1] - 1
    )


# --- tests ------------------------------------------------------------------------------------


def test_the_build_numbers_lines_without_warnings(built):
    report = built["report"]
    assert report.warnings == []
    # no apparatus, no index: one layout, the numbers added to it
    assert "layout (numbered)" not in report.timings and built["checks"] == []


def test_numbers_stand_every_fifth_line_and_restart_in_every_document(built):
    for doc_id, sides in (("udhr-1", ("left", "right")), ("udhr-2", ("left", "right")), ("letter", ("left",))):
        numbers = printed_numbers(built, doc_id)
        assert sorted(numbers) == sorted(sides), doc_id
        for side in sides:
            values = [n for _, _, n in numbers[side]]
            assert values[:3] == [5, 10, 15], (doc_id, side)  # restarts in each document
            assert values == list(range(5, 5 * len(values) + 1, 5)), (doc_id, side)


def test_numbers_stand_in_the_margin_beside_their_line(built):
    """Each number is outside its column, at the baseline of a line of that
    column: the number's line, counted in the PDF, is a multiple of five."""
    for doc_id in ("udhr-1", "letter"):
        numbers = printed_numbers(built, doc_id)
        for side, column in (("left", 0), ("right", 1)):
            if side not in numbers:
                continue
            # the column's lines, counted from its first segment, page by page
            baselines = []
            first = built["report"].lines[(doc_id, *first_key(built, doc_id, column))][0]
            for page in document_pages(built)[doc_id]:
                here = on_page(built["chunks"], page)
                edges = column_edges(here, COLUMNS[doc_id]) + [float("inf")]
                ys = sorted({
                    round(c.y, 1) for c in here
                    if body(c) and edges[column] - 1 <= c.x < edges[column + 1] - 1
                    and c.y < footnote_top(here)
                })
                if page == first.page:
                    first_y = first_baseline(built, doc_id, column)
                    ys = [y for y in ys if y >= first_y - 0.5]
                baselines += [(page, y) for y in ys]
            for page, y, number in numbers[side]:
                assert (page, round(y, 1)) in baselines, (doc_id, side, number)
                assert baselines.index((page, round(y, 1))) + 1 == number, (doc_id, side, number)


def first_key(built, doc_id: str, column: int) -> tuple[str, str]:
    """(layer, segment) of the first line of a column of a document."""
    doc = next(d for d in built["edition"].documents if d.id == doc_id)
    layer = [la.id for la in doc.layers][column] if len(doc.layers) > 1 else doc.layers[0].id
    return layer, doc.segments[0].id


def first_baseline(built, doc_id: str, column: int) -> float:
    """The baseline of a column's first line: the map says which text it
    holds, the PDF where it stands."""
    line = built["report"].lines[(doc_id, *first_key(built, doc_id, column))][0]
    here = on_page(built["chunks"], line.page)
    ys = [c.y for c in here if body(c) and squeeze(c.text) and squeeze(line.text).startswith(squeeze(c.text))]
    return min(ys)


def footnote_top(here: list[Chunk]) -> float:
    """Above the footnotes (smaller type at the foot of the page)."""
    notes = [c.y for c in here if 7 < c.size < 8 and c.y > 300]
    return min(notes) - 5 if notes else float("inf")


def test_the_line_map_agrees_with_the_pdf(built):
    """Where a number is printed, the map's line of that number is found at
    that height in that column, with the map's text."""
    lines = built["report"].lines
    by_number = defaultdict(dict)
    for (doc_id, layer, _), segment_lines in lines.items():
        doc = next(d for d in built["edition"].documents if d.id == doc_id)
        column = [la.id for la in doc.layers].index(layer) if doc_id != "letter" else 0
        for line in segment_lines:
            by_number[(doc_id, column)][line.number] = line
    checked = 0
    for doc_id in ("udhr-1", "udhr-2", "letter"):
        for side, (page_y_numbers) in printed_numbers(built, doc_id).items():
            column = 0 if side == "left" else 1
            for page, y, number in page_y_numbers:
                line = by_number[(doc_id, column)][number]
                assert line.page == page, (doc_id, column, number)
                printed = text_at(built, doc_id, page, y, column)
                assert squeeze(printed) == squeeze(line.text), (doc_id, column, number, printed, line.text)
                checked += 1
    assert checked > 100


def test_the_line_map_covers_each_segment_in_order(built):
    """Lines follow each other without gap or overlap, and their offsets
    are in the stored text: emphasis marks, soft hyphens and calls are
    accounted for."""
    lines = built["report"].lines
    docs = {d.id: d for d in built["edition"].documents}
    assert ("udhr-1", "en", "special") in lines and ("letter", "en", "p2") in lines
    for (doc_id, layer, segment), segment_lines in lines.items():
        source = docs[doc_id].segment(segment).text[layer]
        assert segment_lines[0].start == 0
        assert segment_lines[-1].end == len(source)
        for before, after in zip(segment_lines, segment_lines[1:]):
            assert before.end <= after.start and source[before.end:after.start].strip(" *") == ""
            assert after.number == before.number + 1
        for line in segment_lines:
            assert squeeze(source[line.start:line.end]) == squeeze(line.text), (segment, line)
    # a phrase's line, as the apparatus will look it up
    special = lines[("udhr-1", "en", "special")]
    at = SPECIAL["en"].index("well‐being")
    (line,) = [ln for ln in special if ln.start <= at < ln.end]
    assert "well" in line.text
    assert line_at(lines, "udhr-1", "en", "special", at) == line
    assert line_at(lines, "udhr-1", "de", "special", at) is None


def test_numbers_restart_on_every_page_when_asked(tmp_path):
    edition = volume(letter(25), line_numbers="page", layout="translation")
    report = build_pdf(edition, tmp_path / "v.pdf", templates_dirs(REPO))
    assert report.warnings == []
    printed = chunks(pypdf.PdfReader(tmp_path / "v.pdf"))
    pages = sorted({line.page for ls in report.lines.values() for line in ls})
    assert len(pages) >= 2
    for page in pages:
        numbers = [int(c.text) for c in sorted(on_page(printed, page), key=lambda c: c.y) if is_number(c)]
        assert numbers == list(range(5, 5 * len(numbers) + 1, 5)) and numbers[0] == 5, page
        assert len(numbers) >= 5 or page == pages[-1]
    numbers = [line.number for ls in report.lines.values() for line in ls]
    assert numbers.count(1) == len(pages)


def test_no_numbers_when_asked(tmp_path):
    doc = Document(
        id="short", title="Short", layers=[Layer("en", "en", LayerRole.TRANSLATION)],
        segments=[Segment("p1", SegmentKind.PARAGRAPH, {"en": joined("en", range(1, 3))})],
    )
    report = build_pdf(volume(doc, line_numbers="none"), tmp_path / "v.pdf", templates_dirs(REPO))
    assert "layout (numbered)" not in report.timings  # one pass only
    assert len(report.lines[("short", "en", "p1")]) > 5  # the map is there all the same
    printed = chunks(pypdf.PdfReader(tmp_path / "v.pdf"))
    assert not [c for c in printed if is_number(c)]


@pytest.mark.parametrize("layout", ["translation", "facing"])
def test_templates_that_mark_no_text_block_are_told_their_numbers_are_left_out(tmp_path, layout):
    """An edition's own document page without data-doc (and the facing
    page's copy of it) numbers nothing: the build says why, in parts and in
    facing pages alike."""
    from edition import api

    from .conftest import copy_sample

    root = copy_sample(tmp_path / "sample")
    (root / "templates").mkdir()
    for name in ("document.html.j2", "facing-document.html.j2"):
        page = (REPO / "templates" / name).read_text("utf-8")
        assert ' data-doc="{{ doc.number }}"' in page
        (root / "templates" / name).write_text(page.replace(' data-doc="{{ doc.number }}"', ""), "utf-8")
    _, report = api.build(root, tmp_path / "v.pdf", layout=layout)
    assert not report.lines or not any(report.lines.values())
    assert [w for w in report.warnings if w.startswith("line numbers left out: the templates mark no text block")]


# --- the WeasyPrint internals the pass reads ------------------------------------------------


def test_weasyprint_internals_are_the_ones_line_numbers_read():
    """Line numbers read WeasyPrint's laid-out boxes (pinned to 70.x in
    pyproject.toml). If this fails, WeasyPrint changed them: adapt
    edition/render/weasy/tree.py before changing the pin."""
    version = weasyprint.__version__
    html = (
        '<style>@page { size: 100mm 100mm; margin: 10mm } p { width: 30mm; margin: 0;'
        ' font: 10pt "Linux Libertine O", serif; hyphens: manual }'
        ' .fn { float: footnote } .ln { position: absolute }</style>'
        '<section data-doc="1"><div class="text"><p data-segment="s1" data-layer="en">'
        "one two three four five six seven eight nine ten eleven twelve"
        '<span class="fn">A note.</span> thirteen<span class="ln">5</span></p></div></section>'
    )
    try:
        document = weasyprint.HTML(string=html).render()
        laid = read_lines(document)
    except Exception as exc:  # noqa: BLE001 - the message is the point
        pytest.fail(f"WeasyPrint {version} changed the layout internals line numbers read: {exc!r}")
    assert version.startswith("70."), (
        f"WeasyPrint {version}: line numbers are tested against 70.x; check edition/render/lines.py"
    )
    texts = [line.text for line in laid]
    assert len(laid) > 2 and all(line.key == (1, "en", "s1") and line.page == 1 for line in laid), (
        f"WeasyPrint {version} changed its line boxes: {laid!r}"
    )
    # calls, footnotes and absolutely placed boxes are not part of a line's text
    joined_text = " ".join(texts)
    assert joined_text == (
        "one two three four five six seven eight nine ten eleven twelve thirteen"
    ), f"WeasyPrint {version} changed its line boxes: {texts!r}"
    ys = [line.y for line in laid]
    assert ys == sorted(ys) and len(set(ys)) == len(ys), f"WeasyPrint {version}: line positions {ys!r}"


# --- matching printed lines against the text ---------------------------------------------------


def test_lines_are_matched_across_hyphens_and_calls():
    text = "Pre- and post-war pro\u00adgrammes of reconstruction were discussed at length"
    lines = ["Pre- and post-", "war pro‐", "grammes of recon‐", "struction were", "discussed at length"]
    spans = match_lines(text, lines)
    assert [text[a:b] for a, b in spans] == [
        "Pre- and post-", "war pro\u00ad", "grammes of recon", "struction were", "discussed at length",
    ]
    with pytest.raises(LineMismatch):
        match_lines(text, ["Pre- and post-", "peace programmes"])


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab c\u00add-\u2010 \u200b*é", max_size=30), st.data())
def test_lines_are_matched_as_the_character_walk_matches_them(text, data):
    """The fast matcher (one comparison per line) gives the spans of the
    character walk it replaced, or its error."""
    from edition.render.lines import _match_lines_slowly

    printed = "".join(ch for ch in text if not (ch.isspace() or ch in "\u00ad\u200b"))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(printed)), max_size=6)))
    pieces = [printed[a:b] for a, b in zip([0, *cuts], [*cuts, len(printed)])]
    lines = [p + data.draw(st.sampled_from(["", "\u2010", " ", "x"])) for p in pieces]
    def outcome(match):
        try:
            return match(text, lines)
        except LineMismatch:
            return "mismatch"
    assert outcome(match_lines) == outcome(_match_lines_slowly)


def test_numbers_are_printed_without_laying_the_text_out_again(tmp_path, monkeypatch):
    """Without an apparatus or an index to key to the lines, the text is
    laid out once (and the front matter once): the numbers are added to the
    finished layout, so they cannot move a line (which numbers set inside
    the text could)."""
    layouts = []
    original = weasyprint.HTML.render

    def counting(self, *args, **kwargs):
        layouts.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "render", counting)
    doc = Document(
        id="short", title="Short", layers=[Layer("en", "en", LayerRole.TRANSLATION)],
        segments=[Segment("p1", SegmentKind.PARAGRAPH, {"en": joined("en", range(1, 4))})],
    )
    report = build_pdf(volume(doc, layout="translation"), tmp_path / "v.pdf", templates_dirs(REPO))
    assert len(layouts) == 2 and report.timings["parts"] == 2 and "layout (numbered)" not in report.timings
    lines = report.lines[("short", "en", "p1")]
    printed = chunks(pypdf.PdfReader(tmp_path / "v.pdf"))
    numbers = sorted((c.page, c.y, int(c.text)) for c in printed if is_number(c))
    assert [n for _, _, n in numbers] == [x.number for x in lines if x.number % 5 == 0]
    # the stock figure the templates give the column is not printed
    assert not [c for c in printed if c.text.strip() == "0"]
    assert not [w for w in report.warnings if "line" in w]


def test_stamping_reads_the_stock_figure_of_each_column():
    """A figure copied from the column's stock stands on each fifth line's
    baseline, flush right at the stock's right edge; the stock is taken out."""
    html = (
        '<style>@page { size: 100mm 100mm; margin: 10mm 10mm 10mm 30mm } body { margin: 0 } p { width: 30mm; margin: 0;'
        ' font: 10pt "Linux Libertine O", serif; hyphens: manual } .text { position: relative }'
        ' .ln { position: absolute; right: 100%; width: 8mm; margin-right: 2mm; text-align: right }'
        ' .ln-n { font-size: 7pt }</style>'
        '<section data-doc="1"><div class="text"><div class="ln ln-stock"><span class="ln-n">0</span></div>'
        '<p data-segment="s1" data-layer="en">' + " ".join(["word"] * 60) + "</p></div></section>"
    )
    document = weasyprint.HTML(string=html).render()
    laid = read_lines(document)
    assert stamp_numbers(document) == len(laid) // 5
    pdf = document.write_pdf()
    printed = chunks(pypdf.PdfReader(__import__("io").BytesIO(pdf)))
    figures = [c for c in printed if c.text.isdigit()]
    assert [int(c.text) for c in figures] == list(range(5, len(laid) + 1, 5))
    mm = 72 / 25.4
    for c in figures:
        line = laid[int(c.text) - 1]
        assert abs(c.y - line.y) < 0.6, (c, line)  # on its line's baseline
        assert 20 * mm < c.x < 28 * mm, c  # in the stock's box, left of the text
    # flush right: a two-figure number starts further left than a one-figure one
    assert figures[0].x > figures[1].x + 2


def test_changed_internals_are_a_clear_error():
    from edition.errors import EditionError

    class Page:  # what a WeasyPrint without `_page_box` would give
        pass

    class LaidOut:
        pages = [Page()]

    with pytest.raises(EditionError, match=rf"WeasyPrint {re.escape(weasyprint.__version__)}") as info:
        read_lines(LaidOut())
    assert "weasyprint>=70,<71" in info.value.problems[0].hint


def test_weasyprint_internals_the_build_patches_are_there():
    """The build wraps private WeasyPrint 70 functions (render/weasy/): the
    footnote area's layout (apparatus under the notes), the page maker
    (progress), the line layout (calls kept with their notes). If this
    fails, WeasyPrint changed them: adapt render/weasy/ before the pin."""
    import inspect

    from weasyprint.layout import LayoutContext, block
    from weasyprint.layout import page as page_layout

    assert callable(getattr(LayoutContext, "_update_footnote_area", None))
    assert hasattr(LayoutContext, "current_page_footnotes") or "current_page_footnotes" in inspect.getsource(LayoutContext)
    assert list(inspect.signature(page_layout.make_page).parameters)[:5] == [
        "context", "root_box", "page_type", "resume_at", "page_number",
    ]
    assert callable(getattr(block, "_linebox_layout", None))


def test_numbered_lines_overprint_nothing(built):
    from .overprint import faults

    assert faults(built["out"]) == []
