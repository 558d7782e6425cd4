"""The edition on disk: edition.yaml, seeds/<document>.yaml and
translations/<document>/<layer>.yaml, read into the model and written back
canonically, atomically and under a lock.

Reading collects every problem it can (for `edition validate`) instead of
stopping at the first; each problem names file, line and column."""

from __future__ import annotations

import contextlib
import difflib
import errno
import fcntl
import os
import re
import stat
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import AbstractSet, Any, Callable, Iterator, Literal, TypeVar, overload

from . import yamlio
from .errors import EditionError, LockedError, Problem, UsageError

# written whole or not at all (edition/files.py: every room may import it)
from .files import ABSENT as ABSENT
from .files import atomic_write as atomic_write
from .files import digest as digest
from .files import digest_on_disk as digest_on_disk
from .files import refuse_changed as refuse_changed
from .ids import ID_PATTERN, check_id, is_id
from .model import (
    CALENDARS,
    ISO_RE,
    LANG_RE,
    HEAD_PLACES,
    REVIEW_STATES,
    Anchor,
    ArchivalRef,
    Certainty,
    DateSpec,
    Document,
    Edition,
    Layer,
    LayerRole,
    Note,
    NoteKind,
    Review,
    Segment,
    SegmentKind,
    Unaligned,
    julian_to_gregorian,
    resolve_anchor,
)
from .paths import check_inside
from .settings import SETTINGS, Setting
from .names import PERSON, PLACE, Abbreviation, Name, Register
from .terms import TERMS_FILE, Term, TermBase
from .yamlio import Block, Located

EDITION_FILE = "edition.yaml"
NAMES_FILE = "names.yaml"
DOCUMENTS_DIR = "seeds"
TRANSLATIONS_DIR = "translations"
LOCK_FILE = ".edition.lock"

# The id rule lives in edition/ids.py (is_id, check_id); this pattern matches
# the same ids with `.match` and is kept for callers of the old name.
ID_RE = re.compile(rf"(?:{ID_PATTERN.pattern})\Z")

# The format of an edition's files, written as `schema` in edition.yaml. An
# edition.yaml without it was made before the schema was recorded (release
# 0.1.0 and the changes since): schema 1. A change to the format raises
# SCHEMA and adds to MIGRATIONS the step from the one before, so that
# editions made by older releases keep working.
SCHEMA = 1
# schema n → the function that rewrites the files of the edition at a root
# from schema n to n + 1 (edition.yaml's `schema` is set by `migrate`).
MIGRATIONS: dict[int, Callable[[Path], None]] = {}


# --------------------------------------------------------------------------
# The workspace: an edition and where each part of it came from.


@dataclass
class DocumentFiles:
    path: Path
    layer_files: dict[str, Path] = field(default_factory=dict)
    # The digest of each file as it was read (see `digest`): a write checks
    # at the rename that the file still holds what was read.
    digests: dict[Path, str] = field(default_factory=dict)


@dataclass
class Workspace:
    """A loaded edition with the files behind it. Problems found while
    loading are kept, so that `validate` can list them all at once."""

    root: Path
    edition: Edition
    files: dict[str, DocumentFiles] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # Where each part of each document was read (doc id → Positions), for
    # messages about the loaded edition (`edition doctor`).
    positions: dict[str, "Positions"] = field(default_factory=dict)

    @property
    def register(self) -> Register:
        return self.edition.register

    @property
    def terms(self) -> TermBase:
        """The terminology base (terms.yaml beside names.yaml); empty without one."""
        return self.edition.terms if isinstance(self.edition.terms, TermBase) else TermBase()

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def document(self, name: str) -> Document:
        """The document a user named: by its id, by its position in the
        volume (`1` is the first document `edition list` shows), or by a
        prefix of its id that no other id shares. A bare number up to the
        count of documents is a position; a longer one (`1956`) is read as
        the start of an id. Raises UsageError (exit 2) for a name that fits
        no document or several."""
        return resolve_document(self.edition.documents, name)


def resolve_document(documents: list[Document], name: str) -> Document:
    """See `Workspace.document`: the one rule by which every command names
    a document."""
    name = name.strip()
    exact = next((d for d in documents if d.id == name), None)
    if exact is not None:
        return exact
    if name.isascii() and name.isdigit() and 1 <= int(name) <= len(documents):
        return documents[int(name) - 1]
    lowered = name.lower()
    starting = [d for d in documents if lowered and d.id.lower().startswith(lowered)]
    if len(starting) == 1:
        return starting[0]
    if starting:
        shown = ", ".join(f"{documents.index(d) + 1} {d.id}" for d in starting[:8])
        more = f" and {len(starting) - 8} more" if len(starting) > 8 else ""
        raise UsageError.at(
            f"'{name}' is the start of {len(starting)} document ids: {shown}{more}",
            hint="type more of the id, or give the document's number from `edition list`",
        )
    if not documents:
        raise UsageError.at(f"no document '{name}': the edition has no documents yet", hint="add some with `edition import FILE`")
    if name.isascii() and name.isdigit():
        raise UsageError.at(
            f"no document number {name}: the edition has {len(documents)} document(s), numbered 1 to {len(documents)}",
            hint="`edition list` shows each document's number",
        )
    close = difflib.get_close_matches(name, [d.id for d in documents], n=1, cutoff=0.6)
    if close:
        hint = f"did you mean '{close[0]}'? `edition list` shows every document with its number and id"
    else:
        some = ", ".join(d.id for d in documents[:3]) + (", …" if len(documents) > 3 else "")
        hint = f"the edition has {len(documents)} document(s): {some}; `edition list` shows each with its number"
    raise UsageError.at(f"no document '{name}' in this edition", hint=hint)


