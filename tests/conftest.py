"""Shared fixtures: the seed sources, fresh editions in temporary folders,
and a helper that snapshots every file so tests can prove nothing changed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from edition import api
from edition.cli import app

REPO = Path(__file__).resolve().parents[1]
SOURCES = REPO / "seeds" / "sources"
SHARED = REPO.parent / "shared"
# Real outside material (FRUS, UDHR, Wilson Center pages, published
# translations): CI has ../shared beside the checkout; a lone clone has not,
# and the tests that need it skip — except under CI, where they must run.
SHARED_DATA = SHARED / "data"
REAL = SHARED_DATA / "real"
NO_SHARED_DATA = f"needs the real material in {SHARED_DATA} (../shared/data beside the checkout; CI has it)"
GOLDEN = Path(__file__).parent / "golden"
# Refresh golden files with: EDITION_REFRESH_GOLDEN=1 .venv/bin/python -m pytest
REFRESH = os.environ.get("EDITION_REFRESH_GOLDEN") == "1"


# Property tests draw the same examples on every run, so that a red suite is
# red again for whoever runs it; EDITION_HYPOTHESIS=explore draws new ones.
settings.register_profile("fixed", derandomize=True, database=None, print_blob=True)
settings.register_profile("explore", print_blob=True)
settings.load_profile(os.environ.get("EDITION_HYPOTHESIS", "fixed"))


def pytest_configure(config):
    config.addinivalue_line("markers", "shared_data: the test reads ../shared/data (skipped without it, outside CI)")
    config.addinivalue_line("markers", "slow: the test runs a whole tool over the code (seconds); `-m 'not slow'` leaves it out")


def pytest_runtest_setup(item):
    if item.get_closest_marker("shared_data") is not None:
        require_shared_data()


def require_shared_data() -> Path:
    """The shared data folder, or a skip with one reason (a failure under CI,
    which must run every test)."""
    if not SHARED_DATA.is_dir():
        if os.environ.get("CI"):
            pytest.fail(NO_SHARED_DATA)
        pytest.skip(NO_SHARED_DATA)
    return SHARED_DATA


@pytest.fixture
def shared_data() -> Path:
    """../shared/data; tests that use it skip without it (one reason)."""
    return require_shared_data()


@pytest.fixture
def real_data(shared_data) -> Path:
    """../shared/data/real: Wilson Center pages, FRUS fragments, pairs, versions."""
    return shared_data / "real"


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


def copy_sample(root: Path) -> Path:
    """A copy of the repository's sample edition (edition.yaml, names.yaml,
    seeds/, translations/) in `root`, made for a test to change."""
    import shutil

    root.mkdir(parents=True, exist_ok=True)
    for name in ("edition.yaml", "names.yaml"):
        shutil.copy(REPO / name, root / name)
    for name in ("seeds", "translations"):
        shutil.copytree(REPO / name, root / name)
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root (but the lock file) with its bytes."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".edition.lock"
    }
