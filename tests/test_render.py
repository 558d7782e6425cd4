"""The printed edition, tested by reading the PDF back: words, pages of
footnotes and their calls, contents page numbers, fonts, metadata, bookmarks,
escaping of document text, the fetcher, reproducible bytes.

The sample volume is built once per module (it takes a few seconds)."""

from __future__ import annotations

import os
import random
import re
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest

pypdf = pytest.importorskip("pypdf")
pytest.importorskip("weasyprint")

from edition.errors import EditionError
from edition.model import (
    Anchor,
    ArchivalRef,
    Certainty,
    DateSpec,
    Document,
    Edition,
    Layer,
    LayerRole,
    Note,
    NoteKind,
    Segment,
    SegmentKind,
)
from edition.render import BuildReport, build_pdf, render_html, templates_dirs
from edition.render.html import PAGE_FORMATS, Bound, Run, pieces, plain, running_head
from edition.render.weasy import make_fetcher

REPO = Path(__file__).resolve().parents[1]

# --- the sample volume ----------------------------------------------------------

P = SegmentKind.PARAGRAPH


def seg(sid: str, layer: str, text: str, kind: SegmentKind = P) -> Segment:
    return Segment(sid, kind, {layer: text})


def mikhailov() -> Document:
    """German translation of a Russian original; quotation, list, notes in
    the title, the date and mid-paragraph, a gloss with Cyrillic, a note on
    the original (not printed), an unanchored note, an archival note, an
    unplaced item."""
    de = "de"
    segments = [
        seg("s1", de, "Genosse Chruschtschow!", SegmentKind.SALUTATION),
        seg(
            "p1",
            de,
            "Gestern fanden in vierzehn Großbetrieben Moskaus Massenkundgebungen der "
            "Arbeiter statt, die den Ereignissen in Berlin gewidmet waren. Die Redner "
            "sprachen mit tiefer Empörung über die verbrecherischen Umtriebe der "
            "Kriegstreiber und begrüßten das völlige Scheitern des Abenteuers.",
        ),
        seg(
            "p2",
            de,
            "Besonders groß war die Kundgebung im Kugellagerwerk, über die die Zeitung "
            "*Prawda* ausführlich berichtete; der Parteisekretär Genosse Masanow "
            "eröffnete sie mit folgenden Worten:",
        ),
        seg(
            "q1",
            de,
            "Das sowjetische Volk ist über die Nachricht vom Abenteuer der ausländischen "
            "Söldlinge in Berlin zutiefst beunruhigt. [...]",
            SegmentKind.QUOTATION,
        ),
        seg("p3", de, "Die Teilnehmer der Aussprache stellten folgende Fragen:"),
        seg("l1", de, "Was ist mit Genossen Wilhelm Pieck geschehen?", SegmentKind.LIST_ITEM),
        seg("l2", de, "Welches sind die Hauptfehler der SED?", SegmentKind.LIST_ITEM),
        seg("l3", de, "Wie ist die Lage in Berlin heute?", SegmentKind.LIST_ITEM),
        seg("h1", de, "Weitere Versammlungen", SegmentKind.HEADING),
        seg("p4", de, "Heute werden in anderen Betrieben Kundgebungen abgehalten."),
        seg("sig", de, "Sekretär des Moskauer Komitees N. Michailow", SegmentKind.SIGNATURE),
    ]
    segments[1].text["ru"] = "Вчера на четырнадцати крупных предприятиях Москвы прошли митинги."
    return Document(
        id="mikhailov",
        title="Geheimes Memorandum des Sekretärs Michailow an das Zentralkomitee",
        date=DateSpec("26. Juni 1953", "1953-06-26", Certainty.EXACT, supplied=True),
        place="Moskau",
        archival_refs=[
            ArchivalRef("TsKhSD, f. 4546, op. 30, pap. 5, ll. 87–91. Beglaubigte Abschrift.")
        ],
        citation="Gerhard Beier, *Wir wollen freie Menschen sein* (Köln, 1993), S. 125–126.",
        credit="Aus dem Russischen übersetzt von der Redaktion.",
        source_url="https://example.org/document/112612",
        summary="Michailow berichtet über Kundgebungen in Moskauer Betrieben nach den "
        "Ereignissen des 17. Juni 1953 in Berlin.",
        layers=[
            Layer("ru", "ru", LayerRole.ORIGINAL),
            Layer("de", "de", LayerRole.TRANSLATION, translator="Redaktion", translated_from="ru"),
        ],
        segments=segments,
        notes=[
            Note("n-title", NoteKind.FOOTNOTE, "Titelvermerk der Redaktion zum Zentralkomitee.",
                 Anchor("de", "title", "Zentralkomitee")),
            Note("n-date", NoteKind.FOOTNOTE, "Datierung nach dem Eingangsstempel.",
                 Anchor("de", "date", "1953")),
            Note("n-prawda", NoteKind.FOOTNOTE, "Zentralorgan der KPdSU, Ausgabe vom 26. Juni.",
                 Anchor("de", "p2", "*Prawda*")),
            Note("n-gloss", NoteKind.GLOSS, "Im Original: «провокаторов».",
                 Anchor("de", "p1", "Kriegstreiber")),
            Note("n-tr", NoteKind.TRANSLATOR, "Wörtlich: Kugellagerfabrik Nr. 1.",
                 Anchor("de", "p2", "Kugellagerwerk")),
            Note("n-ru", NoteKind.FOOTNOTE, "Примечание к русскому подлиннику.",
                 Anchor("ru", "p1", "митинги")),
            Note("n-doc", NoteKind.FOOTNOTE, "Das Dokument ist nur in Abschrift überliefert."),
            Note("n-arch", NoteKind.ARCHIVAL, "Stempel: Gelesen von N. S. Chruschtschow."),
        ],
        unplaced=["Randvermerk in Bleistift:\nzu den Akten"],
    )


