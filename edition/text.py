"""Words, dates, languages and archival signatures as editors write them:
shared by the importers, the checks and (later) align, diff and the index."""

from __future__ import annotations

import functools
import re
import unicodedata

from .model import ArchivalRef, Certainty, DateSpec, julian_to_gregorian

WORD_RE = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    """The words of a text (letters and digits), for counting and search."""
    return WORD_RE.findall(unicodedata.normalize("NFC", text))


def tidy_space(text: str) -> str:
    """Join a block's lines and collapse runs of spaces; a lone no-break
    space (as in "14th November") is kept, since it was typed on purpose."""
    text = re.sub(r"\s{2,}|[\t\n\r\f\v]", " ", text)
    return text.strip()


LANGUAGES = {
    "english": "en", "german": "de", "russian": "ru", "french": "fr", "polish": "pl",
    "czech": "cs", "slovak": "sk", "hungarian": "hu", "romanian": "ro", "bulgarian": "bg",
    "ukrainian": "uk", "belarusian": "be", "serbian": "sr", "croatian": "hr", "chinese": "zh",
    "japanese": "ja", "korean": "ko", "vietnamese": "vi", "italian": "it", "spanish": "es",
    "portuguese": "pt", "dutch": "nl", "swedish": "sv", "finnish": "fi", "norwegian": "no",
    "danish": "da", "estonian": "et", "latvian": "lv", "lithuanian": "lt", "georgian": "ka",
    "armenian": "hy", "mongolian": "mn", "albanian": "sq", "greek": "el", "turkish": "tr",
    "persian": "fa", "arabic": "ar", "hebrew": "he", "yiddish": "yi", "latin": "la",
    "kazakh": "kk", "slovenian": "sl", "uzbek": "uz",
}  # fmt: skip
LANGUAGE_NAMES = {code: name.capitalize() for name, code in LANGUAGES.items()}


def language_code(name: str) -> str | None:
    """ "German" → "de"; a code passes through; None when unknown."""
    key = name.strip().lower()
    if key in LANGUAGES:
        return LANGUAGES[key]
    if key in LANGUAGE_NAMES:
        return key
    return None


MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["january", "february", "march", "april", "may", "june", "july",
         "august", "september", "october", "november", "december"]
    )
} | {
    m: i + 1
    for i, m in enumerate(
        ["января", "февраля", "марта", "апреля", "мая", "июня", "июля",
         "августа", "сентября", "октября", "ноября", "декабря"]
    )
}  # fmt: skip
_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December|января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря)"
_QUALIFIERS = [
    (re.compile(r"^(not later than|no later than|not after|before|by)\s+", re.I), Certainty.NOT_AFTER),
    (re.compile(r"^(not earlier than|no earlier than|not before|after)\s+", re.I), Certainty.NOT_BEFORE),
    (re.compile(r"^(circa|ca\.|c\.|about|approximately|early|mid-?|late)\s*", re.I), Certainty.APPROXIMATE),
]
_YEAR_SUFFIX = r"(?:\s*(?:г\.?|года?))?"
_DAY_MONTH_YEAR = re.compile(rf"^(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(\d{{4}}){_YEAR_SUFFIX}$", re.I)
_MONTH_DAY_YEAR = re.compile(rf"^{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})$", re.I)
_MONTH_YEAR = re.compile(rf"^{_MONTH},?\s+(\d{{4}})$", re.I)
_YEAR = re.compile(r"^(\d{4})$")
_NUMERIC = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_UNDATED = re.compile(r"^(undated|not dated|no date|n\.\s?d\.|date unknown|без даты)(?=$|[\s,;:(\[])", re.I)
_BETWEEN = re.compile(r"^between\s+(.+?)\s+and\s+(.+)$", re.I)
# Longer than any dateline an editor writes ("between 25 October (7 November)
# 1917 and 12 (24) March 1918, old style" is 70 characters).
LONGEST_DATE = 160
_DASH_RANGE = re.compile(r"^(.+?)\s*[–—-]\s*(.+)$")
# Old Style: "12 (24) March 1899", "March 12 (24), 1899", "12/24 March 1899",
# "12 March 1917 O.S." — the Julian day first, the Gregorian one beside it.
# It starts at its words: a leading `\s*`, tried from every start, made a
# long run of spaces quadratic; the bracket and spaces before it are
# stripped after the match.
_OLD_STYLE_MARK = re.compile(r"(?:O\.\s?S\.?|old style|ст\.\s?ст\.|по старому стилю)\s*[\])]?$", re.I)
_DUAL_MONTHS = re.compile(
    rf"^(?P<day>\d{{1,2}})\s+(?P<month>{_MONTH})\s*(?:/\s*|\(\s*)(?P<day2>\d{{1,2}})\s+(?P<month2>{_MONTH})\s*\)?,?\s+(?P<year>\d{{4}}){_YEAR_SUFFIX}$",
    re.I,
)
_DUAL_DAY = re.compile(r"(?<!\d)(\d{1,2})\s*(?:\((\d{1,2})\)|/(\d{1,2}))(?!\d)")


