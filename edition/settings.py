"""An edition's settings (edition.yaml), each described once: its name,
type, default, the values it takes and what it means. The store reads and
writes them through this description, the command line takes its choices
from it, and one check (`setting_problem`) judges a value wherever it comes
from: edition.yaml, a command-line option, or an Edition made in Python.

To add a setting, add a field to `Settings` with `setting(...)`: the store,
the checks and `edition.yaml`'s list of known fields follow. No I/O and
nothing heavy here: the command line imports it before any command runs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Any, Callable, Literal

from .ids import is_id


@dataclass(frozen=True)
class PageFormat:
    """Trim size and book margins of one page format (inner < outer: the two
    inner margins of an opening read as one gutter)."""

    name: str
    size: str
    inner: str
    outer: str
    top: str
    bottom: str
    font_size: str
    head_chars: int  # the longest running head that fits beside the folio


# The page sizes `page_size` takes, in the order messages list them.
PAGE_FORMATS = {
    "A4": PageFormat("A4", "210mm 297mm", "25mm", "36mm", "26mm", "30mm", "11pt", 84),
    "A5": PageFormat("A5", "148mm 210mm", "15mm", "21mm", "18mm", "22mm", "9.5pt", 58),
    "B5": PageFormat("B5", "176mm 250mm", "19mm", "27mm", "22mm", "26mm", "10.5pt", 70),
    "6x9in": PageFormat("6x9in", "6in 9in", "17mm", "22mm", "19mm", "23mm", "10pt", 62),
}
PAGE_SIZES = tuple(PAGE_FORMATS)
LAYOUTS = ("translation", "original", "parallel", "facing")
LINE_NUMBERING = ("document", "page", "none")
APPARATUS = ("all", "substantive", "none")
APPARATUS_PLACES = ("foot", "end")
INDEX_REFERENCES = ("pages", "lines", "none")
INDEX_CYRILLIC = ("after", "transliterated")
PDF_VARIANTS = ("none", "pdf/ua-1", "pdf/ua-2", "pdf/a-2u", "pdf/a-3u")
READING_GAPS = ("omit", "original")
# Which number a document prints: the volume's running number, or the
# number its source gave it (FRUS "146"), where it has one.
NUMBERING = ("volume", "source")
COLUMN_ROLES = ("original", "translation")
MAX_COLUMNS = 4
PRINTER_MARKS = ("crop", "cross", "crop cross")
LENGTH_RE = re.compile(r"^(0|\d+(\.\d+)?(mm|cm|in|pt|pc|px))$")


def column_problem(columns: list[str]) -> str | None:
    """What is wrong with a list of parallel columns, or None."""
    if len(columns) > MAX_COLUMNS:
        return f"at most {MAX_COLUMNS} columns can stand side by side, not {len(columns)}"
    for name in columns:
        if not is_id(name):
            return f"column '{name}' is not a layer id, a language code, 'original' or 'translation'"
    if len(set(columns)) < len(columns):
        return "a column is named twice"
    return None


def _length_problem(value: str) -> str | None:
    return None if LENGTH_RE.match(value) else f"'bleed' must be a length, not '{value}'"


# How edition.yaml writes a setting: one of a few words, free text, a list
# of words, or true/false.
Kind = Literal["word", "text", "list", "flag"]


@dataclass(frozen=True)
class Setting:
    """How one setting is read, checked and written. `choices`: the words it
    takes (its refusal reads `refusal` with the value put in); `check`: what
    is wrong with a value, for a setting that is not one of a few words;
    `hint`: the remedy a refusal offers; `always_written`: kept in
    edition.yaml even at its default, so that an editor sees it there."""

    name: str
    meaning: str
    kind: Kind
    default: Any
    choices: tuple[str, ...] = ()
    refusal: str = ""
    check: Callable[[Any], str | None] | None = None
    hint: str = ""
    always_written: bool = False

    def problem(self, value: Any) -> tuple[str, str] | None:
        """(message, hint) when `value` is not one this setting takes."""
        if value is None and self.default is None:
            return None
        if self.choices:
            if value in self.choices:
                return None
            refusal = self.refusal or f"'{self.name}' cannot be '{{}}'"
            return refusal.format(value), f"one of: {', '.join(self.choices)}"
        if self.check is not None:
            message = self.check(value)
            if message:
                return message, self.hint
        return None


def setting(meaning: str, kind: Kind, default: Any, **how: Any) -> Any:
    """A field of `Settings` that carries its description."""
    factory = {"default_factory": list} if kind == "list" else {"default": default}
    return field(**factory, metadata={"setting": Setting("", meaning, kind, default, **how)})


@dataclass(kw_only=True)
class Settings:
    """The settings of edition.yaml, in the order it writes them. `Edition`
    carries them as its own attributes."""

    page_size: str = setting(
        "the trim size of the printed page", "word", "A5",
        choices=PAGE_SIZES, refusal="unknown page size '{}'", always_written=True,
    )  # fmt: skip
    layout: str = setting(
        "which text the pages show: the translation, the original, layers side by side,"
        " or the original facing its translation page by page", "word", "translation",
        choices=LAYOUTS, refusal="unknown layout '{}'", always_written=True,
    )  # fmt: skip
    # The layers printed side by side in the parallel layout, left to right:
    # layer ids, language codes or the roles "original" and "translation"
    # (empty: the original, then the translation).
    columns: list[str] = setting(
        "the layers printed side by side in the parallel layout, left to right", "list", [],
        check=column_problem, hint="e.g. `columns: [original, translation]` or `columns: [ru, en, de]`",
        always_written=True,
    )  # fmt: skip
    line_numbers: str = setting(
        "where line numbering restarts: each document, each page, or no numbers", "word", "document",
        choices=LINE_NUMBERING,
    )  # fmt: skip
    bleed: str | None = setting(
        "printed area beyond the trim on each side (\"3mm\")", "text", None,
        check=_length_problem, hint="e.g. `bleed: 3mm`",
    )  # fmt: skip
    marks: str | None = setting("printer's marks in the bleed", "word", None, choices=PRINTER_MARKS)
    # Which readings the printed apparatus of variants lists: all, the
    # substantive ones (whitespace, punctuation and case left out), or none.
    apparatus: str = setting("which readings the apparatus of variants lists", "word", "substantive", choices=APPARATUS)
    # Where the apparatus is printed: at the foot of the page where each
    # lemma stands, or after the document's text.
    apparatus_at: str = setting("where the apparatus is printed", "word", "foot", choices=APPARATUS_PLACES)
    # What the index of persons and places refers to: pages, or page and
    # line ("12.5"), or no index at all.
    index: str = setting("what the index of persons and places refers to", "word", "pages", choices=INDEX_REFERENCES)
    # Where index entries in Cyrillic stand: after the Latin ones, or among
    # them under their transliteration (ALA-LC).
    index_cyrillic: str = setting("where Cyrillic index entries stand", "word", "after", choices=INDEX_CYRILLIC)
    # A PDF standard to meet: tagged PDF/UA for readers with assistive
    # technology, PDF/A for archiving; "none" for a plain PDF.
    pdf_variant: str = setting("a PDF standard to meet", "word", "none", choices=PDF_VARIANTS)
    # The reading text: a layer id or a language code (its newest revision);
    # None: the newest revision of each document's main translation.
    reading: str | None = setting("the reading text: a layer id or a language code", "text", None)
    # Where the reading text and the layers it revises lack a segment: leave
    # it out ("omit"), or print the original's text there, marked.
    reading_gaps: str = setting(
        "where the reading text lacks a segment: leave it out, or print the original's", "word", "omit",
        choices=READING_GAPS,
    )  # fmt: skip
    numbering: str = setting("which number a document prints", "word", "volume", choices=NUMBERING)
    glossary: bool = setting("print the term base (terms.yaml) as a glossary in the back matter", "flag", False)
    # Print with each language's typography (curly quotes, en dashes in
    # ranges, a true ellipsis, thin spaces); the stored text stays as typed.
    typography: bool = setting("print with each language's typography (quotes, dashes)", "flag", True)


def _described() -> tuple[Setting, ...]:
    out = []
    for f in fields(Settings):
        described = f.metadata["setting"]
        out.append(Setting(f.name, *(getattr(described, name.name) for name in fields(Setting)[1:])))
    return tuple(out)


# Every setting, in edition.yaml's order.
SETTINGS: tuple[Setting, ...] = _described()
SETTING = {s.name: s for s in SETTINGS}


def setting_problem(name: str, value: Any) -> tuple[str, str] | None:
    """(message, hint) when `value` is not one the setting `name` takes."""
    return SETTING[name].problem(value)


def settings_problems(settings: Settings) -> list[tuple[str, str]]:
    """What is wrong with each setting of `settings` (an Edition made in
    Python has not been through the store), in edition.yaml's order."""
    found = (s.problem(getattr(settings, s.name)) for s in SETTINGS)
    return [problem for problem in found if problem is not None]
