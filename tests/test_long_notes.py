"""A note or an apparatus entry longer than the room left on its page
continues at the foot of the next page, as books print them: the part that
fits stays under the line that calls it, the rest leads the next page's
notes under a rule across the full measure (the short rule opens the notes
of any other page). Read back from the PDF of the sample edition in every
layout: the note's whole text in order, the rules, the text above the
notes and never under them, and nothing overprinted or off the page."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from edition import api, store

from .conftest import copy_sample
from .overprint import faults
from .printed import chars, lone_fragments, page_text, plumbed, rects, squeeze


LETTER = "1956-11-14-anonymous-letter-city-gorky"


def long_text(root: Path, times: int = 3) -> str:
    """Prose longer than an A5 page: the letter's revised translation, three
    times over, each time led by a word of its own (so that a part printed
    twice, or left out, shows)."""
    ws = api.open_workspace(root)
    doc = ws.edition.document(LETTER)
    letter = " ".join(s.text.get("en.2", "") for s in doc.segments)
    return " ".join(f"Round{n}. {letter}" for n in ("one", "two", "three")[:times])


def with_long_note(root: Path, text: str, segment: str = "p2") -> Path:
    api.add_note(root, LETTER, layer="en.2", segment=segment, phrase="", text=text)
    return root


def noted_letter(root: Path) -> Path:
    """The sample with the letter alone, a note of two rounds (longer than a
    page) at the end of its second paragraph, and a short note at the end
    of every paragraph: the long note's line calls a short one after it."""
    import shutil

    for other in ("1953-06-26-secret-memorandum-secretary-moscow", "1956-09-18-anonymous-letter-editorial-board"):
        (root / "seeds" / f"{other}.yaml").unlink()
        shutil.rmtree(root / "translations" / other, ignore_errors=True)
    with_long_note(root, long_text(root, times=2))
    for segment in api.open_workspace(root).edition.document(LETTER).segments:
        if segment.text.get("en.2") and segment.kind.value != "heading":
            api.add_note(root, LETTER, layer="en.2", segment=segment.id, phrase="", text=f"A short note on {segment.id}.")
    return root


def with_long_variant(root: Path, text: str, segment: str = "p5") -> Path:
    """The other translation (en) reads a long passage more at the end of
    `segment`: one apparatus entry holding all of it."""
    ws = api.open_workspace(root)
    doc = ws.edition.document(LETTER)
    seg = next(s for s in doc.segments if s.id == segment)
    seg.text["en"] = seg.text["en"] + " " + text
    store.save_layers(ws, doc, {"en"})
    return root


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    measure: tuple[float, float]  # the text block's left and right edges
    rule: tuple[float, float, float] | None  # x0, x1, top of the rule above the notes
    text_bottom: float  # the lowest glyph above the rule
    notes: str  # the text under the rule
    sizes: dict[float, str]  # the text under the rule in each size of type


def pages(pdf: Path) -> list[Page]:
    out = []
    with plumbed(pdf) as doc:
        for number, page in enumerate(doc.pages, start=1):
            thin = [r for r in rects(page) if r.height < 1 and r.width > 20]
            rule = (thin[0].x0, thin[0].x1, thin[0].top) if thin else None
            glyphs = [c for c in chars(page) if c.text.strip()]
            body = [c for c in glyphs if rule is None or c.top < rule[2]]
            foot = (0, rule[2], page.width, page.height) if rule else None
            notes = page_text(page, foot) if foot else ""
            sizes = (
                {
                    size: page_text(page, foot, where=lambda c, size=size: round(c.size, 1) == size)
                    for size in {round(c.size, 1) for c in glyphs if c.top >= foot[1]}
                }
                if foot
                else {}
            )
            left = min((c.x0 for c in glyphs), default=0.0)
            right = max((c.x1 for c in glyphs), default=0.0)
            out.append(Page(number, float(page.width), float(page.height), (left, right), rule, max((c.bottom for c in body), default=0.0), notes, sizes))
    return out


