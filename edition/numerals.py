"""Roman numerals both ways: front matter is numbered i, ii, iii … and
documents and their paragraphs cite numbers as "IV" or "XII", which the
aligner compares with their arabic form across languages."""

from __future__ import annotations

_VALUES = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
           (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))  # fmt: skip
_LETTERS = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}


def roman(n: int) -> str:
    """`n` (from 1) in lower-case roman numerals: 4 → "iv", 1999 → "mcmxcix";
    an empty string for 0 or less."""
    out = []
    for value, letters in _VALUES:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def from_roman(numeral: str) -> int:
    """The value of a roman numeral in either case ("XIV", "xiv" → 14): a
    letter is subtracted when a larger one follows it. The numeral is not
    checked for being well formed ("IIII" reads 4); a letter that is no
    roman digit raises KeyError."""
    values = [_LETTERS[ch] for ch in numeral.lower()]
    return sum(-v if k + 1 < len(values) and values[k + 1] > v else v for k, v in enumerate(values))
