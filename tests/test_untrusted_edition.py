"""An edition received from anyone (a git clone, a publisher's archive)
cannot make edition read or write outside it: ids that would be paths, a
lock file that is a link, an --out that names a FIFO, a device, a link or
the edition's own sources, symbolic links that lead out of the edition, and
a hand edit made while a slow command runs.

Each case checks the exit code, the message (file, line, hint), that the
edition is unchanged (`snapshot`) and that nothing outside it changed: a
sentinel file and the target of every hostile link keep their bytes and
their mtime, and no file appears beside them."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from edition import api, store
from edition.errors import EditionError, UsageError
from edition.ids import ID_HINT, MAX_ID_LENGTH, check_id, id_problem, is_id

from .conftest import snapshot
from .test_crash_safety import EDITION, LETTER, MEMO, copy_sample
from .test_nothing_let_in import AUDITED

DELIVERY = Path("translations/sources/mikhailov-de.md")
CYRILLIC_E = "\u0435"  # 'е', a look-alike of Latin 'e'

# Ids that must never name a file: paths, dots, white space, control
# characters, look-alikes, the empty id and a very long one.
HOSTILE = [
    "..", ".", "../../x", "../x", "/tmp/x", "/etc/passwd", "a/b", "a\\b", "sub/de", "en\n", "\nen", "a\x00b", "a b", " en",
    "en ", "en\t", f"d{CYRILLIC_E}", "e\u0301n", "\uff45\uff4e", "a..b", "a.", ".a", ".hidden", "-a", "_a", "", "x" * (MAX_ID_LENGTH + 1),
]  # fmt: skip
VALID = ["en", "en.2", "de-AT", "p1", MEMO, "a_b", "n3.en.2", "2", "x" * MAX_ID_LENGTH]

# Strings built from the parts of paths and ids: most are hostile, some valid.
PIECES = st.sampled_from(["en", "a", "Z9", "2", ".", "..", "/", "\\", "-", "_", " ", "\n", "\x00", "\t", CYRILLIC_E, "\u0301", "~", "*", ":"])
path_like = st.one_of(
    st.sampled_from(HOSTILE + VALID),
    st.lists(PIECES, max_size=8).map("".join),
    st.text(max_size=12),
    st.integers(MAX_ID_LENGTH - 2, MAX_ID_LENGTH + 40).map(lambda n: "a" * n),
)
hostile_id = path_like.filter(lambda s: not is_id(s))


# --------------------------------------------------------------------------
# Fixtures: a copy of the sample edition and a folder outside it.


class Outside:
    """A folder beside the edition with a sentinel file; `unchanged()` says
    whether every file in it kept its bytes and mtime and none appeared."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir()
        self.sentinel = folder / "sentinel.txt"
        self.sentinel.write_text("not the edition's\n")
        self.taken = self._state()

    def _state(self) -> dict:
        state = {}
        for path in sorted(self.folder.rglob("*")):
            info = os.lstat(path)
            data = path.read_bytes() if stat.S_ISREG(info.st_mode) else None
            state[str(path.relative_to(self.folder))] = (stat.S_IFMT(info.st_mode), info.st_mtime_ns, data)
        return state

    def retake(self) -> None:
        self.taken = self._state()

    def unchanged(self) -> bool:
        return self._state() == self.taken


@pytest.fixture
def outside(tmp_path) -> Outside:
    return Outside(tmp_path / "outside")


@pytest.fixture
def ed(tmp_path) -> Path:
    return copy_sample(tmp_path / "ed")


def refused(result, code: int, *needles: str) -> str:
    """The stderr of a refused command, checked: its exit code, each
    needle, a hint, and no traceback."""
    assert result.exit_code == code, (result.exit_code, result.output)
    for needle in needles:
        assert needle in result.stderr, (needle, result.stderr)
    assert "hint:" in result.stderr and "Traceback" not in result.output, result.output
    return result.stderr


# --------------------------------------------------------------------------
# The id rule.