def find_root(start: Path | None = None) -> Path:
    """The nearest folder at or above `start` that holds an edition.yaml."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / EDITION_FILE).is_file():
            return folder
    raise UsageError.at(
        f"no {EDITION_FILE} here or in any parent folder",
        here,
        hint="run `edition init` to make an edition, or pass --edition DIR",
    )


def load_workspace(root: Path) -> Workspace:
    """Read an edition folder; problems are collected in `.problems`."""
    root = Path(root)
    problems: list[Problem] = []

    def inside(path: Path) -> bool:
        """Whether `path` may be read: a link out of the edition is a problem."""
        return _collect(problems, check_inside, root, path) is not None

    def present(path: Path) -> bool:
        """Whether an optional file (names.yaml, terms.yaml) is there to
        read; a link to outside is there, and `inside` reports it."""
        return (path.exists() or path.is_symlink()) and inside(path)

    edition = None
    if inside(root / EDITION_FILE):
        edition = _collect(problems, read_edition_file, root / EDITION_FILE)
    edition = edition or Edition(title="(unreadable)")
    ws = Workspace(root=root, edition=edition, problems=problems)
    documents: list[Document] = []
    where: dict[str, Path] = {}
    positions: dict[str, Positions] = ws.positions
    docs_dir = root / DOCUMENTS_DIR
    digests: dict[Path, str] = {}
    for path in sorted(docs_dir.glob("*.yaml")) if docs_dir.is_dir() and inside(docs_dir) else []:
        if not inside(path):
            continue
        loaded = _collect(problems, read_document_file, path, digests=digests)
        if loaded is None:
            continue
        doc, _, found = loaded
        if doc.id in where:
            # `found`, not positions[doc.id]: the first file's positions must
            # stay its own, or its problems would be reported at the second
            # file's lines.
            problems.append(
                Problem(
                    f"document id '{doc.id}' is also used by {where[doc.id]}", path, found["id"][1], hint="give each document its own id"
                )
            )
            continue
        positions[doc.id] = found
        where[doc.id] = path
        ws.files[doc.id] = DocumentFiles(path, digests={path: digests[path]})
        documents.append(doc)
    trans_dir = root / TRANSLATIONS_DIR
    for path in sorted(trans_dir.glob("*/*.yaml")) if trans_dir.is_dir() and inside(trans_dir) else []:
        if not inside(path):
            continue
        doc_id = path.parent.name
        doc = next((d for d in documents if d.id == doc_id), None)
        if doc is None:
            problems.append(
                Problem(f"translation for unknown document '{doc_id}'", path, hint=_suggest(doc_id, list(where), "edition list"))
            )
            continue
        _collect(problems, read_layer_file, path, doc, ws.files[doc_id], positions[doc_id])
    for doc in documents:
        problems.extend(check_document(doc, where[doc.id], positions[doc.id]))
    if present(root / NAMES_FILE):
        edition.register = _collect(problems, read_register, root / NAMES_FILE) or Register()
    if present(root / TERMS_FILE):
        edition.terms = _collect(problems, read_terms, root / TERMS_FILE) or TermBase()
    edition.documents = sorted(documents, key=volume_order)
    return ws


def volume_order(doc: Document) -> tuple:
    """Where a document stands in the volume: by date, then by its number
    read naturally ("9" before "10", "22" before "22a"), then by id."""
    return (doc.date.sort_key if doc.date else "9999", natural_key(doc.number), doc.id)


def natural_key(number: str | None) -> tuple:
    """A sort key that reads the runs of digits in `number` as numbers;
    documents without a number come after the numbered ones."""
    if not number:
        return (1, ())
    parts = re.findall(r"\d+|\D+", number.strip().lower())
    return (0, tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts))


def load(root: Path | str = ".") -> Edition:
    """Load an edition for a Python caller; raise on the first error."""
    ws = load_workspace(Path(root))
    if ws.errors:
        raise EditionError(*ws.errors)
    return ws.edition


def _collect(problems: list[Problem], read, *args, **kwargs):
    """`read(*args, **kwargs)`, or None with its problems added to `problems`."""
    try:
        return read(*args, **kwargs)
    except EditionError as exc:
        problems.extend(exc.problems)
        return None


def _suggest(word: str, known, command: str | None = None) -> str | None:
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    if command:
        return f"`{command}` shows what there is"
    return None


# --------------------------------------------------------------------------
# Reading: a small schema over Located trees.


_D = TypeVar("_D", str, None)


class _Fields:
    """Read the fields of one YAML mapping, checking names and types."""

    def __init__(self, node: Located, path: Path, allowed: tuple[str, ...], what: str, extra_ok=()):
        if not isinstance(node.value, dict):
            raise EditionError.at(f"{what} must be a mapping of fields", path, node.line, node.column)
        self.node, self.path, self.what = node, path, what
        self.map: dict[str, Located] = node.value
        for key, value in self.map.items():
            if key not in allowed and key not in extra_ok:
                raise EditionError.at(
                    f"unknown field '{key}' in {what}",
                    path,
                    value.key_line,
                    value.key_column,
                    hint=_suggest(key, [*allowed, *extra_ok]) or f"known fields: {', '.join(allowed)}",
                )

    def pos(self, key: str) -> tuple[int, int]:
        """Where a field's key stands (where its mapping starts if absent)."""
        value = self.map.get(key)
        if value is None:
            return self.node.line, self.node.column
        return (value.key_line or value.line, value.key_column or value.column)

    def error(self, key: str, message: str, hint: str | None = None) -> EditionError:
        line, column = self.pos(key)
        return EditionError.at(message, self.path, line, column, hint)

    @overload
    def text(self, key: str, required: Literal[True]) -> str: ...
    @overload
    def text(self, key: str, required: bool = False) -> str | None: ...

    def text(self, key: str, required: bool = False) -> str | None:
        value = self.map.get(key)
        if value is None or value.value is None:
            if required:
                raise EditionError.at(f"{self.what} needs a '{key}'", self.path, self.node.line, self.node.column, hint=f"add `{key}: …`")
            return None
        if not isinstance(value.value, str):
            raise self.error(key, f"'{key}' must be text, not a {_kind(value.value)}")
        if required and not value.value.strip():
            raise self.error(key, f"'{key}' is empty")
        return value.value

    def choice(self, key: str, enum, default):
        raw = self.text(key)
        if raw is None:
            return default
        try:
            return enum(raw)
        except ValueError:
            names = [e.value for e in enum]
            raise self.error(key, f"'{key}' cannot be '{raw}'", _suggest(raw, names) or f"one of: {', '.join(names)}") from None

    def one_of(self, key: str, choices: tuple[str, ...], default: _D) -> str | _D:
        """A setting that takes one of a few words."""
        raw = self.text(key)
        if raw is None:
            return default
        if raw not in choices:
            raise self.error(key, f"'{key}' cannot be '{raw}'", f"one of: {', '.join(choices)}")
        return raw

    @overload
    def ident(self, key: str, required: Literal[True]) -> str: ...
    @overload
    def ident(self, key: str, required: bool = False) -> str | None: ...

    def ident(self, key: str, required: bool = False) -> str | None:
        raw = self.text(key, required)
        if raw is not None and not is_id(raw):
            line, column = self.pos(key)
            check_id(raw, f"'{key}' in {self.what}", self.path, line, column)
        return raw

    @overload
    def lang(self, key: str, required: Literal[True]) -> str: ...
    @overload
    def lang(self, key: str, required: bool = False) -> str | None: ...

    def lang(self, key: str, required: bool = False) -> str | None:
        raw = self.text(key, required)
        if raw is not None and not LANG_RE.match(raw):
            raise self.error(key, f"'{raw}' is not a language code", "use an ISO 639 code such as en, ru, de")
        return raw

    def boolean(self, key: str, default: bool = False) -> bool:
        raw = self.text(key)
        if raw is None:
            return default
        if raw in ("true", "yes"):
            return True
        if raw in ("false", "no"):
            return False
        raise self.error(key, f"'{key}' must be true or false")

    def integer(self, key: str, default: int) -> int:
        raw = self.text(key)
        if raw is None:
            return default
        # ASCII digits only, and few of them: str.isdigit accepts '²', which
        # int() refuses, and int() refuses over 4300 digits.
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 9) or int(raw) < 1:
            raise self.error(key, f"'{key}' must be a whole number from 1")
        return int(raw)

    def strings(self, key: str) -> list[str]:
        value = self.map.get(key)
        if value is None or value.value is None:
            return []
        if isinstance(value.value, str):
            return [value.value]
        if not isinstance(value.value, list) or not all(isinstance(v.value, str) for v in value.value):
            raise self.error(key, f"'{key}' must be a list of text")
        return [v.value for v in value.value]

    def items(self, key: str) -> list[Located]:
        value = self.map.get(key)
        if value is None or value.value is None:
            return []
        if not isinstance(value.value, list):
            raise self.error(key, f"'{key}' must be a list (items start with '- ')")
        return value.value


