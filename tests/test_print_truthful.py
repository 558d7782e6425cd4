"""Print that names and numbers things truthfully, tested by reading the
built PDF back: column heads and source notes name each layer by what it is
(translator, date, revision; what a translation was made from), a letter
written in English is not said to lack a Russian text, one number per
document (the source's own with `numbering: source`), web addresses broken
only after `/` or `.`, ranges on the title page never broken after their
dash, and the column heads kept with the first row of the parallel text.

Material: Chekhov's «Тоска» with Constance Garnett's translation and a
revision of it, a FRUS letter written in English, and a Wilson Center
translation from the Hungarian (../shared/data/real)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pypdf = pytest.importorskip("pypdf")
pytest.importorskip("weasyprint")

from edition import api, store
from edition.render import build_pdf, templates_dirs
from edition.render.html import column_labels, url_breaks, unbroken_ranges

from .conftest import copy_sample, require_shared_data, snapshot
from .overprint import faults
from .printed import chunks, on_page, squeeze

REPO = Path(__file__).resolve().parents[1]
TITLE = "Reports on Hungary and the Rákosi–Gerő Succession, 1956–1962"  # breaks after its first dash without the word joiner
STORY_URL = (  # where the translation printed here was taken from (SOURCES.md)
    "https://github.com/standardebooks/anton-chekhov_short-fiction_constance-garnett/blob/"
    "00099434b45716a0ff985fdc777ce145ab5eaad4/src/epub/text/misery.xhtml"
)
MINUTES = "1962-10-25_minutes-hungarian-council-of-ministers.txt"


def make_edition(root: Path, real: Path) -> None:
    """The story in Russian with Garnett's translation (1916) and a revision
    of it, the FRUS letter and the Hungarian minutes, as a user makes them."""
    api.init(root, TITLE, ["Anna Editor", "Jean-Paul Durand"])
    api.import_files(root, [real / "frus" / "frus1961-63v05-d146.xml", real / "wilson" / MINUTES])
    story = root / "toska.txt"
    story.write_text((real / "pairs" / "chekhov-toska.ru.txt").read_text("utf-8"), "utf-8")
    api.import_files(root, [story], lang="ru")
    garnett = (real / "pairs" / "chekhov-toska.en.txt").read_text("utf-8")
    english = root / "misery.en.txt"
    english.write_text(garnett, "utf-8")
    api.add_translation(root, "toska", english, lang="en", translator="Constance Garnett")
    revised = root / "misery.revised.txt"
    revised.write_text(garnett.replace("grief", "sorrow", 1), "utf-8")
    api.add_translation(root, "toska", revised, lang="en", translator="Anna Editor", revises="en")
    layer = root / "translations" / "toska" / "en.yaml"
    layer.write_text(layer.read_text("utf-8").replace("  translator: Constance Garnett\n", "  translator: Constance Garnett\n  date: '1916'\n"), "utf-8")
    seed = root / "seeds" / "toska.yaml"
    seed.write_text(seed.read_text("utf-8").replace("\nlayers:\n", f"\nsource_url: {STORY_URL}\nlayers:\n", 1), "utf-8")
    settings = root / "edition.yaml"
    kept = [line for line in settings.read_text("utf-8").splitlines() if not line.startswith(("page_size:", "layout:"))]
    settings.write_text("\n".join(kept) + "\npage_size: B5\nlayout: parallel\ncolumns: [ru, en, en.2]\nnumbering: source\n", "utf-8")


@pytest.fixture(scope="module")
def volume(tmp_path_factory):
    """The edition built by `edition build` in a process of its own."""
    real = require_shared_data() / "real"
    root = tmp_path_factory.mktemp("truthful") / "ed"
    make_edition(root, real)
    out = root / "volume.pdf"
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "edition", "build", "-C", str(root), "-o", str(out), "--html", str(root / "volume.html")],
        env=env, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr
    reader = pypdf.PdfReader(out)
    drawn = chunks(reader)
    pages = {}
    for c in drawn:
        pages.setdefault(c.page, []).append(c.text)
    return {
        "root": root, "out": out, "stderr": done.stderr, "reader": reader, "chunks": drawn,
        "pages": {p: "\n".join(t) for p, t in pages.items()}, "html": (root / "volume.html").read_text("utf-8"),
        "edition": store.load(root),
    }


def opening(volume, title_word: str) -> int:
    """The page a document opens on: the last page whose text starts a line
    with the title's first word (the contents list it first)."""
    return max(p for p, text in volume["pages"].items() if any(line.startswith(title_word) for line in text.split("\n")) and "No." in text)


def document_pages(volume, first: int) -> str:
    """The text of a document's pages: from its opening to the next one."""
    out = []
    for page in range(first, max(volume["pages"]) + 1):
        text = volume["pages"].get(page, "")
        if page > first and re.search(r"^No\. \S+$", text, re.M):
            break
        out.append(text)
    return "\n".join(out)


