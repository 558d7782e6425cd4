"""Markdown deliveries: optional YAML front matter (the layer's metadata:
lang, translator, from, revises, date), then paragraphs, headings, lists and
block quotations; Markdown footnotes (`word[^1]` … `[^1]: text`) become
notes anchored after the word that carries the call."""

from __future__ import annotations

import re
from pathlib import Path

from .. import yamlio
from ..errors import EditionError
from ..model import SegmentKind
from ..text import tidy_space
from .base import Delivery, FileNote, Paragraph, checksum, note_after

META_FIELDS = ("lang", "translator", "from", "revises", "date", "layer", "title")
_FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*\n", re.S)
_DEFINITION = re.compile(r"^\[\^([^\]\s]+)\]:[ \t]*(.*)$")
_CALL = re.compile(r"\[\^([^\]\s]+)\]")
_HEADING = re.compile(r"^#{1,6}[ \t]+")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_UNDERSCORE = re.compile(r"(?<![\w*])_(?=\S)([^_]+?)(?<=\S)_(?![\w*])")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])[ \t]+")


def read_delivery(path: Path, text: str, fields: tuple[str, ...] = META_FIELDS) -> Delivery:
    """The paragraphs, footnotes and front matter of a Markdown file;
    `fields` are the front-matter fields allowed (a translation's by
    default; a new document's are in `paragraphs.DOCUMENT_FIELDS`)."""
    delivery = Delivery(name=Path(path).name, sha256=checksum(path))
    body = text
    front = _FRONT.match(text)
    if front:
        delivery.meta = _front_matter(front.group(1), path, fields)
        body = text[front.end() :]
    definitions: dict[str, str] = {}
    blocks: list[list[str]] = []
    current: list[str] = []
    last_definition = None
    for line in body.split("\n"):
        definition = _DEFINITION.match(line)
        if definition:
            last_definition = definition.group(1)
            definitions[last_definition] = definition.group(2)
            continue
        if last_definition and line.startswith(("    ", "\t")) and line.strip():
            definitions[last_definition] += " " + line.strip()
            continue
        last_definition = None
        if line.strip():
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    calls: list[tuple[int, str, int]] = []
    for block in blocks:
        for kind, text in _split(block):
            # Take the calls out, remembering where each stood.
            clean, pos = "", 0
            for m in _CALL.finditer(text):
                clean += text[pos : m.start()]
                calls.append((len(delivery.paragraphs), m.group(1), len(clean)))
                pos = m.end()
            clean += text[pos:]
            delivery.paragraphs.append(Paragraph(emphasis(tidy_space(clean)), kind))
    for index, label, offset in calls:
        if label not in definitions:
            raise EditionError.at(f"footnote call [^{label}] has no definition", path, hint=f"add a line `[^{label}]: …`")
        raw = delivery.paragraphs[index].text
        phrase, occurrence = note_after(raw, min(offset, len(raw)))
        delivery.notes.append(FileNote(index, phrase, tidy_space(definitions.pop(label)), occurrence))
    for _label, text in definitions.items():  # a definition never called: keep it
        delivery.notes.append(FileNote(-1, "", tidy_space(text)))
    return delivery


def emphasis(text: str) -> str:
    """Markdown's other spellings of emphasis (`_…_`, `**…**`, `__…__`)
    as the model's one, `*…*`."""
    text = _STRONG.sub(r"*\2*", text)
    return _UNDERSCORE.sub(r"*\1*", text)


def _split(lines: list[str]) -> list[tuple[SegmentKind, str]]:
    if all(_ITEM.match(line) for line in lines):
        return [(SegmentKind.LIST_ITEM, _ITEM.sub("", line, count=1)) for line in lines]
    if _HEADING.match(lines[0]) and len(lines) == 1:
        return [(SegmentKind.HEADING, _HEADING.sub("", lines[0]).rstrip("# "))]
    if all(line.lstrip().startswith(">") for line in lines):
        return [(SegmentKind.QUOTATION, " ".join(line.lstrip()[1:].strip() for line in lines))]
    return [(SegmentKind.PARAGRAPH, " ".join(line.strip() for line in lines))]


def _front_matter(text: str, path: Path, fields: tuple[str, ...] = META_FIELDS) -> dict[str, str]:
    # The front matter starts on the file's line 2: a blank line before it
    # makes every position, in errors too, a line of the file rather than a
    # line counted from the start of the front matter.
    tree = yamlio.parse("\n" + text, path)
    if not isinstance(tree.value, dict):
        raise EditionError.at("front matter must be a mapping of fields", path, tree.line, tree.column)
    meta: dict[str, str] = {}
    for key, value in tree.value.items():
        if key not in fields:
            import difflib

            close = difflib.get_close_matches(key, fields, n=1)
            raise EditionError.at(
                f"unknown field '{key}' in the front matter",
                path,
                value.key_line,
                value.key_column,
                hint=f"did you mean '{close[0]}'?" if close else f"known fields: {', '.join(fields)}",
            )
        if not isinstance(value.value, str):
            raise EditionError.at(f"'{key}' must be text", path, value.key_line, value.key_column)
        meta[key] = value.value
    return meta