def letters() -> Document:
    """A Russian original printed alone: Cyrillic text, hyphenated in Russian."""
    ru = "ru"
    return Document(
        id="letters",
        title="Анонимное письмо в Центральный Комитет",
        date=DateSpec("не позднее 18 сентября 1956 г.", "1956-09-18", Certainty.NOT_AFTER),
        place="Ленинград",
        layers=[Layer("ru", "ru", LayerRole.ORIGINAL)],
        segments=[
            seg("p1", ru, "Дорогие товарищи! Пишем вам о положении дел на нашем "
                "заводе, где уже третий месяц не выплачивается заработная плата "
                "рабочим литейного цеха."),
            seg("p2", ru, "Просим разобраться в этом вопросе и принять меры против "
                "злоупотреблений администрации."),
            seg("sig", ru, "Рабочие завода", SegmentKind.SIGNATURE),
        ],
        notes=[
            Note("n1", NoteKind.FOOTNOTE, "Письмо поступило в общий отдел.",
                 Anchor("ru", "p1", "литейного цеха")),
        ],
    )


VOCABULARY = (
    "the committee reported that workers in the district had gathered to discuss "
    "measures concerning supply of grain coal and timber while the secretary noted "
    "delays in transport shortages of housing and complaints from collective farms "
    "about procurement quotas which regional officials promised to examine before "
    "autumn sowing although instructors sent from the capital found records "
    "incomplete and several directors absent from their posts during inspection"
).split()


def code(n: int) -> str:
    """A word made of letters only, unique for n: markers that the text
    extraction cannot confuse with footnote numbers."""
    out = ""
    n += 26
    while n:
        n, r = divmod(n, 26)
        out = "abcdefghijklmnopqrstuvwxyz"[r] + out
    return out


def marker(n: int) -> str:
    return f"Zed{code(n)}"


def note_word(n: int) -> str:
    return f"Quill{code(n)}"


# The long report's text comes from this seed. It was chosen so that the
# sample hits WeasyPrint 70's footnote bugs (notes moved a page after their
# calls, or lost) that edition.render.weasy works around: without the
# workaround, test_footnotes_stand_on_the_page_of_their_call fails.
REPORT_SEED = 1953


