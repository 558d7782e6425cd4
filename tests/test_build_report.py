"""What a build tells the person waiting for it: progress page by page,
and a closing list of warnings — overfull lines, names of the register the
volume never prints — without a word of the text lost."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("weasyprint")

from edition.model import Document, Edition, Layer, LayerRole, Name, Register, Segment, SegmentKind
from edition.render import build_pdf, templates_dirs

REPO = Path(__file__).resolve().parents[1]
LONG = "0123456789" * 25  # no break opportunity, no hyphenation point


def _edition(text: str, register: Register | None = None) -> Edition:
    doc = Document(
        id="report",
        title="A report from Moscow",
        layers=[Layer("en", "en", LayerRole.TRANSLATION, translator="A. Translator")],
        segments=[Segment(f"p{i}", SegmentKind.PARAGRAPH, {"en": text}) for i in range(1, 30)],
    )
    edition = Edition(title="Report", documents=[doc])
    if register is not None:
        edition.register = register
    return edition


def test_progress_hears_every_page_of_the_text_then_the_front_and_back_matter(tmp_path):
    """The text's pages one by one as they are laid out (how many there
    will be is not known before); then the front matter and the index,
    whose pages wait for the text's."""
    heard = []
    register = Register(names=[Name("hall", "place", "The Hall", ("hall",))])
    report = build_pdf(
        _edition("The workers of the factory met in the hall. " * 12, register), tmp_path / "a.pdf",
        templates_dirs(tmp_path), progress=lambda stage, done, total: heard.append((stage, done, total)),
    )
    first = [h for h in heard if h[0] == "laying out pages"]
    second = [h for h in heard if h[0] == "laying out the front and back matter"]
    text_pages = len([f for f in report.folios if f.isdigit()]) - 1  # the index has a page of its own
    assert [d for _, d, _ in first] == list(range(len(first)))  # 0, 1, 2, … one a page
    assert max(d for _, d, _ in first) == text_pages and all(t is None for *_, t in first)
    assert [(d, t) for _, d, t in second] == [(0, 2), (1, 2), (2, 2)]  # the front matter, the index
    assert heard.index(second[0]) > heard.index(first[-1])
    assert heard[-1] == ("writing the PDF", text_pages, text_pages)


def test_an_overfull_line_is_warned_of_with_its_place(tmp_path):
    report = build_pdf(_edition(f"The name of the firm was {LONG} and nothing else."), tmp_path / "a.pdf", templates_dirs(tmp_path))
    overfull = [w for w in report.warnings if "into the margin" in w]
    assert overfull and "'report'" in overfull[0] and "segment 'p1'" in overfull[0], report.warnings


def test_no_overfull_warning_for_ordinary_text(tmp_path):
    report = build_pdf(_edition("The workers of the factory met in the hall. " * 12), tmp_path / "a.pdf", templates_dirs(tmp_path))
    assert not [w for w in report.warnings if "into the margin" in w], report.warnings


def test_a_register_name_never_printed_is_warned_of(tmp_path):
    register = Register(names=[
        Name("moscow", "place", "Moscow", ("Moscow",)),
        Name("minsk", "place", "Minsk", ("Minsk",)),
    ])
    report = build_pdf(_edition("Letters came from Moscow.", register), tmp_path / "a.pdf", templates_dirs(tmp_path))
    unprinted = [w for w in report.warnings if "not printed in the volume" in w]
    assert len(unprinted) == 1 and "'Minsk' (minsk)" in unprinted[0]


def test_cli_build_closes_with_the_list_of_warnings(tmp_path):
    """A real process: the count, then one line a warning, after `wrote`."""
    env = dict(os.environ, NO_COLOR="1")
    root = tmp_path / "ed"
    subprocess.run([sys.executable, "-m", "edition", "init", str(root), "--title", "T"], check=True, env=env, capture_output=True)
    (root / "seeds" / "memo.txt").write_text(f"Memo\n\nThe firm {LONG} wrote.\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "edition", "import", "-C", str(root), str(root / "seeds" / "memo.txt")], check=True, env=env, capture_output=True)
    done = subprocess.run([sys.executable, "-m", "edition", "build", "-C", str(root)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    wrote = next(i for i, ln in enumerate(lines) if ln.startswith("wrote "))
    assert lines[wrote + 1].endswith("warning(s):") and "into the margin" in lines[wrote + 2], done.stderr
    assert "\x1b" not in done.stderr  # no progress bar off a terminal


@pytest.mark.parametrize("variant", ["pdf/ua-1", "pdf/a-3u"])
def test_pdf_variants_are_tagged_or_archival_and_reproducible(tmp_path, variant):
    """`pdf_variant: pdf/ua-1` gives a tagged PDF (a structure tree, marked
    content, the document's language); pdf/a-3u declares its conformance in
    the XMP metadata. Two builds give the same bytes either way."""
    import dataclasses

    import pypdf

    edition = dataclasses.replace(_edition("The workers of the factory met in the hall. " * 12), pdf_variant=variant)
    build_pdf(edition, tmp_path / "a.pdf", templates_dirs(tmp_path))
    build_pdf(edition, tmp_path / "b.pdf", templates_dirs(tmp_path))
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
    catalog = pypdf.PdfReader(tmp_path / "a.pdf").trailer["/Root"]
    metadata = catalog["/Metadata"].get_object().get_data().decode("utf-8")
    if variant.startswith("pdf/ua"):
        assert "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"] and catalog["/Lang"] == "en"
        assert "pdfuaid:part" in metadata
    else:
        assert "pdfaid:part" in metadata and "pdfaid:conformance" in metadata


def test_a_plain_pdf_is_not_tagged(tmp_path):
    import pypdf

    build_pdf(_edition("The workers met."), tmp_path / "a.pdf", templates_dirs(tmp_path))
    assert "/StructTreeRoot" not in pypdf.PdfReader(tmp_path / "a.pdf").trailer["/Root"]


def test_build_from_a_relative_edition_folder(tmp_path, monkeypatch):
    """The library takes the edition's folder as given, relative or not."""
    import shutil

    from edition import api

    for name in ("edition.yaml", "names.yaml"):
        shutil.copy(REPO / name, tmp_path / name)
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    out, report = api.build(Path("."), Path("out.pdf"))
    assert (tmp_path / "out.pdf").stat().st_size == report.size > 0
