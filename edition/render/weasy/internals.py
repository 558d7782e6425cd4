"""The WeasyPrint internals we patch or call, checked by name and signature
before a build lays anything out: a WeasyPrint whose internals changed
stops the build with what changed and what to do, instead of a wrong PDF."""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass

from ...errors import EditionError

SUPPORTED = "weasyprint>=70,<71"


@dataclass(frozen=True)
class Internal:
    """A private function of WeasyPrint's that the build replaces or calls:
    `module`, the dotted name in it, and the leading parameters we rely on
    (we pass them by position, or read them from a wrapper's arguments)."""

    module: str
    name: str
    parameters: tuple[str, ...]
    why: str
    # a wrapper passes any further arguments through; otherwise we call it
    # with these alone, and a further parameter must have a default
    passes_rest: bool = False


INTERNALS = (
    Internal(
        "weasyprint.layout.block",
        "_linebox_layout",
        (
            "context",
            "box",
            "index",
            "child",
            "new_children",
            "page_is_empty",
            "absolute_boxes",
            "fixed_boxes",
            "adjoining_margins",
            "bottom_space",
        ),
        "patched: footnotes kept on the page of their calls",
        passes_rest=True,
    ),
    Internal(
        "weasyprint.layout.block",
        "remove_placeholders",
        ("context", "box_list", "absolute_boxes", "fixed_boxes"),
        "called: a line taken back to the next page",
    ),
    Internal(
        "weasyprint.layout",
        "LayoutContext._update_footnote_area",
        ("self",),
        "patched: the apparatus under the notes; the notes' lines told from the text's",
    ),
    Internal("weasyprint.layout", "LayoutContext.layout_footnote", ("self", "footnote"), "patched: a long note continued on the next page"),
    Internal(
        "weasyprint.layout",
        "LayoutContext.unlayout_footnote",
        ("self", "footnote"),
        "patched: a long note continued on the next page, taken back with its line",
    ),
    Internal(
        "weasyprint.layout.block",
        "iter_line_boxes",
        ("context", "box", "position_y", "bottom_space", "skip_stack"),
        "patched: the room under the text for a long note; the apparatus's lines measured as they are set",
        passes_rest=True,
    ),
    Internal(
        "weasyprint.layout.block",
        "block_level_layout",
        ("context", "box", "bottom_space", "skip_stack", "containing_block", "page_is_empty"),
        "called: the part of a long note that fits on its page; a note, or the apparatus from a line on, measured alone",
    ),
    Internal(
        "weasyprint.formatting_structure.build",
        "create_anonymous_boxes",
        ("box",),
        "called: the part of a long note that fits on its page; the notes measured alone",
    ),
    Internal(
        "weasyprint.formatting_structure.boxes",
        "TextBox.copy_with_text",
        ("self", "text"),
        "called: a long note cut where its page ends",
    ),
    Internal(
        "weasyprint.formatting_structure.boxes",
        "ParentBox.copy_with_children",
        ("self", "new_children"),
        "called: a long note cut where its page ends",
    ),
    Internal(
        "weasyprint.layout",
        "LayoutContext.overflows_page",
        ("self", "bottom_space", "position_y"),
        "called: whether a line fits without the notes moved away",
    ),
    Internal(
        "weasyprint.layout.block",
        "block_container_layout",
        ("context", "box", "bottom_space", "skip_stack", "page_is_empty"),
        "patched: parallel pairs start on the same page, and a column gives up the room its row's notes take",
        passes_rest=True,
    ),
    Internal(
        "weasyprint.layout.block",
        "table_layout",
        ("context", "table", "bottom_space", "skip_stack", "containing_block", "page_is_empty", "absolute_boxes", "fixed_boxes"),
        "patched: parallel pairs start on the same page, and rows are laid out again clear of the notes their later columns call",
        passes_rest=True,
    ),
    Internal("weasyprint.layout", "LayoutContext.overflows", ("bottom", "position_y"), "called: whether a column reaches into the notes"),
    Internal("weasyprint.pdf.stream", "Stream.marked", ("self", "box", "tag"), "patched: line numbers written as artifacts"),
    Internal(
        "weasyprint.pdf.tags",
        "_build_box_tree",
        ("box", "parent", "pdf", "page_number", "nums", "annotations", "tags"),
        "patched: line numbers left out of the structure tree",
        passes_rest=True,
    ),
    Internal("pydyf", "Stream.begin_marked_content", ("self", "tag", "property_list"), "called: a line number's artifact sequence"),
    Internal("pydyf", "Stream.end_marked_content", ("self",), "called: a line number's artifact sequence"),
    Internal(
        "weasyprint.layout.page",
        "make_page",
        ("context", "root_box", "page_type", "resume_at", "page_number"),
        "patched: the build's progress, page by page; a long note's rest carried to the next page of its side",
        passes_rest=True,
    ),
    Internal(
        "weasyprint.layout",
        "make_margin_boxes",
        ("context", "page", "state"),
        "patched: running heads and folios held back until a part's folio is known",
        passes_rest=True,
    ),
    Internal(
        "weasyprint.layout.page",
        "make_margin_boxes",
        ("context", "page", "state"),
        "called: running heads and folios made at a part's folio",
    ),
    Internal(
        "weasyprint.document",
        "Document._build_layout_context",
        ("cls", "html", "font_config", "counter_style", "color_profiles", "options"),
        "patched: the layout context kept for a part's folios",
        passes_rest=True,
    ),
    Internal(
        "weasyprint.layout.page",
        "set_page_type_computed_styles",
        ("page_type", "html", "style_for"),
        "called: a page turned to the other side",
    ),
    Internal(
        "weasyprint.layout.page", "page_width", ("box", "context", "containing_block_width"), "called: a page turned to the other side"
    ),
    Internal(
        "weasyprint.layout.page", "page_height", ("box", "context", "containing_block_height"), "called: a page turned to the other side"
    ),
    Internal(
        "weasyprint.layout.background", "layout_backgrounds", ("page", "get_image_from_uri"), "called: a page turned to the other side"
    ),
    Internal("weasyprint.layout.percent", "resolve_percentages", ("box", "containing_block"), "called: a page turned to the other side"),
    Internal(
        "weasyprint.text.line_break",
        "split_first_line",
        ("text", "style", "context", "max_width", "justification_spacing"),
        "called: a line number or an apparatus label set in a laid-out box",
    ),
    Internal(
        "weasyprint.layout.inline",
        "split_first_line",
        ("text", "style", "context", "max_width", "justification_spacing", "is_line_start", "minimum"),
        "patched: a line's text split once for a build",
    ),
    Internal(
        "weasyprint.layout.preferred",
        "split_first_line",
        ("text", "style", "context", "max_width", "justification_spacing", "is_line_start", "minimum"),
        "patched: a line's text split once for a build (a cell's width)",
    ),
    Internal(
        "weasyprint.text.line_break",
        "first_line_metrics",
        ("first_line", "text", "layout", "resume_at", "space_collapse", "style"),
        "relied on: a line's split lets go of its Pango layout, so that it can be kept",
        passes_rest=True,
    ),
    Internal("weasyprint.document", "Page.__init__", ("self", "page_box"), "called: a page made again from its box"),
    Internal(
        "weasyprint.formatting_structure.boxes",
        "Box.margin_height",
        ("self",),
        "called: the heights the facing pages are planned from",
    ),
    Internal(
        "weasyprint.formatting_structure.boxes",
        "ParentBox.__init__",
        ("self", "element_tag", "style", "element", "children"),
        "called: an empty block standing in for a note measured once",
    ),
    Internal("weasyprint.css", "ComputedStyle.copy", ("self",), "called: an empty block standing in for a note measured once"),
    Internal("weasyprint.css", "AnonymousStyle.copy", ("self",), "called: an empty block standing in for the apparatus's paragraph"),
    Internal(
        "weasyprint.formatting_structure.boxes",
        "Box.anonymous_from",
        ("cls", "parent"),
        "called: the style of the apparatus's paragraph, for the block standing in for it",
        passes_rest=True,
    ),
    Internal(
        "weasyprint.formatting_structure.boxes",
        "ParentBox.descendants",
        ("self",),
        "called: the pages a long note runs on over, checked to be those of its side in facing pages",
    ),
)


