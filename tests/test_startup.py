"""Start-up stays light: `edition --help` and `edition list` must not load
the PDF renderer, the diff engine, the importers' parsers, nor pydantic
(typer 0.29 parses options through it: pyproject.toml keeps typer below).
What was loaded is read from `sys.modules` in a fresh interpreter; speed
itself is measured by benchmarks/bench_store.py, not here."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import REPO

HEAVY = ("weasyprint", "edition.diff", "diff_match_patch", "lxml", "docx", "pydantic", "edition.render", "translate")

PROBE = """
import json, sys
from edition.cli import main
sys.argv = ["edition", *sys.argv[1:]]
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def _run(*args: str) -> tuple[int, set[str], str]:
    """Run the CLI's main in a new interpreter: exit code, modules, stdout."""
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=REPO, capture_output=True, text=True, timeout=60)
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return report["code"], set(report["modules"]), done.stdout


def _loaded(modules: set[str], name: str) -> bool:
    return any(m == name or m.startswith(name + ".") for m in modules)


@pytest.mark.parametrize("args", [("--help",), ("list", "-C", str(REPO)), ("list", "--json", "-C", str(REPO))])
def test_startup_leaves_heavy_modules_unloaded(args):
    code, modules, out = _run(*args)
    assert code == 0
    assert out.strip()
    assert [name for name in HEAVY if _loaded(modules, name)] == []


def test_help_loads_nothing_of_the_library():
    code, modules, _ = _run("--help")
    assert code == 0
    assert not {"edition.api", "edition.store", "edition.model", "yaml"} & modules


def test_package_names_load_on_first_use():
    done = subprocess.run(
        [sys.executable, "-c", "import sys, edition; a = 'edition.store' in sys.modules; edition.load; print(a, 'edition.store' in sys.modules)"],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.stdout.split() == ["False", "True"]