@given(path_like)
@example("en\n")
@example(f"d{CYRILLIC_E}")
@example("../../x")
def test_an_id_that_passes_names_one_file_inside_its_folder(value):
    if is_id(value):
        name = f"{value}.yaml"
        assert os.path.normpath(os.path.join("folder", name)) == os.path.join("folder", name)
        assert value.isascii() and value.isprintable() and " " not in value and len(value) <= MAX_ID_LENGTH
        assert check_id(value, "an id") == value
    else:
        problem = id_problem(value)
        assert problem
        with pytest.raises(EditionError) as caught:
            check_id(value, "an id", "where.yaml", 3, 5)
        assert str(caught.value).startswith("where.yaml:3:5: ") and ID_HINT in str(caught.value)
        with pytest.raises(UsageError):
            check_id(value, "an id", option="--layer")


@pytest.mark.parametrize("value", HOSTILE, ids=repr)
def test_hostile_ids_are_refused(value):
    assert not is_id(value) and id_problem(value)
    assert not store.ID_RE.match(value)  # the old name keeps the new rule


@pytest.mark.parametrize("value", VALID)
def test_valid_ids_are_kept(value):
    assert is_id(value) and id_problem(value) is None and store.ID_RE.match(value)


def test_messages_say_what_is_wrong():
    assert "path" in id_problem("../../x")
    assert "white space" in id_problem("en\n")
    assert "U+0435" in id_problem(f"d{CYRILLIC_E}") and "look-alike" in id_problem(f"d{CYRILLIC_E}")
    assert "longer than" in id_problem("x" * 500)
    assert "\\x00" in id_problem("a\x00b")


# --------------------------------------------------------------------------
# Ids from the command line, front matter, TEI and YAML.


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bad=hostile_id)
@example(bad="../../x")
@example(bad="/tmp/x")
@example(bad="sub/de")
@example(bad="en\n")
def test_a_hostile_layer_option_writes_nothing(ed, outside, cli, bad):
    before = snapshot(ed)
    result = cli("translation", "add", MEMO, ed / DELIVERY, "--layer", bad, "-C", ed)
    stderr = refused(result, 2, "--layer")
    # A control character is refused as such, with the other argument checks; any other bad id by the id rule.
    assert "--layer: " in stderr and "(the new layer's id)" in stderr or "control character" in stderr or "NUL" in stderr
    assert snapshot(ed) == before and outside.unchanged()
    assert not list(ed.parent.glob("*.yaml")) and not Path("/tmp/x.yaml").exists()


@pytest.mark.parametrize(
    "args",
    [
        ("translation", "add", MEMO, DELIVERY, "--revises", "../en"),
        ("translation", "add", MEMO, DELIVERY, "--from", "en\n"),
        ("note", "add", LETTER, "--layer", "en", "--segment", "p3", "--at", "Voroshilov", "--text", "x", "--id", "../n1"),
        ("note", "add", LETTER, "--layer", "en", "--segment", "p3", "--at", "Voroshilov", "--text", "x", "--id", f"n{CYRILLIC_E}"),
    ],
    ids=["--revises", "--from", "note --id path", "note --id look-alike"],
)
def test_other_id_options_are_checked(ed, outside, cli, args):
    before = snapshot(ed)
    option = next(a for a in args if a in ("--revises", "--from", "--id") and args[args.index(a) + 1] not in ("en",))
    result = cli(*[ed / a if isinstance(a, Path) else a for a in args], "-C", ed)
    refused(result, 2, f"{option}: ")
    assert snapshot(ed) == before and outside.unchanged()


@pytest.mark.parametrize("value", ["../../evil", "/tmp/evil", '"en\\n"', f"d{CYRILLIC_E}", "sub/de", '"a b"'])
def test_a_layer_id_in_front_matter_is_checked_at_its_line(ed, outside, cli, value):
    delivery = ed / "translations" / "sources" / "hostile.md"
    text = (ed / DELIVERY).read_text(encoding="utf-8")
    delivery.write_text(text.replace("translator:", f"layer: {value}\ntranslator:", 1), encoding="utf-8")
    before = snapshot(ed)
    result = cli("translation", "add", MEMO, delivery, "-C", ed)
    refused(result, 1, f"{delivery}:3:1: ", "'layer' in the front matter")
    assert snapshot(ed) == before and outside.unchanged()
    assert not (ed.parent / "evil.yaml").exists() and not Path("/tmp/evil.yaml").exists()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bad=hostile_id.filter(lambda s: s.strip() == s or not s.strip()))
