"""XLIFF out to a CAT tool and back by segment ids: files written by
translate-toolkit (as Weblate and Pootle write them) and files edited the
way OmegaT, memoQ or Trados save them (targets split into paragraphs,
segments merged, units left untranslated, notes added, `state`s), and the
files that must be refused with nothing stored."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from lxml import etree

from edition import api, store

from .conftest import copy_sample, snapshot

GORKY = "1956-11-14-anonymous-letter-city-gorky"
MEMO = "1953-06-26-secret-memorandum-secretary-moscow"
NS = {"x": "urn:oasis:names:tc:xliff:document:1.2"}


@pytest.fixture
def edition_copy(tmp_path):
    """The repository's sample edition (seeds, translations, notes)."""
    return copy_sample(tmp_path / "sample")


def _export(cli, root, doc, source="en", target="de"):
    result = cli("export", "xliff", doc, "--source", source, "--target", target, "-C", root)
    assert result.exit_code == 0, result.output
    return root / "build" / "xliff" / f"{doc}.{target}.xlf"


def _units(path):
    tree = etree.parse(str(path))
    return tree, {u.get("id"): u for u in tree.iterfind(".//x:trans-unit", NS)}


def test_export_gives_one_unit_per_segment_keyed_by_its_id(edition_copy, cli):
    path = _export(cli, edition_copy, GORKY)
    tree, units = _units(path)
    root = tree.getroot()
    assert (root.get("version"), root.nsmap[None]) == ("1.2", NS["x"])
    file = root.find("x:file", NS)
    assert (file.get("original"), file.get("source-language"), file.get("target-language")) == (GORKY, "en", "de")
    doc = store.load(edition_copy).document(GORKY)
    assert list(units) == [s.id for s in doc.segments if s.text.get("en")]
    assert all(u.get("resname") == u.get("id") for u in units.values())
    p2 = units["p2"]
    assert "".join(p2.find("x:source", NS).itertext()) == doc.segment("p2").text["en"]
    assert p2.find("x:target", NS) is None  # nothing in German yet
    # The editor's notes on p2 go along, each marked with its kind.
    assert [(n.get("from"), n.text) for n in p2.iterfind("x:note", NS)] == [
        (n.kind.value, n.text) for n in doc.notes if n.anchor and n.anchor.segment == "p2"
    ]
    assert {n.get("from") for n in p2.iterfind("x:note", NS)} == {"footnote", "gloss"}
    # Notes on the title, the date and the whole document: context, in the header.
    header = [(n.get("from"), n.text) for n in file.iterfind("x:header/x:note", NS)]
    assert header == [(n.kind.value, n.text) for n in doc.notes if n.anchor is None or n.anchor.segment in ("title", "date")]
    assert len(header) == 3
    assert [etree.QName(child).localname for child in file] == ["header", "body"]  # the order XLIFF 1.2 requires


def test_export_carries_the_existing_translation_as_translated(edition_copy, cli):
    path = _export(cli, edition_copy, MEMO)  # the memorandum has a German layer
    _, units = _units(path)
    doc = store.load(edition_copy).document(MEMO)
    de = doc.named_layer("de")
    with_text = [s.id for s in doc.segments if s.text.get(de.id) and s.text.get("en")]
    assert with_text and all(units[i].find("x:target", NS).get("state") == "translated" for i in with_text)
    assert "".join(units[with_text[0]].find("x:target", NS).itertext()) == doc.segment(with_text[0]).text[de.id]


def test_emphasis_goes_out_as_g_italic_and_comes_back_as_asterisks(tmp_path, cli):
    from translate.storage import xliff

    root = tmp_path / "e"
    api.init(root, "E", ["An Editor"])
    source = tmp_path / "letter.txt"
    source.write_text("A Letter\n\nWe read *Pravda* and *Kommunist* every day.\n\nNothing else.\n", encoding="utf-8")
    api.import_files(root, [source])
    doc = store.load(root).documents[0]
    emphasised = next(s for s in doc.segments if "*Pravda*" in s.text["en"])
    path = _export(cli, root, doc.id, "en", "ru")
    _, units = _units(path)
    marks = units[emphasised.id].findall("x:source/x:g", NS)
    assert [(g.get("ctype"), g.text) for g in marks] == [("italic", "Pravda"), ("italic", "Kommunist")]
    # translate-toolkit reads the tags as its placeables and writes them back.
    store_ = xliff.xlifffile.parsefile(str(path))
    for unit in store_.unit_iter():
        unit.rich_target = unit.rich_source  # "copy source to target", with its tags, confirmed
        unit.marktranslated()
    path.write_bytes(bytes(store_))
    result = cli("translation", "add", doc.id, path, "-C", root)
    assert result.exit_code == 0, result.output
    stored = store.load(root).document(doc.id)
    assert stored.segment(emphasised.id).text["ru"] == "We read *Pravda* and *Kommunist* every day."