def parse_date(text: str) -> DateSpec | None:
    """Read a dateline as an editor writes it: "June 26, 1953", "[not later
    than 18 September 1956]", "circa 1957", "30.11.1956", "between 10 and
    12 March 1956", "12 (24) March 1899" (Julian, with its Gregorian day),
    "undated". None if it is not a date. Square brackets mark a date the
    editor supplied."""
    raw = text.strip()
    supplied = raw.startswith("[") and raw.endswith("]") and raw.count("[") == 1
    body = raw[1:-1].strip() if supplied else raw
    if _UNDATED.match(body):
        return DateSpec(text=body, certainty=Certainty.UNKNOWN, supplied=supplied)
    if len(body) > LONGEST_DATE:
        return None  # a paragraph, not a dateline (and the patterns below need not read it)
    certainty = Certainty.EXACT
    rest = body
    for pattern, kind in _QUALIFIERS:
        match = pattern.match(rest)
        if match:
            certainty, rest = kind, rest[match.end() :]
            break
    rest = rest.strip().rstrip(".")
    julian = False
    if mark := _OLD_STYLE_MARK.search(rest):
        julian, rest = True, rest[: mark.start()].rstrip().removesuffix("[").removesuffix("(").rstrip().rstrip(" ,")
    if cross := _DUAL_MONTHS.match(rest):  # "25 October (7 November) 1917"
        julian, rest = True, f"{cross['day']} {cross['month']} {cross['year']}"
    elif dual := _DUAL_DAY.search(rest):
        single = rest[: dual.start()] + dual[1] + rest[dual.end() :]
        # "12/24 March 1899" is Old Style only when the second day is the
        # first one's Gregorian day; "11/12 March 1956" is a night, a range.
        julian_iso = _iso(single) if dual[3] else None
        if dual[3] and not (julian_iso and len(julian_iso) == 10 and int(_gregorian(julian_iso)[8:]) == int(dual[3])):
            rest = rest[: dual.start()] + f"{dual[1]}–{dual[3]}" + rest[dual.end() :]
        else:
            julian, rest = True, single
    iso = _iso(rest)
    iso_end = None
    if iso is None and certainty is Certainty.EXACT:
        iso, iso_end = _range(rest)
        if iso is None:
            return None
        certainty = Certainty.RANGE
    if iso is None:
        return None
    if certainty is Certainty.EXACT and len(iso) < 10:
        certainty = Certainty.APPROXIMATE if len(iso) == 4 else Certainty.EXACT
    if not julian:
        return DateSpec(text=body, iso=iso, certainty=certainty, iso_end=iso_end, supplied=supplied)
    return DateSpec(
        text=body,
        iso=_gregorian(iso),
        certainty=certainty,
        iso_end=_gregorian(iso_end) if iso_end else None,
        supplied=supplied,
        calendar="julian",
        iso_julian=iso,
    )


def stated_gregorian_day(spec: DateSpec) -> int | None:
    """The Gregorian day a dual date states beside the Julian one ("12 (24)
    March 1899" → 24), to check against the computed one."""
    if spec.calendar != "julian":
        return None
    if cross := _DUAL_MONTHS.match(spec.text.strip().rstrip(".")):
        return int(cross["day2"])
    match = _DUAL_DAY.search(spec.text)
    return int(match[2] or match[3]) if match else None


def _gregorian(iso: str) -> str:
    if len(iso) != 10:
        return iso  # a Julian month or year: the Gregorian one is the same or next; keep it
    return "{:04d}-{:02d}-{:02d}".format(*julian_to_gregorian(*map(int, iso.split("-"))))


def _range(text: str) -> tuple[str | None, str | None]:
    """ "between 10 and 12 March 1956", "10–12 March 1956", "March–April
    1956", "1956–1957": the first and last day, the first completed from
    the last where it leaves out the month or year."""
    match = _BETWEEN.match(text) or _DASH_RANGE.match(text)
    if not match:
        return None, None
    first, last = match[1].strip(), match[2].strip().rstrip(".")
    end = _iso(last)
    if end is None:
        return None, None
    start = _iso(first)
    if start is None:
        tail = last.split()
        for cut in range(1, len(tail)):  # borrow the month and year, or the year
            start = _iso(f"{first} {' '.join(tail[cut:])}")
            if start:
                break
    if start is None or start > end:
        return None, None
    return start, end


