"""Review states per segment (`edition review`), the status board
(`edition status`, the site's status page) and the final build that refuses
unreviewed text (`edition build --final`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from edition import store
from edition.review import text_digest

from .conftest import REPO, snapshot
from .test_reimport import GORKY, P3, corrected, paragraph_of, worked  # noqa: F401 (worked: a fixture)

MEMO = "1953-06-26-secret-memorandum-secretary-moscow"
LETTER = "1956-11-14-anonymous-letter-city-gorky"
DELIVERIES = REPO / "translations" / "sources"


def listed(cli, root: Path, doc: str, layer: str) -> dict[str, dict]:
    result = cli("review", doc, layer, "--list", "--json", "-C", root)
    assert result.exit_code == 0, result.output
    return {entry["segment"]: entry for entry in json.loads(result.stdout)["segments"]}


def raw(path: Path) -> dict:
    """A file read with plain PyYAML, apart from our reader: the hand count."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def add_german(cli, root: Path, source: Path = DELIVERIES / "mikhailov-de.md", *extra: str):
    result = cli("translation", "add", MEMO, source, *extra, "-C", root)
    assert result.exit_code == 0, result.output
    return result


def changed_delivery(tmp_path: Path, old: str, new: str) -> Path:
    """The German delivery with one paragraph's wording changed."""
    text = (DELIVERIES / "mikhailov-de.md").read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / "mikhailov-de-corrected.md"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


# --------------------------------------------------------------------------
# States set, listed, stored


def test_states_are_set_listed_and_stored_with_who_when_and_digest(sample, cli):
    done = cli("review", LETTER, "en", "--segment", "p1", "--segment", "p2", "--state", "approved", "--by", "Anna Kovalenko",
               "--comment", "checked against the archival copy", "-C", sample)  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "set 2 segment(s) of layer 'en' to approved" in done.stderr
    assert cli("review", LETTER, "en", "--segment", "p3", "--state", "reviewed", "--by", "Boris", "-C", sample).exit_code == 0
    states = listed(cli, sample, LETTER, "en")
    assert [(s, e["state"], e["by"]) for s, e in states.items()] == [
        ("p1", "approved", "Anna Kovalenko"), ("p2", "approved", "Anna Kovalenko"), ("p3", "reviewed", "Boris"),
        ("p4", "draft", None), ("p5", "draft", None), ("p6", "draft", None),
    ]  # fmt: skip
    assert states["p1"]["comment"] == "checked against the archival copy" and states["p3"]["comment"] is None
    assert states["p1"]["at"].endswith("Z") and states["p1"]["at"][:4].isdigit()
    # The text listing shows the same, one segment a line.
    text = cli("review", LETTER, "en", "--list", "-C", sample)
    assert text.exit_code == 0
    lines = text.stdout.splitlines()
    assert lines[0].split()[:3] == ["p1", "approved", "Anna"] and "checked against the archival copy" in lines[0]
    assert lines[3].split() == ["p4", "draft"]
    assert "6 segment(s): 3 draft, 1 reviewed, 2 approved" in text.stderr
    # Stored in the layer's file (here the document file), after `pinned`,
    # with the digest of the text reviewed; the file stays canonical.
    path = sample / "seeds" / f"{LETTER}.yaml"
    layer = raw(path)["layers"][0]
    assert list(layer)[-1] == "reviews"
    segments = {s["id"]: s["en"] for s in raw(path)["segments"]}
    assert [(r["segment"], r["state"], r["digest"]) for r in layer["reviews"]] == [
        (sid, state, text_digest(segments[sid])) for sid, state in (("p1", "approved"), ("p2", "approved"), ("p3", "reviewed"))
    ]
    _, canonical, _ = store.read_document_file(path, check_canonical=True)
    assert canonical is True
    assert cli("validate", "-C", sample).exit_code == 0


