"""The typography of print (edition/typography.py): quotes, dashes, the
ellipsis and spaces by language, applied when printing only. The stored
text is never changed; letters never change; applying it twice changes
nothing; offsets in the stored text still find their words in print."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from markupsafe import escape
from hypothesis import given, settings
from hypothesis import strategies as st

from edition import api, store
from edition.model import inline_spans, plain
from edition.typography import locale_of, printed, typeset

from .conftest import copy_sample, snapshot

NNBSP, NBSP, WJ = "\u202f", "\u00a0", "\u2060"


# --- by language -------------------------------------------------------------------


@pytest.mark.parametrize(
    "lang, typed, wanted",
    [
        ("en", 'protesting "provocative" acts', "protesting “provocative” acts"),
        ("en", "the workers' rallies, it's 'real'", "the workers’ rallies, it’s “real”"),
        ("en-GB", 'he said "no"', "he said ‘no’"),
        ("de", 'Er sagte: "Das ist gut"', "Er sagte: „Das ist gut“"),
        ("de-1996", 'Er sagte: "gut"', "Er sagte: „gut“"),
        ("cs", 'Řekl "ano"', "Řekl „ano“"),
        ("pl", 'Powiedział "tak"', "Powiedział „tak”"),
        ("hu", 'Azt mondta: "igen"', "Azt mondta: „igen”"),
        ("ru", 'Он сказал: "Это провокация"', "Он сказал: «Это провокация»"),
        ("uk", 'Він сказав: "так"', "Він сказав: «так»"),
    ],
)
def test_quotes_by_language(lang, typed, wanted):
    assert printed(typed, lang) == wanted


def test_french_guillemets_and_thin_spaces():
    out = printed('Il a dit "oui"; et alors? Voilà!', "fr")
    assert out == f"Il a dit «{NBSP}oui{NBSP}»{NNBSP}; et alors{NNBSP}? Voilà{NNBSP}!"
    # A space typed before the colon becomes a no-break space.
    assert printed("Remarque : non", "fr") == f"Remarque{NBSP}: non"


def test_ellipsis_and_dashes():
    assert printed("and so on...", "en") == "and so on…"
    assert printed("yes -- no", "en") == "yes—no"  # American: closed em dash
    assert printed("ja - nein", "de") == "ja – nein"  # German: spaced en dash
    assert printed("да - нет", "ru") == "да — нет"  # Russian: spaced em dash


@pytest.mark.parametrize(
    "typed",
    ["pp. 125-126", "1956-1962", "ll. 87-91", "Nos. 5-7"],
)
def test_number_ranges_take_an_en_dash(typed):
    out = printed(typed, "en")
    assert "-" not in out and "–" in out
    assert out.replace(WJ, "").replace("–", "-").replace(NBSP, " ") == typed


@pytest.mark.parametrize(
    "typed",
    [
        "on 1956-10-23",  # an ISO date
        "ISBN 978-3-16-148410-0",
        "ISBN 3-16-148410",
        "tel. 2345-6789",  # a telephone number
        "Figure 5-10",  # a label, not figures five to ten
        "table 3-4",
        "id 1956-11-14-anon",
        "fond 5, 12345-12350",  # five figures: a number, not a year
        "see www.example.org/1956-1962--notes",
        "https://example.org/a--b...c",
        "10-5",  # going down: not a range
        "3.5-4",  # a decimal
    ],
)
def test_what_only_looks_like_a_range_keeps_its_hyphen(typed):
    assert printed(typed, "en") == typed


def test_a_cited_number_stays_with_its_abbreviation():
    assert printed("pp. 125-126, op. 30, ll. 87-91", "en") == f"pp.{NBSP}125{WJ}–{WJ}126, op.{NBSP}30, ll.{NBSP}87{WJ}–{WJ}91"
    assert printed("стр. 5, оп. 30", "ru") == f"стр.{NBSP}5, оп.{NBSP}30"
    assert printed("in 1956. 14 men", "en") == "in 1956. 14 men"  # a sentence's end is not an abbreviation


def test_quotation_marks_typed_as_such_stay():
    assert printed("Im Original: «провокаторов».", "de") == "Im Original: «провокаторов»."
    assert printed('Он сказал „да“, а "нет".', "ru") == "Он сказал „да“, а\u00a0«нет»."  # a no-break space after a short word


def test_a_language_without_rules_prints_as_typed():
    assert locale_of("hy") is None and locale_of("und") is None and locale_of(None) is None
    assert printed('"Ереван"...', "hy") == '"Ереван"...'
    assert locale_of("en") == "en-US" and locale_of("sr-Latn") == "sr"


def test_emphasis_marks_stay_around_their_words():
    assert printed('"*Pravda*" wrote *"The Events"*...', "en") == "“*Pravda*” wrote *“The Events”*…"
    out = printed('"*Pravda*"', "fr")
    assert inline_spans(out) == [(f"«{NBSP}", False), ("Pravda", True), (f"{NBSP}»", False)]


def test_stored_offsets_find_their_words_in_print():
    text = 'He said "it\'s *fine*"... and left - pp. 1-2.'
    done = typeset(text, "en")
    for word in ("said", "fine", "left", "pp"):
        start = text.index(word)
        at = done.at(start)
        assert done.text[at : at + len(word)] == word
    # The end of a phrase (where a note's call stands) maps to just after it.
    end = text.index("fine") + len("fine")
    assert plain(done.text[: done.at(end)]).endswith("fine")
    assert done.at(len(text)) == len(done.text)


# --- invariants --------------------------------------------------------------------

ALPHABET = st.sampled_from(
    list("aeiouxyz AEZ абвгд ÄÖü 0123456789") + ['"', "'", "-", "--", "...", ".", ",", ";", ":", "!", "?", "*", "(", ")", "«", "»", "\n"]
)
TEXTS = st.lists(ALPHABET, max_size=40).map("".join)
LANGS = st.sampled_from(["en", "de", "fr", "ru", "cs", "pl", "en-GB"])
# What typography may change or add: quotes, apostrophes, dashes, the
# ellipsis, spaces and the word joiners that bind a range's dash.
TYPOGRAPHIC = set("\"'-.…–—‘’‚“”„«»‹› \u00a0\u202f\u2009\u2060")


def letters(text: str) -> str:
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


@settings(max_examples=300, deadline=None)
@given(TEXTS, LANGS)
def test_letters_never_change_and_twice_is_once(text, lang):
    done = typeset(text, lang)
    assert letters(done.text) == letters(text)
    changed = set(done.text) ^ set(text)
    assert changed <= TYPOGRAPHIC, changed
    assert printed(done.text, lang) == done.text
    for mark in ",;:!?()":  # other punctuation stays as it was
        assert done.text.count(mark) == text.count(mark), mark
    # Full stops: each run of them is a full stop, or an ellipsis ("!.." → "!…").
    assert re.sub(r"[.…]+", ".", done.text).count(".") == re.sub(r"[.…]+", ".", text).count(".")
    assert [em for _, em in inline_spans(done.text)] == [em for _, em in inline_spans(text)]


@settings(max_examples=300, deadline=None)
@given(TEXTS, LANGS)
def test_offsets_run_forward_and_the_aligned_text_reads_in_print(text, lang):
    done = typeset(text, lang)
    assert len(done.offsets) == len(text) + 1
    assert list(done.offsets) == sorted(done.offsets)
    assert done.offsets[-1] == len(done.text)
    aligned = done.aligned(text)
    assert len(aligned) == len(text)
    # The line-number pass reads each printed letter back to its stored
    # offset through the aligned text: every letter finds its own.
    from edition.render.html import display_offsets
    from edition.render.lines import _display_to_source

    back = _display_to_source(plain(done.text), aligned)
    to_display = display_offsets(done.text)
    for i, ch in enumerate(text):
        if ch.isalnum():
            assert back[to_display[done.at(i)]] == i, (i, ch)


# --- in print and on the site ------------------------------------------------------


def _pdf_text(path: Path) -> str:
    import pypdf

    text = "".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
    # Spaces as spaces (a no-break space reads back as one or the other).
    return " ".join(unicodedata.normalize("NFC", text).replace("\u2010", "-").split())


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The sample edition built once (PDF and site) with its typography,
    and the snapshot of its files before."""
    from typer.testing import CliRunner

    from edition.cli import app

    root = copy_sample(tmp_path_factory.mktemp("typo") / "sample")
    (root / "edition.yaml").write_text((root / "edition.yaml").read_text() + "index: lines\n")
    before = snapshot(root)
    _, report = api.build(root)
    site = CliRunner().invoke(app, ["site", "--edition", str(root)])
    assert site.exit_code == 0, site.output
    return {"root": root, "before": before, "report": report}


