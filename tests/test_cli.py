"""The command line: each command through typer's CliRunner, once as a real
subprocess, and a battery of broken inputs that must each give a message
with file and line, a non-zero exit and no changed file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import SOURCES, snapshot

MEMO = "1953-06-26-secret-memorandum-secretary-moscow"
LETTER = "1956-11-14-anonymous-letter-city-gorky"


def test_init_import_list_show_validate(tmp_path, cli):
    root = tmp_path / "ed"
    result = cli("init", root, "--title", "Letters", "--editor", "A. Editor")
    assert result.exit_code == 0, result.output
    assert (root / "edition.yaml").read_text(encoding="utf-8").startswith("title: Letters\neditors:\n- A. Editor\n")
    result = cli("import", *sorted(SOURCES.glob("*.txt")), "-C", root)
    assert result.exit_code == 0, result.output
    assert len(list((root / "seeds").glob("*.yaml"))) == 3
    assert "endnote 1 has no call" in result.stderr

    result = cli("list", "--json", "-C", root)
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows][0] == MEMO
    assert rows[2] == {
        "id": LETTER, "date": "not later than 14 November 1956", "iso_date": "1956-11-14",
        "title": "Anonymous Letter from City Gorky to the Journal ‘Kommunist’ Against the Criticism of J.V. Stalin",
        "layers": ["en"], "segments": 6, "notes": 3,
    }  # fmt: skip
    table = cli("list", "-C", root).stdout
    assert MEMO[:10] in table and "notes" in table

    shown = cli("show", LETTER, "-C", root).stdout
    assert shown.startswith("Anonymous Letter from City Gorky")
    assert "[not later than 14 November 1956][2]" in shown
    assert "Member of the CPSU since 1924" in shown

    data = json.loads(cli("show", LETTER, "--json", "-C", root).stdout)
    assert [s["id"] for s in data["segments"]] == ["p1", "p2", "p3", "p4", "p5", "p6"]
    assert data["segments"][5] == {"id": "p6", "kind": "signature", "text": {"en": "Member of the CPSU since 1924"}}
    assert data["notes"][0]["anchor"]["segment"] == "title"
    assert data["date"]["iso"] == "1956-11-14"

    result = cli("validate", "-C", root)
    assert result.exit_code == 0 and "valid" in result.stderr


def test_import_refuses_to_overwrite_without_replace(sample, cli):
    before = snapshot(sample)
    result = cli("import", SOURCES / "000_8f8816d347ee0276.txt", "-C", sample)
    assert result.exit_code == 2
    assert "file exists" in result.stderr and "--replace" in result.stderr
    assert snapshot(sample) == before
    assert cli("import", SOURCES / "000_8f8816d347ee0276.txt", "--replace", "-C", sample).exit_code == 0
    assert snapshot(sample) == before  # same source, same bytes


def test_dry_run_writes_nothing(tmp_path, cli):
    root = tmp_path / "ed"
    cli("init", root)
    before = snapshot(root)
    result = cli("import", SOURCES / "003_19ea646c6e76e04b.txt", "--dry-run", "-C", root)
    assert result.exit_code == 0 and "would import" in result.stderr
    assert snapshot(root) == before


def test_unknown_document_is_a_usage_error(sample, cli):
    result = cli("show", "1956-11-14-anonymous-letter-city-gorki", "-C", sample)
    assert result.exit_code == 2
    assert f"did you mean '{LETTER}'" in result.stderr


def test_brackets_in_user_text_are_not_eaten_by_the_terminal(sample, cli):
    path = sample / "seeds" / f"{LETTER}.yaml"
    text = path.read_text(encoding="utf-8").replace("title: Anonymous Letter", "title: '[red]Anonymous[/] Letter", 1)
    text = text.replace("J.V. Stalin\ncollection", "J.V. Stalin'\ncollection", 1)
    path.write_text(text, encoding="utf-8")
    result = cli("list", "-C", sample)
    assert result.exit_code == 0, result.output
    assert "[red]Anonymous[/]" in result.stdout


def _edit(sample: Path, name: str, old: str, new: str) -> Path:
    path = sample / "seeds" / f"{name}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


# Each case breaks the sample edition one way; the message must name the
# file and the line (where the problem is on one) and say what is wrong.
BROKEN = {
    "malformed YAML": (lambda s: _edit(s, LETTER, "segments:\n- id: p1\n", "segments:\n- id: p1\n   - oops: [\n"), "- oops", "malformed YAML"),
    "duplicate key": (lambda s: _edit(s, LETTER, "original_language: ru\n", "original_language: ru\noriginal_language: de\n"), "original_language: de", "duplicate key 'original_language'"),
    "unknown field": (lambda s: _edit(s, LETTER, "title: Anonymous", "titel: x\ntitle: Anonymous"), "titel:", "unknown field 'titel' in a document"),
    "wrong type": (lambda s: _edit(s, LETTER, "credit: Translated", "credit:\n- a list\nrights: Translated"), "credit:", "'credit' must be text"),
    "unknown segment id in a layer": (lambda s: _edit(s, LETTER, "  at: title\n", "  at: p99\n"), "at: p99", "unknown segment 'p99'"),
    "unknown layer": (lambda s: _edit(s, LETTER, "  layer: en\n  at: title", "  layer: fr\n  at: title"), "layer: fr", "unknown layer 'fr'"),
    "note phrase gone": (lambda s: _edit(s, LETTER, "phrase: Stalin", "phrase: Lenin"), "phrase: Lenin", "phrase 'Lenin' is not in title"),
    "bad certainty": (lambda s: _edit(s, LETTER, "certainty: not-after", "certainty: maybe"), "certainty: maybe", "'certainty' cannot be 'maybe'"),
    "bad ISO date": (lambda s: _edit(s, LETTER, "iso: '1956-11-14'", "iso: 14.11.1956"), "iso: 14.11.1956", "not an ISO date"),
    "alias": (lambda s: _edit(s, LETTER, "original_language: ru", "original_language: &l ru\nauthor: *l"), "author: *l", "aliases"),
    "duplicate segment id": (lambda s: _edit(s, LETTER, "- id: p2\n", "- id: p1\n"), None, "segment id 'p1' is used twice"),
    "layer field typo": (lambda s: _edit(s, LETTER, "  translator: Tahir", "  translater: Tahir"), "translater:", "did you mean 'translator'?"),
}


def _invalid_utf8(sample: Path) -> Path:
    path = sample / "seeds" / f"{LETTER}.yaml"
    data = path.read_bytes().replace("Comrade Editor".encode(), b"Comrade \xff\xfeEditor", 1)
    path.write_bytes(data)
    return path


def _empty(sample: Path) -> Path:
    path = sample / "seeds" / f"{LETTER}.yaml"
    path.write_bytes(b"")
    return path


def _orphan_translation(sample: Path) -> Path:
    path = sample / "translations" / "no-such-doc" / "de.yaml"
    path.parent.mkdir(parents=True)
    path.write_text("document: no-such-doc\nlayer:\n  id: de\n  lang: de\n", encoding="utf-8")
    return path


def _unknown_segment_in_translation(sample: Path) -> Path:
    path = sample / "translations" / LETTER / "de.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(f"document: {LETTER}\nlayer:\n  id: de\n  lang: de\nsegments:\n  p1: Genosse Redakteur,\n  p77: |-\n    Verloren\n", encoding="utf-8")
    return path


BROKEN.update(
    {
        "invalid UTF-8": (_invalid_utf8, "Comrade", "invalid UTF-8"),
        "empty file": (_empty, None, "file is empty"),
        "translation of unknown document": (_orphan_translation, None, "translation for unknown document 'no-such-doc'"),
        "unknown segment in a translation": (_unknown_segment_in_translation, "p77:", "unknown field 'p77'"),
    }
)


@pytest.mark.parametrize("case", list(BROKEN), ids=lambda c: c.replace(" ", "-"))
def test_broken_input_is_reported_with_file_and_line(sample, cli, case):
    breaker, needle, message = BROKEN[case]
    path = breaker(sample)
    line = None
    if needle is not None:
        raw = path.read_bytes().decode("utf-8", "replace")
        line = next(i for i, text in enumerate(raw.splitlines(), 1) if needle in text)
    before = snapshot(sample)
    for command in (["validate"], ["list"], ["show", MEMO], ["build", "-o", sample / "out.pdf"]):
        result = cli(*command, "-C", sample)
        assert result.exit_code == 1, (command, result.output)
        assert message in result.stderr, (command, result.stderr)
        assert str(path) in result.stderr
        if line is not None:
            assert f"{path}:{line}:" in result.stderr, result.stderr
        assert "Traceback" not in result.output
        assert snapshot(sample) == before, f"{command} changed a file"


def test_validate_lists_every_problem_at_once(sample, cli):
    _edit(sample, LETTER, "phrase: Stalin", "phrase: Lenin")
    _edit(sample, MEMO, "title: Secret", "titel: x\ntitle: Secret")
    result = cli("validate", "-C", sample)
    assert result.exit_code == 1
    assert "phrase 'Lenin'" in result.stderr and "unknown field 'titel'" in result.stderr
    assert "2 error(s)" in result.stderr


def test_no_edition_here_is_a_usage_error(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("list")
    assert result.exit_code == 2 and "edition init" in result.stderr


def test_import_of_unreadable_sources_writes_nothing(sample, cli, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"Title\n\n\xff\xfe broken\n")
    before = snapshot(sample)
    result = cli("import", SOURCES / "003_19ea646c6e76e04b.txt", bad, "--replace", "-C", sample)
    assert result.exit_code == 1
    assert f"{bad}:3:1: invalid UTF-8" in result.stderr
    assert snapshot(sample) == before


def test_real_subprocess(sample):
    env = {**os.environ, "NO_COLOR": "1"}
    exe = Path(sys.executable).with_name("edition")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "edition.cli"]
    done = subprocess.run([*command, "list", "--json"], cwd=sample, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) == 3
    done = subprocess.run([*command, "show", "nope"], cwd=sample, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2 and "no document 'nope'" in done.stderr and done.stdout == ""