def _kind(value) -> str:
    return "list" if isinstance(value, list) else "mapping" if isinstance(value, dict) else "value"


EDITION_FIELDS = (
    "title", "subtitle", "editors", "publisher", "year", "languages",
    *(s.name for s in SETTINGS), "schema",
)  # fmt: skip


def read_edition_file(path: Path) -> Edition:
    if not path.is_file():
        raise EditionError.at(f"{EDITION_FILE} is missing", path, hint="run `edition init` here")
    tree, _ = yamlio.load(path)
    schema_of(tree, path)  # before the fields: a newer release may have added some
    f = _Fields(tree, path, EDITION_FIELDS, EDITION_FILE)
    settings = {s.name: _read_setting(f, s) for s in SETTINGS}
    return Edition(
        title=f.text("title", required=True),
        subtitle=f.text("subtitle"),
        editors=f.strings("editors"),
        publisher=f.text("publisher"),
        year=f.text("year"),
        languages=f.strings("languages"),
        **settings,
    )


def _read_setting(f: _Fields, setting: Setting) -> Any:
    """One setting of edition.yaml, checked (an empty word or text is the
    same as none: the default)."""
    if setting.kind == "flag":
        return f.boolean(setting.name, setting.default)
    if setting.kind == "list":
        value: Any = [c.strip() for item in f.strings(setting.name) for c in item.split(",") if c.strip()]
    elif setting.kind == "word":
        value = f.text(setting.name) or setting.default
    else:
        value = f.text(setting.name)
        value = setting.default if value is None else value
    problem = setting.problem(value)
    if problem:
        raise f.error(setting.name, *problem)
    return value


def schema_of(tree: Located, path: Path) -> int:
    """The schema an edition.yaml was written in (1 when it does not say).
    An edition made by a newer release is refused rather than misread."""
    node = tree.value.get("schema") if isinstance(tree.value, dict) else None
    if node is None:
        return 1
    where = (path, node.key_line or node.line, node.key_column or node.column)
    raw = node.value
    if not (isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 9 and int(raw) >= 1):
        raise EditionError.at(
            f"'schema' must be a whole number from 1, not {_kind(raw) if not isinstance(raw, str) else repr(raw)}",
            *where,
            hint=f"this release writes `schema: {SCHEMA}`; `edition init` in an empty folder shows a current edition.yaml",
        )
    found = int(raw)
    if found > SCHEMA:
        raise EditionError.at(
            f"schema {found}: made by a newer release of edition; upgrade (this release reads schema {SCHEMA} and older)",
            *where,
            hint="install a newer edition (`pip install --upgrade edition`); nothing was changed",
        )
    return found


def migrate(root: Path) -> int:
    """Bring the edition at `root` from the schema its files were written
    in to SCHEMA, one step of MIGRATIONS at a time, and return the schema
    it was in. The write lock (`locked`) calls it, so only a command that
    writes changes an older edition; a read-only command reads it as it is.
    A missing or unreadable edition.yaml is left to the loader to report."""
    path = Path(root) / EDITION_FILE
    if not path.is_file() or path.is_symlink():
        return SCHEMA
    try:
        tree, _ = yamlio.load(path)
    except EditionError:
        return SCHEMA
    found = schema_of(tree, path)
    if found == SCHEMA:
        return found
    for version in range(found, SCHEMA):
        MIGRATIONS[version](Path(root))
    before = digest_on_disk(path)
    text = path.read_bytes().decode("utf-8")
    line = f"schema: {SCHEMA}"
    # Only the schema's own line changes: the editors' comments and layout stay.
    updated, count = re.subn(r"(?m)^schema:[^\r\n]*", line, text, count=1)
    if not count:
        updated = text + ("" if not text or text.endswith("\n") else "\n") + line + "\n"
    atomic_write(path, updated, expect=before)
    return found


DOCUMENT_FIELDS = (
    "id", "title", "number", "collection", "date", "author", "recipient", "place", "type",
    "classification", "original_language", "archival_refs", "citation", "publication", "source_url",
    "summary", "credit", "rights", "reading", "layers", "segments", "notes", "unplaced",
)  # fmt: skip
DATE_FIELDS = ("text", "iso", "certainty", "iso_end", "supplied", "calendar", "iso_julian")
REF_FIELDS = ("text", "archive", "fond", "opis", "delo", "folios", "copy")
LAYER_FIELDS = (
    "id", "lang", "role", "translator", "translated_from", "revises", "date", "description",
    "added", "source_file", "source_sha256", "coverage", "flagged", "pinned", "reviews", "unaligned",
)  # fmt: skip
REVIEW_FIELDS = ("segment", "state", "by", "at", "digest", "comment")
NOTE_FIELDS = ("id", "kind", "label", "layer", "at", "phrase", "occurrence", "text")
LAYER_FILE_FIELDS = ("document", "layer", "segments", "notes")