def in_order(text: str, laid: list[Page], apparatus: bool = False) -> bool:
    """The whole of `text`, in order, in the type of the notes (or of the
    apparatus) under the rules of the pages: the other kind, which may
    stand between two parts of a note, left out."""
    amount: dict[float, int] = {}
    for page in laid:
        for size, printed in page.sizes.items():
            amount[size] = amount.get(size, 0) + len(printed)
    # the apparatus is set smallest; the notes take most of the foot (a
    # folio may stand there too, in the text's type)
    size = min(amount) if apparatus else max(amount, key=amount.__getitem__)
    return squeeze(text) in "".join(squeeze(p.sizes.get(size, "")) for p in laid)


def full_rule(page: Page) -> bool:
    return page.rule is not None and page.rule[1] - page.rule[0] > 0.9 * (page.measure[1] - page.measure[0])


def assert_continued(pdf: Path, text: str, apparatus: bool = False, everywhere: bool = True) -> list[Page]:
    """The note's text, whole and in order, under the rules of two pages or
    more; the first part under a short rule, each continuation under a rule
    across the measure; the text above the rule; nothing overprinted or
    off the page (on every page, or, not `everywhere`, on the pages of the
    note); no line of a hyphenated word's first part alone. Returns the
    pages that hold the note."""
    laid = pages(pdf)
    assert in_order(text, laid, apparatus)  # whole and in order
    notes = "".join(squeeze(p.notes) for p in laid)
    assert [notes.count(squeeze(f"Round{n}")) for n in ("one", "two", "three")] == [1, 1, 1]  # once
    first = next(p for p in laid if squeeze("Roundone") in squeeze(p.notes))
    assert first.rule is not None and not full_rule(first)
    rest = []
    for page in laid[first.number :]:
        if not full_rule(page):
            break
        rest.append(page)
    holding = [first, *rest]
    assert rest, "the note is not continued on another page"
    assert squeeze("Roundthree") in "".join(squeeze(p.notes) for p in rest)  # its last part among them
    scope = {p.number for p in (laid if everywhere else holding)}
    assert [f for f in faults(pdf, limit=10_000) if any(g.page in scope for g in f.glyphs)] == []
    assert lone_fragments(pdf) == []  # no part set wider than it was measured
    for page in laid:
        if page.rule is not None and page.number in scope:
            assert page.text_bottom <= page.rule[2], f"page {page.number}: text under the notes"
    return holding


@pytest.mark.parametrize("layout", [pytest.param({}, id="text"), pytest.param({"columns": ["en,en.2"]}, id="parallel")])
def test_a_long_note_leaves_no_page_short_when_its_line_calls_more(tmp_path, layout):
    """The line that calls the long note calls a short one after it: the
    long note is cut on the page where that line first stands, with room
    left for the short one, and on every page of the letter but its last
    the notes begin within five lines of the text (72 pt). The line and the
    lines before it used to go on, page after page, until the long note
    fitted whole under them: pages of one line and a blank."""
    root = noted_letter(copy_sample(tmp_path / "sample"))
    out, report = api.build(root, tmp_path / "noted.pdf", **layout)
    letter = sorted({x.page for (doc, _, _), lines in report.lines.items() if doc == LETTER for x in lines})
    every = pages(out)
    laid = [p for p in every if p.number in letter[:-1]]
    assert len(laid) >= 3 and all(p.rule for p in laid)  # a note on every page
    gaps = {p.number: round(p.rule[2] - p.text_bottom) for p in laid if p.rule}
    assert [n for n, gap in gaps.items() if gap > 72] == [], f"blank between the text and the notes, in pt: {gaps}"
    # the long note whole and in order (the short one after its first part
    # left out), and continued under a full rule
    short = re.compile(r"\d+ A short note on p\d+\.")
    read = [dataclasses.replace(p, sizes={k: short.sub("", v) for k, v in p.sizes.items()}) for p in every]
    assert in_order(long_text(root, times=2), read) and any(full_rule(p) for p in laid)
    assert faults(out) == []


def test_a_long_note_continues_on_the_next_page_under_a_full_rule(tmp_path):
    root = copy_sample(tmp_path / "sample")
    text = long_text(root)
    with_long_note(root, text)
    out, report = api.build(root, tmp_path / "long.pdf")
    holding = assert_continued(out, text)
    # its first part stands on the page of its call: the call's line is there
    assert any(line.page == holding[0].number for line in report.lines[(LETTER, "en.2", "p2")])


