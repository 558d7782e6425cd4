"""Every text is NFC once read, whatever the normal form of the file or the
command line it came from: plain text, Markdown, Word, TEI, the edition's
own YAML, and arguments such as `note add --at`."""

from __future__ import annotations

import unicodedata
from dataclasses import fields, is_dataclass
from enum import Enum
from pathlib import Path

import docx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edition import store
from edition.importers import read, read_delivery
from edition.text import words

from .conftest import snapshot

NFD = lambda text: unicodedata.normalize("NFD", text)  # noqa: E731


def strings(value) -> list[str]:
    """Every string held in a model object."""
    if isinstance(value, Enum):
        return []
    if isinstance(value, str):
        return [value]
    if is_dataclass(value) and not isinstance(value, type):
        return [s for f in fields(value) for s in strings(getattr(value, f.name))]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in strings(v)]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in strings(k) + strings(v)]
    return []


def all_nfc(value) -> bool:
    return all(unicodedata.is_normalized("NFC", s) for s in strings(value))


# Letters that compose (é, ё, й, ő, ǘ), combining marks alone and after
# letters, the Russian stress mark, Hangul jamo.
LETTERS = "aeiouAEIOUеЕиИыяюСсnNzZ őŐüÜ"
MARKS = "\u0301\u0300\u0308\u030b\u0306\u0303\u030c"
piece = st.one_of(
    st.sampled_from(list(LETTERS)),
    st.tuples(st.sampled_from(list(LETTERS.replace(" ", ""))), st.sampled_from(list(MARKS))).map("".join),
    st.sampled_from(["é", "ё", "й", "Й", "ǘ", "\u1100\u1161", "한"]),
)
word = st.lists(piece, min_size=1, max_size=6).map("".join).filter(lambda w: w.strip())
paragraph = st.lists(word, min_size=1, max_size=8).map(" ".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    title=paragraph,
    body=st.lists(paragraph, min_size=1, max_size=4),
    form=st.sampled_from(["NFD", "mixed", "NFC"]),
)
def test_text_import_is_nfc_whatever_the_file(tmp_path, title, body, form):
    parts = [f"Title {title}", *body]
    if form == "NFD":
        parts = [NFD(p) for p in parts]
    elif form == "mixed":
        parts = [NFD(p) if i % 2 else unicodedata.normalize("NFC", p) for i, p in enumerate(parts)]
    text = "\n\n".join(parts) + "\n"
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    documents = read(path).documents
    assert all_nfc(documents)
    stored = [w for doc in documents for w in words(doc.title)] + [
        w for doc in documents for s in doc.segments for t in s.text.values() for w in words(t)
    ]
    assert sorted(stored) == sorted(words(unicodedata.normalize("NFC", text)))


def test_an_nfd_document_file_loads_as_nfc_and_note_add_finds_a_decomposed_phrase(cli, tmp_path):
    root = tmp_path / "ed"
    cli("init", root)
    source = tmp_path / "cafe.txt"
    source.write_text(NFD("Le café\n\nJune 1, 1950\n\nNous buvons un café ici, près de l’église.\n"), encoding="utf-8")
    assert cli("import", "-C", root, source).exit_code == 0
    (doc_path,) = (root / "seeds").glob("*.yaml")
    text = doc_path.read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", text)  # the import wrote NFC
    doc_path.write_text(NFD(text), encoding="utf-8")  # as an editor on macOS may save it
    (doc,) = store.load(root).documents
    assert all_nfc(doc) and doc.segments[0].text["en"] == "Nous buvons un café ici, près de l’église."
    before = snapshot(root)
    done = cli("note", "add", doc.id, "-C", root, "--layer", "en", "--segment", "p1", "--at", NFD("église"), "--text", NFD("Né ici."))
    assert done.exit_code == 0, done.output
    assert snapshot(root) != before
    written = doc_path.read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", written) and "Né ici." in written
    (doc,) = store.load(root).documents
    assert doc.notes[0].anchor.phrase == "église"


def test_tei_and_word_and_markdown_files_in_nfd_are_read_as_nfc(cli, sample, tmp_path):
    out = tmp_path / "tei"
    assert cli("export", "tei", "-C", sample, "--out", out).exit_code == 0
    tei = next(out.glob("*.xml"))
    tei.write_text(NFD(tei.read_text(encoding="utf-8")), encoding="utf-8")
    documents = read(tei).documents
    assert documents and all_nfc(documents)
    assert any("é" in s or "ё" in s or "’" in s for s in strings(documents))

    word_file = tmp_path / "delivery.docx"
    document = docx.Document()
    for text in ("Réunion du comité", "Ёлки и ёжики", "Plain text."):
        document.add_paragraph(NFD(text))
    document.save(word_file)
    delivery = read_delivery(word_file)
    assert all_nfc(delivery) and [p.text for p in delivery.paragraphs][:2] == ["Réunion du comité", "Ёлки и ёжики"]

    markdown = tmp_path / "delivery.md"
    markdown.write_text(NFD("# Réunion\n\nLe comité a décidé.\n"), encoding="utf-8")
    delivery = read_delivery(markdown)
    assert all_nfc(delivery) and "comité" in " ".join(p.text for p in delivery.paragraphs)


def test_a_yaml_key_or_value_in_nfd_is_nfc_once_parsed(tmp_path):
    from edition import yamlio

    path = tmp_path / "x.yaml"
    path.write_text(NFD("title: Café\nlist:\n- ёж\n\"ключ\": значение\n"), encoding="utf-8")
    tree, _ = yamlio.load(path)
    assert tree.value["title"].value == "Café"
    assert tree.value["list"].value[0].value == "ёж"
    assert "ключ" in tree.value and tree.value["ключ"].value == "значение"


def test_nothing_is_nfd_after_a_round_trip(sample):
    for path in Path(sample).rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert unicodedata.is_normalized("NFC", text), path