def test_print_and_site_set_quotes_and_ranges(built):
    root = built["root"]
    pdf = _pdf_text(root / "build" / "edition.pdf")
    assert "“provocative”" in pdf  # a summary
    assert '"provocative"' not in pdf
    assert "ll. 87–91" in pdf.replace(WJ, "")  # an archival signature
    assert "pp. 125–126" in pdf.replace(WJ, "")  # a publication
    page = (root / "build" / "site" / "1953-06-26-secret-memorandum-secretary-moscow.html").read_text("utf-8")
    assert "“provocative”" in page and str(escape('"provocative"')) not in page
    assert "“Secret Memorandum from Secretary" in page


def test_the_stored_text_is_never_changed(built, cli):
    root = built["root"]
    after = {k: v for k, v in snapshot(root).items() if not k.startswith("build/")}
    assert after == built["before"]
    workspace = store.load_workspace(root)
    doc = workspace.edition.document("1953-06-26-secret-memorandum-secretary-moscow")
    assert '"provocative"' in doc.summary
    tei = cli("export", "tei", "--edition", str(root), "--out", str(root / "build" / "tei"))
    assert tei.exit_code == 0, tei.output
    exported = "".join(p.read_text("utf-8") for p in (root / "build" / "tei").rglob("*.xml"))
    assert "provocative" in exported and "“provocative”" not in exported


