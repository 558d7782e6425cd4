"""The reading text and partial versions, on a real story: Chekhov's «Тоска»
with Garnett's "Misery" (../shared/data/real/pairs), the English put
paragraph by paragraph where the truth file says it belongs, then cut into
partial versions — a translation of the first half, a revision that stops
early, a second revision of a middle stretch. An English volume never
switches to Russian, the apparatus names every lacuna, and `doctor` is
clean on what the tool itself stored."""

from __future__ import annotations

import json
import re
import unicodedata
import xml.etree.ElementTree as ET

import pytest

from edition import api
from edition.collate import Lacuna, collate
from edition.model import Document, Edition, Layer, LayerRole, Segment
from edition.render import render_html, templates_dirs

from .conftest import REPO

pytestmark = pytest.mark.shared_data

CYRILLIC = re.compile(r"[\u0400-\u04ff]")
TEI = "{http://www.tei-c.org/ns/1.0}"


def paragraphs(path) -> list[str]:
    return [p.strip() for p in path.read_text("utf-8").split("\n\n") if p.strip()]


def story(real_data, *, english: int | None = None, revision: int = 8, second: tuple[int, int] | None = None) -> Document:
    """«Тоска» with Garnett's English on the segments the truth file names:
    `english` segments of it (None: all), a revision `en.2` of the first
    `revision` segments (Iona becomes Jonah), and with `second` a revision
    `en.3` of segments [a, b) (the mare becomes the horse)."""
    pairs = real_data / "pairs"
    ru = paragraphs(pairs / "chekhov-toska.ru.txt")
    en = paragraphs(pairs / "chekhov-toska.en.txt")
    truth = [[int(n) for n in line.split(",")] for line in (pairs / "chekhov-toska.truth.txt").read_text().split()]
    segments = [Segment(f"p{i}", text={"ru": text}) for i, text in enumerate(ru, start=1)]
    for paragraph, numbers in zip(en, truth):
        first = segments[numbers[0] - 1]
        first.text["en"] = (first.text.get("en", "") + "\n" + paragraph).strip()
        for n in numbers[1:]:
            segments[n - 1].text.setdefault("en", "")  # merged into the segment before
    if english is not None:
        for segment in segments[english:]:
            segment.text.pop("en", None)
    for segment in segments[:revision]:
        if "en" in segment.text:
            segment.text["en.2"] = segment.text["en"].replace("Iona", "Jonah")
    layers = [
        Layer("ru", "ru", LayerRole.ORIGINAL),
        Layer("en", "en", translator="Constance Garnett", translated_from="ru"),
        Layer("en.2", "en", revises="en", translator="A. Reviser"),
    ]
    if second:
        a, b = second
        for segment in segments[a:b]:
            if "en" in segment.text:
                segment.text["en.3"] = segment.text["en"].replace("mare", "horse")
        layers.append(Layer("en.3", "en", revises="en", translator="B. Reviser"))
    return Document(id="misery", title="Misery", original_language="ru", layers=layers, segments=segments)


def body(html: str) -> str:
    """The printed text of the volume's document pages (no head, no notes)."""
    from lxml import html as lxml_html

    tree = lxml_html.fromstring(html)
    for call in tree.xpath('//*[contains(concat(" ", @class, " "), " fn ")]'):
        call.drop_tree()  # footnotes and apparatus entries stand inside the text
    blocks = tree.xpath('//p[contains(concat(" ", @class, " "), " seg ")]')
    return " ".join(block.text_content() for block in blocks).replace("\u00ad", "")


def volume(doc: Document, **settings) -> str:
    return render_html(Edition(title="Chekhov", documents=[doc], **settings), templates_dirs(REPO))


def test_an_english_volume_with_a_partial_translation_never_prints_russian(real_data):
    doc = story(real_data, english=30)
    html = volume(doc)
    text = body(html)
    assert text and not CYRILLIC.search(text), CYRILLIC.findall(text)[:5]
    assert "Jonah Potapov" in text  # the revision, where it has the text
    assert "Iona" in text  # the translation it revises, after it stops
    assert f"covers part of the text: ¶1–30 of {len(doc.segments)}." in html


