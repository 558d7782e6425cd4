"""The `edition` command: a thin typer face over the library in `api`.
Data goes to stdout, messages to stderr; errors exit 1 (the user's files)
or 2 (the command line). Each command imports the library itself, so that
`edition --help` loads typer and nothing of ours but this face. No
`from __future__ import annotations` here: typer would evaluate every
parameter's annotation string at each start (a third of `--help`'s time)."""

import contextlib
import dataclasses
import functools
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Optional

import typer

from .errors import EditionError, Problem, UsageError, os_problem, printable, unprintable
from .settings import LAYOUTS, PDF_VARIANTS


app = typer.Typer(
    help="Critical editions of translated archival documents.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    # Help and usage errors as plain text, wrapped to the terminal: rich's
    # option tables cut long option names and values at 80 columns.
    rich_markup_mode=None,
)


def _version(shown: bool) -> None:
    """Print the installed release of edition, as its package metadata says."""
    if not shown:
        return
    from importlib.metadata import PackageNotFoundError, version

    try:
        print(f"edition {version('edition')}")
    except PackageNotFoundError:
        _say("edition is not installed as a package (`pip install -e .` in the checkout); its version is unknown")
        raise typer.Exit(1) from None
    raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version of edition and exit.")
    ] = False,
):
    """Critical editions of translated archival documents."""


# The values of choice options, as the help lists them: the settings' from
# their description (light to import), the note kinds as the model's
# (tests/test_conventions.py keeps the two in step).
if TYPE_CHECKING:
    Layout = str
    PdfVariant = str
else:
    Layout = Literal[LAYOUTS]
    PdfVariant = Literal[PDF_VARIANTS]
NoteKindName = Literal["footnote", "translator", "gloss", "archival"]

EditionOption = Annotated[
    Optional[Path],
    typer.Option("--edition", "-C", help="The edition's folder (default: the nearest folder with an edition.yaml)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
WatchOption = Annotated[
    bool,
    typer.Option("--watch", help="After the build, build again whenever a file of the edition changes, until Ctrl-C."),
]
ReadingOption = Annotated[
    Optional[str],
    typer.Option(
        help="The reading text of every document: a layer id (en.2) or a language (en: its newest revision); default: edition.yaml, else each document's newest revision of its main translation."
    ),
]
TypographyOption = Annotated[
    Optional[bool],
    typer.Option(
        "--typography/--no-typography",
        help="Set text with its language's quotes, dashes and spaces, or print it as typed (default: edition.yaml, else on).",
    ),
]
DOC_HELP = (
    "The document: its id, the start of its id that no other id shares, or its number in "
    "`edition list` (a number up to the count of documents is that position; a longer one, "
    "such as a year, is read as the start of an id)."
)
DocArgument = Annotated[str, typer.Argument(help=DOC_HELP, metavar="DOC")]


def _say(message: str) -> None:
    """A message for the person at the terminal (stderr, never markup;
    control characters quoted from the user's text shown escaped)."""
    print(printable(message), file=sys.stderr)


def _line(text: str) -> None:
    """A line of data for a person to read (stdout), escapes made visible."""
    print(printable(text))


def _report(problems: list[Problem]) -> None:
    for problem in problems:
        _say(str(problem))


def command(func):
    """Check the command line's text, then turn EditionErrors and the
    system's refusals into compiler-style messages and exit codes."""

    @functools.wraps(func)
    def run(*args, **kwargs):
        kwargs = {key: _nfc(value) for key, value in kwargs.items()}
        try:
            _check_arguments(kwargs, func)
            return func(*args, **kwargs)
        except EditionError as exc:
            _report(exc.problems)
            raise typer.Exit(exc.exit_code) from None
        except BrokenPipeError:
            # The reader of our output went away (`| head`): stop quietly.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(1) from None
        except OSError as exc:
            # The system refused a read or write (disk full, permission, a
            # file vanished): a message naming the file, not a traceback.
            # Writes are atomic, so no file was left half-written.
            _report([os_problem(exc)])
            raise typer.Exit(1) from None

    return run


def _nfc(value):
    """Command-line text as NFC, as every text in the edition is (a shell on
    macOS may pass "café" decomposed). Paths are left as the system has them."""
    import unicodedata

    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    return value


def _labels(func) -> dict[str, str]:
    """Parameter name → how the command line spells it (`--title`, `DOC`)."""
    import inspect

    labels = {}
    for name, parameter in inspect.signature(func).parameters.items():
        label = name.upper()
        for info in getattr(parameter.annotation, "__metadata__", ()):
            if isinstance(info, typer.models.OptionInfo):
                decls = [d for d in (info.default, *(info.param_decls or ())) if isinstance(d, str) and d.startswith("-")]
                label = next((d for d in decls if d.startswith("--")), "--" + name.rstrip("_").replace("_", "-"))
        labels[name] = label
    return labels


# In text a user types, tab and line feed are text; other control characters
# are not (an escape sequence stored in a note would recolour a terminal).
_TEXT_CONTROLS = "\t\n"


def _check_arguments(values: dict, func) -> None:
    """Refuse, before anything is read or made, a command-line value that
    is not UTF-8 (Python hands those bytes over as lone surrogates), holds a
    NUL, or holds a control character."""
    for name, value in values.items():
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if not isinstance(item, (str, Path)):
                continue
            text = str(item)
            bad = unprintable(text.translate({ord(c): None for c in _TEXT_CONTROLS}))
            if bad is None:
                continue
            label = _labels(func).get(name, name)
            if "\ud800" <= bad <= "\udfff":
                byte = ord(bad) - 0xDC00 if ord(bad) >= 0xDC80 else None
                what = f"is not UTF-8 (byte 0x{byte:02x})" if byte is not None else "is not UTF-8"
                hint = "pass text in UTF-8: check the encoding of the terminal or the script (locale, LANG)"
            elif bad == "\x00":
                what, hint = "holds a NUL character", "remove it; a NUL cannot be stored"
            else:
                what, hint = (
                    f"holds the control character {printable(bad)}",
                    "remove it; control characters and terminal escape sequences are not stored",
                )
            raise UsageError.at(f"{label} {what}: {printable(text)!s}", hint=hint)


def _root(edition: Path | None) -> Path:
    from .store import find_root

    return find_root(edition) if edition else find_root()


@app.command()
@command
def init(
    folder: Annotated[Path, typer.Argument(help="Where to make the edition.", metavar="FOLDER")] = Path("."),
    title: Annotated[str, typer.Option(help="The volume's title.")] = "Untitled edition",
    editor: Annotated[Optional[list[str]], typer.Option(help="An editor's name (repeat for several).")] = None,
):
    """Make a new edition: edition.yaml, seeds/ and translations/."""
    from . import api

    path = api.init(folder, title, editor or [])
    _say(f"made {path}")


@app.command("import")
@command
def import_(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Source files: plain text (.txt), Markdown (.md), Word (.docx), TEI (.xml, also a bare FRUS div).", metavar="FILE..."
        ),
    ],
    lang: Annotated[str, typer.Option(help="Language of the text, when the file does not say.")] = "en",
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Re-import documents that already exist from a corrected source, keeping translations and notes."),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="With --replace: go on when a segment that carries translations or notes is gone.")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be imported; write nothing.")] = False,
    edition: EditionOption = None,
    as_json: JsonOption = False,
):
    """Import documents from source files into the edition's seeds/."""
    from . import api
    from . import cli_output
    from .reimport import summary

    report = api.import_files(_root(edition), files, lang=lang, replace=replace, dry_run=dry_run, force=force)
    for warning in report.warnings:
        _say(f"warning: {warning}")
    if as_json:
        print(json.dumps([cli_output.import_row(d, report) for d in report.documents], ensure_ascii=False, indent=2))
    for result in report.reimports:
        for line in summary(result):
            _say(line)
    if report.refused:
        _report(report.refused)
        raise typer.Exit(1)
    verb = "would import" if dry_run else "imported"
    for doc in report.documents:
        _say(f"{verb} {doc.id}: {len(doc.segments)} segments, {len(doc.notes)} notes")


