"""The YAML loader's fast way (a Located tree built straight from libyaml's
events) against its slow way (composed nodes, then checked and converted):
the same tree wherever the fast way answers, and the slow way's errors,
with file, line and remedy, wherever it must decide. Also the common
segment read without field checks, and the stand-in table a Differ keeps
for all its short diffs."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edition import diff as diff_module
from edition import store, yamlio
from edition.errors import EditionError
from edition.tokens import Normalizer

pytestmark = pytest.mark.skipif(yamlio._CParser is None, reason="needs libyaml")

PATH = Path("doc.yaml")


def _fast(text: str):
    parser = yamlio._CParser(text)
    try:
        return yamlio._from_events(parser)
    finally:
        parser.dispose()


def _slow(text: str):
    return yamlio._parse_nodes(text, PATH)


SAME = [
    "id: a\ntitle: b\n",
    "a: no\nb: yes\nc: 1917-10-25\nd: 1.0\ne: ~\nf:\ng: null\nh: ''\ni: \"null\"\nj: 0x1F\n",
    "segments:\n- id: s1\n  en: |-\n    one\n    two\n  de: >\n    folded\n    text\n- id: s2\n  en: 'quoted: yes'\n",
    "a: [1, [2, [3]], {b: c}]\nd: {}\ne: []\n",
    "- a\n- - b\n  - c\n- {x: y}\n",
    "just a scalar\n",
    "---\nkey: value\n...\n",
    "a: 'it''s'\nb: \"tab\\there\"\nc: \"\\u00e9\"\n",
    "текст: «кавычки»\nключ: Ёлка\n",
    "\ufeffa: bom\n",
]


@pytest.mark.parametrize("text", SAME)
def test_the_fast_way_builds_the_same_tree(text):
    fast = _fast(text)
    assert fast is not None
    assert fast == _slow(text)


def test_scalars_stay_text():
    tree = yamlio.parse("a: no\nb: 1917-10-25\nc: 1.5\nd: ~\ne:\nf: 12\n", PATH)
    assert {k: v.value for k, v in tree.value.items()} == {"a": "no", "b": "1917-10-25", "c": "1.5", "d": "~", "e": "", "f": "12"}


def test_positions_of_values_and_keys():
    tree = yamlio.parse("id: a\nsegments:\n- id: s1\n  en: |-\n    text\n", PATH)
    segment = tree.value["segments"].value[0]
    assert (segment.line, segment.column) == (3, 3)
    en = segment.value["en"]
    assert (en.value, en.line, en.column, en.key_line, en.key_column) == ("text", 4, 7, 4, 3)


ODD = [
    "a: &x 1\nb: 2\n",  # an anchor
    "a: &x 1\nb: *x\n",  # an alias
    "a: !!str x\n",  # a tag
    "a: !foo x\n",
    "a: ! x\n",
    "a: 1\na: 2\n",  # a duplicate key
    "<<: {a: 1}\n",  # a merge key
    "'<<': 1\n",
    "a: <<\n",  # plain scalars that resolve to other tags
    "a: =\n",
    "- =\n",
    "? [a, b]\n: c\n",  # a complex key
    "? {a: b}\n: c\n",
    "a: " + "[" * 40 + "]" * 40 + "\n",  # nested too deeply
    "a: 1\n---\nb: 2\n",  # two documents
    "# only a comment\n",  # no document
    "a: [1, 2\n",  # malformed
    "a: b: c\n",
]


@pytest.mark.parametrize("text", ODD)
def test_anything_odd_goes_the_slow_way(text):
    try:
        fast = _fast(text)
    except Exception:  # noqa: BLE001 - parse() treats any exception as "go the slow way"
        fast = None
    assert fast is None


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("id: a\ntitle: b\ntitle: c\n", "duplicate key 'title' (first at line 2)", 3),
        ("id: &x a\ntitle: *x\n", "aliases", 2),
        ("id: a\ntitle: !!python/object:os.system x\n", "not allowed", 2),
        ("id: a\n<<: {title: b}\n", "merge keys", 2),
        ("id: a\ntitle: =\n", "not allowed", 2),
        ("id: a\ntitle: [b\n", "malformed YAML", None),
        ("id: a\n? [b]\n: c\n", "a key must be a plain name", 2),
    ],
)
def test_errors_name_file_line_and_remedy(tmp_path, text, message, line):
    path = tmp_path / "doc.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(EditionError) as caught:
        store.read_document_file(path)
    problem = caught.value.problems[0]
    assert message in problem.message
    assert problem.path == path
    if line is not None:
        assert problem.line == line
    if message.startswith("duplicate") or message == "aliases":
        assert problem.hint


def test_nul_and_bad_utf8_are_refused_with_their_line(tmp_path):
    path = tmp_path / "doc.yaml"
    path.write_bytes(b"id: a\ntitle: b\x00c\n")
    with pytest.raises(EditionError, match="NUL") as caught:
        store.read_document_file(path)
    assert caught.value.problems[0].line == 2
    path.write_bytes(b"id: a\ntitle: Gr\xfc\xdfe\n")
    with pytest.raises(EditionError, match="invalid UTF-8") as caught:
        store.read_document_file(path)
    assert caught.value.problems[0].line == 2
    path.write_text("id: a\ntitle: b\x07c\n", encoding="utf-8")
    with pytest.raises(EditionError, match="U\\+0007") as caught:
        store.read_document_file(path)
    assert (caught.value.problems[0].line, caught.value.problems[0].column) == (2, 9)


_scalars = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
    st.sampled_from(["no", "yes", "~", "null", "", "<<", "=", "1.5", "2024-01-01", "a: b", "- x", "#c", "'q'", "\"d\""]),
)
_trees = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_scalars, inner, max_size=4)),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(_trees, st.sampled_from([None, True, False]))
def test_the_two_ways_agree_on_any_tree(tree, flow):
    import yaml

    text = yaml.safe_dump(tree, allow_unicode=True, default_flow_style=flow)
    try:
        slow = _slow(text)
    except EditionError as exc:
        slow = exc
    fast = _fast(text)
    if fast is not None:
        assert fast == slow
    if isinstance(slow, EditionError):
        with pytest.raises(EditionError) as caught:
            yamlio.parse(text, PATH)
        assert [str(p) for p in caught.value.problems] == [str(p) for p in slow.problems]
    else:
        assert yamlio.parse(text, PATH) == slow


# --- The common segment ------------------------------------------------------


def test_a_plain_segment_reads_as_the_checked_way():
    node = yamlio.parse("id: s-1\nen: one\nde: zwei\n", PATH)
    assert store._plain_segment(node, {"id", "en", "de", "ru"}, ["en", "de", "ru"]) == store._read_segment(node, PATH, ["en", "de", "ru"])


@pytest.mark.parametrize(
    "text",
    ["id: s1\nkind: heading\nen: x\n", "id: s1\nfr: x\n", "id: 's 1'\nen: x\n", "id: ''\n", "en: x\n", "id: s1\nen: [x]\n", "id: [s1]\n"],
)
def test_other_segments_are_left_to_the_checked_way(text):
    node = yamlio.parse(text, PATH)
    assert store._plain_segment(node, {"id", "en"}, ["en"]) is None


def test_a_segment_with_an_unknown_field_is_still_reported(tmp_path):
    path = tmp_path / "doc.yaml"
    path.write_text("id: d\ntitle: t\nlayers:\n- id: en\n  lang: en\nsegments:\n- id: s1\n  en: x\n- id: s2\n  fr: y\n", encoding="utf-8")
    with pytest.raises(EditionError, match="unknown field 'fr' in a segment") as caught:
        store.read_document_file(path)
    assert caught.value.problems[0].line == 10


# --- The stand-ins a Differ shares among its diffs -----------------------------


def test_the_stand_ins_are_private_use_characters():
    import unicodedata

    points = [diff_module._private(n) for n in range(diff_module._PRIVATE_COUNT)]
    assert len(set(points)) == len(points)
    assert all(unicodedata.category(ch) == "Co" for ch in points)
    assert points[0] == "\ue000" and points[6399] == "\uf8ff" and points[6400] == "\U000f0000" and points[-1] == "\U0010fffd"

TEXTS = [
    ("The cat sat on the mat.", "The cat sat on a mat!"),
    ("In the beginning God created the heaven and the earth.", "In the beginning God created the heavens and the earth."),
    ("One. Two three four five. Six.", "Six. Two three four five. One."),
    ("a  b\u00a0c — “d”", "a b c - \"d\""),
    ("", "new text"),
    ("Mothers-in-law don't", "mothers in law do not"),
]


def _plain(d):
    return [(op.kind, op.a, op.b, op.a_pos, op.b_pos, op.cls, op.move) for op in d.ops], d.word_starts


@pytest.mark.parametrize("options", [Normalizer(), Normalizer(ignore_whitespace=True), Normalizer.lenient()])
def test_shared_stand_ins_give_the_diffs_of_own_tables(monkeypatch, options):
    shared = diff_module.Differ(options)
    shared_diffs = [_plain(shared.diff(a, b)) for a, b in TEXTS for _ in (0, 1)]
    monkeypatch.setattr(diff_module, "_SHARED_UNITS", -1)  # every diff builds its own table
    own = diff_module.Differ(options)
    assert shared_diffs == [_plain(own.diff(a, b)) for a, b in TEXTS for _ in (0, 1)]


def test_a_full_table_of_stand_ins_starts_again(monkeypatch):
    expected = [_plain(diff_module.Differ().diff(a, b)) for a, b in TEXTS]
    monkeypatch.setattr(diff_module, "_PRIVATE_COUNT", 40)
    differ = diff_module.Differ()
    assert [_plain(differ.diff(a, b)) for a, b in TEXTS] == expected
    assert len(differ.codes.by_key) <= 40