# Where each part of a document was read: "note:n1" → (file, line, column).
Positions = dict[str, tuple[Path, int | None, int | None]]


def read_document_file(
    path: Path, check_canonical: bool = False, digests: dict[Path, str] | None = None
) -> tuple[Document, bool | None, Positions]:
    """A document, whether its file is in canonical form (safe to rewrite;
    None unless `check_canonical`), and the positions of its parts. With
    `digests`, the digest of what was read is put there under `path`."""
    with yamlio.collector_paused():
        return _read_document_file(path, check_canonical, digests)


def _read_document_file(
    path: Path, check_canonical: bool, digests: dict[Path, str] | None = None
) -> tuple[Document, bool | None, Positions]:
    tree, text = yamlio.load(path)
    if digests is not None:
        digests[path] = digest(text)
    f = _Fields(tree, path, DOCUMENT_FIELDS, "a document")
    positions: Positions = {"id": (path, *f.pos("id"))}
    layers = []
    for item in f.items("layers"):
        layer = _read_layer(item, path)
        positions[f"layer:{layer.id}"] = (path, item.line, item.column)
        layers.append(layer)
    layer_ids = [layer.id for layer in layers]
    segments = []
    allowed = {"id", *layer_ids}
    for item in f.items("segments"):
        segment = _plain_segment(item, allowed, layer_ids) or _read_segment(item, path, layer_ids)
        positions[f"segment:{segment.id}"] = (path, item.line, item.column)
        segments.append(segment)
    notes = _read_notes(f.items("notes"), path, positions)
    date = None
    if "date" in f.map and f.map["date"].value is not None:
        date = _read_date(f.map["date"], path)
    doc = Document(
        id=f.ident("id", required=True),
        title=f.text("title", required=True),
        number=f.text("number"),
        collection=f.text("collection"),
        date=date,
        author=f.text("author"),
        recipient=f.text("recipient"),
        place=f.text("place"),
        doc_type=f.text("type"),
        classification=f.strings("classification"),
        original_language=f.lang("original_language"),
        archival_refs=[_read_ref(item, path) for item in f.items("archival_refs")],
        citation=f.text("citation"),
        publication=f.text("publication"),
        source_url=f.text("source_url"),
        summary=f.text("summary"),
        credit=f.text("credit"),
        rights=f.text("rights"),
        layers=layers,
        segments=segments,
        notes=notes,
        unplaced=f.strings("unplaced"),
        reading=f.text("reading"),
    )
    canonical = _same_but_for_normal_form(yamlio.dump(document_tree(doc)), text) if check_canonical else None
    return doc, canonical, positions


def _read_notes(items: list[Located], path: Path, positions: Positions) -> list[Note]:
    notes = []
    for item in items:
        notes.append(_read_note(item, path))
        positions[f"note:{notes[-1].id}"] = (path, item.line, item.column)
        for key, value in item.value.items():
            positions[f"note:{notes[-1].id}:{key}"] = (path, value.key_line, value.key_column)
    return notes


def _read_date(node: Located, path: Path) -> DateSpec:
    if isinstance(node.value, str):
        return DateSpec(text=node.value)
    f = _Fields(node, path, DATE_FIELDS, "a date")
    spec = DateSpec(
        text=f.text("text", required=True),
        iso=f.text("iso"),
        certainty=f.choice("certainty", Certainty, Certainty.EXACT),
        iso_end=f.text("iso_end"),
        supplied=f.boolean("supplied"),
        calendar=f.one_of("calendar", CALENDARS, None),  # unset: Gregorian
        iso_julian=f.text("iso_julian"),
    )
    for key in ("iso", "iso_end", "iso_julian"):
        value = getattr(spec, key)
        if value is not None and not ISO_RE.match(value):
            raise f.error(key, f"'{value}' is not an ISO date", "write YYYY, YYYY-MM or YYYY-MM-DD")
    if spec.iso_julian and spec.calendar != "julian":
        raise f.error("iso_julian", "'iso_julian' is given but the calendar is not Julian", "add `calendar: julian`")
    if spec.calendar == "julian" and spec.iso_julian and len(spec.iso_julian) == 10 and spec.iso:
        gregorian = "{:04d}-{:02d}-{:02d}".format(*julian_to_gregorian(*map(int, spec.iso_julian.split("-"))))
        if gregorian != spec.iso:
            raise f.error(
                "iso",
                f"'iso' is {spec.iso}, but the Julian day {spec.iso_julian} is {gregorian} in the Gregorian calendar",
                f"`iso` holds the Gregorian day: write `iso: {gregorian}`",
            )
    return spec


def _read_ref(node: Located, path: Path) -> ArchivalRef:
    if isinstance(node.value, str):
        return ArchivalRef(text=node.value)
    f = _Fields(node, path, REF_FIELDS, "an archival reference")
    return ArchivalRef(f.text("text", required=True), **{key: f.text(key) for key in REF_FIELDS[1:]})


def _read_layer(node: Located, path: Path) -> Layer:
    f = _Fields(node, path, LAYER_FIELDS, "a layer")
    return Layer(
        id=f.ident("id", required=True),
        lang=f.lang("lang", required=True),
        role=f.choice("role", LayerRole, LayerRole.TRANSLATION),
        translator=f.text("translator"),
        translated_from=f.text("translated_from"),
        revises=f.ident("revises"),
        date=f.text("date"),
        description=f.text("description"),
        added=f.text("added"),
        source_file=f.text("source_file"),
        source_sha256=f.text("source_sha256"),
        flagged=f.strings("flagged"),
        unaligned=[_read_unaligned(item, path) for item in f.items("unaligned")],
        coverage=_read_coverage(f),
        pinned=f.strings("pinned"),
        reviews=[_read_review(item, path) for item in f.items("reviews")],
    )


def _read_review(node: Located, path: Path) -> Review:
    f = _Fields(node, path, REVIEW_FIELDS, "a review")
    state = f.one_of("state", REVIEW_STATES, "draft")
    return Review(
        segment=f.ident("segment", required=True),
        state=state,
        by=f.text("by", required=True),
        at=f.text("at", required=True),
        digest=f.text("digest", required=True),
        comment=f.text("comment"),
    )