@app.command("list")
@command
def list_(edition: EditionOption = None, as_json: JsonOption = False):
    """The documents in volume order (date, then number). Each row gives
    the position that names the document in other commands
    (`edition show 3`), its id, date, title, layers and notes. An id is
    never broken across lines; the title folds."""
    from . import api
    from . import cli_output

    ws = api.open_workspace(_root(edition))
    documents = ws.edition.documents
    rows = [cli_output.document_row(d) for d in documents]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    console = _console()
    table, needed = _document_table(documents, rows, console.width)
    if needed > console.width:  # narrower than an id: lines run past the edge rather than cut it
        console.width = needed
    console.print(table)


def _document_table(documents, rows, width: int) -> tuple:
    """`edition list` as a table for a terminal `width` columns wide. The
    number, id and number columns are as wide as their widest cell and never
    break; the title takes what is left and folds. When the terminal is too
    narrow for every column, layers, then the date, then notes are left out
    (`--json` has them all). Returns the table and the least width that
    shows it without cutting an id."""
    from rich.table import Table

    columns = {"#": [str(i) for i in range(1, len(documents) + 1)], "id": [r["id"] for r in rows]}
    if any(d.number for d in documents):
        columns["no."] = [d.number or "" for d in documents]
    columns["date"] = [r["date"] or "" for r in rows]
    columns["title"] = [r["title"] for r in rows]
    columns["layers"] = [", ".join(r["layers"]) for r in rows]
    columns["notes"] = [str(r["notes"]) for r in rows]
    widths = {name: max(len(name), *(len(c) for c in cells)) if cells else len(name) for name, cells in columns.items()}
    widths["date"] = min(widths["date"], 12)
    widths["layers"] = min(widths["layers"], 12)
    for optional in ("layers", "date", "notes"):
        others = sum(w + 1 for name, w in widths.items() if name != "title")
        if width - others >= 20:
            break
        del columns[optional], widths[optional]
    table = Table(box=None, header_style="bold", pad_edge=False, collapse_padding=True)
    for name in columns:
        if name == "title":
            table.add_column(name, overflow="fold", ratio=1, min_width=12)
        elif name in ("date", "layers"):
            table.add_column(name, overflow="fold", width=widths[name])
        else:
            table.add_column(name, no_wrap=True, width=widths[name], justify="right" if name in ("#", "notes") else "left")
    for i in range(len(rows)):
        table.add_row(*(printable(cells[i]) for cells in columns.values()))
    return table, sum(w + 1 for name, w in widths.items() if name != "title") + 12


