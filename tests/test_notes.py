"""Notes from the command line: anchored to a quoted phrase, refused with
candidates when the phrase is missing or ambiguous, stored with their layer,
and reported by validate when their phrase has gone."""

from __future__ import annotations

import json

from edition import store

from .conftest import snapshot

MEMO = "1953-06-26-secret-memorandum-secretary-moscow"


def test_note_add_list_remove(sample, cli):
    result = cli("note", "add", MEMO, "--layer", "en", "--segment", "p2", "--at", "Bonn revanchists",
                 "--text", "West German politicians, in the party's idiom.", "-C", sample)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "added footnote 'n1' after 'Bonn revanchists' in p2" in result.stderr
    doc = store.load(sample).document(MEMO)
    (note,) = doc.notes
    assert (note.anchor.layer, note.anchor.segment, note.anchor.phrase) == ("en", "p2", "Bonn revanchists")
    text = (sample / "seeds" / f"{MEMO}.yaml").read_text(encoding="utf-8")
    assert "phrase: Bonn revanchists\n" in text

    gloss = cli("note", "add", MEMO, "--layer", "en", "--segment", "p2", "--at", "provocateurs", "--kind", "gloss",
                "--text", "Provokateure", "-C", sample)  # fmt: skip
    assert gloss.exit_code == 0 and "'g1'" in gloss.stderr

    rows = json.loads(cli("note", "list", MEMO, "--json", "-C", sample).stdout)
    assert [(r["id"], r["kind"], r["status"]) for r in rows] == [("n1", "footnote", "ok"), ("g1", "gloss", "ok")]
    shown = cli("show", MEMO, "-C", sample).stdout
    assert "Bonn revanchists[n1]" in shown and "provocateurs[g1]" in shown

    removed = cli("note", "remove", MEMO, "n1", "-C", sample)
    assert removed.exit_code == 0 and "removed footnote 'n1'" in removed.stderr
    assert [n.id for n in store.load(sample).document(MEMO).notes] == ["g1"]


def test_ambiguous_phrase_is_refused_with_candidates(sample, cli):
    before = snapshot(sample)
    result = cli("note", "add", MEMO, "--layer", "en", "--segment", "p2", "--at", "attempts", "--text", "x", "-C", sample)
    assert result.exit_code == 2
    assert "'attempts' occurs 2 times in p2" in result.stderr
    assert "1: …" in result.stderr and "2: …" in result.stderr and "--occurrence" in result.stderr
    assert snapshot(sample) == before
    ok = cli("note", "add", MEMO, "--layer", "en", "--segment", "p2", "--at", "attempts", "--occurrence", "2", "--text", "x", "-C", sample)
    assert ok.exit_code == 0
    (note,) = store.load(sample).document(MEMO).notes
    assert note.anchor.occurrence == 2


def test_missing_phrase_is_refused_with_near_words(sample, cli):
    before = snapshot(sample)
    result = cli("note", "add", MEMO, "--layer", "en", "--segment", "p2", "--at", "provocateur gang", "--text", "x", "-C", sample)
    assert result.exit_code == 2
    assert "'provocateur gang' is not in p2" in result.stderr and "provocateurs" in result.stderr
    for args in (["--layer", "fr", "--segment", "p2"], ["--layer", "en", "--segment", "p99"]):
        bad = cli("note", "add", MEMO, *args, "--at", "the", "--text", "x", "-C", sample)
        assert bad.exit_code == 2, bad.output
    assert cli("note", "add", MEMO, "--layer", "en", "--segment", "p2", "--at", "GDR", "--kind", "marginal", "--text", "x", "-C", sample).exit_code == 2
    assert snapshot(sample) == before


def test_validate_reports_a_note_whose_phrase_is_gone(sample, cli):
    cli("note", "add", MEMO, "--layer", "en", "--segment", "p2", "--at", "Bonn revanchists", "--text", "x", "-C", sample)
    path = sample / "seeds" / f"{MEMO}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("the Bonn revanchists to", "the revanchists to"), encoding="utf-8")
    result = cli("validate", "-C", sample)
    assert result.exit_code == 1
    line = next(i for i, l in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "phrase: Bonn revanchists" in l)
    assert f"{path}:{line}:3: note 'n1': phrase 'Bonn revanchists' is not in p2 of layer 'en'" in result.stderr
    rows = json.loads(cli("note", "list", MEMO, "--json", "-C", sample).stdout)
    assert rows[0]["status"] == "phrase gone"


def test_note_add_refuses_a_hand_edited_file(sample, cli):
    path = sample / "seeds" / f"{MEMO}.yaml"
    path.write_text("# checked against the German edition\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    before = snapshot(sample)
    result = cli("note", "add", MEMO, "--layer", "en", "--segment", "p2", "--at", "GDR", "--text", "x", "-C", sample)
    assert result.exit_code == 1 and "edited by hand" in result.stderr
    assert snapshot(sample) == before