def long_report(seed: int = REPORT_SEED) -> Document:
    """Forty paragraphs of varied text with notes on two paragraphs in three,
    of varied length: several pages, footnotes on all of them."""
    rnd = random.Random(seed)
    segments, notes = [], []
    for i in range(40):
        words = [rnd.choice(VOCABULARY) for _ in range(rnd.randint(70, 130))]
        words[rnd.randint(5, 20)] = marker(i)
        text = " ".join(words) + "."
        text = text[0].upper() + text[1:]
        segments.append(seg(f"p{i + 1}", "en", text))
        if i % 3 != 2:
            notes.append(Note(
                f"n{i}", NoteKind.FOOTNOTE,
                f"{note_word(i)}: see the report of the district commission, "
                f"folio {i + 3}, and the reply of the regional committee"
                + ", compared with the earlier draft" * (i % 5) + ".",
                Anchor("en", f"p{i + 1}", marker(i)),
            ))
    return Document(
        id="report",
        title="Report of the Regional Committee on Supply and Transport",
        date=DateSpec("12 March 1957", "1957-03-12"),
        place="Sverdlovsk",
        summary="The committee reviews supply, transport and housing in the region.",
        layers=[Layer("en", "en", LayerRole.TRANSLATION, translator="A. Editor")],
        segments=segments,
        notes=notes,
    )


HOSTILE = '<img src="file:///etc/passwd"> <b>bold</b> {{ 7*7 }} url(file:///etc/passwd)'


def hostile() -> Document:
    return Document(
        id="hostile",
        title=f"Markup {HOSTILE}",
        date=DateSpec("1 May 1960", "1960-05-01"),
        layers=[Layer("en", "en", LayerRole.TRANSLATION)],
        segments=[seg("p1", "en", f"Text that looks like markup: {HOSTILE} and so on.")],
        notes=[Note("n1", NoteKind.FOOTNOTE, f"Note {HOSTILE}", Anchor("en", "p1", "looks"))],
    )


def sample_edition(**changes) -> Edition:
    edition = Edition(
        title="Moscow and the Uprisings of the 1950s",
        subtitle="Documents in Translation",
        editors=["Anna Editor", "Boris Redaktor"],
        publisher="University Press",
        year="2024",
        languages=["en", "de", "ru"],
        page_size="A5",
        documents=[mikhailov(), letters(), long_report(), hostile()],
    )
    return replace(edition, **changes)


# --- reading the PDF back -------------------------------------------------------


def normalise(text: str) -> str:
    """NFC (pypdf gives decomposed letters); a word hyphenated at a line end
    (WeasyPrint hyphenates with U+2010) joined again when its rest follows
    on the next line. At a page end the rest is on the next page: the
    fragment keeps its U+2010 and `page_tokens` joins it."""
    text = unicodedata.normalize("NFC", text)
    return re.sub("\u2010[ \t]*\n[ \t]*(?=[^\\W\\d_])", "", text)


TOKEN = re.compile(r"[^\W\d_]+\u2010?|\d+")


def tokens(text: str) -> list[str]:
    return TOKEN.findall(normalise(text))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", normalise(text))


def without_running_heads(text: str, folio: str, heads: set[str]) -> str:
    """The page's text without its running head and folio. Small capitals
    come back from the PDF in a mixed case (one glyph serves 'E' and 'e'),
    hence the casefold."""
    lines = text.split("\n")
    keep = [
        line for line in lines
        if line.strip() != str(folio)
        and not any(
            line.strip().casefold() in (f"{folio} {h}".casefold(), f"{h} {folio}".casefold())
            for h in heads
        )
    ]
    return "\n".join(keep)


def page_tokens(pages: list[str]) -> list[list[str]]:
    """Tokens per page; a word hyphenated across a page break is joined on
    the page where it starts."""
    result = [tokens(p) for p in pages]
    for i, toks in enumerate(result[:-1]):
        fragments = [j for j, t in enumerate(toks) if t.endswith("\u2010")]
        following = result[i + 1]
        if fragments and following and following[0].islower():
            j = fragments[-1]
            toks[j] = toks[j][:-1] + following.pop(0)
    return result


def is_subsequence(needle: list[str], haystack: list[str]) -> bool:
    """The words in this order, others between them allowed (footnote
    calls, notes at page breaks)."""
    it = iter(haystack)
    return all(any(word == h for h in it) for word in needle)


