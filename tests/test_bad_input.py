"""Bad input battery: the YAML loader, every importer and `compare`, fed
arbitrary bytes and mutations of the sample's own files (truncation, byte
flips, NULs, invalid UTF-8, deep nesting, aliases, tags, duplicate keys,
huge lines), may only succeed or raise an EditionError — never another
exception, never a hang (each call is bounded in time), never a changed
file. Then the classic bombs one by one, bounded in time and memory, and
the same through the command line: a message naming the file, a non-zero
exit, no traceback."""

from __future__ import annotations

import faulthandler
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tracemalloc
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edition import api, importers, store
from edition.doctor import doctor
from edition.errors import EditionError

from .conftest import snapshot
from .test_crash_safety import LETTER, MEMO, REPO, copy_sample

CALL_SECONDS = 10.0  # far above any honest call, even on a loaded machine
SEEDS = sorted((REPO / "seeds").glob("*.yaml"))
LAYER_FILES = sorted((REPO / "translations").glob("*/*.yaml"))
SOURCES = sorted((REPO / "seeds" / "sources").glob("*.txt"))
DELIVERIES = sorted((REPO / "translations" / "sources").glob("*.md"))
YAML_FILES = [*SEEDS, *LAYER_FILES, REPO / "edition.yaml", *([REPO / "names.yaml"] if (REPO / "names.yaml").exists() else [])]

# What every property test counts, for the closing figures.
GENERATED: dict[str, int] = {}


class TookTooLong(BaseException):
    """Raised by the alarm; a BaseException so that no `except Exception`
    in the code under test can swallow it."""


