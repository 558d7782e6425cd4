"""`import --replace` of a corrected source: the document's segments are
matched to the new text, and the editors' work on it (translations,
revisions, review flags, notes) stays attached to the right words."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from edition import api, store
from edition.errors import EditionError
from edition.model import Anchor, Document, Layer, LayerRole, Note, NoteKind, Segment, resolve_anchor
from edition.reimport import reimport

from .conftest import REPO, SOURCES, snapshot

LETTERS = SOURCES / "003_19ea646c6e76e04b.txt"
GORKY = "1956-11-14-anonymous-letter-city-gorky"
P3 = "People here also say that Khrushchev needs to smear Stalin’s name in order to create respect for his own."
P4 = "Because of such an attitude towards Stalin"
DOC_FILE = f"seeds/{GORKY}.yaml"
EN2_FILE = f"translations/{GORKY}/en.2.yaml"
DE_FILE = f"translations/{GORKY}/de.yaml"


def _texts(root: Path) -> list[str]:
    return [s.text["en"] for s in api.open_workspace(root).document(GORKY).segments]


@pytest.fixture
def worked(sample, cli, tmp_path) -> Path:
    """The sample edition after an editor's work on the Gorky letter: a
    revision (en.2) and a German layer, and notes in all three layers."""
    texts = _texts(sample)
    revision = [t.replace("regular reader", "constant reader").replace("jokes", "anecdotes") for t in texts]
    (tmp_path / "revision.txt").write_text("\n\n".join(revision) + "\n", encoding="utf-8")
    german = [t.replace(" the ", " die ").replace(" and ", " und ").replace("Comrade Editor", "Genosse Redakteur") for t in texts]
    (tmp_path / "de.txt").write_text("\n\n".join(german) + "\n", encoding="utf-8")
    steps = [
        ("translation", "add", GORKY, tmp_path / "revision.txt", "--lang", "en", "--revises", "en", "--translator", "B. Reviser"),
        ("translation", "add", GORKY, tmp_path / "de.txt", "--lang", "de", "--from", "en", "--translator", "A. Schmidt"),
        ("note", "add", GORKY, "--layer", "en", "--segment", "p2", "--at", "Molotov motor factory", "--text", "GAZ."),
        ("note", "add", GORKY, "--layer", "en", "--segment", "p3", "--at", "Kaganovich", "--text", "L. M. Kaganovich."),
        ("note", "add", GORKY, "--layer", "en", "--segment", "p3", "--at", "smear Stalin’s name", "--text", "On the smearing."),
        ("note", "add", GORKY, "--layer", "en", "--segment", "p4", "--at", "Ordzhonikidze", "--text", "Sergo.", "--kind", "gloss"),
        ("note", "add", GORKY, "--layer", "en.2", "--segment", "p3", "--at", "Voroshilov", "--text", "K. E. Voroshilov.", "--kind", "translator"),
        ("note", "add", GORKY, "--layer", "de", "--segment", "p4", "--at", "Khrushchev", "--occurrence", "2", "--text", "Zweimal."),
        ("note", "add", GORKY, "--layer", "de", "--segment", "p5", "--at", "Committee", "--text", "ZK."),
    ]
    for args in steps:
        result = cli(*args, "-C", sample)
        assert result.exit_code == 0, result.output
    return sample


def corrected(tmp_path: Path, old: str, new: str, name: str = "corrected.txt") -> Path:
    """A copy of the letters' source with one correction made."""
    text = LETTERS.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def paragraph_of(start: str) -> str:
    """The source's paragraph that begins with `start` (one line each)."""
    return next(line for line in LETTERS.read_text(encoding="utf-8").split("\n") if line.startswith(start))


def placed(root: Path) -> dict[str, tuple[str, str, str, str]]:
    """Each note of the Gorky letter: (layer, segment, phrase, the words
    after its call), or None for a note on the whole document."""
    doc = api.open_workspace(root).document(GORKY)
    out = {}
    for note in doc.notes:
        if note.anchor is None:
            out[note.id] = None
            continue
        end = resolve_anchor(doc, note.anchor)
        assert end is not None, f"note {note.id} does not resolve"
        after = doc.place_text(note.anchor.layer, note.anchor.segment)[end : end + 25]
        out[note.id] = (note.anchor.layer, note.anchor.segment, note.anchor.phrase, after)
    return out


