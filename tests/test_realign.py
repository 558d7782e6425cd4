"""Reviewing an alignment and fixing it by hand (`edition translation
review`): the pairs weakest first, the four fixes with the notes anchored
in the moved text, and pins that the next `translation add --replace`
keeps."""

from __future__ import annotations

import json

import pytest

from edition import api, realign
from edition.errors import UsageError
from edition.model import Anchor, Document, Layer, LayerRole, Note, NoteKind, Segment

from .conftest import snapshot


def letter() -> Document:
    ru = ["Дорогой товарищ!", "Пишу вам о нашем заводе.", "Рабочие недовольны.", "С приветом, Иванов."]
    en = {"p1": "Dear Comrade!", "p2": "I am writing to you about our plant. The workers are unhappy.", "p4": "Greetings, Ivanov."}
    segments = [Segment(f"p{i}", text={"ru": t}) for i, t in enumerate(ru, start=1)]
    for segment in segments:
        if segment.id in en:
            segment.text["en"] = en[segment.id]
    doc = Document(
        id="letter", title="Letter",
        layers=[Layer("ru", "ru", LayerRole.ORIGINAL), Layer("en", "en", translated_from="ru", flagged=["p2"])],
        segments=segments,
        notes=[Note("n1", NoteKind.TRANSLATOR, "Russian «недовольны».", Anchor("en", "p2", "unhappy")),
               Note("n2", NoteKind.TRANSLATOR, "The factory.", Anchor("en", "p2", "plant"))],
    )  # fmt: skip
    return doc


def anchored(doc: Document, note_id: str) -> tuple[str, str]:
    note = next(n for n in doc.notes if n.id == note_id)
    text = doc.segment(note.anchor.segment).text[note.anchor.layer]
    from edition.model import resolve_anchor

    end = resolve_anchor(doc, note.anchor)
    return note.anchor.segment, text[:end]


def test_split_gives_the_rest_to_the_next_segment_with_its_notes():
    doc = letter()
    realign.split(doc, "en", "p2", "plant.")
    assert doc.segment("p2").text["en"] == "I am writing to you about our plant."
    assert doc.segment("p3").text["en"] == "The workers are unhappy."
    assert anchored(doc, "n1") == ("p3", "The workers are unhappy")  # moved with its words
    assert anchored(doc, "n2") == ("p2", "I am writing to you about our plant")  # stayed
    layer = doc.layer("en")
    assert layer.pinned == ["p2", "p3"] and "p2" not in layer.flagged and layer.coverage is None


def test_merge_and_move_carry_the_text_and_its_notes():
    doc = letter()
    realign.split(doc, "en", "p2", "plant.")
    realign.merge(doc, "en", "p3")
    assert doc.segment("p2").text["en"] == "I am writing to you about our plant.\nThe workers are unhappy."
    assert doc.segment("p3").text["en"] == ""  # merged: empty on purpose
    assert anchored(doc, "n1") == ("p2", "I am writing to you about our plant.\nThe workers are unhappy")
    realign.move(doc, "en", "p4", "p3")
    assert doc.segment("p3").text["en"] == "Greetings, Ivanov." and "en" not in doc.segment("p4").text
    assert doc.layer("en").coverage == [("p1", "p3")]


def test_untranslated_keeps_the_text_as_unaligned_and_its_note_on_the_document():
    doc = letter()
    realign.untranslated(doc, "en", "p2")
    assert "en" not in doc.segment("p2").text
    assert [(u.after, u.text) for u in doc.layer("en").unaligned] == [("p1", "I am writing to you about our plant. The workers are unhappy.")]
    assert all(n.anchor is None for n in doc.notes)
    assert doc.layer("en").coverage == [("p1", "p1"), ("p4", "p4")]


