"""The typography of print: text from documents is stored as typed (straight
quotes, hyphens between numbers, three dots) and set with its language's
typography only when it is printed: curly quotes by language (“…”, „…“,
«…»), apostrophes, en dashes in number ranges, a true ellipsis, no-break
and thin spaces where the language wants them.

The rules are polytypo's (one portable specification with data for 27
locales); this module chooses which of them print may use (none that
changes a letter, as "(c)" → "©" would), keeps web addresses and labels
that only look like ranges out of their reach, and keeps the map from
offsets in the stored text to offsets in the printed one, so that note
calls, line numbers and index references still find their words."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from .model import inline_spans

# polytypo's rules print may use. Left out: `spaces` (collapses and strips
# spaces: a transcription's spacing is the editor's), `symbols` ("(c)" →
# "©", "3x4" → "3×4": letters changed) and `hyphen` (non-breaking hyphens
# for which our fonts and the line-number pass have no use).
RULES = {"spaces": False, "symbols": False, "hyphen": False, "ranges": True}

# Digit-hyphen-digit that is a label or a number, not a range: a figure or
# table number, a telephone number, an ISBN; a run of five figures or more.
_NOT_RANGE = re.compile(
    r"(?i)\b(?:fig(?:ure)?s?\.?|tables?|tel\.?|telephone|phone|isbn(?:-1[03])?:?|issn:?)\s*\d[\d\u2010-]*"
    r"|\d{5,}[\u2010-]\d+|\d+[\u2010-]\d{5,}"
)
# Web and mail addresses print as typed ("--" in a path is not a dash).
_ADDRESS = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Quotation marks typed as such stay as typed: a Russian word quoted «…»
# in a German note keeps its guillemets (only straight marks are set).
_TYPED_QUOTES = re.compile("[\u00ab\u00bb\u2018-\u201f\u2039\u203a]")
# A row of more than three dots (a leader, an omission the source marked
# so) prints as typed: only three make an ellipsis.
_DOTS = re.compile(r"\.{4,}")
_WORD = re.compile(r"\w+")


def locale_of(lang: str | None) -> str | None:
    """polytypo's locale for a language code (en → en-US, de-1996 → de-DE,
    sr-Latn → sr), or None for a language it has no data for: such text
    prints as typed rather than with another language's quotes."""
    if not lang:
        return None
    return _locales().get(lang.lower()) or _locales().get(lang.split("-")[0].lower())


@lru_cache(maxsize=1)
def _locales() -> dict[str, str]:
    data = _polytypo_data("locales/registry.json")
    out = {code.lower(): code for code in data["locales"]}
    out.update({alias.lower(): code for alias, code in data.get("aliases", {}).items()})
    return out


def _polytypo_data(name: str) -> dict:
    import json
    from importlib import resources

    return json.loads(resources.files("polytypo").joinpath(f"_data/{name}").read_text("utf-8"))


@dataclass(frozen=True)
class Typeset:
    """Text as printed (its `*…*` emphasis marks kept) and, for each offset
    of the stored text (its end included), the offset in the printed text."""

    text: str
    offsets: Sequence[int]  # a range when the text prints as typed

    def at(self, offset: int) -> int:
        """The printed offset of a stored offset (clamped to the text)."""
        return self.offsets[min(max(offset, 0), len(self.offsets) - 1)]

    def aligned(self, stored: str) -> str:
        """The stored text with each character replaced by the one it prints
        as (a space by a no-break space, `"` by `“`) and each it loses ("..."
        → "…") by `*`, which counts for nothing: a string as long as the
        stored one whose characters the printed text holds in order, for
        passes that map printed offsets back to stored ones."""
        out = []
        for i in range(len(stored)):
            piece = self.text[self.offsets[i] : self.offsets[i + 1]]
            kept = piece.strip(_INSERTED) or piece[:1]
            out.append(kept[:1] if kept else "*")
        return "".join(out)


_INSERTED = "\u00a0\u202f\u2009\u2060"  # what the rules may add beside a character