def test_all_sets_every_segment_with_text_and_a_later_state_replaces_the_earlier(sample, cli):
    assert cli("review", MEMO, "en", "--segment", "p4", "--state", "approved", "--by", "Anna", "-C", sample).exit_code == 0
    assert cli("review", MEMO, "en", "--all", "--state", "reviewed", "--by", "Boris", "-C", sample).exit_code == 0
    states = listed(cli, sample, MEMO, "en")
    texts = [s for s in raw(sample / "seeds" / f"{MEMO}.yaml")["segments"] if s.get("en")]
    assert list(states) == [s["id"] for s in texts]
    assert {(e["state"], e["by"]) for e in states.values()} == {("reviewed", "Boris")}
    assert len(raw(sample / "seeds" / f"{MEMO}.yaml")["layers"][0]["reviews"]) == len(texts)  # one record a segment


def test_files_of_the_previous_release_load_and_everything_is_a_draft(sample, cli):
    # The sample's files are written without `reviews`, as every file of the
    # previous release is; they load unchanged and every segment is a draft.
    before = snapshot(sample)
    states = listed(cli, sample, MEMO, "en")
    assert len(states) == 18 and {e["state"] for e in states.values()} == {"draft"}
    assert all(e["by"] is None for e in states.values())
    assert snapshot(sample) == before


# --------------------------------------------------------------------------
# A changed text is a draft again; replaced and revised layers keep states


def test_a_text_edited_after_review_is_a_draft_again(sample, cli):
    add_german(cli, sample)
    assert cli("review", MEMO, "de", "--all", "--state", "approved", "--by", "Anna", "-C", sample).exit_code == 0
    path = sample / "translations" / MEMO / "de.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("Massenkundgebungen der Arbeiter") == 1
    path.write_text(text.replace("Massenkundgebungen der Arbeiter", "große Kundgebungen der Arbeiter"), encoding="utf-8")
    states = listed(cli, sample, MEMO, "de")
    assert (states["p1"]["state"], states["p1"]["changed"], states["p1"]["recorded"]) == ("draft", True, "approved")
    assert all(e["state"] == "approved" and not e["changed"] for s, e in states.items() if s != "p1")
    shown = cli("review", MEMO, "de", "--list", "-C", sample).stdout.splitlines()[0]
    assert shown.startswith("p1") and "draft" in shown and "text changed since it was approved" in shown
    board = json.loads(cli("status", "--json", "-C", sample).stdout)
    row = next(l for d in board["documents"] if d["id"] == MEMO for l in d["layers"] if l["layer"] == "de")
    assert row["review"] == {"draft": 1, "reviewed": 0, "approved": len(states) - 1}


def test_translation_add_replace_keeps_states_where_the_text_is_unchanged(sample, cli, tmp_path):
    add_german(cli, sample)
    assert cli("review", MEMO, "de", "--all", "--state", "approved", "--by", "Anna", "--comment", "ok", "-C", sample).exit_code == 0
    before = listed(cli, sample, MEMO, "de")
    corrected = changed_delivery(tmp_path, "Massenkundgebungen der Arbeiter", "große Kundgebungen der Arbeiter")
    add_german(cli, sample, corrected, "--layer", "de", "--replace")
    after = listed(cli, sample, MEMO, "de")
    assert list(after) == list(before)
    assert (after["p1"]["state"], after["p1"]["by"]) == ("draft", None)  # changed: reset
    for sid in list(after)[1:]:
        assert after[sid] == before[sid]  # unchanged: state, reviewer, time and comment kept
    stored = raw(sample / "translations" / MEMO / "de.yaml")["layer"]["reviews"]
    assert [r["segment"] for r in stored] == list(after)[1:]


def test_a_revision_keeps_the_states_of_the_text_it_does_not_change(sample, cli, tmp_path):
    add_german(cli, sample)
    assert cli("review", MEMO, "de", "--segment", "p1,p2,p3", "--state", "approved", "--by", "Anna", "-C", sample).exit_code == 0
    corrected = changed_delivery(tmp_path, "Die Kundgebungen waren gut organisiert", "Die Kundgebungen waren bestens organisiert")
    add_german(cli, sample, corrected, "--revises", "de")
    revision = listed(cli, sample, MEMO, "de.2")
    assert [revision[s]["state"] for s in ("p1", "p2", "p3", "p4")] == ["approved", "draft", "approved", "draft"]
    assert revision["p2"]["by"] is None
    assert listed(cli, sample, MEMO, "de")["p2"]["state"] == "approved"  # the revised layer keeps its own


