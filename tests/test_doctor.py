"""`edition doctor`: consistency across layers. Errors (exit 1): a segment
missing from a layer without being marked absent (an empty text), a note
whose anchor is gone, an id used twice, a revision chain in a circle.
Warnings (exit 0): alignments flagged for review, unaligned paragraphs,
names of the register found nowhere, temporary files of an interrupted
write."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from edition import api, store
from edition.doctor import doctor
from edition.model import Unaligned
from edition.render import render_html, templates_dirs

from .conftest import snapshot
from .test_crash_safety import LETTER, MEMO, copy_sample

OTHER_LETTER = "1956-09-18-anonymous-letter-editorial-board"


def _errors(problems):
    return [p for p in problems if p.severity == "error"]


def _warnings(problems):
    return [p for p in problems if p.severity == "warning"]


def _change(root: Path, doc_id: str, change) -> None:
    """Change a document through the store (canonical files, as the
    commands write them): `change(doc)`, then save every layer's file."""
    ws = api.open_workspace(root)
    doc = ws.document(doc_id)
    change(doc)
    files = ws.files[doc.id]
    for layer in doc.layers:
        if layer.id in files.layer_files:
            store.write_layer(root, doc, layer, files, replace=True)
    store.write_document(root, doc, replace=True, files=files)


def _mark_merged_segment_absent(root: Path) -> None:
    """The German working translation merged p10 and p11 into one
    paragraph (the aligner's 2–1 bead): p11 has no entry in layer de."""
    _change(root, MEMO, lambda doc: doc.segment("p11").text.__setitem__("de", ""))


@pytest.fixture
def clean(tmp_path) -> Path:
    root = copy_sample(tmp_path / "ed")
    _mark_merged_segment_absent(root)
    return root


def test_the_sample_is_consistent_across_layers(tmp_path, cli):
    """The German layer joins p10 and p11 (the source split a sentence):
    translation add marks p11 empty on purpose, so nothing is missing."""
    root = copy_sample(tmp_path / "ed")
    assert _errors(doctor(root)) == []
    assert '  p11: ""\n' in (root / "translations" / MEMO / "de.yaml").read_text(encoding="utf-8")
    result = cli("doctor", "-C", root)
    assert result.exit_code == 0, result.stderr


def test_an_empty_text_marks_a_segment_absent_on_purpose(clean, cli):
    before = snapshot(clean)
    result = cli("doctor", "-C", clean)
    assert result.exit_code == 0, result.stderr
    assert "consistent across layers" in result.stderr
    assert snapshot(clean) == before  # doctor only reads
    # The mark survives what the commands write: reading, a note added on
    # the layer (which rewrites its file), and the renderer.
    assert '  p11: ""\n' in (clean / "translations" / MEMO / "de.yaml").read_text(encoding="utf-8")
    api.add_note(clean, MEMO, layer="de", segment="p10", phrase="Menschen", text="Eine Anmerkung.", occurrence=1)
    assert '  p11: ""\n' in (clean / "translations" / MEMO / "de.yaml").read_text(encoding="utf-8")
    assert not _errors(doctor(clean))
    render_html(store.load(clean), templates_dirs(clean))


def test_a_segment_missing_from_a_layer_is_an_error(clean, cli):
    _change(clean, LETTER, lambda doc: [doc.segment(s).text.pop("en.2") for s in ("p3", "p5")])
    _change(clean, OTHER_LETTER, lambda doc: doc.segment("p2").text.pop("en"))
    errors = _errors(doctor(clean))
    assert sorted(e.message for e in errors) == sorted([
        f"document '{LETTER}': segments p3, p5 have no text in layer 'en.2' (2 of 6)",
        f"document '{OTHER_LETTER}': segment p2 has no text in layer 'en' (1 of 12)",
    ])  # fmt: skip
    where = {Path(e.path).name: e.line for e in errors}
    seed_lines = (clean / "seeds" / f"{OTHER_LETTER}.yaml").read_text(encoding="utf-8").splitlines()
    assert where == {"en.2.yaml": 2, f"{OTHER_LETTER}.yaml": seed_lines.index("- id: en") + 1}  # where each layer is defined
    result = cli("doctor", "-C", clean)
    assert result.exit_code == 1 and "2 error(s)" in result.stderr