@example(bad="../../evil")
@example(bad="en\n")
def test_any_hostile_id_in_front_matter_or_yaml_is_an_error_naming_the_file(ed, outside, cli, bad):
    """A hostile id written as a YAML string (escapes and all) in a
    delivery's front matter and in a document file: exit 1, the file named
    with its line, nothing written anywhere."""
    quoted = json.dumps(bad)  # a valid YAML double-quoted scalar
    delivery = ed.parent / "delivery.md"
    text = (ed / DELIVERY).read_text(encoding="utf-8")
    delivery.write_text(text.replace("translator:", f"layer: {quoted}\ntranslator:", 1), encoding="utf-8")
    seed = ed / "seeds" / f"{LETTER}.yaml"
    original = seed.read_bytes()
    before = snapshot(ed)
    outside.retake()
    result = cli("translation", "add", MEMO, delivery, "-C", ed)
    refused(result, 1, f"{delivery}:3:")
    assert snapshot(ed) == before and outside.unchanged()
    seed.write_bytes(original.replace(f"id: {LETTER}\n".encode(), f"id: {quoted}\n".encode(), 1))
    result = cli("validate", "-C", ed)
    assert result.exit_code == 1 and f"{seed}:1:" in result.stderr and "Traceback" not in result.output, result.output
    seed.write_bytes(original)
    assert snapshot(ed) == before and outside.unchanged()
    assert sorted(p.name for p in ed.parent.iterdir()) == ["delivery.md", "ed", "outside"]


def test_a_tei_idno_that_is_a_path_is_refused_at_its_line(ed, outside, cli, tmp_path):
    api.export(ed, "tei", [LETTER], out=tmp_path / "tei")
    tei = tmp_path / "tei" / f"{LETTER}.xml"
    lines = tei.read_text(encoding="utf-8").splitlines(keepends=True)
    line = next(n for n, text in enumerate(lines, start=1) if '<idno type="document">' in text)
    tei.write_text("".join(lines).replace(f'<idno type="document">{LETTER}</idno>', '<idno type="document">../../evil</idno>'), encoding="utf-8")
    before = snapshot(ed)
    result = cli("import", tei, "-C", ed)
    refused(result, 1, f"{tei}:{line}: ", "is a path, not an id", "document idno")
    assert snapshot(ed) == before and outside.unchanged() and not (tmp_path / "evil.yaml").exists()


@pytest.mark.parametrize(
    "old, new, what",
    [
        (f"id: {LETTER}\n", "id: ../../evil\n", "'id' in a document"),
        ("- id: en.2\n", '- id: "en.2\\n"\n', "'id' in a layer"),
        ("- id: p2\n", "- id: p..2\n", "'id' in a segment"),
    ],
    ids=["document id", "layer id with a newline", "segment id with two dots"],
)
def test_a_yaml_id_that_breaks_the_rule_is_an_error_at_its_line(ed, cli, old, new, what):
    path = ed / "seeds" / f"{LETTER}.yaml"
    if old == "- id: en.2\n":
        path = ed / "translations" / LETTER / "en.2.yaml"
        old, new = "  id: en.2\n", '  id: "en.2\\n"\n'
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    line = text[: text.index(old)].count("\n") + 1
    before = snapshot(ed)
    result = cli("validate", "-C", ed)
    assert result.exit_code == 1 and f"{path}:{line}:" in result.stderr and what in result.stderr, result.stderr
    assert snapshot(ed) == before


def test_a_name_id_that_is_a_path_is_an_error(ed, cli):
    names = ed / "names.yaml"
    names.write_text("persons:\n  - id: ../stalin\n    name: Stalin\n", encoding="utf-8")
    result = cli("validate", "-C", ed)
    assert result.exit_code == 1 and f"{names}:2:" in result.stderr and "is a path, not an id" in result.stderr


# --------------------------------------------------------------------------
# The lock file.


@pytest.mark.parametrize("kind", ["symlink", "fifo", "folder"])
def test_a_lock_file_that_is_no_regular_file_is_refused(ed, outside, cli, kind):
    lock = ed / ".edition.lock"
    if kind == "symlink":
        lock.symlink_to(outside.sentinel)
    elif kind == "fifo":
        os.mkfifo(lock)
    else:
        lock.mkdir()
    outside.retake()
    before = snapshot(ed)
    result = cli("note", "add", LETTER, "--layer", "en", "--segment", "p3", "--at", "Voroshilov", "--text", "x", "-C", ed)
    assert result.exit_code == 1 and ".edition.lock" in result.stderr and "Traceback" not in result.output, result.output
    assert "hint:" in result.stderr or kind == "folder"
    if kind == "symlink":
        assert "symbolic link" in result.stderr and str(outside.sentinel) in result.stderr
    assert snapshot(ed) == before and outside.unchanged()