def heads_of(edition: Edition) -> set[str]:
    limit = PAGE_FORMATS[edition.page_size].head_chars
    return {running_head(plain(t), limit) for t in [edition.title] + [d.title for d in edition.documents]}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("build")
    edition = sample_edition()
    out, html_out = folder / "volume.pdf", folder / "volume.html"
    report = build_pdf(edition, out, templates_dirs(REPO), html_out=html_out)
    reader = pypdf.PdfReader(out)
    raw = [unicodedata.normalize("NFC", page.extract_text()) for page in reader.pages]
    pages = [without_running_heads(t, report.folios[i], heads_of(edition)) for i, t in enumerate(raw)]
    return {
        "edition": edition,
        "folder": folder,
        "out": out,
        "html": html_out.read_text("utf-8"),
        "report": report,
        "reader": reader,
        "raw_pages": raw,
        "pages": [normalise(p) for p in pages],
        "page_tokens": page_tokens(pages),
    }


def page_of(built, token: str) -> list[int]:
    """1-based numbers of the pages whose text has this token."""
    return [i + 1 for i, toks in enumerate(built["page_tokens"]) if token in toks]


# --- tests ----------------------------------------------------------------------


def test_report_and_files(built):
    report = built["report"]
    assert isinstance(report, BuildReport)
    assert report.pages == len(built["reader"].pages) >= 8
    assert report.size == built["out"].stat().st_size
    # The build leaves nothing behind but what was asked for.
    assert sorted(p.name for p in built["folder"].iterdir()) == ["volume.html", "volume.pdf"]


def test_every_paragraph_is_printed_in_order(built):
    text_tokens = [t for toks in built["page_tokens"] for t in toks]
    for doc in built["edition"].documents:
        layer = doc.main_layer.id
        for segment in doc.segments:
            words = tokens(plain(segment.text[layer]))
            assert is_subsequence(words, text_tokens), (doc.id, segment.id)


def test_long_document_spans_several_pages(built):
    first = page_of(built, marker(0))[0]
    last = page_of(built, marker(39))[0]
    assert last - first >= 4


def test_footnotes_stand_on_the_page_of_their_call(built):
    doc = built["edition"].document("report")
    for number, note in enumerate(doc.notes, start=1):
        i = int(note.id[1:])
        (call_page,) = page_of(built, marker(i))
        (note_page,) = page_of(built, note_word(i))
        assert call_page == note_page, (note.id, call_page, note_page)
        # The call is the note's number in this document (counted from 1
        # again in every document), right after the anchored word.
        toks = built["page_tokens"][call_page - 1]
        assert toks[toks.index(marker(i)) + 1] == str(number)


def test_notes_in_title_and_date_and_text(built):
    text = squeeze("\n".join(built["pages"]))
    # title and dateline calls, numbered in order of appearance
    assert "Zentralkomitee1" in text
    assert "[26.Juni19532]" in text
    assert "Kriegstreiber3" in text
    assert "Kugellagerwerk4" in text and "Prawda5" in text
    for body in (
        "Titelvermerk der Redaktion zum Zentralkomitee.",
        "Datierung nach dem Eingangsstempel.",
        "Im Original: «провокаторов».",
        "Wörtlich: Kugellagerfabrik Nr. 1.",
    ):
        assert squeeze(body) in text
    # the call on the title is on the page of its note
    assert page_of(built, "Titelvermerk") == document_start_pages(built)[:1]


def test_nothing_is_dropped(built):
    text = squeeze("\n".join(built["pages"]))
    for expected in (
        "Das Dokument ist nur in Abschrift überliefert.",  # unanchored
        "Stempel: Gelesen von N. S. Chruschtschow.",  # archival
        "Примечание к русскому подлиннику.",  # anchored in a layer not printed
        "Randvermerk in Bleistift:",  # unplaced
        "zu den Akten",
        "Archival notes",  # small capitals: compared without case
        "Unplaced text",
    ):
        assert squeeze(expected).casefold() in text.casefold(), expected


def test_head_and_source_note(built):
    text = squeeze("\n".join(built["pages"]))
    for expected in (
        "No. 1",
        "Moskau, [26. Juni 1953",
        "TsKhSD, f. 4546, op. 30, pap. 5, ll. 87–91. Beglaubigte Abschrift.",
        "Gerhard Beier, Wir wollen freie Menschen sein (Köln, 1993)",
        "Aus dem Russischen übersetzt von der Redaktion.",
        "https://example.org/document/112612",
        "Michailow berichtet über Kundgebungen",
        "Ленинград, не позднее 18 сентября 1956 г.",
    ):
        assert squeeze(expected) in text, expected
    # plain text, no link
    annotations = [
        a.get_object().get("/A", {}).get("/URI")
        for page in built["reader"].pages
        for a in page.get("/Annots", []) or []
    ]
    assert not [uri for uri in annotations if uri]


