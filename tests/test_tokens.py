"""Tokens and comparison keys: words keep their marks and joiners, nothing is
lost in tokenizing, and each Normalizer option ignores exactly its own kind
of difference."""

from __future__ import annotations

import unicodedata
from dataclasses import FrozenInstanceError

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edition.tokens import (
    PUNCT,
    SPACE,
    WORD,
    Normalizer,
    has_invisible,
    is_mixed_script,
    mixed_script_words,
    normalize,
    show_invisible,
    strip_stress,
    token_kind,
    token_spans,
    tokenize,
)

ACUTE, GRAVE, DIAERESIS = "\u0301", "\u0300", "\u0308"
NBSP, SHY, ZWSP, BOM = "\u00a0", "\u00ad", "\u200b", "\ufeff"


def test_words_punctuation_and_spaces_are_tokens():
    assert tokenize("Hello, world!  Yes?!") == ["Hello", ",", " ", "world", "!", "  ", "Yes", "?", "!"]
    assert tokenize("...") == [".", ".", "."]
    assert tokenize("") == []


def test_words_keep_internal_apostrophes_and_hyphens():
    assert tokenize("don't don’t mothers-in-law") == ["don't", " ", "don’t", " ", "mothers-in-law"]
    # Apostrophes and hyphens at a word's edge are punctuation of their own.
    assert tokenize("'tis dogs' Ost- und West") == ["'", "tis", " ", "dogs", "'", " ", "Ost", "-", " ", "und", " ", "West"]


def test_numbers_keep_their_separators():
    assert tokenize("1,000 and 30.11.1956.") == ["1,000", " ", "and", " ", "30.11.1956", "."]


def test_stress_mark_stays_inside_its_word():
    assert tokenize("Старый за́мок стои́т.") == ["Старый", " ", "за́мок", " ", "стои́т", "."]
    assert tokenize("за" + GRAVE + "мок") == ["за\u0300мок"]


def test_decomposed_letters_stay_one_word():
    assert tokenize("Е" + DIAERESIS + "лка и" + "\u0306") == ["Е\u0308лка", " ", "и\u0306"]


def test_russian_and_german_quotes_are_punctuation():
    assert tokenize("«ёлка» „Zitat“") == ["«", "ёлка", "»", " ", "„", "Zitat", "“"]


def test_line_end_hyphenation_is_one_word():
    assert tokenize("eine Aus-\nnahme bilden") == ["eine", " ", "Aus-\nnahme", " ", "bilden"]
    assert tokenize("Aus- \r\n nahme") == ["Aus- \r\n nahme"]
    # A suspended hyphen before "und" at a line end looks the same: one token too.
    assert tokenize("Ost-\nund") == ["Ost-\nund"]


def test_invisible_characters_stay_in_the_text():
    assert tokenize(f"Aus{SHY}nahme") == [f"Aus{SHY}nahme"]  # a soft hyphen is inside its word
    assert tokenize(f"14{NBSP}November") == ["14", NBSP, "November"]  # NBSP is whitespace
    assert tokenize(f"foo{ZWSP}bar") == [f"foo{ZWSP}bar"]  # copy-and-paste debris, kept inside
    assert tokenize(f"foo {ZWSP}bar") == ["foo", f" {ZWSP}", "bar"]
    assert tokenize(f"{BOM}Text") == [BOM, "Text"]


def test_a_mark_with_nothing_to_sit_on_is_its_own_token():
    assert tokenize(ACUTE + "a") == [ACUTE, "a"]
    assert tokenize("a " + ACUTE) == ["a", " " + ACUTE]


def test_token_kinds():
    assert [token_kind(t) for t in tokenize("Да, 3 №\u00a0x")] == [WORD, PUNCT, SPACE, WORD, SPACE, PUNCT, SPACE, WORD]
    assert token_kind(BOM) == SPACE


def test_token_spans_are_offsets_of_the_tokens():
    text = "Он сказал: «Нет»."
    assert [text[s:e] for s, e in token_spans(text)] == tokenize(text)


def test_default_key_is_nfc_only():
    key = Normalizer().key
    assert key("Е" + DIAERESIS) == key("Ё") == "Ё"
    assert key("Word") == "Word"
    assert key(",") == ","
    assert key(NBSP) == NBSP


def test_ignore_stress_removes_acute_and_grave_only():
    key = Normalizer(ignore_stress=True).key
    assert key("за́мок") == "замок"
    assert key("за" + GRAVE + "мок") == "замок"
    assert key("\u045d") == "и"  # ѝ, precomposed with a grave
    assert key("ёлка") == "ёлка"
    assert key("е" + DIAERESIS + "лка") == "ёлка"
    assert key("мой") == "мой"  # й is и with a breve: kept
    assert key("über") == "über"
    assert strip_stress("сто́ит") == "стоит"


def test_ignore_case_folds_case():
    key = Normalizer(ignore_case=True).key
    assert key("Партия") == key("ПАРТИЯ") == "партия"
    assert key("Straße") == key("STRASSE")


