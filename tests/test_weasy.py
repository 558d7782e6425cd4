"""The WeasyPrint room (edition/render/weasy/): every internal it patches or
calls is checked by name and signature before a build, a changed one stops
the build with what to do, and the patches are active only inside a build."""

from __future__ import annotations

import io
import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest

weasyprint = pytest.importorskip("weasyprint")
pypdf = pytest.importorskip("pypdf")

from edition.errors import EditionError
from edition.render.weasy import INTERNALS, SUPPORTED, building, check_internals
from edition.render.weasy.folios import give_folios
from edition.render.weasy.internals import Internal, changed

from .conftest import REPO, copy_sample, snapshot

FONT = 'font: 10pt "Linux Libertine O", serif'


def _patched_places():
    """Where the build patches WeasyPrint: (owner, attribute name)."""
    from weasyprint import document, layout
    from weasyprint.layout import LayoutContext, block, inline, preferred
    from weasyprint.layout import page as page_layout
    from weasyprint.pdf import stream, tags

    return [
        (block, "_linebox_layout"), (block, "block_container_layout"), (block, "table_layout"),
        (LayoutContext, "_update_footnote_area"), (LayoutContext, "layout_footnote"),
        (LayoutContext, "unlayout_footnote"), (block, "iter_line_boxes"),
        (page_layout, "make_page"), (layout, "make_margin_boxes"),
        (document.Document, "_build_layout_context"), (stream.Stream, "marked"), (tags, "_build_box_tree"),
        (inline, "split_first_line"), (preferred, "split_first_line"),
    ]  # fmt: skip


def _now() -> list:
    return [owner.__dict__[name] for owner, name in _patched_places()]


def _pdf_text(document) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(document.write_pdf()))
    return [page.extract_text() for page in reader.pages]


def test_every_internal_the_build_touches_is_there_with_its_signature():
    assert weasyprint.__version__.startswith("70."), f"tested against {SUPPORTED}"
    assert [(i.module, i.name, changed(i)) for i in INTERNALS if changed(i)] == []
    check_internals()
    # every place the build patches is in the checked list
    checked = {(i.module, i.name.rsplit(".", 1)[-1]) for i in INTERNALS}
    for owner, name in _patched_places():
        module = owner.__name__ if isinstance(owner, type(sys)) else owner.__module__
        assert (module, name) in checked, (module, name)


def test_nothing_is_patched_outside_a_build_and_everything_inside():
    before = _now()
    with building(pages=lambda n: None, hold_margins=True):
        inside = _now()
        assert all(a is not b for a, b in zip(before, inside)), [
            name for (owner, name), a, b in zip(_patched_places(), before, inside) if a is b
        ]
    assert _now() == before
    with pytest.raises(RuntimeError):
        with building(hold_margins=True):
            raise RuntimeError("a build that fails")
    assert _now() == before  # restored after an error too


def test_a_changed_signature_is_refused_with_what_to_do(monkeypatch):
    from weasyprint.layout import block

    def fake(context, box, lines):  # what a WeasyPrint that changed could have
        return None

    monkeypatch.setattr(block, "_linebox_layout", fake)
    with pytest.raises(EditionError) as info:
        with building():
            pytest.fail("a build ran on changed internals")
    message, hint = info.value.problems[0].message, info.value.problems[0].hint
    assert f"WeasyPrint {weasyprint.__version__}" in message
    assert "weasyprint.layout.block._linebox_layout takes (context, box, lines)" in message
    assert "footnotes kept on the page of their calls" in message  # what it is for
    assert SUPPORTED in hint and "report" in hint
    assert block._linebox_layout is fake  # refused before anything was patched


def test_a_missing_internal_is_named():
    gone = Internal("weasyprint.layout.block", "_no_such_function", ("context",), "patched: a test")
    with pytest.raises(EditionError, match=r"_no_such_function is gone"):
        check_internals((gone,))