def document_start_pages(built) -> list[int]:
    """Pages where each document's heading ("No. n") stands."""
    starts = []
    for number in range(1, len(built["edition"].documents) + 1):
        pages = [
            i + 1
            for i, toks in enumerate(built["page_tokens"])
            if any(
                [t.casefold() for t in toks[j:j + 2]] == ["no", str(number)]
                for j in range(len(toks))
            )
            and "contents" not in [t.casefold() for t in toks]
        ]
        starts.append(pages[0])
    return starts


def test_contents_page_numbers(built):
    contents = next(p for p in built["pages"] if p.lstrip().casefold().startswith("contents"))
    flat = squeeze(contents)
    found = []
    for doc in built["edition"].documents:
        title = squeeze(plain(doc.title))
        assert title in flat, doc.id
        after = flat[flat.index(title) + len(title):]
        found.append(int(re.match(r"\.{3,}(\d+)", after).group(1)))  # leader, page
    starts = document_start_pages(built)
    assert found == [int(built["report"].folios[page - 1]) for page in starts]
    assert found[0] == 1  # the front matter has roman folios; the text starts at 1
    assert len(set(starts)) == len(starts) and starts == sorted(starts)
    # each start page also holds the document's title
    for doc, start in zip(built["edition"].documents, starts):
        assert squeeze(plain(doc.title)) in squeeze(built["pages"][start - 1])


def test_bookmarks_one_per_document(built):
    reader = built["reader"]
    outline = reader.outline
    assert [item.title for item in outline[len(built["edition"].documents):]] == ["Sources"]  # back matter
    outline = outline[: len(built["edition"].documents)]
    assert all(not isinstance(item, list) for item in outline)
    pages = [reader.get_destination_page_number(item) + 1 for item in outline]
    assert pages == document_start_pages(built)
    assert outline[1].title.startswith("2. Анонимное письмо")


def test_metadata(built):
    meta = built["reader"].metadata
    assert meta.title == "Moscow and the Uprisings of the 1950s"
    assert "Anna Editor" in meta.author and "Boris Redaktor" in meta.author
    assert "documentary edition" in meta["/Keywords"]
    assert meta.subject == "Documents in Translation"
    assert meta.creator == "edition"


def test_all_fonts_embedded(built):
    names = set()
    for page in built["reader"].pages:
        fonts = page["/Resources"]["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            for f in [d.get_object() for d in descendants] if descendants else [font]:
                descriptor = f["/FontDescriptor"].get_object()
                assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), f["/BaseFont"]
                names.add(str(f["/BaseFont"]))
    assert any("Libertine" in n for n in names), names


def test_front_matter_has_roman_folios(built):
    folios = built["report"].folios
    first = document_start_pages(built)[0]
    assert folios[:first - 1] == ["i", "ii", "iii", "iv"][:first - 1]
    assert folios[first - 1:first + 1] == ["1", "2"]
    assert built["raw_pages"][2].split()[-1] == "iii"  # the contents page's folio
    assert first % 2 == 1  # page 1 is a right-hand page


def test_page_size_a5_and_book_margins(built):
    box = built["reader"].pages[0].mediabox
    assert round(float(box.width) / 72 * 25.4) == 148
    assert round(float(box.height) / 72 * 25.4) == 210


def test_languages_marked_for_hyphenation(built):
    html = built["html"]
    assert '<div class="text" lang="de">' in html
    assert '<div class="text" lang="ru">' in html
    assert '<div class="text" lang="en">' in html


def test_document_text_is_never_markup(built):
    html = built["html"]
    assert "&lt;img src=" in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<img" not in html and "<b>" not in html
    text = squeeze("\n".join(built["pages"]))
    assert squeeze(HOSTILE) in text  # title, text and footnote print it as typed
    assert text.count(squeeze(HOSTILE)) >= 3
    assert "{{7*7}}" in text


