"""A volume laid out in parts (render/assemble.py) prints what the whole
volume prints: the same pages, folios, line numbers, contents, index and
bookmarks; and its cache re-lays out only what changed."""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

import pytest

pytest.importorskip("pypdf")
from pypdf import PdfReader

from edition import store, yamlio
from edition.model import Anchor, Document, Edition, Layer, LayerRole, Note, NoteKind, Segment
from edition.render import assemble, templates_dirs
from edition.render.pdf import build_pdf

from .printed import drawn
from .whole import build_whole

NAMES = ("Moses", "Aaron", "Jerusalem", "Egypt")
WORDS = "and the people went out of the land unto the city where they had dwelt many days".split()


def _text(doc: int, seg: int, words: int = 70) -> str:
    out = [WORDS[(doc * 7 + seg * 3 + i) % len(WORDS)] for i in range(words)]
    out[5] = NAMES[(doc + seg) % len(NAMES)]
    out[0] = out[0].capitalize()
    return " ".join(out) + "."


def _document(n: int, segments: int = 9) -> Document:
    segs, notes = [], []
    for s in range(segments):
        text = _text(n, s)
        words = text.split()
        words[20] = "also"
        segs.append(Segment(f"p{s + 1}", text={"en": text, "en.2": " ".join(words)}))
        if s % 3 == 0:
            notes.append(Note(f"n{s}", NoteKind.FOOTNOTE, f"A note on {NAMES[s % 4]}.", Anchor("en.2", f"p{s + 1}", " ".join(words[:2]))))
    return Document(
        id=f"doc-{n:02d}", title=f"Letter number {n}",
        layers=[Layer("en", "en", LayerRole.TRANSLATION), Layer("en.2", "en", revises="en")],
        segments=segs, notes=notes,
    )  # fmt: skip


def _write(root: Path, documents: int) -> Edition:
    (root / "seeds").mkdir(parents=True)
    (root / "edition.yaml").write_text("title: Parts\npage_size: A5\n", encoding="utf-8")
    register = {"persons": [{"id": n.lower(), "name": n, "forms": [n]} for n in NAMES[:2]],
                "places": [{"id": n.lower(), "name": n, "forms": [n]} for n in NAMES[2:]]}  # fmt: skip
    (root / "names.yaml").write_text(yamlio.dump(register), encoding="utf-8")
    for n in range(1, documents + 1):
        (root / "seeds" / f"doc-{n:02d}.yaml").write_text(yamlio.dump(store.document_tree(_document(n))), encoding="utf-8")
    return store.load(root)


def _pages(path: Path) -> list[str]:
    """Each page's text, normalised: NFC, hyphens, and case (the small
    capitals of a font subset read back as either case)."""
    return [
        unicodedata.normalize("NFC", page.extract_text()).replace("\u2010", "-").casefold()
        for page in PdfReader(path).pages
    ]


def _cache(root: Path) -> Path:
    return root / "build" / ".cache" / "layout"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("parts")
    edition = _write(root, 5)
    templates = templates_dirs(root)
    whole = build_whole(edition, root / "whole" / "edition.pdf", templates)  # the reference: the volume laid out whole
    parts = build_pdf(edition, root / "build" / "edition.pdf", templates, jobs=1, chunk_documents=2, cache=_cache(root))
    return root, edition, templates, whole, parts


def test_parts_print_the_pages_of_the_whole_volume(built):
    root, _, _, whole, parts = built
    assert parts.timings["parts"] > 2  # it was built in parts
    assert _pages(root / "build" / "edition.pdf") == _pages(root / "whole" / "edition.pdf")
    assert parts.folios == whole.folios
    assert parts.lines == whole.lines
    assert sorted(parts.warnings) == sorted(whole.warnings)


def test_parts_set_every_piece_of_text_where_the_whole_volume_does(built):
    """Chunks are laid out before their folio and side are known, then
    turned to their side (the inner margin is narrower) and numbered: every
    piece of text — the text block, line numbers, notes, apparatus, running
    heads, folios — stands where the whole volume's layout puts it."""
    root = built[0]
    assert _positions(root / "build" / "edition.pdf") == _positions(root / "whole" / "edition.pdf")