def test_changed_internals_stop_the_command_with_no_traceback_and_nothing_written(tmp_path):
    """A real `edition build` in a new interpreter whose WeasyPrint has a
    changed internal: exit 1, the message and its hint, no PDF."""
    root = copy_sample(tmp_path / "sample")
    before = snapshot(root)
    out = tmp_path / "out.pdf"
    program = (
        "import sys; from weasyprint.layout import LayoutContext;"
        "LayoutContext._update_footnote_area = lambda self, page: None;"
        "from edition.cli import main; sys.argv = ['edition'] + sys.argv[1:]; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", program, "build", "-C", str(root), "-o", str(out), "-j", "2"],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 1, done.stderr
    assert "LayoutContext._update_footnote_area takes (self, page)" in done.stderr
    assert "the apparatus under the notes" in done.stderr
    assert SUPPORTED in done.stderr and "Traceback" not in done.stderr
    assert not out.exists() and snapshot(root) == before


def test_splits_not_kept_set_the_same_lines(monkeypatch):
    """A line's split kept for the build (`_first_lines_kept`) sets what
    Pango sets: with the store emptied every few splits, and with a style
    whose values cannot be a key (the split then not kept), the same bytes
    as with every split kept. A paragraph with footnotes on a small page
    (the page laid out again for its notes) and one in hyphenated English
    set twice in a narrow table cell."""
    from edition.render.weasy import patches

    words = "Kommunist published the letters of readers from every republic in the autumn of 1956".split()
    text = " ".join(words[i % len(words)] for i in range(180))
    html = (
        f"<style>@page {{ size: 90mm 70mm }} body {{ {FONT}; text-align: justify; hyphens: auto }} "
        "span.n { float: footnote } td { width: 30mm }</style>"
        f'<p lang="en">{text[:400]}<span class="n">A note.</span> {text[400:]}<span class="n">Another.</span></p>'
        f'<table><tr><td lang="en">{text[:300]}</td><td lang="en">{text[300:600]}</td></tr></table>'
    )

    def pdf() -> bytes:
        with building():
            return weasyprint.HTML(string=html).render().write_pdf()

    kept = pdf()
    monkeypatch.setattr(patches, "KEPT_SPLITS", 3)
    assert pdf() == kept
    monkeypatch.setattr(patches, "_shaping", lambda style: None)
    assert pdf() == kept


def test_the_build_counts_pages_as_they_are_laid_out():
    html = f"<style>@page {{ size: 60mm 40mm }} p {{ {FONT}; break-after: page }}</style>" + "<p>x</p>" * 3
    seen: list[int] = []
    with building(pages=seen.append):
        document = weasyprint.HTML(string=html).render()
    assert seen == [1, 2, 3] == list(range(1, len(document.pages) + 1))


def test_apparatus_entries_print_under_the_notes_whatever_the_order_of_calls():
    html = (
        f"<style>@page {{ size: 100mm 80mm; margin: 10mm }} p {{ {FONT} }}"
        " .fn { float: footnote } .app { float: footnote; footnote-display: inline }</style>"
        '<p>One<span class="fn app">Variant A.</span> two<span class="fn">Numbered note.</span></p>'
    )

    def order(text: str) -> bool:
        return text.index("Numbered note") < text.index("Variant A")

    (plain,) = _pdf_text(weasyprint.HTML(string=html).render())
    with building():
        (ours,) = _pdf_text(weasyprint.HTML(string=html).render())
    assert not order(plain)  # WeasyPrint alone: in the order of the calls
    assert order(ours)


def _parallel_page(height_mm: int, rows: str) -> str:
    """A small page holding a parallel table of `rows`, with footnotes."""
    return (
        f"<style>@page {{ size: 110mm {height_mm}mm; margin: 8mm }} body {{ {FONT}; line-height: 1.3 }}"
        " table { width: 100%; table-layout: fixed; border-spacing: 0 } td { vertical-align: top; padding: 0 2mm }"
        f' .fn {{ float: footnote }}</style><table class="parallel">{rows}</table>'
    )