# --------------------------------------------------------------------------
# Bad input


@pytest.mark.parametrize(
    "args, message",
    [
        (["--segment", "p1", "--state", "done", "--by", "Anna"], "unknown review state 'done'"),
        (["--segment", "p99", "--state", "approved", "--by", "Anna"], "has no segment 'p99'"),
        (["--segment", "p1", "--state", "approved"], "needs the reviewer's name"),
        (["--segment", "p1", "--state", "approved", "--by", "  "], "needs the reviewer's name"),
        (["--segment", "p1", "--by", "Anna"], "pass --state"),
        (["--state", "approved", "--by", "Anna"], "--segment ID, or pass --all"),
        (["--all", "--segment", "p1", "--state", "approved", "--by", "Anna"], "--segment ID, or pass --all"),
        (["--list", "--state", "approved"], "--list shows the states"),
        (["--segment", "p1", "--state", "approved", "--by", "Anna", "--no-such"], "No such option"),
    ],
)
def test_bad_review_requests_exit_2_and_change_nothing(sample, cli, args, message):
    assert cli("review", LETTER, "en", "--segment", "p2", "--state", "reviewed", "--by", "Boris", "-C", sample).exit_code == 0
    before = snapshot(sample)
    result = cli("review", LETTER, "en", *args, "-C", sample)
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert snapshot(sample) == before


def test_an_unknown_layer_and_a_segment_without_text_are_refused(sample, cli):
    add_german(cli, sample)
    before = snapshot(sample)
    unknown = cli("review", MEMO, "fr", "--all", "--state", "approved", "--by", "Anna", "-C", sample)
    assert unknown.exit_code == 2 and "has no layer 'fr'" in unknown.stderr and "hint: its layers: en, de" in unknown.stderr
    # p11 was joined into p10 in the German text: empty, nothing to review.
    assert store.load(sample).document(MEMO).segment("p11").text["de"] == ""
    empty = cli("review", MEMO, "de", "--segment", "p11", "--state", "approved", "--by", "Anna", "-C", sample)
    assert empty.exit_code == 2 and "segment 'p11' has no text in layer 'de'" in empty.stderr
    assert snapshot(sample) == before


def test_a_malformed_review_in_a_file_is_reported_at_its_line(sample, cli):
    assert cli("review", LETTER, "en", "--segment", "p2", "--state", "reviewed", "--by", "Boris", "-C", sample).exit_code == 0
    path = sample / "seeds" / f"{LETTER}.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.strip() == "state: reviewed")
    lines[at] = lines[at].replace("reviewed", "checked")
    path.write_text("".join(lines), encoding="utf-8")
    result = cli("validate", "-C", sample)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{LETTER}.yaml:{at + 1}:" in result.stderr and "'state' cannot be 'checked'" in result.stderr
    assert "one of: draft, reviewed, approved" in result.stderr


# --------------------------------------------------------------------------
# The status board


def hand_count(root: Path) -> dict[str, dict[str, tuple[int, int, int]]]:
    """Per document and layer, counted from the files with plain PyYAML:
    (segments, segments with the layer's text or joined, segments with text)."""
    out: dict[str, dict[str, tuple[int, int, int]]] = {}
    for path in sorted((root / "seeds").glob("*.yaml")):
        tree = raw(path)
        texts = {layer["id"]: [s.get(layer["id"]) for s in tree["segments"]] for layer in tree["layers"]}
        for extra in sorted((root / "translations" / tree["id"]).glob("*.yaml")):
            layer = raw(extra)
            texts[layer["layer"]["id"]] = [(layer.get("segments") or {}).get(s["id"]) for s in tree["segments"]]
        out[tree["id"]] = {lid: (len(tree["segments"]), sum(t is not None for t in ts), sum(bool(t) for t in ts)) for lid, ts in texts.items()}
    return out