# --------------------------------------------------------------------------
# --out: only a regular file or a new one; never the edition's sources.


def _special(ed: Path, outside: Outside, kind: str) -> Path:
    if kind == "fifo":
        path = outside.folder / "pipe"
        os.mkfifo(path)
    elif kind == "link to a file outside":
        path = ed / "build" / "out.json"
        path.parent.mkdir(exist_ok=True)
        path.symlink_to(outside.sentinel)
    elif kind == "link to /dev/null":
        path = outside.folder / "null.json"
        path.symlink_to("/dev/null")
    elif kind == "/dev/null":
        path = Path("/dev/null")
    elif kind == "folder":
        path = outside.folder
    else:  # one of the edition's sources (templates/x.pdf: a new file in one)
        path = ed / kind
        path.parent.mkdir(exist_ok=True)
    outside.retake()
    return path


SPECIAL = {
    "fifo": (2, "is a FIFO"),
    "link to a file outside": (2, "is a symbolic link"),
    "link to /dev/null": (2, "is a symbolic link"),
    "/dev/null": (2, "is a character device"),
    "folder": (2, "is a folder; it names the file to write"),
    "edition.yaml": (2, "would replace the edition's own edition.yaml"),
    "names.yaml": (2, "would replace the edition's own names.yaml"),
    f"seeds/{MEMO}.yaml": (2, "lies in the edition's own seeds/ folder"),
    f"translations/{MEMO}/de.yaml": (2, "lies in the edition's own translations/ folder"),
    "templates/x.pdf": (2, "lies in the edition's own templates/ folder"),
}


# (A folder is what `export tei --corpus --out` takes: it writes corpus.xml inside.)
@pytest.mark.parametrize(
    "command, kind",
    [(c, k) for c in ("export json --out", "build --out", "build --html", "export tei --corpus --out") for k in SPECIAL
     if (c, k) != ("export tei --corpus --out", "folder")],
)
def test_out_refuses_what_is_no_regular_file_or_is_a_source(ed, outside, cli, kind, command):
    target = _special(ed, outside, kind)
    def state(path):
        if not os.path.lexists(path):
            return None
        info = os.lstat(path)
        return stat.S_IFMT(info.st_mode), info.st_ino, info.st_mtime_ns

    was = state(target)
    args = {
        "export json --out": ["export", "json", "--out"],
        "build --out": ["build", "--out"],
        "build --html": ["build", "--out", ed.parent / "never.pdf", "--html"],
        "export tei --corpus --out": ["export", "tei", "--corpus", "--out"],
    }[command]
    before = snapshot(ed)
    result = cli(*args, target, "-C", ed)
    code, needle = SPECIAL[kind]
    refused(result, code, needle, "nothing was written" if kind != "folder" else "--")
    assert ".tmp" not in result.stderr  # no temporary file named
    assert snapshot(ed) == before and outside.unchanged()
    assert state(target) == was
    assert not (ed.parent / "never.pdf").exists()


@pytest.mark.parametrize("kind", ["fifo", "link to a file outside", "edition.yaml", "seeds", "translations", "templates/site", ".edition.lock"])
@pytest.mark.parametrize("command", ["site", "export tei"])
def test_an_output_folder_cannot_be_a_source_or_a_link(ed, outside, cli, kind, command):
    (ed / "templates" / "site").mkdir(parents=True)
    (ed / ".edition.lock").touch()
    if kind == "link to a file outside":
        target = ed / "build" / "site-link"
        target.parent.mkdir()
        target.symlink_to(outside.folder, target_is_directory=True)
    else:
        target = _special(ed, outside, kind)
    outside.retake()
    before = snapshot(ed)
    result = cli(*command.split(), "--out", target, "-C", ed)
    assert result.exit_code == 2, result.output
    assert "nothing was written" in result.stderr or "not a folder" in result.stderr, result.stderr
    assert snapshot(ed) == before and outside.unchanged()


