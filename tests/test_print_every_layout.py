"""Every layout on every page size we offer, on real material: the story
in Russian with Garnett's translation and a revision of it, a FRUS letter
written in English and the Hungarian minutes (tests/test_print_truthful.py
makes the edition as a user does), with a note longer than a page in the
revised translation, which every layout prints. Each build is read back glyph by glyph (tests/overprint.py):
nothing overprints, nothing leaves the page, and the long note is printed
whole."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from edition import api
from edition.render.facing import px
from edition.settings import PAGE_FORMATS

from .conftest import require_shared_data
from .overprint import faults
from .printed import page_text, plumbed
from .test_print_truthful import make_edition

LAYOUTS = [
    pytest.param({"layout": "translation"}, id="translation"),
    pytest.param({"columns": ["ru,en.2"]}, id="parallel-2"),
    pytest.param({"columns": ["ru,en,en.2"]}, id="parallel-3"),
    pytest.param({"layout": "facing"}, id="facing"),
]
PAGES = ["A5", "B5", "6x9in"]


@pytest.fixture(scope="module")
def real_edition(tmp_path_factory) -> tuple[Path, list[str]]:
    real = require_shared_data() / "real"
    root = tmp_path_factory.mktemp("every-layout") / "ed"
    make_edition(root, real)
    words = [w for w in (real / "pairs" / "tolstoy-chem-ljudi-zhivy.en.txt").read_text("utf-8").split() if w.isalpha()][:900]
    doc = next(d for d in api.open_workspace(root).edition.documents if d.id == "toska")
    segment = next(s for s in doc.segments if s.text.get("en.2"))
    api.add_note(root, "toska", layer="en.2", segment=segment.id, phrase="", text=" ".join(words))
    return root, words


@pytest.mark.shared_data
@pytest.mark.parametrize("page_size", PAGES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_real_material_prints_clean_in_every_layout_on_every_page(real_edition, tmp_path, layout, page_size):
    source, words = real_edition
    root = tmp_path / "ed"
    root.mkdir()
    for item in source.iterdir():
        if item.is_dir():
            (root / item.name).mkdir()
            for path in item.rglob("*"):
                target = root / item.name / path.relative_to(item)
                if path.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(path.read_bytes())
        else:
            (root / item.name).write_bytes(item.read_bytes())
    settings = root / "edition.yaml"
    settings.write_text(re.sub(r"(?m)^page_size: .*$", f"page_size: {page_size}", settings.read_text("utf-8")), "utf-8")
    out, report = api.build(root, tmp_path / "volume.pdf", **layout)
    assert faults(out) == []
    with plumbed(out) as pdf:  # as the overprint check read it
        pages = [" ".join(page_text(page).split()) for page in pdf.pages]
        # (below the running head, which on a recto names the document: «Тоска»)
        top = px(PAGE_FORMATS[page_size].top) * 0.75
        body = [page_text(page, (0, top, page.width, page.height)) for page in pdf.pages if layout.get("layout") == "facing"]
    assert " ".join(words[-12:]) in " ".join(pages).replace("\u2010 ", "").replace("- ", "")  # the long note's end, printed
    if body:  # facing pages: the note is the translation's, never on the original's page
        assert [n for n, text in enumerate(pages, 1) if "shoemaker" in text]
        assert not [n for n, text in enumerate(body, 1) if "shoemaker" in text and re.search("[а-я]", text)]