def _read_coverage(f: _Fields) -> list[tuple[str, str]] | None:
    """`coverage: [p1..p16, p20]`: runs of segments, first..last or one."""
    if "coverage" not in f.map or f.map["coverage"].value is None:
        return None
    runs = []
    for item in f.strings("coverage"):
        first, _, last = item.partition("..")
        first, last = first.strip(), (last or first).strip()
        if not first or not ID_RE.match(first) or not ID_RE.match(last):
            raise f.error(
                "coverage", f"'{item}' is not a run of segments", "write the first and last segment ids, e.g. `p1..p16`, or one id"
            )
        runs.append((first, last))
    return runs


def _read_unaligned(node: Located, path: Path) -> Unaligned:
    f = _Fields(node, path, ("after", "text"), "an unaligned paragraph")
    return Unaligned(after=f.ident("after"), text=f.text("text", required=True))


def _read_segment(node: Located, path: Path, layer_ids: list[str]) -> Segment:
    f = _Fields(node, path, ("id", "kind"), "a segment", extra_ok=tuple(layer_ids))
    text = {layer_id: f.text(layer_id) for layer_id in layer_ids if layer_id in f.map}
    return Segment(
        id=f.ident("id", required=True),
        kind=f.choice("kind", SegmentKind, SegmentKind.PARAGRAPH),
        text={k: v for k, v in text.items() if v is not None},
    )


def _plain_segment(node: Located, allowed: set[str], layer_ids: list[str]) -> Segment | None:
    """The common segment (a valid id, no kind, text in known layers) read
    without the field checks of `_read_segment`, which gives the same
    segment; None for anything else, which `_read_segment` then reads or
    reports. A whole Bible is 31,000 of them."""
    fields = node.value
    if type(fields) is not dict or not fields.keys() <= allowed:
        return None
    ident = fields.get("id")
    if ident is None or not is_id(ident.value):
        return None
    text = {}
    for layer_id in layer_ids:
        value = fields.get(layer_id)
        if value is not None and value.value is not None:
            if type(value.value) is not str:
                return None
            text[layer_id] = value.value
    return Segment(ident.value, SegmentKind.PARAGRAPH, text)


def _read_note(node: Located, path: Path) -> Note:
    f = _Fields(node, path, NOTE_FIELDS, "a note")
    at = f.text("at")
    layer = f.ident("layer")
    anchor = None
    if at is not None or layer is not None:
        if at is None or layer is None:
            missing = "at" if at is None else "layer"
            raise f.error(missing, f"a note's anchor needs both 'layer' and 'at' ('{missing}' is missing)")
        anchor = Anchor(layer=layer, segment=at, phrase=f.text("phrase") or "", occurrence=f.integer("occurrence", 1))
    return Note(
        id=f.ident("id", required=True),
        kind=f.choice("kind", NoteKind, NoteKind.FOOTNOTE),
        text=f.text("text", required=True),
        anchor=anchor,
        label=f.text("label"),
    )


def read_layer_file(path: Path, doc: Document, files: DocumentFiles, positions: Positions | None = None) -> Layer:
    """Add the layer in translations/<doc>/<layer>.yaml to `doc`."""
    tree, text = yamlio.load(path)
    read_digest = digest(text)
    f = _Fields(tree, path, LAYER_FILE_FIELDS, "a translation file")
    named = f.ident("document")
    if named is not None and named != doc.id:
        raise f.error("document", f"file is in the folder of '{doc.id}' but names document '{named}'", "move the file or correct the name")
    if "layer" not in f.map:
        raise EditionError.at("a translation file needs a 'layer'", path, tree.line, tree.column)
    layer = _read_layer(f.map["layer"], path)
    if layer.id != path.stem:
        raise f.error("layer", f"layer id '{layer.id}' differs from the file name '{path.name}'", f"rename the file to {layer.id}.yaml")
    if doc.layer(layer.id) is not None:
        raise f.error("layer", f"layer '{layer.id}' is already defined for document '{doc.id}'", "remove one of the two")
    positions = positions if positions is not None else {}
    segments_node = f.map.get("segments")
    texts: dict[str, str | None] = {}  # None: the segment is named with no text
    if segments_node is not None and segments_node.value is not None:
        seg_fields = _Fields(segments_node, path, tuple(s.id for s in doc.segments), "the segments of a translation")
        for seg_id in seg_fields.map:
            texts[seg_id] = seg_fields.text(seg_id)
            positions[f"segment:{seg_id}:{layer.id}"] = (path, *seg_fields.pos(seg_id))  # where p3's text in layer en stands
    positions[f"layer:{layer.id}"] = (path, *f.pos("layer"))
    notes = _read_notes(f.items("notes"), path, positions)
    doc.layers.append(layer)
    for segment in doc.segments:
        if (given := texts.get(segment.id)) is not None:
            segment.text[layer.id] = given
    doc.notes.extend(notes)
    files.layer_files[layer.id] = path
    files.digests[path] = read_digest
    return layer


# --------------------------------------------------------------------------
# Checks across the parts of a document (ids, references, anchors).


