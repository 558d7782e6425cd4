"""A rebuild prints what a full build prints: after an edit, the PDF is
byte for byte the one a build into an empty folder gives; when nothing
changed, nothing is laid out or written, yet a PDF that was changed or
removed is built again (render/rebuild.py, render/assemble.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from edition import api

from .conftest import copy_sample

DOC = "1953-06-26-secret-memorandum-secretary-moscow"
OPTIONS = dict(jobs=1, chunk_documents=1)  # the sample's three documents, a part each


def _build(root: Path):
    return api.build(root, **OPTIONS)[1]


def _fresh(root: Path, tmp_path: Path) -> bytes:
    """The PDF of a full build of the edition at `root`, into an empty folder."""
    clean = tmp_path / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    clean.mkdir()
    for name in ("edition.yaml", "names.yaml", "seeds", "translations"):
        (shutil.copytree if (root / name).is_dir() else shutil.copy)(root / name, clean / name)
    _build(clean)
    return (clean / "build" / "edition.pdf").read_bytes()


def _edit(root: Path, old: str, new: str) -> None:
    path = root / "seeds" / f"{DOC}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The sample edition built once in parts, its cache kept."""
    root = copy_sample(tmp_path_factory.mktemp("rebuild") / "edition")
    _build(root)
    return root


@pytest.fixture
def edition(built, tmp_path) -> Path:
    """A copy of the built edition, build folder and cache included."""
    root = tmp_path / "edition"
    shutil.copytree(built, root)
    return root


def test_nothing_changed_reads_and_writes_nothing(edition):
    out = edition / "build" / "edition.pdf"
    before = os.stat(out)
    first = _build(edition)
    again = api.build(edition, **OPTIONS)[1]
    assert os.stat(out).st_mtime_ns == before.st_mtime_ns and os.stat(out).st_ino == before.st_ino
    assert first.timings == {} == again.timings  # nothing laid out, not even the HTML
    assert again.pages == first.pages > 10 and again.lines == first.lines and again.folios == first.folios


