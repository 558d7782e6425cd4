"""An edition's settings are described once (edition/settings.py): the
store reads and writes them through that description, the command line
takes its choices from it, and a wrong value is refused in the same words
whether it comes from edition.yaml, an option or an Edition made in Python."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import typing

import pytest

from edition import api, cli as cli_module, store
from edition.errors import EditionError, UsageError
from edition.model import Edition
from edition.render.html import _check_print_settings
from edition.settings import PAGE_FORMATS, SETTINGS, Settings, setting_problem

from .conftest import REPO, snapshot


def test_every_setting_is_an_attribute_of_the_edition_with_its_default():
    edition = Edition(title="T")
    assert [s.name for s in SETTINGS] == [f.name for f in dataclasses.fields(Settings)]
    assert {s.name: getattr(edition, s.name) for s in SETTINGS} == {s.name: s.default for s in SETTINGS}
    assert store.EDITION_FIELDS[6:-1] == tuple(s.name for s in SETTINGS)
    assert all(s.meaning and s.kind in ("word", "text", "list", "flag") for s in SETTINGS)


def test_the_page_sizes_are_the_page_formats():
    assert SETTINGS[0].choices == tuple(PAGE_FORMATS) == ("A4", "A5", "B5", "6x9in")
    assert all(name == page.name for name, page in PAGE_FORMATS.items())


def test_the_command_lines_choices_come_from_the_description():
    assert typing.get_args(cli_module.Layout) == next(s.choices for s in SETTINGS if s.name == "layout")
    assert typing.get_args(cli_module.PdfVariant) == next(s.choices for s in SETTINGS if s.name == "pdf_variant")


def test_edition_yaml_round_trips_every_setting(tmp_path):
    values = {
        "page_size": "B5", "layout": "parallel", "columns": ["ru", "en"], "line_numbers": "page",
        "bleed": "3mm", "marks": "crop cross", "apparatus": "all", "apparatus_at": "end", "index": "lines",
        "index_cyrillic": "transliterated", "pdf_variant": "pdf/ua-1", "reading": "en.2", "reading_gaps": "original", "numbering": "source",
        "glossary": True, "typography": False,
    }  # fmt: skip
    assert set(values) == {s.name for s in SETTINGS}
    (tmp_path / "seeds").mkdir()
    store.write_edition_file(tmp_path, Edition(title="T", **values))
    read = store.read_edition_file(tmp_path / "edition.yaml")
    assert {name: getattr(read, name) for name in values} == values


def test_defaults_are_left_out_of_edition_yaml_but_the_page_and_layout():
    tree = store.edition_tree(Edition(title="T"))
    written = {name: tree[name] for name in (s.name for s in SETTINGS) if tree[name] not in (None, [])}
    assert written == {"page_size": "A5", "layout": "translation"}


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("page_size", "Letter", "unknown page size 'Letter'"),
        ("layout", "sideways", "unknown layout 'sideways'"),
        ("apparatus_at", "margin", "'apparatus_at' cannot be 'margin'"),
        ("bleed", "lots", "'bleed' must be a length, not 'lots'"),
    ],
)
def test_a_wrong_value_reads_the_same_from_the_file_and_from_python(tmp_path, name, value, message):
    assert setting_problem(name, value)[0] == message
    path = tmp_path / "edition.yaml"
    path.write_text(f"title: T\n{name}: {value}\n", "utf-8")
    with pytest.raises(EditionError) as info:
        store.read_edition_file(path)
    (problem,) = info.value.problems
    assert (problem.message, problem.line) == (message, 2)
    with pytest.raises(EditionError) as info:
        _check_print_settings(dataclasses.replace(Edition(title="T"), **{name: value}))
    assert info.value.problems[0].message == message


def test_a_wrong_option_is_a_wrong_command_line_and_changes_nothing(tmp_path):
    from .conftest import copy_sample

    root = copy_sample(tmp_path / "ed")
    before = snapshot(root)
    with pytest.raises(UsageError, match="unknown layout 'sideways'"):
        api.build(root, layout="sideways")
    with pytest.raises(UsageError, match="'pdf_variant' cannot be 'pdf/x'"):
        api.build(root, pdf_variant="pdf/x")
    with pytest.raises(UsageError, match="a column is named twice") as info:
        api.build_site(root, columns=["ru,ru"])
    assert "--columns" in info.value.problems[0].hint
    assert snapshot(root) == before


def test_the_installed_command_names_the_setting_and_its_line(tmp_path):
    from .conftest import copy_sample

    root = copy_sample(tmp_path / "ed")
    path = root / "edition.yaml"
    lines = path.read_text("utf-8").splitlines(keepends=True)
    lines.append("numbering: roman\n")
    path.write_text("".join(lines), "utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "edition.cli", "validate", "-C", str(root)], capture_output=True, text=True, timeout=120,
        cwd=REPO,
    )  # fmt: skip
    assert done.returncode == 1
    assert f"edition.yaml:{len(lines)}:1: 'numbering' cannot be 'roman'" in done.stderr
    assert "hint: one of: volume, source" in done.stderr and "Traceback" not in done.stderr


def test_the_readme_shows_every_setting_and_its_values():
    """The README's example edition.yaml names each setting with the values
    it takes: a setting added to the description must be told there too."""
    readme = (REPO / "README.md").read_text("utf-8")
    block = readme.split("`edition.yaml` chooses how the PDF prints each document:", 1)[1].split("\n\n", 2)[1]
    told: dict[str, str] = {}  # each setting's line with the comment lines that go on from it
    last = ""
    for line in block.splitlines():
        if line.lstrip().startswith("#"):
            told[last] += line
        else:
            last = line.split(":", 1)[0].strip()
            told[last] = line
    for s in SETTINGS:
        assert s.name in told, s.name
        assert [c for c in s.choices if c not in told[s.name]] == [], s.name


def test_an_empty_word_means_the_default(tmp_path):
    path = tmp_path / "edition.yaml"
    path.write_text("title: T\npage_size: ''\nline_numbers: ''\nmarks: ''\n", "utf-8")
    read = store.read_edition_file(path)
    assert (read.page_size, read.line_numbers, read.marks) == ("A5", "document", None)
    path.write_text("title: T\nbleed: ''\n", "utf-8")  # a length is not a word: empty is wrong
    with pytest.raises(EditionError, match="'bleed' must be a length"):
        store.read_edition_file(path)