def test_force_writes_through_a_link_to_a_regular_file_never_into_a_device(ed, outside, cli):
    link = ed.parent / "edition.json"
    link.symlink_to(outside.sentinel)
    assert cli("export", "json", "--out", link, "--force", "-C", ed).exit_code == 0
    assert link.is_symlink() and json.loads(outside.sentinel.read_text())["schema"] == "edition.json/1"
    null = ed.parent / "null.json"
    null.symlink_to("/dev/null")
    result = cli("export", "json", "--out", null, "--force", "-C", ed)
    refused(result, 2, "is a character device (the link's target /dev/null)")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    source = ed.parent / "source.json"
    source.symlink_to(ed / "edition.yaml")
    before = snapshot(ed)
    refused(cli("export", "json", "--out", source, "--force", "-C", ed), 2, "would replace the edition's own edition.yaml")
    assert snapshot(ed) == before


def test_a_corpus_goes_where_asked_and_through_a_link_only_with_force(ed, outside, cli, tmp_path):
    assert cli("export", "tei", "--corpus", "--out", tmp_path / "tei", "-C", ed).exit_code == 0
    assert (tmp_path / "tei" / "corpus.xml").read_bytes().startswith(b"<?xml")
    link = tmp_path / "corpus.xml"
    link.symlink_to(outside.sentinel)
    outside.retake()
    refused(cli("export", "tei", "--corpus", "--out", link, "-C", ed), 2, "is a symbolic link")
    assert outside.unchanged()
    assert cli("export", "tei", "--corpus", "--out", link, "--force", "-C", ed).exit_code == 0
    assert link.is_symlink() and outside.sentinel.read_bytes().startswith(b"<?xml")
    inner = tmp_path / "tei" / "corpus.xml"
    inner.unlink()
    inner.symlink_to(ed / "names.yaml")
    before = snapshot(ed)
    refused(cli("export", "tei", "--corpus", "--out", tmp_path / "tei", "--force", "-C", ed), 2, "would replace the edition's own names.yaml")
    assert snapshot(ed) == before


def test_a_plain_out_file_is_still_replaced(ed, cli, tmp_path):
    out = tmp_path / "edition.json"
    out.write_text("old\n")
    assert cli("export", "json", "--out", out, "-C", ed).exit_code == 0
    assert json.loads(out.read_text())["schema"] == "edition.json/1" and not out.is_symlink()


# --------------------------------------------------------------------------
# Symbolic links inside the edition that lead out of it.


def _link_out(ed: Path, outside: Outside, where: str, content: str | None = None) -> Path:
    """Make `where` in the edition a link to a copy outside (or to a new
    file with `content`); the link."""
    link = ed / where
    copy = outside.folder / where.replace("/", "_")
    if content is not None:
        copy.write_text(content, encoding="utf-8")
    elif link.is_dir():
        shutil.copytree(link, copy)
        shutil.rmtree(link)
    elif link.exists():
        shutil.copy2(link, copy)
        link.unlink()
    elif where.endswith(".yaml"):
        text = (ed / "seeds" / f"{LETTER}.yaml").read_text(encoding="utf-8")
        copy.write_text(text.replace(f"id: {LETTER}", "id: planted", 1), encoding="utf-8")
    else:
        copy.mkdir()
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(copy, target_is_directory=copy.is_dir())
    outside.retake()
    return link


LOADED = ["seeds/planted.yaml", "seeds", "translations", f"translations/{LETTER}", f"translations/{LETTER}/en.2.yaml", "names.yaml", "edition.yaml"]


@pytest.mark.parametrize("where", LOADED)
def test_a_link_out_of_the_edition_is_an_error_that_names_it(ed, outside, cli, where):
    link = _link_out(ed, outside, where)
    before = snapshot(ed)
    result = cli("validate", "-C", ed)
    assert result.exit_code == 1, result.output
    assert f"{link}: symbolic link leads outside the edition, to {os.readlink(link)}" in result.stderr, result.stderr
    for args in (
        ["note", "add", LETTER, "--layer", "en", "--segment", "p3", "--at", "Voroshilov", "--text", "x"],
        ["export", "json", "--out", ed / "build" / "e.json"],
        ["translation", "add", LETTER, ed / "translations" / "sources" / "gorky-letter-en-revised.md", "--layer", "en.3"],
    ):
        result = cli(*args, "-C", ed)
        assert result.exit_code == 1 and str(link) in result.stderr and "Traceback" not in result.output, result.output
    assert snapshot(ed) == before and outside.unchanged()


