"""The terminology base (terms.yaml) and `edition terms check|list`: source
terms found in any inflection (Russian through pymorphy3's lemmas, English
and German through Snowball stems), multi-word terms too; each translation
checked for the preferred rendering and for renderings to avoid; each
breach at the line of its segment in the layer's file. On real text: the
Universal Declaration of Human Rights in Russian, English and German, and
two Russian stories with their published English translations."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edition import api, store
from edition.doctor import doctor
from edition.model import Document, Layer, LayerRole, Segment
from edition.terms import Analyser, Finder, Term, TermBase, check, term_rows

from .conftest import REPO, snapshot
from .udhr import udhr_document

# The term base of the UDHR tests: the Russian text is the original.
UDHR_TERMS = """\
lang: ru
terms:
- term: права человека
  preferred: {en: human rights, de: Menschenrechte}
  avoid: {en: rights of man}
  note: the Declaration's own title term
- term: достоинство
  preferred: {en: dignity, de: Würde}
- term: свобода
  preferred: {en: [freedom, liberty], de: Freiheit}
- term: образование
  preferred: {en: education, de: Bildung}
- term: семья
  preferred: {en: family, de: Familie}
- term: брак
  preferred: {en: marriage, de: Ehe}
  avoid: {en: wedlock}
- term: закон
  preferred: {en: law, de: Gesetz}
"""

# Counted by hand in the Russian text of articles 1–30 (nouns only: the
# adjectives "свободный", "семейный", "законный" and the adverb "свободно"
# are other words): segment → occurrences.
MANUAL_COUNT = {
    "права человека": {"a26.2": 1},  # "правам человека"
    "достоинство": {"a1.1": 1, "a5.1": 1, "a22.1": 1},  # достоинстве, достоинство, достоинства
    "свобода": {"a2.1": 1, "a3.1": 1, "a18.1": 3, "a19.1": 3, "a20.1": 1, "a21.3": 1, "a26.2": 1, "a28.1": 1,
                "a29.2": 2, "a29.3": 1, "a30.1": 1},
    "образование": {"a26.1": 6, "a26.2": 2, "a26.3": 1},
    "семья": {"a16.1": 1, "a16.3": 1, "a23.3": 1, "a25.1": 1},
    "брак": {"a16.1": 3, "a16.2": 2, "a25.2": 2},
    "закон": {"a7.1": 2, "a8.1": 1, "a11.2": 1, "a12.1": 1, "a29.2": 1},
}

# What the United Nations' own translations do (read in the texts): Article
# 5 has "degrading treatment" for "унижающим его достоинство"; Article 21
# has "free voting procedures" for "свободу голосования"; Article 25 has
# "born in or out of wedlock" for "рождённые в браке или вне брака". The
# German has no noun for "свобода" in Articles 20 ("sich friedlich zu
# versammeln") and 21, and "Grundfreiheiten" in 26: a compound, which a
# stemmer does not split; nor "Ehe" in 25 ("eheliche wie außereheliche"),
# nor "Gesetz" in 11 and 12 ("Recht", "rechtlichen Schutz").
UN_BREACHES = {
    ("en", "a5.1", "достоинство", None),
    ("en", "a21.3", "свобода", None),
    ("en", "a25.2", "брак", "wedlock"),
    ("de", "a5.1", "достоинство", None),
    ("de", "a11.2", "закон", None),
    ("de", "a12.1", "закон", None),
    ("de", "a20.1", "свобода", None),
    ("de", "a21.3", "свобода", None),
    ("de", "a25.2", "брак", None),
    ("de", "a26.2", "свобода", None),
}


@pytest.fixture(scope="module")
def udhr_template(tmp_path_factory) -> Path:
    """An edition of the thirty articles: Russian in seeds/, English and
    German in translations/udhr/, the term base beside them."""
    root = tmp_path_factory.mktemp("udhr") / "ed"
    doc = udhr_document("udhr", range(1, 31), ("ru", "en", "de"))
    api.init(root, "Universal Declaration of Human Rights", ["The tests"])
    files = store.DocumentFiles(store.document_path(root, doc.id))
    for lang in ("en", "de"):
        files.layer_files[lang] = store.layer_path(root, doc.id, lang)
    store.write_document(root, doc, files=files)
    for lang in ("en", "de"):
        store.write_layer(root, doc, doc.layer(lang), files)
    (root / "terms.yaml").write_text(UDHR_TERMS, encoding="utf-8")
    return root


@pytest.fixture
def udhr(shared_data, udhr_template, tmp_path) -> Path:
    root = tmp_path / "udhr"
    shutil.copytree(udhr_template, root)
    return root


def _line_of(path: Path, segment: str) -> int:
    """The line where `segment`'s text starts in a layer file, read from
    the file itself."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(f"  {segment}:"))


