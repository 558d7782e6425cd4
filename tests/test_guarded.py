"""An edition is untrusted input (a clone, a publisher's archive): its
templates are data, not programs; every input is bounded before it is read;
every byte of a command line or a document reaches the terminal as a clean
message; a refused write names its file. Each case checks the exit code,
the message, that the edition is unchanged and that nothing was written
outside it."""

from __future__ import annotations

import errno
import io
import os
import random
import re
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from edition import api
from edition.model import Name, Register
from edition.names import head_texts, matcher, occurrences

from .conftest import REPO, snapshot
from .former_register import former_pattern

LETTER = "1956-09-18-anonymous-letter-editorial-board"
EDITION = [sys.executable, "-m", "edition"]
# Runs `edition ARGS…` as its only child and prints that child's peak
# resident memory (kB) from getrusage: the whole process, C libraries too.
PEAK = (
    "import resource, subprocess, sys\n"
    "done = subprocess.run([sys.executable, '-m', 'edition', *sys.argv[1:]], capture_output=True, text=True)\n"
    "sys.stdout.write(done.stdout)\n"
    "sys.stderr.write(done.stderr)\n"
    "print('peak-kB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(done.returncode)\n"
)
SMALL_MB = 150  # a refused input must not bring the process near its size


def _outside(tmp_path: Path, root: Path) -> set[str]:
    """Every file under tmp_path but outside the edition."""
    return {str(p) for p in tmp_path.rglob("*") if p.is_file() and root not in p.parents}


def _peak(args: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess, int]:
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", PEAK, *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=env)
    return done, int(re.search(r"peak-kB (\d+)", done.stderr).group(1)) // 1024


# --------------------------------------------------------------------------
# Templates are data.