def test_round_trip_through_translate_toolkit_stores_targets_states_and_notes(edition_copy, cli):
    from translate.storage import xliff

    path = _export(cli, edition_copy, GORKY, target="fr")
    before = store.load(edition_copy).document(GORKY)
    store_ = xliff.xlifffile.parsefile(str(path))
    units = list(store_.unit_iter())
    french = {}
    for n, unit in enumerate(units):
        if n == 2:
            continue  # left untranslated
        french[unit.getid().split("\x04")[-1]] = f"Traduction {n} : {' '.join(unit.source.split()[:6])}"
        unit.settarget(french[unit.getid().split("\x04")[-1]])
    units[0].addnote("Le mot « ennemi » reste ambigu.", origin="translator")
    path.write_bytes(bytes(store_))

    result = cli("translation", "add", GORKY, path, "--translator", "A. Traductrice", "--json", "-C", edition_copy)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["layer"], report["method"], report["merged"]) == ("fr", "id", [])
    assert report["untranslated"] == [units[2].getid().split("\x04")[-1]]
    assert set(report["states"].values()) == {"translated"} and len(report["states"]) == len(units) - 1
    doc = store.load(edition_copy).document(GORKY)
    layer = doc.layer("fr")
    assert (layer.lang, layer.translated_from, layer.translator, layer.source_file) == ("fr", "en", "A. Traductrice", path.name)
    assert {s.id: s.text["fr"] for s in doc.segments if "fr" in s.text} == french
    skipped = units[2].getid().split("\x04")[-1]
    assert "fr" not in doc.segment(skipped).text
    first = units[0].getid().split("\x04")[-1]
    added = [n for n in doc.notes if n.anchor and n.anchor.layer == "fr"]
    assert [(n.kind.value, n.text, n.anchor.segment) for n in added] == [("translator", "Le mot « ennemi » reste ambigu.", first)]
    # The editor's own notes went out with the file and did not come back twice.
    assert len(doc.notes) == len(before.notes) + 1


OMEGAT_LIKE = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
 <file original="{doc}" source-language="en" target-language="{lang}" datatype="plaintext" tool-id="OmegaT">
  <header><tool tool-id="OmegaT" tool-name="OmegaT"/></header>
  <body>
{units}
  </body>
 </file>