def test_status_json_agrees_with_a_hand_count_on_the_sample(sample, cli):
    add_german(cli, sample)
    assert cli("review", MEMO, "de", "--segment", "p1,p2", "--state", "approved", "--by", "Anna", "-C", sample).exit_code == 0
    assert cli("review", MEMO, "de", "--segment", "p3", "--state", "reviewed", "--by", "Boris", "-C", sample).exit_code == 0
    assert cli("review", LETTER, "en", "--all", "--state", "approved", "--by", "Anna", "-C", sample).exit_code == 0
    result = cli("status", "--json", "-C", sample)
    assert result.exit_code == 0, result.output
    board = json.loads(result.stdout)
    counted = hand_count(sample)
    # The sample as counted by hand: 18, 12 and 6 segments, every one in English.
    assert {doc: {l: c[0] for l, c in layers.items()} for doc, layers in counted.items()} == {
        MEMO: {"en": 18, "de": 18}, "1956-09-18-anonymous-letter-editorial-board": {"en": 12}, LETTER: {"en": 6},
    }  # fmt: skip
    assert [d["id"] for d in board["documents"]] == [MEMO, "1956-09-18-anonymous-letter-editorial-board", LETTER]
    de_flagged = raw(sample / "translations" / MEMO / "de.yaml")["layer"].get("flagged", [])
    for doc in board["documents"]:
        for row in doc["layers"]:
            segments, translated, with_text = counted[doc["id"]][row["layer"]]
            assert (row["segments"], row["covered"], row["translated"]) == (segments, segments, translated)
            assert sum(row["review"].values()) == with_text
            assert row["lost_notes"] == 0 and row["terminology"] == 0
            assert row["flagged"] == (len(de_flagged) if row["layer"] == "de" else 0)
    rows = {(d["id"], l["layer"]): l for d in board["documents"] for l in d["layers"]}
    de_with_text = counted[MEMO]["de"][2]
    assert rows[MEMO, "de"]["review"] == {"draft": de_with_text - 3, "reviewed": 1, "approved": 2}
    assert rows[LETTER, "en"]["review"] == {"draft": 0, "reviewed": 0, "approved": 6}
    assert rows[MEMO, "en"]["review"] == {"draft": 18, "reviewed": 0, "approved": 0}
    totals = board["totals"]
    assert (totals["documents"], totals["layers"], totals["segments"], totals["translated"]) == (3, 4, 54, 54)
    assert totals["review"] == {"draft": 18 + 12 + de_with_text - 3, "reviewed": 1, "approved": 8}
    # The table for people shows the same figures.
    table = cli("status", "-C", sample).stdout
    assert "total: 3 document(s), 4 translation(s)" in table and "54/54" in table


@pytest.mark.shared_data
def test_status_on_a_real_pair_agrees_with_its_truth_file(tmp_path, cli, real_data):
    root = tmp_path / "toska"
    assert cli("init", root, "--title", "Тоска").exit_code == 0
    pairs = real_data / "pairs"
    for lang in ("ru", "en"):
        (tmp_path / f"{lang}.txt").write_text((pairs / f"chekhov-toska.{lang}.txt").read_text(encoding="utf-8"), encoding="utf-8")
    assert cli("import", tmp_path / "ru.txt", "--lang", "ru", "-C", root).exit_code == 0
    assert cli("translation", "add", "toska", tmp_path / "en.txt", "--lang", "en", "--from", "ru", "-C", root).exit_code == 0
    # The truth file: for each English paragraph the Russian paragraphs it
    # translates (the title is paragraph 1 and the document's title, no
    # segment). Every Russian paragraph is translated; one joined into the
    # paragraph before it (¶14+15, ¶61+62) has no text of its own.
    truth = [[int(n) for n in line.replace(",", " ").split()] for line in (pairs / "chekhov-toska.truth.txt").read_text().splitlines() if line.strip()]
    russian = {n for line in truth for n in line} - {1}
    joined = {n for line in truth for n in line[1:]}
    assert len(russian) == 61 and joined == {15, 62}
    assert cli("review", "toska", "en", "--segment", "p1,p2,p3,p4,p5", "--state", "approved", "--by", "Anna", "-C", root).exit_code == 0
    assert cli("review", "toska", "en", "--segment", "p6", "--state", "reviewed", "--by", "Boris", "-C", root).exit_code == 0
    board = json.loads(cli("status", "--json", "-C", root).stdout)
    (doc,) = board["documents"]
    rows = {row["layer"]: row for row in doc["layers"]}
    assert (rows["ru"]["role"], rows["en"]["role"]) == ("original", "translation")
    assert (doc["segments"], rows["en"]["translated"], rows["en"]["covered"]) == (61, len(russian), 61)
    assert rows["en"]["review"] == {"draft": len(russian) - len(joined) - 6, "reviewed": 1, "approved": 5}
    flagged = raw(root / "translations" / "toska" / "en.yaml")["layer"]["flagged"]
    assert rows["en"]["flagged"] == len(flagged) > 0
    assert board["totals"]["layers"] == 1 and board["totals"]["review"] == rows["en"]["review"]  # the original is no translation