def _notes(count: int) -> str:
    return "".join(f'<span class="fn">Note {n}, long enough to take two lines at the foot of this page.</span> and more' for n in range(count))


def test_a_row_whose_later_column_calls_notes_is_split_not_sent_to_the_next_page(tmp_path):
    """A long row under a short one: the second column's notes raise the
    footnote area after the first column was set down to the foot.
    WeasyPrint alone then sends the whole row to the next page and leaves
    this one nearly empty; under the build the row starts here, its first
    column shortened by as much as the notes took, and nothing overprints."""
    from .overprint import faults

    words = [f"word{n}" for n in range(400)]
    html = _parallel_page(
        120,
        "<tr><td>Comrade Editor,</td><td>Comrade Editor,</td></tr>"
        f'<tr><td>{" ".join(words)}</td><td>Short{_notes(3)} {" ".join(words[:150])}.</td></tr>',
    )
    plain = weasyprint.HTML(string=html).render()
    assert "word0" not in _pdf_text(plain)[0]  # the fault mended: the row sent on
    with building():
        ours = weasyprint.HTML(string=html).render()
    first = _pdf_text(ours)[0].split()
    assert "word0" in first and "Note" in first
    out = tmp_path / "ours.pdf"
    out.write_bytes(ours.write_pdf())
    assert faults(out) == []
    text = " ".join(_pdf_text(ours)).split()
    assert [w for w in words if w not in text] == []


def test_a_later_column_s_notes_push_the_first_column_s_last_lines_over(tmp_path):
    """A row that opens its page: the first column is set down to the foot
    before the second column calls its notes. WeasyPrint alone draws the
    notes over the first column's last lines; under the build those lines
    go to the next page, and no word is lost."""
    from .overprint import faults

    words = [f"word{n}" for n in range(150)]
    html = _parallel_page(90, f'<tr><td class="col">{" ".join(words)}</td><td class="col">Short{_notes(4)}.</td></tr>')
    plain, ours = tmp_path / "plain.pdf", tmp_path / "ours.pdf"
    plain.write_bytes(weasyprint.HTML(string=html).write_pdf())
    with building():
        ours.write_bytes(weasyprint.HTML(string=html).write_pdf())
    assert [f.what for f in faults(plain)][:1] == ["overprint"]  # the fault mended
    assert faults(ours) == []
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(ours).pages)
    assert [w for w in words if w not in text.split()] == []
    assert all(f"Note {n}," in text for n in range(4))


def test_a_note_longer_than_its_page_is_continued_on_the_next():
    """WeasyPrint alone draws a note longer than the page above the page's
    top edge; in a build, what fits stays under its call and the rest
    leads the next page's notes, whole and in order."""
    words = [f"w{i}" for i in range(700)]
    html = (
        f"<style>@page {{ size: 100mm 80mm; margin: 10mm }} p {{ {FONT} }} .fn {{ float: footnote }}</style>"
        f'<p>Text with a long note<span class="fn">{" ".join(words)}</span> and more text.</p>'
        + "<p>A paragraph after it.</p>" * 12
    )

    def read(document) -> tuple[list[str], float]:
        reader = pypdf.PdfReader(io.BytesIO(document.write_pdf()))
        found, highest = [], 0.0

        def visit(text, cm, tm, font, size):
            nonlocal highest
            highest = max(highest, tm[5] * cm[3] + cm[5])

        for page in reader.pages:
            found.extend(w for w in page.extract_text(visitor_text=visit).split() if re.fullmatch(r"w\d+", w))
        return found, highest - float(reader.pages[0].mediabox.top)

    _, above = read(weasyprint.HTML(string=html).render())
    assert above > 0  # WeasyPrint alone: text above the page's top edge
    with building():
        document = weasyprint.HTML(string=html).render()
    found, above = read(document)
    assert above <= 0
    assert found == words
    pages = [{w for w in text.split() if re.fullmatch(r"w\d+", w)} for text in _pdf_text(document)]
    assert "w0" in pages[0] and len([p for p in pages if p]) >= 3  # from the page of its call on


