"""The plain-text importer on real archival pages (../shared/data/real):
every word of every file stored, and what each Wilson Center page says
about itself — title, date, roles and languages, classification, translator,
endnotes — read into the model as an editor would record it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from edition import store
from edition.importers import read
from edition.model import Certainty, LayerRole
from edition.text import words

from .conftest import REAL
from .test_import_text import stored_words

pytestmark = pytest.mark.shared_data

FOLDERS = ("wilson", "pairs", "versions")
# Tables of paragraph correspondences, not documents.
NOT_DOCUMENTS = (".truth.txt", ".alignment.txt")


def real_files() -> list[Path]:
    if not REAL.is_dir():
        return [REAL]  # one placeholder: the shared_data marker skips it with its one reason
    return [
        path
        for folder in FOLDERS
        for path in sorted((REAL / folder).glob("*.txt"))
        if not path.name.endswith(NOT_DOCUMENTS)
    ]


def language_of(path: Path) -> str:
    match = re.search(r"\.([a-z]{2})\.txt$", path.name)
    return match.group(1) if match else "en"


_LABEL_LINE = re.compile(r"^(Citation|Summary|Original Language|Contents|Source|Credits|Type|Record ID|Original Uploaded Date):$")


def label_words(text: str) -> Counter:
    """The words of labels that became fields: "Original Language:" and the
    language it names, "Contents:" and what it says ("English Translation")."""
    counted: Counter = Counter()
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if _LABEL_LINE.match(line.strip()):
            counted.update(words(line))
            if line.strip() in ("Original Language:", "Contents:") and i + 1 < len(lines):
                counted.update(words(lines[i + 1]))
    return counted


def unglued(counted: Counter) -> Counter:
    """Words with a flattened note call split off ("JELEN1" → "JELEN", "1"),
    on both sides of the count."""
    out: Counter = Counter()
    for word, n in counted.items():
        for part in re.split(r"(?<=[^\W\d])(?=\d)", word):
            out[part] += n
    return out


@pytest.mark.parametrize("path", real_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_word_of_a_real_file_is_stored(cli, tmp_path, path: Path):
    root = tmp_path / "edition"
    assert cli("init", root, "--title", "Real pages").exit_code == 0
    done = cli("import", "-C", root, "--lang", language_of(path), path)
    assert done.exit_code == 0, done.output
    edition = store.load(root)
    assert edition.documents, "nothing was imported"
    source = unglued(Counter(words(path.read_text(encoding="utf-8"))))
    stored = stored_words(edition.documents)
    # Each anchored note stood twice in the source: its call and its label.
    stored.update(note.label for doc in edition.documents for note in doc.notes if note.label and note.anchor)
    missing = source - unglued(stored) - label_words(path.read_text(encoding="utf-8"))
    assert not missing, f"words lost: {missing}"


# file stem → title, date iso, original language, role, translator,
# classification, number of endnotes (all anchored at their calls).
WILSON = {
    "1946-09-05_letter-mohammed-reza-pahlavi-to-stalin": (
        "Letter, Mohammed Reza Pahlavi to Generalissimo Stalin, Chairman of the Council of Ministers of the Union of Soviet Socialist Republics",
        "1946-09-05", None, LayerRole.TRANSLATION, "Gary Goldberg", [], 0,
    ),
    "1950-10-12_ciphered-telegram-25553-roshchin-to-filippov": (
        "Ciphered Telegram No. 25553, Roshchin to Filippov [Stalin]", "1950-10-12", None, LayerRole.TRANSLATION, "Gary Goldberg", ["Top Secret"], 0,
    ),
    "1951-01-13_ciphered-telegram-roshchin-to-ussr-foreign-ministry": (
        "Ciphered telegram, Roshchin to USSR Foreign Ministry", "1951-01-13", None, LayerRole.ORIGINAL, None, [], 0,
    ),
    "1952-02-03_ciphered-telegram-709-filippov-to-krasovsky-for-mao": (
        "Ciphered Telegram No. 709, Filippov [Stalin] to Krasovsky, for Mao Zedong", "1952-02-03", None, LayerRole.ORIGINAL, None, ["TOP PRIORITY"], 0,
    ),
    "1956-11-02_cable-chinese-embassy-hungary-paper-justice-misinterpreted": (
        "Cable from the Chinese Embassy in Hungary, ‘The Hungarian Paper Justice Incorrectly Interpreted Our Statement’",
        "1956-11-02", None, LayerRole.ORIGINAL, None, [], 4,
    ),
    "1956-11-02_cable-chinese-foreign-ministry-on-our-attitude-towards-hungary": (
        "Cable from the Chinese Foreign Ministry, ‘On Our Attitude towards Hungary’",
        "1956-11-02", None, LayerRole.TRANSLATION, "Péter Vámos and Gwenyth A. Jones", [], 1,
    ),
    "1962-10-25_minutes-hungarian-council-of-ministers": (
        "Minutes of the Meeting of the Hungarian Revolutionary Worker’s and Peasant’s Government (Council of Ministers)",
        "1962-10-25", "hu", LayerRole.TRANSLATION, "András Bocz", [], 0,
    ),
    "1962-10-31_telegram-polish-embassy-havana-jelen-ciphergram-16077": (
        "Telegram from Polish Embassy in Havana (Jeleń), 31 October 1962", "1962-10-31", None, LayerRole.TRANSLATION, "Margaret K. Gnoinska", [], 1,
    ),
    "1962-11-21_telegram-polish-embassy-havana-jelen": (
        "Telegram from Polish Embassy in Havana (Jeleń), 21 November 1962", "1962-11-21", None, LayerRole.ORIGINAL, None, [], 1,
    ),
    "1975-09-10_letter-ewald-moldt-gdr-foreign-ministry": (
        "Letter, Ewald Moldt to the Deputy of the Minister, Ministry for Foreign Affairs, Council of Ministers of the German Democratic Republic",
        "1975-09-10", None, LayerRole.ORIGINAL, None, [], 0,
    ),
    "1984-03-13_telegram-redacted-to-comrade-damm": (
        "Telegram, [redacted] to Comrade Damm", "1984-03-13", None, LayerRole.ORIGINAL, None, [], 0,
    ),
}  # fmt: skip

# A note call left in the text: "[3]", or digits glued to a word ("JELEN1", "[KPP].1").
_STRAY_CALL = re.compile(r"\[\d{1,3}\]|(?<=[A-Za-z\]])\.?\d{1,3}\b")


def test_the_wilson_table_covers_every_page(real_data):
    assert sorted(WILSON) == sorted(p.stem for p in (real_data / "wilson").glob("*.txt"))


@pytest.mark.parametrize("stem", sorted(WILSON))
def test_wilson_page_metadata(real_data, stem):
    title, iso, original_language, role, translator, classification, endnotes = WILSON[stem]
    result = read(real_data / "wilson" / f"{stem}.txt")
    (doc,) = result.documents
    assert doc.title == title
    assert doc.date.iso == iso and doc.date.certainty is Certainty.EXACT
    assert doc.collection is None  # no page of this set comes under a collection heading
    assert doc.original_language == original_language
    (layer,) = doc.layers
    assert (layer.lang, layer.role, layer.translator) == ("en", role, translator)
    assert layer.translated_from == original_language
    assert doc.classification == classification
    notes = [n for n in doc.notes if n.label]
    assert len(notes) == endnotes and all(n.anchor is not None for n in notes)
    for segment in doc.segments:
        assert not _STRAY_CALL.search(segment.text["en"]), f"{segment.id}: {segment.text['en']!r}"
    assert not result.warnings or stem.startswith("1952")  # only the page with Record ID has something unplaced


def test_hungarian_minutes_say_translation_from_hungarian_and_export_so(cli, real_data, tmp_path):
    root = tmp_path / "ed"
    cli("init", root)
    assert cli("import", "-C", root, real_data / "wilson" / "1962-10-25_minutes-hungarian-council-of-ministers.txt").exit_code == 0
    out = tmp_path / "tei"
    done = cli("export", "tei", "-C", root, "--out", out)
    assert done.exit_code == 0, done.output
    (xml,) = out.glob("*.xml")
    tei = xml.read_text(encoding="utf-8")
    assert 'type="translation"' in tei and 'type="original"' not in tei
    assert '<language ident="hu" n="original">' in tei


def test_flattened_calls_are_anchored_to_the_word_they_were_glued_to(real_data):
    (doc,) = read(real_data / "wilson" / "1962-10-31_telegram-polish-embassy-havana-jelen-ciphergram-16077.txt").documents
    (note,) = doc.notes
    assert (note.anchor.phrase, doc.segment(note.anchor.segment).text["en"]) == ("JELEN", "From: [Ambassador Boleslaw] JELEN")
    assert note.text == "Poland’s ambassador to Cuba (1961-1965)."
    (doc,) = read(real_data / "wilson" / "1962-11-21_telegram-polish-embassy-havana-jelen.txt").documents
    assert doc.notes[0].anchor.phrase == "[KPP]."
    assert "Party [KPP]. He emphasized" in doc.segment(doc.notes[0].anchor.segment).text["en"]


def test_bracketed_calls_and_endnotes(real_data):
    (doc,) = read(real_data / "wilson" / "1956-11-02_cable-chinese-embassy-hungary-paper-justice-misinterpreted.txt").documents
    assert [(n.label, n.anchor.phrase) for n in doc.notes] == [("1", "edition"), ("2", "Justice"), ("3", "aggression.”"), ("4", "evening,")]
    text = doc.segment("p2").text["en"]
    assert text.startswith("The third edition of the Hungarian paper Justice today")
    assert "it was the eighth" in doc.notes[0].text


def test_distribution_list_and_wrapped_line(real_data):
    (doc,) = read(real_data / "wilson" / "1951-01-13_ciphered-telegram-roshchin-to-ussr-foreign-ministry.txt").documents
    texts = [s.text["en"] for s in doc.segments]
    assert texts[0].startswith("Copies: Stalin (2), Molotov")
    assert texts[1] == "From BEIJING No. 1309 20 hours 05 minutes, 13.1.1951"


def test_letterhead_lines_keep_their_breaks(real_data):
    (doc,) = read(real_data / "versions" / "gdr-fischer-to-axen-1973.translation-B.en.txt").documents
    assert doc.segments[0].text["en"] == "GDR Council of Ministers\nGDR Foreign Ministry\nDeputy Minister\nBerlin, 18. July 1973"


def test_record_id_is_kept_in_unplaced_and_reported_with_its_line(cli, real_data, tmp_path):
    root = tmp_path / "ed"
    cli("init", root)
    path = real_data / "wilson" / "1952-02-03_ciphered-telegram-709-filippov-to-krasovsky-for-mao.txt"
    done = cli("import", "-C", root, path)
    assert done.exit_code == 0
    assert f"{path}:16: 'Record ID:' names nothing" in done.output
    assert "hint: move it into a field" in done.output
    (doc,) = store.load(root).documents
    assert doc.unplaced == ["Original Uploaded Date: 2011-11-20", "Record ID: 113636"]
    assert doc.doc_type == "Telegram"


def test_import_of_a_real_page_in_a_subprocess(real_data, tmp_path):
    root = tmp_path / "ed"
    env = {**os.environ, "NO_COLOR": "1"}
    command = [sys.executable, "-m", "edition"]
    assert subprocess.run([*command, "init", str(root)], env=env, capture_output=True, timeout=60).returncode == 0
    path = real_data / "wilson" / "1950-10-12_ciphered-telegram-25553-roshchin-to-filippov.txt"
    done = subprocess.run([*command, "import", "-C", str(root), str(path)], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    (seed,) = (root / "seeds").glob("1950-10-12-*.yaml")  # its id: the date and the title's first words
    written = seed.read_text(encoding="utf-8")
    assert "classification:\n- Top Secret\n" in written
    assert "role: translation\n  translator: Gary Goldberg\n" in written
    # What could not be placed is reported on stderr, file and line first.
    path = real_data / "wilson" / "1952-02-03_ciphered-telegram-709-filippov-to-krasovsky-for-mao.txt"
    done = subprocess.run([*command, "import", "-C", str(root), str(path)], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout == ""
    assert f"warning: {path}:10: 'Original Uploaded Date:' names nothing" in done.stderr
    assert f"warning: {path}:16: 'Record ID:' names nothing" in done.stderr


def test_what_is_printed_follows_the_roles_and_markings(cli, real_data, tmp_path):
    from edition.render.html import printed_layers, render_html, templates_dirs

    root = tmp_path / "ed"
    cli("init", root)
    for name in ("1962-10-25_minutes-hungarian-council-of-ministers.txt", "1950-10-12_ciphered-telegram-25553-roshchin-to-filippov.txt"):
        assert cli("import", "-C", root, real_data / "wilson" / name).exit_code == 0
    edition = store.load(root)
    telegram, minutes = edition.documents  # in the order of their dates
    layers, remark = printed_layers(minutes, "parallel", [])
    assert [la.id for la in layers] == ["en"]
    assert remark == "The Hungarian original is not part of this edition; the English translation is printed alone."
    html = render_html(edition, templates_dirs(root))
    assert "Top Secret." in html and "Translated by Gary Goldberg." in html


@pytest.mark.parametrize("name", ["chekhov-toska", "tolstoy-chem-ljudi-zhivy"])
def test_pairs_keep_their_paragraphs_as_the_truth_files_count_them(real_data, name):
    """Title and paragraphs, as the truth files number them (the title is
    paragraph 1): no paragraph merged or split on the way in."""
    truth = (real_data / "pairs" / f"{name}.truth.txt").read_text(encoding="utf-8").split()
    (english,) = read(real_data / "pairs" / f"{name}.en.txt").documents
    (russian,) = read(real_data / "pairs" / f"{name}.ru.txt", lang="ru").documents
    assert 1 + len(english.segments) == len(truth)
    assert 1 + len(russian.segments) == max(int(n) for line in truth for n in line.split(","))
    assert russian.layers[0].lang == "ru" and russian.layers[0].role is LayerRole.ORIGINAL


def test_pages_saved_into_one_file_are_several_documents(real_data, tmp_path):
    names = [
        "1962-10-31_telegram-polish-embassy-havana-jelen-ciphergram-16077.txt",
        "1950-10-12_ciphered-telegram-25553-roshchin-to-filippov.txt",
        "1956-11-02_cable-chinese-embassy-hungary-paper-justice-misinterpreted.txt",
    ]
    path = tmp_path / "three.txt"
    path.write_text("\n\n".join((real_data / "wilson" / n).read_text(encoding="utf-8") for n in names), encoding="utf-8")
    result = read(path)
    alone = [read(real_data / "wilson" / n).documents[0] for n in names]
    assert [d.title for d in result.documents] == [d.title for d in alone]
    for doc, single in zip(result.documents, alone):
        assert [s.text for s in doc.segments] == [s.text for s in single.segments]
        assert [(n.label, n.anchor) for n in doc.notes] == [(n.label, n.anchor) for n in single.notes]
        assert (doc.classification, doc.layers, doc.archival_refs) == (single.classification, single.layers, single.archival_refs)


def test_editorial_brackets_omissions_and_redactions_stay_as_typed(real_data):
    (telegram,) = read(real_data / "wilson" / "1952-02-03_ciphered-telegram-709-filippov-to-krasovsky-for-mao.txt").documents
    first, last = telegram.segments[0], telegram.segments[-1]
    assert first.text["en"] == last.text["en"] == "[...]" and last.kind.value == "paragraph"
    assert telegram.segments[1].text["en"] == "CIPHERED TELEGRAM No. 709"
    (damm,) = read(real_data / "wilson" / "1984-03-13_telegram-redacted-to-comrade-damm.txt").documents
    assert damm.segments[2].text["en"] == "Recipient: Berlin – Damm (XXXX, XXXX, XXXX [redacted])"
    (jelen,) = read(real_data / "wilson" / "1962-11-21_telegram-polish-embassy-havana-jelen.txt").documents
    assert "the time of the [October?] [R]evolution and" in jelen.segments[-1].text["en"]


def test_all_wilson_pages_make_one_valid_edition_in_date_order(cli, real_data, tmp_path):
    root = tmp_path / "ed"
    cli("init", root)
    pages = sorted((real_data / "wilson").glob("*.txt"))
    done = cli("import", "-C", root, *pages)
    assert done.exit_code == 0, done.output
    done = cli("validate", "-C", root)
    assert done.exit_code == 0 and "valid (0 warning(s))" in done.output, done.output
    edition = store.load(root)
    assert [d.date.iso for d in edition.documents] == sorted(p.name[:10] for p in pages)


@pytest.mark.shared_data
def test_dialogue_opened_by_a_dash_stays_a_paragraph_with_its_dash(real_data, tmp_path):
    """«Тоска» opens its lines of speech with a dash: paragraphs, not list
    items, and the dash is the text's own (it was taken off as a bullet)."""
    from edition.importers import read, read_delivery

    path = real_data / "pairs" / "chekhov-toska.ru.txt"
    (doc,) = read(path, lang="ru").documents
    spoken = [s for s in doc.segments if s.text["ru"].startswith("– ")]
    source = [p for p in path.read_text("utf-8").split("\n\n") if p.startswith("– ")]
    assert len(spoken) == len(source) > 20
    assert not [s.id for s in doc.segments if s.kind.value in ("list-item", "signature")]  # nor the story's last line
    delivered = read_delivery(path).paragraphs
    assert not [p for p in delivered if p.kind.value == "list-item"]
    assert len([p for p in delivered if p.text.startswith("– ")]) == len(source)