@lru_cache(maxsize=1 << 16)
def typeset(text: str, lang: str | None) -> Typeset:
    """`text` (a stored text, with its `*…*` emphasis) as printed in
    language `lang`. The letters never change, nor does what is emphasised;
    applying it to its own output changes nothing. A language polytypo has
    no data for prints as typed. Remembered: a build renders the volume
    up to three times (the probe of the apparatus's lines, the printed text,
    the --html copy), and the rules cost milliseconds a paragraph."""
    identity = Typeset(text, range(len(text) + 1))
    locale = locale_of(lang)
    if locale is None or not text:
        return identity
    spans = inline_spans(text)
    plain = "".join(run for run, _ in spans)
    printed = _transform(plain, locale)
    if printed == plain:
        return identity
    where = _offsets(plain, printed)
    if where is None:  # a rule changed a word: print as typed
        return identity
    # The emphasis marks go back around the runs they stood around (spaces
    # at a run's edge outside its marks); `raw` maps offsets of the printed
    # plain text to the marked one, `display` stored offsets to plain ones.
    out: list[str] = []
    raw = [0] * (len(printed) + 1)
    display: list[int] = []
    length = 0

    def put(chunk: str, first: int) -> None:
        nonlocal length
        for k in range(len(chunk)):
            raw[first + k] = length + k
        out.append(chunk)
        length += len(chunk)

    p = 0
    for run, em in spans:
        q0, q1 = where[p], where[p + len(run)]
        chunk = printed[q0:q1]
        core = chunk.strip()
        if em and core:
            lead = len(chunk) - len(chunk.lstrip())
            put(chunk[:lead], q0)
            out.append("*")
            length += 1
            put(core, q0 + lead)
            out.append("*")
            length += 1
            put(chunk[lead + len(core) :], q0 + lead + len(core))
        else:
            put(chunk, q0)
        display.extend(([p] if em else []) + list(range(p, p + len(run))) + ([p + len(run)] if em else []))
        p += len(run)
    display.append(len(plain))
    raw[len(printed)] = length
    marked = "".join(out)
    again = inline_spans(marked)
    if "".join(r for r, _ in again) != printed or [em for _, em in again] != [em for _, em in spans]:
        return identity  # the marks would not read back as they were
    return Typeset(marked, tuple(raw[where[d]] for d in display))


def printed(text: str, lang: str | None) -> str:
    """`text` as printed in language `lang` (see `typeset`)."""
    return typeset(text, lang).text


def _transform(plain: str, locale: str, rules: dict[str, bool] | None = None) -> str:
    """`plain` set by polytypo's `rules` (by default those of RULES that can
    act on it: see `_acting`) and the cited numbers bound."""
    from polytypo.text import transform

    if rules is None:
        rules = _acting(plain, locale)
    if not any(rules.values()):
        return _CITED_NUMBER.sub("\\1.\u00a0", plain)
    keep = sorted(m.span() for pattern in (_ADDRESS, _NOT_RANGE, _TYPED_QUOTES, _DOTS) for m in pattern.finditer(plain))
    merged: list[list[int]] = []
    for start, end in keep:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out = transform(plain, locale=locale, rules=rules, protect=merged or None)
    return _CITED_NUMBER.sub("\\1.\u00a0", out)


# An archival or bibliographic abbreviation keeps the number it cites on its
# line ("pp. 125–126", "op. 30", "ll. 87–91", "стр. 5"): polytypo binds
# only what each locale lists, and no locale lists these.
_CITED_NUMBER = re.compile(r"(?i)(?<![\w.])(pp?|ll?|ff?|fols?|op|d|nos?|vols?|docs?|nr|s|стр|лл?|ф|оп|д|т)\. (?=\d)")