@app.command()
@command
def show(
    doc: DocArgument,
    layer: Annotated[Optional[str], typer.Option(help="Which layer to show (default: the main translation).")] = None,
    edition: EditionOption = None,
    as_json: JsonOption = False,
):
    """A document as readable text with its notes, or as JSON."""
    from . import api

    ws = api.open_workspace(_root(edition))
    document = ws.document(doc)
    if as_json:
        print(json.dumps(api.document_json(document), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(printable(api.reading_text(document, layer)))


@app.command()
@command
def validate(edition: EditionOption = None):
    """List every problem in the edition's files at once."""
    from . import api

    root = _root(edition)
    problems = api.validate(root)
    _report(problems)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if errors:
        _say(f"{errors} error(s), {warnings} warning(s)")
        raise typer.Exit(1)
    _say(f"{root}: valid ({warnings} warning(s))")


@app.command()
@command
def doctor(edition: EditionOption = None, as_json: JsonOption = False):
    """Check the edition across its layers. It lists segments missing from
    a layer (an empty text marks one absent on purpose), note anchors, ids,
    alignments to review, unaligned paragraphs, unused names and terminology
    breaches (terms.yaml). Warnings do not fail."""
    from .doctor import doctor as examine

    root = _root(edition)
    problems = examine(root)
    errors = sum(p.severity == "error" for p in problems)
    notes = sum(p.severity == "note" for p in problems)
    if as_json:
        print(json.dumps([{"severity": p.severity, "message": p.message, "file": str(p.path) if p.path else None,
                           "line": p.line, "column": p.column, "hint": p.hint} for p in problems], ensure_ascii=False, indent=2))  # fmt: skip
    else:
        _report(problems)
    counts = f"{errors} error(s), {len(problems) - errors - notes} warning(s)" + (f", {notes} note(s)" if notes else "")
    _say(f"{root}: {counts}" if problems else f"{root}: consistent across layers")
    if errors:
        raise typer.Exit(1)


@app.command()
@command
def build(
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="The PDF to write (default: build/edition.pdf).")] = None,
    html: Annotated[Optional[Path], typer.Option(help="Also write the volume as one HTML file.")] = None,
    layout: Annotated[Optional[Layout], typer.Option(help="Which text the pages show (default: edition.yaml).")] = None,
    columns: Annotated[
        Optional[str], typer.Option(help="Layers side by side (implies --layout parallel), e.g. ru,en or original,en,en.2.")
    ] = None,
    pdf_variant: Annotated[
        Optional[PdfVariant],
        typer.Option(help="A PDF standard to meet: tagged and accessible (pdf/ua) or archival (pdf/a); default: edition.yaml."),
    ] = None,
    jobs: Annotated[
        Optional[int],
        typer.Option("--jobs", "-j", min=1, help="Worker processes that lay out a large volume in parts (default: one per core)."),
    ] = None,
    reading: ReadingOption = None,
    typography: TypographyOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Write through an --out that is a symbolic link (never into a device or the edition's sources).")
    ] = False,
    final: Annotated[
        bool,
        typer.Option("--final", help="Refuse (nothing written) while any printed translation text is not approved (`edition review`)."),
    ] = False,
    watch: WatchOption = False,
    edition: EditionOption = None,
):
    """Build the print-ready PDF of the edition. A draft build marks text not
    yet reviewed in the margin (once the edition is under review); --final
    prints approved text only."""
    from . import api

    root = _root(edition)
    cores = api.usable_cores()
    if jobs is not None and jobs > cores:
        _say(f"note: --jobs {jobs} is more than the {cores} core(s) this process may use; using {cores}")
        jobs = cores
    _say("laying out the volume…")
    options: dict[str, Any] = dict(
        html=html,
        layout=layout,
        columns=[columns] if columns is not None else None,
        pdf_variant=pdf_variant,
        jobs=jobs,
        reading=reading,
        force=force,
        final=final,
        typography=typography,
    )
    with _progress_bar() as progress, _first_build(watch):
        path, report = api.build(root, out, progress=progress, **options)
        _say(f"wrote {path} ({report.pages} pages)")
        if report.warnings:
            _say(f"{len(report.warnings)} warning(s):")
            for warning in report.warnings:
                _say(f"warning: {warning}")
    if watch:
        from .watch import watch_pdf

        _watching(watch_pdf, root, out, **options)


@app.command()
@command
def site(
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="The folder to write (default: build/site/).")] = None,
    layout: Annotated[Optional[Layout], typer.Option(help="Which text the pages show (default: edition.yaml).")] = None,
    columns: Annotated[Optional[str], typer.Option(help="Layers side by side (implies --layout parallel), e.g. ru,en.")] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Write into a folder that holds other files (ours only are replaced).")
    ] = False,
    reading: ReadingOption = None,
    typography: TypographyOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Write through an --out that is a symbolic link (never into a device or the edition's sources).")
    ] = False,
    watch: WatchOption = False,
    edition: EditionOption = None,
):
    """Write the volume as static HTML pages, readable offline."""
    from . import api

    root = _root(edition)
    options: dict[str, Any] = dict(
        layout=layout,
        columns=[columns] if columns is not None else None,
        overwrite=overwrite,
        reading=reading,
        force=force,
        typography=typography,
    )
    with _first_build(watch):
        report = api.build_site(root, out, **options)
        for warning in report.warnings:
            _say(f"warning: {warning}")
        _say(f"wrote {len(report.written)} file(s), removed {len(report.removed)}")
        _line(str(report.folder))
    if watch:
        from .watch import watch_site

        _watching(watch_site, root, out, **options)


@contextlib.contextmanager
def _first_build(watch: bool):
    """With --watch, a first build that fails on the edition's files is
    reported and the watch starts anyway (the next save builds again); a
    wrong command line still ends the command."""
    try:
        yield
    except EditionError as exc:
        if not watch or isinstance(exc, UsageError):
            raise
        _report(exc.problems)
        _say("the build failed; it runs again when a file of the edition is saved")


def _watching(watch_function, root: Path, out: Optional[Path], **options) -> None:
    """Rebuild on every change of the edition's sources, one line each on
    stderr (a failed rebuild's problems too), until Ctrl-C (exit 0)."""

    def heard(rebuild) -> None:
        _report(list(rebuild.problems))
        _say(rebuild.line())

    _say(f"watching {root} for changes (Ctrl-C to stop)")
    try:
        watch_function(root, out, heard=heard, **options)
    except KeyboardInterrupt:
        _say("stopped watching")


