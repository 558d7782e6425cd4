"""Editions outlive releases: an edition made before the schema was
recorded (schema 1, kept byte for byte in tests/fixtures/edition-v1/)
loads, validates and builds unchanged; a read-only command changes none of its bytes; a command
that writes first brings an older edition to the current schema
(`store.migrate`); an edition made by a newer release is refused."""

from __future__ import annotations

import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pypdf
import pytest

from edition import store

from .conftest import snapshot

FIXTURE = Path(__file__).parent / "fixtures" / "edition-v1"
MEMO = "1953-06-26-secret-memorandum-secretary-moscow"


@pytest.fixture
def v1(tmp_path):
    """A copy of the schema-1 edition to work on (the fixture itself stays as it is)."""
    root = tmp_path / "v1"
    shutil.copytree(FIXTURE, root)
    return root


def _sources(root):
    """The edition's own files (not what a build writes under build/)."""
    return {name: data for name, data in snapshot(root).items() if not name.startswith("build/")}


def test_the_fixture_is_a_whole_edition_without_a_schema():
    text = (FIXTURE / "edition.yaml").read_text(encoding="utf-8")
    assert "schema" not in text
    assert sorted(snapshot(FIXTURE)) == sorted(
        ["edition.yaml", "names.yaml"]
        + [f"seeds/{p.name}" for p in (FIXTURE / "seeds").glob("*.yaml")]
        + [str(p.relative_to(FIXTURE)) for p in (FIXTURE / "translations").rglob("*") if p.is_file()]
    )


def test_an_edition_without_schema_is_schema_1_and_loads_without_problems(v1):
    ws = store.load_workspace(v1)
    assert ws.problems == []
    assert len(ws.edition.documents) == 3
    assert ws.edition.title.startswith("Voices from Below")
    assert {layer.id for layer in ws.edition.document(MEMO).layers} == {"en", "de"}
    tree, _ = store.yamlio.load(v1 / "edition.yaml")
    assert store.schema_of(tree, v1 / "edition.yaml") == 1


def test_rewriting_a_schema_1_edition_changes_only_the_schema_line(v1):
    before = _sources(v1)
    ws = store.load_workspace(v1)
    for doc in ws.edition.documents:
        store.write_document(v1, doc, replace=True, files=ws.files[doc.id])
    store.write_edition_file(v1, ws.edition, replace=True)
    after = _sources(v1)
    assert after.pop("edition.yaml") == before.pop("edition.yaml") + b"schema: 1\n"
    assert after == before


def test_read_only_commands_change_no_byte_and_validate_and_build(v1, cli, tmp_path):
    before = _sources(v1)
    for args in (("validate",), ("doctor",), ("list", "--json"), ("show", MEMO), ("names",), ("export", "json")):
        result = cli(*args, "-C", v1)
        assert result.exit_code == 0, (args, result.output)
    assert "valid (0 warning(s))" in cli("validate", "-C", v1).stderr
    out = tmp_path / "v1.pdf"
    result = cli("build", "-C", v1, "-o", out)
    assert result.exit_code == 0, result.output
    text = unicodedata.normalize("NFC", " ".join(page.extract_text() for page in pypdf.PdfReader(out).pages))
    assert "Voices from Below" in text
    for doc in store.load_workspace(v1).edition.documents:
        assert " ".join(doc.title.split()[:3]) in " ".join(text.split()), doc.title
    assert _sources(v1) == before


def test_migrate_leaves_a_current_edition_alone(v1):
    before = snapshot(v1)
    assert store.migrate(v1) == 1
    assert snapshot(v1) == before