def _offsets(before: str, after: str) -> list[int] | None:
    """For each offset of `before` (its end included), the offset in `after`:
    the words of both must be the same, in order (else None); the stretches
    between them are matched character by character. An offset where the
    rules inserted characters maps to before the insertion."""
    a_words = [m.span() for m in _WORD.finditer(before)]
    b_words = [m.span() for m in _WORD.finditer(after)]
    if len(a_words) != len(b_words) or any(before[s:e] != after[t:u] for (s, e), (t, u) in zip(a_words, b_words)):
        return None
    where: list[int | None] = [None] * (len(before) + 1)
    a_cuts = [0, *[x for span in a_words for x in span], len(before)]
    b_cuts = [0, *[x for span in b_words for x in span], len(after)]
    for k in range(len(a_cuts) - 1):
        a0, a1, b0, b1 = a_cuts[k], a_cuts[k + 1], b_cuts[k], b_cuts[k + 1]
        if k % 2:  # a word, character for character
            for i in range(a1 - a0):
                where[a0 + i] = b0 + i
        else:
            _between(before[a0:a1], after[b0:b1], a0, b0, where)
    where[len(before)] = len(after)
    return [len(after) if w is None else w for w in where]


def _between(a: str, b: str, a0: int, b0: int, where: list[int | None]) -> None:
    """`where` for the characters of `a`, the stretch at `a0` between two
    words, which the rules made `b` (at `b0`)."""
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "insert":
            if i1 < len(a) and where[a0 + i1] is None:
                where[a0 + i1] = b0 + j1
            continue
        for k in range(i2 - i1):
            if where[a0 + i1 + k] is None:
                where[a0 + i1 + k] = b0 + (j1 if tag == "delete" else min(j1 + k, j2))


# --- which rules can act on a text -------------------------------------------------
#
# polytypo scans every character of a text with every rule, at some
# milliseconds a paragraph; most paragraphs give it nothing to do (no quote,
# dash, dots or number). Each rule below changes a text only where the text
# holds what the rule looks for, and none of the rules before it can make
# that: quotation marks for `quotes` and `apostrophe`, dots or an ellipsis
# for `ellipsis`, a dash for `ranges` and `dashes`, and for `nbsp` the
# punctuation, words, units and initials the language's data lists. A rule
# whose mark is absent is not run: its output would be its input. The
# tests hold the result equal to that of every rule run on any text.

# The polytypo releases whose rules were read for these marks; with another
# release every rule runs (slower, never different).
_READ_FOR = ("1.16.0",)
# The quotation marks `quotes` acts on (polytypo's QUOTEMARK), less those
# typed as such, which print as typed (_TYPED_QUOTES): the rules never see them.
_QUOTE_MARKS = "".join(
    c for c in "\"'\u00ab\u00bb\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u2039\u203a\u301d\u301e\u301f" if not _TYPED_QUOTES.match(c)
)
# Characters `ranges` and `dashes` act on (polytypo's DASH), but a hyphen
# alone with a letter on one side: both leave it alone (a compound word,
# "1-samuel"), as ranges only join figures and dashes want a hyphen spaced.
_ALPHA = "[^\\W\\d_]"
_IS_ALPHA = re.compile(_ALPHA).match
_DASHES = re.compile("[\\-\u2010\u2013\u2014\u2212]")


def _dashes_act(plain: str) -> bool:
    """Whether `plain` holds a dash that `ranges` or `dashes` may set."""
    for m in _DASHES.finditer(plain):
        at = m.start()
        before, after = plain[at - 1 : at], plain[at + 1 : at + 2]
        if m.group() in "\u2013\u2014" or (before and before in "-\u2010\u2013\u2014\u2212"):
            return True
        if not (before and _IS_ALPHA(before)) and not (after and _IS_ALPHA(after)):
            return True
    return False


_ELLIPSIS_MARK = "\\.\\.|\u2026"
_RULES_READ = ("ellipsis", "ranges", "dashes", "quotes", "apostrophe", "nbsp")


@dataclass(frozen=True)
class _Marks:
    """For one locale: for each rule, a test that is false where the rule
    leaves a text as it is; for `nbsp`, also initials ("A. B."): a full
    stop and a space before a capital, whose letters are told by their case."""

    rules: tuple[tuple[str, Callable[[str], object]], ...]
    initials: re.Pattern[str] | None


_CAPITALS = ("Lu", "Lt")  # polytypo's upper case