PAYLOADS = {
    "cycler globals": "{{ cycler.__init__.__globals__.os.popen('touch pwned').read() }}",
    "str mro": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "loop over subclasses": "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "a value's class": "{{ VALUE.__class__.__init__.__globals__ }}",
    "format string": "{{ '{0.__class__.__init__.__globals__}'.format(VALUE) }}",
    "attr filter": "{{ VALUE|attr('__class__') }}",
    "private attribute": "{{ self._TemplateReference__context }}",
    "lipsum globals": "{{ lipsum.__globals__['os'].popen('touch pwned').read() }}",
    "include a system file": "{% include '/etc/passwd' %}",
    "include upwards": "{% include '../../edition.yaml' %}",
    "a string of 10 GB": "{{ 'x' * 10000000000 }}",
    "a power without end": "{{ 2 ** 100000000000 }}",
    "a filter asked for 10 GB": "{{ 'x'|center(10000000000) }}",
    "a format asked for 10 GB": "{{ '%010000000000d'|format(1) }}",
    "a replace that multiplies": "{{ ('x' * 1000000)|replace('x', 'x' * 1000000) }}",
    "a division by zero": "{{ 1 / 0 }}",
    "a string plus a number": "{{ 'a' + 1 }}",
    "a macro calling itself": "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
}
# The volume's page the parts are cut from (render/html.py, marked_parts):
# the payload above it is printed in every part.
PAGE_SHAPE = "<body>{% for doc in volume.documents %}{{ doc.title_plain }}{% endfor %}</body>\n"
# command, the edition's template it overrides, a value that template is given
COMMANDS = {
    "site": (["site", "-o", "{tmp}/out"], "site/index.html.j2", "site"),
    "compare --format html": (["compare", LETTER, "en", "en", "--format", "html"], "compare.html.j2", "c"),
    "build": (["build", "-o", "{tmp}/out/edition.pdf"], "volume.html.j2", "volume"),
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("payload", PAYLOADS)
def test_template_cannot_escape_the_sandbox(cli, sample, tmp_path, monkeypatch, command, payload):
    args, template, value = COMMANDS[command]
    path = sample / "templates" / template
    path.parent.mkdir(parents=True, exist_ok=True)
    shape = PAGE_SHAPE if template == "volume.html.j2" else ""
    path.write_text("<p>first line</p>\n" + PAYLOADS[payload].replace("VALUE", value) + "\n" + shape, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    before, outside = snapshot(sample), _outside(tmp_path, sample)
    result = cli(*[a.replace("{tmp}", str(tmp_path)) for a in args], "-C", sample)
    assert result.exit_code == 1, result.output
    assert f"{path}:2: template error" in result.stderr
    assert "hint: templates may change markup" in result.stderr
    assert "Traceback" not in result.output and "root:" not in result.output
    assert result.stdout == ""
    assert snapshot(sample) == before and _outside(tmp_path, sample) == outside
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "out").exists()


def test_a_real_process_refuses_a_template_that_runs_a_command(sample, tmp_path):
    (sample / "templates" / "site").mkdir(parents=True)
    (sample / "templates" / "site" / "index.html.j2").write_text(PAYLOADS["cycler globals"], encoding="utf-8")
    before = snapshot(sample)
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO)}
    done = subprocess.run([*EDITION, "site", "-o", str(tmp_path / "out")], cwd=sample, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 1
    assert "index.html.j2:1: template error: the sandbox refused it" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (sample / "pwned").exists() and not (tmp_path / "out").exists()
    assert snapshot(sample) == before


def test_a_template_linked_out_of_its_folder_is_not_read(cli, sample, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("the key\n")
    (sample / "templates").mkdir()
    (sample / "templates" / "compare.html.j2").symlink_to(secret)
    result = cli("compare", LETTER, "en", "en", "--format", "html", "-C", sample)
    assert result.exit_code == 1
    assert "leads out" in result.stderr and "compare.html.j2" in result.stderr and "the key" not in result.output


def test_templates_may_still_change_markup_and_use_the_values_passed(cli, sample):
    (sample / "templates").mkdir()
    (sample / "templates" / "compare.html.j2").write_text(
        "{% include 'own.html.j2' %}<p>{{ summary|length }} lines, {{ c.segments|length }} segments</p>\n", encoding="utf-8"
    )
    (sample / "templates" / "own.html.j2").write_text("<h1>Ours &amp; {{ '<b>'|upper }}</h1>\n", encoding="utf-8")
    result = cli("compare", LETTER, "en", "en", "--format", "html", "-C", sample)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<h1>Ours &amp; &lt;B&gt;</h1>")  # autoescaped
    assert re.search(r"<p>\d+ lines, \d+ segments</p>", result.stdout)


def test_a_template_compiled_once_is_compiled_again_when_it_changes(tmp_path):
    """Templates are compiled once in a process (render/templating.py); an
    edited file, or one read with other options, is never served the code of
    another."""
    from edition.render.templating import environment, render

    folder = tmp_path / "templates"
    folder.mkdir()
    page = folder / "page.j2"
    page.write_text("{% if true %}\n<p>{{ word }}</p>\n{% endif %}\n", encoding="utf-8")
    first = render(environment([folder]).get_template("page.j2"), word="one")
    assert render(environment([folder]).get_template("page.j2"), word="two") == first.replace("one", "two")
    page.write_text("{% if true %}\n<p>{{ word }}!</p>\n{% endif %}\n", encoding="utf-8")
    assert render(environment([folder]).get_template("page.j2"), word="one") == first.replace("one", "one!")
    trimmed = render(environment([folder], trim_blocks=True).get_template("page.j2"), word="one")
    assert trimmed == "<p>one!</p>\n" and trimmed != first


# --------------------------------------------------------------------------
# Bounded resources.


def _sparse(path: Path, size: str) -> Path:
    subprocess.run(["truncate", "-s", size, str(path)], check=True)
    return path


@pytest.mark.parametrize(
    "name, size, args, limit",
    [
        ("memo.txt", "4G", ["import", "{file}"], "the limit for a source file is 64 MiB"),
        ("memo.txt", "4G", ["translation", "add", LETTER, "{file}", "--lang", "de"], "the limit for a source file is 64 MiB"),
        ("memo.md", "4G", ["translation", "add", LETTER, "{file}", "--lang", "de"], "the limit for a source file is 64 MiB"),
        ("memo.xml", "4G", ["import", "{file}"], "the limit for a TEI file is 64 MiB"),
    ],
)
def test_a_sparse_4_gb_file_is_refused_in_little_memory(sample, tmp_path, name, size, args, limit):
    big = _sparse(tmp_path / name, size)
    before, outside = snapshot(sample), _outside(tmp_path, sample)
    done, peak_mb = _peak([a.replace("{file}", str(big)) for a in args], sample)
    assert done.returncode == 1, done.stderr
    assert f"{big}: {name} is too large (4 GiB); {limit}" in done.stderr
    assert "hint:" in done.stderr and "Traceback" not in done.stderr
    assert peak_mb < SMALL_MB, f"peak {peak_mb} MB"
    assert snapshot(sample) == before and _outside(tmp_path, sample) == outside
    print(f"{name} {args[0]}: peak {peak_mb} MB")


def test_a_template_past_its_limit_is_named(cli, sample, tmp_path):
    path = sample / "templates" / "compare.html.j2"
    path.parent.mkdir()
    _sparse(path, "9M")
    before = snapshot(sample)
    result = cli("compare", LETTER, "en", "en", "--format", "html", "-C", sample)
    assert result.exit_code == 1 and result.stdout == ""
    assert f"{path}: compare.html.j2 is too large (9 MiB); the limit for a template or stylesheet is 8 MiB" in result.stderr
    assert snapshot(sample) == before


def test_an_edition_yaml_file_past_its_limit_is_named(cli, sample):
    seed = sample / "seeds" / f"{LETTER}.yaml"
    _sparse(seed, "100M")
    before = snapshot(sample)
    result = cli("validate", "-C", sample)
    assert result.exit_code == 1
    assert f"{LETTER}.yaml is too large (100 MiB); the limit for a YAML file of the edition is 64 MiB" in result.stderr
    assert snapshot(sample) == before


def _lying_docx(path: Path, real_mb: int = 200, stated: int = 1000) -> Path:
    """A .docx whose document part unpacks to `real_mb` MB of spaces while
    both its headers say `stated` bytes (and give the CRC of those): a
    whole-member read believes the header and decompresses all of it."""
    import docx

    blank = io.BytesIO()
    docx.Document().save(blank)  # a real Word package: python-docx goes on to read its document part
    out = io.BytesIO()
    with zipfile.ZipFile(blank) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                package.writestr(info, source.read(info))
        with package.open("word/document.xml", "w") as part:
            for _ in range(real_mb):
                part.write(b" " * 1024 * 1024)
    data = bytearray(out.getvalue())
    crc = zlib.crc32(b" " * stated)
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("word/document.xml")
    local = info.header_offset
    assert data[local : local + 4] == b"PK\x03\x04"
    data[local + 14 : local + 18] = crc.to_bytes(4, "little")
    data[local + 22 : local + 26] = stated.to_bytes(4, "little")
    name = b"word/document.xml"
    central = next(m.start() for m in re.finditer(rb"PK\x01\x02", data) if data[m.start() + 46 : m.start() + 46 + len(name)] == name)
    data[central + 16 : central + 20] = crc.to_bytes(4, "little")
    data[central + 24 : central + 28] = stated.to_bytes(4, "little")
    path.write_bytes(bytes(data))
    assert zipfile.ZipFile(path).getinfo("word/document.xml").file_size == stated
    return path


def test_a_docx_that_understates_its_size_is_refused_in_little_memory(sample, tmp_path):
    bomb = _lying_docx(tmp_path / "bomb.docx")
    assert bomb.stat().st_size < 1024 * 1024
    before, outside = snapshot(sample), _outside(tmp_path, sample)
    done, peak_mb = _peak(["translation", "add", LETTER, str(bomb), "--lang", "de"], sample)
    assert done.returncode == 1, done.stderr
    assert "word/document.xml unpacks to more than its zip header says (1000 bytes)" in done.stderr
    assert "Traceback" not in done.stderr
    assert peak_mb < SMALL_MB, f"peak {peak_mb} MB"
    assert snapshot(sample) == before and _outside(tmp_path, sample) == outside
    print(f"lying docx: peak {peak_mb} MB")


def test_a_docx_whose_real_parts_pass_the_limit_is_refused(sample, tmp_path, monkeypatch, cli):
    from edition import textfile

    monkeypatch.setitem(textfile.LIMITS, "docx", textfile.Limit("a Word file's unpacked parts", 50 * 1024 * 1024))
    bomb = _lying_docx(tmp_path / "bomb.docx", real_mb=60, stated=60 * 1024 * 1024)  # the header tells the truth
    result = cli("translation", "add", LETTER, bomb, "--lang", "de", "-C", sample)
    assert result.exit_code == 1
    assert "bomb.docx is too large (word/document.xml unpacks to 60 MiB); the limit for a Word file's unpacked parts is 50 MiB" in result.stderr


def test_jobs_are_capped_at_the_usable_cores(cli, sample, tmp_path, monkeypatch):
    from edition.render import assemble

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    started = []
    monkeypatch.setattr(assemble, "workers", lambda edition, jobs, chunk: started.append(jobs) or 0)
    result = cli("build", "--jobs", "32", "-o", tmp_path / "out.pdf", "-C", sample)
    assert result.exit_code == 0, result.output
    assert "note: --jobs 32 is more than the 1 core(s) this process may use; using 1" in result.stderr
    assert started == [1] and (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF")
    assert api.usable_cores() == 1


# --------------------------------------------------------------------------
# The names register: one pass, today's results.


def _former(register: Register, text: str) -> list[tuple[int, int, str]]:
    pattern = former_pattern(register)
    return [(m.start(), m.end(), register.names[int(m.lastgroup[1:].split("_")[0])].id) for m in pattern.finditer(text)]


def _ours(register: Register, text: str) -> list[tuple[int, int, str]]:
    found = matcher(register)
    return [(a, b, name.id) for a, b, name in found.find(text)] if found else []


def test_register_finds_what_the_former_matcher_found_in_the_sample_edition():
    ws = api.open_workspace(REPO)
    texts = [t for d in ws.edition.documents for s in d.segments for t in s.text.values()]
    texts += [n.text for d in ws.edition.documents for n in d.notes] + [d.title for d in ws.edition.documents]
    # The index counts every printed text: the dateline, headnote and source note too.
    texts += [t for d in ws.edition.documents for _, t in head_texts(d) if t]
    assert len(ws.register.names) > 5 and len(texts) > 50
    total = 0
    for text in texts:
        expected = _former(ws.register, text)
        assert _ours(ws.register, text) == expected, text
        total += len(expected)
    assert total > 50
    assert len(occurrences(ws.edition, ws.register)) == total


WORDS = ["Ivan", "Ivanov", "Ivanova", "Moskva", "Moskvy", "St.", "Petersburg", "Co.", "ов", "Хрущёв", "Хрущёва",
         "Nikita", "a", "ab", "x_y", "O'Brien", "«Pravda»", "J.V.", "Ё", "Ё"]  # fmt: skip
SEPARATORS = [" ", "  ", "\n", "\u00a0", ", ", ".", "-", "\t \n", "", "'", "\u2009", "’s "]


def test_register_finds_what_the_former_matcher_found_in_generated_registers():
    rng = random.Random(7)
    found = 0
    for _ in range(2000):
        names = []
        for i in range(rng.randint(1, 6)):
            forms = []
            for _ in range(rng.randint(1, 3)):
                form = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3)))
                if rng.random() < 0.3:
                    form = form[: rng.randint(1, len(form))] + "*"
                if rng.random() < 0.1:
                    form = form.replace(" ", "  ")
                forms.append(form)
            names.append(Name(f"n{i}", "person", forms[0], tuple(forms)))
        register = Register(names)
        text = "".join(rng.choice(WORDS) + rng.choice(SEPARATORS) for _ in range(rng.randint(0, 40)))
        expected = _former(register, text)
        assert _ours(register, text) == expected, (text, [n.forms for n in names])
        found += len(expected)
    assert found > 1000  # the generated texts do hold names


