"""The translator's kit: `edition export docx DOC --kit` out, filled in as
a translator's word processor would, and `edition translation add DOC
FILE.docx` back, by segment ids, with no alignment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import docx
import pytest

from edition import load

from .conftest import copy_sample, snapshot

GORKY = "1956-11-14-anonymous-letter-city-gorky"
MOSCOW = "1953-06-26-secret-memorandum-secretary-moscow"


def export_kit(cli, root: Path, doc: str = GORKY, *, source: str = "en", target: str = "de") -> Path:
    result = cli("export", "docx", doc, "--kit", "--source", source, "--target", target, "-C", root)
    assert result.exit_code == 0, result.output
    path = root / "build" / "kit" / f"{doc}.{target}.docx"
    assert f"exported 1 document(s) as a translator's kit: {path}" in result.stderr
    return path


def rows(path: Path) -> list[list[str]]:
    (table,) = docx.Document(path).tables
    return [[cell.text for cell in row.cells] for row in table.rows]


def fill(path: Path, out: Path, texts: dict[str, list[str] | str], *, italic: str | None = None, edit=None) -> Path:
    """The kit as a translator saves it: each row's target cell written
    (a list: one paragraph each), `italic` set in italics where it occurs."""
    word = docx.Document(path)
    (table,) = word.tables
    for row in table.rows[1:]:
        segment = row.cells[0].text
        value = texts.get(segment)
        if value is None:
            continue
        cell = row.cells[2]
        for number, paragraph_text in enumerate([value] if isinstance(value, str) else value):
            paragraph = cell.paragraphs[0] if number == 0 else cell.add_paragraph()
            for piece_number, piece in enumerate(paragraph_text.split(italic) if italic else [paragraph_text]):
                if piece_number:
                    paragraph.add_run(italic).italic = True
                if piece:
                    paragraph.add_run(piece)
    if edit:
        edit(table)
    word.save(out)
    return out


def test_a_kit_is_a_table_of_ids_source_and_target_with_an_instruction(tmp_path, cli):
    root = copy_sample(tmp_path / "sample")
    path = export_kit(cli, root, source="en.2", target="de")
    word = docx.Document(path)
    paragraphs = [p.text for p in word.paragraphs]
    assert paragraphs[0].startswith("Translation kit: Anonymous Letter from City Gorky")
    assert "Write the German translation in the right-hand column" in paragraphs[1]
    assert f"`edition translation add {GORKY} FILE.docx`" in paragraphs[1]
    assert paragraphs[2] == f"edition translation kit 1 · document {GORKY} · from en.2 (en) · into de"
    doc = load(root).document(GORKY)
    assert rows(path) == [["Segment", "English (en)", "German (de)"]] + [[s.id, s.text["en.2"], ""] for s in doc.segments]


def test_the_existing_translation_goes_along_and_emphasis_is_italics(tmp_path, cli):
    root = copy_sample(tmp_path / "sample")
    path = export_kit(cli, root, doc=MOSCOW, source="en", target="de")
    doc = load(root).document(MOSCOW)
    table = rows(path)
    assert table[1:] == [[s.id, s.text["en"].replace("*", ""), s.text.get("de", "").replace("*", "")] for s in doc.segments if "en" in s.text]
    emphasised = [(s.id, s.text["en"]) for s in doc.segments if "*" in s.text.get("en", "")]
    (word_table,) = docx.Document(path).tables
    by_id = {row.cells[0].text: row for row in word_table.rows[1:]}
    for segment_id, text in emphasised:
        italic = [r.text for p in by_id[segment_id].cells[1].paragraphs for r in p.runs if r.italic]
        assert italic and all(f"*{words}*" in text for words in italic)


def test_a_filled_kit_comes_back_by_ids_exactly(tmp_path, cli):
    """Rows filled as Word saves them: one left empty, one cell of two
    paragraphs, italics; the stored layer holds exactly that."""
    root = copy_sample(tmp_path / "sample")
    kit = export_kit(cli, root)
    filled = fill(kit, tmp_path / "kit-de.docx", {
        "p1": "Genosse Redakteur,",
        "p2": ["Ich lese Ihre Zeitschrift Kommunist regelmäßig.", "Zweiter Absatz des Segments."],
        "p4": "Wegen dieser Haltung zu Stalin kursieren viele Witze.",
        "p5": "Ich bitte Sie, dies dem Zentralkomitee mitzuteilen.",
        "p6": "Mitglied der KPdSU seit 1924",
    }, italic="Kommunist")  # fmt: skip  (p3 left empty)
    result = cli("translation", "add", GORKY, filled, "--translator", "A. Schmidt", "-C", root)
    assert result.exit_code == 0, result.output
    assert "added layer 'de'" in result.stderr and "1 left untranslated" in result.stderr
    doc = load(root).document(GORKY)
    assert {s.id: s.text["de"] for s in doc.segments if "de" in s.text} == {
        "p1": "Genosse Redakteur,",
        "p2": "Ich lese Ihre Zeitschrift *Kommunist* regelmäßig.\nZweiter Absatz des Segments.",
        "p4": "Wegen dieser Haltung zu Stalin kursieren viele Witze.",
        "p5": "Ich bitte Sie, dies dem Zentralkomitee mitzuteilen.",
        "p6": "Mitglied der KPdSU seit 1924",
    }
    layer = doc.layer("de")
    assert (layer.lang, layer.translator, layer.translated_from, layer.source_file) == ("de", "A. Schmidt", "en", "kit-de.docx")
    assert layer.coverage == [("p1", "p2"), ("p4", "p6")]
    # Exported again, the kit carries the stored translation back out.
    again = export_kit(cli, root)
    assert rows(again)[2] == ["p2", doc.segment("p2").text["en"], "Ich lese Ihre Zeitschrift Kommunist regelmäßig.\nZweiter Absatz des Segments."]


def test_a_kit_replaces_its_layer_and_a_plain_word_file_is_still_aligned(tmp_path, cli):
    root = copy_sample(tmp_path / "sample")
    kit = export_kit(cli, root)
    first = fill(kit, tmp_path / "one.docx", {"p1": "Genosse Redakteur,"})
    assert cli("translation", "add", GORKY, first, "-C", root).exit_code == 0
    second = fill(export_kit(cli, root), tmp_path / "two.docx", {"p6": "Mitglied der KPdSU seit 1924"})
    replaced = cli("translation", "add", GORKY, second, "--replace", "-C", root)
    assert replaced.exit_code == 0, replaced.output
    assert {s.id: s.text["de"] for s in load(root).document(GORKY).segments if "de" in s.text} == {
        "p1": "Genosse Redakteur,", "p6": "Mitglied der KPdSU seit 1924"}  # fmt: skip
    plain = docx.Document()
    plain.add_paragraph("Comrade Editor,")
    plain.save(tmp_path / "plain.docx")
    aligned = cli("translation", "add", GORKY, tmp_path / "plain.docx", "--lang", "fr", "--dry-run", "--json", "-C", root)
    assert aligned.exit_code == 0, aligned.output
    assert '"method": "id"' not in aligned.stdout


def _set(table, segment: str, column: int, text: str):
    for row in table.rows[1:]:
        if row.cells[0].text == segment:
            row.cells[column].paragraphs[0].text = text  # python-docx: replaces the runs' text
            for extra in row.cells[column].paragraphs[1:]:
                extra._p.getparent().remove(extra._p)


@pytest.mark.parametrize(
    "edit, args, message",
    [
        (lambda t: _set(t, "p3", 0, "p98"), [], "row 'p98' matches no segment of '1956-11-14-anonymous-letter-city-gorky'; nothing was stored"),
        (lambda t: _set(t, "p4", 1, "Because of a different text altogether."), [], "row 'p4': its source no longer matches the text of layer 'en'; nothing was stored"),
        (lambda t: _set(t, "p5", 0, "p4"), [], "row 'p4' comes twice; nothing was stored"),
        (None, ["--lang", "fr"], "the file's target-language is 'de', not 'fr'; nothing was stored"),
        (None, ["--revises", "en"], "the file's target-language is 'de' but layer 'en' is in 'en'; nothing was stored"),
    ],
)
def test_a_kit_that_does_not_fit_the_document_is_refused_with_its_rows_named(tmp_path, cli, edit, args, message):
    root = copy_sample(tmp_path / "sample")
    kit = export_kit(cli, root)
    filled = fill(kit, tmp_path / "kit.docx", {"p1": "Genosse Redakteur,", "p2": "Text."}, edit=edit)
    before = snapshot(root)
    result = cli("translation", "add", GORKY, filled, *args, "-C", root)
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert str(filled) in result.stderr and "hint:" in result.stderr and "Traceback" not in result.output
    assert snapshot(root) == before


def test_a_kit_of_another_document_is_refused(tmp_path, cli):
    root = copy_sample(tmp_path / "sample")
    kit = export_kit(cli, root, doc=MOSCOW, source="en", target="fr")
    before = snapshot(root)
    result = cli("translation", "add", GORKY, kit, "-C", root)
    assert result.exit_code == 1
    assert f"the file was exported from document '{MOSCOW}', not '{GORKY}'; nothing was stored" in result.stderr
    assert snapshot(root) == before


def test_a_row_without_its_id_is_refused_by_number(tmp_path, cli):
    root = copy_sample(tmp_path / "sample")
    filled = fill(export_kit(cli, root), tmp_path / "kit.docx", {"p2": "Text."}, edit=lambda t: _set(t, "p2", 0, ""))
    before = snapshot(root)
    result = cli("translation", "add", GORKY, filled, "-C", root)
    assert result.exit_code == 1 and "row 3 has no segment id; nothing was stored" in result.stderr
    assert snapshot(root) == before


def test_bad_kit_command_lines(tmp_path, cli):
    root = copy_sample(tmp_path / "sample")
    before = snapshot(root)
    for args, message in (
        (["--kit", "--source", "en", "--target", "de"], "a translator's kit is made for one document"),
        ([GORKY, "--kit"], "a kit needs --source LAYER and --target LANG"),
        ([GORKY, "--kit", "--source", "xx", "--target", "de"], f"document '{GORKY}' has no layer or language 'xx'"),
        ([GORKY, "--kit", "--source", "en", "--target", "en"], "--target en is the language of the source layer 'en'"),
        ([GORKY, "--kit", "--source", "en", "--target", "Deutsch!"], "--target 'Deutsch!' is not a language code"),
        ([GORKY, "--source", "en", "--target", "de"], "--source and --target are for xliff and a docx --kit"),
    ):
        result = cli("export", "docx", *args, "-C", root)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.stderr, (args, result.stderr)
    kit = export_kit(cli, root)
    from_given = cli("translation", "add", GORKY, kit, "--from", "en", "-C", root)
    assert from_given.exit_code == 2 and "--from is not for a translator's kit" in from_given.stderr
    assert set(snapshot(root)) - set(before) == {f"build/kit/{GORKY}.de.docx"}


def test_the_kit_round_trip_through_the_installed_command(tmp_path):
    root = copy_sample(tmp_path / "sample")

    def edition(*args):
        done = subprocess.run([sys.executable, "-m", "edition.cli", *map(str, args), "-C", str(root)], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done

    edition("export", "docx", GORKY, "--kit", "--source", "en", "--target", "de")
    filled = fill(root / "build" / "kit" / f"{GORKY}.de.docx", tmp_path / "kit.docx", {"p1": "Genosse Redakteur,"})
    edition("translation", "add", GORKY, filled)
    assert load(root).document(GORKY).segment("p1").text["de"] == "Genosse Redakteur,"


def test_notes_go_out_as_comments_and_a_translators_comment_comes_back_as_a_note(tmp_path, cli):
    root = copy_sample(tmp_path / "sample")
    kit = export_kit(cli, root)
    doc = load(root).document(GORKY)
    word = docx.Document(kit)
    # The document's notes on p2 (carried to en.2 too, said once), on its source text.
    on_p2 = {n.text for n in doc.notes if n.anchor and n.anchor.segment == "p2"}
    assert sorted(c.text for c in word.comments) == sorted(on_p2) and len(on_p2) == 2
    assert {c.author for c in word.comments} == {"edition (footnote)", "edition (gloss)"}
    (table,) = word.tables
    p2 = table.rows[2]
    assert len(p2._tr.xpath(".//w:commentReference")) == 2
    paragraph = p2.cells[2].paragraphs[0]
    run = paragraph.add_run("Ich lese Ihre Zeitschrift.")
    comment = word.add_comment(run, author="A. Schmidt")
    comment.paragraphs[0].add_run("Zeitschrift ")
    comment.paragraphs[0].add_run("oder").italic = True
    comment.paragraphs[0].add_run(" Journal?")
    word.save(tmp_path / "commented.docx")
    result = cli("translation", "add", GORKY, tmp_path / "commented.docx", "-C", root)
    assert result.exit_code == 0, result.output
    assert "1 translator's notes" in result.stderr
    stored = load(root).document(GORKY)
    added = [n for n in stored.notes if n.anchor and n.anchor.layer == "de"]
    assert [(n.kind.value, n.anchor.segment, n.text) for n in added] == [("translator", "p2", "Zeitschrift *oder* Journal?")]
    assert len(stored.notes) == len(doc.notes) + 1  # the notes that went out are not stored twice


BRITISH = """\
id: note
title: A note
layers:
- id: gb
  lang: en-GB
  role: original
- id: us
  lang: en
  role: translation
  translated_from: gb
- id: us.2
  lang: en
  role: translation
  revises: us
segments:
- id: p1
  gb: The colour of the harbour.
  us: The color of the harbour.
  us.2: The color of the harbor.
"""


def test_a_localisation_kit_carries_the_target_not_the_source_of_the_same_language(tmp_path, cli):
    """en-GB into en: the target column is the newest en revision, never
    the source layer, whose language `en` would also name."""
    root = tmp_path / "ed"
    (root / "seeds").mkdir(parents=True)
    (root / "edition.yaml").write_text("title: Localised\n", encoding="utf-8")
    (root / "seeds" / "note.yaml").write_text(BRITISH, encoding="utf-8")
    path = export_kit(cli, root, doc="note", source="gb", target="en")
    assert rows(path)[1] == ["p1", "The colour of the harbour.", "The color of the harbor."]
    xliff = cli("export", "xliff", "note", "--source", "gb", "--target", "en", "-C", root)
    assert xliff.exit_code == 0, xliff.output
    assert "The color of the harbor.</target>" in (root / "build" / "xliff" / "note.en.xlf").read_text(encoding="utf-8")
