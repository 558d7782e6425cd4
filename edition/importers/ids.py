"""Ids for newly imported documents: readable, stable and unique. An id is
lowercase ASCII words joined by hyphens, made from the date and the title:
Cyrillic is transliterated by the Library of Congress system (ALA-LC, its
plain-ASCII form, through `iuliia`), other letters lose their accents,
numbers are kept, and the id is cut only between words. Ids already in an
edition are never changed: this is only for documents being imported."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from ..model import ISO_RE, Document

MAX_WORDS = 4  # significant words of the title; numbers come on top
MAX_LENGTH = 40  # characters of the title part, cut between words
FALLBACK = "untitled"
_STOP = {"a", "an", "the", "of", "to", "from", "in", "on", "for", "and", "by", "with", "at", "against"}
_NUMBER_SIGNS = {"no", "nr", "nos", "num"}
_CYRILLIC = re.compile(r"[\u0400-\u052f]")
_ID_WORD = re.compile(r"[a-z0-9]+")


def ascii_words(text: str) -> list[str]:
    """The words of `text` in lowercase ASCII: Cyrillic transliterated
    (ALA-LC), accents taken off Latin letters, other scripts dropped."""
    if _CYRILLIC.search(text):
        import iuliia  # loaded only for Cyrillic titles

        text = iuliia.ALA_LC_ALT.translate(text)
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return _ID_WORD.findall(folded.replace("'", ""))


def title_slug(title: str, limit: int = MAX_LENGTH) -> str:
    """The title part of an id: its first significant words (stop words
    left out, unless nothing else is left) with the numbers among and just
    after them, whole words only, at most `limit` characters: past that,
    words (never numbers) are dropped from the end. A first word longer
    than `limit` stands alone. Empty when the title has no letters or digits."""
    words = ascii_words(title)
    # "No. 709" is the number 709: the abbreviation adds nothing to an id.
    words = [w for i, w in enumerate(words) if not (w in _NUMBER_SIGNS and words[i + 1 : i + 2] and words[i + 1].isdigit())]
    significant = [w for w in words if w not in _STOP] or words
    taken: list[str] = []
    count = 0
    for word in significant:
        if not word.isdigit():
            if count == MAX_WORDS:
                break
            count += 1
        taken.append(word)
    while len("-".join(taken)) > limit:
        last_word = next((i for i in range(len(taken) - 1, 0, -1) if not taken[i].isdigit()), None)
        if last_word is None:
            break
        del taken[last_word]
    return "-".join(taken)


def document_id(title: str, *, date_iso: str | None = None, fallback: str | None = None) -> str:
    """A new document's id: its ISO date (if known), then its title's
    words; when the title gives none, the `fallback` (a file name) and
    finally 'untitled' — never the bare word 'document'."""
    words = title_slug(title)
    if not words and fallback:
        words = title_slug(fallback)
    if date_iso and ISO_RE.match(date_iso):
        return f"{date_iso}-{words}" if words else date_iso
    return words or FALLBACK


def xml_id(value: str | None) -> str | None:
    """An id given by the source itself (a TEI `xml:id`, front matter's
    `id`), lowercased and reduced to the id alphabet; None when nothing of
    it is left."""
    if not value:
        return None
    words = ascii_words(value)
    return "-".join(words) or None


def make_unique(documents: Iterable[Document], existing: dict[str, Document] | None = None) -> None:
    """Give each document an id no other one has, in place: the second of
    two that would share an id becomes `…-2`, the third `…-3`. `existing`
    maps the ids already in the edition to their documents; a new document
    with the id, title and date of one of them is that document imported
    again and keeps its id (so that `--replace` replaces it and a plain
    import refuses to overwrite it)."""
    existing = existing or {}
    claimed: set[str] = set()
    tried: dict[str, int] = {}  # the last suffix tried for each base: no quadratic search
    for doc in documents:
        base = candidate = doc.id or FALLBACK
        n = 1
        while candidate in claimed or (candidate in existing and not _same(existing[candidate], doc)):
            n = max(n, tried.get(base, 1)) + 1
            candidate = f"{base}-{n}"
        tried[base] = n
        doc.id = candidate
        claimed.add(candidate)


def _same(a: Document, b: Document) -> bool:
    return a.title == b.title and (a.date.iso if a.date else None) == (b.date.iso if b.date else None)