@contextmanager
def bounded(seconds: float = CALL_SECONDS):
    """Fail a call that runs longer than `seconds` (SIGALRM interrupts
    Python code; the faulthandler watchdog ends the run should C code hang)."""

    def alarm(signum, frame):
        raise TookTooLong(f"call took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    faulthandler.dump_traceback_later(seconds * 6, exit=True)
    try:
        yield
    except TookTooLong as exc:
        # Raised anew here: the alarm can strike in a frame without a line
        # number, whose traceback pytest cannot print.
        raise TookTooLong(str(exc)) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        faulthandler.cancel_dump_traceback_later()


def only_success_or_edition_error(call, *args) -> str:
    with bounded():
        try:
            call(*args)
        except EditionError as exc:
            assert exc.problems and all(p.message for p in exc.problems)
            return "refused"
    return "read"


def _count(name: str) -> None:
    GENERATED[name] = GENERATED.get(name, 0) + 1


# --------------------------------------------------------------------------
# Mutations of real files.

NESTING = [b"[" * 5000, b"{a: " * 3000, b"".join(b" " * i + b"- \n" for i in range(0, 400, 2)), b"> " * 5000, b"<a>" * 3000]
SNIPPETS = [
    b"\x00", b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xe2\x82", b"\xef\xbb\xbf", b"\r", b"\t", b"\x1b[31m", b"\x85", b"\xe2\x80\xa8",
    b": ", b"- ", b"\n  ", b"\n- ", b"&a ", b"*a", b"&a [*a, *a]", b"!!python/object:os.system ", b"!!binary ", b"!x ", b"<<: *a\n",
    b"? ", b"---\n", b"...\n", b"%YAML 1.1\n", b"'", b'"', b"|", b">", b"#", b"[", b"]", b"{", b"}", b",",
    b"[^1]", b"[^1]: ", b"**", b"*", b"\n\n", b"1. ", b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>", b"&e;", b"<![CDATA[",
]  # fmt: skip


@st.composite
def mutated(draw, originals: list[bytes], huge: int = 200_000) -> bytes:
    """One of `originals` with one to four mutations; a "huge line" is a
    chunk of it repeated to 20 kB … `huge` bytes."""
    data = bytearray(draw(st.sampled_from(originals)))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["truncate", "flip", "insert", "delete", "duplicate", "huge line", "nest", "random", "indent", "duplicate key"]))
        at = draw(st.integers(0, len(data)))
        if op == "truncate":
            del data[at:]
        elif op == "flip" and data:
            data[min(at, len(data) - 1)] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            data[at:at] = draw(st.sampled_from(SNIPPETS))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 80))]
        elif op == "duplicate":
            start = draw(st.integers(0, len(data)))
            data[at:at] = data[start : start + draw(st.integers(1, 300))]
        elif op == "huge line":  # a chunk of the file, its line breaks gone, repeated to 20-200 kB
            start = draw(st.integers(0, len(data)))
            chunk = bytes(data[start : start + draw(st.integers(1, 60))]).replace(b"\n", b" ") or b"x"
            data[at:at] = chunk * (draw(st.integers(min(20_000, huge), huge)) // len(chunk))
        elif op == "nest":
            data[at:at] = draw(st.sampled_from(NESTING))
        elif op == "random":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif op == "indent":
            data = bytearray(bytes(data).replace(b"\n", b"\n" + b" " * draw(st.integers(1, 3)), draw(st.integers(1, 6))))
        elif op == "duplicate key":  # a line repeated right after itself
            lines = bytes(data).split(b"\n")
            i = draw(st.integers(0, len(lines) - 1))
            lines.insert(i, lines[i])
            data = bytearray(b"\n".join(lines))
    return bytes(data)


def _read_all(paths: list[Path]) -> list[bytes]:
    return [p.read_bytes() for p in paths]


ANY_BYTES = st.binary(max_size=2048) | st.text(max_size=1024).map(lambda s: s.encode("utf-8", "surrogatepass"))


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("bad-input")


def _unchanged_after(folder: Path, call) -> str:
    """Run `call` and prove that no file in `folder` changed or appeared."""
    before = snapshot(folder)
    outcome = call()
    assert snapshot(folder) == before, "a reader changed or left a file"
    return outcome


# --------------------------------------------------------------------------
# The YAML loader.

FEW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SOME = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SOME
@given(data=ANY_BYTES)
def test_yaml_loader_on_arbitrary_bytes(work, data):
    _count("YAML, arbitrary bytes")
    path = work / "any.yaml"
    path.write_bytes(data)
    _unchanged_after(work, lambda: only_success_or_edition_error(store.read_document_file, path))


@SOME
@given(data=mutated(_read_all(YAML_FILES)))
def test_yaml_loader_on_mutated_edition_files(work, data):
    _count("YAML, mutated sample files")
    path = work / "mutated.yaml"
    path.write_bytes(data)
    _unchanged_after(work, lambda: only_success_or_edition_error(store.read_document_file, path))
    _unchanged_after(work, lambda: only_success_or_edition_error(store.read_register, path))


@pytest.fixture(scope="module")
def edition_copy(tmp_path_factory) -> Path:
    return copy_sample(tmp_path_factory.mktemp("edition") / "ed")


@FEW
@given(which=st.sampled_from(YAML_FILES), data=st.data())
def test_whole_edition_with_one_mutated_file_loads_and_doctors(edition_copy, which, data):
    """load_workspace (and doctor) collect problems; nothing escapes."""
    _count("edition with a mutated file (load_workspace + doctor)")
    target = edition_copy / which.relative_to(REPO)
    original = target.read_bytes()
    target.write_bytes(data.draw(mutated([original])))
    try:
        before = snapshot(edition_copy)
        with bounded():
            problems = doctor(edition_copy)  # load_workspace's problems, then its own
        assert all(p.message for p in problems)
        assert snapshot(edition_copy) == before
    finally:
        target.write_bytes(original)


# --------------------------------------------------------------------------
# The importers and compare.

def _docx(paragraphs: list[str], footnote: str | None = None) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


DOCX = _docx(["Gestern, am 25. Juni, fanden Kundgebungen statt.", "Die Kundgebungen waren gut organisiert.", "Was ist mit Genossen Pieck?"])
PARTS = ("word/document.xml", "[Content_Types].xml", "word/_rels/document.xml.rels", "word/styles.xml")


@st.composite
def mutated_docx(draw) -> bytes:
    if draw(st.booleans()):
        return draw(mutated([DOCX]))
    source = zipfile.ZipFile(io.BytesIO(DOCX))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        target = draw(st.sampled_from(PARTS))
        for info in source.infolist():
            data = source.read(info)
            package.writestr(info, draw(mutated([data])) if info.filename == target else data)
    return out.getvalue()


@SOME
@given(data=mutated(_read_all(SOURCES)) | ANY_BYTES)
def test_text_importer(work, data):
    _count("plain text import (.txt)")
    path = work / "source.txt"
    path.write_bytes(data)
    _unchanged_after(work, lambda: only_success_or_edition_error(importers.read, path))
    _unchanged_after(work, lambda: only_success_or_edition_error(importers.read_delivery, path))


@SOME
@given(data=mutated(_read_all(DELIVERIES)) | ANY_BYTES)
def test_markdown_delivery(work, data):
    _count("Markdown delivery (.md)")
    path = work / "delivery.md"
    path.write_bytes(data)
    _unchanged_after(work, lambda: only_success_or_edition_error(importers.read_delivery, path))


@FEW
@given(data=mutated_docx() | ANY_BYTES)
def test_word_delivery(work, data):
    _count("Word delivery (.docx)")
    path = work / "delivery.docx"
    path.write_bytes(data)
    _unchanged_after(work, lambda: only_success_or_edition_error(importers.read_delivery, path))


# Lines of at most 3 kB here, to keep the run short (long paragraphs: see
# test_long_paragraphs_that_differ_throughout_compare_without_hanging).
@FEW
@given(
    a=mutated(_read_all(DELIVERIES + SOURCES), huge=3_000),
    b=mutated(_read_all(DELIVERIES + SOURCES), huge=3_000),
    suffixes=st.sampled_from([(".md", ".txt"), (".txt", ".md"), (".md", ".md")]),
)
def test_compare_two_files(work, a, b, suffixes):
    _count("compare of two files")
    first, second = work / f"a{suffixes[0]}", work / f"b{suffixes[1]}"
    first.write_bytes(a)
    second.write_bytes(b)
    try:
        _unchanged_after(work, lambda: only_success_or_edition_error(api.compare, None, str(first), str(second)))
    except TookTooLong as exc:  # keep the pair for whoever looks into it
        import tempfile

        kept = Path(tempfile.mkdtemp(prefix="edition-slow-compare-"))
        shutil.copy2(first, kept)
        shutil.copy2(second, kept)
        raise TookTooLong(f"{exc}: the two files are in {kept}") from None


def test_long_paragraphs_that_differ_throughout_compare_without_hanging(tmp_path):
    """Two files whose one paragraph differs throughout, 20 kB each (a long
    paragraph, not an attack): the aligner scores such a pair by an estimate
    instead of diffing it (which took ~18 s), and the pair is not taken for
    a revision of each other."""
    import random

    words = (REPO / "translations" / "sources" / "mikhailov-de.md").read_text(encoding="utf-8").split()
    rng = random.Random(7)
    paths = []
    for name in ("a.txt", "b.txt"):
        paragraph = " ".join(rng.choice(words) for _ in range(3_300))
        (tmp_path / name).write_text(f"Title\n\n{paragraph}\n\nThe end.\n", encoding="utf-8")
        paths.append(str(tmp_path / name))
    with bounded(10):  # a hang guard for a loaded machine; it takes well under a second
        result = api.compare(None, *paths)
    # Title and end paired; the long paragraphs each alone (one deleted, one inserted).
    sides = [(s.a is not None, s.b is not None) for s in result.segments]
    assert sides[0] == sides[-1] == (True, True) and sorted(sides[1:-1]) == [(False, True), (True, False)]


def _tei_samples() -> list[bytes]:
    try:
        from edition.export.tei import document_tei
        from edition.importers import tei  # noqa: F401 - the importer under test
    except ImportError:
        return []
    edition = store.load(REPO)
    return [document_tei(doc, edition) for doc in edition.documents]


TEI = _tei_samples()


@pytest.mark.skipif(not TEI, reason="no TEI importer yet")
@FEW
@given(data=mutated(TEI or [b"<TEI/>"]) | ANY_BYTES)
def test_tei_importer(work, data):
    _count("TEI import (.xml)")
    path = work / "source.xml"
    path.write_bytes(data)
    _unchanged_after(work, lambda: only_success_or_edition_error(importers.read, path))


# --------------------------------------------------------------------------
# The bombs, one by one: refused, fast, in little memory.

ALIAS_BOMB = (
    "id: bomb\ntitle: x\n"
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
)
BIG = 100 * 1024 * 1024


def _sparse(path: Path, size: int = BIG) -> Path:
    with open(path, "wb") as handle:
        handle.truncate(size)  # a hole: no time, no disk
    return path


_ZIP_BOMB: list[bytes] = []


def _zip_bomb(path: Path) -> Path:
    """A .docx whose document part unpacks to 66 MiB of spaces (66 kB packed)."""
    if not _ZIP_BOMB:
        source = zipfile.ZipFile(io.BytesIO(DOCX))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
            for info in source.infolist():
                data = source.read(info)
                if info.filename == "word/document.xml":
                    with package.open(info.filename, "w", force_zip64=True) as part:
                        part.write(data[:-20])
                        for _ in range(66):
                            part.write(b" " * 1024 * 1024)
                        part.write(data[-20:])
                else:
                    package.writestr(info, data)
        _ZIP_BOMB.append(out.getvalue())
    path.write_bytes(_ZIP_BOMB[0])
    return path


def _xml_in_docx(path: Path, document_xml: bytes) -> Path:
    source = zipfile.ZipFile(io.BytesIO(DOCX))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for info in source.infolist():
            package.writestr(info, document_xml if info.filename == "word/document.xml" else source.read(info))
    return path


W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY l "lol">'
    + b"".join(b'<!ENTITY l%d "%s">' % (i + 1, b"&l%d;" % i * 10 if i else b"&l;" * 10) for i in range(9))
    + b"]><w:document " + W + b"><w:body><w:p><w:r><w:t>&l9;</w:t></w:r></w:p></w:body></w:document>"
)
DEEP_XML = b"<w:document " + W + b"><w:body>" + b"<w:p><w:r>" * 20000 + b"<w:t>x</w:t>" + b"</w:r></w:p>" * 20000 + b"</w:body></w:document>"

