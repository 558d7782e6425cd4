"""Nothing let in: text in a document is data. Markup and template syntax
in any field (HTML that would load a file or a URL, CSS url() and @import,
<style>, <script>, Jinja2 `{{ }}` and `{% %}`) prints as typed, in the HTML
(escaped) and in the PDF (read back with pypdf); a real `edition build`
opens no file outside what it needs and no network connection (a local
TCP listener must hear nothing); YAML never makes Python objects.

What a build may open (checked on every path the process and its children
open, seen by an audit hook and, where strace works, by the kernel):

- the edition's own folder and the template folders;
- the Python installation: the interpreter's prefix, the virtual
  environment, the `edition` package itself;
- system software and its data: /usr, /lib*, /etc/ld.so.*, fontconfig's
  configuration and caches (/etc/fonts, /var/cache/fontconfig,
  ~/.cache/fontconfig), locale data, /proc, /sys, /dev/null and /dev/urandom;
- a few system files: /etc/ld.so.cache, /etc/mime.types, /etc/locale.alias,
  /etc/ssl/openssl.cnf, /etc/localtime;
- scratch files the process makes itself in /tmp: ctypes.util.find_library
  (cffi looking for Pango) runs gcc on a temporary file.
"""

from __future__ import annotations

import html
import html.parser
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import unicodedata
from pathlib import Path

import pytest

import edition as edition_package
from edition import api, importers, store
from edition.errors import EditionError
from edition.model import ArchivalRef
from edition.render import render_html, templates_dirs

from .test_crash_safety import EDITION, LETTER, copy_sample


class Listener:
    """A TCP listener on 127.0.0.1 that counts whoever connects."""

    def __init__(self):
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.received: list[bytes] = []
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.running:
            try:
                conn, _ = self.server.accept()
            except (socket.timeout, OSError):
                continue
            self.connections += 1
            conn.settimeout(0.5)
            try:
                self.received.append(conn.recv(4096))
            except OSError:
                pass
            conn.close()

    def close(self):
        self.running = False
        self.thread.join(timeout=2)
        self.server.close()


@pytest.fixture
def listener():
    listening = Listener()
    yield listening
    listening.close()


def payloads(port: int) -> list[str]:
    return [
        '<img src="file:///etc/passwd">',
        '<link rel="attachment" href="file:///etc/passwd">',
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/x">',
        f'<span style="background: url(http://127.0.0.1:{port}/y)">styled</span>',
        f"@import url(http://127.0.0.1:{port}/z);",
        f"<style>body {{ background: url(http://127.0.0.1:{port}/s) }}</style>",
        "<script>document.title = 'owned'</script>",
        f'<iframe src="http://127.0.0.1:{port}/i"></iframe>',
        '<object data="file:///etc/passwd"></object>',
        f'<svg><image href="http://127.0.0.1:{port}/v"/></svg>',
        "{{ 7*7 }}",
        "{% for x in range(3) %}loop{% endfor %}",
        "{# comment #}",
    ]


def plant(root: Path, port: int) -> list[str]:
    """Put every payload into the fields a volume prints: the edition's
    title, the document's title, dateline, headnote, source note, author,
    credit, a segment of each layer and a note. Returns the payloads."""
    hostile = payloads(port)
    text = " ".join(hostile)
    ws = api.open_workspace(root)
    doc = ws.document(LETTER)
    doc.title = f"{doc.title} {hostile[0]}"  # keeps the phrase note n1 is anchored to
    doc.summary = text
    doc.author = hostile[2]
    doc.credit = hostile[6]
    doc.place = hostile[10]
    doc.archival_refs[0] = ArchivalRef(text=f"{doc.archival_refs[0].text} {hostile[4]}")
    for layer in doc.layers:
        segment = doc.segment("p4")
        segment.text[layer.id] = f"{segment.text[layer.id]} {text}"
    store.write_document(root, doc, replace=True, files=ws.files[doc.id])
    for layer in [l.id for l in doc.layers if l.id in ws.files[doc.id].layer_files]:
        store.write_layer(root, doc, doc.layer(layer), ws.files[doc.id], replace=True)
    api.add_note(root, LETTER, layer="en", segment="p4", phrase="Kalinin", text=text)
    edition_yaml = root / "edition.yaml"
    edition_yaml.write_text(edition_yaml.read_text(encoding="utf-8").replace("title: ", f"subtitle: '{hostile[1]} {hostile[11]}'\ntitle: ", 1), encoding="utf-8")
    assert not [p for p in api.validate(root) if p.severity == "error"]
    return hostile


