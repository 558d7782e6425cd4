"""Storage: canonical round trips, safe loading, positions in errors,
atomic writes and the lock."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import time
from pathlib import Path

import pytest

from edition import store, yamlio
from edition.errors import EditionError, LockedError
from edition.model import (
    Anchor,
    ArchivalRef,
    Certainty,
    DateSpec,
    Document,
    Layer,
    LayerRole,
    Note,
    NoteKind,
    Segment,
    SegmentKind,
)

from .conftest import REPO, snapshot


def rich_document() -> Document:
    """A document using every field, with text that YAML 1.1 would misread."""
    return Document(
        id="1956-doc",
        title="Письмо: «no» — 1.10, 1:20, 017, yes",
        date=DateSpec("not later than 18 September 1956", "1956-09-18", Certainty.NOT_AFTER, supplied=True),
        collection="Zwei Briefe",
        author="Anonymous",
        recipient="Editorial Board",
        place="Gorky",
        doc_type="letter",
        original_language="ru",
        archival_refs=[ArchivalRef("RGANI. F. 5. Op. 30. D. 140. L. 197.", "RGANI", "5", "30", "140", "197")],
        citation="A citation: with a colon",
        summary="Line one\nline two with trailing words",
        credit="Translated from the Russian by T. A.",
        layers=[
            Layer("ru", "ru", LayerRole.ORIGINAL),
            Layer("en", "en", translator="T. A.", translated_from="ru", date="2026-11-24"),
            Layer("no", "no", translated_from="en"),  # Norwegian: YAML 1.1 reads `no` as false
        ],
        segments=[
            Segment("p1", SegmentKind.SALUTATION, {"ru": "Товарищ редактор,", "en": "Comrade Editor,"}),
            Segment("p2", text={"ru": "Ёлка и ёж — Ё", "en": "  leading spaces and a tab\there", "no": "yes"}),
        ],
        notes=[
            Note("n1", NoteKind.FOOTNOTE, "A note: {{ 7*7 }}", Anchor("en", "p1", "Editor", 1), "1"),
            Note("n2", NoteKind.GLOSS, "ёж", Anchor("ru", "p2", "Ё", 2)),
            Note("a1", NoteKind.ARCHIVAL, "Stamp: ‘Archive’."),
        ],
        unplaced=["something odd"],
    )


def test_document_round_trip_keeps_every_field(tmp_path):
    doc = rich_document()
    path = tmp_path / "seeds" / "doc.yaml"
    path.parent.mkdir()
    path.write_text(yamlio.dump(store.document_tree(doc)), encoding="utf-8")
    loaded, canonical, _ = store.read_document_file(path, check_canonical=True)
    assert loaded == doc
    assert canonical


def test_loading_and_saving_the_sample_edition_changes_no_byte(tmp_path):
    root = tmp_path / "copy"
    shutil.copytree(REPO, root, ignore=shutil.ignore_patterns(".venv", ".git", "build", "tests", "*.pdf"))
    before = snapshot(root)
    ws = store.load_workspace(root)
    assert not ws.errors, ws.errors
    for doc in ws.edition.documents:
        store.write_document(root, doc, replace=True, files=ws.files[doc.id])
    store.write_edition_file(root, ws.edition, replace=True)
    assert snapshot(root) == before


def test_text_is_stored_nfc(tmp_path):
    doc = rich_document()
    doc.segments[1].text["ru"] = "Е\u0308лка"  # decomposed Ё
    text = yamlio.dump(store.document_tree(doc))
    assert "Ёлка" in text and "\u0308" not in text


def test_scalars_stay_strings(tmp_path):
    path = tmp_path / "d.yaml"
    path.write_text("id: d\ntitle: no\nauthor: 1.10\nplace: 017\ntype: 1:20\ndate: 1917-10-25\n", encoding="utf-8")
    doc, _, _ = store.read_document_file(path)
    assert (doc.title, doc.author, doc.place, doc.doc_type) == ("no", "1.10", "017", "1:20")
    assert doc.date.text == "1917-10-25"


def test_alias_bomb_is_refused_quickly(tmp_path):
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{i}: &a{i} [*a{i-1},*a{i-1},*a{i-1},*a{i-1},*a{i-1},*a{i-1},*a{i-1},*a{i-1},*a{i-1}]" for i in range(1, 10)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    start = time.monotonic()
    with pytest.raises(EditionError, match="aliases"):
        store.read_document_file(path)
    assert time.monotonic() - start < 2


def test_deep_nesting_is_an_error_not_a_crash(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("id: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(EditionError, match="nested too deeply|malformed"):
        store.read_document_file(path)


def test_python_tags_never_construct_objects(tmp_path):
    path = tmp_path / "tag.yaml"
    path.write_text("id: d\ntitle: !!python/object/apply:os.system ['touch pwned']\n")
    with pytest.raises(EditionError, match="tag"):
        store.read_document_file(path)
    assert not Path("pwned").exists()


def test_enormous_file_is_refused_before_reading(tmp_path, monkeypatch):
    from edition import textfile

    monkeypatch.setattr(textfile, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "big.yaml"
    path.write_text("id: d\ntitle: " + "x" * 2000 + "\n")
    with pytest.raises(EditionError, match="too large"):
        store.read_document_file(path)


def test_atomic_write_leaves_old_file_when_writing_fails(tmp_path, monkeypatch):
    path = tmp_path / "f.yaml"
    path.write_text("old\n")

    def boom(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        store.atomic_write(path, "new\n")
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["f.yaml"]


def test_refuses_to_rewrite_a_hand_edited_file(sample):
    path = next((sample / "seeds").glob("*.yaml"))
    path.write_text("# my comment\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    ws = store.load_workspace(sample)
    doc = next(d for d in ws.edition.documents if ws.files[d.id].path == path)
    before = path.read_bytes()
    with pytest.raises(EditionError, match="edited by hand"):
        store.write_document(sample, doc, replace=True, files=ws.files[doc.id])
    assert path.read_bytes() == before


def test_translation_layer_file_joins_its_document(sample):
    ws = store.load_workspace(sample)
    doc = ws.edition.documents[0]
    layer = Layer("de", "de", translator="Anna", translated_from="en")
    doc.layers.append(layer)
    doc.segments[0].text["de"] = "Gestern, am 25. Juni …"
    doc.notes.append(Note("t1", NoteKind.TRANSLATOR, "Wörtlich: „gestern“.", Anchor("de", "p1", "Gestern")))
    target = sample / "translations" / doc.id / "de.yaml"
    store.atomic_write(target, yamlio.dump(store.layer_file_tree(doc, layer)))
    again = store.load_workspace(sample)
    assert not again.errors, again.errors
    loaded = again.edition.document(doc.id)
    assert loaded.segments[0].text["de"] == "Gestern, am 25. Juni …"
    assert loaded.layer("de").translator == "Anna"
    assert any(n.id == "t1" for n in loaded.notes)
    assert again.files[doc.id].layer_files == {"de": target}


def _hold_lock(root, ready, release):
    with store.locked(Path(root)):
        ready.set()
        release.wait(10)


def test_second_writer_is_refused_while_the_lock_is_held(sample):
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(str(sample), ready, release))
    holder.start()
    try:
        assert ready.wait(10)
        with pytest.raises(LockedError, match=f"locked by process {holder.pid}"):
            with store.locked(sample, timeout=0.2):
                pass
    finally:
        release.set()
        holder.join(10)
    with store.locked(sample, timeout=1):  # free again once the holder is gone
        pass


def test_lock_of_a_killed_process_is_not_stale(sample):
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(str(sample), ready, release))
    holder.start()
    assert ready.wait(10)
    holder.kill()
    holder.join(10)
    with store.locked(sample, timeout=1):
        pass


def test_atomic_write_keeps_the_file_mode(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text("old\n")
    path.chmod(0o640)
    store.atomic_write(path, "new\n")
    assert path.stat().st_mode & 0o777 == 0o640
    fresh = tmp_path / "new.yaml"
    store.atomic_write(fresh, "x\n")
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