def test_status_counts_a_note_whose_anchor_is_lost(sample, cli):
    add_german(cli, sample)
    note = cli("note", "add", MEMO, "--layer", "de", "--segment", "p1", "--at", "Massenkundgebungen", "--text", "Rallies.", "-C", sample)
    assert note.exit_code == 0, note.output
    path = sample / "translations" / MEMO / "de.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("fanden in 14 großen Betrieben Moskaus Massenkundgebungen", "fanden in 14 großen Betrieben Moskaus Kundgebungen"), encoding="utf-8")
    result = cli("status", "--json", "-C", sample)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "de.yaml:" in result.stderr and "is not in p1 of layer 'de'" in result.stderr  # the error, with its place
    board = json.loads(result.stdout)  # and the board nonetheless
    row = next(l for d in board["documents"] if d["id"] == MEMO for l in d["layers"] if l["layer"] == "de")
    assert row["lost_notes"] == 1 and board["totals"]["lost_notes"] == 1


def test_the_site_has_the_status_board(sample, cli):
    from lxml import html as lxml_html

    add_german(cli, sample)
    assert cli("review", MEMO, "de", "--segment", "p1,p2", "--state", "approved", "--by", "Anna", "-C", sample).exit_code == 0
    board = json.loads(cli("status", "--json", "-C", sample).stdout)
    out = sample / "build" / "site"
    assert cli("site", "-C", sample).exit_code == 0
    first = (out / "status.html").read_bytes()
    tree = lxml_html.fromstring(first)
    for doc in board["documents"]:
        for row in doc["layers"]:
            (tr,) = tree.xpath(f"//tr[@data-document='{doc['id']}'][@data-layer='{row['layer']}']")
            cells = [td.text_content() for td in tr.xpath("td")]
            r = row["review"]
            assert cells == [row["layer"], f"{row['translated']}/{row['segments']}", *map(str, (r["draft"], r["reviewed"], r["approved"], row["flagged"], row["lost_notes"], row["terminology"]))]
    assert "Total: 3 document(s), 4 translation(s)" in tree.xpath("//tfoot")[0].text_content()
    assert tree.xpath("//nav[@class='site-nav']/a[@href='status.html']")
    # Nothing from outside the folder; the same edition gives the same bytes.
    assert not [u for u in tree.xpath("//@href | //@src") if ":" in u or u.startswith("//")]
    assert cli("site", "-C", sample).exit_code == 0
    assert (out / "status.html").read_bytes() == first