def _squeeze(text: str) -> str:
    """PDF text for comparison: NFC, the typography of print folded back, without
    hyphenation marks and spaces."""
    text = _as_typed(unicodedata.normalize("NFC", text))
    return re.sub(r"[\s\u2010\u00ad]+", "", text)


class _Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, list]] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


URL_ATTRIBUTES = {"src", "href", "data", "style", "srcset", "action", "formaction", "poster", "background", "xlink:href", "cite", "longdesc"}


# Print typography sets quotes, dashes, ellipses and no-break spaces: folded
# back, the printed text must hold every payload's characters as typed.
_TYPED = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"',
                        "\u00ab": '"', "\u00bb": '"', "\u2013": "-", "\u2014": "-", "\u00a0": " ", "\u202f": " ", "\u2009": " "})


def _as_typed(text: str) -> str:
    return text.translate(_TYPED).replace("\u2026", "...")


def assert_html_is_inert(page: str, hostile: list[str]) -> None:
    parsed = _Tags()
    parsed.feed(page)
    for tag, attrs in parsed.tags:
        assert tag not in ("script", "iframe", "object", "embed", "image"), tag
        for name, value in attrs:  # text in a <meta content> or a title= is text; a URL is not
            if name in URL_ATTRIBUTES:
                assert "passwd" not in (value or "") and "127.0.0.1" not in (value or ""), (tag, name, value)
    assert not any("127.0.0.1" in css or "passwd" in css for css in parsed.styles)
    text = _as_typed(html.unescape(re.sub(r"<[^>]+>", "", page)))
    for payload in hostile:
        assert _as_typed(payload) in text, f"not printed as typed: {payload}"
    assert "looploop" not in text  # the payloads above, as typed, are the proof that no template ran


def test_every_printed_field_is_escaped_in_the_html(tmp_path):
    root = copy_sample(tmp_path / "ed", only=LETTER)
    hostile = plant(root, 9)
    page = render_html(store.load(root), templates_dirs(root))
    assert_html_is_inert(page, hostile)


# A build in a real process that records what it opens (Python's audit
# events) and any network use, then writes them as JSON to argv[1].
AUDITED = r"""
import json, sys
report = sys.argv.pop(1)
opened, network = [], []
def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes)):
        opened.append(args[0] if isinstance(args[0], str) else args[0].decode("utf-8", "replace"))
    elif event.startswith(("socket.", "urllib.", "http.", "ftplib.", "smtplib.")):
        network.append([event, repr(args)[:200]])
sys.addaudithook(hook)
from edition.cli import main
sys.argv[0] = "edition"
try:
    main()
finally:
    with open(report, "w") as handle:
        json.dump({"opened": opened, "network": network}, handle)
"""


def _allowed_trees(root: Path) -> list[str]:
    home = Path.home()
    trees = [
        root, *templates_dirs(root), Path(edition_package.__file__).parent, Path(sys.prefix), Path(sys.base_prefix),
        Path(sys.exec_prefix), Path(sys.executable).parent.parent,
        "/usr", "/lib", "/lib64", "/lib32", "/etc/fonts", "/var/cache/fontconfig",
        home / ".cache" / "fontconfig", home / ".fontconfig", home / ".local" / "share" / "fonts", home / ".fonts",
        "/proc", "/sys",
    ]  # fmt: skip
    return [os.path.realpath(t) for t in trees]


