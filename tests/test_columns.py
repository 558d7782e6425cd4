"""Three and four parallel columns on every page size we offer (A5, B5,
6×9 in): nothing overprints or leaves the page (tests/overprint.py), each
column hyphenates in its language, and columns too narrow to justify are
set ragged right with a warning in the build report. The text is the UDHR
in Russian, English and German (../shared/data/udhr), with a revision of
the English as the fourth column, and notes in every column."""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from edition import api, store
from edition.model import Anchor, Document, Edition, Layer, LayerRole, Note, NoteKind
from edition.render import build_pdf, templates_dirs
from edition.render.measure import JUSTIFY_FROM, characters_per_line, measure
from edition.settings import PAGE_FORMATS

from .conftest import REPO
from .overprint import faults
from .printed import chars, plumbed
from .udhr import udhr_document


PAGES = ("A5", "B5", "6x9in")
LAYERS = ("ru", "en", "de", "en.2")


def udhr_in_columns(columns: int) -> Document:
    """Articles 1–8 in `columns` layers (the fourth a revision of the
    English), with a note on the first word of every third paragraph, in
    each column in turn."""
    langs = ("ru", "en", "de")[: min(columns, 3)]
    doc = udhr_document("udhr", range(1, 9), langs)
    if columns == 4:
        doc.layers.append(Layer("en.2", "en", LayerRole.TRANSLATION, translator="A. Reviser", revises="en", translated_from="ru"))
        for segment in doc.segments:
            if "en" in segment.text:
                segment.text["en.2"] = segment.text["en"].replace("shall", "must")
    layers = LAYERS[:columns]
    paragraphs = [s for s in doc.segments if s.id.count(".") and all(la in s.text for la in layers)]
    for n, segment in enumerate(paragraphs[::3]):
        layer = layers[n % columns]
        doc.notes.append(
            Note(f"n{n}", NoteKind.FOOTNOTE, f"Note {n} on the {layer} column, long enough to fill a line or two.",
                 Anchor(layer, segment.id, segment.text[layer].split()[0]))
        )  # fmt: skip
    return doc


def edition_in_columns(columns: int, page: str) -> Edition:
    return Edition(
        title="Parallel Texts",
        editors=["Anna Editor"],
        languages=["ru", "en", "de"],
        documents=[udhr_in_columns(columns)],
        page_size=page,
        layout="parallel",
        columns=list(LAYERS[:columns]),
    )


@pytest.fixture(scope="module", params=[(page, n) for n in (3, 4) for page in PAGES], ids=lambda p: f"{p[1]}-on-{p[0]}")
def volume(request, tmp_path_factory) -> dict:
    page, columns = request.param
    folder = tmp_path_factory.mktemp(f"cols{columns}-{page}")
    out, html = folder / "volume.pdf", folder / "volume.html"
    edition = edition_in_columns(columns, page)
    report = build_pdf(edition, out, templates_dirs(REPO), html_out=html, jobs=1)
    return {"page": page, "columns": columns, "out": out, "html": html.read_text("utf-8"), "report": report, "edition": edition}


# --- the measure ------------------------------------------------------------------------


def test_two_columns_justify_on_every_page_and_three_or_four_do_not():
    for page in PAGE_FORMATS.values():
        assert measure(page, [1, 2, 2]).ragged == ()
        found = measure(page, [2, 3, 4, 3])
        assert found.ragged == (3, 4)
        assert len(found.warnings) == 2
        for n, warning in zip((3, 4), found.warnings):
            assert warning.startswith(f"{n} columns on {page.name} hold about ")
            assert "set ragged right" in warning and f"2 columns on {page.name}" in warning


def test_a_line_holds_fewer_characters_in_more_columns_and_more_on_a_wider_page():
    for page in PAGE_FORMATS.values():
        counts = [characters_per_line(page, n) for n in (1, 2, 3, 4)]
        assert counts == sorted(counts, reverse=True)
    assert characters_per_line(PAGE_FORMATS["B5"], 3) > characters_per_line(PAGE_FORMATS["A5"], 3)


# --- the built volumes ------------------------------------------------------------------


@pytest.mark.shared_data
def test_nothing_overprints_or_leaves_the_page(volume):
    assert faults(volume["out"]) == []


@pytest.mark.shared_data
def test_narrow_columns_are_ragged_and_the_build_says_so(volume):
    page, columns = volume["page"], volume["columns"]
    assert f'<table class="parallel cols-{columns} ragged">' in volume["html"]
    said = [w for w in volume["report"].warnings if "ragged right" in w]
    assert len(said) == 1 and said[0].startswith(f"{columns} columns on {page} ")
    assert "2 columns on" in said[0]  # what to do: fewer columns (no page we offer justifies them)
    # the PDF shows it: the lines of a column end where their words end
    for column, share in enumerate(_flush_right_share(volume["out"], columns)):
        assert share < 0.5, (column, share)