def test_running_heads(built):
    raw = [p.casefold() for p in built["raw_pages"]]
    starts = document_start_pages(built)
    edition = built["edition"]
    limit = PAGE_FORMATS[edition.page_size].head_chars
    title = running_head(edition.title, limit).casefold()
    memo = running_head(plain(edition.documents[0].title), limit)
    assert memo.endswith("…") and len(memo) <= limit  # long titles are shortened
    report = running_head(edition.document("report").title, limit).casefold()
    first, last = starts[2], starts[3] - 1  # the long report
    for page in range(first + 1, last + 1):
        # edition title on left (even) pages, document title on right pages
        expected = title if page % 2 == 0 else report
        assert expected in raw[page - 1], page
    # no running head on a document's opening page
    for page in starts:
        assert title not in raw[page - 1]
    assert report not in raw[first - 1].replace(report, "", 1)


def test_every_call_is_bound_to_its_word(built):
    html = built["html"]
    calls = html.count('<span class="fn ')
    assert calls == 5 + 1 + 27 + 1  # the note on the Russian original is not placed
    # the footnote element always closes a no-break span that began with
    # (the end of) the word it follows
    bound = re.findall(r'<span class="nb">[^<\s]+(?:<span class="fn [^"]+" id="note-[^"]+">)', html)
    assert len(bound) + html.count('<span class="nb"><em>') >= calls


def test_reproducible_bytes(built, tmp_path):
    again = tmp_path / "again.pdf"
    build_pdf(built["edition"], again, templates_dirs(REPO))
    assert again.read_bytes() == built["out"].read_bytes()
    assert "SOURCE_DATE_EPOCH" not in os.environ


def test_source_date_epoch_is_fixed_during_the_render_only(monkeypatch):
    from edition.render.weasy.patches import REPRODUCIBLE_EPOCH, _source_date_epoch

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    with _source_date_epoch():
        assert os.environ["SOURCE_DATE_EPOCH"] == REPRODUCIBLE_EPOCH
    assert "SOURCE_DATE_EPOCH" not in os.environ
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the caller's choice wins
    with _source_date_epoch():
        assert os.environ["SOURCE_DATE_EPOCH"] == "1700000000"
    assert os.environ["SOURCE_DATE_EPOCH"] == "1700000000"


# --- small builds -------------------------------------------------------------------


def small_edition(**changes) -> Edition:
    return sample_edition(**{"documents": [letters()], **changes})


def test_page_size_b5(tmp_path):
    out = tmp_path / "b5.pdf"
    build_pdf(small_edition(page_size="B5"), out, templates_dirs(REPO))
    box = pypdf.PdfReader(out).pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (176, 250)


def test_unknown_page_size_is_an_error(tmp_path):
    with pytest.raises(EditionError, match="page size"):
        build_pdf(small_edition(page_size="Letter"), tmp_path / "x.pdf", templates_dirs(REPO))
    assert list(tmp_path.iterdir()) == []


def test_template_reaching_outside_fails_the_build(tmp_path):
    own = tmp_path / "templates"
    own.mkdir()
    (own / "edition.css").write_text(
        (REPO / "templates" / "edition.css").read_text("utf-8")
        + "\nbody { background: url(file:///etc/passwd); }\n",
        "utf-8",
    )
    out = tmp_path / "out" / "volume.pdf"
    with pytest.raises(EditionError, match="passwd"):
        build_pdf(small_edition(), out, templates_dirs(tmp_path))
    assert not out.parent.exists() or list(out.parent.iterdir()) == []


def test_unresolved_anchor_is_a_warning_and_the_note_is_kept(tmp_path):
    doc = letters()
    doc.notes.append(Note("gone", NoteKind.FOOTNOTE, "Verlorene Anmerkung.", Anchor("ru", "p2", "нет такой фразы")))
    html = render_html(small_edition(documents=[doc]), templates_dirs(REPO))
    assert "Verlorene Anmerkung." in html
    report = build_pdf(small_edition(documents=[doc]), tmp_path / "v.pdf", templates_dirs(REPO))
    assert any("'gone'" in w and "not found" in w for w in report.warnings)


