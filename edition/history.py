"""An edition's history from git: a document as it was at any revision
(`edition compare DOC en@REV en`) and the commits that changed a segment
(`edition log DOC`). Git is asked through its plumbing commands
(rev-parse, ls-tree, cat-file, rev-list), whose output is made for
programs, never by reading what `git log` prints for people; the files of
the past are read into a temporary folder and loaded like any edition."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import store
from .errors import UsageError
from .model import Document

_GIT_ENV = {"GIT_PAGER": "cat", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}


def _git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    if shutil.which("git") is None:
        raise UsageError.at("history needs git, which is not installed here", hint="install git (Debian: apt-get install git)")
    done = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, env={**os.environ, **_GIT_ENV}, timeout=120,
    )  # fmt: skip
    if check and done.returncode != 0:
        raise UsageError.at(f"git {args[0]}: {done.stderr.decode('utf-8', 'replace').strip()}")
    return done


def repository(root: Path) -> tuple[Path, str]:
    """The git work tree holding the edition, and the edition's folder
    within it (posix, "" at the top)."""
    root = Path(root).resolve()
    done = _git(root, "rev-parse", "--show-toplevel", check=False) if root.is_dir() else None
    if done is None or done.returncode != 0:
        raise UsageError.at(
            "history needs git: this edition is not in a git repository", root,
            hint="`git init` the edition's folder and commit it; `@REV` then names a commit, a tag or a branch",
        )  # fmt: skip
    top = Path(done.stdout.decode().strip()).resolve()
    return top, root.relative_to(top).as_posix() if root != top else ""


def commit_of(root: Path, rev: str) -> str:
    """The full id of the commit `rev` names; a revision that does not exist says so."""
    top, _ = repository(root)
    if not rev or rev.startswith("-"):
        raise UsageError.at(f"'{rev}' is not a revision", hint="name a commit, a tag or a branch, e.g. en@HEAD~3 or en@v1.0")
    done = _git(top, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False)
    if done.returncode != 0:
        raise UsageError.at(
            f"revision '{rev}' does not exist in this repository", top, hint="see `git log` for the commits, `git tag` for the tags"
        )
    return done.stdout.decode().strip()


def edition_at(root: Path, rev: str, into: Path, only: str | None = None) -> Path:
    """Write the edition's files as they were at `rev` into the folder
    `into` (edition.yaml, names.yaml, seeds/, translations/; with `only`, of
    that one document); returns it."""
    top, prefix = repository(root)
    commit = commit_of(root, rev)
    listing = _git(top, "ls-tree", "-r", "-z", "--full-tree", commit, "--", prefix or ".").stdout.split(b"\0")
    wanted: tuple[str, ...] = (store.EDITION_FILE, store.NAMES_FILE, store.DOCUMENTS_DIR + "/", store.TRANSLATIONS_DIR + "/")
    if only is not None:
        wanted = (store.EDITION_FILE, f"{store.DOCUMENTS_DIR}/{only}.yaml", f"{store.TRANSLATIONS_DIR}/{only}/")
    for entry in filter(None, listing):
        info, _, raw = entry.partition(b"\t")
        mode, kind, blob = info.decode().split()
        path = raw.decode("utf-8", "surrogateescape")
        inner = path[len(prefix) + 1 :] if prefix else path
        if kind != "blob" or mode == "120000" or not inner.startswith(wanted) or not inner.endswith(".yaml"):
            continue  # links are not followed, not even in the past
        target = into / inner
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_git(top, "cat-file", "blob", blob).stdout)
    if not (into / store.EDITION_FILE).is_file():
        raise UsageError.at(f"the edition did not exist at revision '{rev}'", root, hint="name a later revision")
    return into


def document_at(root: Path, doc_id: str, rev: str) -> Document:
    """A document as it was at revision `rev` (by its id, as it was then)."""
    with tempfile.TemporaryDirectory(prefix="edition-history-") as folder:
        ws = store.load_workspace(edition_at(root, rev, Path(folder), only=doc_id))
        doc = ws.edition.document(doc_id)
        if doc is None:
            raise UsageError.at(f"document '{doc_id}' did not exist at revision '{rev}'", hint="name a later revision")
        return doc


def with_past_layer(doc: Document, past: Document, layer_id: str, name: str) -> Document:
    """`doc` with the text of `past`'s layer `layer_id` added as layer
    `name` (e.g. "en@v1.0"), segment by segment; a segment the past had and
    the present has not is put after the segment it followed."""
    from copy import deepcopy

    from .model import Layer, Segment

    then = past.layer(layer_id)
    if then is None:
        raise UsageError.at(
            f"document '{doc.id}' had no layer '{layer_id}' at that revision",
            hint=f"its layers then: {', '.join(l.id for l in past.layers)}",
        )
    merged = deepcopy(doc)
    merged.layers.append(Layer(name, then.lang))
    present = {s.id: s for s in merged.segments}
    previous = None
    for segment in past.segments:
        text = segment.text.get(layer_id)
        if segment.id in present:
            if text is not None:
                present[segment.id].text[name] = text
        elif text is not None:
            at = next((k + 1 for k, s in enumerate(merged.segments) if s.id == previous), 0)
            added = Segment(segment.id, segment.kind, {name: text})
            merged.segments.insert(at, added)
            present[segment.id] = added
        previous = segment.id
    return merged


@dataclass(frozen=True)
class Change:
    """A commit that changed a segment's text in a layer."""

    commit: str
    author: str
    date: str  # ISO 8601, the author's
    subject: str
    segment: str
    layer: str
    before: str | None  # None: the segment had no text in the layer
    after: str | None


