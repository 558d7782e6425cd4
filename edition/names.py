"""The names register (persons and places, with the spellings under which
they occur: Latin, Cyrillic, inflected) and the search for their
occurrences in every layer of every document, for the index; plus the
edition's list of abbreviations. Pure functions on the model."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .model import PERSON, PLACE, Abbreviation, Document, Edition, Name, Register

__all__ = ["PERSON", "PLACE", "Abbreviation", "Name", "Occurrence", "Register", "matcher", "occurrences", "unused"]


@dataclass(frozen=True)
class Occurrence:
    name: str  # the register id
    document: str
    layer: str
    place: str  # a segment id, "title", or "note:<id>"
    start: int
    end: int
    form: str  # the text as it stands


def _form_pattern(form: str) -> str:
    stem = form[:-1] if form.endswith("*") else form
    tail = r"\w*" if form.endswith("*") else ""
    # Spaces in a form match any run of spaces (and the no-break space).
    body = r"\s+".join(re.escape(part) for part in stem.split())
    return f"{body}{tail}"


def matcher(register: Register) -> re.Pattern[str] | None:
    """One regular expression for every form, longest forms first so that
    "Nikita Khrushchev" wins over "Khrushchev"; group names carry the ids."""
    alternatives = []
    for index, name in enumerate(register.names):
        for form in sorted(name.forms, key=len, reverse=True):
            alternatives.append((len(form), f"(?P<n{index}_{len(alternatives)}>{_form_pattern(unicodedata.normalize('NFC', form))})"))
    if not alternatives:
        return None
    alternatives.sort(key=lambda a: -a[0])
    # Whole words only; the boundaries stand outside the alternation, so
    # that the engine can skip to the letters a form may begin with (40×
    # faster on a long text than a lookbehind in every alternative).
    return re.compile(r"(?<!\w)(?:" + "|".join(pattern for _, pattern in alternatives) + r")(?!\w)")


def occurrences(edition: Edition, register: Register) -> list[Occurrence]:
    """Every occurrence of every registered name, in document order."""
    pattern = matcher(register)
    if pattern is None:
        return []
    found = []
    for doc in edition.documents:
        found.extend(document_occurrences(doc, register, pattern))
    return found


def document_occurrences(doc: Document, register: Register, pattern: re.Pattern[str] | None = None) -> list[Occurrence]:
    pattern = pattern or matcher(register)
    if pattern is None:
        return []
    out = []
    head_layer = doc.layers[0].id if doc.layers else ""
    places = [("title", {head_layer: doc.title})]
    places += [(s.id, s.text) for s in doc.segments]
    places += [(f"note:{n.id}", {n.anchor.layer if n.anchor else head_layer: n.text}) for n in doc.notes]
    for place, texts in places:
        for layer_id, text in texts.items():
            for m in pattern.finditer(text):
                group = m.lastgroup
                name = register.names[int(group[1:].split("_")[0])]
                out.append(Occurrence(name.id, doc.id, layer_id, place, m.start(), m.end(), m.group(0)))
    return out


def unused(register: Register, found: list[Occurrence]) -> list[Name]:
    used = {o.name for o in found}
    return [n for n in register.names if n.id not in used]