def check_document(doc: Document, path: Path, positions: Positions | None = None) -> list[Problem]:
    """Problems across a document's parts; each is reported in the file and
    at the line where the offending part was read (default: `path`)."""
    positions = positions or {}
    problems: list[Problem] = []

    def at(key: str, message: str, hint: str | None = None, severity: str = "error", field: str | None = None):
        where, line, column = positions.get(f"{key}:{field}", positions.get(key, (path, None, None)))
        problems.append(Problem(message, where, line, column, hint, severity))

    layer_ids = [layer.id for layer in doc.layers]
    _duplicates(layer_ids, "layer", at)
    _duplicates([s.id for s in doc.segments], "segment", at)
    _duplicates([n.id for n in doc.notes], "note", at)
    for segment in doc.segments:
        if segment.id in HEAD_PLACES:
            at(f"segment:{segment.id}", f"'{segment.id}' is reserved for the document's head", "choose another segment id")
    for layer in doc.layers:
        for key in ("revises",):
            ref = getattr(layer, key)
            if ref and ref not in layer_ids:
                at(f"layer:{layer.id}", f"layer '{layer.id}' {key} unknown layer '{ref}'", _suggest(ref, layer_ids))
        seg_ids = {s.id for s in doc.segments}
        order = {s.id: i for i, s in enumerate(doc.segments)}
        for first, last in layer.coverage or []:
            for ref in (first, last):
                if ref not in seg_ids:
                    at(f"layer:{layer.id}", f"layer '{layer.id}' covers unknown segment '{ref}'", _suggest(ref, seg_ids))
            if first in order and last in order and order[last] < order[first]:
                at(
                    f"layer:{layer.id}",
                    f"layer '{layer.id}' covers '{first}..{last}', but {last} comes before {first}",
                    "write the run in the document's order",
                )
        for ref in [*layer.flagged, *layer.pinned, *(r.segment for r in layer.reviews), *(u.after for u in layer.unaligned if u.after)]:
            if ref not in seg_ids:
                at(f"layer:{layer.id}", f"layer '{layer.id}' refers to unknown segment '{ref}'", _suggest(ref, seg_ids))
        original = doc.original_language
        if layer.role is LayerRole.ORIGINAL and original and layer.lang.split("-")[0] != original.split("-")[0]:
            at(
                f"layer:{layer.id}",
                f"layer '{layer.id}' is the original, but the document's original language is '{original}'",
                f"if it is a translation, write `role: translation` and `translated_from: {original}`",
                severity="warning",
            )
        source = layer.translated_from
        if source and source not in layer_ids and not LANG_RE.match(source):
            at(f"layer:{layer.id}", f"layer '{layer.id}' is translated from '{source}', neither a layer nor a language code")
    if doc.reading and doc.reading not in layer_ids and not any(doc.reading in (l.lang, l.lang.split("-")[0]) for l in doc.layers):
        at("id", f"the reading text '{doc.reading}' is neither a layer nor the language of a layer", _suggest(doc.reading, layer_ids))
    if doc.layers and doc.segments:
        for segment in doc.segments:
            if not segment.text:
                at(f"segment:{segment.id}", f"segment '{segment.id}' has no text in any layer", severity="warning")
    places = [*HEAD_PLACES, *(s.id for s in doc.segments)]
    for note in doc.notes:
        anchor = note.anchor
        if anchor is None:
            continue
        key = f"note:{note.id}"
        if anchor.layer not in layer_ids:
            at(key, f"note '{note.id}' is anchored in unknown layer '{anchor.layer}'", _suggest(anchor.layer, layer_ids), field="layer")
        elif anchor.segment not in places:
            at(key, f"note '{note.id}' is anchored in unknown segment '{anchor.segment}'", _suggest(anchor.segment, places), field="at")
        elif resolve_anchor(doc, anchor) is None:
            nth = f" (occurrence {anchor.occurrence})" if anchor.occurrence > 1 else ""
            at(
                key,
                f"note '{note.id}': phrase '{anchor.phrase}'{nth} is not in {anchor.segment} of layer '{anchor.layer}'",
                "correct the phrase to words of that segment, or move the note",
                field="phrase" if anchor.phrase else "at",
            )
    return problems


def _duplicates(ids: list[str], what: str, at) -> None:
    seen = set()
    for item in ids:
        if item in seen:
            at(f"{what}:{item}", f"{what} id '{item}' is used twice", f"give each {what} its own id")
        seen.add(item)


# --------------------------------------------------------------------------
# Writing: canonical trees, atomic files, one writer at a time.


def edition_tree(edition: Edition) -> dict:
    return {
        "title": edition.title,
        "subtitle": edition.subtitle,
        "editors": list(edition.editors),
        "publisher": edition.publisher,
        "year": edition.year,
        "languages": list(edition.languages),
        **{s.name: _setting_tree(edition, s) for s in SETTINGS},
        "schema": SCHEMA,
    }


def _setting_tree(edition: Edition, setting: Setting) -> object:
    """A setting as edition.yaml writes it: left out at its default unless
    the editor should see it there."""
    value = getattr(edition, setting.name)
    if setting.kind == "list":
        return list(value)
    if value == setting.default and not setting.always_written:
        return None
    return value


def _block(text: str | None) -> Block | None:
    """Optional text as a block scalar; empty text is the same as none."""
    return Block(text) if text else None


def layer_tree(layer: Layer) -> dict:
    return {
        "id": layer.id,
        "lang": layer.lang,
        "role": layer.role.value,
        "translator": layer.translator,
        "translated_from": layer.translated_from,
        "revises": layer.revises,
        "date": layer.date,
        "description": _block(layer.description),
        "added": layer.added,
        "source_file": layer.source_file,
        "source_sha256": layer.source_sha256,
        "coverage": None if layer.coverage is None else [first if first == last else f"{first}..{last}" for first, last in layer.coverage],
        "flagged": list(layer.flagged),
        "pinned": list(layer.pinned),
        "reviews": [{key: getattr(r, key) for key in REVIEW_FIELDS} for r in layer.reviews],
        "unaligned": [{"after": u.after, "text": Block(u.text)} for u in layer.unaligned],
    }


def note_tree(note: Note) -> dict:
    anchor = note.anchor
    return {
        "id": note.id,
        "kind": note.kind.value,
        "label": note.label or None,
        "layer": anchor.layer if anchor else None,
        "at": anchor.segment if anchor else None,
        "phrase": anchor.phrase or None if anchor else None,
        "occurrence": anchor.occurrence if anchor and anchor.occurrence != 1 else None,
        "text": _block(note.text),
    }


def document_tree(doc: Document, layer_ids: set[str] | None = None) -> dict:
    """The document file's content. `layer_ids` limits which layers it holds
    (the others live in translations/); None means all."""
    keep = [layer for layer in doc.layers if layer_ids is None or layer.id in layer_ids]
    kept = {layer.id for layer in keep}
    date = None
    if doc.date:
        d = doc.date
        date = {
            "text": d.text,
            "iso": d.iso,
            "certainty": d.certainty.value,
            "iso_end": d.iso_end,
            "supplied": True if d.supplied else None,
            "calendar": d.calendar,
            "iso_julian": d.iso_julian,
        }
    return {
        "id": doc.id,
        "title": doc.title,
        "number": doc.number,
        "collection": doc.collection,
        "date": date,
        "author": doc.author,
        "recipient": doc.recipient,
        "place": doc.place,
        "type": doc.doc_type,
        "classification": list(doc.classification),
        "original_language": doc.original_language,
        "archival_refs": [{key: getattr(ref, key) for key in REF_FIELDS} for ref in doc.archival_refs],
        "citation": _block(doc.citation),
        "publication": _block(doc.publication),
        "source_url": doc.source_url,
        "summary": _block(doc.summary),
        "credit": doc.credit,
        "rights": _block(doc.rights),
        "reading": doc.reading,
        "layers": [layer_tree(layer) for layer in keep],
        "segments": [
            {
                "id": s.id,
                "kind": s.kind.value if s.kind is not SegmentKind.PARAGRAPH else None,
                **{lid: Block(t) for lid, t in s.text.items() if lid in kept},
            }
            for s in doc.segments
        ],
        "notes": [note_tree(n) for n in doc.notes if n.anchor is None or n.anchor.layer in kept],
        "unplaced": [Block(u) for u in doc.unplaced],
    }


