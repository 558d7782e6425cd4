"""Generated editions for the build benchmark: documents of consecutive
Bible verses with three layers — the King James Version as the original,
the American Standard Version as the translation and a revision of it with
a few words changed (so the printed volume carries an apparatus of
variants) — footnotes on phrases, and a names register of persons and
places that occur. Written straight as YAML (no import, no alignment): a
1,000-document edition takes a few seconds to generate."""

from __future__ import annotations

from pathlib import Path

from edition import store, yamlio
from edition.model import Anchor, Document, Layer, LayerRole, Note, NoteKind, Segment

import bible

VERSES_PER_SEGMENT = 3

PERSONS = {"moses": ("Moses", ["Moses"]), "aaron": ("Aaron", ["Aaron"]), "david": ("David", ["David"]),
           "abraham": ("Abraham", ["Abraham"]), "jacob": ("Jacob", ["Jacob"]), "joseph": ("Joseph", ["Joseph"]),
           "pharaoh": ("Pharaoh", ["Pharaoh"]), "saul": ("Saul", ["Saul"])}  # fmt: skip
PLACES = {"jerusalem": ("Jerusalem", ["Jerusalem"]), "egypt": ("Egypt", ["Egypt"]), "canaan": ("Canaan", ["Canaan"]),
          "babylon": ("Babylon", ["Babylon"]), "jordan": ("Jordan", ["Jordan"])}  # fmt: skip

# The revision's changes: one word replaced in every fourth segment.
REVISIONS = (("shall", "will"), ("unto", "to"), ("said", "spake"), ("and", "and also"), ("the", "this"))


def _revised(text: str, k: int) -> str:
    if k % 4:
        return text
    for old, new in REVISIONS:
        marked = f" {old} "
        if marked in text:
            return text.replace(marked, f" {new} ", 1)
    return text + " Selah."


def _footnoted_phrase(text: str) -> str:
    """The first three words of a segment: a phrase a footnote can anchor to."""
    return " ".join(text.split()[:3])


def write_edition(root: Path, documents: int, verses: int, *, first: int = 0) -> Path:
    """An edition of `documents` documents of `verses` verses each (a
    segment every three verses, a footnote on every third segment), starting
    at the `first` verse of the KJV; the layout prints the revised
    translation with the apparatus at the foot of the page."""
    kjv, asv = bible.verses("kjv"), dict(bible.verses("asv"))
    if first + documents * verses > len(kjv):
        raise ValueError(f"the KJV has {len(kjv)} verses, not {first + documents * verses}")
    root.mkdir(parents=True, exist_ok=True)
    (root / "seeds").mkdir(exist_ok=True)
    (root / "edition.yaml").write_text(
        f"title: Generated edition ({documents} documents)\neditors:\n- The benchmark\n"
        "page_size: A5\nlayout: translation\napparatus: substantive\napparatus_at: foot\n",
        encoding="utf-8",
    )
    register = {"persons": [{"id": k, "name": n, "forms": f} for k, (n, f) in PERSONS.items()],
                "places": [{"id": k, "name": n, "forms": f} for k, (n, f) in PLACES.items()],
                "abbreviations": [{"abbr": "KJV", "expansion": "King James Version"},
                                  {"abbr": "ASV", "expansion": "American Standard Version"}]}  # fmt: skip
    (root / "names.yaml").write_text(yamlio.dump(register), encoding="utf-8")
    for d in range(documents):
        part = kjv[first + d * verses : first + (d + 1) * verses]
        segments, notes = [], []
        for s in range(0, len(part), VERSES_PER_SEGMENT):
            group = part[s : s + VERSES_PER_SEGMENT]
            k = s // VERSES_PER_SEGMENT
            original = " ".join(text for _, text in group)
            translation = " ".join(asv.get(vid, text) for vid, text in group)
            sid = f"s{k + 1}"
            segments.append(Segment(sid, text={"kjv": original, "asv": translation, "asv.2": _revised(translation, k)}))
            if k % 3 == 0:
                notes.append(Note(f"n{len(notes) + 1}", NoteKind.FOOTNOTE, f"Compare {group[0][0]} in the KJV: “{_footnoted_phrase(original)}”.",
                                  Anchor("asv.2", sid, _footnoted_phrase(_revised(translation, k)))))  # fmt: skip
        start, end = part[0][0], part[-1][0]
        doc = Document(
            id=f"d{d + 1:04d}",
            title=f"{start.replace('.', ' ', 1).replace('.', ':').capitalize()} to {end.split('.', 1)[1].replace('.', ':')}",
            layers=[
                Layer("kjv", "en-GB", LayerRole.ORIGINAL, translator="King James Version"),
                Layer("asv", "en", LayerRole.TRANSLATION, translator="American Standard Version", translated_from="kjv"),
                Layer("asv.2", "en", LayerRole.TRANSLATION, translator="The benchmark", revises="asv"),
            ],
            segments=segments,
            notes=notes,
        )
        (root / "seeds" / f"{doc.id}.yaml").write_text(yamlio.dump(store.document_tree(doc)), encoding="utf-8")
    return root


def change_one_word(root: Path, document: str, old: str = " the ", new: str = " a ") -> None:
    """The one-word edit of the rebuild benchmark: the first `old` in the
    document's revised translation becomes `new` (the page count of the
    document may or may not change)."""
    path = root / "seeds" / f"{document}.yaml"
    text = path.read_text(encoding="utf-8")
    phrases = [line.split("phrase:", 1)[1].strip().strip("'\"") for line in text.splitlines() if "phrase:" in line]
    at = text.index("  asv.2: ")
    while True:  # a word no note is anchored on: the edit must not break an anchor
        cut = text.index(old, at)
        line_end = text.index("\n", cut)
        line = text[text.rindex("\n", 0, cut) + 1 : line_end]
        if not any(p and p in line for p in phrases):
            break
        at = text.index("  asv.2: ", line_end)
    path.write_text(text[:cut] + new + text[cut + len(old) :], encoding="utf-8")