def _iso(text: str) -> str | None:
    if m := _DAY_MONTH_YEAR.match(text):
        return _valid(int(m[3]), MONTHS[m[2].lower()], int(m[1]))
    if m := _MONTH_DAY_YEAR.match(text):
        return _valid(int(m[3]), MONTHS[m[1].lower()], int(m[2]))
    if m := _MONTH_YEAR.match(text):
        return f"{int(m[2]):04d}-{MONTHS[m[1].lower()]:02d}"
    if m := _YEAR.match(text):
        return m[1]
    if m := _NUMERIC.match(text):
        return _valid(int(m[3]), int(m[2]), int(m[1]))
    if m := _ISO.match(text):
        return _valid(int(m[1]), int(m[2]), int(m[3]))
    return None


def _valid(year: int, month: int, day: int) -> str | None:
    import calendar

    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


# Archival signatures in the Russian manner, with Latin or Cyrillic labels:
# "RGANI. F. 5. Op. 30. D. 140. L. 182-183. Attested Copy."
_PART_LABELS = {
    "fond": r"(?:F|Ф|f|fond)",
    "opis": r"(?:Op|Оп|op|opis)",
    "delo": r"(?:D|Д|d|delo)",
    "folios": r"(?:Ll?|Лл?|ll?)",
}
_SIGNATURE = re.compile(
    r"^(?P<archive>[A-ZА-Я][\w-]*(?:\s+[A-ZА-Я][\w-]*)*?)[.,]?\s+"
    + "".join(rf"(?:{label}\.\s*(?P<{name}>[\w/–-]+(?:\s*[,–-]\s*\d+)*)[.,]?\s*)?" for name, label in _PART_LABELS.items())
    + r"(?P<copy>[^\W\d][\w ]*?)?\.?$"
)


def parse_signature(text: str) -> ArchivalRef | None:
    """An archival reference with its parts, or None if `text` is not one.
    At least fond or delo must be present for a line to count as one."""
    cleaned = tidy_space(text)
    match = _SIGNATURE.match(cleaned)
    if not match or not (match["fond"] or match["delo"]):
        return None
    return ArchivalRef(
        text=cleaned,
        archive=match["archive"],
        fond=match["fond"],
        opis=match["opis"],
        delo=match["delo"],
        folios=match["folios"],
        copy=(match["copy"] or "").strip() or None,
    )


# "TsKhSD, per. 4546, op. 30, pap. 5, ll. 87-91" as found inside citations.
_CITED_PART = re.compile(r"^(f|fond|op|d|delo|l|ll|per|pap|k|kor|box|folder|file|no)\.?\s+[\w/–-]+$", re.I)


def parse_cited_signature(parts: list[str]) -> ArchivalRef | None:
    """Read comma-separated citation parts that start with an archive's
    abbreviation followed by labelled numbers ("op. 30", "ll. 87-91")."""
    if len(parts) < 2 or not re.match(r"^[A-ZА-Я][\w-]*[A-ZА-Я][\w-]*$", parts[0]):
        return None
    if not all(_CITED_PART.match(p) for p in parts[1:]):
        return None
    fields: dict[str, str] = {}
    for part in parts[1:]:
        label, value = part.split(None, 1)
        key = {"f": "fond", "fond": "fond", "op": "opis", "d": "delo", "delo": "delo", "l": "folios", "ll": "folios"}.get(
            label.rstrip(".").lower()
        )
        if key:
            fields[key] = value
    return ArchivalRef(text=", ".join(parts), archive=parts[0], **fields)


def nfc_all(value):
    """`value` with every string in it NFC, through dataclasses (frozen or
    not), lists, tuples and dicts: what an importer read, whatever the
    normal form of its file (TEI and Word files may hold NFD)."""
    from dataclasses import fields, is_dataclass, replace
    from enum import Enum

    if isinstance(value, Enum):
        return value
    if isinstance(value, str):
        return value if unicodedata.is_normalized("NFC", value) else type(value)(unicodedata.normalize("NFC", value))
    if is_dataclass(value) and not isinstance(value, type):
        old = {f.name: getattr(value, f.name) for f in fields(value) if f.init}
        new = {name: nfc_all(v) for name, v in old.items()}
        return value if all(new[name] is old[name] for name in old) else replace(value, **new)
    if isinstance(value, (list, tuple)):
        items = [nfc_all(v) for v in value]
        return value if all(a is b for a, b in zip(items, value)) else type(value)(items)
    if isinstance(value, dict):
        mapping = {nfc_all(k): nfc_all(v) for k, v in value.items()}
        same = all(k is k2 and v is v2 for (k, v), (k2, v2) in zip(mapping.items(), value.items()))
        return value if same else mapping
    return value


@functools.cache
def _collator():
    import pyuca  # the Unicode Collation Algorithm's default table (DUCET)

    return pyuca.Collator()


def collation_key(text: str) -> tuple:
    """A sort key by the Unicode Collation Algorithm, as indexes are sorted:
    "Kádár" before "Kennedy" before "Khrushchev", Latin before Cyrillic
    (a plain sort puts "Kádár" after "Khrushchev"). The table loads on
    first use."""
    return tuple(_collator().sort_key(text)), text