@app.command()
@command
def compare(
    what: Annotated[
        Optional[list[str]],
        typer.Argument(
            help="DOC A B (two layers, or a layer and a file), FILE FILE, or A B (two layers in every document); a layer may be LAYER@REV, as it was at a git revision.",
            metavar="WHAT...",
        ),
    ] = None,
    since: Annotated[
        Optional[str],
        typer.Option(
            "--since", help="Every document and layer changed since this git revision (a tag, a commit), instead of WHAT.", metavar="REV"
        ),
    ] = None,
    format: Annotated[
        Literal["term", "html", "json", "markdown"], typer.Option("--format", "-f", help="How to show the changes.")
    ] = "term",
    all_segments: Annotated[
        bool, typer.Option("--all", help="Show unchanged segments too (term, markdown: the whole text, to accept or reject).")
    ] = False,
    ignore_case: Annotated[bool, typer.Option("--ignore-case", help="Ignore letter case.")] = False,
    ignore_punctuation: Annotated[bool, typer.Option("--ignore-punctuation", help="Ignore punctuation.")] = False,
    ignore_typography: Annotated[
        bool, typer.Option("--ignore-typography", help="Ignore typographic variants (quotes, dashes, apostrophes).")
    ] = False,
    ignore_whitespace: Annotated[bool, typer.Option("--ignore-whitespace", help="Ignore spaces, NBSP and invisible characters.")] = False,
    ignore_hyphenation: Annotated[bool, typer.Option("--ignore-hyphenation", help="Ignore line-end hyphenation and soft hyphens.")] = False,
    ignore_stress: Annotated[bool, typer.Option("--ignore-stress", help="Ignore Russian stress marks.")] = False,
    edition: EditionOption = None,
):
    """Word-level comparison of two versions, segment by segment."""
    from . import api
    from .render import comparison as formats
    from .tokens import Normalizer

    what = what or []
    options = Normalizer(ignore_case, ignore_punctuation, ignore_typography, ignore_whitespace, ignore_hyphenation, ignore_stress)
    writer = formats.JsonWriter(sys.stdout) if format == "json" else None
    if since is not None:
        if what:
            raise UsageError.at("--since compares the whole edition: give no WHAT with it", hint="e.g. `edition compare --since v1.0`")
        root = _root(edition)
        result = api.compare_since(root, since, options)
    else:
        if len(what) not in (2, 3):
            raise UsageError.at("compare takes DOC A B, FILE FILE or A B", hint="e.g. `edition compare DOC en en.2`, or --since REV")
        root = None
        if len(what) == 3 or edition is not None or not all(Path(w).is_file() for w in what):
            try:
                root = _root(edition)
            except EditionError:
                if len(what) == 3:
                    raise
        # JSON is written as the segments come: the first share while the
        # workers diff the rest.
        each = writer.segments if writer is not None else None
        result = api.compare(root, what[0], what[1], what[2] if len(what) == 3 else None, options=options, each=each)
    if writer is not None:
        writer.finish(result)
    elif format == "markdown":
        sys.stdout.write(formats.to_markdown(result, only_changed=not all_segments))
    elif format == "html":
        from .render import templates_dirs

        sys.stdout.write(formats.to_html(result, templates_dirs(root or Path.cwd())))
    else:
        colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        text = printable(formats.to_terminal(result, colour=colour, only_changed=not all_segments))
        for code in formats.COLOURS if colour else ():  # our own colours, and only they, stay codes
            text = text.replace(printable(code), code)
        sys.stdout.write(text)


@app.command()
@command
def collate(
    doc: DocArgument,
    witnesses: Annotated[list[str], typer.Argument(help="The layers to collate against the base.", metavar="WITNESS...")],
    base: Annotated[str, typer.Option(help="The base text's layer (the lemma comes from it).")],
    format: Annotated[Literal["term", "json", "tei"], typer.Option("--format", "-f", help="How to write the apparatus.")] = "term",
    trivial: Annotated[bool, typer.Option("--trivial/--no-trivial", help="Keep whitespace, punctuation and case variants.")] = True,
    edition: EditionOption = None,
):
    """An apparatus of variants: several versions against a base."""
    from . import api
    from . import cli_output

    document, apparatus = api.collate(_root(edition), doc, base, witnesses)
    if not trivial:
        apparatus = apparatus.without()
    if format == "tei":
        from .export.apparatus import collation_tei

        sys.stdout.buffer.write(collation_tei(document, apparatus))
    elif format == "json":
        print(json.dumps(cli_output.apparatus_json(apparatus), ensure_ascii=False, indent=2))
    else:
        from .collate import Lacuna, entry_text

        for place in apparatus.in_order([s.id for s in document.segments]):
            if isinstance(place, Lacuna):
                _line(f"{place.first:>5}  {place.span}] deest {' '.join(place.witnesses)}")
            else:
                _line(f"{place.segment:>5}  {entry_text(place)}")
        lacunae = f", {len(apparatus.lacunae)} lacunae" if apparatus.lacunae else ""
        _say(f"{len(apparatus.entries)} places of variation{lacunae}; witnesses: {base} (base), {', '.join(apparatus.witnesses)}")


@app.command()
@command
def names(
    edition: EditionOption = None,
    as_json: JsonOption = False,
):
    """The names register (names.yaml) with where each name occurs."""
    from . import api
    from . import cli_output

    ws = api.open_workspace(_root(edition))
    rows = cli_output.name_rows(ws)
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        where = ", ".join(f"{d} ({n})" for d, n in row["documents"].items()) or "— not found in any text"
        _line(f"{row['kind']:6} {row['name']:32} {row['occurrences']:>4}  {where}")


