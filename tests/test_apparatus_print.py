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
from edition.render.html import apparatus_entries

REPO = Path(__file__).resolve().parents[1]
LETTER = "1956-11-14-anonymous-letter-city-gorky"


def _copy_sample(root: Path, settings: str = "") -> Path:
    shutil.copy(REPO / "names.yaml", root / "names.yaml")
    for name in ("seeds", "translations"):
        shutil.copytree(REPO / name, root / name)
    (root / "edition.yaml").write_text((REPO / "edition.yaml").read_text(encoding="utf-8") + settings, encoding="utf-8")
    return root


def _build(root: Path) -> dict:
    out, report = api.build(root, root / "edition.pdf")
    pages = [page.extract_text() for page in pypdf.PdfReader(out).pages]
    return {"root": root, "report": report, "pages": pages}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The sample edition with its defaults: apparatus at the foot of the page."""
    return _build(_copy_sample(tmp_path_factory.mktemp("apparatus")))


def _flat(text: str) -> str:
    """Page text with line ends and hyphenation breaks joined (pypdf reads
    the font's ellipsis as three full stops)."""
    return " ".join(re.sub("[\u2010-]\n", "", text).split()).replace("...", "…")


def _keyed(built) -> tuple[list, dict]:
    report = built["report"]
    ws = api.open_workspace(built["root"])
    doc = ws.edition.document(LETTER)
    _, entries = apparatus_entries(doc, doc.layer("en.2"), ws.edition, report.lines)
    lines: dict[int, list] = {}
    for (d, layer, _), ls in report.lines.items():
        if d == LETTER and layer == "en.2":
            for line in ls:
                lines.setdefault(line.number, []).append(line)
    return entries, lines


def test_every_entry_stands_at_the_foot_of_the_page_of_its_lemma(built):
    """Each entry of the letter's apparatus is printed on the page whose
    line of that number holds the start of its lemma, after that number or
    after an earlier entry of the same line."""
    entries, lines = _keyed(built)
    doc = api.open_workspace(built["root"]).edition.document(LETTER)
    assert len(entries) == len(collate(doc, "en.2", ["en"]).without().entries) > 40
    pages = [_flat(t) for t in built["pages"]]
    for k, entry in enumerate(entries):
        assert entry.number is not None, entry
        (line,) = lines[entry.number]
        page = pages[line.page - 1]
        if k == 0 or entries[k - 1].number != entry.number:
            assert f"{entry.number} {entry.text}" in page, (entry.number, entry.text, line.page)
        else:
            assert f"• {entry.text}" in page, (entry.text, line.page)


def test_every_entry_number_is_a_line_holding_its_lemma(built):
    """The printed line of an entry's number holds the start of its lemma
    (or its first part, hyphenated at the line's end)."""
    entries, lines = _keyed(built)
    for entry in entries:
        lemma = entry.text.split("] ")[0]
        first_word = lemma.split()[0].strip(",.;:?!‘’") if lemma.split() and lemma != "+" else ""
        if not first_word:
            continue
        joined = " ".join(line.text for line in lines[entry.number]).replace("\u2010", "-").rstrip("-")
        broken = any(joined.endswith(first_word[:k]) for k in range(2, len(first_word)))
        assert first_word in joined or broken, (entry.number, entry.text, joined)


def test_apparatus_after_the_document_by_choice(tmp_path):
    """`apparatus_at: end`: the entries follow the letter's text under the
    heading Apparatus, grouped by line, each number a line holding its lemma."""
    result = _build(_copy_sample(tmp_path, "apparatus_at: end\n"))
    text = next(_flat(t) for t in result["pages"] if "so much] a lot en" in _flat(t))
    start = text.lower().index("apparatus")
    match = re.search(r"(\d+) so much\] a lot en\b", text[start:])
    assert match, text[start:start + 300]
    number = int(match.group(1))
    printed = [ln for (d, layer, _), ls in result["report"].lines.items() if d == LETTER and layer == "en.2" for ln in ls]
    held = " ".join(ln.text for ln in printed if ln.number in (number, number + 1))
    assert "so much" in held and any(ln.number == number and "so" in ln.text for ln in printed)


def test_old_layers_note_is_printed_once_when_carried(built):
    """The gloss carried to the revision is printed at its call; the same
    gloss on the unprinted first version is not repeated after the text."""
    pages = [_flat(t) for t in built["pages"]]
    assert sum(p.count("the gloss records that the writer mocks") for p in pages) == 1


def test_index_pages_hold_the_name(built):
    pages, folios = built["pages"], built["report"].folios
    index_page = next(text for text in pages if "Khrushchev, Nikita S." in text)
    line = next(ln for ln in index_page.splitlines() if ln.startswith("Khrushchev, Nikita S."))
    numbers = re.findall(r"\d+", line.split("Nikita S.", 1)[1])
    assert numbers and len(numbers) == len(set(numbers)), line  # once a page
    for number in numbers:
        page = folios.index(number)
        assert "Khrushchev" in pages[page], (number, pages[page][:200])


def _index_lines(pages: list[str]) -> dict[str, str]:
    """Index entry name → the references printed after it."""
    out = {}
    for text in pages:
        if "index of" not in text.lower():
            continue
        for line in text.splitlines():
            match = re.match(r"^(.+?,? ?[^\d]*?)\s((?:\d+(?:\.\d+)?(?:, )?)+)$", line.strip())
            if match and "," in match.group(1):
                out[match.group(1).strip()] = match.group(2)
            elif match:
                out[match.group(1).strip()] = match.group(2)
    return out


def test_every_index_reference_is_a_page_that_prints_the_name(built):
    """Persons and places, every name and page: the page holds one of the
    name's forms (in the text, a title or a note), and every page of a
    document that prints a form is cited (nothing missed)."""
    pages, folios = built["pages"], built["report"].folios
    ws = api.open_workspace(built["root"])
    register = ws.edition.register
    printed = _index_lines(pages)
    assert len(printed) >= 15, printed
    flat = [" ".join(text.split()) for text in pages]
    for name in register.names:
        if name.name not in printed:
            continue
        refs = printed[name.name].split(", ")
        assert len(refs) == len(set(refs)), (name.name, refs)  # once a page
        forms = [f.rstrip("*") for f in name.forms]
        holding = {i for i, text in enumerate(flat) if any(f in text for f in forms)}
        for ref in refs:
            page = folios.index(ref)
            assert page in holding, (name.name, ref, flat[page][:200])
        # Every text page (arabic folio, before the index) holding a form is cited.
        first_index = next(i for i, text in enumerate(pages) if "index of" in text.lower())
        text_pages = {i for i in holding if folios[i].isdigit() and i < first_index and "apparatus" not in pages[i].lower()[:40]}
        assert text_pages <= {folios.index(r) for r in refs}, (name.name, refs, sorted(folios[i] for i in text_pages))


def test_names_in_titles_and_footnotes_are_indexed(built):
    """Mikhailov is named in the first document's title (and its text, on
    the same page); Brezhnev only in a footnote of the Gorky letter."""
    printed = _index_lines(built["pages"])
    folios, pages = built["report"].folios, built["pages"]
    first = folios.index("1")  # where the first document opens
    assert "Secret Memorandum from Secretary" in pages[first]
    assert "1" in printed["Mikhailov, Nikolai A."].split(", ")
    brezhnev = printed["Brezhnev, Leonid I."].split(", ")
    assert len(brezhnev) == 1
    page = pages[folios.index(brezhnev[0])]
    assert "Brezhnev" in page and "covering letter" in page


def test_index_anchors_do_not_change_how_lines_break(built):
    """An index entry used to put an empty inline anchor at each name, and
    WeasyPrint then broke a justified line short ("…allowed / this /
    bloodshed…"). No line of the letter but a paragraph's last is short."""
    lines = built["report"].lines
    for (doc, layer, segment), printed in lines.items():
        if doc != LETTER:
            continue
        for line in printed[:-1]:
            assert len(line.text) > 40, (segment, [ln.text for ln in printed])


def test_index_by_line_cites_the_line_that_holds_the_name(tmp_path):
    """`index: lines`: references are folio.line, and that line of that page
    holds the name."""
    for name in ("names.yaml",):
        shutil.copy(REPO / name, tmp_path / name)
    for name in ("seeds", "translations"):
        shutil.copytree(REPO / name, tmp_path / name)
    (tmp_path / "edition.yaml").write_text((REPO / "edition.yaml").read_text(encoding="utf-8") + "index: lines\n", encoding="utf-8")
    out, report = api.build(tmp_path, tmp_path / "edition.pdf")
    pages = [page.extract_text() for page in pypdf.PdfReader(out).pages]
    refs = _index_lines(pages)["Kaganovich, Lazar M."].split(", ")
    assert refs and all("." in r for r in refs), refs
    for ref in refs:
        folio, number = ref.split(".")
        page = report.folios.index(folio) + 1
        held = [ln.text for ls in report.lines.values() for ln in ls if ln.page == page and ln.number == int(number)]
        # the line may end in the name's first part, hyphenated
        assert any("Kaganovich" in t or t.rstrip("\u2010-").endswith("Kagano") for t in held), (ref, held)


def test_abbreviations_are_listed(built):
    text = next(text for text in built["pages"] if "Communist Party of the Soviet Union" in text)
    assert "CPSU" in text and "abbreviations" in text.lower()


def test_list_of_sources_from_the_documents_data(built):
    """Every archival signature and publication of the sample, under its
    archive (named from the abbreviations), with the numbers of its
    documents."""
    from edition.typography import printed

    text = next(_flat(t) for t in built["pages"] if "Publications" in t and "sources" in t.lower()).replace("\u2060", "")
    ws = api.open_workspace(built["root"])
    for number, doc in enumerate(ws.edition.documents, start=1):
        for ref in doc.archival_refs:
            # As printed: with the typography of English ("ll. 87–91").
            cited = " ".join(printed(ref.text, "en").replace("\u2060", "").split())
            assert f"{cited} No. {number}" in text, (cited, text[:300])
    assert "RGANI — Russian State Archive of Contemporary History" in text
    assert text.index("RGANI —") < text.index("TsKhSD —") < text.index("Publications")
    assert "Wir wollen freie Menschen sein (Köln: Bund, 1993), pp. 125–126. No. 1" in text


def test_the_apparatus_at_the_foot_overprints_nothing(built):
    from .overprint import faults

    assert faults(built["root"] / "edition.pdf") == []