# name → (file name, how to make it, the reader to call, words the message must hold)
BOMBS = {
    "YAML alias bomb": ("bomb.yaml", lambda p: p.write_text(ALIAS_BOMB), store.read_document_file, "aliases"),
    "100 MB YAML": ("big.yaml", _sparse, store.read_document_file, "too large"),
    "100 MB text": ("big.txt", _sparse, importers.read, "too large"),
    "100 MB Markdown": ("big.md", _sparse, importers.read_delivery, "too large"),
    "100 MB Word file": ("big.docx", _sparse, importers.read_delivery, "not a Word file"),
    "Word zip bomb": ("bomb.docx", _zip_bomb, importers.read_delivery, "64 MiB"),
    "Word entity bomb": ("laughs.docx", lambda p: _xml_in_docx(p, LAUGHS), importers.read_delivery, None),
    "Word deep nesting": ("deep.docx", lambda p: _xml_in_docx(p, DEEP_XML), importers.read_delivery, None),
    "YAML nested 100,000 deep (flow)": ("deep.yaml", lambda p: p.write_text("id: x\ntitle: " + "[" * 100_000 + "]" * 100_000 + "\n"), store.read_document_file, "nest"),
    "YAML nested 5,000 deep (block)": ("deep-block.yaml", lambda p: p.write_text("".join(" " * i + "- \n" for i in range(5000))), store.read_document_file, None),
    "YAML nested 40 deep (within libyaml's limit)": ("deep40.yaml", lambda p: p.write_text("id: x\ntitle: y\nlayers: " + "[" * 40 + "]" * 40 + "\n"), store.read_document_file, "nested too deeply"),
    "Markdown quotation nested 100,000 deep": ("deep.md", lambda p: p.write_text("> " * 100_000 + "x\n\nSecond.\n"), importers.read_delivery, None),
    "NUL bytes in YAML": ("nul.yaml", lambda p: p.write_bytes(b"id: a\ntitle: b\x00c\n"), store.read_document_file, "NUL"),
    "NUL bytes in text": ("nul.txt", lambda p: p.write_bytes(b"Title\n\nBody \x00 text.\n"), importers.read, "NUL"),
    "invalid UTF-8 in YAML": ("latin1.yaml", lambda p: p.write_bytes("id: a\ntitle: Gr\u00fc\u00dfe\n".encode("latin-1")), store.read_document_file, "invalid UTF-8"),
    "invalid UTF-8 in Markdown": ("latin1.md", lambda p: p.write_bytes("---\nlang: de\n---\nGr\u00fc\u00dfe\n".encode("latin-1")), importers.read_delivery, "invalid UTF-8"),
    "control character in YAML": ("ctrl.yaml", lambda p: p.write_bytes(b"id: a\ntitle: b\x07\n"), store.read_document_file, "not allowed"),
    "a folder": ("folder.txt", lambda p: p.mkdir(), importers.read, "folder"),
    "a FIFO": ("fifo.txt", lambda p: os.mkfifo(p), importers.read, "not a regular file"),
    "a device": ("/dev/zero", lambda p: None, importers.read, "not a regular file"),
    "Python object tag": ("object.yaml", lambda p: p.write_text("id: !!python/object/apply:os.system ['echo owned']\ntitle: x\n"), store.read_document_file, "not allowed"),
}