def _edit_layer(path: Path, segment: str, old: str, new: str) -> None:
    """Change the wording of one segment in a layer file, as a translator
    would in an editor."""
    text = path.read_text(encoding="utf-8")
    start = text.index(f"  {segment}:")
    end = text.index("\n  a", start + 1)
    assert old in text[start:end]
    path.write_text(text[:start] + text[start:end].replace(old, new) + text[end:], encoding="utf-8")


# --------------------------------------------------------------------------
# The analysers and the finder.


def test_a_russian_multi_word_term_is_found_in_every_case():
    finder = Finder(Analyser("ru"), ["права человека"])
    text = "Права человека; уважение прав человека; по правам человека, о правах человека. Право человека"
    spans = finder.find(text)[0]
    assert [text[a:b] for a, b in spans] == ["Права человека", "прав человека", "правам человека", "правах человека", "Право человека"]


def test_words_of_a_term_must_stand_together():
    finder = Finder(Analyser("ru"), ["права человека"])
    assert finder.find("права, которые есть у человека") == {}
    assert finder.find("права. Человека") == {}


def test_english_and_german_renderings_meet_in_their_stems():
    english = Finder(Analyser("en"), ["human rights"])
    assert len(english.find("a human right, human rights and Human Rights")[0]) == 3
    german = Finder(Analyser("de"), ["Würde"])
    assert len(german.find("die Würde des Menschen, in Würden")[0]) == 2


def test_stress_marks_and_soft_hyphens_do_not_hide_a_word():
    finder = Finder(Analyser("ru"), ["достоинство"])
    assert len(finder.find("в досто\u00adинстве и пра́вах; досто́инства")[0]) == 2


def test_a_language_without_analyser_matches_exact_forms():
    analyser = Analyser("uk")
    assert analyser.exact
    finder = Finder(analyser, ["права людини"])
    found = finder.find("Права людини; правам людини")
    assert len(found[0]) == 1


# --------------------------------------------------------------------------
# The UDHR: inflected Russian, English and German renderings.


@pytest.mark.shared_data
def test_every_udhr_occurrence_a_manual_count_finds_is_found(udhr):
    ws = api.open_workspace(udhr)
    result = check(ws.edition, ws.terms)
    found: dict[str, dict[str, int]] = {}
    for o in result.occurrences:
        counts = found.setdefault(ws.terms.terms[o.term].term, {})
        counts[o.segment] = counts.get(o.segment, 0) + 1
    assert found == MANUAL_COUNT  # 46 of 46
    forms = {o.form.lower() for o in result.occurrences}
    assert {"правам человека", "достоинстве", "достоинства", "свободу", "свободами", "свобод", "браке", "брака", "законом", "семью"} <= forms


@pytest.mark.shared_data
def test_the_un_translations_breaches_are_reported_with_their_place(udhr, cli):
    result = cli("terms", "check", "-C", udhr)
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == len(UN_BREACHES)
    en, de = (udhr / "translations" / "udhr" / f"{lang}.yaml" for lang in ("en", "de"))
    assert f"{en}:{_line_of(en, 'a25.2')}: segment a25.2: 'брак' rendered 'wedlock' (preferred 'marriage')" in lines
    assert f"{en}:{_line_of(en, 'a5.1')}: segment a5.1: 'достоинство' not rendered 'dignity' (the preferred rendering)" in lines
    assert f"{de}:{_line_of(de, 'a26.2')}: segment a26.2: 'свобода' not rendered 'Freiheit' (the preferred rendering)" in lines
    assert "7 term(s), 46 occurrence(s)" in result.stderr and "10 breach(es)" in result.stderr
    rows = json.loads(cli("terms", "check", "--json", "-C", udhr).stdout)
    assert {(r["layer"], r["segment"], r["term"], r["rendered"]) for r in rows} == UN_BREACHES
    assert all(r["file"] == str(en if r["layer"] == "en" else de) for r in rows)
    assert {r["entry"] for r in rows if r["term"] == "брак"} == {15}  # its line in terms.yaml


