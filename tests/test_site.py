"""The HTML edition (render/site.py): every page parses, every link inside
the site lands on a file and an element that exist, nothing points outside
the folder, document text stays text, the folder of a user is never
clobbered, and the same edition gives the same bytes."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest

from edition import store
from edition.errors import EditionError
from edition.model import Anchor, Document, Edition, Layer, LayerRole, Note, NoteKind, Segment
from edition.render import templates_dirs
from edition.render.site import SITE_MARKER, series_label, write_site

from .conftest import GOLDEN, REFRESH, REPO, copy_sample

HOSTILE = "<script>alert(1)</script> {{ 7*7 }} <img src=x>"
GORKY = "1956-11-14-anonymous-letter-city-gorky"
MIKHAILOV = "1953-06-26-secret-memorandum-secretary-moscow"


@pytest.fixture(scope="module")
def workspace():
    """The sample edition at the repository's root, loaded once."""
    return store.load_workspace(REPO)


@pytest.fixture(scope="module")
def site(workspace, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "html"
    write_site(workspace.edition, workspace.register, out, templates=templates_dirs(REPO))
    return out


def parse(path: Path):
    return lxml.html.document_fromstring(path.read_bytes())


def pages(folder: Path) -> dict[str, object]:
    return {p.name: parse(p) for p in sorted(folder.glob("*.html"))}


def test_every_page_is_written_and_parses_as_html5(site, workspace):
    names = sorted(p.name for p in site.iterdir())
    docs = [f"{d.id}.html" for d in workspace.edition.documents]
    assert names == sorted([SITE_MARKER, "index.html", "names.html", "site.css", "status.html", *docs])
    for name, tree in pages(site).items():
        raw = (site / name).read_text(encoding="utf-8")
        assert raw.startswith("<!DOCTYPE html>\n"), name
        assert tree.tag == "html" and tree.get("lang"), name
        assert tree.find("head/meta").get("charset") == "utf-8"
        assert [link.get("href") for link in tree.iter("link")] == ["site.css"]
        ids = [el.get("id") for el in tree.iter() if el.get("id") is not None]
        assert len(ids) == len(set(ids)), f"{name}: duplicate ids"
        assert not tree.xpath("//script"), name  # no script is needed


def test_every_link_lands_on_a_page_and_an_element_of_the_site(site):
    trees = pages(site)
    ids = {name: {el.get("id") for el in tree.iter() if el.get("id")} for name, tree in trees.items()}
    links = 0
    for name, tree in trees.items():
        for a in tree.iter("a"):
            href = a.get("href")
            assert href, f"{name}: a link without href"
            target, _, fragment = href.partition("#")
            target = target or name
            assert target in ids, f"{name}: {href} leads to no page"
            assert not fragment or fragment in ids[target], f"{name}: {href} leads to no element"
            links += 1
    assert links > 200


def test_no_file_refers_outside_the_folder(site):
    """No address in an attribute or a stylesheet leaves the folder (a
    source URL is printed as text in the source note, not linked)."""
    for path in site.iterdir():
        raw = path.read_text(encoding="utf-8")
        assert not re.search(r"url\(|@import", raw, re.IGNORECASE), path.name
        if path.suffix != ".html":
            continue
        for el in parse(path).iter():
            for attr, value in el.attrib.items():
                assert not re.match(r"\s*(?:[a-z][a-z0-9+.-]*:|//|\\\\)", value, re.I), (path.name, attr, value)
    assert "https://" in (site / f"{MIKHAILOV}.html").read_text(encoding="utf-8")  # as text


def test_index_page_has_the_title_page_and_the_contents(site, workspace):
    tree = parse(site / "index.html")
    edition = workspace.edition
    assert tree.findtext(".//title") == edition.title
    assert tree.xpath("string(//h1)") == edition.title
    assert "The edition project" in tree.xpath("string(//p[@class='volume-editors'])")
    entries = tree.xpath("//ol[@class='toc']/li")
    assert [li.xpath("string(a/@href)") for li in entries] == [f"{d.id}.html" for d in edition.documents]
    assert "No.\xa03" in entries[2].text_content() and "not later than 14 November 1956" in entries[2].text_content()
    assert tree.xpath("//a[@href='names.html']")


def test_document_page_head_text_and_neighbours(site, workspace):
    tree = parse(site / f"{GORKY}.html")
    doc = workspace.edition.document(GORKY)
    assert tree.xpath("string(//p[@class='doc-number'])") == "No.\xa03"
    title = tree.xpath("//h1[@class='doc-title']")[0]
    # The title's call pops up its note inside the heading; its words are the title's.
    words = "".join(t for t in title.itertext() if t not in {n.text_content() for n in title.xpath(".//span[@class='pop'] | .//a")})
    assert words.replace("\xad", "") == doc.title
    # (a number cited after an abbreviation is bound to it by a no-break space)
    assert "RGANI. F. 5. Op. 30. D. 140. L. 197." in " ".join(tree.xpath("string(//div[@class='source-note'])").split())
    segments = tree.xpath("//div[@class='text']/*[@data-segment]")
    assert [s.get("data-segment") for s in segments] == [s.id for s in doc.segments]
    assert [s.get("id") for s in segments] == [f"seg-{s.id}" for s in doc.segments]
    assert {s.get("data-layer") for s in segments} == {"en.2"}  # the latest revision is read first
    top = tree.xpath("//nav[contains(@class,'pager-top')]")[0]
    assert top.xpath("a[@rel='prev']/@href") == ["1956-09-18-anonymous-letter-editorial-board.html"]
    assert top.xpath("a[@rel='next']") == []
    first = parse(site / f"{MIKHAILOV}.html")
    assert first.xpath("//nav[contains(@class,'pager-top')]/a[@rel='prev']") == []
    assert first.xpath("//nav[contains(@class,'pager-top')]/a[@rel='next']/@href") == [
        "1956-09-18-anonymous-letter-editorial-board.html"
    ]


def test_calls_pop_up_their_note_and_link_to_it_and_back(site, workspace):
    tree = parse(site / f"{GORKY}.html")
    calls = tree.xpath("//a[@class='call']")
    assert [c.text for c in calls] == [str(n) for n in range(1, len(calls) + 1)]
    assert len(calls) >= 4
    for call in calls:
        note_id = call.get("href")[len("#fn-"):]
        assert call.get("id") == f"call-{note_id}"
        pop = call.getnext()
        assert pop.get("class") == "pop"
        note = tree.get_element_by_id(f"fn-{note_id}")
        back = note.xpath("a[@class='back']")[0]
        assert back.get("href") == f"#call-{note_id}" and back.text == call.text
        assert pop.text_content() in note.text_content()
    # the dateline's note and the gloss on ‘traveller’
    assert tree.get_element_by_id("fn-n2").text_content().endswith("Date on the covering letter.")
    gloss = tree.xpath("//li[contains(@class,'fn-gloss')]")[0]
    assert "mocks Khrushchev" in gloss.text_content()


def test_apparatus_entries_are_keyed_to_paragraphs_and_link_to_their_lemma(site, workspace):
    from edition.collate import collate, entry_text

    tree = parse(site / f"{GORKY}.html")
    doc = workspace.edition.document(GORKY)
    expected = collate(doc, "en.2", ["en"]).without().entries
    entries = tree.xpath("//ol[@class='app-entries']/li")
    assert len(entries) == len(expected) > 10
    order = [s.id for s in doc.segments]
    for n, (li, entry) in enumerate(zip(entries, expected), start=1):
        assert li.get("id") == f"app-{n}"
        back = li.xpath("a[@class='back']")[0]
        assert back.get("href") == f"#lem-{n}"
        assert back.text == f"¶\xa0{order.index(entry.segment) + 1}"
        assert li.text_content().endswith(entry_text(entry))
        mark = tree.get_element_by_id(f"lem-{n}")
        assert mark.get("href") == f"#app-{n}"
        assert mark.getnext().text_content() == entry_text(entry)
        # The marker stands in the lemma's paragraph, right after the lemma.
        block = mark.xpath("ancestor::*[@data-segment][1]")[0]
        assert block.get("data-segment") == entry.segment
        lemma = doc.segment(entry.segment).text["en.2"][entry.start:entry.end].strip()
        assert reading_around(block, f"lem-{n}")[0].rstrip().endswith(lemma), (n, lemma)


def test_no_apparatus_when_the_edition_asks_for_none(workspace, tmp_path):
    import dataclasses

    out = tmp_path / "site"
    write_site(dataclasses.replace(workspace.edition, apparatus="none"), workspace.register, out)
    tree = parse(out / f"{GORKY}.html")
    assert not tree.xpath("//section[@class='apparatus'] | //a[@class='app-mark']")
    assert tree.xpath("//a[@class='call']")  # the notes stay


def reading_around(block, mark_id: str) -> list[str]:
    """The words of a block before and after a marker, as a reader sees
    them: no pop-ups, calls, other markers or paragraph numbers."""
    import copy

    block = copy.deepcopy(block)
    for el in block.xpath(".//span[@class='pop' or @class='pn'] | .//a | .//span[@class='nm']"):
        if el.get("id") == mark_id:
            el.text = "\ue000"
        else:
            el.drop_tree()
    return block.text_content().replace("\xad", "").split("\ue000")


def test_names_page_links_each_name_to_where_it_occurs(site, workspace):
    tree = parse(site / "names.html")
    headings = tree.xpath("//section[contains(@class,'index')]/h2/text()")
    assert headings[0] == "Index of persons"
    khrushchev = tree.get_element_by_id("name-khrushchev")
    assert khrushchev.text == "Khrushchev, Nikita S."
    links = khrushchev.getnext().xpath(".//a/@href")
    assert {h.split("#")[0] for h in links} == {f"{d.id}.html" for d in workspace.edition.documents}
    gorky = parse(site / f"{GORKY}.html")
    for href in links:
        if href.startswith(GORKY) and "#nm-" in href:
            anchor = href.split("#")[1]
            block = gorky.get_element_by_id(anchor).xpath("ancestor::*[@data-segment][1]")[0]
            assert reading_around(block, anchor)[1].startswith("Khrushchev")
    abbreviations = tree.xpath("//dl[@class='abbreviation-list']/dt/text()")
    assert abbreviations == [a.abbr for a in workspace.register.abbreviations]


def test_parallel_layout_is_a_row_per_segment(workspace, tmp_path):
    out = tmp_path / "site"
    import dataclasses

    edition = dataclasses.replace(workspace.edition, layout="parallel", columns=["en", "de"])
    write_site(edition, workspace.register, out, templates=templates_dirs(REPO))
    tree = parse(out / f"{MIKHAILOV}.html")
    doc = workspace.edition.document(MIKHAILOV)
    heads = tree.xpath("//div[contains(@class,'col-heads')]/div/text()")
    assert heads == ["English translation by Christiaan Hetzner", "German translation by The edition project (2026-11-24)"]
    rows = tree.xpath("//div[contains(@class,'parallel')]/div[@data-segment]")
    assert [r.get("data-segment") for r in rows] == [s.id for s in doc.segments if s.text]
    for row in rows:
        cells = row.xpath("div[@class='cell']")
        assert [c.get("lang") for c in cells] == ["en", "de"]


def test_parallel_columns_number_their_notes_in_their_own_series(tmp_path):
    doc = Document(
        id="x",
        title="T",
        original_language="ru",
        layers=[Layer("ru", "ru", LayerRole.ORIGINAL), Layer("en", "en", LayerRole.TRANSLATION)],
        segments=[
            Segment("p1", text={"ru": "Один два.", "en": "One two."}),
            Segment("p2", text={"ru": "Три.", "en": "Three."}),
        ],
        notes=[
            Note("a", NoteKind.FOOTNOTE, "on два", Anchor("ru", "p1", "два")),
            Note("b", NoteKind.FOOTNOTE, "on Три", Anchor("ru", "p2", "Три")),
            Note("c", NoteKind.TRANSLATOR, "on two", Anchor("en", "p1", "two")),
        ],
    )
    out = tmp_path / "site"
    write_site(Edition(title="V", layout="parallel", documents=[doc]), None, out)
    tree = parse(out / "x.html")
    assert tree.xpath("//div[contains(@class,'col-heads')]/div/text()") == ["Russian original", "English translation"]
    rows = tree.xpath("//div[contains(@class,'parallel')]/div[@data-segment]")
    assert [[c.get("lang") for c in r.xpath("div[@class='cell']")] for r in rows] == [["ru", "en"]] * 2
    calls = {c.get("href"): c.text for c in tree.xpath("//a[@class='call']")}
    assert calls == {"#fn-a": "α", "#fn-b": "β", "#fn-c": "1"}
    assert tree.xpath("string(//section[contains(@class,'series-b')]/h2)") == "Notes to the Russian original"


def test_document_text_is_escaped_never_markup(tmp_path):
    doc = Document(
        id="x",
        title=f"Title {HOSTILE}",
        layers=[Layer("en", "en", LayerRole.TRANSLATION)],
        segments=[Segment("p1", text={"en": f"Text {HOSTILE} end"})],
        notes=[Note("n1", NoteKind.FOOTNOTE, f"Note {HOSTILE}", Anchor("en", "p1", "end"))],
    )
    edition = Edition(title=f"Volume {HOSTILE}", editors=[HOSTILE], documents=[doc])
    out = tmp_path / "site"
    write_site(edition, None, out)
    for page in ("index.html", "x.html"):
        raw = (out / page).read_text(encoding="utf-8")
        tree = parse(out / page)
        assert not tree.xpath("//script | //img"), page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw and "&lt;img src=x&gt;" in raw
        assert "{{ 7*7 }}" in tree.text_content() and "49" not in raw
    page = parse(out / "x.html")
    assert HOSTILE in page.xpath("string(//p[@data-segment='p1'])")
    assert HOSTILE in page.get_element_by_id("fn-n1").text_content()
    assert HOSTILE in page.xpath("string(//span[@class='pop'])")


def test_two_runs_give_the_same_bytes(workspace, site, tmp_path):
    again = tmp_path / "again"
    write_site(workspace.edition, workspace.register, again, templates=templates_dirs(REPO))
    assert {p.name: p.read_bytes() for p in site.iterdir()} == {p.name: p.read_bytes() for p in again.iterdir()}


def test_a_folder_that_is_not_ours_is_refused(workspace, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "index.html").write_text("my own page")
    with pytest.raises(EditionError, match="not empty"):
        write_site(workspace.edition, workspace.register, out)
    assert [p.name for p in out.iterdir()] == ["index.html"]
    assert (out / "index.html").read_text() == "my own page"
    report = write_site(workspace.edition, workspace.register, out, overwrite=True)
    assert (out / "index.html").read_text() != "my own page"
    assert out / "index.html" in report.written
    file = tmp_path / "a-file"
    file.write_text("x")
    with pytest.raises(EditionError, match="not a folder"):
        write_site(workspace.edition, workspace.register, file)


def test_rewriting_our_site_removes_old_pages_and_keeps_the_users_files(workspace, tmp_path):
    import dataclasses

    out = tmp_path / "site"
    write_site(workspace.edition, workspace.register, out)
    (out / "notes-of-mine.txt").write_text("keep me")
    fewer = dataclasses.replace(workspace.edition, documents=workspace.edition.documents[:2])
    report = write_site(fewer, workspace.register, out)
    assert report.removed == [out / f"{GORKY}.html"]
    assert not (out / f"{GORKY}.html").exists()
    assert (out / "notes-of-mine.txt").read_text() == "keep me"
    listed = (out / SITE_MARKER).read_text(encoding="utf-8").splitlines()[1:]
    assert f"{GORKY}.html" not in listed and "notes-of-mine.txt" not in listed
    assert not list(out.glob(".*.tmp"))


def test_a_marker_cannot_send_a_removal_outside_the_folder(workspace, tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    victim = tmp_path / "victim.html"
    victim.write_text("keep")
    (out / SITE_MARKER).write_text("edition site\n../victim.html\n/etc/passwd\n")
    write_site(workspace.edition, workspace.register, out)
    assert victim.read_text() == "keep"


def test_a_document_id_that_would_replace_a_page_of_ours_is_refused(tmp_path):
    doc = Document(id="index", title="T", layers=[Layer("en", "en")], segments=[Segment("p1", text={"en": "x"})])
    with pytest.raises(EditionError, match="cannot name a page"):
        write_site(Edition(title="V", documents=[doc]), None, tmp_path / "site")
    assert not (tmp_path / "site").exists()


def test_a_stylesheet_that_reaches_outside_is_refused(workspace, tmp_path):
    own = tmp_path / "templates"
    (own / "site").mkdir(parents=True)
    (own / "site" / "site.css").write_text("/* url(fine) in a comment */\nbody { background: url(https://example.org/x.png) }\n")
    with pytest.raises(EditionError, match="refers outside") as exc:
        write_site(workspace.edition, workspace.register, tmp_path / "site", templates=[own, *templates_dirs(REPO)])
    assert exc.value.problems[0].line == 2
    assert not (tmp_path / "site").exists()


def test_series_labels():
    assert [series_label("", n) for n in (1, 2, 10)] == ["1", "2", "10"]
    assert [series_label("b", n) for n in (1, 2, 24, 25, 26, 49)] == ["α", "β", "ω", "αα", "αβ", "βα"]
    assert [series_label("c", n) for n in (1, 4, 9, 14)] == ["i", "iv", "ix", "xiv"]


@pytest.mark.parametrize("name", ["index.html", f"{GORKY}.html"])
def test_pages_match_their_golden_files(site, name):
    """The sample edition's title page and a document with notes and an
    apparatus; refresh with EDITION_REFRESH_GOLDEN=1 and review the diff."""
    text = (site / name).read_text(encoding="utf-8")
    golden = GOLDEN / "site" / name
    if REFRESH:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"missing {golden}; refresh with EDITION_REFRESH_GOLDEN=1"
    assert text == golden.read_text(encoding="utf-8"), f"{name} differs from {golden}"


def test_site_command_writes_the_folder_and_refuses_a_strange_one(cli, tmp_path):
    """`edition site`: the folder on stdout, counts on stderr; a folder of
    the user's own files is refused (exit 2) and left as it was."""
    root = copy_sample(tmp_path / "ed")
    result = cli("site", "-C", str(root))
    assert result.exit_code == 0, result.output
    folder = root / "build" / "site"
    assert str(folder) in result.stdout and (folder / "index.html").is_file() and (folder / "names.html").is_file()
    strange = tmp_path / "mine"
    strange.mkdir()
    (strange / "notes.txt").write_text("my notes", encoding="utf-8")
    result = cli("site", "-C", str(root), "-o", str(strange))
    assert result.exit_code == 2 and "nothing was written" in result.output
    assert [p.name for p in strange.iterdir()] == ["notes.txt"]
