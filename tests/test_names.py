"""The names register: forms in Latin and Cyrillic, inflected endings,
word boundaries, occurrences in every layer and in notes."""

from __future__ import annotations

import json

import pytest

from edition import store
from edition.errors import EditionError
from edition.model import Anchor, Document, Edition, Layer, Note, NoteKind, Segment
from edition.names import Name, Register, occurrences, unused

from .conftest import REPO


def _edition() -> Edition:
    doc = Document(
        id="d",
        title="Letter about Khrushchev",
        layers=[Layer("en", "en"), Layer("ru", "ru")],
        segments=[
            Segment("p1", text={"en": "Nikita Khrushchev met Tito, not Titov.", "ru": "Хрущёв встретился с Тито; о Хрущёве."}),
            Segment("p2", text={"en": "Khrushchev’s trip."}),
        ],
        notes=[Note("n1", NoteKind.FOOTNOTE, "Seen by Khrushchev.", Anchor("en", "p2", "trip"))],
    )
    return Edition(title="E", documents=[doc])


REGISTER = Register(
    [
        Name("khrushchev", "person", "Khrushchev, Nikita S.", ("Khrushchev", "Nikita Khrushchev", "Хрущёв*")),
        Name("tito", "person", "Tito", ("Tito", "Тито")),
        Name("suslov", "person", "Suslov", ("Suslov",)),
    ]
)


def test_occurrences_in_every_layer_title_and_notes():
    found = occurrences(_edition(), REGISTER)
    mine = [(o.name, o.layer, o.place, o.form) for o in found]
    assert ("khrushchev", "en", "title", "Khrushchev") in mine
    assert ("khrushchev", "en", "p1", "Nikita Khrushchev") in mine  # the longest form wins
    assert ("khrushchev", "ru", "p1", "Хрущёв") in mine and ("khrushchev", "ru", "p1", "Хрущёве") in mine
    assert ("khrushchev", "en", "p2", "Khrushchev") in mine  # before ’s
    assert ("khrushchev", "en", "note:n1", "Khrushchev") in mine
    assert [o.form for o in found if o.name == "tito"] == ["Tito", "Тито"]  # not "Titov"
    assert [n.id for n in unused(REGISTER, found)] == ["suslov"]


def test_sample_register_is_read_and_used(cli):
    rows = json.loads(cli("names", "--json", "-C", REPO).stdout)
    by_id = {r["id"]: r for r in rows}
    assert by_id["stalin"]["occurrences"] >= 30
    assert "Pospelow" in by_id["pospelov"]["forms"]  # the German layer
    assert all(r["occurrences"] > 0 for r in rows)


@pytest.mark.parametrize(
    "text, message",
    [
        ("persons:\n- id: a\n  name: A\n- id: a\n  name: B\n", "name id 'a' is used twice"),
        ("persons:\n- id: a\n  nmae: A\n", "unknown field 'nmae'"),
        ("people:\n- id: a\n", "unknown field 'people'"),
        ("persons:\n- id: a\n  name: A\n  forms: ['*']\n", "a form is empty"),
    ],
)
def test_register_errors_name_the_line(tmp_path, text, message):
    path = tmp_path / "names.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(EditionError, match=message) as info:
        store.read_register(path)
    assert info.value.problems[0].line is not None
