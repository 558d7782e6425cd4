"""What the TEI importer and the TEI exports agree on: the namespaces, the
ident that marks a file as ours, and where a note's call anchors when
nothing says otherwise. Both import it from here, so that the export need
not load the importer (nor the importer the export)."""

from __future__ import annotations

from .model import find_phrase

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XML_ID = f"{{{XML_NS}}}id"
XML_LANG = f"{{{XML_NS}}}lang"
APPLICATION = "edition"  # encodingDesc/appInfo/application/@ident of our own files


def default_anchor(text: str, offset: int) -> tuple[str, int] | None:
    """The phrase and occurrence an importer gives a note whose call stands
    at `offset`: the whitespace-delimited word that ends there. None when no
    word ends exactly at `offset` (the export then marks the phrase's start)."""
    before = text[:offset]
    if not before or before[-1].isspace():
        return None
    phrase = before.split()[-1]
    return phrase, occurrence_at(text, phrase, offset)


def occurrence_at(text: str, phrase: str, offset: int) -> int:
    """Which instance of `phrase` (as model.find_phrase counts them) ends at
    `offset`; 1 when none does."""
    if not phrase:
        return 1
    n = 1
    while (end := find_phrase(text, phrase, n)) is not None:
        if end == offset:
            return n
        if end > offset:
            break
        n += 1
    return 1