# Single files and folders (opened to list them, not their contents).
ALLOWED_FILES = {
    "/etc/ld.so.cache", "/etc/ld.so.preload", "/etc/localtime", "/etc/mime.types", "/etc/locale.alias",
    "/etc/ssl/openssl.cnf", "/dev/null", "/dev/urandom", "/tmp",
}  # fmt: skip
# Scratch files that the process makes itself: ctypes.util.find_library runs
# gcc (cc*.c, .o, .res) on a temporary file, after tempfile's probe of /tmp.
SCRATCH = re.compile(r"^/tmp/(tmp[A-Za-z0-9_]{8}|[a-z0-9_]{8}|cc[A-Za-z0-9]{6}\.[a-z.]+)$")


def _outside(paths: set[str], root: Path) -> list[str]:
    trees = _allowed_trees(root)
    folders_on_path = {os.path.realpath(Path(edition_package.__file__).parent.parent)}  # listed by the import system
    strays = []
    for path in sorted(paths):
        real = os.path.realpath(path) if os.path.isabs(path) else os.path.realpath(root / path)
        if SCRATCH.match(path) or real in ALLOWED_FILES or path in ALLOWED_FILES or real in folders_on_path:
            continue
        if any(real == t or real.startswith(t.rstrip("/") + "/") for t in trees):
            continue
        strays.append(path)
    return strays