@pytest.mark.parametrize("where", ["build", "build/tei", "build/site"])
def test_a_build_folder_that_leads_out_is_refused(ed, outside, cli, where):
    link = _link_out(ed, outside, where)
    before = snapshot(ed)
    for args in (["export", "tei"], ["site"], ["build"]):
        if where != "build" and args[0] != {"build/tei": "export", "build/site": "site"}[where]:
            continue
        result = cli(*args, "-C", ed)
        assert result.exit_code == 1 and f"{link}: symbolic link leads outside" in result.stderr, result.output
    assert snapshot(ed) == before and outside.unchanged()


@pytest.mark.parametrize("where", ["templates", "templates/site", "templates/site/site.css", "templates/volume.html.j2"])
def test_templates_that_lead_out_are_refused(ed, outside, cli, tmp_path, where):
    (ed / "templates" / "site").mkdir(parents=True)
    link = _link_out(ed, outside, where, "body { color: black }\n" if where.endswith((".css", ".j2")) else None)
    result = cli("site", "--out", tmp_path / "site", "-C", ed)
    assert result.exit_code == 1 and f"{link}: symbolic link leads outside the edition" in result.stderr, result.output
    assert not (tmp_path / "site").exists() and outside.unchanged()


def test_a_link_that_stays_inside_the_edition_is_allowed(ed, cli):
    archive = ed / "archive"
    archive.mkdir()
    shutil.move(ed / "translations" / LETTER, archive / LETTER)
    (ed / "translations" / LETTER).symlink_to(Path("..") / "archive" / LETTER, target_is_directory=True)
    result = cli("validate", "-C", ed)
    assert result.exit_code == 0, result.output
    assert store.load(ed).document(LETTER).layer("en.2") is not None


# --------------------------------------------------------------------------
# A hand edit made while a command runs is never lost.


EDITS = st.sampled_from([
    ("Voroshilov too has lost out", "Voroshilov, too, has lost out"),  # the file stays canonical
    ("Comrade Editor,", "Comrade Editor!"),
    ("credit: ", "# a comment of the editor\ncredit: "),
])  # fmt: skip


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edit=EDITS, command=st.sampled_from(["note add", "note remove", "translation add --replace", "translation remove"]))
def test_a_hand_edit_made_while_a_command_runs_is_kept(tmp_path_factory, edit, command):
    """The edit lands between the load and the write (in the slow part of
    the command); the command refuses, and the file is as the editor left it."""
    import edition.notes
    import edition.translations

    root = copy_sample(tmp_path_factory.mktemp("race") / "ed")
    seed = root / "seeds" / f"{LETTER}.yaml"
    revision = root / "translations" / LETTER / "en.2.yaml"
    target = seed if command.startswith("note") else revision
    old, new = edit
    if target is revision:
        old, new = ("Comrade Editor,", "Comrade Editor!") if "Editor" in old else ("layer:", "# kept\nlayer:")
    edited = target.read_text(encoding="utf-8").replace(old, new, 1)
    assert edited != target.read_text(encoding="utf-8")

    def by_hand(real):
        def slow_part(*args, **kwargs):
            result = real(*args, **kwargs)
            target.write_text(edited, encoding="utf-8")
            return result

        return slow_part

    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(edition.notes, "place_anchor", by_hand(edition.notes.place_anchor))
        monkeypatch.setattr(edition.translations, "add_translation", by_hand(edition.translations.add_translation))
        monkeypatch.setattr(edition.translations, "remove_layer", by_hand(edition.translations.remove_layer))
        if command == "note remove":  # nothing slow in it: the edit lands just before the saving starts
            real_save = store.save_layers
            monkeypatch.setattr(store, "save_layers", lambda *a: (target.write_text(edited, encoding="utf-8"), real_save(*a))[1])
        action = {
            "note add": lambda: api.add_note(root, LETTER, layer="en", segment="p3", phrase="Molotov", text="A note."),
            "note remove": lambda: api.remove_note(root, LETTER, "n3"),
            "translation add --replace": lambda: api.add_translation(
                root, LETTER, root / "translations" / "sources" / "gorky-letter-en-revised.md", layer_id="en.2", replace=True
            ),
            "translation remove": lambda: api.remove_translation(root, LETTER, "en.2"),
        }[command]
        others = {k: v for k, v in snapshot(root).items() if k != str(target.relative_to(root))}
        with pytest.raises(EditionError) as caught:
            action()
    message = str(caught.value)
    assert message.startswith(f"{target}: the file changed on disk while this command ran"), message
    assert "run the command again" in message
    assert target.read_text(encoding="utf-8") == edited
    assert {k: v for k, v in snapshot(root).items() if k != str(target.relative_to(root))} == others


