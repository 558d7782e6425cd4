"""The `edition` command: a thin typer face over the library in `api`.
Data goes to stdout, messages to stderr; errors exit 1 (the user's files)
or 2 (the command line)."""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import api
from .errors import EditionError, Problem
from .store import find_root

app = typer.Typer(
    help="Critical editions of translated archival documents.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
)

EditionOption = Annotated[
    Optional[Path],
    typer.Option("--edition", "-C", help="The edition's folder (default: the nearest folder with an edition.yaml)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _say(message: str) -> None:
    """A message for the person at the terminal (stderr, never markup)."""
    print(message, file=sys.stderr)


def _report(problems: list[Problem]) -> None:
    for problem in problems:
        _say(str(problem))


def command(func):
    """Turn EditionErrors into compiler-style messages and exit codes."""

    @functools.wraps(func)
    def run(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except EditionError as exc:
            _report(exc.problems)
            raise typer.Exit(exc.exit_code) from None

    return run


def _root(edition: Path | None) -> Path:
    return find_root(edition) if edition else find_root()


@app.command()
@command
def init(
    folder: Annotated[Path, typer.Argument(help="Where to make the edition.")] = Path("."),
    title: Annotated[str, typer.Option(help="The volume's title.")] = "Untitled edition",
    editor: Annotated[Optional[list[str]], typer.Option(help="An editor's name (repeat for several).")] = None,
):
    """Make a new edition: edition.yaml, seeds/ and translations/."""
    path = api.init(folder, title, editor or [])
    _say(f"made {path}")


@app.command("import")
@command
def import_(
    files: Annotated[list[Path], typer.Argument(help="Source files: plain text (.txt).")],
    lang: Annotated[str, typer.Option(help="Language of the text, when the file does not say.")] = "en",
    replace: Annotated[bool, typer.Option(help="Overwrite documents that already exist.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be imported; write nothing.")] = False,
    edition: EditionOption = None,
    as_json: JsonOption = False,
):
    """Import documents from source files into the edition's seeds/."""
    report = api.import_files(_root(edition), files, lang=lang, replace=replace, dry_run=dry_run)
    for warning in report.warnings:
        _say(f"warning: {warning}")
    if as_json:
        print(json.dumps([api.document_row(d) for d in report.documents], ensure_ascii=False, indent=2))
    verb = "would import" if dry_run else "imported"
    for doc in report.documents:
        _say(f"{verb} {doc.id}: {len(doc.segments)} segments, {len(doc.notes)} notes")


@app.command("list")
@command
def list_(edition: EditionOption = None, as_json: JsonOption = False):
    """The documents in order: id, date, title, layers, notes."""
    ws = api.open_workspace(_root(edition))
    rows = [api.document_row(d) for d in ws.edition.documents]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, header_style="bold")
    for name in ("id", "date", "title", "layers", "notes"):
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(row["id"], row["date"] or "", row["title"], ", ".join(row["layers"]), str(row["notes"]))
    _console().print(table)


@app.command()
@command
def show(
    doc: Annotated[str, typer.Argument(help="The document's id (see `edition list`).")],
    layer: Annotated[Optional[str], typer.Option(help="Which layer to show (default: the main translation).")] = None,
    edition: EditionOption = None,
    as_json: JsonOption = False,
):
    """A document as readable text with its notes, or as JSON."""
    ws = api.open_workspace(_root(edition))
    document = ws.document(doc)
    if as_json:
        print(json.dumps(api.document_json(document), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(api.reading_text(document, layer))


@app.command()
@command
def validate(edition: EditionOption = None):
    """Check every file of the edition and list all problems at once."""
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
def build(
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="The PDF to write (default: build/edition.pdf).")] = None,
    html: Annotated[Optional[Path], typer.Option(help="Also write the volume as one HTML file.")] = None,
    edition: EditionOption = None,
):
    """Build the print-ready PDF of the edition."""
    root = _root(edition)
    _say("laying out the volume…")
    path, report = api.build(root, out, html=html)
    for warning in report.warnings:
        _say(f"warning: {warning}")
    _say(f"wrote {path} ({report.pages} pages)")


def _console():
    from rich.console import Console

    return Console(no_color=bool(os.environ.get("NO_COLOR")), highlight=False, markup=False, soft_wrap=False)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