def test_every_printed_line_is_read_back_to_its_stored_words(built):
    # The line map (line numbers, the apparatus and the index by line) gives
    # each printed line's offsets in the stored text: with curly quotes,
    # dashes and an ellipsis in print, they still hold the line's words.
    report = built["report"]
    assert not [w for w in report.warnings if "line map" in w]
    workspace = store.load_workspace(built["root"])
    checked = 0
    for (doc_id, layer, segment), lines in report.lines.items():
        stored = workspace.edition.document(doc_id).segment(segment).text[layer]
        for line in lines:
            assert letters(stored[line.start : line.end]) == letters(line.text), (segment, line)
            checked += 1
        assert lines[-1].end >= len(stored.rstrip(" *"))
    typeset_segments = [
        s for d in workspace.edition.documents for s in d.segments
        for la in d.layers if la.id in s.text and printed(s.text[la.id], la.lang) != s.text[la.id]
    ]  # fmt: skip
    assert checked > 100 and len(typeset_segments) > 5


def test_typography_false_prints_as_typed(tmp_path):
    root = copy_sample(tmp_path / "sample")
    (root / "edition.yaml").write_text((root / "edition.yaml").read_text() + "typography: false\n")
    assert store.load_workspace(root).edition.typography is False
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).parents[1]), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run(
        [sys.executable, "-m", "edition", "build", "--edition", str(root)],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    pdf = _pdf_text(root / "build" / "edition.pdf")
    assert '"provocative"' in pdf and "“provocative”" not in pdf


def test_a_wrong_typography_setting_is_refused_with_its_line(tmp_path, cli):
    root = copy_sample(tmp_path / "sample")
    (root / "edition.yaml").write_text((root / "edition.yaml").read_text() + "typography: curly\n")
    before = snapshot(root)
    result = cli("build", "--edition", str(root))
    assert result.exit_code == 1
    assert re.search(r"edition\.yaml:\d+:\d+: 'typography' must be true or false", result.output)
    assert "Traceback" not in result.output
    assert snapshot(root) == before


def test_the_setting_is_written_only_when_off(tmp_path):
    root = copy_sample(tmp_path / "sample")
    edition = store.load_workspace(root).edition
    assert edition.typography is True
    assert "typography" not in {k for k, v in store.edition_tree(edition).items() if v is not None}
    edition.typography = False
    assert store.edition_tree(edition)["typography"] is False


def test_the_site_prints_as_typed_with_no_typography(tmp_path, cli):
    root = copy_sample(tmp_path / "sample")
    result = cli("site", "--edition", str(root), "--no-typography")
    assert result.exit_code == 0, result.output
    page = (root / "build" / "site" / "1953-06-26-secret-memorandum-secretary-moscow.html").read_text("utf-8")
    assert str(escape('"provocative"')) in page and "“provocative”" not in page
    again = cli("site", "--edition", str(root), "--typography")
    assert again.exit_code == 0, again.output
    page = (root / "build" / "site" / "1953-06-26-secret-memorandum-secretary-moscow.html").read_text("utf-8")
    assert "“provocative”" in page
