"""Facing pages (`layout: facing`), tested by reading the PDF back with
pdfplumber: the original on every left page (verso), the translation on
every right page (recto), each pair of pages beginning at the same segment
(found by matching each page's first line against the segments' texts),
each side's notes at its own foot, a segment longer than a page continued
on both sides together, line numbers restarting on every page in each
side's outer margin, no glyph overprinted or off the page on A5, B5 and
6×9 in; a letter written in English printed alone; a real volume
(Chekhov's «Тоска» with Garnett's translation, a FRUS letter written in
English, a Wilson Center telegram known only in translation).

Test material: the Universal Declaration of Human Rights in Russian and
English (tests/udhr.py), and ../shared/data/real."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("weasyprint")

from edition import api
from edition.model import Anchor, Document, Edition, Layer, LayerRole, Note, NoteKind, Segment, SegmentKind
from edition.render import build_pdf, templates_dirs
from edition.render.facing import cut_pieces, page_height, px
from edition.render.html import Bound, Footnote, Run, piece_text
from edition.settings import PAGE_FORMATS

from .conftest import copy_sample, snapshot
from .overprint import faults
from .printed import chars, page_text, plumbed, squeeze
from .test_render_parallel import annotated_udhr, note_word, translation_only
from .udhr import joined, udhr_document

REPO = Path(__file__).resolve().parents[1]
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LATIN = re.compile(r"[A-Za-z]")


def english_letter() -> Document:
    """A letter written in English: its only layer is the original."""
    return Document(
        id="letter-en",
        title="A letter written in English",
        original_language="en",
        layers=[Layer("en", "en", LayerRole.ORIGINAL)],
        segments=[Segment("p1", SegmentKind.PARAGRAPH, {"en": joined("en", range(1, 3))})],
    )


def facing_edition(*documents: Document, **settings) -> Edition:
    settings = {"page_size": "A5", "layout": "facing", **settings}
    return Edition(title="Facing Texts", editors=["Anna Editor"], languages=["ru", "en"], documents=list(documents), **settings)


def build(folder: Path, edition: Edition) -> dict:
    out = folder / "facing.pdf"
    report = build_pdf(edition, out, templates_dirs(REPO))
    return {"edition": edition, "report": report, "out": out, "lines": body_lines(out, edition.page_size)}


def body_lines(pdf: Path, page_size: str) -> dict[int, list[tuple[str, float, float]]]:
    """The lines of text set at the size of the body text on each page
    (running heads, folios, line numbers and notes are smaller): (text, x0,
    top), top down."""
    size = px(PAGE_FORMATS[page_size].font_size) * 0.75
    out: dict[int, list[tuple[str, float, float]]] = {}
    with plumbed(pdf) as document:
        for number, page in enumerate(document.pages, start=1):
            body = [c for c in chars(page) if abs(c.size - size) < 0.3 and c.text.strip()]
            rows: dict[int, list] = {}
            for c in body:
                rows.setdefault(round(c.bottom), []).append(c)
            lines = []
            for bottom in sorted(rows):
                row = sorted(rows[bottom], key=lambda c: c.x0)
                lines.append(("".join(c.text for c in row), row[0].x0, row[0].top))
            out[number] = lines
    return out


def doc_pages(volume: dict, doc_id: str) -> list[int]:
    """The pages that hold a document's text (from the build's line map)."""
    return sorted({x.page for (d, _, _), lines in volume["report"].lines.items() if d == doc_id for x in lines})


def pairs(volume: dict, doc_id: str) -> list[tuple[int, int]]:
    pages = doc_pages(volume, doc_id)
    return [(p, p + 1) for p in range(pages[0], pages[-1], 2)]


def segment_of(doc: Document, layer: str, line: str) -> set[str]:
    """The segments whose text in `layer` holds a printed line (more than
    one where a text repeats another's)."""
    wanted = squeeze(line.rstrip("\u2010-"))
    if not wanted:
        return set()
    exact = {s.id for s in doc.segments if layer in s.text and squeeze(s.text[layer]) == wanted}
    return exact or {s.id for s in doc.segments if layer in s.text and wanted in squeeze(s.text[layer])}


def first_text(doc: Document, layer: str, lines: list[str]) -> list[str]:
    """The lines from the first that is a segment's text (on a document's
    first pair, its head and the column's label come first)."""
    k = next(i for i, line in enumerate(lines) if segment_of(doc, layer, line))
    return lines[k:]


@pytest.fixture(scope="module")
def udhr():
    return annotated_udhr()


@pytest.fixture(scope="module", params=["A5", "B5", "6x9in"])
def volume(request, udhr, tmp_path_factory):
    """The Declaration in Russian and English, a letter known only in
    translation and a letter written in English, in facing pages."""
    edition = facing_edition(udhr, translation_only(), english_letter(), page_size=request.param)
    return build(tmp_path_factory.mktemp(f"facing-{request.param}"), edition)


# --- the pages ----------------------------------------------------------------------


def test_nothing_overprints_or_leaves_the_page(volume):
    assert faults(volume["out"]) == []


def test_a_document_opens_on_a_verso_with_the_original_facing_the_translation(volume, udhr):
    pages = doc_pages(volume, "udhr")
    assert pages[0] % 2 == 0  # a left page
    assert (pages[-1] - pages[0]) % 2 == 1  # ends on a right page
    lines = volume["lines"]
    labels = {"russianoriginal", "englishtranslationbyunitednations"}
    for verso, recto in pairs(volume, "udhr"):
        text_v = [t for t, _, _ in lines[verso] if squeeze(t) not in labels]
        text_r = [t for t, _, _ in lines[recto] if squeeze(t) not in labels]
        assert text_v and text_r, (verso, recto)
        if verso == pages[0]:  # after the document's head
            text_v = first_text(udhr, "ru", text_v)
        assert all(CYRILLIC.search(t) and not LATIN.search(t) for t in text_v), verso
        assert all(LATIN.search(t) and not CYRILLIC.search(t) for t in text_r), recto


def test_each_pair_of_pages_begins_at_the_same_segment(volume, udhr):
    first = doc_pages(volume, "udhr")[0]
    seen = []
    for verso, recto in pairs(volume, "udhr"):
        lines_v = [t for t, _, _ in volume["lines"][verso]]
        lines_r = [t for t, _, _ in volume["lines"][recto]]
        lines_v, lines_r = first_text(udhr, "ru", lines_v), first_text(udhr, "en", lines_r)
        segment_v = segment_of(udhr, "ru", lines_v[0])
        segment_r = segment_of(udhr, "en", lines_r[0])
        assert segment_v & segment_r, (verso, lines_v[0], lines_r[0])
        seen.append(segment_v & segment_r)
    assert len(seen) >= 3


def test_the_pages_of_the_line_map_are_in_step(volume, udhr):
    """Every segment's original stands on the verso facing its
    translation's recto: the same pairs of pages, page for page."""
    lines = volume["report"].lines
    for segment in udhr.segments:
        ru = {x.page for x in lines.get(("udhr", "ru", segment.id), [])}
        en = {x.page for x in lines.get(("udhr", "en", segment.id), [])}
        if ru and en:
            assert {p + 1 for p in ru} == en, segment.id
            assert all(p % 2 == 0 for p in ru)


def test_a_segment_longer_than_a_page_continues_on_both_sides_together(volume):
    lines = volume["report"].lines
    ru = sorted({x.page for x in lines[("udhr", "ru", "long")]})
    en = sorted({x.page for x in lines[("udhr", "en", "long")]})
    assert len(ru) >= 2  # cut between pairs
    assert [p + 1 for p in ru] == en
    # cut at the end of a line, between words: no word is lost or doubled
    printed = "".join(x.text.rstrip("\u2010") for x in lines[("udhr", "en", "long")])
    assert squeeze(printed) == squeeze(joined("en", range(2, 14)))


def test_each_side_has_its_own_notes_at_its_foot(volume, udhr):
    found = {}
    with plumbed(volume["out"]) as document:
        for number, page in enumerate(document.pages, start=1):
            text = page_text(page)
            for note in udhr.notes:
                if note.id.startswith("n") and note.id[1:].isdigit() and note_word(int(note.id[1:])) + ":" in text:
                    found[note.id] = number
    assert found
    for note in udhr.notes:
        if note.id in found:
            side = note.anchor.layer
            page = found[note.id]
            assert page % 2 == (0 if side == "ru" else 1), (note.id, side, page)
            calls = {x.page for x in volume["report"].lines[("udhr", side, note.anchor.segment)]}
            assert page in calls, (note.id, page, calls)


def test_line_numbers_restart_on_every_page_in_each_outer_margin(volume):
    lines = volume["report"].lines
    by_page: dict[tuple[int, str], list[int]] = {}
    for (doc, layer, _), printed in lines.items():
        if doc == "udhr":
            for x in printed:
                by_page.setdefault((x.page, layer), []).append(x.number)
    for (page, layer), numbers in by_page.items():
        assert min(numbers) == 1 and sorted(numbers) == list(range(1, len(numbers) + 1)), (page, layer)
    # the printed numbers: in the left margin of a verso, the right of a recto
    with plumbed(volume["out"]) as document:
        for verso, recto in pairs(volume, "udhr"):
            for number, outer in ((verso, "left"), (recto, "right")):
                page = document.pages[number - 1]
                left = min(x0 for _, x0, _ in volume["lines"][number])
                size = px(PAGE_FORMATS[volume["edition"].page_size].font_size) * 0.75 * 0.72  # .ln-n: 0.72rem
                words = page.extract_words(extra_attrs=["size"])
                numbers = [w for w in words if w["text"].isdigit() and int(w["text"]) % 5 == 0 and abs(w["size"] - size) < 0.2]
                printed = max(len(by_page.get((number, layer), [])) for layer in ("ru", "en"))
                assert len(numbers) == printed // 5, number
                if outer == "left":
                    assert all(w["x1"] < left for w in numbers), number
                else:
                    assert all(w["x0"] > page.width / 2 for w in numbers), number


def test_a_letter_written_in_english_prints_alone(volume):
    pages = doc_pages(volume, "letter-en")
    with plumbed(volume["out"]) as document:
        text = " ".join(page_text(document.pages[p - 1]) for p in pages)
    assert "Written in English: the original is printed alone." in " ".join(text.split())
    assert "not part of this edition" not in text
    body = "".join(t for p in pages for t, _, _ in volume["lines"][p])
    assert squeeze(joined("en", range(1, 3))) in squeeze(body)
    assert {layer for (doc, layer, _) in volume["report"].lines if doc == "letter-en"} == {"en"}


def test_the_folios_are_the_builds_after_a_blank_page(tmp_path):
    """A document longer than a page before a facing one: a blank right
    page stands between them and counts, as in any book."""
    letter = translation_only()
    letter.segments[0].text["en"] = joined("en", range(1, 14))
    volume = build(tmp_path, facing_edition(letter, annotated_udhr(numbers=range(1, 6))))
    folios = volume["report"].folios
    with plumbed(volume["out"]) as document:
        for number, page in enumerate(document.pages, start=1):
            if number <= volume["report"].folios.index("1"):
                continue
            head = [w["text"] for w in page.extract_words() if w["top"] < px(PAGE_FORMATS["A5"].top) * 0.75]
            if head:
                assert folios[number - 1] in head, (number, head, folios[number - 1])


# --- the parts ----------------------------------------------------------------------


def test_pieces_are_cut_between_words_and_never_inside_a_call():
    note = Footnote("n1", "footnote", (Run("a note"),))
    pieces = (Run("one two "), Bound((Run("three"),), (note,)), Run(" four five"))
    before, after = cut_pieces(pieces, len("one two three "))
    assert piece_text(before) == "one two three" and piece_text(after) == "four five"
    assert any(isinstance(p, Bound) for p in before)
    before, after = cut_pieces(pieces, len("one two th"))  # inside the word with the call
    assert piece_text(before) == "one two three" and piece_text(after) == "four five"


def test_page_heights_come_from_the_page_formats():
    assert page_height(PAGE_FORMATS["A5"]) == pytest.approx((210 - 18 - 22) * 96 / 25.4)
    assert px("6in") == 576


# --- settings and command line ----------------------------------------------------------


def test_layout_facing_is_a_setting_and_an_option(tmp_path, cli):
    root = tmp_path / "ed"
    api.init(root, "Facing")
    result = cli("build", "--edition", root, "--layout", "facin")
    assert result.exit_code == 2
    assert "facing" in result.output
    (root / "edition.yaml").write_text((root / "edition.yaml").read_text("utf-8").replace("layout: translation", "layout: facing"), "utf-8")
    result = cli("validate", "--edition", root)
    assert result.exit_code == 0, result.output


def test_columns_are_refused_with_facing_pages(tmp_path, cli):
    root = tmp_path / "ed"
    api.init(root, "Facing")
    before = snapshot(root)
    result = cli("build", "--edition", root, "--layout", "facing", "--columns", "original,translation")
    assert result.exit_code == 2
    assert "--columns cannot be given with --layout facing" in result.output
    assert "--layout parallel" in result.output
    assert snapshot(root) == before


@pytest.mark.shared_data
@pytest.mark.parametrize("page_size", ["A5", "B5", "6x9in"])
def test_a_real_volume_prints_in_step(real_data, tmp_path, page_size):
    """«Тоска» in Russian with Garnett's translation, a FRUS letter written
    in English and a Wilson Center telegram known only in translation, in
    facing pages, built by the command line in a process of its own."""
    root = tmp_path / "real"
    api.init(root, "Real documents in facing pages")
    api.import_files(root, [real_data / "pairs" / "chekhov-toska.ru.txt"], lang="ru")
    api.import_files(root, [real_data / "frus" / "frus1961-63v05-d146.xml", *sorted((real_data / "wilson").glob("1962-10-31_*.txt"))])
    api.add_translation(root, "toska", real_data / "pairs" / "chekhov-toska.en.txt", lang="en", translator="Constance Garnett")
    settings = root / "edition.yaml"
    settings.write_text(settings.read_text("utf-8").replace("page_size: A5", f"page_size: {page_size}"), "utf-8")
    out = tmp_path / "real.pdf"
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "edition", "build", "--edition", str(root), "--layout", "facing", "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert faults(out) == []
    lines = body_lines(out, page_size)
    ws = api.open_workspace(root)
    toska = next(d for d in ws.edition.documents if d.id == "toska")
    letter = next(d for d in ws.edition.documents if d.id.startswith("frus"))
    assert [la.role for la in letter.layers] == [LayerRole.ORIGINAL]
    # the pages of «Тоска»: Russian on the left, English on the right
    first = next(p for p, ls in sorted(lines.items()) if any(squeeze(t) == "russianoriginal" for t, _, _ in ls))
    assert first % 2 == 0
    verso = first
    while any(CYRILLIC.search(t) for t, _, _ in lines[verso]):
        text_v = [t for t, _, _ in lines[verso] if squeeze(t) != "russianoriginal"]
        text_r = [t for t, _, _ in lines[verso + 1] if not squeeze(t).startswith("englishtranslation")]
        if verso == first:  # after the document's head
            text_v = first_text(toska, "ru", text_v)
        assert all(not LATIN.search(t) for t in text_v), verso
        assert all(not CYRILLIC.search(t) for t in text_r), verso + 1
        assert segment_of(toska, "ru", text_v[0]) & segment_of(toska, "en", text_r[0]), (verso, text_v[0], text_r[0])
        verso += 2
    assert verso - first >= 6  # three pairs at least
    # the letter written in English: printed whole, alone, nothing said missing
    text = "\n".join(t for ls in lines.values() for t, _, _ in ls)
    assert "allthebest" in squeeze(text) and "notpartofthisedition" not in squeeze(text)


def revised_udhr() -> Document:
    """The Declaration with a revision of its English translation that
    changes one word in each of a few articles: an apparatus of variants."""
    doc = udhr_document("udhr", range(1, 9), ("ru", "en"))
    doc.layers.append(Layer("en.2", "en", LayerRole.TRANSLATION, revises="en", translator="A. Reviser"))
    for segment in doc.segments:
        if "en" in segment.text:
            segment.text["en.2"] = segment.text["en"].replace("Everyone", "Every person")
    return doc


def test_the_apparatus_stands_at_the_foot_of_the_recto(tmp_path):
    doc = revised_udhr()
    changed = {s.id for s in doc.segments if "Every person" in s.text["en.2"]}
    assert len(changed) >= 3
    volume = build(tmp_path, facing_edition(doc))
    lines = volume["report"].lines
    pages = {x.page for sid in changed for x in lines[("udhr", "en.2", sid)] if "Every person" in x.text}
    assert pages and all(p % 2 == 1 for p in pages)  # the revision, on the rectos
    body = px(PAGE_FORMATS["A5"].font_size) * 0.75
    with plumbed(volume["out"]) as document:
        for number, page in enumerate(document.pages, start=1):
            small = " ".join(w["text"] for w in page.extract_words(extra_attrs=["size"]) if w["size"] < body * 0.85)
            has_entry = "Everyone" in small  # the witness's reading, in the apparatus
            assert has_entry == (number in pages), (number, small[:120])
            if has_entry:  # each entry led by the number of its lemma's line on this page
                labels = {int(n) for n in re.findall(r"\b(\d+) Every person\] Everyone\b", small)}
                keyed = {x.number for sid in changed for x in lines[("udhr", "en.2", sid)] if x.page == number and "Every" in x.text}
                assert labels and labels <= keyed, (number, labels, keyed)


def test_the_first_pair_begins_level_under_the_documents_head(volume):
    """The head stands on the first verso; the first recto keeps its height
    blank, so that the two texts begin on one level."""
    verso = doc_pages(volume, "udhr")[0]
    label_v = next(top for t, _, top in volume["lines"][verso] if squeeze(t) == "russianoriginal")
    label_r = next(top for t, _, top in volume["lines"][verso + 1] if squeeze(t).startswith("englishtranslation"))
    assert label_v == pytest.approx(label_r, abs=1.0)
    assert label_v > 100  # under the head


def test_an_apparatus_after_the_text_gives_page_and_line(tmp_path):
    """Line numbers restart on every page of facing pages: an apparatus
    printed after the document cites the recto's folio and the line."""
    doc = revised_udhr()
    volume = build(tmp_path, facing_edition(doc, apparatus_at="end"))
    report = volume["report"]
    keyed = sorted(
        (x.page, x.number)
        for (d, layer, _), lines in report.lines.items()
        if d == "udhr" and layer == "en.2"
        for x in lines
        if "Every person" in x.text
    )
    assert keyed and all(page % 2 == 1 for page, _ in keyed)
    with plumbed(volume["out"]) as document:
        text = " ".join(" ".join(page_text(page).split()) for page in document.pages)
    cited = re.findall(r"(\d+)\.(\d+) Every person\] Everyone", text)
    assert sorted((report.folios.index(f) + 1, int(n)) for f, n in cited) == keyed


def test_a_head_too_long_to_share_a_page_stands_on_pages_of_its_own(tmp_path):
    """A headnote longer than half a page: the head is printed before the
    pairs, and the first pair still begins on a left page, in step."""
    doc = udhr_document("udhr", range(1, 6), ("ru", "en"))
    doc.summary = joined("en", range(14, 24))
    volume = build(tmp_path, facing_edition(doc))
    assert faults(volume["out"]) == []
    lines = volume["report"].lines
    ru = {x.page for (d, layer, _), printed in lines.items() if layer == "ru" for x in printed}
    en = {x.page for (d, layer, _), printed in lines.items() if layer == "en" for x in printed}
    assert ru and all(p % 2 == 0 for p in ru) and {p + 1 for p in ru} == en
    with plumbed(volume["out"]) as document:
        head = page_text(document.pages[min(ru) - 3]) + page_text(document.pages[min(ru) - 2])
    assert squeeze(joined("en", range(14, 16))) in squeeze(head)  # the headnote, before the first pair


@pytest.mark.parametrize("page_size", ["A5", "B5", "6x9in"])
def test_the_sample_edition_prints_in_facing_pages(tmp_path, page_size, monkeypatch):
    """The sample's documents have no original: each prints its translation
    alone, and says so; nothing overprints. The volume is laid out three
    times: measured, laid out (the front matter's pages known from the
    measuring), numbered for its index."""
    import weasyprint

    root = copy_sample(tmp_path / "sample")
    settings = root / "edition.yaml"
    settings.write_text(settings.read_text("utf-8").replace("page_size: A5", f"page_size: {page_size}"), "utf-8")
    layouts = []
    render = weasyprint.HTML.render
    monkeypatch.setattr(weasyprint.HTML, "render", lambda self, *a, **k: layouts.append(1) or render(self, *a, **k))
    out, report = api.build(root, tmp_path / "sample.pdf", layout="facing")
    assert len(layouts) == 3
    assert faults(out) == []
    with plumbed(out) as document:
        text = " ".join(" ".join(page_text(page).split()) for page in document.pages)
    assert "Russian original is not part of this edition" in text
    assert report.pages > 8


def test_a_page_that_runs_over_is_found(tmp_path):
    """The check every facing build ends with: the measuring layout's plan
    (each text whole on one page) laid out on real pages runs over, and
    the check names the pair."""
    import weasyprint

    from edition.render import facing
    from edition.render.html import render_volume
    from edition.render.weasy import building, make_fetcher

    edition = facing_edition(annotated_udhr(numbers=range(1, 4)))
    templates = templates_dirs(REPO)
    volume = render_volume(edition, templates)
    template, css = facing._facing_template(templates)
    whole = facing.measuring_plans(volume.view)
    fitting = {n: facing.FacingPlan(tuple(facing.Spread(s.verso[:2], s.recto[:2]) for s in plan.spreads)) for n, plan in whole.items()}
    with building():
        for plans, wrong in ((whole, {1: {0}}), (fitting, {})):
            html = facing.facing_html(template, css, volume.view, plans)
            laid = weasyprint.HTML(string=html, base_url=volume.base_dir.as_uri() + "/", url_fetcher=make_fetcher(templates)).render()
            assert facing.out_of_step(laid, plans, {}) == wrong


def synthetic(kinds_and_lines: list[tuple[str, int, int]]):
    """A measured document of segments (kind, lines on the verso, lines on
    the recto), every line 20 px tall, no notes."""
    from edition.render.facing import DocumentText, SideText
    from edition.render.html import Block
    from edition.render.weasy.measure import Extent

    rows = []
    y = 0.0
    for i, (kind, *counts) in enumerate(kinds_and_lines):
        row = {}
        for side, n in zip(("v", "r"), counts):
            words = " ".join(f"w{i}x{k}" for k in range(n))
            block = Block(kind, f"s{i}", side, "en", (Run(words),))
            lines = [Extent(1, y + 20 * k, y + 20 * (k + 1)) for k in range(n)]
            spans = [
                (len(" ".join(f"w{i}x{j}" for j in range(k))) + (1 if k else 0), len(" ".join(f"w{i}x{j}" for j in range(k + 1))))
                for k in range(n)
            ]
            row[side] = SideText(block, False, Extent(1, y, y + 20 * n), lines, spans, [[] for _ in range(n)])
        rows.append(row)
        y += 1000
    return DocumentText(1, rows, 0.0, 0.0, [])


def test_a_segment_taller_than_a_page_is_cut_at_the_same_share_on_both_sides():
    from edition.render.facing import plan_pairs

    doc = synthetic([("paragraph", 40, 20)])  # 800 px and 400 px on pages of 300 px
    pairs = plan_pairs(doc, 300.0)
    assert len(pairs) == 3
    shares = [{s: (a / 40 if s == "v" else a / 20, b / 40 if s == "v" else b / 20) for s, (a, b) in held[0][1].items()} for held in pairs]
    for share in shares:
        assert share["v"] == pytest.approx(share["r"], abs=0.05)  # the same share of each side's lines
    assert [held[0][1]["v"] for held in pairs] == [(0, 15), (15, 30), (30, 40)]


def test_a_heading_never_ends_a_pair():
    from edition.render.facing import plan_pairs

    doc = synthetic([("paragraph", 13, 13), ("heading", 1, 1), ("paragraph", 5, 5)])
    pairs = plan_pairs(doc, 300.0)  # 15 lines a page: the heading fits, its text does not
    assert [[i for i, _ in held] for held in pairs] == [[0], [1, 2]]


# --- notes longer than a page -----------------------------------------------------------


def long_note(doc: Document, layer: str, words: int, segment: int = 3) -> tuple[str, int]:
    """A note of `words` numbered words ("word1 word2 …": read back, they
    show the note whole and in order) at the end of the `segment`-th
    paragraph of `layer`; its segment's id and the count."""
    paragraphs = [s for s in doc.segments if s.kind is not SegmentKind.HEADING and len(s.text) == 2]
    target = paragraphs[segment]
    text = " ".join(f"word{k}" for k in range(1, words + 1))
    doc.notes.append(Note("long", NoteKind.FOOTNOTE, text, Anchor(layer, target.id)))  # on its last word
    return target.id, words


def note_parts(pdf: Path) -> dict[int, list[int]]:
    """The numbered words of the long note on each page, in reading order."""
    with plumbed(pdf) as document:
        return {
            number: [int(k) for k in re.findall(r"\bword(\d+)\b", page_text(page))]
            for number, page in enumerate(document.pages, start=1)
        }


def assert_runs_on_its_side(volume: dict, layer: str, segment: str, words: int, pages_at_least: int) -> list[int]:
    """The long note: whole and in order, on the page of its call and the
    next pages of the same side only, two pages apart; the texts in step."""
    assert faults(volume["out"]) == []
    parts = {p: ks for p, ks in note_parts(volume["out"]).items() if ks}
    assert [k for p in sorted(parts) for k in parts[p]] == list(range(1, words + 1))
    pages = sorted(parts)
    called = min(x.page for x in volume["report"].lines[("udhr", layer, segment)])
    assert pages[0] == called
    assert pages == list(range(called, called + 2 * len(pages), 2)), pages  # the same side, page after page
    assert len(pages) >= pages_at_least
    lines = volume["report"].lines
    ru = {x.page for (d, la, _), printed in lines.items() if d == "udhr" and la == "ru" for x in printed}
    en = {x.page for (d, la, _), printed in lines.items() if d == "udhr" and la == "en" for x in printed}
    assert all(p % 2 == 0 for p in ru) and all(p % 2 == 1 for p in en)
    first: dict[tuple[int, str], tuple[int, str]] = {}  # each page's first line: its segment
    for (d, la, sid), printed in lines.items():
        for x in printed:
            if d == "udhr" and (x.page, la) not in first or first.get((x.page, la), (0, ""))[0] > x.number:
                first[(x.page, la)] = (x.number, sid)
    for verso in sorted(ru):  # each pair begins at the same segment
        if (verso + 1, "en") in first:
            assert first[(verso, "ru")][1] == first[(verso + 1, "en")][1], verso
    for page in range(min(ru), max(en) + 1):  # the body of each page: one text only
        body = [t for t, _, _ in volume["lines"].get(page, []) if squeeze(t) not in {"russianoriginal", "englishtranslationbyunitednations"}]
        script = CYRILLIC if page % 2 == 0 else LATIN
        other = LATIN if page % 2 == 0 else CYRILLIC
        assert all(script.search(t) and not other.search(t) for t in body if page != min(ru)), page
    return pages


@pytest.mark.parametrize(
    "layer, side", [("en", 1), ("ru", 0)], ids=["a-translations-note-on-the-next-recto", "an-originals-note-on-the-next-verso"]
)
def test_a_note_longer_than_its_page_goes_on_on_the_next_page_of_its_side(tmp_path, layer, side):
    doc = udhr_document("udhr", range(1, 9), ("ru", "en"))
    segment, words = long_note(doc, layer, 700)
    volume = build(tmp_path, facing_edition(doc))
    pages = assert_runs_on_its_side(volume, layer, segment, words, 2)
    assert all(p % 2 == side for p in pages)


def test_a_rest_longer_than_a_page_goes_on_past_the_documents_end(tmp_path):
    """A note of three pages and more called in the last paragraph: its
    rest runs on over more rectos than the text has, each under a part of
    the note before; the versos facing them stay blank, in step."""
    doc = udhr_document("udhr", range(1, 4), ("ru", "en"))
    paragraphs = [s for s in doc.segments if s.kind is not SegmentKind.HEADING and len(s.text) == 2]
    segment, words = long_note(doc, "en", 1500, segment=len(paragraphs) - 1)
    volume = build(tmp_path, facing_edition(doc, page_size="6x9in"))
    pages = assert_runs_on_its_side(volume, "en", segment, words, 3)
    last_text = max(x.page for (d, _, _), printed in volume["report"].lines.items() if d == "udhr" for x in printed)
    assert pages[-1] > last_text  # pairs of notes alone, after the text
    assert all(not volume["lines"].get(p - 1) for p in pages if p > last_text)  # their versos: blank


def test_the_planner_keeps_the_room_a_note_runs_on_by_on_its_side():
    """Synthetic heights: a recto's note of 500 px on pages of 300 px runs
    on over the next two rectos; the rectos' text gives way, the versos
    stay in step with them."""
    from edition.render.facing import NOTE_AREA, TEXT_KEPT, _Pages, plan_pairs

    doc = synthetic([("paragraph", 5, 5)] * 12)
    doc.rows[0]["r"].notes_by_line[4].append("long")
    doc.note_heights["long"] = 500.0
    pairs = plan_pairs(doc, 300.0, note_line=10.0)
    assert pairs[0] == [(0, {"v": (0, 5), "r": (0, 5)})]  # the call ends the pair's text: the note takes the rest
    def text(held, side):  # lines of 20 px
        return sum(20 * (r[side][1] - r[side][0]) for _, r in held if side in r)

    # 200 px of the note under the text, 316 px (and a line) run on: 75 % of
    # the next recto at most, the rest on the one after
    most = (1 - TEXT_KEPT) * 300.0
    assert 0 < text(pairs[1], "r") <= 300.0 - most
    rest = 500.0 + NOTE_AREA - 200.0 + 10.0 - (most - NOTE_AREA) + 10.0
    assert text(pairs[2], "r") <= 300.0 - NOTE_AREA - rest
    assert text(pairs[2], "r") > 300.0 - NOTE_AREA - rest - 20.0  # no more room kept than the rest takes
    assert text(pairs[3], "r") > 200.0  # the note has ended
    for held in pairs:  # in step: the same lines' share of each segment on both pages
        assert [(i, r["v"]) for i, r in held] == [(i, r["r"]) for i, r in held]
    printed = [(i, r["r"]) for held in pairs for i, r in held]  # every line printed once, in order
    assert [(i, k) for i, (a, b) in printed for k in range(a, b)] == [(i, k) for i in range(12) for k in range(5)]
    page = _Pages(doc, 10.0)
    assert page.notes_height("r", ["long"]) == NOTE_AREA + 500.0


def test_an_apparatus_entry_longer_than_its_page_goes_on_on_the_next_recto(tmp_path):
    """A revision that leaves out a long passage of the translation it
    revises: the entry giving the passage runs on under the revision, recto
    after recto, whole and in order."""
    doc = revised_udhr()
    segment = next(s for s in doc.segments if s.kind is not SegmentKind.HEADING and "Every person" in s.text["en.2"])
    segment.text["en"] += " " + " ".join(f"word{k}" for k in range(1, 1301))
    volume = build(tmp_path, facing_edition(doc))
    assert faults(volume["out"]) == []
    parts = {p: ks for p, ks in note_parts(volume["out"]).items() if ks}
    assert [k for p in sorted(parts) for k in parts[p]] == list(range(1, 1301))
    pages = sorted(parts)
    called = max(x.page for x in volume["report"].lines[("udhr", "en.2", segment.id)])
    assert pages == list(range(called, called + 2 * len(pages), 2)) and len(pages) >= 3
    assert all(p % 2 == 1 for p in pages)


def test_a_long_note_on_a_line_ending_in_a_hyphenated_word_cuts_no_word(tmp_path):
    """The original's note called on the first line of a paragraph whose
    first line ends inside a hyphenated word: the pair takes that line, and
    the word goes whole to the next pair."""
    doc = udhr_document("udhr", range(1, 9), ("ru", "en"))
    target = next(s for s in doc.segments if s.id == "a3.1")
    doc.notes.append(Note("long", NoteKind.FOOTNOTE, " ".join(f"word{k}" for k in range(1, 701)), Anchor("ru", "a3.1", "Каждый")))
    volume = build(tmp_path, facing_edition(doc))
    assert faults(volume["out"]) == []
    printed = volume["report"].lines[("udhr", "ru", "a3.1")]
    assert len({x.page for x in printed}) == 2  # cut between pairs
    words = set(target.text["ru"].split())
    assert all(x.text.split()[-1] in words or x.text.endswith(("\u2010", "-")) for x in printed), [x.text for x in printed]
    assert squeeze("".join(x.text.rstrip("\u2010") for x in printed)) == squeeze(target.text["ru"])


def test_long_notes_on_both_sides_run_on_each_on_its_own(tmp_path):
    """A translation's note and an original's in one pair: each goes on
    over the pages of its side; a word hyphenated where a page ends keeps
    its hyphen (words that hyphenate: "alpha12" breaks as "al‐pha12")."""
    doc = udhr_document("udhr", range(1, 9), ("ru", "en"))
    paragraphs = [s for s in doc.segments if s.kind is not SegmentKind.HEADING and len(s.text) == 2]
    doc.notes.append(Note("la", NoteKind.FOOTNOTE, " ".join(f"alpha{k}" for k in range(1, 701)), Anchor("en", paragraphs[3].id)))
    doc.notes.append(Note("lb", NoteKind.FOOTNOTE, " ".join(f"beta{k}" for k in range(1, 901)), Anchor("ru", paragraphs[3].id)))
    volume = build(tmp_path, facing_edition(doc))
    assert faults(volume["out"]) == []
    with plumbed(volume["out"]) as document:
        texts = [page_text(page) for page in document.pages]
    for word, count, parity in (("alpha", 700, 1), ("beta", 900, 0)):
        pages = [n for n, text in enumerate(texts, start=1) if re.search(rf"\b{word}\d", text)]
        assert len(pages) >= 2 and all(p % 2 == parity for p in pages), (word, pages)
        assert pages == list(range(pages[0], pages[-1] + 1, 2)), (word, pages)
        token = re.compile(rf"{word}\d+|\w+\u2010|[a-z]*\d+|\W|α")  # a word, its head hyphenated, its tail; the note's mark
        lines = [line for p in pages for line in texts[p - 1].split("\n") if all(token.fullmatch(t) for t in line.split())]
        run = "\n".join(lines).replace("\u2010\n", "")  # a hyphen at a line's end joins the word again
        assert [int(k) for k in re.findall(rf"\b{word}(\d+)\b", run)] == list(range(1, count + 1)), word