def test_segment_missing_from_the_printed_layer_is_printed_from_the_original_when_the_edition_says_so(tmp_path):
    doc = mikhailov()
    doc.segments.append(Segment("extra", SegmentKind.PARAGRAPH, {"ru": "Только в подлиннике."}))
    edition = sample_edition(documents=[doc], reading_gaps="original")
    html = render_html(edition, templates_dirs(REPO))
    assert 'lang="ru">Только в\u00a0подлиннике.</p>' in html  # Russian print binds a one-letter preposition to its word
    assert 'class="seg seg-paragraph fallback"' in html  # marked in the margin
    assert "printed from the Russian original, marked in the margin" in html
    from edition.render.html import render_volume

    warnings = render_volume(edition, templates_dirs(REPO)).warnings
    assert any("'extra'" in w and "printed from layer 'ru'" in w for w in warnings)


def test_segment_missing_from_the_reading_text_is_left_out_and_said(tmp_path):
    """By default an English volume never switches to Russian: the segment is
    left out and the source note says what the translation covers."""
    doc = mikhailov()
    doc.segments.append(Segment("extra", SegmentKind.PARAGRAPH, {"ru": "Только в подлиннике."}))
    html = render_html(sample_edition(documents=[doc]), templates_dirs(REPO))
    assert "Только в подлиннике." not in html
    count = len(doc.segments)
    assert f"covers part of the text: ¶1–{count - 1} of {count}." in html


def test_templates_dirs_put_the_editions_own_first(tmp_path):
    default = templates_dirs(tmp_path)
    assert len(default) == 1 and (default[0] / "volume.html.j2").is_file()
    (tmp_path / "templates").mkdir()
    assert templates_dirs(tmp_path) == [tmp_path / "templates", default[0]]


def test_an_editions_template_overrides_a_partial(tmp_path):
    own = tmp_path / "templates"
    own.mkdir()
    (own / "text.html.j2").write_text(
        '<div class="text">{% for b in doc.blocks %}[{{ b.kind }}]{% endfor %}</div>', "utf-8"
    )
    html = render_html(small_edition(), templates_dirs(tmp_path))
    assert "[paragraph][paragraph][signature]" in html
    (own / "text.html.j2").write_text("{{ no_such_thing }}", "utf-8")
    with pytest.raises(EditionError, match="no_such_thing"):
        render_html(small_edition(), templates_dirs(tmp_path))


# --- the fetcher ----------------------------------------------------------------------


def test_fetcher_serves_only_the_template_folders(tmp_path):
    from weasyprint.urls import URLFetchingError

    root = tmp_path / "templates"
    (root / "fonts").mkdir(parents=True)
    (root / "fonts" / "x.css").write_text("p { color: red }", "utf-8")
    (tmp_path / "secret.txt").write_text("secret", "utf-8")
    (root / "link.txt").symlink_to(tmp_path / "secret.txt")
    fetcher = make_fetcher([root])

    served = fetcher.fetch((root / "fonts" / "x.css").as_uri())
    assert served.read() == b"p { color: red }"
    assert served.content_type == "text/css"

    for url in (
        "file:///etc/passwd",
        "http://127.0.0.1:9/x",
        "https://example.org/font.woff",
        "ftp://example.org/x",
        "data:text/plain,hello",
        (tmp_path / "secret.txt").as_uri(),
        (root / "link.txt").as_uri(),  # a symlink out of the folder
        root.as_uri() + "/../secret.txt",
        root.as_uri(),  # a folder, not a file
    ):
        with pytest.raises(URLFetchingError):
            fetcher.fetch(url)
    # redirects are off: no handler could follow one out of the folders
    import urllib.request

    assert not any(isinstance(h, urllib.request.HTTPRedirectHandler) for h in fetcher.handlers)


def test_importing_the_renderer_does_not_load_weasyprint():
    import subprocess
    import sys

    code = "import sys, edition.render; print('weasyprint' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.stdout.strip() == "False", out.stderr


# --- inline text --------------------------------------------------------------------------