def test_the_build_is_clean(volume):
    assert faults(volume["out"]) == []
    # The story has no number of its own: said once, not silently mixed.
    assert "document 'toska' has no number of its own" in volume["stderr"]


@pytest.mark.shared_data
def test_column_heads_name_translator_date_and_revision(volume):
    heads = re.findall(r'<th class="col-head[^"]*" lang="[\w-]+">([^<]+)</th>', volume["html"])
    assert heads == [
        "Russian original",
        "English translation by Constance Garnett (1916)",
        "English translation, revised by Anna Editor",
    ]
    page = opening(volume, "Тоска")
    printed = squeeze(volume["pages"][page])
    for head in heads:
        assert squeeze(head) in printed, head
    assert "(en" not in volume["pages"][page] and "en.2" not in volume["pages"][page]


def test_two_layers_alike_are_told_apart_without_their_ids(tmp_path):
    from edition.model import Document, Layer, LayerRole

    doc = Document(id="d", title="T", layers=[
        Layer("ru", "ru", LayerRole.ORIGINAL),
        Layer("en", "en", LayerRole.TRANSLATION, translator="A. B."),
        Layer("en-x", "en", LayerRole.TRANSLATION, translator="A. B."),
        Layer("de", "de", LayerRole.TRANSLATION, description="working translation for the seminar"),
    ])
    assert column_labels(doc, doc.layers) == [
        "Russian original",
        "English translation by A. B., first version",
        "English translation by A. B., second version",
        "Working translation for the seminar",
    ]


@pytest.mark.shared_data
def test_a_translation_printed_alone_says_what_it_was_made_from(volume):
    text = document_pages(volume, opening(volume, "Minutes"))
    flat = " ".join(text.split())
    assert "The Hungarian original is not part of this edition; the English translation is printed alone." in flat
    assert "English translation from the Hungarian by András Bocz." in flat


@pytest.mark.shared_data
def test_a_letter_written_in_english_is_not_said_to_lack_a_russian_text(volume):
    text = " ".join(document_pages(volume, opening(volume, "Letter From the Ambassador")).split())
    assert "Written in English: the original is printed alone." in text
    assert "not part of this edition" not in text and "Russian" not in text


@pytest.mark.shared_data
def test_one_number_per_document_the_sources_own(volume):
    contents = next(t for t in volume["pages"].values() if t.startswith("Contents") or "ontEnts" in t.split("\n")[0])
    flat = " ".join(contents.split())
    assert "No. 146" in flat
    # Each entry: one number, the title, the leader and the page; never our
    # running number beside the source's.
    # Each entry: one number (the contents draw it after the title), never
    # our running number beside the source's: the FRUS letter is first in
    # the volume and printed as 146; the others have no number of their own.
    assert re.findall(r"No\. (\S+)", flat) == ["146", "2", "3"]
    assert "No. 1 " not in flat + " "
    assert volume["stderr"].count("has no number of its own") == 2
    letter = opening(volume, "Letter From the Ambassador")
    assert re.search(r"^No\. 146$", volume["pages"][letter], re.M)
    titles = [item.title for item in volume["reader"].outline if not isinstance(item, list)]
    assert any(t.startswith("146. Letter From the Ambassador") for t in titles), titles


@pytest.mark.shared_data
def test_a_web_address_breaks_only_after_a_slash_or_a_dot(volume):
    page = opening(volume, "Тоска")
    lines = [c.text for c in on_page(volume["chunks"], page)]
    start = next(i for i, line in enumerate(lines) if line.startswith("https://github"))
    printed, pieces = "", []
    for line in lines[start:]:
        printed += line.replace("\u200b", "")
        pieces.append(line.replace("\u200b", ""))
        if printed.endswith("misery.xhtml"):
            break
    assert printed == STORY_URL  # whole, no hyphen added
    assert len(pieces) > 1  # it did break: the test means something
    for piece in pieces[:-1]:
        assert piece.endswith(("/", ".")), pieces


def test_url_breaks_leave_the_address_as_stored():
    url = "https://history.state.gov/historicaldocuments/frus1961-63v05/d146"
    printed = url_breaks(url)
    assert printed.replace("\u200b", "").replace("\u2060", "") == url
    assert "//\u200b" in printed and "/\u200b/" not in printed
    assert "-\u2060" in printed  # no break after its hyphen


@pytest.mark.shared_data
def test_the_title_page_never_breaks_after_a_dash(volume):
    lines = [c.text.replace("\u2060", "") for c in on_page(volume["chunks"], 1)]
    assert not any(line.endswith(("–", "-", "—")) for line in lines), lines
    flat = " ".join(lines)
    for whole in ("1956–1962", "Rákosi–Gerő", "Jean-Paul"):
        assert any(whole in line for line in lines), (whole, lines)
    assert squeeze(TITLE) in squeeze(flat)
    assert unbroken_ranges("1956–1962") == "1956–\u20601962"