@pytest.mark.shared_data
def test_the_measure_told_is_the_measure_printed(volume):
    """The characters a line holds, as the build estimates them, within a
    fifth of those the printed lines hold."""
    printed = [len(line.text) for lines in volume["report"].lines.values() for line in lines[:-1]]
    estimated = characters_per_line(PAGE_FORMATS[volume["page"]], volume["columns"])
    assert abs(statistics.mean(printed) - estimated) < estimated / 5
    assert estimated < JUSTIFY_FROM


@pytest.mark.shared_data
def test_every_column_carries_its_language_and_hyphenates_in_it(volume):
    cells = re.findall(r'<td class="col col-(\d) [^"]*" lang="([\w-]+)"', volume["html"])
    langs = {int(n): lang for n, lang in cells}
    assert langs == {i + 1: layer.split(".")[0] for i, layer in enumerate(LAYERS[: volume["columns"]])}
    broken = {layer for (_, layer, _), lines in volume["report"].lines.items() for line in lines if line.text.endswith("\u2010")}
    assert broken == set(LAYERS[: volume["columns"]])


@pytest.mark.shared_data
def test_each_column_numbers_its_notes_in_a_series_of_its_own(volume):
    """As many note series as columns (1, α, i, and a for the fourth), and
    no more."""
    columns = volume["columns"]
    called = set(re.findall(r'class="[^"]*\bfn-series-(\w)\b', volume["html"]))
    assert called == set("bcd"[: columns - 1])
    with plumbed(volume["out"]) as pdf:
        glyphs = [c for page in pdf.pages for c in chars(page)]
    body = statistics.mode(round(c.size, 1) for c in glyphs)
    calls = {c.text for c in glyphs if c.size < 0.75 * body}  # note calls and markers
    assert {"1", "α", "i", "a"[: columns - 3]} - {""} <= calls


@pytest.mark.shared_data
def test_a_narrow_build_from_the_command_line(tmp_path):
    """`edition build --columns ru,en,de` in a new process, on a 6×9 in
    page: the PDF is written and the warning says what was done."""
    root = tmp_path / "ed"
    api.init(root, "Parallel Texts")
    store.write_document(root, udhr_in_columns(3))
    yaml = root / "edition.yaml"
    yaml.write_text(re.sub(r"(?m)^page_size:.*\n?", "", yaml.read_text("utf-8")) + "page_size: 6x9in\n", "utf-8")
    out = tmp_path / "narrow.pdf"
    done = subprocess.run(
        [sys.executable, "-m", "edition", "build", "-C", str(root), "-o", str(out), "--columns", "ru,en,de", "-j", "1"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "warning: 3 columns on 6x9in hold about" in done.stderr and "set ragged right" in done.stderr
    assert "Traceback" not in done.stderr
    assert faults(out) == []


def _flush_right_share(pdf: Path, columns: int) -> list[float]:
    """For each column, the share of its lines (but a paragraph's last)
    that end within a point of the column's right edge on their page:
    nearly all in justified text, a minority in ragged text."""
    ends: list[list[tuple[int, float]]] = [[] for _ in range(columns)]
    with plumbed(pdf) as doc:
        for number, page in enumerate(doc.pages):
            body = [c for c in chars(page) if c.size > 8 and c.text.strip()]
            lines: dict[int, list] = {}
            for c in body:
                lines.setdefault(round(c.bottom), []).append(c)
            for line in lines.values():
                line.sort(key=lambda c: c.x0)
                parts = [[line[0]]]
                for a, b in zip(line, line[1:]):
                    (parts.append([b]) if b.x0 - a.x1 > 0.9 * a.size else parts[-1].append(b))
                words = [p for p in parts if len(p) > 1 or not p[0].text.isdigit()]  # not the line numbers
                if len(words) == columns:
                    for i, part in enumerate(words):
                        ends[i].append((number, part[-1].x1))
    shares = []
    for column in ends:
        edge: dict[int, float] = {}
        for number, x in column:
            edge[number] = max(edge.get(number, 0.0), x)
        shares.append(sum(edge[number] - x < 1 for number, x in column) / max(len(column), 1))
    return shares


def test_the_site_counts_the_fourth_series_as_the_pdf_does():
    """CSS lower-latin: a … z, aa, ab …"""
    from edition.render.site import series_label

    assert [series_label("d", n) for n in (1, 2, 26, 27, 28, 53)] == ["a", "b", "z", "aa", "ab", "ba"]