def test_the_original_fills_the_gaps_only_when_asked_and_then_is_marked(real_data):
    doc = story(real_data, english=30)
    html = volume(doc, reading_gaps="original")
    assert CYRILLIC.search(body(html))
    marked = re.findall(r'<p class="seg seg-paragraph fallback"[^>]*lang="ru"', html)
    assert len(marked) == len(doc.segments) - 30
    assert f"¶31–{len(doc.segments)} are printed from the Russian original, marked in the margin." in html


def test_the_reading_text_is_a_choice(real_data, tmp_path):
    doc = story(real_data)
    assert "Jonah" in body(volume(doc))  # default: the newest revision
    assert "Jonah" not in body(volume(doc, reading="en"))  # the edition's choice
    own = story(real_data)
    own.reading = "en"
    assert "Jonah" not in body(volume(own))  # the document's own choice
    russian = body(volume(story(real_data), reading="ru"))
    assert CYRILLIC.search(russian) and "Iona" not in russian


def test_build_reading_option_picks_the_layer_for_every_document(real_data, tmp_path, cli):
    from edition import store

    root = tmp_path / "ed"
    api.init(root, "Chekhov")
    doc = story(real_data)
    doc.reading = "en.2"
    store.write_document(root, doc)
    out = tmp_path / "volume.html"
    result = cli("site", "--reading", "en", "-o", tmp_path / "site", "-C", root)
    assert result.exit_code == 0, result.output
    page = next((tmp_path / "site").glob("misery*.html")).read_text("utf-8")
    assert "data-layer=\"en.2\"" not in page and "data-layer=\"en\"" in page
    assert "Iona] Jonah en.2" in page  # en.2 is a witness now
    bad = cli("build", "--reading", "fr", "-o", out, "-C", root)
    assert bad.exit_code == 2 and "no document has a layer or language 'fr'" in bad.output
    assert not out.exists()


# --------------------------------------------------------------------------
# Lacunae: a witness without text is never taken to agree.


def test_the_apparatus_names_the_stretch_a_revision_lacks(real_data):
    doc = story(real_data, revision=8)
    apparatus = collate(doc, "en", ["en.2"])
    (lacuna,) = apparatus.lacunae
    assert lacuna.witnesses == ("en.2",)
    assert lacuna.first == "p9" and lacuna.last == f"p{len(doc.segments)}"
    # Only segments the base has count; the lemma is the stretch's first and last words.
    first_words = doc.segment("p9").text["en"].split()[0]
    assert lacuna.lemma.startswith(first_words) and " … " in lacuna.lemma
    # Inside the revision the entries are the revision's changes.
    assert all(e.segment in {f"p{i}" for i in range(1, 9)} for e in apparatus.entries)
    assert any(r.text.startswith("Jonah") for e in apparatus.entries for r in e.readings)


def test_collating_three_witnesses_gives_one_apparatus_whatever_their_order(real_data):
    doc = story(real_data, revision=12, second=(5, 20))
    one = collate(doc, "en", ["en.2", "en.3"])
    other = collate(doc, "en", ["en.3", "en.2"])
    assert one == other
    last = f"p{len(doc.segments)}"
    spans = sorted((lac.witnesses, lac.first, lac.last) for lac in one.lacunae)
    assert spans == [(("en.2",), "p13", last), (("en.3",), "p1", "p5"), (("en.3",), "p21", last)]
    order = [s.id for s in doc.segments]
    places = one.in_order(order)
    positions = [order.index(p.first if isinstance(p, Lacuna) else p.segment) for p in places]
    assert positions == sorted(positions)


def test_collate_reports_lacunae_in_every_format(real_data, tmp_path, cli):
    from edition import store

    root = tmp_path / "ed"
    api.init(root, "Chekhov")
    doc = story(real_data, revision=8)
    store.write_document(root, doc)
    last = f"p{len(doc.segments)}"
    term = cli("collate", "misery", "en.2", "--base", "en", "-C", root)
    assert term.exit_code == 0, term.output
    assert f"p9–{last}] deest en.2" in term.stdout
    data = json.loads(cli("collate", "misery", "en.2", "--base", "en", "--format", "json", "-C", root).stdout)
    assert data["lacunae"] == [
        {"segments": [f"p{i}" for i in range(9, len(doc.segments) + 1)], "from": "p9", "to": last, "witnesses": ["en.2"],
         "lemma": data["lacunae"][0]["lemma"]}
    ]  # fmt: skip
    tei = ET.fromstring(cli("collate", "misery", "en.2", "--base", "en", "--format", "tei", "-C", root).stdout_bytes)
    marks = [(p.get("n"), app[0].get("wit"), app[0].get("cause"), app[0][0].tag) for p in tei.iter(f"{TEI}p") for app in p.findall(f"{TEI}app[@type='lacuna']")]
    assert marks == [("p9", "#en.2", "lacuna", f"{TEI}lacunaStart"), (last, "#en.2", "lacuna", f"{TEI}lacunaEnd")]