def assert_valid(root: Path) -> None:
    problems = [p for p in api.validate(root) if p.severity == "error"]
    assert not problems, "\n".join(map(str, problems))


def test_an_unchanged_source_changes_no_byte(worked, cli):
    before = snapshot(worked)
    result = cli("import", LETTERS, "--replace", "-C", worked)
    assert result.exit_code == 0, result.output
    assert f"{GORKY}: segments kept 6, corrected 0, new 0, merged 0, split 0, divided anew 0, gone 0" in result.stderr
    assert snapshot(worked) == before


def test_a_typo_fixed_keeps_ids_translations_and_notes(worked, cli, tmp_path):
    before, notes = snapshot(worked), placed(worked)
    source = corrected(tmp_path, "smear Stalin’s name", "smear Stalin's name")
    result = cli("import", source, "--replace", "-C", worked)
    assert result.exit_code == 0, result.output
    assert "corrected: p3" in result.stderr
    assert "note n5 re-anchored: en p3 'smear Stalin’s name' → en p3 'smear Stalin's name'" in result.stderr
    assert_valid(worked)
    after = snapshot(worked)
    changed = {name for name in before if before[name] != after.get(name)}
    assert changed == {DOC_FILE}  # the translations' files are untouched
    assert set(after) == set(before)
    now = placed(worked)
    assert now.pop("n5") == ("en", "p3", "smear Stalin's name", " in order to create respe")
    assert now == {k: v for k, v in notes.items() if k != "n5"}
    assert [s.id for s in api.open_workspace(worked).document(GORKY).segments] == ["p1", "p2", "p3", "p4", "p5", "p6"]


def test_an_inserted_paragraph_gets_a_fresh_id(worked, cli, tmp_path):
    before, notes = snapshot(worked), placed(worked)
    added = "A paragraph the first transcription missed, about the workshops and the rounds."
    source = corrected(tmp_path, P3, f"{added}\n\n{P3}")
    result = cli("import", source, "--replace", "-C", worked)
    assert result.exit_code == 0, result.output
    assert "new: p7" in result.stderr
    assert_valid(worked)
    doc = api.open_workspace(worked).document(GORKY)
    assert [s.id for s in doc.segments] == ["p1", "p2", "p7", "p3", "p4", "p5", "p6"]
    assert doc.segment("p7").text == {"en": added}  # no translation yet: `doctor` will ask for one
    assert doc.segment("p3").text["en.2"].startswith("People here also say")
    after = snapshot(worked)
    assert {name for name in before if before[name] != after[name]} == {DOC_FILE}
    assert placed(worked) == notes


def test_a_removed_paragraph_is_refused_naming_what_hangs_on_it(worked, cli, tmp_path):
    before = snapshot(worked)
    source = corrected(tmp_path, paragraph_of(P3) + "\n\n", "")
    result = cli("import", source, "--replace", "-C", worked)
    assert result.exit_code == 1
    line = next(l for l in result.stderr.splitlines() if "segment p3" in l)
    path, row, column, message = line.split(":", 3)
    assert path == str(worked / DOC_FILE) and row.isdigit() and column.isdigit()
    assert message.strip() == "segment p3 is not in the corrected source; it carries: translation de, en.2; notes n4, n5, t1"
    assert "hint: correct the source if the paragraph should stay, or pass --force" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(worked) == before


