"""The names register's matcher before the automaton: one regular
expression over all forms, longest first. Kept as the reference the
automaton is checked against (tests/test_guarded.py) and as the peer of the
names benchmark (benchmarks/bench_names.py)."""

from __future__ import annotations

import re
import unicodedata


def former_pattern(register) -> re.Pattern[str]:
    """The register's matcher before the automaton: one alternation."""
    alternatives = []
    for index, name in enumerate(register.names):
        for form in sorted(name.forms, key=len, reverse=True):
            form = unicodedata.normalize("NFC", form)
            stem, tail = (form[:-1], r"\w*") if form.endswith("*") else (form, "")
            body = r"\s+".join(re.escape(part) for part in stem.split()) + tail
            alternatives.append((len(form), f"(?P<n{index}_{len(alternatives)}>{body})"))
    alternatives.sort(key=lambda a: -a[0])
    return re.compile(r"(?<!\w)(?:" + "|".join(p for _, p in alternatives) + r")(?!\w)")