def segment_log(root: Path, doc_id: str, layer: str | None = None, segment: str | None = None, limit: int = 200) -> list[Change]:
    """The commits (newest first) that changed the text of `doc_id`'s
    segments — one layer's or every layer's, one segment or all — with the
    text before and after each."""
    top, prefix = repository(root)
    base = f"{prefix}/" if prefix else ""
    paths = [f"{base}{store.DOCUMENTS_DIR}/{doc_id}.yaml", f"{base}{store.TRANSLATIONS_DIR}/{doc_id}"]
    ids = _git(top, "rev-list", f"--max-count={limit}", "HEAD", "--", *paths).stdout.decode().split()
    changes: list[Change] = []
    texts_at: dict[str, dict[tuple[str, str], str]] = {}

    def texts(commit: str) -> dict[tuple[str, str], str]:
        if commit not in texts_at:
            try:
                past = document_at(root, doc_id, commit)
            except UsageError:
                texts_at[commit] = {}
            else:
                texts_at[commit] = {(s.id, lid): t for s in past.segments for lid, t in s.text.items()}
        return texts_at[commit]

    for commit in ids:
        meta = _git(top, "cat-file", "commit", commit).stdout.decode("utf-8", "replace")
        head, _, message = meta.partition("\n\n")
        author = next((line[len("author ") :] for line in head.splitlines() if line.startswith("author ")), "")
        name, _, stamp = author.rpartition(" <")
        seconds = stamp.split("> ")[-1].split()[0] if "> " in stamp else "0"
        parents = [line.split()[1] for line in head.splitlines() if line.startswith("parent ")]
        now, before = texts(commit), texts(parents[0]) if parents else {}
        for key in sorted(set(now) | set(before)):
            sid, lid = key
            if (layer and lid != layer) or (segment and sid != segment) or now.get(key) == before.get(key):
                continue
            changes.append(
                Change(
                    commit,
                    name,
                    _iso(int(seconds)),
                    message.strip().splitlines()[0] if message.strip() else "",
                    sid,
                    lid,
                    before.get(key),
                    now.get(key),
                )
            )
    return changes


def _iso(seconds: int) -> str:
    import datetime

    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")


__all__ = ["Change", "commit_of", "document_at", "edition_at", "repository", "segment_log", "with_past_layer"]