def test_the_printed_apparatus_says_deest_where_a_witness_has_no_text(real_data, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    from edition.render import build_pdf

    doc = story(real_data, revision=8)
    doc.segments = doc.segments[:20]  # a short volume: one build
    out = tmp_path / "v.pdf"
    build_pdf(Edition(title="Chekhov", documents=[doc], reading="en"), out, templates_dirs(REPO))
    text = unicodedata.normalize("NFC", " ".join(page.extract_text() for page in pypdf.PdfReader(out).pages))
    assert "deest en.2" in text
    assert "Jonah] Iona" not in text  # the base is en: the revision's readings are the variants
    assert "Iona] Jonah en.2" in text
    from .overprint import faults

    assert faults(out) == []


def test_text_supplied_from_the_original_prints_with_its_margin_rule_and_overprints_nothing(real_data, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    from edition.render import build_pdf

    from .overprint import faults

    doc = story(real_data, english=10)
    doc.segments = doc.segments[:20]
    out = tmp_path / "gaps.pdf"
    build_pdf(Edition(title="Chekhov", documents=[doc], reading_gaps="original"), out, templates_dirs(REPO))
    text = unicodedata.normalize("NFC", " ".join(page.extract_text() for page in pypdf.PdfReader(out).pages))
    assert CYRILLIC.search(text) and "¶11–20 are printed from the Russian original" in " ".join(text.split())
    assert faults(out) == []


# --------------------------------------------------------------------------
# Partial layers are a state: what the tool stored never fails doctor.


def test_doctor_is_clean_on_a_partial_revision_the_tool_stored(real_data, tmp_path, cli):
    pairs = real_data / "pairs"
    root = tmp_path / "ed"
    assert cli("init", root, "--title", "Chekhov").exit_code == 0
    assert cli("import", pairs / "chekhov-toska.ru.txt", "--lang", "ru", "-C", root).exit_code == 0
    (doc_id,) = [d.id for d in api.open_workspace(root).edition.documents]
    added = cli("translation", "add", doc_id, pairs / "chekhov-toska.en.txt", "--lang", "en", "--from", "ru", "-C", root)
    assert added.exit_code == 0, added.output
    revision = tmp_path / "revision.txt"
    revision.write_text("\n\n".join(p.replace("Iona", "Jonah") for p in paragraphs(pairs / "chekhov-toska.en.txt")[:20]), "utf-8")
    revised = cli("translation", "add", doc_id, revision, "--revises", "en", "-C", root)  # the language is en's
    assert revised.exit_code == 0, revised.output
    doctor = cli("doctor", "-C", root)
    assert doctor.exit_code == 0, doctor.output
    assert "layer 'en.2' translates part of the document" in doctor.output and "note:" in doctor.output
    listing = cli("translation", "list", doc_id, "-C", root).stdout
    assert re.search(r"en\.2 .* in part: p1–p\d+", listing), listing
    # A segment taken out by hand inside the coverage is missing by mistake.
    path = root / "translations" / doc_id / "en.2.yaml"
    text = path.read_text("utf-8")
    edited = re.sub(r"\n  p3: [^\n]*(\n    [^\n]*)*", "", text, count=1)
    assert edited != text
    path.write_text(edited, "utf-8")
    broken = cli("doctor", "-C", root)
    assert broken.exit_code == 1 and "p3 has no text in layer 'en.2'" in broken.output


def test_an_apparatus_entry_prints_emphasis_without_its_marks():
    from edition.collate import entry_text
    from edition.model import Segment

    doc = Document("d", "D", layers=[Layer("en", "en"), Layer("en.2", "en", revises="en")],
                   segments=[Segment("p1", text={"en": "He read *Pravda* daily.", "en.2": "He read *Izvestia* daily."})])  # fmt: skip
    (entry,) = collate(doc, "en", ["en.2"]).entries
    assert entry_text(entry) == "Pravda] Izvestia en.2"