def test_bad_fixes_are_refused_with_a_hint():
    doc = letter()
    with pytest.raises(UsageError, match="p3' has no text"):
        realign.merge(doc, "en", "p3")
    with pytest.raises(UsageError, match="not in the text of p2"):
        realign.split(doc, "en", "p2", "factory")
    with pytest.raises(UsageError, match="no segment 'p9'"):
        realign.move(doc, "en", "p2", "p9")
    realign.split(doc, "en", "p2", "plant.")
    with pytest.raises(UsageError, match="already has text"):
        realign.split(doc, "en", "p2", "I am")


def test_the_new_text_is_aligned_around_the_pins():
    base = ["a", "b", "c", "d"]
    new = ["A", "B and C", "D"]
    pinned = [((1, 2), ["B and C"])]
    alignment, kept = realign.align_around(base, new, pinned, same_language=False)
    assert kept == [(1, 2)]
    assert [(b.segments, b.paragraphs) for b in alignment.beads] == [((0,), (0,)), ((1, 2), (1,)), ((3,), (2,))]
    assert not alignment.beads[1].flagged and alignment.beads[1].confidence == 1.0
    # A pin whose paragraphs the new text lacks is let go.
    alignment, kept = realign.align_around(base, ["A", "B", "C", "D"], pinned, same_language=False)
    assert kept == []
    # "Not translated" holds: no paragraph goes to that segment.
    alignment, kept = realign.align_around(base, ["A", "B", "D"], [((2,), [])], same_language=False)
    assert ((2,), ()) in [(b.segments, b.paragraphs) for b in alignment.beads] and kept == [(2,)]


@pytest.mark.shared_data
def test_a_fix_on_a_real_alignment_is_kept_by_the_next_replace(real_data, tmp_path, cli):
    """Tolstoy's «Чем люди живы» with the Maudes' translation: the editor
    merges a pair the aligner split wrongly; adding the same file again with
    --replace keeps the fix, and the review puts weak pairs first."""
    pairs = real_data / "pairs"
    root = tmp_path / "ed"
    assert cli("init", root, "--title", "Tolstoy").exit_code == 0
    assert cli("import", pairs / "tolstoy-chem-ljudi-zhivy.ru.txt", "--lang", "ru", "-C", root).exit_code == 0
    english = pairs / "tolstoy-chem-ljudi-zhivy.en.txt"
    assert cli("translation", "add", "1", english, "--lang", "en", "--from", "ru", "-C", root).exit_code == 0
    listed = json.loads(cli("translation", "review", "1", "en", "--json", "-C", root).stdout)
    confidences = [p["confidence"] for p in listed]
    assert confidences == sorted(confidences) and len(listed) > 30
    doc = api.open_workspace(root).edition.documents[0]
    texts = [s.text.get("en") for s in doc.segments]
    # Pick a segment with text after another with text, and merge it into that one.
    k = next(i for i in range(1, len(texts)) if texts[i] and texts[i - 1])
    target, merged = doc.segments[k - 1].id, doc.segments[k].id
    before = snapshot(root)
    bad = cli("translation", "review", "1", "en", "--merge", "p999", "-C", root)
    assert bad.exit_code == 2 and "no segment 'p999'" in bad.output and snapshot(root) == before
    fixed = cli("translation", "review", "1", "en", "--merge", merged, "-C", root)
    assert fixed.exit_code == 0, fixed.output
    doc = api.open_workspace(root).edition.documents[0]
    joined = doc.segment(target).text["en"]
    assert doc.segment(merged).text["en"] == "" and doc.layer("en").pinned == [target]
    again = cli("translation", "add", "1", english, "--lang", "en", "--from", "ru", "--replace", "-C", root)
    assert again.exit_code == 0, again.output
    doc = api.open_workspace(root).edition.documents[0]
    assert doc.segment(target).text["en"] == joined and doc.segment(merged).text["en"] == ""
    assert doc.layer("en").pinned == [target]
    review = json.loads(cli("translation", "review", "1", "en", "--json", "-C", root).stdout)
    assert next(p for p in review if p["segments"][0] == target)["pinned"] is True
    assert cli("validate", "-C", root).exit_code == 0
