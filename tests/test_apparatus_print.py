"""The apparatus of variants and the index of persons and places in the
printed edition, read back from the PDF of the sample edition: every
apparatus entry's line number is the printed line that holds its lemma, and
every page the index gives for a name is a page that prints the name."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pypdf
import pytest

from edition import api
from edition.collate import collate
from edition.render.html import _apparatus

REPO = Path(__file__).resolve().parents[1]
LETTER = "1956-11-14-anonymous-letter-city-gorky"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("apparatus")
    for name in ("edition.yaml", "names.yaml"):
        shutil.copy(REPO / name, root / name)
    for name in ("seeds", "translations"):
        shutil.copytree(REPO / name, root / name)
    out, report = api.build(root, root / "edition.pdf")
    reader = pypdf.PdfReader(out)
    pages = [page.extract_text() for page in reader.pages]
    return {"root": root, "report": report, "pages": pages}


def _apparatus_text(pages: list[str]) -> str:
    """The letter's apparatus as printed (it follows the letter's text)."""
    for text in pages:
        if "so much] a lot en" in text:
            start = text.lower().index("apparatus")
            return " ".join(text[start:].split())
    raise AssertionError("no apparatus with 'so much] a lot en' in the PDF")


def test_apparatus_entries_are_keyed_to_the_line_of_their_lemma(built):
    lines = built["report"].lines
    text = _apparatus_text(built["pages"])
    match = re.search(r"(\d+) so much\] a lot en\b", text)
    assert match, text[:300]
    number = int(match.group(1))
    printed = [line for (doc, layer, _), ls in lines.items() if doc == LETTER and layer == "en.2" for line in ls]
    on_line = [line for line in printed if line.number == number]
    # The lemma starts on that line (it may run on to the next).
    assert len(on_line) == 1 and re.search(r"\bso( much)?$|\bso much\b", on_line[0].text), (number, on_line)
    following = [line for line in printed if line.number == number + 1]
    assert "so much" in " ".join(line.text for line in on_line + following)


def test_every_entry_number_is_a_line_holding_its_lemma(built):
    """For every entry of the letter (as the build keys them), the printed
    line of that number holds the start of the lemma."""
    report = built["report"]
    ws = api.open_workspace(built["root"])
    doc = ws.edition.document(LETTER)
    base = doc.layer("en.2")
    view = _apparatus(doc, base, ws.edition, report.lines)
    assert view is not None and view.lines
    entries = collate(doc, "en.2", ["en"]).without().entries
    assert sum(len(group.entries) for group in view.lines) == len(entries)
    by_number: dict[int, list[str]] = {}
    for (d, layer, _), ls in report.lines.items():
        if d == LETTER and layer == "en.2":
            for line in ls:
                by_number.setdefault(line.number, []).append(line.text)
    flat = [(group.number, entry) for group in view.lines for entry in group.entries]
    printed = _apparatus_text(built["pages"])
    for (number, entry_text), entry in zip(flat, entries):
        assert number is not None, entry_text
        first_word = entry.lemma.split()[0].strip(",.;:?!‘’") if entry.lemma.split() else ""
        if first_word:
            joined = " ".join(by_number[number]).replace("\u2010", "-").rstrip("-")
            # the word stands on the line, or begins at its end (hyphenated)
            broken = any(joined.endswith(first_word[:k]) for k in range(2, len(first_word)))
            assert first_word in joined or broken, (number, entry_text, by_number[number])
    assert printed.count("] ") >= len(entries) - 2  # every entry is printed


def test_index_pages_hold_the_name(built):
    pages, folios = built["pages"], built["report"].folios
    index_page = next(text for text in pages if "Khrushchev, Nikita S." in text)
    line = next(ln for ln in index_page.splitlines() if ln.startswith("Khrushchev, Nikita S."))
    numbers = re.findall(r"\d+", line.split("Nikita S.", 1)[1])
    assert numbers and len(numbers) == len(set(numbers)), line  # once a page
    for number in numbers:
        page = folios.index(number)
        assert "Khrushchev" in pages[page], (number, pages[page][:200])


def test_abbreviations_are_listed(built):
    text = next(text for text in built["pages"] if "Communist Party of the Soviet Union" in text)
    assert "CPSU" in text and "abbreviations" in text.lower()
