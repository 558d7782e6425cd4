"""Tokens and their comparison keys: what diff, collation and the index see
of a text. Tokenizing never loses a character (joining the tokens gives the
text back), and a Normalizer decides which differences between two tokens
count, so the same words can be compared strictly or leniently."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

WORD = "word"
PUNCT = "punct"  # punctuation and symbols: each mark its own token
SPACE = "space"  # a run of whitespace and invisible characters

SOFT_HYPHEN = "\u00ad"
STRESS_MARKS = "\u0301\u0300"  # combining acute and grave: the Russian stress marks
# Characters that take no room on the page. After a letter they stay inside
# the word, otherwise they belong to a whitespace run. Unicode's word rules
# let a zero-width space break a word; we keep it inside, because in
# archival transcriptions it is copy-and-paste debris, and inside the word
# the ignore_whitespace option can drop it from the word's key.
INVISIBLE = "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"
# Marks for display; NBSP and its kin are whitespace to Python but not to an
# editor, who needs to see them.
INVISIBLE_MARKS = {
    "\u00a0": "⟨NBSP⟩",
    "\u202f": "⟨NNBSP⟩",
    "\u2007": "⟨FIGSP⟩",
    "\u00ad": "⟨SHY⟩",
    "\u200b": "⟨ZWSP⟩",
    "\u200c": "⟨ZWNJ⟩",
    "\u200d": "⟨ZWJ⟩",
    "\u200e": "⟨LRM⟩",
    "\u200f": "⟨RLM⟩",
    "\u2060": "⟨WJ⟩",
    "\ufeff": "⟨BOM⟩",
}

_APOSTROPHES = "'\u2019"  # inside a word: don't, don’t (ʼ U+02BC is a letter already)
_HYPHENS = "\\-\u2010\u2011"  # inside a word: mothers-in-law
_LINE_BREAK_HYPHEN = re.compile(r"[-\u2010\u00ad][ \t]*(?:\r\n|\n|\r)[ \t]*")

_TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u02bc": "'",
        "\u2039": "'", "\u203a": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
        "\u2212": "-",
    }
)  # fmt: skip
ELLIPSIS = "\u2026"
# Marks that some typists set off with a space and others not: a space
# before the first kind or after the second is typography, not text. Curly
# quotes are left out: “ opens an English quotation and closes a German one.
_SPACED_BEFORE = ",.;:!?)]}»›…"
_SPACED_AFTER = "([{«‹„‚"
_CONTEXT_MARKS = frozenset(_SPACED_BEFORE + _SPACED_AFTER)


def _ellipsis_run(tokens: list[str], i: int) -> int:
    """The end (exclusive) of an ellipsis typed as dots from token i: three
    or more "." tokens, side by side or each after one plain space; 0 when
    the dots at i are not one."""
    dots, j, end = 0, i, 0
    while j < len(tokens) and tokens[j] == ".":
        dots += 1
        end = j + 1
        if j + 2 < len(tokens) and tokens[j + 1] == " " and tokens[j + 2] == ".":
            j += 2
        else:
            j += 1
    return end if dots >= 3 else 0


_DROP_INVISIBLE = str.maketrans(dict.fromkeys(INVISIBLE.replace(SOFT_HYPHEN, "")))
_WHITESPACE = re.compile(r"\s+")


@functools.cache
def _combining_marks() -> str:
    """All combining marks (categories Mn, Mc, Me) as a regex class body.
    Python's \\w leaves them out, so "за́мок" would split at its stress mark.
    Marks live in planes 0 and 1 and in the variation selectors of plane 14;
    scanning those takes some 40 ms, done once, on first use."""
    ranges: list[tuple[int, int]] = []
    for cp in (*range(0x20000), *range(0xE0100, 0xE01F0)):
        if unicodedata.category(chr(cp))[0] == "M":
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return "".join(re.escape(chr(s)) if s == e else f"{re.escape(chr(s))}-{re.escape(chr(e))}" for s, e in ranges)


_LETTER = r"[^\W_]"
_JOINER = (
    rf"(?:[{_APOSTROPHES}{_HYPHENS}](?={_LETTER})"  # don't, mothers-in-law
    rf"|[-\u2010][ \t]*(?:\r\n|\n|\r)[ \t]*(?={_LETTER})"  # Aus-⏎nahme: hyphenated at a line end
    r"|(?<=\d)[.,](?=\d))"  # 1,000 · 30.11.1956
)


@functools.cache
def _token_re() -> re.Pattern[str]:
    marks = _combining_marks()
    inner = rf"(?:[^\W_]|[{marks}{INVISIBLE}])"
    word = rf"{_LETTER}{inner}*(?:{_JOINER}{_LETTER}{inner}*)*"
    space = rf"(?:[\s{INVISIBLE}][{marks}]*)+"
    other = rf"[^\s{INVISIBLE}][{marks}]*"  # punctuation, symbols, or a mark with nothing to sit on
    return re.compile(f"{word}|{space}|{other}")


@functools.cache
def _plain_token_re() -> re.Pattern[str]:
    """The same rules for a text without combining marks and invisible
    characters, where they reduce to three times faster a pattern."""
    return re.compile(rf"{_LETTER}+(?:{_JOINER}{_LETTER}+)*|\s+|\S")


def _token_re_for(text: str) -> re.Pattern[str]:
    # Each distinct character looked at once: cheaper than building the full
    # pattern's list of marks (0.1 s) for the texts that have none.
    if text.isascii() or not any(ch in INVISIBLE or unicodedata.category(ch)[0] == "M" for ch in set(text)):
        return _plain_token_re()
    return _token_re()


def tokenize(text: str) -> list[str]:
    """Words, punctuation marks and whitespace runs, in order; joining them
    gives `text` back exactly. A word keeps its combining marks (stress,
    diacritics in decomposed form), soft hyphens and joiners, internal
    apostrophes and hyphens, and a hyphen broken across a line end."""
    return _token_re_for(text).findall(text)


def token_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of each token of `text`."""
    return [m.span() for m in _token_re_for(text).finditer(text)]


