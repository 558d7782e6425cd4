"""Print on real material: a volume of the FRUS documents and Wilson Center
pages of ../shared/data/real, checked glyph by glyph (tests/overprint.py):
nothing overprints, nothing leaves the page, a note longer than a page
included (it continues on the pages after its call), and the notes a later
column of three calls never drawn over the first column's last lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from edition import api
from edition.model import Anchor, Note, NoteKind

from .conftest import copy_sample
from .overprint import faults
from .test_long_notes import full_rule, in_order, pages


def real_volume(real_data: Path, root: Path, *names: str) -> Path:
    api.init(root, "Real documents")
    files = sorted((real_data / "frus").glob("*.xml")) + sorted((real_data / "wilson").glob("*.txt"))
    api.import_files(root, [f for f in files if not names or any(n in f.name for n in names)])
    return root


@pytest.mark.shared_data
def test_a_volume_of_real_documents_prints_without_overprint(real_data, tmp_path):
    root = real_volume(real_data, tmp_path / "ed")
    out, report = api.build(root, tmp_path / "real.pdf")
    assert report.pages > 20
    assert faults(out) == []


@pytest.mark.shared_data
def test_a_note_longer_than_a_page_stays_on_the_pages(real_data, tmp_path):
    from edition import store

    root = real_volume(real_data, tmp_path / "ed", "d147")
    ws = api.open_workspace(root)
    (doc,) = ws.edition.documents
    words = (real_data / "pairs" / "chekhov-toska.en.txt").read_text("utf-8").split()[:1100]
    segment = next(s for s in doc.segments if s.text.get("en"))
    doc.notes.append(Note("long", NoteKind.FOOTNOTE, " ".join(words), Anchor("en", segment.id, "")))
    store.write_document(root, doc, replace=True, files=ws.files[doc.id])
    out, _ = api.build(root, tmp_path / "long.pdf")
    assert faults(out) == []
    laid = pages(out)
    assert in_order(" ".join(words), laid)  # the whole note, in order
    assert any(full_rule(p) for p in laid)  # continued, and marked so


def test_three_columns_with_footnotes_on_a5_overprint_nothing(tmp_path):
    """The notes a later column calls raise the footnote area after the
    first column was set: its last lines must give way to them."""
    root = copy_sample(tmp_path / "sample")
    out, _ = api.build(root, tmp_path / "three.pdf", columns=["en,en.2,de"])
    assert faults(out) == []
