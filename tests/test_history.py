"""Git as the edition's history: a layer as it was at a revision
(`compare DOC en@REV en`, `compare en@REV en` across the edition) and the
commits that changed a segment (`edition log`), read through git's
plumbing."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from .conftest import copy_sample, snapshot

LETTER = "1956-11-14-anonymous-letter-city-gorky"
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(root, *args):
    env = {"GIT_AUTHOR_NAME": "Anna Editor", "GIT_AUTHOR_EMAIL": "anna@example.org", "GIT_COMMITTER_NAME": "Anna Editor",
           "GIT_COMMITTER_EMAIL": "anna@example.org", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin"}  # fmt: skip
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True, env=env)


@pytest.fixture
def repo(tmp_path):
    """The sample edition in a git repository with two commits: v1, then
    a revision of the letter's p2 in en.2."""
    root = copy_sample(tmp_path / "sample")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "The letter as first edited")
    git(root, "tag", "v1")
    path = root / "translations" / LETTER / "en.2.yaml"
    text = path.read_text("utf-8")
    assert "the dining companion of the spy Tito" in text
    path.write_text(text.replace("the dining companion of the spy", "the table companion of the spy", 1), "utf-8")
    git(root, "commit", "-q", "-am", "p2: 'table companion', as the Russian has it")
    return root


def test_a_layer_at_a_revision_compares_with_itself_now(cli, repo):
    result = cli("compare", LETTER, "en.2@v1", "en.2", "--format", "json", "-C", repo)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    changed = [s for s in data["segments"] if s["changed"]]
    assert [s["segment"] for s in changed] == ["p2"]
    ops = [(op["a"], op["b"]) for op in changed[0]["ops"] if op["op"] != "equal"]
    assert ops == [("dining", "table")]
    # Across the whole edition: A@REV B.
    whole = json.loads(cli("compare", "en.2@v1", "en.2", "--format", "json", "-C", repo).stdout)
    assert [s["segment"] for s in whole["segments"] if s["changed"]] == [f"{LETTER}/p2"]


def test_log_shows_the_commits_that_changed_a_segment_with_a_word_diff(cli, repo):
    result = cli("log", LETTER, "--layer", "en.2", "--segment", "p2", "-C", repo)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "Anna Editor" in lines[0] and "p2: 'table companion', as the Russian has it" in lines[0]
    assert lines[1].startswith("  p2 (en.2): ") and "[-dining-]{+table+} companion" in lines[1]
    data = json.loads(cli("log", LETTER, "--json", "-C", repo).stdout)
    first = data[0]
    assert (first["segment"], first["layer"]) == ("p2", "en.2") and "table companion" in first["after"]
    # The first commit made every segment: its changes come from nothing.
    assert data[-1]["before"] is None and data[-1]["subject"] == "The letter as first edited"


def test_a_revision_that_does_not_exist_and_an_edition_outside_git_are_explained(cli, repo, tmp_path):
    before = snapshot(repo)
    missing = cli("compare", LETTER, "en.2@nope", "en.2", "-C", repo)
    assert missing.exit_code == 2 and "revision 'nope' does not exist" in missing.stderr
    assert snapshot(repo) == before
    shutil.rmtree(repo / ".git")
    outside = cli("log", LETTER, "-C", repo)
    assert outside.exit_code == 2 and "history needs git" in outside.stderr and "hint:" in outside.stderr


def test_compare_since_a_release_reports_every_document_and_layer_changed(cli, repo):
    result = cli("compare", "--since", "v1", "--format", "json", "-C", repo)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["a"] == "edition@v1" and data["b"] == "edition now"
    assert [s["segment"] for s in data["segments"] if s["changed"]] == [f"{LETTER}/en.2/p2"]
    assert cli("compare", "--since", "HEAD", "-C", repo).stdout.count("──") == 0  # nothing since the last commit
    both = cli("compare", LETTER, "en", "en.2", "--since", "v1", "-C", repo)
    assert both.exit_code == 2 and "give no WHAT" in both.stderr