@pytest.mark.parametrize("name", list(BOMBS))
def test_bomb_is_refused_fast_in_little_memory(tmp_path, name):
    file_name, make, reader, words = BOMBS[name]
    path = tmp_path / file_name if not file_name.startswith("/") else Path(file_name)
    make(path)
    before = snapshot(tmp_path)
    tracemalloc.start()
    started = time.perf_counter()
    message = None
    try:
        with bounded(10):
            try:
                reader(path)
            except EditionError as exc:
                message = str(exc)
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    if words:  # refused, saying why; otherwise reading it is fine too
        assert message and words in message, message
    if message:
        assert str(path) in message
    assert seconds < 5, f"{name}: {seconds:.1f} s"
    assert peak < 64 * 2**20, f"{name}: {peak / 2**20:.0f} MB of Python objects"
    assert snapshot(tmp_path) == before


# `edition ARGS…` that reports its peak resident memory (VmHWM: this process
# image only; ru_maxrss would count the forking parent) on its last line.
PEAK = (
    "import sys\n"
    "from edition.cli import main\n"
    "sys.argv[0] = 'edition'\n"
    "try:\n"
    "    main()\n"
    "finally:\n"
    "    peak = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
    "    print('peak-kB', peak, file=sys.stderr)\n"
)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_100_mb_file_is_refused_by_a_real_process_without_reading_it(tmp_path):
    """The whole process, C libraries included, stays small: the file is
    never read."""
    root = copy_sample(tmp_path / "ed")
    big = _sparse(tmp_path / "big.txt")
    before = snapshot(root)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", PEAK, "import", str(big)], cwd=root, capture_output=True, text=True, timeout=60)
    seconds = time.perf_counter() - started
    assert result.returncode == 1 and "too large" in result.stderr and str(big) in result.stderr
    assert "Traceback" not in result.stderr
    peak = int(re.search(r"peak-kB (\d+)", result.stderr).group(1)) * 1024
    assert peak < BIG / 2, f"peak memory {peak // 2**20} MB"
    assert seconds < 20
    assert snapshot(root) == before


