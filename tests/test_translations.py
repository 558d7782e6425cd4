"""Translations from the command line: add (aligned, reviewed, stored with
provenance), revise (old layer kept, notes carried), list, show, remove."""

from __future__ import annotations

import json

import pytest

from edition import store

from .conftest import REPO, snapshot

MEMO = "1953-06-26-secret-memorandum-secretary-moscow"
LETTER = "1956-11-14-anonymous-letter-city-gorky"
DELIVERIES = REPO / "translations" / "sources"


def test_add_a_german_translation_with_its_alignment(sample, cli):
    result = cli("translation", "add", MEMO, DELIVERIES / "mikhailov-de.md", "--json", "-C", sample)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["layer"] == "de"
    pairs = report["pairs"]
    # The source's broken paragraph ("Comrade P. N." / "Pospelov …") is one
    # paragraph in the translation: a 2-1 bead; every other pair is 1-1.
    assert {"segments": ["p10", "p11"], "paragraphs": [10]} in [{k: p[k] for k in ("segments", "paragraphs")} for p in pairs]
    assert all(len(p["segments"]) == 1 and len(p["paragraphs"]) == 1 for p in pairs if p["segments"] != ["p10", "p11"])
    assert all(0 <= p["confidence"] <= 1 for p in pairs)
    doc = store.load(sample).document(MEMO)
    layer = doc.layer("de")
    assert (layer.lang, layer.translator, layer.translated_from, layer.source_file) == ("de", "The edition project", "en", "mikhailov-de.md")
    assert len(layer.source_sha256) == 64 and layer.added
    assert doc.segment("p1").text["de"].startswith("Gestern, am 25. Juni")
    assert doc.segment("p10").text["de"].endswith("Pospelow hielt ein Referat.")
    path = sample / "translations" / MEMO / "de.yaml"
    assert path.read_text(encoding="utf-8").startswith(f"document: {MEMO}\nlayer:\n  id: de\n")
    # The document file is untouched: the layer lives in its own file.
    listed = json.loads(cli("translation", "list", MEMO, "--json", "-C", sample).stdout)
    assert [(r["id"], r["file"]) for r in listed] == [("en", f"seeds/{MEMO}.yaml"), ("de", f"translations/{MEMO}/de.yaml")]


def test_dry_run_and_existing_layer_store_nothing(sample, cli):
    before = snapshot(sample)
    dry = cli("translation", "add", MEMO, DELIVERIES / "mikhailov-de.md", "--dry-run", "-C", sample)
    assert dry.exit_code == 0 and "dry run: nothing stored" in dry.stderr
    assert "Gestern, am 25. Juni" in dry.stdout  # the side-by-side review
    assert snapshot(sample) == before
    assert cli("translation", "add", MEMO, DELIVERIES / "mikhailov-de.md", "-C", sample).exit_code == 0
    after = snapshot(sample)
    again = cli("translation", "add", MEMO, DELIVERIES / "mikhailov-de.md", "--layer", "de", "-C", sample)
    assert again.exit_code == 2 and "already has a layer 'de'" in again.stderr and "--replace" in again.stderr
    assert snapshot(sample) == after


def test_revision_keeps_the_old_layer_and_carries_notes(sample, cli):
    for args in (
        ["--segment", "p2", "--at", "Molotov motor factory", "--text", "The Gorky Automobile Plant (GAZ)."],
        ["--segment", "p2", "--at", "‘traveller’ Khrushchev", "--kind", "gloss", "--text", "«путешественник»"],
        ["--segment", "p4", "--at", "is a nobody", "--text", "A phrase the revision rewrites."],
    ):
        assert cli("note", "add", LETTER, "--layer", "en", *args, "-C", sample).exit_code == 0
    old_file = (sample / "seeds" / f"{LETTER}.yaml").read_bytes()
    result = cli("translation", "add", LETTER, DELIVERIES / "gorky-letter-en-revised.md", "--json", "-C", sample)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["layer"] == "en.2"
    assert (sample / "seeds" / f"{LETTER}.yaml").read_bytes() == old_file  # the old layer intact
    doc = store.load(sample).document(LETTER)
    assert doc.layer("en.2").revises == "en"
    notes = {n.id: n for n in doc.notes}
    assert notes["n3.en.2"].anchor.phrase == "Molotov motor factory"
    # "‘traveller’ Khrushchev" became "Khrushchev the ‘traveller’": the call
    # follows the word that survived.
    assert notes["g1.en.2"].anchor.phrase == "‘traveller’"
    # Notes on the head (title, dateline) are not copied: the head is printed
    # once, and its notes already serve every layer.
    assert not {"n1.en.2", "n2.en.2"} & set(notes)
    lost = report["lost_notes"]
    carried = set(report["notes"])
    assert {"n4.en.2"} <= carried or "n4" in lost
    assert doc.segment("p2").text["en.2"].count("\n") == 1  # two paragraphs of the revision in one segment


