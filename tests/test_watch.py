"""`build --watch` and `site --watch` (edition/watch.py): a saved source
starts one rebuild that names it, a burst of saves is one rebuild, a bad
edit is reported and the watch goes on, outputs and editors' scratch files
start nothing, and Ctrl-C ends the command with exit 0. The watch runs in a
thread with a stop event; each test waits for what it expects (with a
generous limit) rather than for a fixed time."""

from __future__ import annotations

import os
import queue
import shutil
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pypdf
import pytest

from edition import api, store
from edition.errors import EditionError
from edition.model import Document, Layer, LayerRole, Segment
from edition.watch import Rebuild, is_source, watch, watch_pdf, watch_site, watched_folders

DOC = "1956-letter"
WAIT = 30  # seconds: the limit for something that should come at once


def tiny_edition(root: Path) -> Path:
    api.init(root, "Letters")
    store.write_document(root, Document(
        id=DOC, title="A letter", original_language="en",
        layers=[Layer("en", "en", LayerRole.ORIGINAL)],
        segments=[Segment("p1", text={"en": "Dear comrades, we write to you."})],
    ))
    api.build_site(root)
    return root


class Watching:
    """`watch_site` on `root` in a thread; `next()` waits for a rebuild's
    report, `quiet()` says that none came."""

    def __init__(self, root: Path):
        self.root = root
        self.heard: queue.Queue[Rebuild] = queue.Queue()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=watch_site, args=(root,), kwargs={"heard": self.heard.put, "stop": self.stop})

    def __enter__(self):
        self.thread.start()
        time.sleep(0.5)  # the watch is armed before the test writes
        return self

    def next(self) -> Rebuild:
        return self.heard.get(timeout=WAIT)

    def none_within(self, seconds: float) -> bool:
        try:
            self.heard.get(timeout=seconds)
        except queue.Empty:
            return True
        return False

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=WAIT)
        assert not self.thread.is_alive(), "the watch did not end when asked to"


def seed(root: Path) -> Path:
    return root / "seeds" / f"{DOC}.yaml"


def page(root: Path) -> str:
    return (root / "build" / "site" / f"{DOC}.html").read_text(encoding="utf-8")


def test_a_saved_seed_is_rebuilt_once_and_named(tmp_path):
    root = tiny_edition(tmp_path / "ed")
    with Watching(root) as watching:
        seed(root).write_text(seed(root).read_text(encoding="utf-8").replace("comrades", "friends"), encoding="utf-8")
        rebuild = watching.next()
        assert rebuild.ok and rebuild.problems == ()
        assert rebuild.changed == (f"seeds/{DOC}.yaml",)
        assert rebuild.built.startswith("build/site/")
        assert f"seeds/{DOC}.yaml changed: rebuilt build/site/" in rebuild.line()
        assert "Dear friends" in page(root)
        assert watching.none_within(1.0)


def test_a_burst_of_saves_is_one_rebuild(tmp_path):
    root = tiny_edition(tmp_path / "ed")
    text = seed(root).read_text(encoding="utf-8")
    with Watching(root) as watching:
        for n in range(5):
            seed(root).write_text(text.replace("comrades", f"comrades {n}"), encoding="utf-8")
        rebuild = watching.next()
        assert rebuild.ok and rebuild.changed == (f"seeds/{DOC}.yaml",)
        assert watching.none_within(1.5)
        assert "Dear comrades 4," in page(root)


def test_a_bad_edit_is_reported_and_the_next_good_one_rebuilds(tmp_path):
    root = tiny_edition(tmp_path / "ed")
    good = seed(root).read_text(encoding="utf-8")
    with Watching(root) as watching:
        seed(root).write_text(good.replace("title: A letter", "title: [A letter"), encoding="utf-8")
        failed = watching.next()
        assert not failed.ok and failed.built is None
        where = str(failed.problems[0]).split(": ")[0]
        assert where.startswith(f"{seed(root)}:") and where.count(":") == 2  # path:line:col
        assert "rebuild failed" in failed.line() and "last good output stays" in failed.line()
        assert "Dear comrades" in page(root)  # the last good site is untouched
        seed(root).write_text(good.replace("comrades", "friends"), encoding="utf-8")
        again = watching.next()
        assert again.ok and "Dear friends" in page(root)