# --------------------------------------------------------------------------
# Clean messages for every byte.


def _run(args: list[bytes], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO)}
    return subprocess.run([*EDITION, *args], cwd=cwd, capture_output=True, env=env, timeout=60)


def test_a_title_that_is_not_utf8_is_refused_before_anything_is_made(tmp_path):
    done = _run([b"init", b"new", b"--title", b"Caf\xe9"], tmp_path)
    stderr = done.stderr.decode("utf-8")
    assert done.returncode == 2
    assert stderr.startswith("--title is not UTF-8 (byte 0xe9): Caf\\udce9\n  hint: pass text in UTF-8")
    assert "Traceback" not in stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "args, option",
    [
        ([b"note", b"add", LETTER.encode(), b"--layer", b"en", b"--segment", b"p2", b"--at", b"It", b"--text", b"\xff\xfe"], "--text"),
        ([b"translation", b"add", LETTER.encode(), b"{tmp}/de.txt", b"--lang", b"de", b"--translator", b"M\xfcller"], "--translator"),
        ([b"show", b"\xc3("], "DOC"),
    ],
)
def test_other_arguments_that_are_not_utf8_name_the_option(sample, tmp_path, args, option):
    (tmp_path / "de.txt").write_text("Ein Absatz.\n", encoding="utf-8")
    before, outside = snapshot(sample), _outside(tmp_path, sample)
    done = _run([a.replace(b"{tmp}", str(tmp_path).encode()) for a in args], sample)
    stderr = done.stderr.decode("utf-8")
    assert done.returncode == 2 and stderr.startswith(f"{option} is not UTF-8 (byte 0x")
    assert "Traceback" not in stderr
    assert snapshot(sample) == before and _outside(tmp_path, sample) == outside