def _positions(path: Path) -> list[tuple]:
    return sorted((c.page, round(c.x, 1), round(c.y, 1), c.text.casefold()) for c in drawn(path))


def test_a_chunk_that_opens_on_a_left_hand_page_is_turned_to_its_side(tmp_path, monkeypatch):
    """Documents of one, three and two pages, one per chunk: the second
    opens on a left-hand page (folio 2), though laid out as if on the
    right; turned to its side it prints what the whole volume prints, where
    it prints it."""

    def not_again(*args):
        raise AssertionError("a chunk was laid out again instead of turned")

    monkeypatch.setattr(assemble.Desk, "_again", not_again)
    edition = Edition(title="Sides", documents=[_document(1, 2), _document(2, 14), _document(3, 9)])
    templates = templates_dirs(tmp_path)
    whole = build_pdf(edition, tmp_path / "whole.pdf", templates, jobs=1)
    parts = build_pdf(edition, tmp_path / "parts.pdf", templates, jobs=1, chunk_documents=1, cache=None)
    assert parts.timings["parts"] > 2 and parts.folios == whole.folios
    openings = [parts.folios[min(x.page for ls in (v for k, v in parts.lines.items() if k[0] == d.id) for x in ls) - 1]
                for d in edition.documents]  # fmt: skip
    assert openings == ["1", "2", "5"]  # the second opens on a left-hand page
    assert _positions(tmp_path / "parts.pdf") == _positions(tmp_path / "whole.pdf")
    assert parts.lines == whole.lines


def test_an_apparatus_after_each_document_is_keyed_to_the_lines_of_its_parts(built, tmp_path):
    """With `apparatus_at: end` the text prints line numbers after each
    document: the chunks are laid out once for their lines, then again with
    the apparatus keyed to them, and print what the whole volume prints."""
    import dataclasses

    _, edition, templates, _, _ = built
    edition = dataclasses.replace(edition, apparatus_at="end")
    whole = build_pdf(edition, tmp_path / "whole.pdf", templates, jobs=1)
    parts = build_pdf(edition, tmp_path / "parts.pdf", templates, jobs=1, chunk_documents=2, cache=None)
    assert parts.timings["parts"] > 2 * 3  # the chunks twice, the front and back matter
    assert _positions(tmp_path / "parts.pdf") == _positions(tmp_path / "whole.pdf")
    assert parts.lines == whole.lines and parts.warnings == whole.warnings


def test_folios_continue_across_parts(built):
    root, edition, _, _, parts = built
    pages = _pages(root / "build" / "edition.pdf")
    first = parts.folios.index("1")
    for i in range(first, len(pages)):
        # the folio stands alone on a line of the page (head or foot)
        lines = pages[i].strip().split("\n")
        assert parts.folios[i] in (lines[0] + " " + lines[-1]).split(), (i, lines[0], lines[-1])
    assert parts.folios[first:] == [str(n) for n in range(1, len(pages) - first + 1)]


def test_contents_and_index_point_to_pages_that_hold_them(built):
    root, edition, _, _, parts = built
    pages = _pages(root / "build" / "edition.pdf")
    contents = next(p for p in pages if p.startswith("contents") or "\ncontents\n" in p)
    for n in range(1, len(edition.documents) + 1):
        folio = re.search(rf"^letter number {n}[ .]*?(\d+)no\.\xa0{n}$", contents, re.M).group(1)
        assert f"letter number {n}\n" in pages[parts.folios.index(folio)]
    index = "\n".join(p for p in pages if "index of persons" in p or "index of places" in p)
    for name in NAMES:
        refs = re.search(rf"^{name.lower()}\s+([\d, ]+)$", index, re.M).group(1).strip().split(", ")
        assert refs
        for ref in refs:
            assert name.lower() in pages[parts.folios.index(ref)]