def test_outputs_and_scratch_files_start_no_rebuild(tmp_path):
    root = tiny_edition(tmp_path / "ed")
    with Watching(root) as watching:
        (root / "build" / "site" / "extra.html").write_text("<p>written by a build</p>", encoding="utf-8")
        (root / "build" / "edition.pdf").write_bytes(b"%PDF-1.7\n")
        (root / "seeds" / f".{DOC}.yaml.swp").write_bytes(b"vim")
        (root / "seeds" / "4913").write_bytes(b"")
        (root / "seeds" / f"{DOC}.yaml~").write_text("backup", encoding="utf-8")
        (root / "seeds" / f".#{DOC}.yaml").write_text("lock", encoding="utf-8")
        (root / "notes.txt").write_text("the editor's own notes", encoding="utf-8")
        assert watching.none_within(1.5)
        (root / "names.yaml").write_text("names: []\n", encoding="utf-8")
        assert watching.next().changed == ("names.yaml",)


def test_a_save_through_a_temporary_file_names_only_the_file_saved(tmp_path):
    """sed -i, and editors that save atomically, write a new file beside
    the old one and rename it over it: only the saved file is named."""
    root = tiny_edition(tmp_path / "ed")
    with Watching(root) as watching:
        scratch = root / "seeds" / "sedX1b2c3"
        scratch.write_text(seed(root).read_text(encoding="utf-8").replace("comrades", "friends"), encoding="utf-8")
        os.replace(scratch, seed(root))
        assert watching.next().changed == (f"seeds/{DOC}.yaml",)
        assert "Dear friends" in page(root)


def test_the_pdf_is_rebuilt_too(tmp_path):
    root = tiny_edition(tmp_path / "ed")
    heard: queue.Queue[Rebuild] = queue.Queue()
    stop = threading.Event()
    thread = threading.Thread(target=watch_pdf, args=(root,), kwargs={"heard": heard.put, "stop": stop})
    thread.start()
    try:
        time.sleep(0.5)
        seed(root).write_text(seed(root).read_text(encoding="utf-8").replace("comrades", "friends"), encoding="utf-8")
        rebuild = heard.get(timeout=120)
    finally:
        stop.set()
        thread.join(timeout=WAIT)
    assert rebuild.ok and re.fullmatch(r"build/edition\.pdf \(\d+ pages\)", rebuild.built or ""), rebuild
    assert "friends" in "".join(p.extract_text() for p in pypdf.PdfReader(root / "build" / "edition.pdf").pages)


def test_a_new_translation_folder_is_watched_too(tmp_path):
    root = tiny_edition(tmp_path / "ed")
    layer = root / "translations" / DOC / "de.yaml"
    with Watching(root) as watching:
        layer.parent.mkdir(parents=True)
        layer.write_text("broken: [\n", encoding="utf-8")  # before the new folder is watched: read all the same
        first = watching.next()
        assert first.changed == (f"translations/{DOC}",)
        assert not first.ok and str(first.problems[0]).startswith(f"{layer}:")
        layer.unlink()  # seen in the folder now watched
        again = watching.next()
        assert again.changed == (f"translations/{DOC}/de.yaml",) and again.ok


def test_a_save_during_a_rebuild_into_a_new_folder_is_heard(tmp_path):
    """The new folder is watched before the rebuild starts, so a file
    saved into it while the rebuild runs starts the next one."""
    root = tiny_edition(tmp_path / "ed")
    layer = root / "translations" / DOC / "de.yaml"
    started = threading.Event()

    def rebuild() -> str:
        started.set()
        time.sleep(1.0)
        return "nothing"

    heard: queue.Queue[Rebuild] = queue.Queue()
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(root, rebuild), kwargs={"heard": heard.put, "stop": stop})
    thread.start()
    try:
        time.sleep(0.5)
        layer.parent.mkdir(parents=True)
        assert started.wait(WAIT)
        layer.write_text("lang: de\n", encoding="utf-8")
        assert heard.get(timeout=WAIT).changed == (f"translations/{DOC}",)
        assert heard.get(timeout=WAIT).changed == (f"translations/{DOC}/de.yaml",)
    finally:
        stop.set()
        thread.join(timeout=WAIT)