def test_a_removed_paragraph_with_force_keeps_the_rest(worked, cli, tmp_path):
    notes = placed(worked)
    en2 = store.load_workspace(worked).edition.document(GORKY).segment("p3").text["en.2"]
    source = corrected(tmp_path, paragraph_of(P3) + "\n\n", "")
    result = cli("import", source, "--replace", "--force", "-C", worked)
    assert result.exit_code == 0, result.output
    assert "gone: p3 (carries translation de, en.2; notes n4, n5, t1)" in result.stderr
    assert "note t1 lost its place (segment p3 is not in the corrected source): kept as a note on the whole document" in result.stderr
    assert "translation en.2 of p3: kept as an unaligned paragraph" in result.stderr
    assert_valid(worked)
    doc = api.open_workspace(worked).document(GORKY)
    assert [s.id for s in doc.segments] == ["p1", "p2", "p4", "p5", "p6"]
    assert [(u.after, u.text) for u in doc.layer("en.2").unaligned] == [("p2", en2)]
    now = placed(worked)
    for gone in ("n4", "n5", "t1"):  # their words kept, on the whole document
        assert now.pop(gone) is None
        assert notes.pop(gone)[1] == "p3"
    assert now == notes
    assert doc.segment("p4").text["de"].startswith("Because of such an attitude towards Stalin as evinced by Khrushchev und")


def test_two_paragraphs_merged_join_their_translations(worked, cli, tmp_path):
    before = store.load_workspace(worked).edition.document(GORKY)
    notes = placed(worked)
    source = corrected(tmp_path, paragraph_of(P3) + "\n\n", paragraph_of(P3) + " ")
    result = cli("import", source, "--replace", "-C", worked)
    assert result.exit_code == 0, result.output
    assert "merged: p3 + p4 → p3" in result.stderr
    assert_valid(worked)
    doc = api.open_workspace(worked).document(GORKY)
    assert [s.id for s in doc.segments] == ["p1", "p2", "p3", "p5", "p6"]
    for layer in ("en.2", "de"):
        assert doc.segment("p3").text[layer] == before.segment("p3").text[layer] + " " + before.segment("p4").text[layer]
    now = placed(worked)
    # The notes of p4 now stand in p3, after the same words.
    assert now.pop("g1") == ("en", "p3", "Ordzhonikidze", notes.pop("g1")[3])
    layer, segment, phrase, after = now.pop("n6")
    assert (layer, segment, phrase, after) == ("de", "p3", "Khrushchev", notes.pop("n6")[3])
    de_note = next(n for n in doc.notes if n.id == "n6")
    assert de_note.anchor.occurrence == 3  # Khrushchev once in the old p3, then the second of p4
    assert now == notes


def test_a_split_paragraph_keeps_its_translation_on_the_first_part_for_review(worked, cli, tmp_path):
    second = "But I can state plainly that among the people he has none."
    source = corrected(tmp_path, f"his own. {second}", f"his own.\n\n{second}")
    notes = placed(worked)
    result = cli("import", source, "--replace", "-C", worked)
    assert result.exit_code == 0, result.output
    assert "split: p3 → p3 + p7" in result.stderr
    assert_valid(worked)
    doc = api.open_workspace(worked).document(GORKY)
    assert [s.id for s in doc.segments] == ["p1", "p2", "p3", "p7", "p4", "p5", "p6"]
    assert doc.segment("p3").text["en"].endswith("his own.")
    assert doc.segment("p3").text["en.2"].endswith("attitude towards Tito.")  # the whole translation
    assert doc.segment("p7").text["en.2"] == ""  # empty on purpose: its words stand in p3
    assert "p3" in doc.layer("en.2").flagged and "p3" in doc.layer("de").flagged
    now = placed(worked)
    assert now.pop("n4") == ("en", "p7", "Kaganovich", notes.pop("n4")[3])  # the source's text moved on
    assert now == notes


def test_dry_run_tells_and_writes_nothing(worked, cli, tmp_path):
    before = snapshot(worked)
    source = corrected(tmp_path, P3, f"One more paragraph.\n\n{P3}")
    result = cli("import", source, "--replace", "--dry-run", "-C", worked)
    assert result.exit_code == 0, result.output
    assert "new: p7" in result.stderr and f"would import {GORKY}: 7 segments" in result.stderr
    removed = corrected(tmp_path, paragraph_of(P3) + "\n\n", "", "removed.txt")
    result = cli("import", removed, "--replace", "--dry-run", "-C", worked)
    assert result.exit_code == 1
    assert "gone: p3 (carries translation de, en.2; notes n4, n5, t1)" in result.stderr
    assert "segment p3 is not in the corrected source" in result.stderr
    assert snapshot(worked) == before