def test_a_title_on_the_status_page_is_escaped(sample, cli):
    path = sample / "seeds" / f"{LETTER}.yaml"
    text = path.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith("title: "))
    path.write_text(text.replace(line, "title: 'Letter <script>alert(1)</script> & {{ 7*7 }} against Stalin'", 1), encoding="utf-8")
    assert cli("site", "-C", sample).exit_code == 0
    page = (sample / "build" / "site" / "status.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; {{ 7*7 }}" in page


# --------------------------------------------------------------------------
# Print: the draft mark and the final build


def approve_everything(cli, root: Path) -> None:
    for doc in (MEMO, "1956-09-18-anonymous-letter-editorial-board", LETTER):
        assert cli("review", doc, "en", "--all", "--state", "approved", "--by", "Anna", "-C", root).exit_code == 0


def run_installed(*args, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO)}
    exe = Path(sys.executable).with_name("edition")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "edition.cli"]
    return subprocess.run([*command, *map(str, args)], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def test_a_final_build_refuses_unapproved_text_and_names_each_place(sample):
    assert run_installed("review", LETTER, "en", "--segment", "p1,p2,p3,p4,p5", "--state", "approved", "--by", "Anna", cwd=sample).returncode == 0
    assert run_installed("review", LETTER, "en", "--segment", "p6", "--state", "reviewed", "--by", "Boris", cwd=sample).returncode == 0
    before = snapshot(sample)
    result = run_installed("build", "--final", cwd=sample)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert snapshot(sample) == before and not (sample / "build").exists()  # no PDF, nothing written
    problems = [line for line in result.stderr.splitlines() if "is printed but not approved" in line]
    assert len(problems) == 18 + 12 + 1  # every printed segment but the five approved
    # Each at the line of its segment in the file that holds it.
    for line in problems:
        where, _, message = line.partition(": segment ")
        file, number, _column = where.rsplit(":", 2)
        segment = message.split()[0]
        assert Path(file).read_text(encoding="utf-8").splitlines()[int(number) - 1].strip() == f"- id: {segment}"
    assert f"seeds/{LETTER}.yaml:" in problems[-1] and "segment p6 of layer 'en'" in problems[-1] and "reviewed by Boris" in problems[-1]
    assert "never reviewed" in problems[0]
    assert "hint: a final build prints approved text only (31 segment(s) are not)" in result.stderr


def test_layer_files_are_named_at_the_line_of_the_segment(sample, cli):
    add_german(cli, sample)
    approve_everything(cli, sample)
    result = cli("build", "--final", "--reading", "de", "-C", sample)
    assert result.exit_code == 1
    problems = [line for line in result.stderr.splitlines() if "is printed but not approved" in line]
    path = sample / "translations" / MEMO / "de.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    with_text = hand_count(sample)[MEMO]["de"][2]
    assert len(problems) == with_text
    for problem in problems:
        assert problem.startswith(f"{path}:")
        number = int(problem[len(str(path)) + 1 :].split(":")[0])
        segment = problem.split(": segment ")[1].split()[0]
        assert lines[number - 1].strip().startswith(f"{segment}:")


def test_a_draft_build_marks_unreviewed_text_and_a_final_build_passes_once_all_is_approved(sample, cli):
    from .overprint import faults

    assert cli("review", LETTER, "en", "--all", "--state", "approved", "--by", "Anna", "-C", sample).exit_code == 0
    assert cli("review", MEMO, "en", "--segment", "p1", "--state", "reviewed", "--by", "Boris", "-C", sample).exit_code == 0
    draft = cli("build", "--html", sample / "build" / "draft.html", "-C", sample)
    assert draft.exit_code == 0, draft.output
    from lxml import html as lxml_html

    tree = lxml_html.fromstring((sample / "build" / "draft.html").read_bytes())
    marked = {(b.get("data-segment"), b.get("data-layer")) for b in tree.xpath("//*[contains(concat(' ', @class, ' '), ' unreviewed ')]")}
    # Unreviewed: every segment of the two documents not reviewed, none of the approved letter; p1 was reviewed.
    expected = {(f"p{n}", "en") for n in range(2, 19)} | {(f"p{n}", "en") for n in range(1, 13)}
    assert marked == expected
    assert faults(sample / "build" / "edition.pdf") == []
    refused = cli("build", "--final", "-C", sample)
    assert refused.exit_code == 1
    approve_everything(cli, sample)
    final = cli("build", "--final", "--out", sample / "build" / "final.pdf", "--html", sample / "build" / "final.html", "-C", sample)
    assert final.exit_code == 0, final.output
    assert (sample / "build" / "final.pdf").stat().st_size > 0
    assert "unreviewed" not in (sample / "build" / "final.html").read_text(encoding="utf-8").split("</style>")[-1]
    assert faults(sample / "build" / "final.pdf") == []


def test_an_edition_not_under_review_prints_without_marks(sample):
    from edition.render.html import volume_view

    view, _ = volume_view(store.load(sample))
    assert not any(block.unreviewed for doc in view.documents for block in doc.text_blocks())


def test_states_follow_a_corrected_source_and_a_merged_text_is_a_draft_again(worked, cli, tmp_path):
    for layer in ("en", "en.2", "de"):
        assert cli("review", GORKY, layer, "--all", "--state", "approved", "--by", "Anna", "-C", worked).exit_code == 0
    source = corrected(tmp_path, paragraph_of(P3) + "\n\n", paragraph_of(P3) + " ")
    result = cli("import", source, "--replace", "-C", worked)
    assert result.exit_code == 0, result.output
    assert "merged: p3 + p4 → p3" in result.stderr
    assert cli("validate", "-C", worked).exit_code == 0  # no review left on the gone p4
    for layer in ("en", "en.2", "de"):
        states = listed(cli, worked, GORKY, layer)
        assert {s: e["state"] for s, e in states.items()} == {"p1": "approved", "p2": "approved", "p3": "draft", "p5": "approved", "p6": "approved"}, layer
        assert states["p3"]["changed"] is True  # p3's old state, its text since joined with p4's


def test_a_parallel_final_build_checks_every_printed_column(sample, cli):
    add_german(cli, sample)
    assert cli("review", MEMO, "en", "--all", "--state", "approved", "--by", "Anna", "-C", sample).exit_code == 0
    result = cli("build", "--final", "--columns", "en,de", "-C", sample)
    assert result.exit_code == 1 and not (sample / "build").exists()
    problems = [line for line in result.stderr.splitlines() if "is printed but not approved" in line]
    de = [p for p in problems if "of layer 'de'" in p]
    assert len(de) == hand_count(sample)[MEMO]["de"][2]  # the German column, every segment with text
    assert len(problems) - len(de) == 12 + 6  # the other documents have English alone: one column


def test_the_library_sets_states_and_a_text_in_another_normal_form_is_the_same_text():
    import unicodedata

    from edition import review
    from edition.model import Document, Layer, Segment

    text = "Ёлка у Хрущёва"
    doc = Document(id="d", title="D", layers=[Layer(id="en", lang="en")], segments=[Segment("p1", text={"en": text}), Segment("p2", text={"en": ""})])
    assert review.set_state(doc, "en", None, "approved", "Anna", at="2026-12-01T10:00:00Z") == ["p1"]  # p2: joined, empty
    assert review.state_of(doc, doc.layer("en"), "p1").state == "approved"
    doc.segments[0].text["en"] = unicodedata.normalize("NFD", text)
    assert review.state_of(doc, doc.layer("en"), "p1").state == "approved"
    doc.segments[0].text["en"] = text + "."
    entry = review.state_of(doc, doc.layer("en"), "p1")
    assert (entry.state, entry.changed, entry.record.by) == ("draft", True, "Anna")
    assert review.counts(doc, doc.layer("en")) == {"draft": 1, "reviewed": 0, "approved": 0}
    with pytest.raises(Exception, match="unknown review state 'final'"):
        review.set_state(doc, "en", ["p1"], "final", "Anna")
    assert doc.layer("en").reviews[0].state == "approved"  # a refused request changes nothing


def test_review_states_are_in_the_json_export(sample, cli):
    assert cli("review", LETTER, "en", "--segment", "p2", "--state", "approved", "--by", "Anna", "-C", sample).exit_code == 0
    data = json.loads(cli("export", "json", "-C", sample).stdout)
    (doc,) = [d for d in data["documents"] if d["id"] == LETTER]
    (layer,) = [la for la in doc["layers"] if la["id"] == "en"]
    (review,) = layer["reviews"]
    assert (review["segment"], review["state"], review["by"]) == ("p2", "approved", "Anna") and len(review["digest"]) > 10