def test_translation_show_and_remove(sample, cli):
    cli("translation", "add", MEMO, DELIVERIES / "mikhailov-de.md", "-C", sample)
    shown = cli("translation", "show", MEMO, "de", "-C", sample).stdout
    assert "(de translation by The edition project)" in shown and "Heute finden Kundgebungen" in shown
    refused = cli("translation", "remove", MEMO, "de", "-C", sample)
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    assert (sample / "translations" / MEMO / "de.yaml").exists()
    seed_layer = cli("translation", "remove", MEMO, "en", "--yes", "-C", sample)
    assert seed_layer.exit_code == 2 and "part of the document file" in seed_layer.stderr
    removed = cli("translation", "remove", MEMO, "de", "--yes", "-C", sample)
    assert removed.exit_code == 0 and "removed layer 'de' (de, The edition project)" in removed.stderr
    assert not (sample / "translations" / MEMO).exists()
    assert store.load(sample).document(MEMO).layer("de") is None


@pytest.mark.parametrize(
    "args, message, code",
    [
        (["no-such-doc", "FILE", "--lang", "de"], "no document 'no-such-doc'", 2),
        ([MEMO, "FILE", "--lang", "German"], "'German' is not a language code", 2),
        ([MEMO, "missing.txt", "--lang", "de"], "no such file", 1),
        ([MEMO, "FILE", "--lang", "de", "--revises", "fr"], "no layer 'fr' to revise", 2),
    ],
)
def test_bad_requests_change_nothing(sample, cli, tmp_path, args, message, code):
    delivery = tmp_path / "de.txt"
    delivery.write_text("Erster Absatz.\n\nZweiter Absatz.\n", encoding="utf-8")
    args = [str(delivery) if a == "FILE" else str(tmp_path / a) if a == "missing.txt" else a for a in args]
    before = snapshot(sample)
    result = cli("translation", "add", *args, "-C", sample)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert snapshot(sample) == before


def test_language_from_the_front_matter_or_refused(sample, cli, tmp_path):
    plain = tmp_path / "x.txt"
    plain.write_text("Ein Absatz.\n", encoding="utf-8")
    result = cli("translation", "add", MEMO, plain, "-C", sample)
    assert result.exit_code == 2 and "language is not given" in result.stderr


def test_the_sample_edition_shows_a_revision_and_a_translation():
    ws = store.load_workspace(REPO)
    assert not ws.errors, ws.errors
    memo, letter = ws.edition.document(MEMO), ws.edition.document(LETTER)
    assert memo.layer("de").description.startswith("Working translation made for the sample edition")
    revision = letter.layer("en.2")
    assert revision.revises == "en" and "revision" in revision.description.lower()
    carried = [n for n in letter.notes if n.anchor and n.anchor.layer == "en.2" and n.anchor.segment not in ("title", "date")]
    assert carried, "a footnote carried across the revision"


def test_replacing_a_layer_of_the_document_file_is_refused(sample, cli):
    before = snapshot(sample)
    result = cli("translation", "add", MEMO, DELIVERIES / "mikhailov-de.md", "--lang", "en", "--layer", "en", "--replace", "-C", sample)
    assert result.exit_code == 2 and "part of the document file" in result.stderr
    assert snapshot(sample) == before