def test_a_bad_numbering_setting_is_an_error_with_its_line(tmp_path, cli):
    root = tmp_path / "ed"
    api.init(root, "T")
    settings = root / "edition.yaml"
    settings.write_text(settings.read_text("utf-8") + "numbering: chapter\n", "utf-8")
    before = snapshot(root)
    result = cli("build", "-C", root, "-o", root / "out.pdf")
    assert result.exit_code == 1
    lines = settings.read_text("utf-8").splitlines()
    assert f"edition.yaml:{len(lines)}:" in result.output and "numbering" in result.output
    assert "volume" in result.output and "source" in result.output
    assert "Traceback" not in result.output
    assert snapshot(root) == before


# --- the parallel opening ---------------------------------------------------------


def test_the_column_heads_keep_with_the_first_row(tmp_path, real_data):
    """Headnotes of growing length push the opening's foot down: at every
    length the heads stand on the page where the first row's text begins,
    never alone at the foot of the title's page; while there is room for
    the heads and a line, the text begins on the title's page."""
    root = tmp_path / "ed"
    api.init(root, "Stories")
    story = root / "toska.txt"
    story.write_text("\n\n".join((real_data / "pairs" / "chekhov-toska.ru.txt").read_text("utf-8").split("\n\n")[:8]), "utf-8")
    api.import_files(root, [story], lang="ru")
    english = root / "misery.txt"
    english.write_text("\n\n".join((real_data / "pairs" / "chekhov-toska.en.txt").read_text("utf-8").split("\n\n")[:8]), "utf-8")
    api.add_translation(root, "toska", english, lang="en", translator="Constance Garnett")
    edition = store.load(root)
    edition.layout = "parallel"
    doc = edition.documents[0]
    words = [w for w in (real_data / "pairs" / "tolstoy-chem-ljudi-zhivy.en.txt").read_text("utf-8").split() if w.isalpha()]
    first_word = doc.segments[1].text["ru"].split()[0]
    together = 0
    for n in range(500, 560, 6):
        doc.summary = " ".join(words[:n]) + " Endmark."
        out = tmp_path / f"opening-{n}.pdf"
        build_pdf(edition, out, templates_dirs(root))
        drawn = chunks(pypdf.PdfReader(out))
        title = max(c.page for c in drawn if c.text.lower() == "no. 1")  # small capitals
        heads = next(c.page for c in drawn if c.page >= title and "oRiginal" in c.text or "original" in c.text.lower())
        first = next(c.page for c in drawn if c.page >= title and (c.text.startswith(first_word) or "Кому" in c.text))
        assert heads == first, (n, heads, first)
        together += first == title
        assert faults(out) == [], n
    assert together  # some lengths leave room: there the text starts under the title


def test_a_one_line_first_row_does_not_leave_the_opening_alone(tmp_path):
    """The sample's third letter opens with a salutation: the paragraph
    after it calls notes in its second column only. Its text begins on the
    title's page, under the salutation, rather than leaving that page with
    the title, the heads and one line."""
    root = copy_sample(tmp_path / "sample")
    out, _ = api.build(root, tmp_path / "two.pdf", columns=["en,en.2"])
    pages = [page.extract_text() for page in pypdf.PdfReader(out).pages]
    title = max(n for n, text in enumerate(pages) if "City Gorky" in text and "Comrade Editor" in text)
    assert "regular reader" in pages[title]
    assert faults(out) == []


# --- references a reader can follow --------------------------------------------