def test_the_command_line_says_the_file_changed_and_exits_1(ed, cli, monkeypatch):
    import edition.notes

    seed = ed / "seeds" / f"{LETTER}.yaml"
    edited = seed.read_text(encoding="utf-8").replace("Comrade Editor,", "Comrade Editor!", 1)
    real = edition.notes.place_anchor
    monkeypatch.setattr(edition.notes, "place_anchor", lambda *a: (seed.write_text(edited, encoding="utf-8"), real(*a))[1])
    result = cli("note", "add", LETTER, "--layer", "en", "--segment", "p3", "--at", "Voroshilov", "--text", "x", "-C", ed)
    refused(result, 1, f"{seed}: the file changed on disk while this command ran", "run the command again")
    assert seed.read_text(encoding="utf-8") == edited


# A real `edition` process that stops in the slow part of its command
# (after the load, before the write) until the test has edited a file.
PAUSED = r"""
import sys, time
from pathlib import Path
import edition.notes, edition.translations
ready, go = Path(sys.argv.pop(1)), Path(sys.argv.pop(1))

def paused(real):
    def run(*args, **kwargs):
        result = real(*args, **kwargs)
        ready.touch()
        while not go.exists():
            time.sleep(0.01)
        return result
    return run

edition.notes.place_anchor = paused(edition.notes.place_anchor)
edition.translations.add_translation = paused(edition.translations.add_translation)
from edition.cli import main
sys.argv[0] = "edition"
main()
"""


@pytest.mark.parametrize("run", range(8))
def test_a_hand_edit_during_a_real_command_is_kept(tmp_path, run):
    """Eight real races (the probe lost the edit in five of eight): each
    edit lands while the process is paused between load and write."""
    root = copy_sample(tmp_path / "ed")
    if run % 2:
        target = root / "translations" / LETTER / "en.2.yaml"
        args = ["translation", "add", LETTER, "translations/sources/gorky-letter-en-revised.md", "--layer", "en.2", "--replace"]
    else:
        target = root / "seeds" / f"{LETTER}.yaml"
        args = ["note", "add", LETTER, "--layer", "en", "--segment", "p3", "--at", "Voroshilov", "--text", f"Note {run}."]
    edited = target.read_text(encoding="utf-8").replace("Comrade Editor,", f"Comrade Editor ({run})!", 1)
    ready, go = tmp_path / "ready", tmp_path / "go"
    command = [sys.executable, "-c", PAUSED, str(ready), str(go), *args]
    process = subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "NO_COLOR": "1"})
    try:
        for _ in range(6000):
            if ready.exists() or process.poll() is not None:
                break
            time.sleep(0.01)
        assert ready.exists(), process.communicate(timeout=5)
        target.write_text(edited, encoding="utf-8")
        go.touch()
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 1, stderr
    assert f"{target}: the file changed on disk while this command ran" in stderr and "Traceback" not in stderr, stderr
    assert target.read_text(encoding="utf-8") == edited


def test_atomic_write_checks_at_the_rename(tmp_path, monkeypatch):
    path = tmp_path / "doc.yaml"
    path.write_text("id: a\n")
    read = store.digest(path.read_text())
    real_fsync = os.fsync
    calls = []

    def edit_then_fsync(fd):  # the last moment before the rename
        real_fsync(fd)
        if not calls:
            calls.append(fd)
            path.write_text("id: a\ntitle: by hand\n")

    monkeypatch.setattr(os, "fsync", edit_then_fsync)
    with pytest.raises(EditionError, match="changed on disk"):
        store.atomic_write(path, "id: a\ntitle: ours\n", expect=read)
    assert path.read_text() == "id: a\ntitle: by hand\n"
    assert [p.name for p in tmp_path.iterdir()] == ["doc.yaml"]  # no temporary file left
    monkeypatch.setattr(os, "fsync", real_fsync)
    with pytest.raises(EditionError, match="changed on disk"):
        store.atomic_write(path, "new\n", expect=store.ABSENT)  # a new file that someone made meanwhile
    store.atomic_write(path, "ours\n", expect=store.digest_on_disk(path))
    assert path.read_text() == "ours\n"