def changed(internal: Internal) -> str | None:
    """What is wrong with one internal in the installed WeasyPrint, or None."""
    try:
        found: object = importlib.import_module(internal.module)
        for part in internal.name.split("."):
            found = inspect.getattr_static(found, part)
        if isinstance(found, (classmethod, staticmethod)):
            found = found.__func__
        signature = inspect.signature(found)  # type: ignore[arg-type]
    except (ImportError, AttributeError) as exc:
        return f"{internal.module}.{internal.name} is gone ({exc})"
    except (TypeError, ValueError) as exc:
        return f"{internal.module}.{internal.name} has no signature to read ({exc})"
    parameters = tuple(signature.parameters)
    further = list(signature.parameters.values())[len(internal.parameters) :]
    required = [p.name for p in further if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if parameters[: len(internal.parameters)] != internal.parameters or (required and not internal.passes_rest):
        return (
            f"{internal.module}.{internal.name} takes ({', '.join(parameters)}), "
            f"not ({', '.join(internal.parameters)}{', …' if internal.passes_rest else ''})"
        )
    return None


def load_weasyprint():
    """WeasyPrint, imported without asking the C compiler where its
    libraries are. WeasyPrint 70 opens Pango, HarfBuzz and fontconfig by
    several names each (`gobject-2.0-0`, …, `libgobject-2.0.so.0`), and
    cffi answers a name the system's loader does not take with
    `ctypes.util.find_library`, which on Linux runs ldconfig, gcc and ld:
    215 processes and 0.3 s on every import, in every process that builds.
    The names tried last are the sonames the loader opens itself, so while
    WeasyPrint opens its libraries find_library answers nothing; should
    that leave a library unopened, the import is made again the usual way
    (and what WeasyPrint printed about the first attempt is not shown)."""
    import contextlib
    import io
    import sys

    if "weasyprint" in sys.modules or not sys.platform.startswith("linux"):
        import weasyprint

        return weasyprint
    import ctypes.util

    asked = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            import weasyprint

        return weasyprint
    except (OSError, ImportError):
        for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
            del sys.modules[name]
    finally:
        ctypes.util.find_library = asked
    import weasyprint

    return weasyprint


def check_internals(internals: tuple[Internal, ...] = INTERNALS) -> None:
    """Raise an EditionError naming every internal that changed (what the
    build uses it for), with what to do: the supported WeasyPrint."""
    weasyprint = load_weasyprint()

    problems = [(i, why) for i in internals if (why := changed(i)) is not None]
    if problems:
        raise EditionError.at(
            f"the PDF build cannot run on WeasyPrint {weasyprint.__version__}: its internals changed: "
            + "; ".join(f"{why} ({i.why})" for i, why in problems),
            hint=f"install the supported WeasyPrint ({SUPPORTED}: pip install '{SUPPORTED}'), or report the version to the edition project",
        )


def internals_problem(exc: BaseException) -> EditionError:
    """The error for a laid-out tree that does not read as WeasyPrint 70's."""
    import weasyprint

    return EditionError.at(
        f"line numbering cannot read the layout of WeasyPrint {weasyprint.__version__}: {type(exc).__name__}: {exc}",
        hint=f"line numbers read WeasyPrint 70's layout tree; install {SUPPORTED} or set `line_numbers: none` in edition.yaml",
    )