@pytest.mark.shared_data
def test_a_changed_english_rendering_is_reported_at_its_line(udhr, cli):
    en = udhr / "translations" / "udhr" / "en.yaml"
    _edit_layer(en, "a26.2", "human rights", "rights of man")
    _edit_layer(en, "a1.1", "dignity", "worth")
    before = snapshot(udhr)
    result = cli("terms", "check", "-C", udhr)
    assert result.exit_code == 1
    assert f"{en}:{_line_of(en, 'a26.2')}: segment a26.2: 'права человека' rendered 'rights of man' (preferred 'human rights')" in result.stdout
    assert f"{en}:{_line_of(en, 'a1.1')}: segment a1.1: 'достоинство' not rendered 'dignity' (the preferred rendering)" in result.stdout
    assert len(result.stdout.splitlines()) == len(UN_BREACHES) + 2
    assert snapshot(udhr) == before


@pytest.mark.shared_data
def test_terms_list_counts_occurrences_and_renderings(udhr, cli):
    result = cli("terms", "list", "--json", "-C", udhr)
    assert result.exit_code == 0, result.output
    rows = {r["term"]: r for r in json.loads(result.stdout)}
    assert {t: r["occurrences"] for t, r in rows.items()} == {t: sum(c.values()) for t, c in MANUAL_COUNT.items()}
    assert rows["брак"]["renderings"]["en"] == {"marriage": 1, "Marriage": 1, "avoid: wedlock": 1}
    assert rows["семья"]["renderings"] == {"en": {"family": 4}, "de": {"Familie": 4}}
    assert rows["права человека"]["forms"] == {"правам человека": 1}
    assert rows["права человека"]["note"] == "the Declaration's own title term"
    text = cli("terms", "list", "-C", udhr).stdout
    assert "свобода (ru) → en: freedom, liberty; de: Freiheit: 16 occurrence(s) in 1 document(s)" in text


@pytest.mark.shared_data
def test_doctor_lists_the_breaches_as_warnings(udhr, cli):
    problems = doctor(udhr)
    breaches = [p for p in problems if "rendered" in p.message]
    assert len(breaches) == len(UN_BREACHES)
    assert {p.severity for p in breaches} == {"warning"}
    result = cli("doctor", "-C", udhr)
    assert result.exit_code == 0  # warnings do not fail
    assert "warning: segment a25.2: 'брак' rendered 'wedlock' (preferred 'marriage')\n  hint: use 'marriage' (the glossary's entry: terms.yaml:15)" in result.stderr


# --------------------------------------------------------------------------
# The real pairs: Russian stories and their published English translations.

PAIR_TERMS = {
    # извозчик: 9 times in the story (Извозчик ×7, извозчик ×2); сын: 10
    # (сын ×6, Сын, сына, сыну, Сыну)
    "chekhov-toska": ("извозчик", "sledge-driver", "cabman", 9, "сын", "son", 10),
    # Бог: 16 times (Бог ×7, Бога ×7, Боге, Богу; "богатство" is another
    # word); мужик: 6 (мужик, мужика ×2, мужику, мужиков, мужиками)
    "tolstoy-chem-ljudi-zhivy": ("Бог", "God", "Lord", 16, "мужик", "peasant", 6),
}


def _pair_edition(tmp_path: Path, pairs: Path, name: str, run) -> tuple[Path, str]:
    root = tmp_path / "ed"
    assert run("init", root, "--title", name).returncode == 0
    original = tmp_path / "ru.txt"
    original.write_text((pairs / f"{name}.ru.txt").read_text(encoding="utf-8"), encoding="utf-8")
    imported = run("import", original, "--lang", "ru", "--json", "-C", root)
    assert imported.returncode == 0, imported.stderr
    doc = json.loads(imported.stdout)[0]["id"]
    translation = tmp_path / "en.txt"
    translation.write_text((pairs / f"{name}.en.txt").read_text(encoding="utf-8"), encoding="utf-8")
    added = run("translation", "add", doc, translation, "--lang", "en", "--from", "ru", "-C", root)
    assert added.returncode == 0, added.stderr
    return root, doc