def test_the_contents_links_lead_to_the_documents(built):
    """The contents' links name destinations that the joined parts define,
    on the page where each document opens."""
    root, edition, _, _, parts = built
    reader = PdfReader(root / "build" / "edition.pdf")
    named = reader.named_destinations
    pages = _pages(root / "build" / "edition.pdf")
    for n in range(1, len(edition.documents) + 1):
        page = reader.get_destination_page_number(named[f"doc-{n}"])
        assert f"letter number {n}\n" in pages[page], n
    links = {str(a.get_object()["/Dest"]) for page in reader.pages[: parts.folios.index("1")]
             for a in page.get("/Annots", ()) if "/Dest" in a.get_object()}  # fmt: skip
    assert links == {f"doc-{n}" for n in range(1, len(edition.documents) + 1)} and links <= set(named)


def test_one_bookmark_per_document_in_order(built):
    root, edition, _, _, _ = built
    whole = [o.title for o in PdfReader(root / "whole" / "edition.pdf").outline]
    titles = [o.title for o in PdfReader(root / "build" / "edition.pdf").outline]
    assert titles == whole
    assert [t for t in titles if t[0].isdigit()] == [f"{n}. Letter number {n}" for n in range(1, len(edition.documents) + 1)]


def test_same_input_same_bytes_and_the_cache_is_used(built):
    root, edition, templates, _, _ = built
    out = root / "build" / "edition.pdf"
    before = out.read_bytes()
    again = build_pdf(edition, out, templates, jobs=1, chunk_documents=2, cache=_cache(root))
    assert again.timings["parts laid out"] == 0
    assert out.read_bytes() == before
    fresh = build_pdf(edition, root / "fresh" / "edition.pdf", templates, jobs=1, chunk_documents=2, cache=None)
    assert fresh.timings["parts laid out"] == fresh.timings["parts"]
    assert (root / "fresh" / "edition.pdf").read_bytes() == before


def test_a_changed_document_relays_out_its_part_only(built, tmp_path):
    root, edition, templates, _, _ = built
    import dataclasses

    # its own copy of the cache and PDF: the other tests read the module's
    cache = shutil.copytree(_cache(root), tmp_path / "cache")
    out = tmp_path / "edition.pdf"
    doc = edition.documents[2]
    seg = doc.segments[-1]
    changed_seg = dataclasses.replace(seg, text={**seg.text, "en.2": seg.text["en.2"].replace("also", "too", 1)})
    changed = dataclasses.replace(doc, segments=doc.segments[:-1] + [changed_seg])
    edited = dataclasses.replace(edition, documents=edition.documents[:2] + [changed] + edition.documents[3:])
    report = build_pdf(edited, out, templates, jobs=1, chunk_documents=2, cache=cache)
    # its chunk, laid out once; nothing else moved (same page count)
    assert report.timings["parts laid out"] == 1
    assert "too" in _pages(out)[report.lines[(doc.id, "en.2", seg.id)][0].page - 1]


def test_a_corrupt_cache_entry_is_laid_out_again(built, tmp_path):
    root, edition, templates, _, _ = built
    cache = shutil.copytree(_cache(root), tmp_path / "cache")
    out = tmp_path / "edition.pdf"
    build_pdf(edition, out, templates, jobs=1, chunk_documents=2, cache=cache)
    before = out.read_bytes()
    for broken in cache.glob("*.pdf"):  # every layout with a PDF
        broken.write_bytes(b"not a pdf")
    report = build_pdf(edition, out, templates, jobs=1, chunk_documents=2, cache=cache)
    assert report.timings["parts laid out"] >= len(list(cache.glob("*.pdf"))) // 2 > 0
    assert out.read_bytes() == before
    for broken in cache.glob("*.json"):  # and every entry's data
        broken.write_text("{", encoding="utf-8")
    report = build_pdf(edition, out, templates, jobs=1, chunk_documents=2, cache=cache)
    assert report.timings["parts laid out"] == report.timings["parts"]
    assert out.read_bytes() == before