@pytest.mark.parametrize("parts", [None, 1], ids=["one-chunk", "a-document-a-chunk"])
def test_with_numbers_restarting_on_every_page_references_give_page_and_line(tmp_path, real_data, parts, monkeypatch):
    """Garnett's translation and a revision of it (words changed in the
    epigraph and late in the story), apparatus after the text, line numbers
    restarting on every page, the index by line, and a FRUS letter before
    it: every reference is "folio.line", and that page holds what it
    cites; built whole and in parts (one document a part), the same."""
    root = tmp_path / "ed"
    api.init(root, "Stories")
    api.import_files(root, [real_data / "frus" / "frus1961-63v05-d146.xml"])
    story = root / "toska.txt"
    story.write_text((real_data / "pairs" / "chekhov-toska.ru.txt").read_text("utf-8"), "utf-8")
    api.import_files(root, [story], lang="ru")
    garnett = (real_data / "pairs" / "chekhov-toska.en.txt").read_text("utf-8")
    english = root / "misery.txt"
    english.write_text(garnett, "utf-8")
    api.add_translation(root, "toska", english, lang="en", translator="Constance Garnett")
    revised = garnett
    for old, new in {"snow": "sleet", "nag": "mare"}.items():
        at = revised.rfind(old)  # the last occurrence: a later page
        revised = revised[:at] + new + revised[at + len(old):]
    revised = revised.replace("grief", "sorrow", 1)  # the epigraph
    (root / "revised.txt").write_text(revised, "utf-8")
    api.add_translation(root, "toska", root / "revised.txt", lang="en", translator="Anna Editor", revises="en")
    (root / "names.yaml").write_text("persons:\n- id: iona\n  name: Potapov, Iona\n  forms:\n  - Iona\n", "utf-8")
    settings = root / "edition.yaml"
    settings.write_text(settings.read_text("utf-8") + "line_numbers: page\napparatus_at: end\nindex: lines\n", "utf-8")
    edition = store.load(root)
    out = tmp_path / "volume.pdf"
    report = build_pdf(edition, out, templates_dirs(root), html_out=tmp_path / "volume.html",
                       jobs=2 if parts else 1, chunk_documents=parts)
    assert report.timings["parts"] >= 3
    assert faults(out) == []
    html = (tmp_path / "volume.html").read_text("utf-8")
    refs = re.findall(r'<span class="app-line">([^<]+)</span>&#x2002;(.*?)</span></span>', html)
    assert len(refs) == 3 and len({ref.split(".")[0] for ref, _ in refs}) > 1, refs
    drawn = chunks(pypdf.PdfReader(out))
    for ref, entries in refs:
        folio, line = re.fullmatch(r"(\d+)\.(\d+)", ref).groups()
        page = report.folios.index(folio) + 1
        lemma = re.sub(r"<[^>]+>", "", entries).split("]")[0].strip()
        text = [c for c in on_page(drawn, page) if c.size > 8]
        assert any(squeeze(lemma) in squeeze(c.text) for c in text), (ref, lemma)
    index = re.findall(r'<span class="idx-ref">([^<]+)</span>', html)
    assert index and all(re.fullmatch(r"\d+\.\d+", ref) for ref in index), index


def test_a_long_description_goes_to_the_source_note_and_the_head_names_the_layer():
    from edition.model import Document, Edition, Layer, LayerRole, Segment
    from edition.render import render_html

    about = "Working translation made for this volume from the English; not the German publication of 1993."
    doc = Document(id="d", title="T", layers=[
        Layer("en", "en", LayerRole.TRANSLATION, translator="Christiaan Hetzner"),
        Layer("de", "de", LayerRole.TRANSLATION, translator="The edition project", date="2026", description=about),
    ], segments=[Segment("p1", text={"en": "One.", "de": "Eins."})])
    html = render_html(Edition(title="V", layout="parallel", columns=["en", "de"], documents=[doc]), templates_dirs(REPO))
    heads = re.findall(r'<th class="col-head[^"]*" lang="[\w-]+">([^<]+)</th>', html)
    assert heads == ["English translation by Christiaan Hetzner", "German translation by The edition project (2026)"]
    assert f"German translation by The edition project (2026): {about}" in html


def test_the_site_prints_a_web_address_as_stored(tmp_path):
    """The break points are for print: the site's page keeps the address a
    reader can copy."""
    from edition.model import Document, Edition, Layer, LayerRole, Segment
    from edition.render.site import write_site

    doc = Document(id="d", title="T", source_url=STORY_URL, layers=[Layer("en", "en", LayerRole.ORIGINAL)],
                   segments=[Segment("p1", text={"en": "One."})])
    write_site(Edition(title="V", documents=[doc]), None, tmp_path / "site", templates=templates_dirs(REPO))
    page = (tmp_path / "site" / "d.html").read_text("utf-8")
    assert f'<span class="url">{STORY_URL}</span>' in page


def test_what_a_document_lacks_is_said_from_its_own_roles():
    from edition.model import Document, Layer, LayerRole, Segment
    from edition.render.html import printed_layers

    minutes = Document(id="m", title="Minutes", original_language="hu", layers=[
        Layer("en", "en", LayerRole.TRANSLATION, translator="András Bocz", translated_from="hu"),
    ], segments=[Segment("p1", text={"en": "Participants."})])
    # The first column holds a Russian volume's originals: this document's
    # own original is Hungarian; the revision column is nothing it lacks.
    assert printed_layers(minutes, "parallel", ["ru", "en", "en.2"])[1] == (
        "The Hungarian original is not part of this edition; the English translation is printed alone."
    )
    letter = Document(id="l", title="Letter", layers=[Layer("en", "en", LayerRole.ORIGINAL)],
                      segments=[Segment("p1", text={"en": "Dear Chip."})])
    for columns in (["ru", "en"], ["original", "translation"], ["ru", "en", "en.2"]):
        assert printed_layers(letter, "parallel", columns)[1] == "Written in English: the original is printed alone."