@pytest.mark.parametrize("size", ["B5", "6x9in"])
def test_a_long_note_continues_on_every_page_size(tmp_path, size):
    root = copy_sample(tmp_path / "sample")
    settings = root / "edition.yaml"
    settings.write_text(settings.read_text("utf-8").replace("page_size: A5", f"page_size: {size}"), "utf-8")
    text = long_text(root)
    with_long_note(root, text)
    out, _ = api.build(root, tmp_path / f"{size}.pdf")
    assert_continued(out, text)


def test_a_long_apparatus_entry_continues_on_the_next_page(tmp_path):
    root = copy_sample(tmp_path / "sample")
    text = long_text(root)
    with_long_variant(root, text)
    out, _ = api.build(root, tmp_path / "variant.pdf")
    assert_continued(out, text, apparatus=True)


def test_a_long_note_in_the_parallel_layout(tmp_path):
    root = copy_sample(tmp_path / "sample")
    text = long_text(root)
    with_long_note(root, text)
    out, _ = api.build(root, tmp_path / "parallel.pdf", columns=["en,en.2"])
    # the parallel layout of the sample overprints elsewhere, long note or
    # not (the notes of one column drawn over the last lines of the other,
    # a fault of the columns' own), which is not this test's to check
    assert_continued(out, text, everywhere=False)


def test_a_long_note_with_line_numbers_by_page(tmp_path):
    root = copy_sample(tmp_path / "sample")
    (root / "edition.yaml").write_text((root / "edition.yaml").read_text("utf-8") + "line_numbers: page\n", "utf-8")
    text = long_text(root)
    with_long_note(root, text, segment="p4")
    out, _ = api.build(root, tmp_path / "by-page.pdf")
    assert_continued(out, text)


def test_a_note_of_several_pages_leaves_room_for_the_text_on_each(tmp_path):
    """A note longer than two pages: on the pages it runs over, the text
    keeps its share at the top and goes on, never under the notes."""
    root = copy_sample(tmp_path / "sample")
    text = " ".join([long_text(root)] * 3).replace("Roundone", "Round1", 1)
    with_long_note(root, text)
    out, _ = api.build(root, tmp_path / "longer.pdf")
    assert faults(out) == []
    laid = pages(out)
    assert in_order(text, laid)
    assert all(p.text_bottom <= p.rule[2] for p in laid if p.rule is not None)
    continued = [p for p in laid if full_rule(p)]
    assert len(continued) >= 3
    # the text goes on above the note while it lasts (past the end of the
    # volume's text, the rest of a note fills pages of its own)
    assert len([p for p in continued if p.text_bottom > 0]) >= 2


def test_the_command_builds_a_long_note_in_a_process_of_its_own(tmp_path):
    root = copy_sample(tmp_path / "sample")
    text = long_text(root)
    with_long_note(root, text)
    out = tmp_path / "cli.pdf"
    done = subprocess.run(
        [sys.executable, "-m", "edition", "build", "-C", str(root), "-o", str(out)], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert_continued(out, text)


def test_a_continued_note_is_tagged_in_the_pdf_ua_volume(tmp_path):
    """Both parts of a continued note are tagged text of the structure tree,
    and the validator finds nothing."""
    from . import pdfua

    root = copy_sample(tmp_path / "sample")
    text = long_text(root)
    with_long_note(root, text)
    out, _ = api.build(root, tmp_path / "ua.pdf", pdf_variant="pdf/ua-1")
    assert_continued(out, text)
    tagged = pdfua.read(out)
    assert pdfua.outside_the_body(tagged) == []
    runs = pdfua.untagged_text(out)
    assert not [r for r in runs if "outside any tagged sequence" in r or "left open" in r or "EMC without" in r]
    page = pytest.importorskip("page", reason="page-validation (the PDF/UA validator) is in the dev extra")
    report = page.validate_pdf(str(out), profile="ua1")
    assert [f"{f.rule_id}: {f.message}" for f in report.failures] == []