def test_ignore_typography_maps_quotes_dashes_apostrophes():
    key = Normalizer(ignore_typography=True).key
    assert [key(t) for t in "„ “ ” « » ‘ ’ – — ‐".split()] == ['"', '"', '"', '"', '"', "'", "'", "-", "-", "-"]
    assert key("don’t") == key("don't")
    assert key("Zitat") == "Zitat"


def test_ignore_punctuation_empties_punctuation_but_not_symbols():
    key = Normalizer(ignore_punctuation=True).key
    assert key(",") == key("«") == key("—") == ""
    assert key("№") == "№" and key("+") == "+"  # symbols (§ is punctuation to Unicode)
    assert key("don't") == "dont"
    assert key("mothers-in-law") == "mothersinlaw"


def test_ignore_whitespace_empties_spaces_and_invisible_characters():
    key = Normalizer(ignore_whitespace=True).key
    assert key(" ") == key("\n\t") == key(NBSP) == key(ZWSP) == key(BOM) == ""
    assert key("a\u200db") == "ab"
    assert Normalizer().key(" ") == " "


def test_ignore_hyphenation_joins_line_end_hyphens_and_drops_soft_hyphens():
    key = Normalizer(ignore_hyphenation=True).key
    assert key("Aus-\nnahme") == key(f"Aus{SHY}nahme") == key("Ausnahme") == "Ausnahme"
    assert key("mothers-in-law") == "mothers-in-law"  # a hyphen inside a line stays
    assert Normalizer().key(f"Aus{SHY}nahme") != "Ausnahme"


def test_lenient_normalizer_turns_every_option_on():
    lenient = Normalizer.lenient()
    assert all(getattr(lenient, name) for name in lenient.__dataclass_fields__)
    assert normalize("„Die Aus-\nnahme“, sagte er.", lenient) == normalize('"die Ausnahme" sagte ER', lenient)


def test_normalizer_is_frozen_and_hashable():
    with pytest.raises(FrozenInstanceError):
        Normalizer().ignore_case = True  # type: ignore[misc]
    assert len({Normalizer(), Normalizer(), Normalizer(ignore_case=True)}) == 2


def test_keys_match_key_of_each_token():
    norm = Normalizer(ignore_case=True, ignore_punctuation=True)
    tokens = tokenize("The Party, the party.")
    assert norm.keys(tokens) == [norm.key(t) for t in tokens]


def test_mixed_latin_and_cyrillic_words_are_flagged():
    assert is_mixed_script("Москвa")  # the last letter is a Latin a
    assert not is_mixed_script("Москва")
    assert not is_mixed_script("Moskva")
    assert not is_mixed_script("1956")
    assert mixed_script_words("в Москвa и Москва, Pаris") == [(2, "Москвa"), (19, "Pаris")]


def test_invisible_characters_are_shown_as_marks():
    text = f"{BOM}14{NBSP}No{SHY}vember{ZWSP}."
    assert show_invisible(text) == "⟨BOM⟩14⟨NBSP⟩No⟨SHY⟩vember⟨ZWSP⟩."
    assert show_invisible("plain text") == "plain text"
    assert show_invisible(f"a{NBSP}b", {NBSP: "°"}) == "a°b"
    assert has_invisible(text) and not has_invisible("plain")


# Text drawn from what the tokenizer must cope with: Latin, Cyrillic and
# German letters, combining marks, joiners, digits, punctuation, whitespace
# and invisible characters, plus anything else.
tricky = st.text(
    st.sampled_from(list("aZé ёЁйЖß0'-’.,«»„“—\n\t") + [ACUTE, GRAVE, DIAERESIS, NBSP, SHY, ZWSP, BOM, "\u200d"])
    | st.characters(blacklist_categories=("Cs",)),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(tricky)
def test_tokens_rebuild_the_text(text):
    tokens = tokenize(text)
    assert "".join(tokens) == text
    assert all(tokens)


@settings(max_examples=300, deadline=None)
@given(tricky)
def test_no_token_but_the_first_starts_with_a_combining_mark(text):
    for token in tokenize(text)[1:]:
        assert not unicodedata.category(token[0]).startswith("M"), token


typed = st.text(st.sampled_from(list("aZé ёЁйЖßÅ0'-’.,«»„“—\n") + [ACUTE, GRAVE, DIAERESIS, NBSP, SHY]), max_size=40)


@settings(max_examples=200, deadline=None)
@given(typed, st.builds(Normalizer, *[st.booleans()] * 6))
def test_precomposed_and_decomposed_text_have_the_same_keys(text, norm):
    assert normalize(text, norm) == normalize(unicodedata.normalize("NFD", text), norm)


unmarked = st.text(st.sampled_from(list("aZé ёЁйЖß0'-’‐.,«»„“—\n\r\t_") + ["\u00a0", "\u2028"]) | st.characters(blacklist_categories=("Cs", "Mn", "Mc", "Me")), max_size=40)


@settings(max_examples=300, deadline=None)
@given(unmarked | tricky)
def test_fast_pattern_gives_the_full_rules_tokens(text):
    """Texts without combining marks and invisible characters (most of
    them) take a faster pattern: it must cut them exactly as the full one."""
    from edition.tokens import _token_re

    assert tokenize(text) == _token_re().findall(text)
    assert token_spans(text) == [m.span() for m in _token_re().finditer(text)]
