"""The project's conventions, kept by tests: a version to ask for, shell
completion, choice options that list their values, help that reads well
at 80 columns, a licence and a changelog that agree with pyproject.toml,
comments that explain without issue numbers, and ruff's lint and format and
mypy clean."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
import typing
from importlib.metadata import version

import pytest
import typer

from edition import cli as cli_module
from edition.cli import app
from edition.model import LAYOUTS, PDF_VARIANTS, NoteKind

from .conftest import REPO

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _commands(group=None, path=()):
    """Every command of the app with the words that call it."""
    group = group or typer.main.get_command(app)
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield (*path, name), command
            yield from _commands(command, (*path, name))
        else:
            yield (*path, name), command


COMMANDS = sorted(words for words, _ in _commands())


def test_version_is_the_package_version(cli):
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout == f"edition {version('edition')}\n"
    assert version("edition") == PYPROJECT["project"]["version"]


def test_version_from_the_installed_command():
    done = subprocess.run([sys.executable, "-m", "edition.cli", "--version"], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"edition {PYPROJECT['project']['version']}\n", "")


def test_shell_completion_is_offered(cli, runner, monkeypatch):
    assert "--install-completion" in cli("--help").stdout
    # typer asks which shell runs the tests (shellingham); CI's is `sh`, which
    # has no completion: answer bash, the shell whose script is checked.
    shellingham = pytest.importorskip("shellingham")
    monkeypatch.setattr(shellingham, "detect_shell", lambda *args, **kwargs: ("bash", "/bin/bash"))
    result = runner.invoke(app, ["--show-completion", "bash"], prog_name="edition")
    assert result.exit_code == 0, result.output
    assert "_EDITION_COMPLETE=complete_bash" in result.stdout
    assert "complete -o default -F _edition_completion edition" in result.stdout


@pytest.mark.parametrize("words, expected", [("edition bu", "build"), ("edition build --layout pa", "parallel"), ("edition note add DOC --kind gl", "gloss")])
def test_the_shell_completes_commands_and_choices(words, expected):
    """What bash asks the installed command for when tab is pressed."""
    env = {**os.environ, "_EDITION_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1)}
    command = os.path.join(os.path.dirname(sys.executable), "edition")
    if not os.path.exists(command):
        pytest.skip("the edition command is not installed next to this Python")
    done = subprocess.run([command], env=env, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout.split()) == (0, [expected]), done.stderr


@pytest.mark.parametrize(
    "command, option, values",
    [
        (("build",), "--layout", LAYOUTS),
        (("site",), "--layout", LAYOUTS),
        (("build",), "--pdf-variant", PDF_VARIANTS),
        (("compare",), "--format", ("term", "html", "json", "markdown")),
        (("collate",), "--format", ("term", "json", "tei")),
        (("note", "add"), "--kind", tuple(kind.value for kind in NoteKind)),
    ],
)
def test_choice_options_list_their_values(cli, command, option, values):
    """The help shows the values (the model's own tables), and a value
    outside them is a wrong command line that names them."""
    help_text = cli(*command, "--help").stdout
    assert f"{option} <{'|'.join(values)}>" in help_text
    result = cli(*command, *(["DOC"] if command == ("note", "add") else []), option, "sideways")
    assert result.exit_code == 2
    assert f"'sideways' is not one of {', '.join(repr(v) for v in values)}" in result.stderr


def test_the_export_format_is_a_choice(cli):
    assert " export [OPTIONS] {tei|json|xliff|docx} [DOC...]\n" in cli("export", "--help").stdout
    result = cli("export", "pdf")
    assert result.exit_code == 2 and "'pdf' is not one of 'tei', 'json', 'xliff'" in result.stderr


def test_the_clis_choices_are_the_models():
    assert typing.get_args(cli_module.Layout) == LAYOUTS
    assert typing.get_args(cli_module.PdfVariant) == PDF_VARIANTS
    assert typing.get_args(cli_module.NoteKindName) == tuple(kind.value for kind in NoteKind)


@pytest.mark.parametrize("words", [(), *COMMANDS], ids=lambda w: " ".join(w) or "edition")
def test_help_reads_well_at_80_columns(runner, monkeypatch, words):
    monkeypatch.setenv("COLUMNS", "80")
    result = runner.invoke(app, [*words, "--help"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line for line in lines if len(line) > 80] == []
    # No sentence cut short: neither click's "..." nor rich's "…" ends a
    # line right after a word (" …" leads on to the next option on purpose).
    assert [line for line in lines if re.search(r"\w(\.\.\.|…)$", line) and not line.startswith("Usage:")] == []
    # The docstring reads as one paragraph, not with its source's line breaks.
    command = dict(_commands()).get(words)
    if command is not None and command.help:
        said = " ".join(command.help.split())
        assert said in " ".join(result.stdout.split())
        first = result.stdout.split("\n\n")[1]
        assert " ".join(first.split()) == said


def test_licence_and_changelog_agree_with_pyproject():
    assert PYPROJECT["project"]["license"] == {"text": "MIT"}
    licence = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License\n") and "Copyright (c) 2026 the edition project" in licence
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[([^\]]+)\]", changelog, flags=re.M)
    assert headings[0] == "Unreleased"
    assert PYPROJECT["project"]["version"] in headings


def test_no_comment_cites_an_issue_number():
    """A reader cannot look an issue number up: comments say why instead.
    (An upstream project's issue, as WeasyPrint#1833, names where to look.)"""
    cited = re.compile(r"\bissues? \d|(?<![\w/&])#\d", re.I)
    found = [
        f"{path.relative_to(REPO)}:{number}: {line.strip()}"
        for folder in ("edition", "tests")
        for path in sorted((REPO / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if cited.search(line) and path.name != "test_conventions.py"
    ]
    assert found == []


def _ruff() -> list[str]:
    """How to run ruff here: the dev extra installs it."""
    if shutil.which("ruff", path=os.path.dirname(sys.executable)):
        return [os.path.join(os.path.dirname(sys.executable), "ruff")]
    try:
        import ruff  # noqa: F401
    except ImportError:
        pytest.fail("ruff is not installed: `pip install -e '.[dev]'`")
    return [sys.executable, "-m", "ruff"]


def test_ruff_lint_is_clean_on_the_library():
    done = subprocess.run([*_ruff(), "check", "--no-cache", "edition"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_leaves_the_library_as_it_is():
    done = subprocess.run([*_ruff(), "format", "--check", "--no-cache", "edition"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, "run `ruff format edition`:\n" + done.stdout + done.stderr


def test_the_library_holds_no_rows_of_the_command_line():
    """Table rows and JSON shapes that only the commands print live beside
    them (edition/cli_output.py); the library returns the model and reports."""
    from edition import api, cli_output

    shapes = {name for name in vars(api) if re.search(r"_rows?$|_json$", name)}
    assert shapes == {"document_json"}  # the export's own JSON, part of the Python API
    assert {"document_row", "import_row", "layer_rows", "note_rows", "name_rows", "apparatus_json"} <= set(vars(cli_output))


@pytest.mark.slow
def test_mypy_is_clean_on_the_library(tmp_path):
    """One mypy run over edition/ (pyproject.toml's configuration), from a
    cold cache so that what it says does not depend on an earlier run."""
    try:
        import mypy  # noqa: F401
    except ImportError:
        pytest.fail("mypy is not installed: `pip install -e '.[dev]'`")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "mypy-cache")],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