@pytest.mark.parametrize(
    "text, shown",
    [("a\x00b", "holds a NUL character: a\\x00b"), ("\x1b[2J\x1b]0;owned\x07", "holds the control character \\x1b: \\x1b[2J\\x1b]0;owned\\x07"),
     ("\x9b31m", "holds the control character \\x9b: \\x9b31m")],
)  # fmt: skip
def test_nul_and_escapes_in_a_note_are_refused(cli, sample, tmp_path, text, shown):
    before = snapshot(sample)
    result = cli("note", "add", LETTER, "--layer", "en", "--segment", "p2", "--at", "It", "--text", text, "-C", sample)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"--text {shown}\n  hint: remove it")
    assert "\x1b" not in result.output and "\x00" not in result.output
    assert snapshot(sample) == before


def test_init_with_an_escape_in_the_title_makes_nothing(cli, tmp_path):
    result = cli("init", tmp_path / "new", "--title", "Vol\x1b[31mume")
    assert result.exit_code == 2 and "--title holds the control character \\x1b" in result.stderr
    assert not (tmp_path / "new").exists()


ESCAPES = "\x1b[31mRED\x1b]0;owned\x07"
SHOWN = "\\x1b[31mRED\\x1b]0;owned\\x07"


def _hostile(sample: Path) -> dict[str, bytes]:
    """Escape sequences stored in a note, a segment and a title (YAML's own
    escapes write them), as a clone might hold them."""
    seed = sample / "seeds" / f"{LETTER}.yaml"
    text = seed.read_text(encoding="utf-8")
    hostile = '"\\e[31mRED\\e]0;owned\\a"'  # YAML's escapes for ESC and BEL
    text = re.sub(r"(?m)^title: .*$", lambda m: f"title: {hostile}", text, count=1)
    text = re.sub(r"(?m)^(- id: n1\n(?:  .*\n)*?)  text: [^\n]*\n(?:    .*\n)*", lambda m: f"{m.group(1)}  text: {hostile}\n", text, count=1)
    seed.write_text(text, encoding="utf-8")
    assert "\x1b" in api.open_workspace(sample).document(LETTER).title
    return snapshot(sample)