def test_parts_are_laid_out_by_worker_processes(built, tmp_path):
    root, edition, templates, _, _ = built
    report = build_pdf(edition, tmp_path / "edition.pdf", templates, jobs=2, chunk_documents=2, cache=None)
    assert (tmp_path / "edition.pdf").read_bytes() == (root / "build" / "edition.pdf").read_bytes()
    assert report.timings["parts laid out"] == report.timings["parts"]


def test_a_worker_that_dies_leaves_the_build_to_this_process(built, tmp_path, monkeypatch):
    """A worker killed while it lays out a chunk: the build goes on in its
    own process and prints the same volume; no worker is left running."""
    import os
    import signal


    root, edition, templates, _, _ = built
    crews = []
    original = assemble._Crew

    class Killed(original):
        def send(self, worker, message):
            super().send(worker, message)
            if self.workers and message[0] == "lay":
                os.kill(self.workers[worker][0].pid, signal.SIGKILL)

    def crew(jobs):
        made = Killed(jobs) if not crews else original(jobs)
        crews.append(made)
        return made

    monkeypatch.setattr(assemble, "_Crew", crew)
    build_pdf(edition, tmp_path / "edition.pdf", templates, jobs=2, chunk_documents=2, cache=None)
    assert (tmp_path / "edition.pdf").read_bytes() == (root / "build" / "edition.pdf").read_bytes()
    assert len(crews) == 2 and crews[1].local is not None
    assert not crews[0].workers  # stopped


def test_pages_that_cannot_be_turned_are_laid_out_at_their_folio(built, tmp_path, monkeypatch):
    """Templates whose left and right pages differ in more than their
    margins cannot have a chunk turned to its side: it is laid out again at
    its folio, and must fall as it did; if it does not, every chunk is laid
    out at its folio, one after the other."""
    from edition.render.weasy.folios import FoliosError

    root, edition, templates, whole, _ = built

    def cannot_turn(*args):
        raise FoliosError("left and right pages differ in size")

    monkeypatch.setattr(assemble, "give_folios", cannot_turn)
    report = build_pdf(edition, tmp_path / "again.pdf", templates, jobs=1, chunk_documents=2, cache=None)
    assert report.timings["parts"] > 2
    assert _positions(tmp_path / "again.pdf") == _positions(root / "build" / "edition.pdf")

    monkeypatch.setattr(assemble, "same_layout", lambda a, b: False)
    for jobs in (1, 2):
        placed = tmp_path / f"placed-{jobs}.pdf"
        report = build_pdf(edition, placed, templates, jobs=jobs, chunk_documents=2, cache=None)
        assert report.timings["parts"] > 2
        assert _positions(placed) == _positions(root / "whole" / "edition.pdf")
        assert report.lines == whole.lines and report.folios == whole.folios


def test_parts_are_rendered_from_the_view_by_the_blocks_of_the_template(built):
    """Each part is the volume's page with one block of its template: the
    head and stylesheet always, then the front matter, some documents or
    the back matter (render/html.py, volume_parts)."""
    from edition.render.html import render_volume, volume_parts

    _, edition, templates, _, _ = built
    view = render_volume(edition, templates).view
    parts = volume_parts(templates)
    assert parts is not None
    two = parts.render(view, "documents", documents=[1, 2], css="p { color: red }")
    assert two.startswith("<!DOCTYPE html>") and "p { color: red }" in two and two.rstrip().endswith("</html>")
    assert [int(n) for n in re.findall(r'<section class="document" id="doc-\d+" data-doc="(\d+)"', two)] == [2, 3]
    contents, back_matter, document = '<nav class="contents">', '<section class="back-matter', '<section class="document"'
    assert contents not in two and back_matter not in two
    front = parts.render(view, "front", after='<p id="after"></p>')
    assert contents in front and document not in front and back_matter not in front
    assert front.index(contents) < front.index('<p id="after">')
    back = parts.render(view, "back")
    assert back_matter in back and contents not in back and document not in back


