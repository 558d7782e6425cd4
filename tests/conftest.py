"""Shared fixtures: the seed sources, fresh editions in temporary folders,
and a helper that snapshots every file so tests can prove nothing changed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from edition import api
from edition.cli import app

REPO = Path(__file__).resolve().parents[1]
SOURCES = REPO / "seeds" / "sources"
SHARED = REPO.parent / "shared"
GOLDEN = Path(__file__).parent / "golden"
# Refresh golden files with: EDITION_REFRESH_GOLDEN=1 .venv/bin/python -m pytest
REFRESH = os.environ.get("EDITION_REFRESH_GOLDEN") == "1"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def cli(runner, monkeypatch):
    """Run `edition ARGS…` in-process; returns the typer Result."""
    monkeypatch.setenv("NO_COLOR", "1")

    def run(*args: str):
        return runner.invoke(app, [str(a) for a in args])

    return run


@pytest.fixture
def sample(tmp_path) -> Path:
    """A new edition with both seed files imported (three documents)."""
    root = tmp_path / "sample"
    api.init(root, "Sample", ["An Editor"])
    api.import_files(root, sorted(SOURCES.glob("*.txt")))
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root (but the lock file) with its bytes."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".edition.lock"
    }