def _strace_works() -> bool:
    if not shutil.which("strace"):
        return False
    try:
        return subprocess.run(["strace", "-f", "-qq", "-e", "trace=openat", "-o", os.devnull, "true"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _strace_opens(log: Path) -> tuple[set[str], list[str]]:
    """Paths the kernel opened for the build and its children (successful
    opens only), and any connect() calls."""
    opened, connects = set(), []
    for line in log.read_text(errors="replace").splitlines():
        if "connect(" in line and "ENOENT" not in line and "AF_UNIX" not in line:
            connects.append(line)
        match = re.search(r'open(?:at)?\((?:[^,]+, )?"([^"]*)"', line)
        if match and not re.search(r"= -1 E", line):
            opened.add(match.group(1))
    return opened, connects


@pytest.mark.skipif(not EDITION.exists(), reason="the edition command is not installed next to this Python")
def test_a_build_of_hostile_text_prints_it_and_reaches_nothing(tmp_path, listener, record_property):
    import pypdf

    root = copy_sample(tmp_path / "ed", only=LETTER)
    hostile = plant(root, listener.port)
    report, trace = tmp_path / "opened.json", tmp_path / "strace.log"
    command = [sys.executable, "-c", AUDITED, str(report), "build", "--html", "build/volume.html"]
    traced = _strace_works()
    if traced:  # the kernel's view as well: C libraries (fontconfig, Pango) included
        command = ["strace", "-f", "-qq", "-e", "trace=open,openat,connect", "-o", str(trace), *command]
    result = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=300, env={**os.environ, "NO_COLOR": "1"})
    assert result.returncode == 0, result.stderr

    # No network: nobody knocked, nothing was even attempted.
    audit = json.loads(report.read_text())
    assert listener.connections == 0 and not listener.received
    socket.create_connection(("127.0.0.1", listener.port), timeout=2).close()  # it would have heard
    for _ in range(50):
        if listener.connections:
            break
        threading.Event().wait(0.02)
    assert listener.connections == 1
    assert not audit["network"], audit["network"]

    # No file outside the allowed places; /etc/passwd above all.
    opened = set(audit["opened"]) - {str(report)}
    if traced:
        kernel, connects = _strace_opens(trace)
        assert not connects, connects
        opened |= kernel
    assert any(Path(p).name == f"{LETTER}.yaml" for p in audit["opened"])  # the hook did record
    strays = _outside(opened - {str(report)}, root)
    assert not strays, f"the build opened files outside the edition, its templates and the system: {strays}"
    assert not any(p.endswith("/etc/passwd") for p in opened)
    record_property("build opened", f"{len(opened)} paths ({'audit hook + strace' if traced else 'audit hook'}), none outside the allowed places")

    # The HTML: escaped, inert, every payload as typed.
    assert_html_is_inert((root / "build" / "volume.html").read_text(encoding="utf-8"), hostile)

    # The PDF: every payload printed as typed; nothing attached or embedded.
    reader = pypdf.PdfReader(root / "build" / "edition.pdf")
    text = _squeeze("".join(page.extract_text() for page in reader.pages))
    for payload in hostile:
        assert _squeeze(payload) in text, f"not printed as typed in the PDF: {payload}"
    assert not reader.attachments
    assert "/EmbeddedFiles" not in str(reader.trailer["/Root"].get("/Names", {}))
    assert "root:x:0:0" not in text


# --------------------------------------------------------------------------
# YAML never makes Python objects.

MARKER = "/tmp/edition-owned-{}"
OBJECT_TAGS = [
    "!!python/object/apply:os.system ['touch {marker}']",
    "!!python/object/new:os.system ['touch {marker}']",
    "!!python/name:os.system",
    "!!python/module:os",
    "!<tag:yaml.org,2002:python/object/apply:os.system> ['touch {marker}']",
    "!!python/tuple [a, b]",
    "!!set {{a: null}}",
]


@pytest.mark.parametrize("tag", OBJECT_TAGS)
def test_yaml_refuses_python_objects_everywhere(tmp_path, tag):
    marker = MARKER.format(os.getpid())
    value = tag.format(marker=marker)
    root = copy_sample(tmp_path / "ed", only=LETTER)
    seed = root / "seeds" / f"{LETTER}.yaml"
    text = seed.read_text(encoding="utf-8")
    cases = {
        "a document value": (seed, text.replace("credit: Translated", f"author: {value}\ncredit: Translated", 1)),
        "a list item": (seed, text.replace("archival_refs:\n", f"archival_refs:\n- {value}\n", 1)),
        "a flow sequence": (seed, text.replace("original_language: ru", f"original_language: [{value}]", 1)),
        "a shorthand %TAG": (seed, "%TAG !p! tag:yaml.org,2002:python/\n---\n" + text.replace("original_language: ru", "original_language: !p!object/apply:os.system ['true']", 1)),
        "edition.yaml": (root / "edition.yaml", (root / "edition.yaml").read_text(encoding="utf-8") + f"publisher: {value}\n"),
        "names.yaml": (root / "names.yaml", f"persons: {value}\n"),
    }
    for where, (path, content) in cases.items():
        original = path.read_bytes() if path.exists() else None
        path.write_text(content, encoding="utf-8")
        problems = [p for p in api.validate(root) if p.severity == "error"]
        # Refused for the tag (or, for a few, as YAML that cannot stand there).
        assert any("not allowed" in p.message or "malformed YAML" in p.message for p in problems), (where, problems)
        path.write_bytes(original) if original is not None else path.unlink()
    delivery = tmp_path / "t.md"
    delivery.write_text(f"---\nlang: {value}\n---\nText.\n", encoding="utf-8")
    with pytest.raises(EditionError, match="not allowed|malformed YAML"):
        importers.read_delivery(delivery)
    assert not Path(marker).exists()


def test_no_module_loads_yaml_with_a_loader_that_builds_objects():
    """Only the SafeLoader family, through yamlio, ever parses YAML."""
    unsafe = re.compile(r"yaml\.(load|load_all|unsafe_load|full_load)\s*\(|FullLoader|UnsafeLoader|yaml\.Loader\b")
    package = Path(edition_package.__file__).parent
    offenders = [str(p.relative_to(package)) for p in package.rglob("*.py") if unsafe.search(p.read_text(encoding="utf-8"))]
    assert not offenders
