"""The names register (persons and places, with the spellings under which
they occur: Latin, Cyrillic, inflected) and the search for their
occurrences in every layer of every document, for the index; plus the
edition's list of abbreviations. Pure functions on the model."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .model import PERSON, PLACE, Abbreviation, Document, Edition, Name, Register

__all__ = [
    "PERSON",
    "PLACE",
    "Abbreviation",
    "Name",
    "Occurrence",
    "Register",
    "Matcher",
    "head_texts",
    "index_key",
    "matcher",
    "occurrences",
    "unused",
]


@dataclass(frozen=True)
class Occurrence:
    name: str  # the register id
    document: str
    layer: str
    # Where it stands: a segment id, "title", "note:<id>", or a part of the
    # document's head: "place" and "date" (the dateline), "summary:<n>"
    # (the n-th paragraph of the headnote), "source" (the source note).
    place: str
    start: int
    end: int
    form: str  # the text as it stands


_WORD = re.compile(r"\w")
_WORD_RUN = re.compile(r"\w*")
# Whitespace other than a lone space: where the text needs its spaces
# folded before the automaton can see a form's words apart.
# (The characters for which str.isspace() is true but the space, written out:
# a class with \S in it is three times slower to search.)
OTHER_SPACES = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_ODD_SPACE = re.compile(f"[{OTHER_SPACES}]|  ")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class _Form:
    rank: int  # the place of the form among all, longest first: the first that fits wins
    name: int  # index of the name in the register
    wildcard: bool  # the form ended in '*': any word ending follows the stem


class Matcher:
    r"""Every form of every name found in one pass over a text (an
    Aho-Corasick automaton over the forms' stems), so that a register of
    10,000 names costs about what a register of ten does.

    What it finds, and where, is what one regular expression over all forms
    would find (`(?<!\w)(?:form|…)(?!\w)`, the forms longest first): a form
    matches whole words only; spaces in a form match any run of white
    space; a form ending in `*` matches any ending of its last word; where
    several forms start at one place the longest wins; matches do not
    overlap, the leftmost first."""

    def __init__(self, register: Register):
        import ahocorasick

        ranked = []
        for index, name in enumerate(register.names):
            for form in sorted(name.forms, key=len, reverse=True):
                ranked.append((len(form), index, unicodedata.normalize("NFC", form)))
        ranked.sort(key=lambda r: -r[0])  # stable: among equals, the register's order
        stems: dict[str, list[_Form]] = {}
        for rank, (_, index, form) in enumerate(ranked):
            wildcard = form.endswith("*")
            stem = " ".join((form[:-1] if wildcard else form).split())
            if stem:  # the register refuses a form of spaces and '*' alone
                stems.setdefault(stem, []).append(_Form(rank, index, wildcard))
        self.names = register.names
        self.automaton = ahocorasick.Automaton()
        for stem, forms in stems.items():
            self.automaton.add_word(stem, (len(stem), tuple(forms)))
        self.empty = not stems
        if not self.empty:
            self.automaton.make_automaton()

    def find(self, text: str) -> list[tuple[int, int, Name]]:
        """(start, end, name) of each occurrence in `text`, in order."""
        if self.empty or not text:
            return []
        folded, where = _folded(text)
        best: dict[int, tuple[int, int, int]] = {}  # start → (rank, end, name) of the form that wins there
        for last, (length, forms) in self.automaton.iter(folded):
            start, end = last + 1 - length, last + 1
            if start and _WORD.match(folded, start - 1):
                continue  # not the start of a word
            for form in forms:  # by rank: the first that fits is the best here
                if form.wildcard:
                    run = _WORD_RUN.match(folded, end)  # `\w*` matches everywhere, if only nothing
                    stop = run.end() if run else end
                elif end < len(folded) and _WORD.match(folded, end):
                    continue  # not the end of a word
                else:
                    stop = end
                if start not in best or form.rank < best[start][0]:
                    best[start] = (form.rank, stop, form.name)
                break
        found, reached = [], 0
        for start in sorted(best):
            if start < reached:
                continue
            _, stop, name = best[start]
            found.append((where(start), where(stop), self.names[name]))
            reached = stop
        return found


def _folded(text: str):
    """The text with each run of white space made one space, and the map
    from its offsets back to the text's."""
    if not _ODD_SPACE.search(text):
        return text, lambda offset: offset
    import bisect

    pieces, folds, shifts, shift, last = [], [], [], 0, 0
    for run in _SPACES.finditer(text):
        pieces.append(text[last : run.start()])
        pieces.append(" ")
        shift += len(run.group()) - 1
        folds.append(run.start() - (shift - (len(run.group()) - 1)) + 1)  # folded offset just after the space
        shifts.append(shift)
        last = run.end()
    pieces.append(text[last:])

    def where(offset: int) -> int:
        k = bisect.bisect_right(folds, offset)
        return offset + (shifts[k - 1] if k else 0)

    return "".join(pieces), where


def matcher(register: Register) -> Matcher | None:
    """The matcher of every form of the register, or None when it has none."""
    found = Matcher(register)
    return None if found.empty else found


def occurrences(edition: Edition, register: Register) -> list[Occurrence]:
    """Every occurrence of every registered name, in document order."""
    pattern = matcher(register)
    if pattern is None:
        return []
    found = []
    for doc in edition.documents:
        found.extend(document_occurrences(doc, register, pattern))
    return found


def document_occurrences(doc: Document, register: Register, pattern: Matcher | None = None) -> list[Occurrence]:
    pattern = pattern or matcher(register)
    if pattern is None:
        return []
    out = []
    head_layer = doc.layers[0].id if doc.layers else ""
    places = [("title", {head_layer: doc.title})]
    places += [(place, {head_layer: text}) for place, text in head_texts(doc) if text]
    places += [(s.id, s.text) for s in doc.segments]
    places += [(f"note:{n.id}", {n.anchor.layer if n.anchor else head_layer: n.text}) for n in doc.notes]
    for place, texts in places:
        for layer_id, text in texts.items():
            for start, end, name in pattern.find(text):
                out.append(Occurrence(name.id, doc.id, layer_id, place, start, end, text[start:end]))
    return out


def head_texts(doc: Document) -> list[tuple[str, str]]:
    """The texts of a document's head other than its title, as printed
    around it, with their places: the dateline, each paragraph of the
    headnote (its summary), and the lines of the source note."""
    out = [("place", doc.place or ""), ("date", doc.date.text if doc.date else "")]
    out += [(f"summary:{n}", text) for n, text in enumerate(headnote_paragraphs(doc.summary), start=1)]
    out += [("source", ref.text) for ref in doc.archival_refs]
    out += [("source", text or "") for text in (doc.citation, doc.publication, doc.credit, doc.rights)]
    return out


def headnote_paragraphs(text: str | None) -> list[str]:
    """A headnote's paragraphs (blank lines part them), as printed."""
    if not text:
        return []
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


def index_key(name: str, cyrillic: str = "after") -> tuple:
    """The sort key of an index entry, by the Unicode Collation Algorithm:
    an entry in Cyrillic sorts after the Latin ones ("after"), or under
    its transliteration (ALA-LC) among them ("transliterated")."""
    from .text import collation_key

    if cyrillic == "transliterated" and _CYRILLIC.search(name):
        import iuliia

        return collation_key(iuliia.ALA_LC_ALT.translate(name))
    return collation_key(name)


_CYRILLIC = re.compile("[\u0400-\u052f]")


def unused(register: Register, found: list[Occurrence]) -> list[Name]:
    used = {o.name for o in found}
    return [n for n in register.names if n.id not in used]