def test_flagged_alignments_and_unaligned_paragraphs_are_listed_as_warnings(clean, cli):
    def review(doc):
        layer = doc.layer("de")
        layer.flagged = ["p6", "p12"]
        layer.unaligned = [Unaligned(after="p9", text="Ein Absatz, der keinem Segment entspricht.")]

    _change(clean, MEMO, review)
    warnings = _warnings(doctor(clean))
    messages = [w.message for w in warnings]
    assert f"document '{MEMO}': the alignment of p6, p12 in layer 'de' has low confidence" in messages
    assert f"document '{MEMO}': a paragraph of layer 'de' matched no segment (kept after p9): 'Ein Absatz, der keinem Segment entspricht.'" in messages
    flagged = next(w for w in warnings if "low confidence" in w.message)
    assert f"edition compare {MEMO} en de" in flagged.hint
    result = cli("doctor", "-C", clean)
    assert result.exit_code == 0  # warnings do not fail
    assert "0 error(s), 2 warning(s)" in result.stderr


def test_broken_anchors_duplicate_ids_and_revision_circles_are_errors(clean, cli):
    seed = clean / "seeds" / f"{LETTER}.yaml"
    text = seed.read_text(encoding="utf-8")
    text = text.replace("phrase: Molotov motor factory", "phrase: Molotov tractor factory")  # the anchor's words are gone
    text = text.replace("- id: a1\n", "- id: n2\n")  # a note id used twice
    seed.write_text(text, encoding="utf-8")
    layer_file = clean / "translations" / LETTER / "en.2.yaml"
    layer_file.write_text(layer_file.read_text(encoding="utf-8").replace("  revises: en\n", "  revises: en.2\n"), encoding="utf-8")
    messages = [e.message for e in _errors(doctor(clean))]
    assert any("phrase 'Molotov tractor factory'" in m for m in messages), messages
    assert "note id 'n2' is used twice" in messages
    assert f"document '{LETTER}': layer 'en.2' revises itself (en.2 → en.2)" in messages
    result = cli("doctor", "--json", "-C", clean)
    assert result.exit_code == 1
    rows = json.loads(result.stdout)
    assert {r["severity"] for r in rows} == {"error"} and all(r["file"] and r["message"] for r in rows)


def test_unused_names_of_the_register_are_warnings(clean):
    names = clean / "names.yaml"
    if not names.exists():
        pytest.skip("the sample has no names register")
    names.write_text(
        names.read_text(encoding="utf-8").replace("persons:\n", "persons:\n- id: nobody\n  name: Nobody, N.\n  forms:\n  - Nobodyevich\n", 1),
        encoding="utf-8",
    )
    warnings = [w for w in doctor(clean) if w.severity == "warning"]
    assert [w.message for w in warnings] == ["person 'nobody' (Nobody, N.) of the register occurs in no document"]
    names.unlink()  # no register: nothing to check, nothing said
    assert not doctor(clean)


def test_leftover_temporary_files_are_warnings(clean):
    (clean / "seeds" / f".{LETTER}.yaml.x8_k2.tmp").write_text("half a fi", encoding="utf-8")
    warnings = _warnings(doctor(clean))
    assert [(Path(w.path).name, w.hint) for w in warnings] == [(f".{LETTER}.yaml.x8_k2.tmp", "delete it")]


def test_leftover_temporary_files_of_a_build_or_export_are_warnings(clean):
    (clean / "build" / "tei").mkdir(parents=True)
    (clean / "build" / ".edition.pdf.a1b2c3.tmp").write_bytes(b"%PDF-1.7 half")
    (clean / "build" / "tei" / f".{LETTER}.xml.q9w8e7.tmp").write_bytes(b"<TEI")
    names = sorted(Path(w.path).name for w in _warnings(doctor(clean)))
    assert names == sorted([".edition.pdf.a1b2c3.tmp", f".{LETTER}.xml.q9w8e7.tmp"])


def test_a_broken_edition_is_reported_not_a_traceback(clean, cli):
    seed = clean / "seeds" / f"{LETTER}.yaml"
    seed.write_text(seed.read_text(encoding="utf-8").replace("segments:\n", "segments:\n  - [oops\n", 1), encoding="utf-8")
    (clean / "translations" / MEMO / "de.yaml").write_bytes(b"\xff\xfe")
    result = cli("doctor", "-C", clean)
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "malformed YAML" in result.stderr and "invalid UTF-8" in result.stderr