def token_kind(token: str) -> str:
    """WORD, SPACE or PUNCT: decided by the token's first character."""
    first = token[0]
    if first.isalnum():
        return WORD
    if first.isspace() or first in INVISIBLE:
        return SPACE
    return PUNCT


@dataclass(frozen=True)
class Normalizer:
    """Which differences between tokens to ignore. Every option is off by
    default: then only the Unicode form differs (keys are NFC, so a
    precomposed and a decomposed Ё compare equal).

    A token whose key is empty (whitespace under ignore_whitespace,
    punctuation under ignore_punctuation) takes no part in a comparison."""

    ignore_case: bool = False
    ignore_punctuation: bool = False
    ignore_typography: bool = False  # ‘’‚ʼ′ → ', “”„«»″ → ", ‐ – — − → -
    ignore_whitespace: bool = False  # also NBSP, ZWSP, BOM and the other invisible characters
    ignore_hyphenation: bool = False  # Aus-⏎nahme = Ausnahme; soft hyphens
    ignore_stress: bool = False  # U+0301 and U+0300 only: ё stays ё and й stays й

    @classmethod
    def lenient(cls) -> Normalizer:
        """Every option on: only the words and their order count."""
        return cls(
            ignore_case=True,
            ignore_punctuation=True,
            ignore_typography=True,
            ignore_whitespace=True,
            ignore_hyphenation=True,
            ignore_stress=True,
        )

    def key(self, token: str) -> str:
        """The comparison key of one token."""
        key = unicodedata.normalize("NFC", token)
        kind = token_kind(token) if token else PUNCT
        if kind == SPACE:
            return "" if self.ignore_whitespace else key
        if self.ignore_hyphenation:
            key = _LINE_BREAK_HYPHEN.sub("", key.replace(SOFT_HYPHEN, ""))
        if self.ignore_whitespace:
            key = _WHITESPACE.sub("", key.translate(_DROP_INVISIBLE))
        if self.ignore_stress:
            key = strip_stress(key)
        if self.ignore_typography:
            key = key.translate(_TYPOGRAPHY)
        if self.ignore_case:
            key = key.casefold()
        if self.ignore_punctuation:
            key = "".join(ch for ch in key if unicodedata.category(ch)[0] != "P")
        return key

    def keys(self, tokens: list[str]) -> list[str]:
        """The keys of many tokens, each distinct token normalised once (and,
        ignoring typography, read in context: see `in_context`)."""
        cache: dict[str, str] = {}
        out = []
        for token in tokens:
            key = cache.get(token)
            if key is None:
                key = cache[token] = self.key(token)
            out.append(key)
        return self.in_context(tokens, out) or out

    def in_context(self, tokens: list[str], keys: list[str]) -> list[str] | None:
        """Keys that depend on a token's neighbours, or None where none does.
        Ignoring typography, the three ways of typing an ellipsis ("…",
        "...", ". . .") are one mark, and a space typed before a closing mark
        or after an opening one ("mot :", "« Non »", "word ,") is no
        difference. Only then can a token's key not be read alone."""
        if not self.ignore_typography or not any(t[0] in _CONTEXT_MARKS for t in tokens):
            return None
        changed = None
        n = len(tokens)
        for i, token in enumerate(tokens):
            if token == "." and (changed or keys)[i] == keys[i]:
                run = _ellipsis_run(tokens, i)
                if run:
                    changed = changed or list(keys)
                    changed[i] = self.key(ELLIPSIS)
                    for j in range(i + 1, run):
                        changed[j] = ""
                    continue
            if token_kind(token) == SPACE and "\n" not in token and "\r" not in token:
                after = tokens[i + 1] if i + 1 < n else ""
                before = tokens[i - 1] if i else ""
                if (after and after[0] in _SPACED_BEFORE) or (before and before[-1] in _SPACED_AFTER):
                    changed = changed or list(keys)
                    changed[i] = ""
        return changed


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def strip_stress(text: str) -> str:
    """Remove the stress marks U+0301 and U+0300, also where a precomposed
    letter carries them (ѐ, ѝ, é): decompose, drop, recompose. Other marks
    stay, so ё, й and ü are untouched. Latin é becomes e as well."""
    decomposed = _nfd(text)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in STRESS_MARKS))