def test_json_gives_the_account(worked, cli, tmp_path):
    import json

    source = corrected(tmp_path, paragraph_of(P3) + "\n\n", paragraph_of(P3) + " ")
    result = cli("import", source, "--replace", "--dry-run", "--json", "-C", worked)
    assert result.exit_code == 0, result.output
    row = next(r for r in json.loads(result.stdout) if r["id"] == GORKY)
    assert row["reimport"]["merged"] == [{"segments": ["p3", "p4"], "into": "p3"}]
    assert row["reimport"]["notes_moved"] == ["g1", "n6"]


def test_the_library_refuses_and_forces(worked, tmp_path):
    before = snapshot(worked)
    source = corrected(tmp_path, paragraph_of(P3) + "\n\n", "")
    with pytest.raises(EditionError) as refused:
        api.import_files(worked, [source], replace=True)
    assert refused.value.exit_code == 1
    assert [p.message.split(";")[0] for p in refused.value.problems] == ["segment p3 is not in the corrected source"]
    assert snapshot(worked) == before
    report = api.import_files(worked, [source], replace=True, force=True)
    result = next(r for r in report.reimports if r.document.id == GORKY)
    assert [(g.segment, g.translations, g.notes) for g in result.gone] == [("p3", ("de", "en.2"), ("n4", "n5", "t1"))]
    assert sorted(p.name for p in report.written) == sorted([f"{GORKY}.yaml", "de.yaml", "en.2.yaml"])


def test_a_hand_edited_translation_file_stops_the_reimport_before_any_write(worked, cli, tmp_path):
    path = worked / EN2_FILE
    path.write_text("# checked by A. Editor\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    before = snapshot(worked)
    source = corrected(tmp_path, paragraph_of(P3) + "\n\n", paragraph_of(P3) + " ")
    result = cli("import", source, "--replace", "-C", worked)
    assert result.exit_code == 1
    assert f"{path}: refusing to rewrite a file that was edited by hand" in result.stderr
    assert snapshot(worked) == before


def test_the_sources_own_notes_are_replaced_and_the_editors_kept(worked, cli, tmp_path):
    text = "This letter was sent by the editorial board of ‘Kommunist’ to the CC of the CPSU on 14th"
    source = corrected(tmp_path, text, text.replace("14th", "15th"))
    result = cli("import", source, "--replace", "-C", worked)
    assert result.exit_code == 0, result.output
    doc = api.open_workspace(worked).document(GORKY)
    n1 = next(n for n in doc.notes if n.id == "n1")
    assert "on 15th" in n1.text and n1.label == "1"
    assert [n.id for n in doc.notes] == ["n1", "n2", "a1", "n3", "n4", "n5", "g1", "n6", "n7", "t1"]


@pytest.mark.shared_data
def test_a_wilson_center_page_keeps_its_note_when_a_word_changes(real_data, tmp_path, cli):
    page = real_data / "wilson" / "1962-11-21_telegram-polish-embassy-havana-jelen.txt"
    root = tmp_path / "wilson"
    api.init(root, "Havana")
    api.import_files(root, [page])
    doc = api.open_workspace(root).edition.documents[0]
    segment = next(s.id for s in doc.segments if "Monroe Doctrine" in s.text["en"])
    for phrase, text in (("Monroe Doctrine", "Of 1823."), ("looking differently", "Sic.")):
        assert cli("note", "add", doc.id, "--layer", "en", "--segment", segment, "--at", phrase, "--text", text, "-C", root).exit_code == 0
    edited = tmp_path / page.name
    source = page.read_text(encoding="utf-8")
    assert source.count("is looking differently") == 1
    edited.write_text(source.replace("is looking differently", "is looking different"), encoding="utf-8")
    result = cli("import", edited, "--replace", "-C", root)
    assert result.exit_code == 0, result.output
    assert f"corrected: {segment}" in result.stderr
    assert_valid(root)
    doc = api.open_workspace(root).edition.documents[0]
    anchors = {n.text: (n.anchor.segment, n.anchor.phrase) for n in doc.notes}
    assert anchors["Of 1823."] == (segment, "Monroe Doctrine") and anchors["Sic."] == (segment, "looking different")
    assert len(anchors) == 3  # and the page's own endnote, read again from the corrected file


def test_a_reimport_through_a_real_process(worked, tmp_path):
    before = snapshot(worked)
    source = corrected(tmp_path, paragraph_of(P3) + "\n\n", "")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])), "NO_COLOR": "1"}
    command = [sys.executable, "-m", "edition", "import", str(source), "--replace", "-C", str(worked)]
    refused = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert refused.returncode == 1
    assert "segment p3 is not in the corrected source; it carries: translation de, en.2; notes n4, n5, t1" in refused.stderr
    assert "Traceback" not in refused.stderr and refused.stdout == ""
    assert snapshot(worked) == before
    forced = subprocess.run([*command, "--force"], capture_output=True, text=True, env=env, timeout=120)
    assert forced.returncode == 0, forced.stderr
    assert "gone: p3" in forced.stderr
    assert_valid(worked)