def layer_file_tree(doc: Document, layer: Layer) -> dict:
    return {
        "document": doc.id,
        "layer": layer_tree(layer),
        "segments": {s.id: Block(s.text[layer.id]) for s in doc.segments if layer.id in s.text},
        "notes": [note_tree(n) for n in doc.notes if n.anchor is not None and n.anchor.layer == layer.id],
    }


@contextlib.contextmanager
def locked(root: Path, timeout: float = 10.0) -> Iterator[None]:
    """Hold the edition's write lock (flock on .edition.lock: the kernel
    frees it when a process dies, so no lock goes stale). The lock file is
    never followed if it is a link and must be a regular file: an edition
    from elsewhere cannot make us truncate a file it points to."""
    path = Path(root) / LOCK_FILE
    try:
        if path.is_symlink():  # not even tried; O_NOFOLLOW holds if one appears now
            raise OSError(errno.ELOOP, "symbolic link", str(path))
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise EditionError.at(
                f"the lock file is a symbolic link (to {os.readlink(path)}); nothing was changed",
                path,
                hint=f"remove {LOCK_FILE} (it holds nothing; each command makes it afresh) and run the command again",
            ) from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise EditionError.at(
            "the lock file is not a regular file; nothing was changed",
            path,
            hint=f"remove {LOCK_FILE} (it holds nothing; each command makes it afresh) and run the command again",
        )
    held = False
    # The holder's pid is missing for an instant while it takes or releases
    # the lock: look a few more times before saying "another process".
    grace = 5
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
                    if not holder.isdigit() and grace:
                        grace -= 1
                        time.sleep(0.01)
                        continue
                    raise LockedError.at(
                        f"the edition is locked by process {holder}" if holder.isdigit() else "the edition is locked by another process",
                        path,
                        hint="wait for the other command to finish, then run this one again",
                    ) from None
                time.sleep(0.05)
        held = True
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        migrate(Path(root))  # an edition loaded for writing is first brought to this release's schema
        yield
    finally:
        # Only the holder clears the file: a command that gave up waiting
        # would erase the holder's pid, and the next one to give up could
        # not say which process holds the lock.
        if held:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
        os.close(fd)  # closing releases the flock


def refuse_overwrite(path: Path, replace: bool) -> None:
    if (path.exists() or path.is_symlink()) and not replace:
        raise UsageError.at("file exists; it was not changed", path, hint="pass --replace to overwrite it")


def document_path(root: Path, doc_id: str) -> Path:
    """seeds/<doc>.yaml, for a valid id, inside the edition."""
    check_id(doc_id, "document id")
    return check_inside(root, Path(root) / DOCUMENTS_DIR / f"{doc_id}.yaml")


def _expected(path: Path, files: DocumentFiles | None) -> str:
    """What `path` must hold when it is replaced: what was read when the
    edition was loaded, or what it holds now (ABSENT for a new file)."""
    if files is not None and path in files.digests:
        return files.digests[path]
    return digest_on_disk(path)


def write_document(root: Path, doc: Document, replace: bool = False, files: DocumentFiles | None = None) -> Path:
    """Write a document's file (the layers not kept in translations/). An
    existing file is replaced only with `replace`, only if rewriting it
    loses nothing a person wrote in it (comments, own formatting), and only
    if it still holds what was read (see `atomic_write`)."""
    check_id(doc.id, "document id")
    path = check_inside(root, files.path) if files else document_path(root, doc.id)
    refuse_overwrite(path, replace)
    expect = _expected(path, files)
    if expect != ABSENT:
        if digest_on_disk(path) != expect:
            raise refuse_changed(path)
        if not _written_by_us(path):
            _refuse_hand_edited(path)
    separate = set(files.layer_files) if files else set()
    text = yamlio.dump(document_tree(doc, {layer.id for layer in doc.layers} - separate))
    atomic_write(path, text, expect=expect)
    if files is not None:
        files.digests[path] = digest(text)
    return path


def write_edition_file(root: Path, edition: Edition, replace: bool = False) -> Path:
    path = check_inside(root, Path(root) / EDITION_FILE)
    refuse_overwrite(path, replace)
    atomic_write(path, yamlio.dump(edition_tree(edition)), expect=None if replace else ABSENT)
    return path


def _same_but_for_normal_form(ours: str, text: str) -> bool:
    """Whether a file holds what we would write, or differs from it only in
    its normal form (saved as NFD): rewriting it loses nothing. The raw text
    is compared first, since normalising it could join an escape's last
    digit with a combining mark after it."""
    return ours == text or ours == unicodedata.normalize("NFC", text)


def _written_by_us(path: Path, doc: Document | None = None) -> bool:
    """Whether the file is exactly what we would write for what it holds,
    so rewriting it loses nothing a person put there. Checked only before a
    write, since it costs a second dump."""
    try:
        if doc is None:
            _, canonical, _ = read_document_file(path, check_canonical=True)
            return bool(canonical)
        probe = Document(id=doc.id, title=doc.title, segments=[Segment(s.id, s.kind) for s in doc.segments])
        layer = read_layer_file(path, probe, DocumentFiles(path))
        return _same_but_for_normal_form(yamlio.dump(layer_file_tree(probe, layer)), path.read_text(encoding="utf-8"))
    except (EditionError, OSError, UnicodeDecodeError):
        return False


def check_rewritable(path: Path, doc: Document | None = None) -> None:
    """Refuse, before a command writes several files, if one of them was
    edited by hand (`doc`: the document whose layer file `path` is)."""
    if path.exists() and not _written_by_us(path, doc):
        _refuse_hand_edited(path)


def _refuse_hand_edited(path: Path) -> None:
    raise EditionError.at(
        "refusing to rewrite a file that was edited by hand (comments or own formatting would be lost)",
        path,
        hint="make the change in the file yourself, or remove your comments first",
    )


