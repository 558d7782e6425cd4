"""Nothing lost when a command dies half-way: real `edition` processes are
killed (SIGKILL) at random moments of every command that writes
(`translation add`, `translation remove`, `note add`, `import --replace`,
`init`, `build`, `export tei`, `export json --out`); forked processes die
(os._exit, no clean-up at all, as under kill -9) at each step of an atomic
write. After each crash every file of the edition is byte-identical to
before or to the result of an uninterrupted run, never half-written; the
only other files allowed are atomic_write's temporary files, which the
loader ignores; and the edition validates (once there is one: `init`
killed early leaves none).

Kill delays are drawn uniformly over the command's measured run time for
half the trials, and for the other half over its writing part (from the
moment it holds the edition's lock, or makes the folder it writes into, to
its exit), also measured on an uninterrupted run. Set EDITION_CRASH_SEED to replay a run; the seed is in every
failure message."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from edition import api, store
from edition.doctor import leftover_temporary_files

from .conftest import snapshot

REPO = Path(__file__).resolve().parents[1]
EDITION = Path(sys.executable).with_name("edition")
MEMO = "1953-06-26-secret-memorandum-secretary-moscow"
LETTER = "1956-11-14-anonymous-letter-city-gorky"
MEMO_SOURCE = "000_8f8816d347ee0276.txt"
LETTERS_SOURCE = "003_19ea646c6e76e04b.txt"  # two documents
# A corrected copy of it, so that `import --replace` has something to write:
# a word in the first letter, two paragraphs of the second merged (its file
# and its revision's en.2.yaml rewritten): three files written.
CORRECTED_SOURCE = "003-corrected.txt"


def write_corrected_source(root: Path) -> None:
    text = (root / "seeds" / "sources" / LETTERS_SOURCE).read_text(encoding="utf-8")
    text = text.replace("Every event must be analysed concretely", "Every event must be analyzed concretely", 1)
    text = text.replace("towards Tito.\n\nBecause of such", "towards Tito. Because of such", 1)
    (root / "seeds" / "sources" / CORRECTED_SOURCE).write_text(text, encoding="utf-8")
SEED = int(os.environ.get("EDITION_CRASH_SEED", time.time_ns() % 2**32))
TEMPORARY = re.compile(r"^\..+\.tmp$")  # atomic_write's ".<name>.<random>.tmp"

pytestmark = pytest.mark.skipif(not EDITION.exists(), reason="the edition command is not installed next to this Python")


def copy_sample(dest: Path, only: str | None = None) -> Path:
    """The repository's sample edition (edition.yaml, names.yaml, seeds/,
    translations/), copied; `only` keeps just that document."""
    dest.mkdir(parents=True)
    for name in ("edition.yaml", "names.yaml"):
        if (REPO / name).exists():
            shutil.copy2(REPO / name, dest / name)
    for sub in ("seeds", "translations"):
        shutil.copytree(REPO / sub, dest / sub)
    if only:  # one document, no line numbers: a short build
        with (dest / "edition.yaml").open("a", encoding="utf-8") as handle:
            handle.write("line_numbers: none\n")
        for path in (dest / "seeds").glob("*.yaml"):
            if path.stem != only:
                path.unlink()
        for path in (dest / "translations").iterdir():
            if path.is_dir() and path.name != only:
                shutil.rmtree(path)
    return dest


def pristine_for(name: str, dest: Path, only: str | None = None) -> Path:
    """Where a command starts: an empty folder for `init`, else the sample."""
    if name.startswith("init"):
        dest.mkdir(parents=True)
        return dest
    root = copy_sample(dest, only)
    if name.startswith("import"):
        write_corrected_source(root)
    return root


@dataclass(frozen=True)
class Command:
    """A command line run inside a copy of the sample (paths relative to it)
    and killed `kills` times. Commands that write without the edition's lock
    (a build, an export) enter their writing part when `writes_into` (a
    folder) appears."""

    args: list[str]
    kills: int
    only: str | None = None  # keep just this document
    writes_into: str | None = None


COMMANDS = {
    "note add": Command(
        ["note", "add", LETTER, "--layer", "en", "--segment", "p3", "--at", "Voroshilov", "--text", "Kliment Voroshilov, Chairman of the Presidium of the Supreme Soviet."],
        11,
    ),
    "translation add": Command(
        ["translation", "add", MEMO, "translations/sources/mikhailov-de.md", "--layer", "de.2", "--translator", "A. Translator"],
        11,
    ),
    # The revision's file goes, with its notes, and its folder if empty.
    "translation remove": Command(["translation", "remove", LETTER, "en.2", "--yes"], 6),
    "import --replace": Command(["import", "--replace", f"seeds/sources/{CORRECTED_SOURCE}"], 10),
    "init": Command(["init", "--title", "Letters to Kommunist, 1956", "--editor", "A. Editor"], 6),
    # One document: the point is a build that dies, not a long volume.
    "build": Command(["build"], 4, only=LETTER, writes_into="build"),
    # Three files, each written atomically: a kill may leave some new, some not yet.
    "export tei": Command(["export", "tei", "--out", "build/tei"], 6, writes_into="build"),
    "export json --out": Command(["export", "json", "--out", "build/edition.json"], 6, writes_into="build"),
}


def _start(root: Path, args: list[str]) -> subprocess.Popen:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.Popen([str(EDITION), *args], cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def check_crash_left(root: Path, before: dict[str, bytes], after: dict[str, bytes], context: str) -> tuple[str, list[str]]:
    """Assert that every file is as before or as after a whole run, and that
    the edition validates; return the state ("unchanged", "complete" or
    "mixed": some files one, some the other) and any temporary files left."""
    now = snapshot(root)
    leftovers = sorted(n for n in now if n not in before and n not in after and TEMPORARY.match(Path(n).name))
    for name in sorted(set(before) | set(after) | set(now)):
        if name in leftovers:
            continue
        assert now.get(name) in (before.get(name), after.get(name)), (
            f"{context}: {name} is neither as it was nor as a complete run leaves it "
            f"({len(now.get(name) or b'')} bytes; before {len(before.get(name) or b'')}, after {len(after.get(name) or b'')})"
        )
    if store.EDITION_FILE in now:  # `init` killed before writing it leaves no edition to validate
        problems = [p for p in api.validate(root) if p.severity == "error"]
        assert not problems, f"{context}: the edition no longer validates: {problems}"
    # A temporary file among the edition's files is harmless only because
    # nothing reads it; doctor names it so that the editor can delete it.
    # (One in build/, beside an output, is no part of the edition.)
    flagged = {str(Path(p.path).relative_to(root)) for p in leftover_temporary_files(root)}
    own = {n for n in leftovers if not n.startswith("build/")}
    assert own <= flagged, f"{context}: doctor does not report {own - flagged}"
    kept = {n: b for n, b in now.items() if n not in leftovers}
    state = "unchanged" if kept == before else "complete" if kept == after else "mixed"
    return state, leftovers


def _critical(root: Path, name: str, process: subprocess.Popen) -> bool:
    """Whether the command has entered the part of its run that writes: it
    holds the edition's lock (its pid is in the lock file) or, for a build
    or an export, has made the folder its output goes to."""
    folder = COMMANDS[name].writes_into
    if folder:
        return (root / folder).exists()
    try:
        return (root / store.LOCK_FILE).read_text() == str(process.pid)
    except OSError:
        return False


def _wait_until_critical(root: Path, name: str, process: subprocess.Popen) -> float:
    """Poll (1 ms) until the command writes; the moment, or inf if it ended first."""
    while process.poll() is None:
        if _critical(root, name, process):
            return time.perf_counter()
        time.sleep(0.001)
    return float("inf")


@pytest.mark.parametrize("name", list(COMMANDS))
def test_kill_9_at_random_moments_loses_nothing(tmp_path, name, record_property):
    """Half the kills fall anywhere in the run (start-up included); the other
    half anywhere in its writing part (from taking the lock, or making the
    build folder, to its exit), measured on an uninterrupted run."""
    args, kills = COMMANDS[name].args, COMMANDS[name].kills
    rng = random.Random(f"{SEED}-{name}")
    pristine = pristine_for(name, tmp_path / "pristine", COMMANDS[name].only)
    before = snapshot(pristine)

    # An uninterrupted run: its result, and how long it and its writing part take.
    reference = tmp_path / "reference"
    shutil.copytree(pristine, reference)
    started = time.perf_counter()
    process = _start(reference, args)
    critical = _wait_until_critical(reference, name, process)
    _, err = process.communicate(timeout=300)
    ended = time.perf_counter()
    assert process.returncode == 0, err.decode()
    duration, writing = ended - started, max(ended - critical, 0.0)
    after = snapshot(reference)
    assert after != before

    def trial(index: int) -> tuple[str, list[str], bool]:
        root = tmp_path / f"kill-{index}"
        shutil.copytree(pristine, root)
        process = _start(root, args)
        if index % 2:
            delay = rng.uniform(0, duration)
            time.sleep(delay)
            moment = f"{delay:.3f} s into a {duration:.2f} s run"
        else:
            delay = rng.uniform(0, writing)
            _wait_until_critical(root, name, process)
            time.sleep(delay)
            moment = f"{delay:.3f} s into its {writing:.3f} s writing part"
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=300)
        killed = process.returncode == -signal.SIGKILL
        context = f"{name}, kill -9 {moment} (EDITION_CRASH_SEED={SEED})"
        state, leftovers = check_crash_left(root, before, after, context)
        if not killed:  # it had finished: a complete run
            assert state == "complete", context
        return state, leftovers, killed

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(trial, range(kills)))
    killed = [o for o in outcomes if o[2]]
    states = {s: sum(1 for o in killed if o[0] == s) for s in ("unchanged", "complete", "mixed")}
    leftovers = sum(1 for o in killed if o[1])
    summary = (
        f"{name}: {len(killed)} of {kills} runs killed ({states}), {leftovers} left a temporary file; "
        f"run {duration:.2f} s, writing part {writing:.3f} s"
    )
    record_property("crash", summary)
    print(summary)

    if name == "import --replace":  # the real command line agrees (once: it costs a start-up)
        last = tmp_path / f"kill-{kills - 1}"
        result = subprocess.run([str(EDITION), "validate"], cwd=last, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr


# --------------------------------------------------------------------------
# Deterministic crash points: a forked process dies (os._exit: no finally,
# no clean-up, as under kill -9) at each step of the nth atomic write.

POINTS = ("temporary file created", "half written", "before the rename", "after the rename")


def _die_during_write(point: str, nth: int) -> None:
    """In the child: make the nth atomic_write die at `point`."""
    real_write, calls = store.atomic_write, [0]
    real_fchmod, real_fdopen, real_replace = os.fchmod, os.fdopen, os.replace

    def die():
        os._exit(137)

    class HalfFile:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def write(self, payload):
            self.handle.write(payload[: len(payload) // 2])
            self.handle.flush()
            die()

    def armed(path, data, **options):
        calls[0] += 1
        if calls[0] == nth:
            if point == "temporary file created":
                os.fchmod = lambda fd, mode: (real_fchmod(fd, mode), die())
            elif point == "half written":
                os.fdopen = lambda fd, *a, **k: HalfFile(real_fdopen(fd, *a, **k))
            elif point == "before the rename":
                os.replace = lambda src, dst: die()
            else:
                os.replace = lambda src, dst: (real_replace(src, dst), die())
        return real_write(path, data, **options)

    store.atomic_write = armed


def _fork_and_crash(action, point: str, nth: int) -> int:
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            _die_during_write(point, nth)
            action()
            os._exit(0)
        except BaseException:
            os._exit(3)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


ACTIONS = {
    "note add": (lambda root: api.add_note(root, LETTER, layer="en", segment="p3", phrase="Voroshilov", text="Kliment Voroshilov."), 1),
    "note remove": (lambda root: api.remove_note(root, LETTER, "g1"), 1),
    "translation add": (lambda root: api.add_translation(root, MEMO, root / "translations/sources/mikhailov-de.md", layer_id="de.2"), 1),
    # Two documents in one file, three files written: the crash hits the first, the second or the last.
    "import --replace (1st file)": (lambda root: api.import_files(root, [root / "seeds/sources" / CORRECTED_SOURCE], replace=True), 1),
    "import --replace (2nd file)": (lambda root: api.import_files(root, [root / "seeds/sources" / CORRECTED_SOURCE], replace=True), 2),
    "import --replace (3rd file)": (lambda root: api.import_files(root, [root / "seeds/sources" / CORRECTED_SOURCE], replace=True), 3),
    "init": (lambda root: api.init(root, "Letters to Kommunist, 1956", ["A. Editor"]), 1),
    # One file per document (three): the crash hits the first or the last.
    "export tei (1st file)": (lambda root: api.export(root, "tei", out=root / "build" / "tei"), 1),
    "export tei (3rd file)": (lambda root: api.export(root, "tei", out=root / "build" / "tei"), 3),
    "export json --out": (lambda root: api.export(root, "json", out=root / "build" / "edition.json"), 1),
}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.parametrize("name", list(ACTIONS))
def test_crash_at_each_step_of_a_write(tmp_path, name, record_property):
    action, nth = ACTIONS[name]
    pristine = pristine_for(name, tmp_path / "pristine")
    before = snapshot(pristine)
    reference = tmp_path / "reference"
    shutil.copytree(pristine, reference)
    real_write, writes = store.atomic_write, []
    store.atomic_write = lambda path, data, **options: (writes.append(path), real_write(path, data, **options))[1]
    try:
        action(reference)
    finally:
        store.atomic_write = real_write
    after = snapshot(reference)
    assert after != before and nth <= len(writes)
    states = []
    for i, point in enumerate(POINTS):
        root = tmp_path / f"crash-{i}"
        shutil.copytree(pristine, root)
        assert _fork_and_crash(lambda: action(root), point, nth) == 137, f"{name}: the child did not reach '{point}'"
        state, leftovers = check_crash_left(root, before, after, f"{name}, died {point}")
        if point == "after the rename" and nth == len(writes):
            assert state == "complete", f"{name}, died {point}: {state}"
        if point != "after the rename" and nth == 1:
            assert state == "unchanged", f"{name}, died {point}: {state}"
        assert bool(leftovers) == (point != "after the rename"), leftovers
        states.append(state)
        if state != "complete":
            # The dead process held the lock: the kernel released it, and
            # the command now runs to the same result as without the crash.
            action(root)
            now = {n: b for n, b in snapshot(root).items() if n not in leftovers}
            assert now == after, f"{name}: a run after the crash at '{point}' differs from an uninterrupted run"
    record_property("crash points", f"{name}: {len(POINTS)} points → {states}")


def test_leftover_temporary_files_are_ignored_by_the_loader(tmp_path):
    """What a crash can leave (half a YAML file under a temporary name, in
    every folder the edition writes) changes nothing that is read."""
    root = copy_sample(tmp_path / "ed")
    clean = api.validate(root)
    seed = root / "seeds" / f"{LETTER}.yaml"
    half = seed.read_bytes()[:500]
    places = [root / ".edition.yaml.k3j2_x.tmp", root / "seeds" / f".{seed.name}.a8b_c9.tmp", root / "translations" / LETTER / ".en.2.yaml.zz9x.tmp", root / "translations" / MEMO / ".de.2.yaml.q1.tmp"]
    for path in places:
        path.write_bytes(half)
    ws = store.load_workspace(root)
    assert ws.problems == clean
    assert sorted(Path(p.path) for p in leftover_temporary_files(root)) == sorted(places)
    assert not [p for p in api.validate(root) if p.severity == "error"]