# --------------------------------------------------------------------------
# The pairing itself, on the model.

A = "The meeting opened at ten and the chairman read the report of the committee on the harvest."
B = "Then the delegates voted on the resolution and the meeting closed at noon."


def _letter(*texts: str, de: bool = True) -> Document:
    layers = [Layer("en", "en", LayerRole.ORIGINAL)] + ([Layer("de", "de", translated_from="en")] if de else [])
    segments = []
    for i, text in enumerate(texts, 1):
        segments.append(Segment(f"p{i}", text={"en": text, **({"de": f"[de] {text}"} if de else {})}))
    return Document(id="minutes", title="Minutes", layers=layers, segments=segments)


def test_a_short_paragraph_removed_beside_a_corrected_one_is_gone_not_merged():
    # The aligner pairs "Ivanov" with its corrected neighbour (a 2-1 bead):
    # merging would carry its translation into the text of another paragraph.
    old = _letter(A, "Ivanov", B)
    result = reimport(old, _letter(A.replace("ten", "eleven"), B, de=False))
    assert [g.segment for g in result.gone] == ["p2"] and result.gone[0].translations == ("de",)
    assert result.losses and result.merged == []
    assert [s.id for s in result.document.segments] == ["p1", "p3"]
    assert result.document.segment("p1").text["de"] == f"[de] {A}"
    assert [(u.after, u.text) for u in result.document.layer("de").unaligned] == [("p1", "[de] Ivanov")]


def test_a_paragraph_replaced_by_another_is_gone_and_new():
    other = "Comrade Petrov asked for the floor on the question of tractors for the spring sowing."
    result = reimport(_letter(A, B), _letter(A, other, de=False))
    assert [g.segment for g in result.gone] == ["p2"] and result.new == ["p3"]
    assert "de" not in result.document.segment("p3").text


def test_an_editors_note_keeps_its_words_when_the_source_takes_its_id():
    old = _letter(A, B)
    old.notes = [Note("n1", NoteKind.FOOTNOTE, "The editor's.", Anchor("en", "p2", "resolution"))]
    new = _letter(A, B, de=False)
    new.notes = [Note("n1", NoteKind.FOOTNOTE, "The source's own.", Anchor("en", "p1", "harvest"), label="1")]
    result = reimport(old, new)
    assert [(n.id, n.text, n.anchor.segment) for n in result.document.notes] == [
        ("n1", "The source's own.", "p1"),
        ("n2", "The editor's.", "p2"),
    ]
    assert result.renamed_notes == [("n1", "n2")]


def test_an_editors_note_on_the_title_follows_a_corrected_title():
    old = _letter(A, B)
    old.notes = [Note("g1", NoteKind.GLOSS, "Protokoll.", Anchor("de", "title", "Minutes"))]
    new = _letter(A, B, de=False)
    new.title = "Minutes of the Board"
    result = reimport(old, new)
    assert result.document.notes[0].anchor == Anchor("de", "title", "Minutes")
    assert not result.losses