def test_templates_without_parts_are_given_them_where_the_page_has_them(built, tmp_path):
    """An edition's own volume.html.j2 without the blocks that give the
    parts (front, document, back), as release 0.1.0 wrote it, still builds
    in parts: the blocks are given where its page has them, the same
    pages."""
    root, edition, _, whole, _ = built
    default = (Path(__file__).resolve().parents[1] / "templates" / "volume.html.j2").read_text(encoding="utf-8")
    own = re.sub(r"^\{% (end)?block[^%]*%\}\n", "", default, flags=re.M)
    assert "{% block" not in own and "{% endblock" not in own
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "volume.html.j2").write_text(own, encoding="utf-8")
    templates = templates_dirs(tmp_path)
    report = build_pdf(edition, tmp_path / "own.pdf", templates, jobs=1, chunk_documents=2, cache=None)
    assert report.timings["parts"] > 2
    assert report.folios == whole.folios and report.lines == whole.lines
    assert _positions(tmp_path / "own.pdf") == _positions(root / "whole" / "edition.pdf")


def test_an_edition_with_its_own_copy_of_release_0_1_0s_page_prints_what_the_default_page_prints(tmp_path):
    """Release 0.1.0's volume.html.j2 (tests/fixtures/release-0.1.0), copied
    into an edition's templates/ as editors do, has no part blocks and
    prints a source group's title with `{{ group.title }}`: the volume is
    built in parts and every page prints what today's page prints (the
    sources' archives by name, not as a tuple's repr)."""
    from edition import api

    from .conftest import copy_sample

    root = copy_sample(tmp_path / "sample")
    api.build(root, tmp_path / "default.pdf")
    (root / "templates").mkdir()
    shutil.copy(Path(__file__).parent / "fixtures" / "release-0.1.0" / "volume.html.j2", root / "templates" / "volume.html.j2")
    _, report = api.build(root, tmp_path / "own.pdf")
    assert report.timings["parts"] >= 3
    own = _pages(tmp_path / "own.pdf")
    assert own == _pages(tmp_path / "default.pdf")
    assert not any("run(text=" in page for page in own) and any("russian state archive" in page for page in own)


def test_a_page_without_the_shape_of_parts_is_refused_with_what_to_do(built, tmp_path):
    """A page with no loop over the documents between <body> and </body>
    cannot be cut into parts: the build says which file and what to add,
    and writes nothing."""
    from edition.errors import EditionError

    _, edition, _, _, _ = built
    (tmp_path / "templates").mkdir()
    page = tmp_path / "templates" / "volume.html.j2"
    page.write_text("<!DOCTYPE html>\n<html><body>{{ volume.title }}</body></html>\n", encoding="utf-8")
    with pytest.raises(EditionError) as raised:
        build_pdf(edition, tmp_path / "out.pdf", templates_dirs(tmp_path), jobs=1, cache=None)
    problem = raised.value.problems[0]
    assert Path(problem.path) == page and "block front" in problem.hint and "volume.documents" in problem.message
    assert not (tmp_path / "out.pdf").exists()


def test_a_small_volume_is_one_chunk_laid_out_in_this_process(built, tmp_path, monkeypatch):
    """Workers cost more than they save on a few pages: a small volume is
    laid out here, in parts all the same (one chunk, the front and back
    matter: its text laid out once), on any number of cores."""

    root, edition, templates, whole, _ = built
    assert assemble.workers(edition, 2, None) == 0 and assemble.workers(edition, 2, 2) == 2
    assert assemble.workers(edition, 1, 2) == 0
    crews = []
    original = assemble._Crew
    monkeypatch.setattr(assemble, "_Crew", lambda jobs: crews.append(original(jobs)) or crews[-1])
    report = build_pdf(edition, tmp_path / "edition.pdf", templates, jobs=2)
    assert len(crews) == 1 and not crews[0].workers and crews[0].local is not None
    assert report.timings["parts"] == 3  # the documents, the front matter, the index
    assert _positions(tmp_path / "edition.pdf") == _positions(root / "whole" / "edition.pdf")
    # a volume with more text than that is laid out by workers
    monkeypatch.setattr(assemble, "PARALLEL_TEXT", 1_000)
    assert assemble.workers(edition, 2, None) == 2
