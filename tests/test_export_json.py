"""The JSON export ("edition.json/1"): the whole model, a fixed shape,
the same bytes for the same edition; printed or written atomically."""

from __future__ import annotations

import json

from edition import store
from edition.export.json import SCHEMA, dumps, edition_json
from edition.model import find_phrase

from .conftest import REPO, snapshot

DOCUMENT_KEYS = [
    "id", "title", "number", "collection", "date", "author", "recipient", "place", "type", "classification", "original_language",
    "archival_refs", "citation", "publication", "source_url", "summary", "credit", "rights", "unplaced",
    "reading", "layers", "segments", "notes",
]  # fmt: skip


def test_the_whole_sample_edition_is_in_the_json():
    edition = store.load(REPO)
    data = edition_json(edition)
    assert data["schema"] == SCHEMA == "edition.json/1"
    assert data["edition"]["title"] == edition.title
    assert data["edition"]["editors"] == edition.editors
    assert [d["id"] for d in data["documents"]] == [d.id for d in edition.documents]
    for doc, out in zip(edition.documents, data["documents"]):
        assert list(out) == DOCUMENT_KEYS
        assert out["title"] == doc.title
        assert [layer["id"] for layer in out["layers"]] == [layer.id for layer in doc.layers]
        assert [s["id"] for s in out["segments"]] == [s.id for s in doc.segments]
        for segment, seg_out in zip(doc.segments, out["segments"]):
            assert seg_out["kind"] == segment.kind.value
            assert seg_out["text"] == {layer.id: segment.text.get(layer.id) for layer in doc.layers}
        assert [n["id"] for n in out["notes"]] == [n.id for n in doc.notes]
    refs = data["documents"][1]["archival_refs"]
    assert refs[0]["copy"] == "Attested Copy" and refs[0]["fond"] == "5"
    assert data["documents"][1]["date"] == {
        "text": "not later than 18 September 1956", "iso": "1956-09-18", "certainty": "not-after", "iso_end": None, "supplied": True,
        "calendar": "gregorian", "iso_julian": None,
    }  # fmt: skip


def test_anchored_notes_give_the_offset_of_their_call():
    edition = store.load(REPO)
    anchored = [(doc, note) for doc in edition_json(edition)["documents"] for note in doc["notes"] if note["anchor"]]
    assert anchored
    for doc, note in anchored:
        anchor = note["anchor"]
        assert set(anchor) == {"layer", "segment", "phrase", "occurrence", "offset"}
        if anchor["segment"] == "title":
            text = doc["title"]
        elif anchor["segment"] == "date":
            text = doc["date"]["text"]
        else:
            text = next(s for s in doc["segments"] if s["id"] == anchor["segment"])["text"][anchor["layer"]]
        assert anchor["offset"] == find_phrase(text, anchor["phrase"], anchor["occurrence"])


def test_json_is_deterministic_and_keeps_characters():
    first = dumps(edition_json(store.load(REPO)))
    assert first == dumps(edition_json(store.load(REPO)))
    assert first.endswith("}\n")
    assert "’" in first and "\\u2019" not in first  # UTF-8, not escapes
    assert json.loads(first)["schema"] == "edition.json/1"


def test_cli_prints_json_or_writes_it(cli, sample, tmp_path):
    printed = cli("export", "json", "--edition", sample)
    assert printed.exit_code == 0, printed.output
    data = json.loads(printed.stdout)
    assert len(data["documents"]) == 3
    before = snapshot(sample)
    out = tmp_path / "edition.json"
    written = cli("export", "json", "--out", out, "--edition", sample)
    assert written.exit_code == 0, written.output
    assert json.loads(out.read_text(encoding="utf-8")) == data
    assert snapshot(sample) == before
    assert not list(tmp_path.glob(".*.tmp"))
    one = cli("export", "json", data["documents"][0]["id"], "--edition", sample)
    assert [d["id"] for d in json.loads(one.stdout)["documents"]] == [data["documents"][0]["id"]]