def test_two_paragraphs_divided_anew_keep_their_translations_for_review():
    first, moved = "The meeting opened at ten and the chairman read the report of the committee on the harvest.", "The report was approved."
    second = "Then the delegates voted on the resolution and the meeting closed at noon. Everyone went home."
    old = _letter(f"{first} {moved}", second)
    old.notes = [Note("n1", NoteKind.FOOTNOTE, "Unanimously.", Anchor("en", "p1", "approved"))]
    result = reimport(old, _letter(first, f"{moved} {second}", de=False))
    assert result.redivided == [(("p1", "p2"), ("p1", "p2"))]
    doc = result.document
    assert [doc.segment(i).text["de"] for i in ("p1", "p2")] == [f"[de] {first} {moved}", f"[de] {second}"]
    assert doc.layer("de").flagged == ["p1", "p2"]
    assert doc.notes[0].anchor == Anchor("en", "p2", "approved")


def test_an_unlabelled_note_of_the_source_is_told_from_an_editors_by_its_words_or_place():
    old = _letter(A, B)
    old.notes = [
        Note("n1", NoteKind.FOOTNOTE, "Source note on the harvest.", Anchor("en", "p1", "harvest")),
        Note("n2", NoteKind.FOOTNOTE, "The editor's note.", Anchor("en", "p2", "resolution")),
    ]
    new = _letter(A, B, de=False)
    new.notes = [
        Note("n1", NoteKind.FOOTNOTE, "Source note on the harvest, corrected.", Anchor("en", "p1", "harvest")),
        Note("n2", NoteKind.FOOTNOTE, "A second note of the source.", Anchor("en", "p1", "chairman")),
    ]
    result = reimport(old, new)
    assert [(n.id, n.text) for n in result.document.notes] == [
        ("n1", "Source note on the harvest, corrected."),
        ("n2", "A second note of the source."),
        ("n3", "The editor's note."),
    ]


def test_a_broken_translation_file_stops_the_reimport(worked, cli, tmp_path):
    path = worked / DE_FILE
    path.write_text(path.read_text(encoding="utf-8").replace("lang: de", "lang: 'not a language'"), encoding="utf-8")
    before = snapshot(worked)
    result = cli("import", corrected(tmp_path, "smear Stalin’s name", "smear Stalin's name"), "--replace", "-C", worked)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}:") and "is not a language code" in result.stderr
    assert snapshot(worked) == before


def test_force_without_replace_is_a_wrong_command_line(worked, cli):
    before = snapshot(worked)
    result = cli("import", LETTERS, "--force", "-C", worked)
    assert result.exit_code == 2
    assert "--force goes with --replace" in result.stderr and "hint:" in result.stderr
    assert snapshot(worked) == before


def test_running_the_same_reimport_again_changes_nothing(worked, cli, tmp_path):
    source = corrected(tmp_path, paragraph_of(P3) + "\n\n", paragraph_of(P3) + " ")
    assert cli("import", source, "--replace", "-C", worked).exit_code == 0
    before = snapshot(worked)
    again = cli("import", source, "--replace", "-C", worked)
    assert again.exit_code == 0
    assert f"{GORKY}: segments kept 5, corrected 0, new 0, merged 0" in again.stderr
    assert snapshot(worked) == before


def test_a_note_at_the_end_of_a_merged_translation_stays_after_its_last_word():
    old = _letter(A, B)
    old.notes = [
        Note("t1", NoteKind.TRANSLATOR, "End of the first.", Anchor("de", "p1", "")),
        Note("t2", NoteKind.TRANSLATOR, "End of the second.", Anchor("de", "p2", "")),
    ]
    result = reimport(old, _letter(f"{A} {B}", de=False))
    assert result.merged == [(("p1", "p2"), "p1")] and not result.losses
    assert [n.anchor for n in result.document.notes] == [Anchor("de", "p1", "harvest."), Anchor("de", "p1", "")]