def _process():
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO)}
    exe = Path(sys.executable).with_name("edition")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "edition.cli"]

    def run(*args) -> subprocess.CompletedProcess:
        return subprocess.run([*command, *map(str, args)], capture_output=True, text=True, env=env, timeout=300, check=False)

    return run


@pytest.mark.parametrize("name", list(PAIR_TERMS))
def test_real_pairs_checked_by_the_installed_command(real_data, tmp_path, name):
    term, preferred, avoided, count, other, other_preferred, other_count = PAIR_TERMS[name]
    run = _process()
    root, doc = _pair_edition(tmp_path, real_data / "pairs", name, run)
    (root / "terms.yaml").write_text(
        f"lang: ru\nterms:\n- term: {term}\n  preferred: {{en: {preferred}}}\n  avoid: {{en: [{avoided}]}}\n"
        f"- term: {other}\n  preferred: {{en: {other_preferred}}}\n",
        encoding="utf-8",
    )
    listed = run("terms", "list", "--json", "-C", root)
    assert listed.returncode == 0, listed.stderr
    rows = {r["term"]: r for r in json.loads(listed.stdout)}
    assert rows[term]["occurrences"] == count and rows[other]["occurrences"] == other_count
    checked = run("terms", "check", "--json", "-C", root)
    breaches = json.loads(checked.stdout)
    assert checked.returncode == (1 if breaches else 0)
    # Each breach is right by the texts themselves: the Russian segment has
    # the term, the English one lacks the preferred word or has the avoided.
    ws = api.open_workspace(root)
    document = ws.document(doc)
    path = root / "translations" / doc / "en.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    for breach in breaches:
        assert breach["file"] == str(path)
        assert lines[breach["line"] - 1].startswith(f"  {breach['segment']}:")
        english = document.segment(breach["segment"]).text["en"].lower()
        wanted = preferred if breach["term"] == term else other_preferred
        assert breach["rendered"] is not None and breach["rendered"].lower() in english or wanted.lower() not in english
    # …and every segment that uses the avoided rendering for the term is among them.
    uses_avoided = {
        s.id for s in document.segments
        if avoided.lower() in s.text.get("en", "").lower() and any(o["segment"] == s.id for o in _occurrences(ws, term))
    }  # fmt: skip
    assert uses_avoided <= {b["segment"] for b in breaches if b["term"] == term and b["rendered"]}
    if name == "chekhov-toska":
        assert uses_avoided  # the published translation calls him a cabman too


def _occurrences(ws, term: str) -> list[dict]:
    result = check(ws.edition, ws.terms)
    return [{"segment": o.segment} for o in result.occurrences if ws.terms.terms[o.term].term == term]


# --------------------------------------------------------------------------
# Bad input: a malformed terms.yaml, a missing one, a language without analyser.


def _small_edition(tmp_path: Path, translation: str, lang: str = "uk") -> Path:
    root = tmp_path / "small"
    api.init(root, "Small", ["The tests"])
    doc = Document(
        id="letter",
        title="A letter",
        layers=[Layer("ru", "ru", LayerRole.ORIGINAL), Layer(lang, lang, LayerRole.TRANSLATION, translated_from="ru")],
        segments=[Segment("p1", text={"ru": "Мы защищаем права человека и правам человека служим.", lang: translation})],
    )
    store.write_document(root, doc)
    return root