@pytest.mark.parametrize(
    "args",
    [["show", LETTER], ["note", "list", LETTER], ["list"], ["translation", "show", LETTER, "en"]],
)
def test_escape_sequences_from_documents_are_shown_escaped(cli, sample, args):
    before = _hostile(sample)
    result = cli(*args, "-C", sample)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert SHOWN in result.stdout or "\\x1b[31mRED" in result.stdout  # a table may fold the line
    assert snapshot(sample) == before


def test_an_error_quoting_user_text_shows_escapes(cli, sample):
    _hostile(sample)
    result = cli("show", "no\x1bsuch", "-C", sample)
    assert result.exit_code == 2 and "\x1b" not in result.output and "\\x1b" in result.stderr


# --------------------------------------------------------------------------
# A disk that is full.


def test_a_full_disk_names_the_file(cli, sample, monkeypatch):
    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    monkeypatch.chdir(sample)
    before, outside = snapshot(sample), _outside(sample.parent, sample)
    result = cli("note", "add", LETTER, "--layer", "en", "--segment", "p2", "--at", "It is enough", "--text", "A note.")
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"seeds/{LETTER}.yaml: No space left on device\n  hint: free some space")
    assert "Traceback" not in result.output
    assert snapshot(sample) == before  # nor any temporary file left behind
    assert _outside(sample.parent, sample) == outside