def normalize(text: str, normalizer: Normalizer) -> str:
    """A whole text as its keys joined: for search and for comparing two
    texts without diffing them."""
    return "".join(normalizer.keys(tokenize(text)))


def script_of(char: str) -> str | None:
    """ "Latin", "Cyrillic", "Greek" or None, for a letter."""
    if not char.isalpha():
        return None
    name = unicodedata.name(char, "")
    for script in ("LATIN", "CYRILLIC", "GREEK"):
        if name.startswith(script):
            return script.capitalize()
    return None


def is_mixed_script(token: str) -> bool:
    """True when a word mixes Latin and Cyrillic letters: usually a
    look-alike typed by mistake ("Москвa" with a Latin a), which no search
    and no diff will match."""
    scripts = {script_of(ch) for ch in token}
    return "Latin" in scripts and "Cyrillic" in scripts


def mixed_script_words(text: str) -> list[tuple[int, str]]:
    """(offset, word) of every word in `text` that mixes Latin and Cyrillic."""
    return [(m.start(), m.group()) for m in _token_re().finditer(text) if token_kind(m.group()) == WORD and is_mixed_script(m.group())]


def show_invisible(text: str, marks: dict[str, str] | None = None) -> str:
    """`text` with no-break spaces, soft hyphens, zero-width characters and
    BOMs replaced by visible marks (⟨NBSP⟩, ⟨SHY⟩ …), for display only: a
    diff that changes only these would otherwise look empty."""
    table: dict[str, str | int | None] = dict(INVISIBLE_MARKS if marks is None else marks)
    if not any(ch in text for ch in table):
        return text
    return text.translate(str.maketrans(table))


def has_invisible(text: str) -> bool:
    """True when `text` holds a character that show_invisible would mark."""
    return any(ch in INVISIBLE_MARKS for ch in text)