def _acting(plain: str, locale: str) -> dict[str, bool]:
    """RULES, less the rules that cannot change `plain` in `locale`."""
    marks = _marks(locale)
    if marks is None:
        return RULES
    acting = dict(RULES)
    for rule, test in marks.rules:
        acting[rule] = RULES.get(rule, True) and bool(test(plain))
    if not acting["nbsp"] and marks.initials is not None:
        acting["nbsp"] = any(_initials(plain, m.start(), m.group(1)) for m in marks.initials.finditer(plain))
    return acting


def _initials(plain: str, stop: int, next_letter: str) -> bool:
    """Whether the full stop at `stop` follows an initial (a capital after
    no letter) and is followed by a capital (polytypo's initial binding)."""
    return (
        stop >= 1
        and unicodedata.category(plain[stop - 1]) in _CAPITALS
        and (stop < 2 or not _IS_ALPHA(plain[stop - 2]))
        and unicodedata.category(next_letter) in _CAPITALS
    )


@lru_cache(maxsize=None)
def _marks(locale: str) -> _Marks | None:
    """The marks of `locale`'s rules, compiled once from polytypo's data;
    None for a polytypo release these marks were not read for."""
    from importlib.metadata import version

    order = {rule["id"] for rule in _polytypo_data("rules/order.json")["rules"]}
    if version("polytypo") not in _READ_FOR or order - set(_RULES_READ) - {r for r, on in RULES.items() if not on}:
        return None
    data = _polytypo_data(f"locales/{locale}.json")
    nbsp, quotes = data["nbsp"], data["quotes"]

    def one_of(words: list[str], spaces: str = " ") -> list[str]:
        return [spaces.join(map(re.escape, w.split(" "))) for w in words if w]

    def either_case(word: str) -> str:  # polytypo's simple upper case of the first letter
        upper = word[0].upper()
        head = f"[{re.escape(word[0])}{re.escape(upper)}]" if len(upper) == 1 else re.escape(word[0])
        return head + re.escape(word[1:])

    punctuation = "".join(nbsp["beforePunctuation"] + nbsp["narrowBeforePunctuation"])
    inner = "".join(
        p["open"] + p["close"] for p in (quotes["primary"], quotes["secondary"]) if p["innerSpace"] != "none" and p["open"] != p["close"]
    )
    nbsp_marks = [
        *([f"[{re.escape(punctuation)}]"] if punctuation else []),  # before : ; ! ?
        *(either_case(w) + " " for w in nbsp["afterShortWords"] if w),  # after a short word
        *one_of(nbsp["abbreviations"], "[ \u00a0\u202f]"),  # inside an abbreviation
        *(f"[0-9] (?:{units})" for units in ["|".join(one_of(nbsp["beforeUnits"]))] if units),  # before a unit
        *(f"(?:{w}) [0-9]" for w in ["|".join(one_of(nbsp["afterSymbols"] + nbsp["beforeNumber"]))] if w),  # § 5, Nr. 5
        *(f"(?:{w}) " for w in ["|".join(one_of(nbsp["beforeWord"]))] if w),  # St. Gallen
        *([f"[{re.escape(_QUOTE_MARKS + inner)}]"] if inner else []),  # inside quotes `quotes` may make
    ]
    binding = nbsp["initialBinding"]
    # Initials: a capital and a full stop after no letter, a space, a capital
    # (and its full stop, when only a chain of initials binds).
    initial = f"\\.[ \u00a0](?=({_ALPHA})" + ("\\.)" if binding == "chain" else ")")
    return _Marks(
        (
            ("ellipsis", re.compile(_ELLIPSIS_MARK).search),
            ("ranges", _dashes_act),
            ("dashes", _dashes_act),
            ("quotes", re.compile(f"[{re.escape(_QUOTE_MARKS)}]").search),
            ("apostrophe", re.compile("'").search),
            ("nbsp", re.compile("|".join(nbsp_marks) or "(?!)").search),
        ),
        None if binding == "none" else re.compile(initial),
    )