def layer_path(root: Path, doc_id: str, layer_id: str) -> Path:
    """translations/<doc>/<layer>.yaml, for valid ids, inside the edition."""
    check_id(doc_id, "document id")
    check_id(layer_id, "layer id")
    return check_inside(root, Path(root) / TRANSLATIONS_DIR / doc_id / f"{layer_id}.yaml")


def write_layer(root: Path, doc: Document, layer: Layer, files: DocumentFiles, replace: bool = False, was: Document | None = None) -> Path:
    """Write translations/<doc>/<layer>.yaml (its text and its notes), only
    if it still holds what was read (see `atomic_write`). `was`: the
    document as the file was written for, when its segments changed since
    (a re-import)."""
    check_id(layer.id, "layer id")
    path = files.layer_files.get(layer.id) or layer_path(root, doc.id, layer.id)
    check_inside(root, path)
    refuse_overwrite(path, replace)
    expect = _expected(path, files)
    if expect != ABSENT:
        if digest_on_disk(path) != expect:
            raise refuse_changed(path)
        if not _written_by_us(path, was or doc):
            _refuse_hand_edited(path)
    text = yamlio.dump(layer_file_tree(doc, layer))
    atomic_write(path, text, expect=expect)
    files.layer_files[layer.id] = path
    files.digests[path] = digest(text)
    return path


def save_layers(ws: Workspace, doc: Document, layer_ids: AbstractSet[str | None]) -> list[Path]:
    """Write the files that hold the given layers of `doc` (and their notes):
    a translations/ file for a layer added later, the document file for the
    others (and for notes on the whole document, with layer id None). Each
    file is replaced only if it still holds what the workspace read."""
    files = ws.files[doc.id]
    written = []
    for layer in doc.layers:
        if layer.id in layer_ids and layer.id in files.layer_files:
            written.append(write_layer(ws.root, doc, layer, files, replace=True))
    if any(lid not in files.layer_files for lid in layer_ids):
        written.append(write_document(ws.root, doc, replace=True, files=files))
    return written


# --------------------------------------------------------------------------
# The names register (names.yaml): persons, places, abbreviations.

NAME_FIELDS = ("id", "name", "forms", "note")
REGISTER_FIELDS = ("persons", "places", "abbreviations")


def read_register(path: Path) -> Register:
    tree, _ = yamlio.load(path)
    f = _Fields(tree, path, REGISTER_FIELDS, NAMES_FILE)
    register = Register()
    seen: dict[str, int] = {}
    for key, kind in (("persons", PERSON), ("places", PLACE)):
        for item in f.items(key):
            entry = _Fields(item, path, NAME_FIELDS, f"a {kind}")
            name_id = entry.ident("id", required=True)
            if name_id in seen:
                raise entry.error(
                    "id", f"name id '{name_id}' is used twice (first at line {seen[name_id]})", "give each person and place its own id"
                )
            seen[name_id] = item.line
            name = entry.text("name", required=True)
            forms = entry.strings("forms") or [name]
            if any(not form.strip() or form.strip("*") == "" for form in forms):
                raise entry.error("forms", "a form is empty", "remove it")
            register.names.append(Name(name_id, kind, name, tuple(forms), entry.text("note")))
    for item in f.items("abbreviations"):
        entry = _Fields(item, path, ("abbr", "expansion"), "an abbreviation")
        register.abbreviations.append(Abbreviation(entry.text("abbr", required=True), entry.text("expansion", required=True)))
    return register


# --------------------------------------------------------------------------
# The terminology base (terms.yaml): source terms and their renderings.

TERM_FIELDS = ("term", "lang", "preferred", "avoid", "note")
TERMS_FIELDS = ("lang", "terms")


def read_terms(path: Path) -> TermBase:
    """The editors' glossary. `lang` at the top is the source language of
    every term that names none; `preferred` and `avoid` map a target
    language to one rendering or a list of them."""
    tree, _ = yamlio.load(path)
    f = _Fields(tree, path, TERMS_FIELDS, TERMS_FILE)
    default = f.lang("lang")
    base = TermBase()
    seen: dict[tuple[str, str], int] = {}
    for item in f.items("terms"):
        entry = _Fields(item, path, TERM_FIELDS, "a term")
        text = " ".join(entry.text("term", required=True).split())
        if not re.search(r"\w", text):
            raise entry.error("term", f"term '{text}' has no word in it", "write the term in words")
        lang = entry.lang("lang") or default
        if lang is None:
            raise entry.error(
                "term", f"term '{text}' has no language", f"add `lang: ru` (its source language) to the term or at the top of {TERMS_FILE}"
            )
        key = (text.casefold(), lang)
        if key in seen:
            raise entry.error("term", f"term '{text}' is listed twice (first at line {seen[key]})", "merge the two entries")
        seen[key] = item.line
        preferred, avoid = _renderings(entry, "preferred"), _renderings(entry, "avoid")
        if not preferred and not avoid:
            raise entry.error(
                "term", f"term '{text}' has no rendering", "add `preferred: {en: …}` (and `avoid: {en: [...]}` for renderings to avoid)"
            )
        base.terms.append(Term(text, lang, preferred, avoid, entry.text("note"), item.line))
    return base


def _renderings(entry: _Fields, key: str) -> dict[str, tuple[str, ...]]:
    """A language → renderings mapping (`en: human rights` or a list)."""
    node = entry.map.get(key)
    if node is None or node.value is None:
        return {}
    if not isinstance(node.value, dict):
        raise entry.error(
            key,
            f"'{key}' must map a language to its renderings",
            f"write `{key}: {{en: human rights}}` or a list: `{key}: {{en: [human rights, rights of man]}}`",
        )
    langs = _Fields(node, entry.path, (), f"'{key}'", extra_ok=tuple(node.value))
    out = {}
    for lang in langs.map:
        line, column = langs.pos(lang)
        if not LANG_RE.match(lang):
            raise EditionError.at(
                f"'{lang}' in '{key}' is not a language code", entry.path, line, column, "use an ISO 639 code such as en, ru, de"
            )
        renderings = [" ".join(r.split()) for r in langs.strings(lang)]
        if not renderings or not all(re.search(r"\w", r) for r in renderings):
            raise EditionError.at(
                f"a rendering in '{key}' for '{lang}' is empty or has no word",
                entry.path,
                line,
                column,
                "write the rendering or remove the language",
            )
        out[lang] = tuple(renderings)
    return out