</xliff>
"""


def _unit(uid, source, target=None, state=None, notes=()):
    from xml.sax.saxutils import escape

    target_xml = ""
    if target is not None:
        attribute = f' state="{state}"' if state else ""
        target_xml = f"<target{attribute}>{escape(target)}</target>"
    notes_xml = "".join(f'<note from="{who}">{escape(text)}</note>' for who, text in notes)
    return f'   <trans-unit id="{uid}" resname="{uid}" xml:space="preserve"><source xml:lang="en">{escape(source)}</source>{target_xml}{notes_xml}</trans-unit>'


def _cat_file(tmp_path, doc, rows, lang="de", name="from-cat.xlf"):
    path = tmp_path / name
    path.write_text(OMEGAT_LIKE.format(doc=doc.id, lang=lang, units="\n".join(_unit(*row) for row in rows)), encoding="utf-8")
    return path


def test_a_cat_tools_split_merge_untranslated_and_states_are_stored_by_id(edition_copy, cli, tmp_path):
    doc = store.load(edition_copy).document(MEMO)
    seg = [s for s in doc.segments if s.text.get("en")]
    rows = [
        # a target the translator split into two paragraphs
        (seg[0].id, seg[0].text["en"], "Erster Absatz.\n\n   Zweiter Absatz, vom Übersetzer abgetrennt.", "translated"),
        # two units merged: the first holds both, the second is empty and done
        (seg[1].id, seg[1].text["en"], "Beide Absätze in einem.", "final"),
        (seg[2].id, seg[2].text["en"], "", "translated"),
        # untranslated: no target, and an empty target the tool marks as new
        (seg[3].id, seg[3].text["en"]),
        (seg[4].id, seg[4].text["en"], "", "needs-translation"),
        # translated but flagged by the reviewer; a note from the translator
        (seg[5].id, seg[5].text["en"], "Zu prüfen.", "needs-review-translation", [("translator", "Bitte Datum prüfen.")]),
        # a question on a unit the translator left open
        (seg[6].id, seg[6].text["en"], None, None, [("translator", "Was heißt hier „Reisender“?")]),
        # OmegaT's copy of the source into an open unit; a name kept as it is, marked translated
        (seg[7].id, seg[7].text["en"], seg[7].text["en"]),
        (seg[8].id, seg[8].text["en"], seg[8].text["en"], "translated"),
    ]
    path = _cat_file(tmp_path, doc, rows, lang="fr")
    result = cli("translation", "add", MEMO, path, "-C", edition_copy)
    assert result.exit_code == 0, result.output
    assert f"1 unit(s) marked as needing work or review in the file: {seg[5].id}" in result.stderr
    assert "5 units by id (1 merged into the one before), 4 left untranslated, 2 translator's notes" in result.stderr
    assert f"unit '{seg[7].id}' holds its source text and is not marked translated: left untranslated" in result.stderr
    stored = store.load(edition_copy).document(MEMO)
    texts = {s.id: s.text.get("fr") for s in stored.segments}
    assert texts[seg[0].id] == "Erster Absatz.\nZweiter Absatz, vom Übersetzer abgetrennt."
    assert texts[seg[1].id] == "Beide Absätze in einem."
    assert texts[seg[2].id] == ""  # merged into the one before: empty on purpose
    assert texts[seg[3].id] is None and texts[seg[4].id] is None  # not translated
    assert texts[seg[5].id] == "Zu prüfen."
    assert texts[seg[7].id] is None and texts[seg[8].id] == seg[8].text["en"]
    assert stored.layer("fr").coverage == [(seg[0].id, seg[2].id), (seg[5].id, seg[5].id), (seg[8].id, seg[8].id)]
    notes = [(n.kind.value, n.text, n.anchor.layer, n.anchor.segment) for n in stored.notes if n.kind.value == "translator"]
    # The note on the open unit stands at the end of its English text.
    assert sorted(notes) == [("translator", "Bitte Datum prüfen.", "fr", seg[5].id), ("translator", "Was heißt hier „Reisender“?", "en", seg[6].id)]
    assert api.validate(edition_copy) == []


def test_ids_matching_no_segment_are_refused_with_the_units_named(edition_copy, cli, tmp_path):
    doc = store.load(edition_copy).document(GORKY)
    seg = doc.segments[1]
    path = _cat_file(tmp_path, doc, [(seg.id, seg.text["en"], "Gut.", "translated"), ("p98", "Lost text.", "Weg."), ("p99", "More.", "Mehr.")])
    before = snapshot(edition_copy)
    result = cli("translation", "add", GORKY, path, "-C", edition_copy)
    assert result.exit_code == 1
    assert f"{path}:7: unit 'p98' matches no segment of '{GORKY}'; nothing was stored" in result.stderr
    assert f"{path}:8: unit 'p99' matches no segment" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(edition_copy) == before


def test_a_file_exported_from_another_document_is_refused(edition_copy, cli, tmp_path):
    gorky = store.load(edition_copy).document(GORKY)
    path = _export(cli, edition_copy, MEMO, target="fr")  # p1, p2 … exist in both documents
    before = snapshot(edition_copy)
    result = cli("translation", "add", GORKY, path, "-C", edition_copy)
    assert result.exit_code == 1
    assert f"{path}:3: the file was exported from document '{MEMO}', not '{GORKY}'; nothing was stored" in result.stderr
    assert f"hint: add it to its own document: `edition translation add {MEMO} {path.name}`" in result.stderr
    assert snapshot(edition_copy) == before and gorky.segment("p1") is not None


def test_a_source_that_no_longer_matches_the_document_is_refused(edition_copy, cli, tmp_path):
    doc = store.load(edition_copy).document(GORKY)
    seg = doc.segments[1]
    old_source = seg.text["en"].replace("Khrushchev", "Malenkov")
    path = _cat_file(tmp_path, doc, [(seg.id, old_source, "Übersetzt.", "translated")])
    before = snapshot(edition_copy)
    result = cli("translation", "add", GORKY, path, "-C", edition_copy)
    assert result.exit_code == 1
    assert f"unit '{seg.id}': its source no longer matches the text of layer 'en'; nothing was stored" in result.stderr
    assert "hint: the document changed since the export: export it again" in result.stderr
    assert snapshot(edition_copy) == before
    # Spacing the CAT tool changed is not a change of the text.
    respaced = _cat_file(tmp_path, doc, [(seg.id, "  " + seg.text["en"].replace(" ", "\n ", 1), "Übersetzt.", "translated")], name="b.xlf")
    assert cli("translation", "add", GORKY, respaced, "--dry-run", "-C", edition_copy).exit_code == 0


def test_a_target_language_other_than_the_layers_is_refused(edition_copy, cli, tmp_path):
    doc = store.load(edition_copy).document(MEMO)
    seg = doc.segments[0]
    path = _cat_file(tmp_path, doc, [(seg.id, seg.text["en"], "Traduit.", "translated")], lang="fr")
    before = snapshot(edition_copy)
    result = cli("translation", "add", MEMO, path, "--layer", "de", "--replace", "-C", edition_copy)
    assert result.exit_code == 1
    assert "the file's target-language is 'fr' but layer 'de' is in 'de'; nothing was stored" in result.stderr
    result = cli("translation", "add", MEMO, path, "--lang", "de", "-C", edition_copy)
    assert result.exit_code == 1
    assert "the file's target-language is 'fr', not 'de'; nothing was stored" in result.stderr
    assert snapshot(edition_copy) == before


def test_a_file_that_is_not_xliff_is_refused_with_its_line(edition_copy, cli, tmp_path):
    path = tmp_path / "broken.xlf"
    path.write_text('<?xml version="1.0"?>\n<xliff version="1.2">\n<file original="x">\n</xliff>\n', encoding="utf-8")
    before = snapshot(edition_copy)
    result = cli("translation", "add", GORKY, path, "-C", edition_copy)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}:4:")
    assert "Traceback" not in result.output
    assert snapshot(edition_copy) == before


def test_an_xliff_2_file_is_refused_with_what_to_do(edition_copy, cli, tmp_path):
    path = tmp_path / "v2.xlf"
    path.write_text('<?xml version="1.0"?>\n<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en" trgLang="de">'
                    '<file id="f1"><unit id="p1"><segment><source>x</source><target>y</target></segment></unit></file></xliff>\n', encoding="utf-8")
    result = cli("translation", "add", GORKY, path, "-C", edition_copy)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}:2: an XLIFF 2 file: edition reads XLIFF 1.2")
    assert "hint: save or export the file as XLIFF 1.2" in result.stderr


def test_export_xliff_refuses_a_missing_layer_and_the_editions_sources(edition_copy, cli):
    result = cli("export", "xliff", GORKY, "--source", "ru", "--target", "de", "-C", edition_copy)
    assert result.exit_code == 2
    assert f"document '{GORKY}' has no layer or language 'ru'" in result.stderr
    result = cli("export", "xliff", GORKY, "--source", "en", "--target", "de", "--out", edition_copy / "seeds", "-C", edition_copy)
    assert result.exit_code == 2 and "lies in the edition's own seeds/ folder" in result.stderr
    assert cli("export", "xliff", GORKY, "--source", "en", "-C", edition_copy).exit_code == 2
    assert not (edition_copy / "build").exists()
    elsewhere = edition_copy.parent / "elsewhere"
    elsewhere.mkdir()
    link = edition_copy.parent / "link"
    link.symlink_to(elsewhere)
    result = cli("export", "xliff", GORKY, "--source", "en", "--target", "de", "--out", link, "-C", edition_copy)
    assert result.exit_code == 2 and "--out is a symbolic link" in result.stderr and not any(elsewhere.iterdir())
    result = cli("export", "xliff", GORKY, "--source", "en", "--target", "de", "--out", link, "--force", "-C", edition_copy)
    assert result.exit_code == 0 and [p.name for p in elsewhere.iterdir()] == [f"{GORKY}.de.xlf"]


@pytest.mark.shared_data
def test_a_wilson_page_goes_out_and_comes_back_in_a_real_process(tmp_path, real_data):
    """`edition` as a user runs it: a Wilson Center telegram exported, its
    units filled as a CAT tool's copy-source-to-target does, read back."""
    from translate.storage import xliff

    page = real_data / "wilson" / "1950-10-12_ciphered-telegram-25553-roshchin-to-filippov.txt"
    root = tmp_path / "w"
    api.init(root, "Wilson", ["An Editor"])
    api.import_files(root, [page])
    doc = store.load(root).documents[0]
    env = {**os.environ, "NO_COLOR": "1"}
    run = [sys.executable, "-m", "edition"]
    done = subprocess.run([*run, "export", "xliff", doc.id, "--source", "en", "--target", "ru", "--out", tmp_path / "out", "-C", root],
                          check=False, capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    path = tmp_path / "out" / f"{doc.id}.ru.xlf"
    store_ = xliff.xlifffile.parsefile(str(path))
    for unit in store_.unit_iter():
        unit.rich_target = unit.rich_source
        unit.marktranslated()  # confirmed by the translator: kept although it repeats the source
    path.write_bytes(bytes(store_))
    done = subprocess.run([*run, "translation", "add", doc.id, path, "-C", root], check=False, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    stored = store.load(root).document(doc.id)
    assert [s.text.get("ru") for s in stored.segments] == [s.text.get("en") for s in stored.segments]
    assert any("Mao Zedong" in s.text["ru"] for s in stored.segments)
    assert stored.layer("ru").coverage is None


def test_replacing_a_layer_from_xliff_keeps_its_notes(edition_copy, cli):
    doc = store.load(edition_copy).document(MEMO)
    kept_words = " ".join(doc.segment("p1").text["de"].split()[:2])
    lost_words = " ".join(doc.segment("p2").text["de"].split()[:2])
    for segment, words, text in (("p1", kept_words, "Stays."), ("p2", lost_words, "Its words go.")):
        added = cli("note", "add", MEMO, "--layer", "de", "--segment", segment, "--at", words, "--text", text, "-C", edition_copy)
        assert added.exit_code == 0, added.output
    path = _export(cli, edition_copy, MEMO, target="de")
    _, units = _units(path)
    assert [n.text for n in units["p1"].iterfind("x:note", NS)] == ["Stays."]
    xml = path.read_text(encoding="utf-8")
    xml = xml.replace(doc.segment("p2").text["de"], "Ganz neu übersetzt.")
    path.write_text(xml, encoding="utf-8")
    result = cli("translation", "add", MEMO, path, "--replace", "-C", edition_copy)
    assert result.exit_code == 0, result.output
    assert "is not in the new text; it now stands at the end of p2" in result.stderr
    stored = store.load(edition_copy).document(MEMO)
    assert stored.segment("p2").text["de"] == "Ganz neu übersetzt."
    assert stored.segment("p1").text["de"] == doc.segment("p1").text["de"]
    merged = {s.id for s in doc.segments if s.text.get("de") == ""}
    assert merged and {s.id for s in stored.segments if s.text.get("de") == ""} == merged  # went out and came back empty on purpose
    assert ", 0 left untranslated" in result.stderr
    notes = {n.text: n.anchor for n in stored.notes if n.anchor and n.anchor.layer == "de"}
    assert notes["Stays."].phrase == kept_words and notes["Its words go."].phrase == ""
    assert len(notes) == 2  # the notes that came back in the file are not stored twice
    assert api.validate(edition_copy) == []


def test_a_unit_twice_or_a_doctype_is_refused(edition_copy, cli, tmp_path):
    doc = store.load(edition_copy).document(GORKY)
    seg = doc.segments[1]
    twice = _cat_file(tmp_path, doc, [(seg.id, seg.text["en"], "Eins.", "translated"), (seg.id, seg.text["en"], "Zwei.", "translated")])
    before = snapshot(edition_copy)
    result = cli("translation", "add", GORKY, twice, "-C", edition_copy)
    assert result.exit_code == 1
    assert f"{twice}:7: unit '{seg.id}' comes twice; nothing was stored" in result.stderr
    entities = tmp_path / "entities.xlf"
    entities.write_text(twice.read_text(encoding="utf-8").replace(
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE xliff [<!ENTITY ext SYSTEM "file:///etc/passwd">]>\n', 1).replace("Eins.", "&ext;"), encoding="utf-8")
    result = cli("translation", "add", GORKY, entities, "-C", edition_copy)
    assert result.exit_code == 1
    assert f"{entities}:1: the file declares a DOCTYPE (entities)" in result.stderr
    assert "root:" not in result.output and "Traceback" not in result.output
    assert snapshot(edition_copy) == before


def test_inline_italics_as_other_cat_tools_write_them_come_back_as_asterisks(edition_copy, cli, tmp_path):
    """`<g>` is what we send; a tool that converts it to a `bpt`/`ept` pair
    or an `mrk`, or adds its own codes (a line break as `ph`, an `x`), is
    read back to the same `*…*` with the codes left out."""
    doc = store.load(edition_copy).document(GORKY)
    seg = doc.segments[1]
    path = _cat_file(tmp_path, doc, [(seg.id, seg.text["en"], "TARGET", "translated")], lang="fr")
    raw = ('Nous lisons la <bpt id="1" ctype="italic">&lt;i&gt;</bpt>Pravda<ept id="1">&lt;/i&gt;</ept> et'
           '<ph id="2">&lt;br/&gt;</ph> le <mrk mtype="x-italic">Kommunist</mrk><x id="3"/>.')  # fmt: skip
    path.write_text(path.read_text(encoding="utf-8").replace("TARGET", raw), encoding="utf-8")
    result = cli("translation", "add", GORKY, path, "-C", edition_copy)
    assert result.exit_code == 0, result.output
    assert store.load(edition_copy).document(GORKY).segment(seg.id).text["fr"] == "Nous lisons la *Pravda* et le *Kommunist*."


def test_a_revision_from_xliff_carries_the_revised_layers_notes(edition_copy, cli):
    doc = store.load(edition_copy).document(MEMO)
    words = " ".join(doc.segment("p3").text["de"].split()[:3])
    assert cli("note", "add", MEMO, "--layer", "de", "--segment", "p3", "--at", words, "--text", "Zitat prüfen.", "-C", edition_copy).exit_code == 0
    path = _export(cli, edition_copy, MEMO, target="de")
    xml = path.read_text(encoding="utf-8").replace(doc.segment("p5").text["de"], "Dann sprachen die Bestarbeiter.")
    path.write_text(xml, encoding="utf-8")
    result = cli("translation", "add", MEMO, path, "--revises", "de", "-C", edition_copy)
    assert result.exit_code == 0, result.output
    stored = store.load(edition_copy).document(MEMO)
    revision = stored.layer("de.2")
    assert (revision.revises, revision.translated_from) == ("de", None)
    assert stored.segment("p5").text["de.2"] == "Dann sprachen die Bestarbeiter."
    assert stored.segment("p5").text["de"] == doc.segment("p5").text["de"]  # the revised layer is kept
    placed = sorted((n.anchor.layer, n.anchor.phrase) for n in stored.notes if n.text == "Zitat prüfen.")
    assert placed == [("de", words), ("de.2", words)]  # carried, and not stored again from the file
    assert api.validate(edition_copy) == []


def test_an_export_gives_each_text_the_state_of_its_review(cli, tmp_path):
    """draft → translated, reviewed → signed-off, approved → final."""
    root = copy_sample(tmp_path / "sample")
    doc = "1953-06-26-secret-memorandum-secretary-moscow"
    for segment, state in (("p2", "reviewed"), ("p3", "approved")):
        done = cli("review", doc, "de", "--segment", segment, "--state", state, "--by", "B. R.", "-C", root)
        assert done.exit_code == 0, done.output
    out = tmp_path / "x"
    result = cli("export", "xliff", doc, "--source", "en", "--target", "de", "--out", out, "-C", root)
    assert result.exit_code == 0, result.output
    text = next(out.glob("*.xlf")).read_text("utf-8")
    import re as regex

    states = dict(regex.findall(r'<trans-unit[^>]*id="(p\d+)".*?<target[^>]*state="([^"]+)"', text, regex.S))
    assert states.get("p2") == "signed-off" and states.get("p3") == "final" and states.get("p4") == "translated"