def test_nothing_changed_from_the_command_line(edition):
    """A real process: the same line as the build that made the PDF."""
    env = {**os.environ, "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-m", "edition", "build", "--edition", str(edition)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    first = done.stderr
    out = edition / "build" / "edition.pdf"
    before = os.stat(out).st_mtime_ns
    done = subprocess.run([sys.executable, "-m", "edition", "build", "--edition", str(edition)], capture_output=True, text=True, env=env)
    assert done.returncode == 0 and done.stderr == first and "pages)" in first
    assert os.stat(out).st_mtime_ns == before


@pytest.mark.parametrize("harm", ["changed", "removed"])
def test_a_changed_or_removed_pdf_is_built_again(edition, harm):
    out = edition / "build" / "edition.pdf"
    good = out.read_bytes()
    if harm == "changed":
        out.write_bytes(good[:-10] + b"0123456789")
    else:
        out.unlink()
    report = _build(edition)
    assert out.read_bytes() == good
    assert report.timings["parts laid out"] == 0  # the parts came from the cache


def test_a_broken_record_means_a_build(edition):
    records = list((edition / "build" / ".cache" / "builds").glob("*.json"))
    assert len(records) == 1
    records[0].write_text("{not json", encoding="utf-8")
    assert "html" in _build(edition).timings
    assert _build(edition).timings == {}


def test_other_options_are_another_build(edition):
    report = api.build(edition, jobs=1, chunk_documents=1, layout="parallel")[1]
    assert "html" in report.timings


def test_a_changed_template_is_another_build(edition):
    (edition / "templates").mkdir()
    (edition / "templates" / "note.txt").write_text("a file the templates could use", encoding="utf-8")
    assert "html" in _build(edition).timings


def test_one_paragraph_changed_is_a_full_build_byte_for_byte(edition, tmp_path):
    _edit(edition, "Yesterday, on 25 June, mass rallies", "Yesterday, on 25 June, large rallies")
    report = _build(edition)
    assert report.timings["parts laid out"] == 1  # that document's part alone
    assert (edition / "build" / "edition.pdf").read_bytes() == _fresh(edition, tmp_path)


def test_a_page_more_is_a_full_build_byte_for_byte(edition, tmp_path):
    pages = _build(edition).pages
    _edit(edition, "Then the best Stakhanovite", "Then the best Stakhanovite" + " and the very best Stakhanovite" * 120)
    report = _build(edition)
    assert report.pages > pages
    assert (edition / "build" / "edition.pdf").read_bytes() == _fresh(edition, tmp_path)


def test_a_new_title_and_a_new_name_move_contents_and_index(edition, tmp_path):
    before = _build(edition)
    _edit(edition, "title: Secret Memorandum from", "title: Very Secret Memorandum from")
    _edit(edition, "Then the best Stakhanovite", "Then Khrushchev and the best Stakhanovite")
    report = _build(edition)
    assert report.timings["parts laid out"] >= 2  # the document's part and the front matter at least
    pdf = (edition / "build" / "edition.pdf").read_bytes()
    assert pdf == _fresh(edition, tmp_path)
    assert report.lines != before.lines


def test_an_edit_renders_only_its_document(edition, tmp_path):
    _edit(edition, "Yesterday, on 25 June, mass rallies", "Yesterday, on 25 June, large rallies")
    report = _build(edition)
    assert report.timings["documents rendered"] == 1
    assert (edition / "build" / "edition.pdf").read_bytes() == _fresh(edition, tmp_path)


def test_an_edit_looks_for_the_index_names_in_its_document_only(edition, tmp_path, monkeypatch):
    """The occurrences of the register's names in each document are kept
    with its view: an edit searches its own document again, and the index
    is the full build's."""
    from edition.render import index

    searched = []
    search = index.document_occurrences
    monkeypatch.setattr(index, "document_occurrences", lambda doc, *args: searched.append(doc.id) or search(doc, *args))
    _edit(edition, "Then the best Stakhanovite", "Then Khrushchev and the best Stakhanovite")
    _build(edition)
    assert searched == [DOC]
    assert (edition / "build" / "edition.pdf").read_bytes() == _fresh(edition, tmp_path)


def test_a_broken_view_is_rendered_again(edition, tmp_path):
    kept = edition / "build" / ".cache" / "layout" / "views"
    views = sorted(set(kept.glob("*.json")) - set(kept.glob("index-*.json")) - set(kept.glob("names-*.json")))
    assert len(views) == 3  # one a document
    for path, harm in zip(views, ['{"format": "edition-document-view/1", "view": {"c": "os.system", "f": []}}', "{not json", ""]):
        path.write_text(harm, encoding="utf-8")
    for path in kept.glob("index-*.json"):  # the index's order
        path.write_text("[0, 0, 0]", encoding="utf-8")
    names = sorted(kept.glob("names-*.json"))  # each document's names, as found
    assert len(names) == 3
    for path, harm in zip(names, ['[["khrushchev", "d", "en", "p1", "0", 5, "x"]]', "[[1]]", '{"a": 1}']):
        path.write_text(harm, encoding="utf-8")
    _edit(edition, "Yesterday, on 25 June, mass rallies", "Yesterday, on 25 June, large rallies")
    report = _build(edition)
    assert report.timings["documents rendered"] == 3
    assert (edition / "build" / "edition.pdf").read_bytes() == _fresh(edition, tmp_path)


def test_a_view_reads_back_as_it_was_rendered(built):
    from edition.render import viewcache
    from edition.render.html import volume_view

    edition = api.open_workspace(built).edition
    view, _ = volume_view(edition)
    for document in view.documents:
        assert viewcache.decode(viewcache.encode(document)) == document


def test_a_cache_planted_as_links_is_not_followed(edition, tmp_path):
    """An edition is untrusted: links in its build folder lead nowhere."""
    outside = tmp_path / "outside"
    outside.mkdir()
    kept = edition / "build" / ".cache" / "layout" / "views"
    for path in kept.glob("*.json"):  # each view a link to a file outside
        (outside / path.name).write_bytes(path.read_bytes())
        path.unlink()
        path.symlink_to(outside / path.name)
    _edit(edition, "Yesterday, on 25 June, mass rallies", "Yesterday, on 25 June, large rallies")
    report = _build(edition)
    assert report.timings["documents rendered"] == 3
    shutil.rmtree(kept)
    kept.symlink_to(outside)  # the folder itself
    _edit(edition, "Yesterday, on 25 June, large rallies", "Yesterday, on 25 June, huge rallies")
    before = sorted(outside.iterdir())
    report = _build(edition)
    assert report.timings["documents rendered"] == 3 and sorted(outside.iterdir()) == before
    assert (edition / "build" / "edition.pdf").read_bytes() == _fresh(edition, tmp_path)