def test_held_margins_give_a_part_its_folios_after_its_layout():
    html = (
        f"<style>@page {{ size: 60mm 40mm; margin: 10mm; @bottom-center {{ content: 'f' counter(page) }} }}"
        f" p {{ {FONT}; break-after: page }}</style>" + "<p>text</p>" * 2
    )
    with building(hold_margins=True) as build:
        document = weasyprint.HTML(string=html).render()
    assert build.margins is not None and len(build.margins.states) == 2
    assert not any("f1" in t or "f2" in t for t in _pdf_text(document))  # held back
    with building():
        give_folios(document, build.margins, 7, right=False)
    texts = _pdf_text(document)
    assert "f7" in texts[0] and "f8" in texts[1]


def test_weasyprint_log_is_collected_during_a_build_only(tmp_path):
    logger = logging.getLogger("weasyprint")
    handlers, propagate = list(logger.handlers), logger.propagate
    missing = (tmp_path / "missing.png").as_uri()
    with building() as build:
        weasyprint.HTML(string=f'<img src="{missing}">').render()
    assert any(r.levelno >= logging.ERROR and "missing.png" in r.getMessage() for r in build.log)
    assert logger.handlers == handlers and logger.propagate == propagate


def test_the_room_is_the_only_place_that_reaches_into_weasyprint():
    """No module of edition outside render/weasy/ reads WeasyPrint's
    private state or replaces its functions."""
    import re

    private = re.compile(r"\._page_box|\._html\b|\._box\b|weasyprint\.(layout|document|formatting_structure|text)\b")
    room = REPO / "edition" / "render" / "weasy"
    found = [
        f"{path.relative_to(REPO)}:{n}"
        for path in sorted((REPO / "edition").rglob("*.py")) if room not in path.parents
        for n, line in enumerate(path.read_text("utf-8").splitlines(), start=1) if private.search(line)
    ]
    assert found == []


def test_the_room_loads_no_weasyprint_when_imported(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", "import sys, edition.render.weasy; print('weasyprint' in sys.modules)"],
        capture_output=True, text=True, timeout=60,
    )
    assert done.stdout.strip() == "False", done.stderr


def test_the_sample_volume_builds_under_the_room(tmp_path):
    from edition import api

    root = copy_sample(tmp_path / "sample")
    out, report = api.build(root, tmp_path / "sample.pdf", jobs=1)
    assert report.pages > 5 and Path(out).read_bytes().startswith(b"%PDF")


LINUX_ONLY = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the libraries are looked up by soname on Linux only")


def _fresh_python(program: str) -> subprocess.CompletedProcess:
    """`program` run by an interpreter of its own, where WeasyPrint is not
    loaded yet; it must end well."""
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr
    return done


@LINUX_ONLY
def test_weasyprint_is_loaded_without_looking_its_libraries_up():
    """cffi would ask ctypes' find_library (ldconfig, gcc, ld: 215
    processes) for each library name the loader does not take; the build
    loads WeasyPrint by the names the loader takes, and WeasyPrint works."""
    program = (
        "import ctypes.util\n"
        "asked = []\n"
        "real = ctypes.util.find_library\n"
        "ctypes.util.find_library = lambda name: asked.append(name) or real(name)\n"
        "from edition.render.weasy import check_internals\n"
        "check_internals()\n"
        "import weasyprint\n"
        "assert weasyprint.HTML(string='<p>Text</p>').write_pdf().startswith(b'%PDF')\n"
        "assert ctypes.util.find_library('c') is not None  # given back\n"
        "print(asked)\n"
    )
    assert _fresh_python(program).stdout.strip() == "['c']"