def test_a_full_disk_while_writing_the_output_names_it(cli, sample, tmp_path, monkeypatch):
    def full(*args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    monkeypatch.chdir(tmp_path)
    before = snapshot(sample)
    result = cli("export", "json", "--out", "model.json", "-C", sample)
    assert result.exit_code == 1, result.output
    assert "model.json: No space left on device" in result.stderr and "hint: free some space" in result.stderr
    assert snapshot(sample) == before and not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())
    assert not (tmp_path / "model.json").exists()


def test_compare_shows_escapes_from_the_files_compared(cli, tmp_path):
    (tmp_path / "a.txt").write_text(f"Hello {ESCAPES} world\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Hello \x1b[32mgreen world\n", encoding="utf-8")
    result = cli("compare", tmp_path / "a.txt", tmp_path / "b.txt")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "Hello \\x1b[[-31mRED\\x1b]0;owned\\x07-]{+32mgreen+} world" in result.stdout


def test_a_template_that_runs_without_end_is_stopped(cli, sample, tmp_path, monkeypatch):
    from edition.render import templating

    monkeypatch.setattr(templating, "RENDER_SECONDS", 1.0)
    path = sample / "templates" / "site" / "index.html.j2"
    path.parent.mkdir(parents=True)
    path.write_text("<p>\n{% for a in 'x' * 1000000 %}{% for b in 'x' * 1000000 %}{% endfor %}{% endfor %}\n", encoding="utf-8")
    before = snapshot(sample)
    result = cli("site", "-o", tmp_path / "out", "-C", sample)
    assert result.exit_code == 1
    assert f"{path}:2: template error: the templates ran for more than 1 s" in result.stderr
    assert snapshot(sample) == before and not (tmp_path / "out").exists()


def test_a_templates_folder_that_links_elsewhere_is_not_read(cli, sample, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "compare.html.j2").write_text("read from elsewhere\n", encoding="utf-8")
    (sample / "templates").symlink_to(elsewhere)
    result = cli("compare", LETTER, "en", "en", "--format", "html", "-C", sample)
    assert result.exit_code == 1
    assert "templates: symbolic link leads outside the edition" in result.stderr  # refused as the edition's link, before any template is read
    assert "read from elsewhere" not in result.output


def test_a_terminal_that_is_not_utf8_gets_escapes_not_a_traceback(sample):
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "ascii"}
    done = subprocess.run([*EDITION, "show", LETTER], cwd=sample, capture_output=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert b"Traceback" not in done.stderr and b"\\u2018Kommunist\\u2019" in done.stdout


def test_the_register_knows_every_kind_of_white_space():
    from edition.names import _ODD_SPACE

    spaces = [c for c in map(chr, range(0x110000)) if c.isspace() and c != " "]
    assert all(_ODD_SPACE.search(c) for c in spaces)
    assert not any(_ODD_SPACE.search(c) for c in map(chr, range(0x3100)) if not c.isspace() or c == " ")


def test_a_word_file_with_a_broken_deflate_stream_is_an_error_not_a_traceback(tmp_path):
    """A damaged compressed part (zlib: "invalid stored block lengths",
    found by the hypothesis run of test_bad_input) is refused cleanly."""
    import io
    import zipfile

    import docx

    from edition.errors import EditionError
    from edition.importers import read_delivery

    made = io.BytesIO()
    document = docx.Document()
    for i in range(40):
        document.add_paragraph(f"Paragraph {i} of a delivered translation, long enough to be deflated in blocks.")
    document.save(made)
    data = bytearray(made.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as package:
        info = package.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for k in range(start + 2, start + 40, 3):  # inside the member's deflate stream
        data[k] ^= 0x5A
    path = tmp_path / "broken.docx"
    path.write_bytes(bytes(data))
    with pytest.raises(EditionError, match="not a readable Word file"):
        read_delivery(path)