def test_a_crlf_or_bom_file_counts_as_what_was_read(tmp_path):
    path = tmp_path / "doc.yaml"
    path.write_bytes(b"\xef\xbb\xbfid: a\r\ntitle: b\r\n")
    assert store.digest_on_disk(path) == store.digest("id: a\ntitle: b\n")


# --------------------------------------------------------------------------
# Real processes, watched: nothing outside the edition is opened.


def _audited(root: Path, report: Path, *args) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", AUDITED, str(report), *map(str, args)]
    return subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=300, env={**os.environ, "NO_COLOR": "1"})


def _opened_outside(report: Path, outside: Outside) -> list[str]:
    real = os.path.realpath(outside.folder)
    opened = json.loads(report.read_text())["opened"]
    return [p for p in opened if os.path.realpath(p).startswith(real + os.sep) or os.path.realpath(p) == real]


@pytest.mark.skipif(not EDITION.exists(), reason="the edition command is not installed next to this Python")
def test_an_edition_full_of_hostile_links_reaches_nothing_outside(tmp_path, outside):
    """Every command that reads the edition, in a real process whose opens
    an audit hook records: each refuses with the links named, and none
    opens a file outside."""
    root = copy_sample(tmp_path / "ed", only=LETTER)
    links = [_link_out(root, outside, where) for where in ("seeds/planted.yaml", f"translations/{LETTER}", "names.yaml", "build")]
    (root / "templates").mkdir()
    links.append(_link_out(root, outside, "templates/site"))
    (root / ".edition.lock").symlink_to(outside.sentinel)
    outside.retake()
    before = snapshot(root)
    for n, args in enumerate([["validate"], ["build"], ["export", "tei"], ["export", "json", "--out", "e.json"], ["site"],
                              ["note", "add", LETTER, "--layer", "en", "--segment", "p3", "--at", "Voroshilov", "--text", "x"]]):
        report = tmp_path / f"opened-{n}.json"
        done = _audited(root, report, *args)
        assert done.returncode == 1, (args, done.stderr)
        assert "Traceback" not in done.stderr and "symbolic link" in done.stderr, done.stderr
        assert str(links[0]) in done.stderr or args[0] == "note" and ".edition.lock" in done.stderr, done.stderr
        assert not _opened_outside(report, outside), (args, _opened_outside(report, outside))
    assert snapshot(root) == before and outside.unchanged()


@pytest.mark.skipif(not EDITION.exists(), reason="the edition command is not installed next to this Python")
def test_one_build_with_links_inside_and_hostile_outputs_refused(tmp_path, outside):
    """One real build (one document) of an edition whose links stay inside
    it: the PDF is made, nothing outside is opened; the hostile outputs of
    the same edition are refused in the same kind of process."""
    root = copy_sample(tmp_path / "ed", only=LETTER)
    archive = root / "archive"
    archive.mkdir()
    shutil.move(root / "translations" / LETTER, archive / LETTER)
    (root / "translations" / LETTER).symlink_to(Path("..") / "archive" / LETTER, target_is_directory=True)
    (root / "e.json").symlink_to(outside.sentinel)
    outside.retake()
    report = tmp_path / "opened.json"
    done = _audited(root, report, "build")
    assert done.returncode == 0, done.stderr
    assert (root / "build" / "edition.pdf").read_bytes().startswith(b"%PDF")
    assert any(p.endswith("en.2.yaml") for p in json.loads(report.read_text())["opened"])  # read through the inside link
    assert not _opened_outside(report, outside)
    done = _audited(root, report, "export", "json", "--out", "e.json")
    assert done.returncode == 2 and "e.json: --out is a symbolic link" in done.stderr, done.stderr
    assert not _opened_outside(report, outside) and outside.unchanged()