@LINUX_ONLY
def test_weasyprint_is_loaded_the_usual_way_when_the_quick_way_fails():
    """A system whose libraries the loader does not open by their sonames:
    the first import fails (WeasyPrint prints why and raises OSError); the
    build imports WeasyPrint again with find_library, and prints nothing of
    the first attempt."""
    program = (
        "import sys, importlib.abc\n"
        "class Once(importlib.abc.MetaPathFinder):\n"
        "    failed = False\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'weasyprint.text.ffi' and not Once.failed:\n"
        "            Once.failed = True\n"
        "            print('WeasyPrint could not import some external libraries')\n"
        "            raise OSError('cannot load library gobject-2.0-0')\n"
        "        return None\n"
        "sys.meta_path.insert(0, Once())\n"
        "from edition.render.weasy.internals import load_weasyprint\n"
        "weasyprint = load_weasyprint()\n"
        "assert Once.failed\n"
        "assert weasyprint.HTML(string='<p>Text</p>').write_pdf().startswith(b'%PDF')\n"
    )
    assert _fresh_python(program).stdout == ""


@pytest.mark.parametrize(
    "layout",
    [pytest.param({}, id="text"), pytest.param({"columns": ["en,en.2"]}, id="parallel"), pytest.param({"layout": "facing"}, id="facing")],
)
def test_notes_measured_once_print_what_laying_the_whole_area_out_again_prints(tmp_path, monkeypatch, layout):
    """Each note measured once on its page (weasy/patches.py, `_NoteHeights`)
    sets every page as WeasyPrint's own measure does, which lays the whole
    footnote area out again for every note added: the same bytes, with a
    note on every paragraph, a note that runs on over pages and the
    apparatus. So do a line's splits kept for the build
    (`_first_lines_kept`), against Pango asked again for each: no text is
    shaped twice at one width in one style in a build (facing pages lay the
    volume out three times in one)."""
    import contextlib
    import functools
    import shutil

    from weasyprint.layout import inline

    from edition import api
    from edition.render.weasy import patches

    from .overprint import faults
    from .printed import lone_fragments
    from .test_long_notes import noted_letter

    root = noted_letter(copy_sample(tmp_path / "sample"))  # the long note continued on the next page
    measured, resumed = [], []
    shaped_again, builds, kept = {True: 0, False: 0}, [0], patches._first_lines_kept

    @contextlib.contextmanager
    def one_build():  # a part laid out again at its folio is a build of its own
        builds[0] += 1
        with kept():
            yield

    monkeypatch.setattr(patches, "_first_lines_kept", one_build)
    alone, lines = patches._alone, patches._NoteHeights._lines
    monkeypatch.setattr(patches, "_alone", lambda *args: measured.append(1) or alone(*args))
    monkeypatch.setattr(patches._NoteHeights, "_lines", lambda self, *args: resumed.append(args[-1] is not None) or lines(self, *args))
    pango = inline.split_first_line
    built = {}
    for once in (True, False):

        seen: set = set()

        @functools.wraps(pango)
        def shaped(text, style, context, *args, once=once, seen=seen, **kwargs):
            key = (builds[0], text, tuple(style[name] for name in patches._SHAPING), *args, *kwargs.items())
            shaped_again[once] += key in seen
            seen.add(key)
            return pango(text, style, context, *args, **kwargs)

        monkeypatch.setattr(inline, "split_first_line", shaped)
        monkeypatch.setattr(patches, "MEASURE_NOTES_ONCE", once)
        monkeypatch.setattr(patches, "KEEP_FIRST_LINES", once)
        shutil.rmtree(root / "build", ignore_errors=True)  # no layout from the cache
        out, _ = api.build(root, tmp_path / f"once-{once}.pdf", **layout)
        built[once] = out.read_bytes()
        if once:
            assert len(measured) > 10  # the notes were measured once each
            assert sum(resumed) > 5, resumed  # the apparatus set again from its last line
            assert faults(out) == []  # nothing overprints or leaves the page
            assert lone_fragments(out) == []  # no note's part set wider than it was measured
    assert shaped_again[True] == 0 and shaped_again[False] > 50, shaped_again  # a line split again is not shaped again
    assert built[True] == built[False]