@pytest.mark.parametrize(
    "text, where, message, hint",
    [
        ("lang: ru\nterms:\n- term: обком\n  prefered: {en: regional committee}\n", ":4:3:", "unknown field 'prefered' in a term", "did you mean 'preferred'?"),
        ("lang: ru\nterm:\n- term: обком\n", ":2:1:", "unknown field 'term' in terms.yaml", "did you mean 'terms'?"),
        ("lang: ru\nterms:\n- term: обком\n  preferred: {en: [regional committee}\n", ":4:", "", ""),
        ("terms:\n- term: обком\n  preferred: {en: regional committee}\n", ":2:3:", "term 'обком' has no language", "add `lang: ru`"),
        ("lang: ru\nterms:\n- term: обком\n  note: no rendering\n", ":3:3:", "term 'обком' has no rendering", "preferred"),
        ("lang: ru\nterms:\n- term: обком\n  preferred: {english: regional committee}\n", ":4:15:", "'english' in 'preferred' is not a language code", "ISO 639"),
        ("lang: ru\nterms:\n- term: обком\n  preferred: {en: a}\n- term: Обком\n  preferred: {en: b}\n", ":5:3:", "listed twice (first at line 3)", "merge"),
        ("lang: ru\nterms:\n- term: обком\n  preferred: regional committee\n", ":4:3:", "'preferred' must map a language to its renderings", "{en: human rights}"),
        ("lang: ru\nterms:\n- term: обком\n  avoid: {en: ['', obkom]}\n", ":4:11:", "a rendering in 'avoid' for 'en' is empty", "remove the language"),
        ("lang: ru\nterms:\n- term: '—'\n  preferred: {en: a}\n", ":3:3:", "term '—' has no word in it", "in words"),
        ("lang: ru\nterms:\n- term: обком\n  preferred: {en: a}\n  lang: Russian\n", ":5:3:", "'Russian' is not a language code", "ISO 639"),
    ],
)
def test_a_malformed_term_base_is_reported_at_its_place(tmp_path, cli, text, where, message, hint):
    root = _small_edition(tmp_path, "Ми захищаємо права людини.")
    (root / "terms.yaml").write_text(text, encoding="utf-8")
    before = snapshot(root)
    for command in (("terms", "check"), ("terms", "list"), ("validate",)):
        result = cli(*command, "-C", root)
        assert result.exit_code == 1, (command, result.output)
        assert f"{root / 'terms.yaml'}{where}" in result.stderr
        assert message in result.stderr and hint in result.stderr
        assert "Traceback" not in result.output
    assert snapshot(root) == before


def test_an_edition_without_a_term_base_is_told_how_to_make_one(tmp_path, cli):
    root = _small_edition(tmp_path, "Ми захищаємо права людини.")
    result = cli("terms", "check", "-C", root)
    assert result.exit_code == 1
    assert "no terms.yaml in this edition" in result.stderr and "hint:" in result.stderr
    assert cli("doctor", "-C", root).exit_code == 0


def test_a_language_without_analyser_is_matched_exactly_and_said_once(tmp_path, cli):
    root = _small_edition(tmp_path, "Ми захищаємо права людини і служимо правам людини.")
    (root / "terms.yaml").write_text(
        "lang: ru\nterms:\n- term: права человека\n  preferred: {uk: права людини}\n"
        "- term: человек\n  preferred: {uk: людина}\n",
        encoding="utf-8",
    )
    result = cli("terms", "check", "-C", root)
    # Ukrainian has no analyser here: "людини" is not "людина"
    assert result.exit_code == 1
    assert result.stderr.count("no analyser for language 'uk'") == 1
    assert "exact word forms" in result.stderr
    assert "segment p1 of layer 'uk': 'человек' not rendered 'людина' (the preferred rendering)" in result.stdout
    assert "права человека" not in result.stdout  # "права людини" is there as written
    # the Russian side is analysed all the same: both cases of the term are found
    rows = {r["term"]: r for r in json.loads(cli("terms", "list", "--json", "-C", root).stdout)}
    assert rows["права человека"]["occurrences"] == 2


def test_a_translation_without_the_term_rendered_passes_when_it_is(tmp_path, cli):
    root = _small_edition(tmp_path, "We defend human rights and serve human rights.", lang="en")
    (root / "terms.yaml").write_text("lang: ru\nterms:\n- term: права человека\n  preferred: {en: human rights}\n", encoding="utf-8")
    result = cli("terms", "check", "-C", root)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "1 term(s), 2 occurrence(s) in 1 translated segment(s): 0 breach(es)" in result.stderr


def test_the_library_checks_without_files():
    doc = Document(
        id="d",
        title="D",
        layers=[Layer("ru", "ru", LayerRole.ORIGINAL), Layer("en", "en", translated_from="ru"), Layer("en.2", "en", revises="en")],
        segments=[Segment("p7", text={"ru": "Решение обкома.", "en": "The obkom decided.", "en.2": "The regional committee decided."})],
    )
    from edition.model import Edition

    base = TermBase([Term("обком", "ru", {"en": ("regional committee",)}, {"en": ("obkom",)})])
    result = check(Edition(title="E", documents=[doc]), base)
    assert [b.message() for b in result.breaches] == ["segment p7: 'обком' rendered 'obkom' (preferred 'regional committee')"]
    assert [b.layer for b in result.breaches] == ["en"]  # the revision en.2 is checked against the Russian too, and passes
    assert term_rows(base, result)[0]["renderings"] == {"en": {"avoid: obkom": 1, "regional committee": 1}}