def test_the_watch_ends_with_an_error_when_the_edition_is_removed(tmp_path):
    root = tiny_edition(tmp_path / "ed")
    ended: queue.Queue[BaseException | None] = queue.Queue()

    def run() -> None:
        try:
            watch_site(root, heard=lambda rebuild: None)
        except BaseException as exc:  # handed to the test, whatever it is
            ended.put(exc)
        else:
            ended.put(None)

    threading.Thread(target=run, daemon=True).start()
    time.sleep(0.5)
    shutil.rmtree(root)
    error = ended.get(timeout=WAIT)
    assert isinstance(error, EditionError) and "folder is gone" in str(error)


def test_which_files_are_the_editions_sources(tmp_path):
    root = tmp_path
    assert is_source(root, root / "edition.yaml") and is_source(root, root / "terms.yaml")
    assert is_source(root, root / "seeds" / "a.yaml") and is_source(root, root / "translations" / "a" / "en.yaml")
    assert is_source(root, root / "templates" / "site" / "page.html.j2")
    for other in ("build/edition.pdf", "seeds/sources/a.txt", "seeds/.a.yaml.swp", "seeds/a.yaml~", "templates/.#x.css",
                  ".git/index", "README.md", "seeds/.a.yaml.1234.tmp"):
        assert not is_source(root, root / other), other


def test_links_out_of_the_edition_are_not_watched(tmp_path):
    outside = tmp_path / "outside"
    (outside / "deep").mkdir(parents=True)
    root = tmp_path / "ed"
    (root / "templates").mkdir(parents=True)
    (root / "templates" / "shared").symlink_to(outside, target_is_directory=True)
    (root / "translations").symlink_to(outside, target_is_directory=True)
    folders = watched_folders(root)
    assert folders == [root, root / "templates"]


def test_site_watch_in_a_real_process_ends_with_exit_0_on_ctrl_c(tmp_path):
    """Started on a broken seed: the first build's error is shown, the
    watch starts anyway, and the repaired seed is built."""
    root = tiny_edition(tmp_path / "ed")
    good = seed(root).read_text(encoding="utf-8")
    seed(root).write_text(good.replace("title: A letter", "title: [A letter"), encoding="utf-8")
    env = {**os.environ, "NO_COLOR": "1"}
    # Ctrl-C as a terminal gives it: a test runner's worker may ignore
    # SIGINT, and a child would inherit that
    process = subprocess.Popen([sys.executable, "-m", "edition", "site", "--watch", "-C", str(root)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        lines: queue.Queue[str] = queue.Queue()
        def read() -> None:
            for line in process.stderr or ():
                lines.put(line)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        heard: list[str] = []
        while not any(line.startswith("watching ") for line in heard):
            heard.append(lines.get(timeout=WAIT))
        assert any(line.startswith(f"{seed(root)}:") for line in heard)  # the first build's error, at its line
        time.sleep(0.5)
        seed(root).write_text(good.replace("comrades", "friends"), encoding="utf-8")
        while not any("changed: rebuilt" in line for line in heard):
            heard.append(lines.get(timeout=WAIT))
        assert [line for line in heard if "changed" in line][0].startswith(f"seeds/{DOC}.yaml changed: rebuilt build/site/")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=WAIT) == 0
        reader.join(timeout=WAIT)
    finally:
        if process.poll() is None:
            process.kill()
    heard.extend(lines.queue)
    assert heard[-1] == "stopped watching\n" and not any("Traceback" in line for line in heard)
    assert "Dear friends" in page(root)


@pytest.mark.parametrize("command", ["build", "site"])
def test_watch_is_in_the_help(cli, command):
    result = cli(command, "--help")
    assert result.exit_code == 0 and "--watch" in result.output