# --------------------------------------------------------------------------
# Through the command line (in-process): message, exit code, no traceback.

def _no_traceback(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


def _in_seed(root: Path, text: str) -> Path:
    path = root / "seeds" / f"{LETTER}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


CLI_CASES = {
    # name → (how to break the edition or make a file, the command, the message)
    "alias bomb in a seed": (lambda root, tmp: _in_seed(root, ALIAS_BOMB), ["validate"], "aliases"),
    "100 MB seed": (lambda root, tmp: _sparse(root / "seeds" / f"{LETTER}.yaml"), ["validate"], "too large"),
    "deep nesting in a seed": (lambda root, tmp: _in_seed(root, "id: x\ntitle: " + "[" * 100_000), ["validate"], "nest"),
    "NUL in a seed": (lambda root, tmp: _in_seed(root, "id: x\ntitle: a\x00b\n"), ["validate"], "NUL"),
    "invalid UTF-8 in a translation": (
        lambda root, tmp: (root / "translations" / LETTER / "en.2.yaml").write_bytes(b"document: x\n\xff\xfe\n"), ["validate"], "invalid UTF-8",
    ),
    "python tag in names.yaml": (lambda root, tmp: (root / "names.yaml").write_text("persons: !!python/object/new:os.system [ls]\n"), ["validate"], "not allowed"),
    "import of a 100 MB file": (lambda root, tmp: _sparse(tmp / "big.txt"), ["import", "{tmp}/big.txt"], "too large"),
    "import of a folder": (lambda root, tmp: (tmp / "folder").mkdir(), ["import", "{tmp}/folder"], "folder"),
    "import of /dev/zero": (lambda root, tmp: None, ["import", "/dev/zero"], "not a regular file"),
    "import with NUL": (lambda root, tmp: (tmp / "nul.txt").write_bytes(b"A title\n\n\x00\n"), ["import", "{tmp}/nul.txt"], "NUL"),
    "translation in Latin-1": (
        lambda root, tmp: (tmp / "t.md").write_bytes("Gr\u00fc\u00dfe\n".encode("latin-1")), ["translation", "add", MEMO, "{tmp}/t.md", "--lang", "de"], "invalid UTF-8",
    ),
    "translation: Word zip bomb": (lambda root, tmp: _zip_bomb(tmp / "bomb.docx"), ["translation", "add", MEMO, "{tmp}/bomb.docx", "--lang", "de"], "64 MiB"),
    "translation: broken Word file": (
        lambda root, tmp: (tmp / "broken.docx").write_bytes(DOCX[:-30] + b"\x00" * 30), ["translation", "add", MEMO, "{tmp}/broken.docx", "--lang", "de"], "Word file",
    ),
    "compare: alias bomb in front matter": (
        lambda root, tmp: ((tmp / "a.md").write_text("---\n" + ALIAS_BOMB.replace("id: bomb\ntitle: x\n", "") + "---\nText.\n"), (tmp / "b.md").write_text("Text.\n")),
        ["compare", "{tmp}/a.md", "{tmp}/b.md"],
        "aliases",
    ),
    "compare: 100 MB file": (lambda root, tmp: (_sparse(tmp / "a.txt"), (tmp / "b.txt").write_text("x\n")), ["compare", "{tmp}/a.txt", "{tmp}/b.txt"], "too large"),
}


@pytest.mark.parametrize("name", list(CLI_CASES))
def test_bad_input_through_the_command_line(tmp_path, cli, name):
    make, args, words = CLI_CASES[name]
    root = copy_sample(tmp_path / "ed")
    files = tmp_path / "files"
    files.mkdir()
    make(root, files)
    before = snapshot(root)
    started = time.perf_counter()
    with bounded(20):
        result = cli(*[a.format(tmp=files) for a in args], "-C", root) if args[0] != "compare" else cli(*[a.format(tmp=files) for a in args])
    assert time.perf_counter() - started < 10
    _no_traceback(result)
    assert result.exit_code in (1, 2), result.output
    assert words in result.stderr, result.stderr
    # The message names a file, and a line where there is one.
    assert re.search(r"(/|\.)[\w./-]+(:\d+(:\d+)?)?: ", result.stderr), result.stderr
    assert snapshot(root) == before


def test_an_unwritable_edition_is_a_message_not_a_traceback(sample, cli, monkeypatch):
    """The system refusing a write (disk full here) is reported; the file
    is untouched and no temporary file stays."""
    before = snapshot(sample)

    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    result = cli("note", "add", LETTER, "--layer", "en", "--segment", "p3", "--at", "Voroshilov", "--text", "x", "-C", sample)
    _no_traceback(result)
    assert result.exit_code == 1 and "No space left on device" in result.stderr
    assert snapshot(sample) == before


def test_generated_figures(record_property):
    """Not a check: the number of generated inputs, for the closing note
    (run with -s to see it)."""
    total = sum(GENERATED.values())
    record_property("generated bad inputs", GENERATED)
    print(f"\n{total} generated bad inputs: {GENERATED}")
