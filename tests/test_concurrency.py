"""Commands started at the same time on one edition: each lands whole or
refuses with "locked by process N" (exit 1), no update is lost (read, change
and write all happen under the edition's lock), and the lock of a process
that was killed does not block anyone (flock: the kernel releases it).

Real processes throughout: the point is what separate processes do."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from edition import api, store

from .conftest import snapshot
from .test_crash_safety import EDITION, LETTER, MEMO, copy_sample

OTHER_LETTER = "1956-09-18-anonymous-letter-editorial-board"
LOCKED = re.compile(r"locked by process (\d+)")

# `edition ARGS…` whose lock wait is argv[1] seconds instead of 10: a real
# process that gives up quickly, so that refusals happen within a test.
SHORT_WAIT = (
    "import sys\n"
    "from edition import store\n"
    "store.locked.__wrapped__.__defaults__ = (float(sys.argv.pop(1)),)\n"
    "from edition.cli import main\n"
    "sys.argv[0] = 'edition'\n"
    "main()\n"
)

pytestmark = pytest.mark.skipif(not EDITION.exists(), reason="the edition command is not installed next to this Python")


def _start(root: Path, args: list[str], wait: float | None = None) -> subprocess.Popen:
    command = [str(EDITION)] if wait is None else [sys.executable, "-c", SHORT_WAIT, str(wait)]
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.Popen([*command, *args], cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _notes_at_once(root: Path, count: int, wait: float | None, tag: str) -> tuple[list[str], list[str]]:
    """Start `count` `note add` on one document at once (alternately on the
    document file's layer and on a translations/ file's layer); return the
    texts that landed and those refused."""
    layers = ("en", "en.2")
    texts = [f"{tag} note {i}" for i in range(count)]
    processes = [
        _start(root, ["note", "add", LETTER, "--layer", layers[i % 2], "--segment", "p3", "--at", "Voroshilov", "--text", text], wait)
        for i, text in enumerate(texts)
    ]
    landed, refused = [], []
    for text, process in zip(texts, processes):
        (landed if _landed(process, processes, text) else refused).append(text)
    return landed, refused


def _landed(process: subprocess.Popen, processes: list[subprocess.Popen], what: str) -> bool:
    """Wait for one of several racing commands: True if it succeeded, False
    if it refused because another of them held the lock; anything else fails."""
    out, err = process.communicate(timeout=120)
    if process.returncode == 0:
        return True
    # The only other outcome allowed: a clear refusal naming the holder.
    match = LOCKED.search(err)
    assert process.returncode == 1 and match, f"{what}: exit {process.returncode}: {err}"
    assert "Traceback" not in err
    assert int(match.group(1)) in {p.pid for p in processes} - {process.pid}, err
    return False


def _note_texts(root: Path) -> list[str]:
    doc = api.open_workspace(root).document(LETTER)
    return [note.text for note in doc.notes]


@pytest.mark.parametrize("wait", [None, 0.05], ids=["default lock wait", "lock wait 0.05 s"])
def test_concurrent_notes_on_one_document_all_land_or_refuse(tmp_path, wait, record_property):
    root = copy_sample(tmp_path / "ed")
    before_texts = _note_texts(root)
    before = snapshot(root)
    count = 5
    landed, refused = _notes_at_once(root, count, wait, "Concurrent")
    summary = f"{count} concurrent `note add` (lock wait {wait or 10} s): {len(landed)} landed, {len(refused)} refused"
    record_property("concurrency", summary)
    print(summary)
    assert len(landed) + len(refused) == count
    if wait is None:
        assert not refused  # a 10 s wait outlasts five short commands
    # No lost update: every note that was reported added is there, once;
    # every refused one is absent; nothing else changed.
    after_texts = _note_texts(root)
    assert sorted(after_texts) == sorted(before_texts + landed)
    changed = {name for name, data in snapshot(root).items() if before.get(name) != data}
    assert changed <= {f"seeds/{LETTER}.yaml", f"translations/{LETTER}/en.2.yaml"}
    assert not [p for p in api.validate(root) if p.severity == "error"]


# Two different writing commands on one document: a note on the document
# file's layer, and the removal of the revision kept under translations/.
# The note's id is counted over the whole document (the revision's notes
# included), so the order they run in shows in the result.
RACE = {
    "note add": (
        ["note", "add", LETTER, "--layer", "en", "--segment", "p3", "--at", "Voroshilov", "--text", "Raced"],
        lambda root: api.add_note(root, LETTER, layer="en", segment="p3", phrase="Voroshilov", text="Raced"),
    ),
    "translation remove": (
        ["translation", "remove", LETTER, "en.2", "--yes"],
        lambda root: api.remove_translation(root, LETTER, "en.2"),
    ),
}


@pytest.mark.parametrize("wait", [None, 0.05], ids=["default lock wait", "lock wait 0.05 s"])
def test_note_add_and_translation_remove_racing_land_as_if_one_after_the_other(tmp_path, wait, record_property):
    """Each lands whole or refuses with the holder's pid; what lands is what
    running them one after the other (in some order) gives: no lost update."""
    first, second = RACE
    serial = {}
    for name, order in (("one", (first,)), ("other", (second,)), ("both", (first, second)), ("both reversed", (second, first))):
        root = copy_sample(tmp_path / f"serial-{name}")
        for command in order:
            RACE[command][1](root)
        serial[order] = snapshot(root)
    outcomes = []
    for round_ in range(2):
        root = copy_sample(tmp_path / f"race-{round_}")
        order = (first, second) if round_ % 2 == 0 else (second, first)  # who starts first
        processes = [_start(root, RACE[name][0], wait) for name in order]
        landed = tuple(name for name, process in zip(order, processes) if _landed(process, processes, name))
        allowed = [serial[o] for o in serial if sorted(o) == sorted(landed)] or [snapshot(copy_sample(tmp_path / f"untouched-{round_}"))]
        assert snapshot(root) in allowed, f"round {round_}: {landed} landed, but the files match no serial run of them"
        assert not [p for p in api.validate(root) if p.severity == "error"]
        outcomes.append(landed)
    summary = f"note add racing translation remove (lock wait {wait or 10} s): landed {outcomes}"
    record_property("concurrency", summary)
    print(summary)
    if wait is None:
        assert all(len(landed) == 2 for landed in outcomes)  # a 10 s wait outlasts both


def test_concurrent_translations_of_different_documents_all_land(tmp_path):
    deliveries = tmp_path / "in"
    deliveries.mkdir()
    # A third delivery: the other letter's English text, as a plain file.
    ws = api.open_workspace(copy_sample(tmp_path / "probe"))
    other = ws.document(OTHER_LETTER)
    (deliveries / "letter.txt").write_text("\n\n".join(s.text["en"] for s in other.segments) + "\n", encoding="utf-8")
    commands = [
        ["translation", "add", MEMO, "translations/sources/mikhailov-de.md", "--layer", "de.2"],
        ["translation", "add", LETTER, "translations/sources/gorky-letter-en-revised.md", "--layer", "en.3"],
        ["translation", "add", OTHER_LETTER, str(deliveries / "letter.txt"), "--lang", "en", "--revises", "en"],
    ]
    # One after the other, through the library: what the result must be.
    sequential = copy_sample(tmp_path / "sequential")
    api.add_translation(sequential, MEMO, sequential / "translations/sources/mikhailov-de.md", layer_id="de.2")
    api.add_translation(sequential, LETTER, sequential / "translations/sources/gorky-letter-en-revised.md", layer_id="en.3")
    api.add_translation(sequential, OTHER_LETTER, deliveries / "letter.txt", lang="en", revises="en")
    # All at once.
    root = copy_sample(tmp_path / "ed")
    processes = [_start(root, args) for args in commands]
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    assert snapshot(root) == snapshot(sequential)
    assert not [p for p in api.validate(root) if p.severity == "error"]


HOLD = (
    "import sys, time\n"
    "from edition import store\n"
    "lock = store.locked(sys.argv[1])\n"
    "lock.__enter__()  # kept referenced: a collected generator would release it\n"
    "print('held', flush=True)\n"
    "time.sleep(120)\n"
)


def test_a_held_lock_refuses_with_the_holder_and_a_dead_holder_blocks_nobody(tmp_path):
    root = copy_sample(tmp_path / "ed")
    before = snapshot(root)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(root)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        process = _start(root, ["note", "add", LETTER, "--layer", "en", "--segment", "p3", "--at", "Voroshilov", "--text", "Refused"], wait=0.3)
        _, err = process.communicate(timeout=60)
        assert process.returncode == 1
        assert f"locked by process {holder.pid}" in err and "Traceback" not in err
        assert snapshot(root) == before
        # The holder dies without releasing anything: its pid stays in the
        # lock file, but the kernel has dropped its flock.
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
    finally:
        if holder.poll() is None:
            holder.kill()
    assert (root / store.LOCK_FILE).read_text() == str(holder.pid)
    started = time.monotonic()
    process = _start(root, ["note", "add", LETTER, "--layer", "en", "--segment", "p3", "--at", "Voroshilov", "--text", "After the crash"])
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert time.monotonic() - started < 8  # not the 10 s lock wait: the stale lock did not count
    assert "After the crash" in _note_texts(root)