def test_calls_bind_to_the_word_before_them():
    from edition.render.html import Footnote

    a, b = Footnote("a", "footnote", ()), Footnote("b", "gloss", ())
    text = "Read *Pravda* today, comrades"
    # offsets in the stored text, emphasis marks included
    got = pieces(text, [(text.index("today") + 5, a), (len("Read *Pravda*"), b)])
    assert got == (
        Run("Read "),
        Bound((Run("Pravda", True),), (b,)),
        Run(" "),
        Bound((Run("today"),), (a,)),
        Run(", comrades"),
    )
    # a long word keeps its hyphenation points before the unbreakable last
    # syllable; numbers and URLs stay whole
    (_, bound, _) = pieces("im Kugellagerwerk, über", [(17, a)], "de")
    assert bound.head == (Run("Ku\u00adgel\u00adla\u00adger"),)
    assert bound.runs == (Run("werk"),)
    assert pieces("1953", [(4, a)], "de") == (Bound((Run("1953"),), (a,)),)
    # two notes at one place keep their order; a call at the start binds nothing
    assert pieces("Wort", [(4, a), (4, b), (0, b)]) == (
        Bound((), (b,)),
        Bound((Run("Wort"),), (a, b)),
    )


def test_emphasis_in_the_volumes_own_fields_prints_as_italics_not_asterisks(tmp_path):
    """`*…*` marks a work's title in edition.yaml as in documents: the
    title page prints it in italics, the <title> and running head plain."""
    edition = small_edition(title="Letters to *Pravda*, 1956", subtitle="From the *Kommunist* files", publisher="*Nauka*")
    html = render_html(edition, templates_dirs(REPO))
    assert '<h1 class="volume-title">Letters to <em>Pravda</em>, 1956</h1>' in html
    assert "<em>Kommunist</em>" in html and "<title>Letters to Pravda, 1956</title>" in html
    assert "*" not in re.sub(r"<style.*?</style>", "", html, flags=re.S)


def test_nothing_overprints_or_leaves_the_page(built):
    from .overprint import faults

    assert faults(built["out"]) == []


def test_the_tests_glyph_reading_is_pdfplumbers(built):
    """tests/printed.chars reads pdfminer's layout of a page for the glyph
    checks: every glyph of the volume, with the values pdfplumber gives,
    and (tests/printed.page_text) the same text; tests/printed.rects every
    rectangle (the rules above the notes)."""
    from .printed import chars, page_text, plumbed, rects

    fields = ("text", "x0", "x1", "top", "bottom", "size", "mcid", "upright", "height")
    with plumbed(built["out"]) as pdf:
        theirs = [[tuple(c.get(f) for f in fields) for c in page.chars] for page in pdf.pages]
        ours = [[tuple(c)[: len(fields)] for c in chars(page)] for page in pdf.pages]
        assert sum(map(len, theirs)) > 5000 and ours == theirs
        boxes = ("x0", "x1", "top", "width", "height")
        theirs = [[tuple(r[f] for f in boxes) for r in page.rects] for page in pdf.pages]
        assert sum(map(len, theirs)) > 3 and [[tuple(r) for r in rects(page)] for page in pdf.pages] == theirs
        # and the text of each page, whole and below its running head
        for page in pdf.pages:
            below = (0, 60, float(page.width), float(page.height))
            assert page_text(page) == page.extract_text()
            assert page_text(page, below) == page.within_bbox(below).extract_text()


def test_the_index_is_in_the_order_of_the_unicode_collation_algorithm():
    from edition.model import PERSON, Name, Register
    from edition.render.html import _index_sections

    register = Register([Name(i, PERSON, n, (n,)) for i, n in (("k1", "Khrushchev, N. S."), ("k2", "Kádár, János"), ("k3", "Kennedy, J. F."), ("k4", "Хрущёв, Н. С."), ("a", "Ádám"))])
    (section,) = _index_sections(sample_edition(index="pages"), register, {name.id: ("1",) for name in register.names})
    assert [e.name for e in section.entries] == ["Ádám", "Kádár, János", "Kennedy, J. F.", "Khrushchev, N. S.", "Хрущёв, Н. С."]


def test_an_archives_name_in_the_list_of_sources_prints_emphasis_as_italics(tmp_path):
    from edition.model import Abbreviation, Register

    doc = replace(letters(), archival_refs=[ArchivalRef("RGANI. F. 5. Op. 30. D. 140. L. 182.", archive="RGANI")])
    register = Register(abbreviations=[Abbreviation("RGANI", "*Rossiiskii gosudarstvennyi arkhiv noveishei istorii*")])
    html = render_html(small_edition(documents=[doc]), templates_dirs(REPO), register=register)
    assert "RGANI — <em>Rossiiskii gosudarstvennyi arkhiv noveishei istorii</em>" in html
