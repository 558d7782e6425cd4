"""`edition compare` and `edition collate` on the sample edition's revised
letter and on texts outside an edition, in every output format."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import xml.etree.ElementTree as ET

from edition.diff import BACKENDS
from edition.importers import read_delivery

from .conftest import REPO

LETTER = "1956-11-14-anonymous-letter-city-gorky"


def test_compare_two_layers_as_json(cli):
    result = cli("compare", LETTER, "en", "en.2", "--format", "json", "-C", REPO)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema"] == "edition.compare/1" and data["a"] == f"{LETTER}:en"
    segments = {s["segment"]: s for s in data["segments"]}
    assert not segments["p1"]["changed"] and not segments["p6"]["changed"]
    p2 = segments["p2"]
    # Both versions are rebuilt exactly from the operations.
    doc_text = json.loads(cli("show", LETTER, "--json", "-C", REPO).stdout)["segments"][1]["text"]
    assert "".join(op["a"] for op in p2["ops"]) == doc_text["en"]
    assert "".join(op["b"] for op in p2["ops"]) == doc_text["en.2"]
    changes = [(op["a"], op["b"], op.get("class")) for op in p2["ops"] if op["op"] != "equal"]
    assert ("a lot", "so much", "substitution") in changes
    assert ("toward", "towards", "spelling") in changes
    totals = data["totals"]
    assert totals["substituted"] > 0 and 0 < totals["similarity"] < 1
    assert totals["words_a"] == sum(s["stats"]["words_a"] for s in data["segments"])


def test_compare_markdown_and_terminal(cli):
    md = cli("compare", LETTER, "en", "en.2", "--format", "markdown", "-C", REPO).stdout
    assert "{~~a lot~>so much~~}" in md and "## p2" in md and "## p1" not in md
    term = cli("compare", LETTER, "en", "en.2", "-C", REPO).stdout  # not a terminal: no colour
    assert "\x1b[" not in term
    assert "[-a lot-]{+so much+}" in term
    assert "similarity" in term.splitlines()[-2]


def test_compare_html_is_one_escaped_file(cli):
    html = cli("compare", LETTER, "en", "en.2", "--format", "html", "-C", REPO).stdout
    assert html.startswith("<!doctype html>") and "<del" in html and "<ins" in html
    assert "<link" not in html and "<script" not in html and "src=" not in html  # self-contained


def test_compare_files_outside_an_edition(cli, tmp_path):
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    a.write_text("First paragraph stays.\n\nThe <b>second</b> one changes here.\n\nA third one.\n", encoding="utf-8")
    b.write_text("First paragraph stays.\n\nThe <b>second</b> one changed here.\n\nA new one.\n\nA third one.\n", encoding="utf-8")
    data = json.loads(cli("compare", a, b, "--format", "json").stdout)
    assert [s["changed"] for s in data["segments"]] == [False, True, True, False]
    assert data["segments"][2]["absent"] == "a"
    html = cli("compare", a, b, "--format", "html").stdout
    assert "&lt;b&gt;second&lt;/b&gt;" in html and "<b>second</b>" not in html


def test_ignore_options(cli, tmp_path):
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    a.write_text("„Das ist ein Test“ – sagte er.\n", encoding="utf-8")
    b.write_text('"das ist ein Test" - sagte er.\n', encoding="utf-8")
    plain = json.loads(cli("compare", a, b, "--format", "json").stdout)
    assert plain["totals"]["by_class"]
    lenient = json.loads(cli("compare", a, b, "--format", "json", "--ignore-case", "--ignore-typography").stdout)
    assert lenient["ignore"] == ["case", "typography"]
    assert not any(s["changed"] for s in lenient["segments"])


def test_compare_refuses_unknown_layers_and_formats(cli):
    bad = cli("compare", LETTER, "en", "fr", "-C", REPO)
    assert bad.exit_code == 2 and "no layer 'fr'" in bad.stderr
    assert cli("compare", LETTER, "en", "en.2", "--format", "pdf", "-C", REPO).exit_code == 2


def test_collate_three_versions(cli, tmp_path):
    result = cli("collate", LETTER, "en.2", "--base", "en", "--format", "json", "-C", REPO)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["base"] == "en" and data["witnesses"] == ["en.2"]
    lemmas = {(e["segment"], e["lemma"]): e["readings"] for e in data["entries"]}
    assert lemmas[("p2", "a lot")] == [{"text": "so much", "witnesses": ["en.2"], "class": "substitution"}]
    # An addition takes the word before it as its lemma.
    assert ("p2", "‘Kommunist’") in lemmas
    term = cli("collate", LETTER, "en.2", "--base", "en", "--no-trivial", "-C", REPO).stdout
    assert "a lot] so much en.2" in term
    assert "‘Kommunist’]" not in term  # a punctuation variant, left out


def test_collate_tei_is_parallel_segmentation(cli):
    result = cli("collate", LETTER, "en.2", "--base", "en", "--format", "tei", "-C", REPO)
    root = ET.fromstring(result.stdout_bytes)
    ns = {"t": "http://www.tei-c.org/ns/1.0"}
    assert [w.get("{http://www.w3.org/XML/1998/namespace}id") for w in root.iterfind(".//t:listWit/t:witness", ns)] == ["en", "en.2"]
    apps = root.findall(".//t:app", ns)
    assert apps and all(app.find("t:lem", ns).get("wit").startswith("#en") for app in apps)
    # The base text is rebuilt from the TEI: text, lemmas and tails.
    p2 = next(p for p in root.iterfind(".//t:p", ns) if p.get("n") == "p2")
    rebuilt = (p2.text or "") + "".join((app.find("t:lem", ns).text or "") + (app.tail or "") for app in p2.findall("t:app", ns))
    shown = json.loads(cli("show", LETTER, "--json", "-C", REPO).stdout)
    assert rebuilt == shown["segments"][1]["text"]["en"]


FORMATS = {"json": "json", "markdown": "md", "html": "html", "term": "txt"}


def test_every_output_format_matches_its_golden_file(cli):
    """The four formats of `compare` and the three of `collate` on the sample
    letter; refresh with EDITION_REFRESH_GOLDEN=1 and review the diff."""
    from .conftest import GOLDEN, REFRESH

    outputs = {f"compare.{ext}": cli("compare", LETTER, "en", "en.2", "--format", fmt, "-C", REPO).stdout for fmt, ext in FORMATS.items()}
    for fmt, ext in (("term", "txt"), ("json", "json"), ("tei", "xml")):
        outputs[f"collate.{ext}"] = cli("collate", LETTER, "en.2", "--base", "en", "--format", fmt, "-C", REPO).stdout
    folder = GOLDEN / "compare"
    folder.mkdir(exist_ok=True)
    for name, text in outputs.items():
        golden = folder / name
        if REFRESH:
            golden.write_text(text, encoding="utf-8")
        assert golden.exists(), f"missing {golden}; refresh with EDITION_REFRESH_GOLDEN=1"
        assert text == golden.read_text(encoding="utf-8"), f"{name} differs from {golden}"


def test_json_written_a_segment_at_a_time_is_the_same_text():
    """`write_json` (for whole Bibles: no giant string, no pure-Python
    indenting encoder) writes byte for byte what json.dumps of `to_json`
    writes: the sample letter, texts outside an edition with a segment
    absent on each side, ignore options, moves, quotes and backslashes."""
    import io

    from edition import api
    from edition.compare import compare_paragraphs
    from edition.render.comparison import to_json, write_json
    from edition.tokens import Normalizer

    comparisons = [
        api.compare(REPO, LETTER, "en", "en.2"),
        compare_paragraphs(
            ['He said "yes" \\ no.', "Moved away. Then one stays here.", "Gone for good entirely."],
            ["He said «yes» / no.", "Then one stays here. Moved away.", "A brand new paragraph, unrelated."],
            "a.txt", "b.txt", Normalizer(ignore_case=True, ignore_stress=True),
        ),  # fmt: skip
        compare_paragraphs([], [], "a", "b"),
    ]
    for comparison in comparisons:
        out = io.StringIO()
        write_json(comparison, out)
        assert out.getvalue() == json.dumps(to_json(comparison), ensure_ascii=False, indent=2) + "\n"
    assert any(op["op"] == "move" for s in to_json(comparisons[1])["segments"] for op in s["ops"])


def test_two_layers_across_the_whole_edition(cli, tmp_path):
    """`edition compare A B` in an edition: every document that has both
    layers, its segments named document/segment, one set of totals."""
    import json as json_module
    import shutil

    from .conftest import REPO

    root = tmp_path / "ed"
    root.mkdir()
    shutil.copy(REPO / "edition.yaml", root / "edition.yaml")
    for name in ("seeds", "translations"):
        shutil.copytree(REPO / name, root / name)
    result = cli("compare", "en", "en.2", "--format", "json", "-C", str(root))
    assert result.exit_code == 0, result.output
    data = json_module.loads(result.stdout)
    letter = "1956-11-14-anonymous-letter-city-gorky"
    assert {s["segment"].split("/")[0] for s in data["segments"]} == {letter}  # the one document with both
    single = json_module.loads(cli("compare", letter, "en", "en.2", "--format", "json", "-C", str(root)).stdout)
    assert [s["ops"] for s in data["segments"]] == [s["ops"] for s in single["segments"]]
    assert data["totals"] == single["totals"]
    unknown = cli("compare", "en", "xx", "-C", str(root))
    assert unknown.exit_code == 2 and "no document has a layer 'xx'" in unknown.stderr


# --------------------------------------------------------------------------
# Compare does not give up: translations of one passage, typographic variants.

CRITIC = __import__("re").compile(r"\{\+\+(.*?)\+\+\}|\{--(.*?)--\}|\{~~(.*?)~>(.*?)~~\}|\{>>(.*?)<<\}", __import__("re").S)


def critic(markup: str, accept: bool) -> str:
    """The text with every CriticMarkup change accepted (or rejected); a
    comment (`{>>moved here (move 1)<<}`) is no part of either text."""
    def one(m):
        added, deleted, old, new, comment = m.groups()
        if comment is not None:
            return ""
        if added is not None:
            return added if accept else ""
        if deleted is not None:
            return "" if accept else deleted
        return new if accept else old

    return CRITIC.sub(one, markup)


WORD_DIFF = __import__("re").compile(r"\[([-~])(.*?)\1\]|\{([+~])(.*?)\3\}", __import__("re").S)


def side_of_word_diff(line: str, side: str) -> str:
    """One text back from a plain terminal word diff: `[-a-]`, `[~a~]` hold
    the first text's characters, `{+b+}`, `{~b~}` the second's."""
    return WORD_DIFF.sub(lambda m: (m.group(2) or "") if side == "a" else (m.group(4) or ""), line)


def test_two_translations_of_one_paragraph_are_a_word_diff(cli, real_data, tmp_path):
    """Hapgood's and Field's Gogol pair by position when content pairs
    nothing: their shared words are equal, not all deleted and inserted."""
    versions = real_data / "versions"
    hapgood = (versions / "gogol-shinel.hapgood-1886.en.txt").read_text("utf-8").split("\n\n")
    field = (versions / "gogol-shinel.field-1916.en.txt").read_text("utf-8").split("\n\n")
    a, b = tmp_path / "hapgood.txt", tmp_path / "field.txt"
    a.write_text(hapgood[3], "utf-8")  # Hapgood ¶4 is Field ¶8 (gogol-shinel.alignment.txt)
    b.write_text(field[7], "utf-8")
    result = cli("compare", a, b, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    (segment,) = data["segments"]
    assert segment["absent"] is None and segment["segment"] == "¶1"
    assert data["totals"]["equal"] >= 15 and data["totals"]["similarity"] > 0.15
    assert any(op["op"] == "equal" and "Bashmatchkin" in op["a"] for op in segment["ops"])
    assert "".join(op["a"] for op in segment["ops"]) == hapgood[3].strip()
    assert "".join(op["b"] for op in segment["ops"]) == field[7].strip()


def test_texts_of_as_many_paragraphs_pair_by_position_when_content_pairs_none():
    from edition.compare import compare_paragraphs

    comparison = compare_paragraphs(["Alpha beta.", "Gamma delta."], ["One two.", "Three four."], "a", "b")
    assert [(s.a, s.b) for s in comparison.segments] == [("Alpha beta.", "One two."), ("Gamma delta.", "Three four.")]


ELLIPSES = ("He waited… and left.", "He waited... and left.", "He waited. . . and left.")


def test_the_ellipsis_typed_three_ways_is_one_mark_when_typography_is_ignored():
    from edition.compare import compare_paragraphs
    from edition.tokens import Normalizer

    for options in (Normalizer(ignore_typography=True), Normalizer(ignore_typography=True, ignore_punctuation=True)):
        for a in ELLIPSES:
            for b in ELLIPSES:
                (s,) = compare_paragraphs([a], [b], "a", "b", options).segments
                assert not s.changed, (a, b, options)
    (strict,) = compare_paragraphs([ELLIPSES[0]], [ELLIPSES[2]], "a", "b").segments
    assert strict.changed
    # An ellipsis is not a full stop, even ignoring typography.
    (stop,) = compare_paragraphs(["He waited… and left."], ["He waited. and left."], "a", "b", Normalizer(ignore_typography=True)).segments
    assert stop.changed


def test_spaced_punctuation_is_typography():
    from edition.compare import compare_paragraphs
    from edition.tokens import Normalizer

    pairs = [("Il dit : « Non ! »", "Il dit: «Non!»"), ("Yes , he said ( twice ) .", "Yes, he said (twice).")]
    for a, b in pairs:
        (s,) = compare_paragraphs([a], [b], "a", "b", Normalizer(ignore_typography=True)).segments
        assert not s.changed, (a, b)
        (strict,) = compare_paragraphs([a], [b], "a", "b").segments
        assert strict.changed
    # A space between two words is never typography.
    (words,) = compare_paragraphs(["to day"], ["today"], "a", "b", Normalizer(ignore_typography=True)).segments
    assert words.changed


def test_views_show_every_character_the_json_has(cli, tmp_path):
    """Under an ignore option an equal op's sides may differ: the terminal
    marks what was ignored, and the CriticMarkup rebuilds both texts."""
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("“Good morning,” he said... then left , slowly.\n", "utf-8")
    b.write_text("Good morning, he said… then went, slowly!\n", "utf-8")
    for options in (["--ignore-punctuation"], ["--ignore-typography"], ["--ignore-typography", "--ignore-punctuation"]):
        term = cli("compare", a, b, *options).stdout.split("\n")[1]
        assert side_of_word_diff(term, "a") == a.read_text("utf-8").rstrip()
        assert side_of_word_diff(term, "b") == b.read_text("utf-8").rstrip()
        md = cli("compare", a, b, *options, "--format", "markdown").stdout
        body = md.split("\n\n")[-1].rstrip("\n")
        assert "## ¶1" in md
        assert critic(body, accept=False).rstrip() == a.read_text("utf-8").rstrip()
        assert critic(body, accept=True).rstrip() == b.read_text("utf-8").rstrip()
    plain = cli("compare", a, b, "--ignore-punctuation").stdout
    assert "[~“~]Good morning,[~”~]" in plain


# --------------------------------------------------------------------------
# CriticMarkup of the whole text: accept every change, get the second text.

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


def critic_segments(markdown: str) -> list[str]:
    """The bodies of the segments of `compare --format markdown`."""
    bodies = markdown.split("\n## ")[1:]
    return [body.split("\n\n", 1)[1].rstrip("\n").replace("  \n", "\n") if "\n\n" in body else "" for body in bodies]


def assert_rebuilds(comparison) -> None:
    from edition.render.comparison import to_markdown

    bodies = critic_segments(to_markdown(comparison, only_changed=False))
    assert len(bodies) == len(comparison.segments)
    for body, s in zip(bodies, comparison.segments):
        assert critic(body, accept=False) == (s.a or ""), s.segment
        assert critic(body, accept=True) == (s.b or ""), s.segment


def test_markdown_of_the_whole_text_rebuilds_both_real_translations(real_data):
    from edition.compare import compare_paragraphs

    versions = real_data / "versions"
    for a, b in (("gogol-shinel.hapgood-1886.en.txt", "gogol-shinel.field-1916.en.txt"),
                 ("gdr-fischer-to-axen-1973.translation-A.en.txt", "gdr-fischer-to-axen-1973.translation-B.en.txt")):  # fmt: skip
        first = [p.strip() for p in (versions / a).read_text("utf-8").split("\n\n") if p.strip()]  # as the importer reads them
        second = [p.strip() for p in (versions / b).read_text("utf-8").split("\n\n") if p.strip()]
        comparison = compare_paragraphs(first, second, a, b)
        assert any(not s.changed for s in comparison.segments) or len(comparison.segments) > 5
        assert_rebuilds(comparison)


def test_markdown_all_writes_unchanged_segments_through_the_cli(cli):
    md = cli("compare", LETTER, "en", "en.2", "--format", "markdown", "--all", "-C", REPO).stdout
    assert "## p1" in md and "## p2" in md  # p1 is unchanged: written all the same
    assert "## p1" not in cli("compare", LETTER, "en", "en.2", "--format", "markdown", "-C", REPO).stdout


@pytest.fixture(scope="module")
def real_data_for_properties():
    from .conftest import REAL, require_shared_data

    require_shared_data()
    return [p.strip() for p in (REAL / "pairs" / "chekhov-toska.en.txt").read_text("utf-8").split("\n\n") if p.strip()]


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_accepting_or_rejecting_every_change_gives_either_text(data, real_data_for_properties):
    """Random word edits of a real translation (Garnett's "Misery"): the
    whole-text CriticMarkup rebuilds both versions exactly."""
    from edition.compare import compare_paragraphs
    from edition.tokens import Normalizer

    paragraphs = real_data_for_properties
    start = data.draw(st.integers(0, len(paragraphs) - 4))
    first = paragraphs[start : start + 4]
    second = []
    for paragraph in first:
        words = paragraph.split(" ")
        for _ in range(data.draw(st.integers(0, 3))):
            k = data.draw(st.integers(0, len(words) - 1))
            words[k] = data.draw(st.sampled_from(["", "very", words[k].upper(), words[k] + ",", "…"]))
        second.append(" ".join(w for w in words if w))
    options = data.draw(st.sampled_from([Normalizer(), Normalizer(ignore_case=True), Normalizer(ignore_typography=True, ignore_punctuation=True)]))
    assert_rebuilds(compare_paragraphs(first, second, "a", "b", options))


def test_compare_of_real_texts_keeps_its_bytes(real_data, tmp_path):
    """`edition compare FILE FILE --format json` on real texts (two
    translations of Gogol and of one letter; the Wilson pages against a
    revision with paragraphs merged, split and left out) prints the same
    bytes on both diff backends, and the bytes recorded before the diff was
    made faster: a speed-up may change no character of the output. The
    golden file holds only their SHA-256 (the texts stay in ../shared);
    refresh with EDITION_REFRESH_GOLDEN=1 and review why they changed."""
    from .conftest import GOLDEN, REFRESH
    from .test_diff_fast import _revised

    versions = real_data / "versions"
    wilson = [p.text for path in sorted((real_data / "wilson").glob("*.txt")) for p in read_delivery(path).paragraphs]
    (tmp_path / "wilson.txt").write_text("\n\n".join(wilson) + "\n", encoding="utf-8")
    (tmp_path / "wilson.revised.txt").write_text("\n\n".join(_revised(wilson, 2)) + "\n", encoding="utf-8")
    cases = {
        "gogol": (versions / "gogol-shinel.hapgood-1886.en.txt", versions / "gogol-shinel.field-1916.en.txt"),
        "letter": (versions / "gdr-fischer-to-axen-1973.translation-A.en.txt", versions / "gdr-fischer-to-axen-1973.translation-B.en.txt"),
        "wilson": (tmp_path / "wilson.txt", tmp_path / "wilson.revised.txt"),
    }
    digests = {}
    for name, (a, b) in cases.items():
        outputs = set()
        folder = _copied(tmp_path / name, a, b)
        for backend in BACKENDS:
            done = subprocess.run(
                [sys.executable, "-m", "edition", "compare", "a.txt", "b.txt", "--format", "json"],
                cwd=folder, capture_output=True, env={**os.environ, "NO_COLOR": "1", "EDITION_DIFF_BACKEND": backend},
            )  # fmt: skip
            assert done.returncode == 0, done.stderr.decode()
            assert b'"changed": true' in done.stdout
            outputs.add(hashlib.sha256(done.stdout).hexdigest())
        assert len(outputs) == 1, f"{name}: the backends print different bytes"
        digests[name] = outputs.pop()
    text = "".join(f"{digest}  {name}\n" for name, digest in digests.items())
    golden = GOLDEN / "compare" / "real-texts.sha256"
    if REFRESH:
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"missing {golden}; refresh with EDITION_REFRESH_GOLDEN=1"
    assert text == golden.read_text(encoding="utf-8")


def _copied(folder: Path, a: Path, b: Path) -> Path:
    """`a` and `b` as a.txt and b.txt in `folder`: the labels the JSON
    prints are the paths as given, the same wherever the test runs."""
    folder.mkdir()
    shutil.copyfile(a, folder / "a.txt")
    shutil.copyfile(b, folder / "b.txt")
    return folder


def test_json_written_as_the_segments_come_is_the_same_text(cli, real_data, tmp_path, monkeypatch):
    """A long comparison is shared among processes and its JSON written as
    the diffs come (this process's share first, while a worker diffs the
    rest): the same bytes as the whole comparison written at once, through
    the command line and through the library."""
    import io

    import edition.diff as diffing
    from edition import api
    from edition.render.comparison import JsonWriter, to_json, write_json

    from .test_diff_fast import _revised

    wilson = [p.text for path in sorted((real_data / "wilson").glob("*.txt")) for p in read_delivery(path).paragraphs]
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("\n\n".join(wilson) + "\n", encoding="utf-8")
    b.write_text("\n\n".join(_revised(wilson, 3)) + "\n", encoding="utf-8")
    whole = api.compare(None, str(a), str(b))
    expected = json.dumps(to_json(whole), ensure_ascii=False, indent=2) + "\n"

    monkeypatch.setattr(diffing, "PARALLEL_FROM", 2)
    runs: list[list[str]] = []
    out = io.StringIO()
    writer = JsonWriter(out)

    def each(comparison, segments):
        runs.append([s.segment for s in segments])
        writer.segments(comparison, segments)

    shared = api.compare(None, str(a), str(b), each=each)
    writer.finish(shared)
    assert out.getvalue() == expected
    assert len(runs) >= 2 and all(runs) and sum(runs, []) == [s.segment for s in whole.segments]
    assert cli("compare", a, b, "--format", "json").stdout == expected

    out = io.StringIO()
    write_json(shared, out)  # nothing written before: the whole of it
    assert out.getvalue() == expected


def test_two_long_files_read_at_once_give_the_same_texts_and_problems(cli, tmp_path, monkeypatch):
    """Long files are read at the same time, the second by a worker: the
    comparison is the same, and a problem in either file is reported as
    when they are read one after the other (file, line, column, hint;
    exit 1), whichever process read it."""
    import edition.api as api_module
    import edition.workers as workers

    a, b, bad = tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "bad.txt"
    a.write_text("First paragraph stays.\n\nThe second one changes here.\n", encoding="utf-8")
    b.write_text("First paragraph stays.\n\nThe second one changed here.\n\nA new one.\n", encoding="utf-8")
    bad.write_bytes("Fine.\n\nGr\u00fc\u00dfe.\n".encode("latin-1"))
    cases = [(a, b), (a, bad), (bad, a)]
    alone = [cli("compare", x, y, "--format", "json") for x, y in cases]
    shared = []

    def counted(*args, **kwargs):
        shared.append(args[1])
        return share_out(*args, **kwargs)

    share_out = workers.share_out
    monkeypatch.setattr(workers, "share_out", counted)
    monkeypatch.setattr(api_module, "_READ_APART_FROM", 0)
    together = [cli("compare", x, y, "--format", "json") for x, y in cases]
    assert shared == [[y] for _, y in cases]
    assert [r.exit_code for r in alone] == [r.exit_code for r in together] == [0, 1, 1]
    assert [(r.stdout, r.stderr) for r in together] == [(r.stdout, r.stderr) for r in alone]
    assert "bad.txt:3:" in together[1].stderr and "invalid UTF-8" in together[1].stderr and "Traceback" not in together[1].stderr