# --------------------------------------------------------------------------
# The finder against a regular expression, where a word is its own key.

_WORDS = st.sampled_from(["ab", "Ab", "b", "aba", "ба", "Ба"])


@settings(max_examples=300, deadline=None)
@given(
    phrase=st.lists(_WORDS, min_size=1, max_size=3),
    text=st.lists(st.one_of(_WORDS, st.sampled_from([" ", "  ", "-", ", ", ".", "\n"])), max_size=30).map("".join),
)
def test_without_analyser_the_finder_finds_what_a_regular_expression_finds(phrase, text):
    """Whole words, in order, joined by spaces or hyphens, case ignored,
    leftmost first and not overlapping."""
    pattern = re.compile(r"(?<!\w)" + r"[\s\-\u2010\u2011]+".join(map(re.escape, phrase)) + r"(?!\w)", re.IGNORECASE)
    finder = Finder(Analyser("xx"), [" ".join(phrase)])
    assert finder.find(text).get(0, []) == [m.span() for m in pattern.finditer(text)]


def test_the_status_board_counts_each_translations_breaches(tmp_path, cli):
    """`edition status` fills its terminology column from the term base."""
    import json

    from edition import api as edition_api

    root = tmp_path / "ed"
    edition_api.init(root, "T")
    source = tmp_path / "memo.txt"
    source.write_text("Записка\n\nОбком принял решение. Обкома нет.\n", encoding="utf-8")
    assert cli("import", source, "--lang", "ru", "-C", root).exit_code == 0
    doc = edition_api.open_workspace(root).edition.documents[0].id
    english = tmp_path / "en.txt"
    english.write_text("The obkom made a decision. There is no obkom.\n", encoding="utf-8")
    assert cli("translation", "add", doc, english, "--lang", "en", "--from", "ru", "-C", root).exit_code == 0
    (root / "terms.yaml").write_text(
        "lang: ru\nterms:\n- term: обком\n  preferred:\n    en: regional committee\n  avoid:\n    en:\n    - obkom\n", encoding="utf-8"
    )
    board = json.loads(cli("status", "--json", "-C", root).stdout)
    (row,) = [layer for d in board["documents"] for layer in d["layers"] if layer["layer"] == "en"]
    assert row["terminology"] >= 1 and board["totals"]["terminology"] == row["terminology"]


def test_the_glossary_prints_the_term_base_in_the_back_matter_on_request(tmp_path):
    """`glossary: true` in edition.yaml prints terms.yaml after the index,
    in collation order; without it the volume has no glossary."""
    pypdf = pytest.importorskip("pypdf")
    import unicodedata

    from edition import api as edition_api

    from .overprint import faults

    root = tmp_path / "ed"
    edition_api.init(root, "Glossed")
    source = tmp_path / "memo.txt"
    source.write_text("Memorandum\n\nThe regional committee met.\n", encoding="utf-8")
    edition_api.import_files(root, [source])
    (root / "terms.yaml").write_text(
        "lang: ru\nterms:\n- term: обком\n  preferred:\n    en: regional committee\n  avoid:\n    en:\n    - obkom\n"
        "  note: the party's committee of a region\n- term: Верховный Совет\n  preferred:\n    en: Supreme Soviet\n",
        encoding="utf-8",
    )
    plain, _ = edition_api.build(root, tmp_path / "plain.pdf")
    assert "Glossary" not in " ".join(page.extract_text() for page in pypdf.PdfReader(plain).pages)
    with open(root / "edition.yaml", "a", encoding="utf-8") as handle:
        handle.write("glossary: true\n")
    assert edition_api.validate(root) == []
    out, _ = edition_api.build(root, tmp_path / "glossed.pdf")
    text = unicodedata.normalize("NFC", " ".join(page.extract_text() for page in pypdf.PdfReader(out).pages))
    assert "Glossary" in text and "regional committee (not: obkom) — the party" in " ".join(text.split())
    flat = "".join(text.split())
    assert flat.index("ВерховныйСовет") < flat.index("обком")  # the collation order: В before о
    assert faults(out) == []