def test_migrate_runs_each_step_from_the_editions_schema_and_keeps_comments(v1, monkeypatch):
    ran = []

    def step(n):
        def run(root):
            ran.append((n, root))
            (root / "names.yaml").write_text((root / "names.yaml").read_text(encoding="utf-8") + f"# step {n}\n", encoding="utf-8")

        return run

    monkeypatch.setattr(store, "SCHEMA", 3)
    monkeypatch.setattr(store, "MIGRATIONS", {1: step(1), 2: step(2)})
    (v1 / "edition.yaml").write_text("# our volume\n" + (v1 / "edition.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    assert store.migrate(v1) == 1
    assert ran == [(1, v1), (2, v1)]
    text = (v1 / "edition.yaml").read_text(encoding="utf-8")
    assert text.startswith("# our volume\ntitle: ") and text.endswith("\nschema: 3\n")
    assert (v1 / "names.yaml").read_text(encoding="utf-8").endswith("# step 1\n# step 2\n")
    assert store.migrate(v1) == 3 and len(ran) == 2  # done once

    ran.clear()
    (v1 / "edition.yaml").write_text(text.replace("schema: 3", "schema: 2"), encoding="utf-8")
    assert store.migrate(v1) == 2
    assert ran == [(2, v1)]
    assert (v1 / "edition.yaml").read_text(encoding="utf-8") == text


def test_a_writing_command_migrates_and_a_reading_one_does_not(v1, cli, monkeypatch):
    ran = []
    monkeypatch.setattr(store, "SCHEMA", 2)
    monkeypatch.setattr(store, "MIGRATIONS", {1: ran.append})
    before = snapshot(v1)
    for args in (("list",), ("validate",), ("translation", "list", MEMO)):
        result = cli(*args, "-C", v1)
        assert result.exit_code == 0, (args, result.output)
    assert snapshot(v1) == before and ran == []
    result = cli("translation", "remove", MEMO, "de", "--yes", "-C", v1)
    assert result.exit_code == 0, result.output
    assert ran == [v1]
    assert (v1 / "edition.yaml").read_bytes() == before["edition.yaml"] + b"schema: 2\n"
    assert not (v1 / "translations" / MEMO / "de.yaml").exists()


@pytest.mark.parametrize("command", [("validate",), ("list",), ("translation", "remove", MEMO, "de", "--yes")])
def test_an_edition_from_a_newer_release_is_refused_and_left_alone(v1, cli, command):
    (v1 / "edition.yaml").write_text((v1 / "edition.yaml").read_text(encoding="utf-8") + "schema: 2\nbinding: cloth\n", encoding="utf-8")
    before = snapshot(v1)
    result = cli(*command, "-C", v1)
    assert result.exit_code == 1, result.output
    assert f"{v1 / 'edition.yaml'}:6:1: schema 2: made by a newer release of edition; upgrade" in result.stderr
    assert "unknown field" not in result.stderr  # the schema is named, not the fields it brought
    assert "Traceback" not in result.output
    assert snapshot(v1) == before


@pytest.mark.parametrize("value, shown", [("two", "'two'"), ("0", "'0'"), ("[1]", "list"), ("'²'", "'²'")])
def test_a_schema_that_is_not_a_version_is_an_error_at_its_line(v1, cli, value, shown):
    (v1 / "edition.yaml").write_text((v1 / "edition.yaml").read_text(encoding="utf-8") + f"schema: {value}\n", encoding="utf-8")
    result = cli("validate", "-C", v1)
    assert result.exit_code == 1
    assert f"edition.yaml:6:1: 'schema' must be a whole number from 1, not {shown}" in result.stderr


def test_newer_schema_refused_by_the_installed_command(v1):
    (v1 / "edition.yaml").write_text((v1 / "edition.yaml").read_text(encoding="utf-8") + "schema: 99\n", encoding="utf-8")
    before = snapshot(v1)
    done = subprocess.run(
        [sys.executable, "-m", "edition.cli", "note", "list", MEMO, "-C", str(v1)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert done.stderr.startswith(f"{v1 / 'edition.yaml'}:6:1: schema 99: made by a newer release of edition; upgrade")
    assert "hint: install a newer edition" in done.stderr and "Traceback" not in done.stderr
    assert snapshot(v1) == before


def test_init_writes_the_current_schema(tmp_path, cli):
    result = cli("init", tmp_path / "new", "--title", "New")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "new" / "edition.yaml").read_text(encoding="utf-8") == (
        f"title: New\npage_size: A5\nlayout: translation\nschema: {store.SCHEMA}\n"
    )