@app.command()
@command
def export(
    format: Annotated[
        Literal["tei", "json", "xliff", "docx"],
        typer.Argument(
            help="tei: TEI P5 XML, one file per document; json: the whole model; xliff: XLIFF 1.2 for CAT tools, one file per document; docx: a Word manuscript of the volume (or with --kit a translator's table).",
            metavar="tei|json|xliff|docx",
        ),
    ],
    docs: Annotated[
        Optional[list[str]], typer.Argument(help="Documents to export, each named as in `edition show` (default: all).", metavar="DOC...")
    ] = None,
    out: Annotated[
        Optional[Path],
        typer.Option(
            "--out",
            "-o",
            help="tei, xliff: the folder (default build/tei/, build/xliff/); json: the file (default: print); docx: the file (default build/edition.docx, a kit build/kit/DOC.LANG.docx).",
        ),
    ] = None,
    corpus: Annotated[bool, typer.Option("--corpus", help="tei: one teiCorpus file instead of one file per document.")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Write through an --out that is a symbolic link (never into a device or the edition's sources).")
    ] = False,
    source: Annotated[
        Optional[str],
        typer.Option("--source", help="xliff, docx --kit: the layer to translate from (a layer id, or a language: its newest revision)."),
    ] = None,
    target: Annotated[
        Optional[str], typer.Option("--target", help="xliff, docx --kit: the language to translate into (its existing text goes along).")
    ] = None,
    edition: EditionOption = None,
    kit: Annotated[
        bool,
        typer.Option(
            "--kit",
            help="docx: one document as a translator's kit, a table of segment ids, --source text and --target text, read back with `translation add DOC FILE.docx`.",
        ),
    ] = False,
):
    """Export documents as TEI, XLIFF, JSON or Word. TEI P5 XML gives one
    file per document; XLIFF 1.2 one per document for a translator's CAT
    tool (read back with `translation add DOC FILE.xlf`); JSON the whole
    model; docx the volume as a Word manuscript with real footnotes, or
    with --kit a translator's kit."""
    from . import api

    if corpus and format != "tei":
        raise UsageError.at("--corpus is for tei", hint="`edition export tei --corpus`")
    if kit and format != "docx":
        raise UsageError.at("--kit is for docx", hint="`edition export docx DOC --kit --source ru --target en`")
    if (source or target) and format != "xliff" and not kit:
        raise UsageError.at(
            "--source and --target are for xliff and a docx --kit", hint="`edition export xliff DOC --source ru --target en`"
        )
    if format == "docx":
        report = api.export_docx(_root(edition), docs or None, out, force=force, kit=kit, source=source, target=target)
        for warning in report.warnings:
            _say(f"warning: {warning}")
        what = "a translator's kit" if kit else "a Word manuscript"
        _say(f"exported {report.documents} document(s) as {what}: {report.written[0]}")
        return
    report = api.export(_root(edition), format, docs or None, out, corpus=corpus, force=force, source=source, target=target)
    if report.data is not None:
        sys.stdout.buffer.write(report.data)
        sys.stdout.flush()
        return
    where = report.written[0] if len(report.written) == 1 else report.written[0].parent if report.written else out
    _say(f"exported {report.documents} document(s) as {format}: {len(report.written)} file(s) in {where}")


@app.command()
@command
def log(
    doc: DocArgument,
    layer: Annotated[Optional[str], typer.Option("--layer", help="Only this layer's changes.")] = None,
    segment: Annotated[Optional[str], typer.Option("--segment", help="Only this segment's changes.", metavar="ID")] = None,
    edition: EditionOption = None,
    as_json: JsonOption = False,
):
    """The commits that changed a document's text. Each change is shown
    with its commit, author, date and a word diff, newest first (the
    edition's git history)."""
    from . import api
    from .diff import diff_words
    from .render.comparison import inline

    _, changes = api.history(_root(edition), doc, layer, segment)
    if as_json:
        print(json.dumps([dataclasses.asdict(c) for c in changes], ensure_ascii=False, indent=2))
        return
    shown = None
    for change in changes:
        if change.commit != shown:
            _line(f"{change.commit[:10]}  {change.date}  {change.author}  {change.subject}")
            shown = change.commit
        _line(f"  {change.segment} ({change.layer}): " + inline(diff_words(change.before or "", change.after or ""), colour=False))
    _say(f"{len({c.commit for c in changes})} commit(s), {len(changes)} change(s)")


@app.command()
@command
def review(
    doc: DocArgument,
    layer: Annotated[str, typer.Argument(help="The layer's id.")],
    segment: Annotated[
        Optional[list[str]], typer.Option("--segment", "-s", help="A segment to set (repeat, or separate ids by commas).", metavar="ID")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every segment of the layer that has text.")] = False,
    state: Annotated[Optional[str], typer.Option("--state", help="draft, reviewed or approved.")] = None,
    by: Annotated[Optional[str], typer.Option("--by", help="Who reviewed: stored with the state and the time.")] = None,
    comment: Annotated[Optional[str], typer.Option("--comment", help="A remark stored with the state.")] = None,
    list_: Annotated[bool, typer.Option("--list", help="Show each segment's state, reviewer, time and comment.")] = False,
    edition: EditionOption = None,
    as_json: JsonOption = False,
):
    """Record who checked which segments of a layer. A state is draft,
    reviewed or approved; --list shows them. A segment
    whose text changes after review is a draft again."""
    from . import api
    from . import cli_output
    from .model import REVIEW_STATES

    root = _root(edition)
    if list_:
        if segment or all_ or state or by or comment:
            raise UsageError.at("--list shows the states; it sets none", hint="run `edition review DOC LAYER --list` alone")
        document, found, states = api.review_states(root, doc, layer)
        if as_json:
            print(json.dumps(cli_output.review_json(document, found, states), ensure_ascii=False, indent=2))
            return
        for entry in states:
            record = entry.record
            if record is None:
                _line(f"{entry.segment:8} {entry.state:9}")
                continue
            was = f" (text changed since it was {record.state})" if entry.changed else ""
            remark = f"  {record.comment}" if record.comment else ""
            _line(f"{entry.segment:8} {entry.state:9} {record.by}, {record.at}{was}{remark}")
        counted = {name: sum(1 for e in states if e.state == name) for name in REVIEW_STATES}
        _say(f"{len(states)} segment(s): " + ", ".join(f"{n} {name}" for name, n in counted.items()))
        return
    if state is None:
        raise UsageError.at("which state? pass --state", hint=f"one of: {', '.join(REVIEW_STATES)}; or --list to see the states")
    if state not in REVIEW_STATES:
        raise UsageError.at(f"unknown review state '{state}'", hint=f"one of: {', '.join(REVIEW_STATES)}")
    if not by or not by.strip():
        raise UsageError.at("a review needs the reviewer's name", hint="pass --by NAME")
    if bool(segment) == all_:
        raise UsageError.at("name the segments with --segment ID, or pass --all", hint="`edition review DOC LAYER --list` shows them")
    ids = [part.strip() for item in segment or [] for part in item.split(",") if part.strip()] if segment else None
    chosen, written = api.set_review(root, doc, layer, state, by, segments=ids, comment=comment)
    _say(f"set {len(chosen)} segment(s) of layer '{layer}' to {state} ({by.strip()}); wrote {', '.join(str(p) for p in written)}")


@app.command()
@command
def status(edition: EditionOption = None, as_json: JsonOption = False):
    """What is left to translate and to review. Per document and layer: the
    segments translated, review states,
    alignments flagged, notes whose anchors are lost, terminology issues;
    then the edition's totals. Errors in the files are reported and make the
    exit status 1, but the board shows what could be read."""
    from . import api

    root = _root(edition)
    board, errors = api.status(root)
    _report(errors)
    if errors:
        _say(f"{root}: {len(errors)} error(s); the board shows what could be read")
    if as_json:
        print(json.dumps(board.as_json(), ensure_ascii=False, indent=2))
    else:
        _status_table(board)
    if errors:
        raise typer.Exit(1)


def _status_table(board) -> None:
    """The board as a table: a line per document, then one per layer."""

    def figures(translated: int, segments: int, review: dict, flagged: int, lost: int, terms: int) -> str:
        counts = (review["draft"], review["reviewed"], review["approved"], flagged, lost, terms)
        return f"{f'{translated}/{segments}':>10} " + " ".join(f"{n:>8}" for n in counts)

    _line(f"{'':44} {'translated':>10} " + " ".join(f"{h:>8}" for h in ("draft", "reviewed", "approved", "flagged", "lost", "terms")))
    for doc in board.documents:
        _line(f"{doc.number:>3}  {doc.id}")
        for row in doc.layers:
            name = f"{row.layer} ({row.lang}{', original' if row.role == 'original' else ''})"
            _line(f"     {name[:39]:39} " + figures(row.translated, row.segments, row.review, row.flagged, row.lost_notes, row.terminology))
    t = board.totals
    _line(
        f"{f'total: {t.documents} document(s), {t.layers} translation(s)':44} "
        + figures(t.translated, t.segments, t.review, t.flagged, t.lost_notes, t.terminology)
    )


translation_app = typer.Typer(help="Add, review, list and remove translations of a document.", no_args_is_help=True, rich_markup_mode=None)
note_app = typer.Typer(help="Footnotes, glosses, translator's and archival notes.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(translation_app, name="translation")
app.add_typer(note_app, name="note")


def _first_words(text: str, width: int = 38) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


@translation_app.command("add")
@command
def translation_add(
    doc: DocArgument,
    file: Annotated[
        Path,
        typer.Argument(
            help="The translation: .txt, .md (front matter allowed), .docx, or .xlf (XLIFF from a CAT tool); XLIFF and a translator's kit (.docx from `export docx --kit`) are read by segment ids.",
            metavar="FILE",
        ),
    ],
    lang: Annotated[Optional[str], typer.Option(help="Its language code (en, ru, de …).")] = None,
    translator: Annotated[Optional[str], typer.Option(help="Who translated it.")] = None,
    from_: Annotated[Optional[str], typer.Option("--from", help="The layer or language it was translated from.")] = None,
    revises: Annotated[Optional[str], typer.Option(help="The layer this text revises (keeps it; adds en.2 …).")] = None,
    layer: Annotated[Optional[str], typer.Option(help="The new layer's id (default: the language, or en.2 …).")] = None,
    description: Annotated[Optional[str], typer.Option(help="What this layer is, for readers.")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Replace a layer with the same id.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Align and report; store nothing.")] = False,
    edition: EditionOption = None,
    as_json: JsonOption = False,
):
    """Align a translation's paragraphs to the segments and store it. An
    XLIFF file from a CAT tool is read by segment ids, with no alignment."""
    from . import api
    from . import cli_output

    result, path = api.add_translation(
        _root(edition), doc, file, lang=lang, translator=translator, translated_from=from_, revises=revises,
        layer_id=layer, description=description, replace=replace, dry_run=dry_run,
    )  # fmt: skip
    if as_json:
        print(json.dumps(cli_output.alignment_json(result), ensure_ascii=False, indent=2))
    else:
        for pair in sorted(result.pairs, key=lambda p: not p.flagged):
            mark = "REVIEW" if pair.flagged else "ok"
            segs = "+".join(pair.segments) or "—"
            paras = "+".join(f"¶{j}" for j in pair.paragraphs) or "—"
            _line(f"{mark:6} {pair.confidence:4.2f}  {segs:>9} {_first_words(pair.base_text):38}  {paras:>7} {_first_words(pair.new_text)}")
    for warning in result.warnings:
        _say(f"warning: {warning}")
    flagged = len(result.flagged)
    summary = f"{len(result.pairs)} pairs, {flagged} to review, {len(result.notes)} notes"
    if getattr(result, "states", None) is not None:  # XLIFF: units by id, no alignment
        summary = f"{len(result.pairs)} units by id ({len(result.merged)} merged into the one before), {len(result.untranslated)} left untranslated, {len(result.notes)} translator's notes"
    _say(
        f"would add layer '{result.layer.id}': {summary} (dry run: nothing stored)"
        if dry_run
        else f"added layer '{result.layer.id}' in {path}: {summary}"
    )


@translation_app.command("review")
@command
def translation_review(
    doc: DocArgument,
    layer: Annotated[str, typer.Argument(help="The translation layer's id.", metavar="LAYER")],
    move: Annotated[Optional[str], typer.Option("--move", help="Move this segment's text …", metavar="SEGMENT")] = None,
    to: Annotated[Optional[str], typer.Option("--to", help="… to this segment.", metavar="SEGMENT")] = None,
    split: Annotated[
        Optional[str], typer.Option("--split", help="Cut this segment's text; the rest goes to the next segment …", metavar="SEGMENT")
    ] = None,
    after: Annotated[Optional[str], typer.Option("--after", help="… after these words.", metavar="PHRASE")] = None,
    occurrence: Annotated[int, typer.Option(min=1, help="Which instance of the --after words.")] = 1,
    merge: Annotated[
        Optional[str], typer.Option("--merge", help="Join this segment's text to the segment before.", metavar="SEGMENT")
    ] = None,
    untranslated: Annotated[
        Optional[str], typer.Option("--untranslated", help="Mark this segment as not translated.", metavar="SEGMENT")
    ] = None,
    edition: EditionOption = None,
    as_json: JsonOption = False,
):
    """The pairs of an alignment side by side, weakest first. Or fix one
    pair (--move … --to, --split … --after, --merge, --untranslated): a
    fixed pair is pinned, and `translation add --replace` keeps it."""
    from . import api

    root = _root(edition)
    fixes = [(name, seg) for name, seg in (("move", move), ("split", split), ("merge", merge), ("untranslated", untranslated)) if seg]
    if len(fixes) > 1:
        raise UsageError.at("one fix at a time", hint="run the command once for each fix")
    if fixes:
        ((fix, segment),) = fixes
        written = api.fix_alignment(root, doc, layer, fix, segment, to=to, after=after, occurrence=occurrence)
        _say(f"fixed {segment} in layer '{layer}' ({fix}); wrote {', '.join(str(p) for p in written)}")
    document, pairs = api.review_translation(root, doc, layer)
    if as_json:
        print(json.dumps([dataclasses.asdict(p) for p in pairs], ensure_ascii=False, indent=2))
        return
    for pair in pairs:
        mark = "fixed" if pair.pinned else "REVIEW" if pair.flagged or not pair.agrees else "ok"
        segs = "+".join(pair.segments)
        print(f"{mark:6} {pair.confidence:4.2f}  {segs:>9} {_first_words(pair.base_text):38}  {_first_words(pair.text)}")
    weak = sum(1 for p in pairs if not p.pinned and (p.flagged or not p.agrees))
    _say(f"{len(pairs)} pairs, {weak} to review")


@translation_app.command("list")
@command
def translation_list(doc: DocArgument, edition: EditionOption = None, as_json: JsonOption = False):
    """The layers of a document with their provenance."""
    from . import api
    from . import cli_output

    ws = api.open_workspace(_root(edition))
    rows = cli_output.layer_rows(ws, ws.document(doc))
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        facts = ", ".join(f"{k} {row[k]}" for k in ("translator", "from", "revises") if row.get(k))
        if row["coverage"] is not None:
            runs = ", ".join(first if first == last else f"{first}–{last}" for first, last in row["coverage"])
            facts = ", ".join(filter(None, [f"in part: {runs}", facts]))
        _line(
            f"{row['id']:8} {row['lang']:4} {row['role']:12} {row['segments']:>4}/{row['of']} segments {row['notes']:>3} notes  {facts}  [{row['file']}]"
        )


@translation_app.command("show")
@command
def translation_show(
    doc: DocArgument, layer: Annotated[str, typer.Argument(help="The layer's id.", metavar="LAYER")], edition: EditionOption = None
):
    """One layer of a document as readable text with its notes."""
    from . import api

    ws = api.open_workspace(_root(edition))
    sys.stdout.write(printable(api.reading_text(ws.document(doc), layer)))


@translation_app.command("remove")
@command
def translation_remove(
    doc: DocArgument,
    layer: Annotated[str, typer.Argument(help="The layer's id.", metavar="LAYER")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    edition: EditionOption = None,
):
    """Remove a translation layer and the notes anchored in it."""
    from . import api

    root = _root(edition)
    if not yes:
        ws = api.open_workspace(root)
        document = ws.document(doc)
        notes = [n for n in document.notes if n.anchor and n.anchor.layer == layer]
        if not sys.stdin.isatty() and not os.environ.get("EDITION_ASSUME_TTY"):
            _say(f"refusing to remove layer '{layer}' of {doc} without confirmation; pass --yes")
            raise typer.Exit(2)
        if not typer.confirm(f"Remove layer '{layer}' of {doc} and its {len(notes)} note(s)?", err=True):
            _say("nothing removed")
            raise typer.Exit(1)
    removed, notes, path = api.remove_translation(root, doc, layer)
    _say(f"removed layer '{removed.id}' ({removed.lang}, {removed.translator or 'no translator'}) and {len(notes)} note(s): {path}")


@note_app.command("add")
@command
def note_add(
    doc: DocArgument,
    layer: Annotated[str, typer.Option(help="The layer whose words the note is anchored to.")],
    segment: Annotated[str, typer.Option(help="The segment id (or title, date).")],
    at: Annotated[str, typer.Option(help="The quoted phrase the note's call follows.")],
    text: Annotated[str, typer.Option(help="The note's text.")],
    kind: Annotated[NoteKindName, typer.Option(help="What sort of note.")] = "footnote",
    occurrence: Annotated[Optional[int], typer.Option(help="Which instance of the phrase, when it occurs more than once.")] = None,
    note_id: Annotated[Optional[str], typer.Option("--id", help="The note's id (default: n1, g1, t1, a1 …).")] = None,
    edition: EditionOption = None,
):
    """Add a note anchored to a phrase of a layer's segment."""
    from . import api

    note, paths = api.add_note(
        _root(edition), doc, layer=layer, segment=segment, phrase=at, text=text, kind=kind, occurrence=occurrence, note_id=note_id
    )
    _say(f"added {note.kind.value} '{note.id}' after '{note.anchor.phrase}' in {segment} ({', '.join(map(str, paths))})")


@note_app.command("list")
@command
def note_list(doc: DocArgument, edition: EditionOption = None, as_json: JsonOption = False):
    """The notes of a document, with where each is anchored. Broken anchors
    are listed too: that is when an editor needs this list."""
    from . import cli_output
    from .store import load_workspace

    ws = load_workspace(_root(edition))
    _report(ws.problems)
    rows = cli_output.note_rows(ws.document(doc))
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    for row in rows if not as_json else []:
        where = f"{row['layer']}:{row['at']} after '{row['phrase']}'" if row["at"] else "whole document"
        _line(f"{row['id']:10} {row['kind']:10} {row['status']:11} {where:40}  {_first_words(row['text'], 50)}")
    if ws.errors:
        raise typer.Exit(1)


@note_app.command("remove")
@command
def note_remove(
    doc: DocArgument, note: Annotated[str, typer.Argument(help="The note's id.", metavar="NOTE")], edition: EditionOption = None
):
    """Remove one note."""
    from . import api

    removed, paths = api.remove_note(_root(edition), doc, note)
    _say(f"removed {removed.kind.value} '{removed.id}': {removed.text[:60]}")


class _progress_bar:
    """A progress bar on stderr for builds that take more than a moment:
    it appears after `delay` seconds, on a terminal only, and is gone when
    the build ends (the messages stay plain for logs and pipes)."""

    def __init__(self, delay: float = 1.5):
        import time

        self.clock = time.monotonic
        self.started = self.clock()
        self.delay = delay
        self.bar: Any = None  # a rich Progress, made when first shown
        self.task: Any = None
        self.shown = sys.stderr.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"

    def __enter__(self):
        return self

    def __call__(self, stage: str, done: int, total) -> None:
        if not self.shown or self.clock() - self.started < self.delay:
            return
        if self.bar is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True, highlight=False),
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task(stage, total=total)
        self.bar.update(self.task, description=stage, completed=done, total=total)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()


terms_app = typer.Typer(
    help="The terminology base. Each term of terms.yaml is checked in every translation.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(terms_app, name="terms")


def _term_base(edition: Path | None):
    """The workspace and the check of its terms.yaml; its problems (and a
    missing file) stop the command with exit 1."""
    from . import api
    from .terms import TERMS_FILE, check

    ws = api.open_workspace(_root(edition))
    path = ws.root / TERMS_FILE
    own = [p for p in ws.problems if p.path is not None and Path(p.path) == path]
    if own:
        raise EditionError(*own)
    if not path.exists():
        raise EditionError.at(
            f"no {TERMS_FILE} in this edition",
            path,
            hint="write one beside names.yaml: `lang: ru` and `terms:`, each with `term:`, `preferred: {en: …}`, `avoid:` and `note:`",
        )
    return ws, check(ws.edition, ws.terms)


@terms_app.command("check")
@command
def terms_check(edition: EditionOption = None, as_json: JsonOption = False):
    """Check every term in the translations. Each segment whose translation
    misses a term's preferred rendering or uses one to avoid is listed at its
    line in the layer's file; exit 1 if any."""
    from .doctor import segment_place, term_problems

    ws, result = _term_base(edition)
    problems = term_problems(ws, result)
    notes = [p for p in problems if p.severity == "note"]
    _report(notes)
    if as_json:
        rows = []
        for breach in result.breaches:
            path, line, _ = segment_place(ws, breach.document, breach.layer, breach.segment)
            rows.append({"file": str(path) if path else None, "line": line, **dataclasses.asdict(breach)})
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for problem in problems:
            if problem.severity != "note":
                _line(f"{problem.path}:{problem.line}: {problem.message}" if problem.line else f"{problem.path}: {problem.message}")
    segments = len({(r.document, r.layer, r.segment) for r in result.renderings})
    _say(f"{len(ws.terms.terms)} term(s), {len(result.occurrences)} occurrence(s) in {segments} translated segment(s): "
         f"{len(result.breaches)} breach(es)")  # fmt: skip
    if result.breaches:
        raise typer.Exit(1)


@terms_app.command("list")
@command
def terms_list(edition: EditionOption = None, as_json: JsonOption = False):
    """Count each term. Its occurrences in the source texts are listed with
    the renderings met in their translations."""
    from .terms import term_rows

    ws, result = _term_base(edition)
    rows = term_rows(ws.terms, result)
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        preferred = "; ".join(f"{lang}: {', '.join(r)}" for lang, r in row["preferred"].items())
        _line(f"{row['term']} ({row['lang']}) → {preferred or '—'}: {row['occurrences']} occurrence(s) in {row['documents']} document(s)")
        for lang, counts in row["renderings"].items():
            _line(f"    {lang}: " + ", ".join(f"{r} ({n})" for r, n in sorted(counts.items(), key=lambda kv: -kv[1])))


def _console():
    from rich.console import Console

    return Console(no_color=bool(os.environ.get("NO_COLOR")), highlight=False, markup=False, soft_wrap=False)


def main() -> None:
    # A terminal or pipe that is not UTF-8 (PYTHONIOENCODING=ascii, an old
    # locale) gets the letters it cannot show as escapes, not a traceback.
    for stream in (sys.stdout, sys.stderr):
        if (getattr(stream, "encoding", None) or "utf-8").lower().replace("-", "") != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    app()


if __name__ == "__main__":
    main()
