"""`edition doctor`: the edition's consistency across its layers, beyond
what `validate` checks file by file — a segment missing from a layer, an
alignment that needs review, a paragraph that matched no segment, a
revision chain that turns in a circle, a registered name found nowhere,
a term of terms.yaml rendered otherwise than the glossary says, temporary
files left by an interrupted write.

Intentionally absent text: a segment whose text in a layer is empty
(`p11: ""`) is absent on purpose (the translator left it out, or its wording
stands in the segment before, where two paragraphs were merged); a segment
with no entry at all in a layer is reported. Low-confidence alignments are
the segment ids in a layer's `flagged` list; unaligned paragraphs are its
`unaligned` list: both are listed as warnings, which do not fail the check.
A layer that covers part of the document (its `coverage`) lacks the other
segments by design: they are listed as a note, "not translated"."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

from . import store
from .errors import Problem
from .model import Document, Layer
from .store import Workspace

# A temporary file of store.atomic_write: ".<name>.<random>.tmp". The loader
# never reads it (it reads *.yaml only), so it is harmless, but it is left
# over only by an interrupted write, which is worth knowing.
_TEMPORARY = re.compile(r"^\..+\.[A-Za-z0-9_]+\.tmp$")

# Checks of one document: (workspace, document) → problems.
DocumentCheck = Callable[[Workspace, Document], list[Problem]]


def doctor(root: Path) -> list[Problem]:
    """Every problem `validate` finds, then the checks across layers.
    Errors make the edition inconsistent; warnings list what an editor
    should review (they do not fail `edition doctor`)."""
    ws = store.load_workspace(Path(root))
    problems = list(ws.problems)
    for doc in ws.edition.documents:
        for check in DOCUMENT_CHECKS:
            problems.extend(check(ws, doc))
    problems.extend(register_problems(ws))
    problems.extend(terminology(ws))
    problems.extend(leftover_temporary_files(ws.root))
    return problems


def _where(ws: Workspace, doc: Document, layer: Layer) -> tuple[Path | None, int | None, int | None]:
    """The file and line where a layer is defined (its header)."""
    files = ws.files.get(doc.id)
    found = ws.positions.get(doc.id, {}).get(f"layer:{layer.id}")
    if found:
        return found
    path = files.layer_files.get(layer.id, files.path) if files else None
    return path, None, None


def _ids(ids: list[str], limit: int = 12) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" … ({len(ids)} in all)" if len(ids) > limit else "")


def missing_segments(ws: Workspace, doc: Document) -> list[Problem]:
    """Segments with no entry in a layer: missing by mistake where the layer
    sets out to translate them (an error), not translated where it covers
    part of the document (a note). An empty text is absent on purpose."""
    problems = []
    for layer in doc.layers:
        covered = set(doc.covered(layer))
        absent = [s.id for s in doc.segments if layer.id not in s.text]
        missing = [sid for sid in absent if sid in covered]
        untranslated = [sid for sid in absent if sid not in covered]
        path, line, column = _where(ws, doc, layer)
        if untranslated:
            have = len(doc.segments) - len(untranslated)
            problems.append(
                Problem(
                    f"document '{doc.id}': layer '{layer.id}' translates part of the document ({have} of {len(doc.segments)} "
                    f"segments); not translated: {_ids(untranslated)}",
                    path,
                    line,
                    column,
                    severity="note",
                )
            )
        if not missing:
            continue
        problems.append(
            Problem(
                f"document '{doc.id}': {'segment' if len(missing) == 1 else 'segments'} {_ids(missing)} "
                f"{'has' if len(missing) == 1 else 'have'} no text in layer '{layer.id}' ({len(missing)} of {len(doc.segments)})",
                path,
                line,
                column,
                hint=f"add their text to layer '{layer.id}', or mark each as intentionally absent "
                f'with an empty text (`{missing[0]}: ""`) where it was left out or merged into the segment before'
                + (", or narrow the layer's `coverage`" if layer.coverage is not None else ""),
            )
        )
    return problems


def review_flags(ws: Workspace, doc: Document) -> list[Problem]:
    """Alignments the aligner was not sure of (the layer's `flagged` list)."""
    problems = []
    for layer in doc.layers:
        if layer.flagged:
            path, line, column = _where(ws, doc, layer)
            problems.append(
                Problem(
                    f"document '{doc.id}': the alignment of {_ids(layer.flagged)} in layer '{layer.id}' has low confidence",
                    path,
                    line,
                    column,
                    hint=f"compare them (`edition compare {doc.id} {_base_of(doc, layer)} {layer.id}`), correct the text if "
                    "needed, then remove them from the layer's `flagged` list",
                    severity="warning",
                )
            )
    return problems


def _base_of(doc: Document, layer: Layer) -> str:
    if layer.revises:
        return layer.revises
    if layer.translated_from and doc.layer(layer.translated_from):
        return layer.translated_from
    other = next((l for l in doc.layers if l.id != layer.id), layer)
    return other.id


def unaligned_paragraphs(ws: Workspace, doc: Document) -> list[Problem]:
    """Paragraphs of a delivered translation that matched no segment."""
    problems = []
    for layer in doc.layers:
        for item in layer.unaligned:
            path, line, column = _where(ws, doc, layer)
            text = " ".join(item.text.split())
            problems.append(
                Problem(
                    f"document '{doc.id}': a paragraph of layer '{layer.id}' matched no segment "
                    f"(kept after {item.after or 'the start'}): '{text[:60]}{'…' if len(text) > 60 else ''}'",
                    path,
                    line,
                    column,
                    hint="move its text into the segment it translates, or delete it from the layer's `unaligned` list",
                    severity="warning",
                )
            )
    return problems


def revision_cycles(ws: Workspace, doc: Document) -> list[Problem]:
    """A layer that revises itself, directly or through others: no layer of
    the chain can be the first. (Not `translated_from`: it names a layer or
    a language, and a language code is often also a layer id.)"""
    problems = []
    for layer in doc.layers:
        chain = [layer.id]
        current: Layer | None = layer
        while current is not None and current.revises and (current := doc.layer(current.revises)) is not None:
            if current.id == layer.id:
                path, line, column = _where(ws, doc, layer)
                problems.append(
                    Problem(
                        f"document '{doc.id}': layer '{layer.id}' revises itself ({' → '.join([*chain, layer.id])})",
                        path,
                        line,
                        column,
                        hint="correct 'revises' of one of these layers",
                    )
                )
                break
            if current.id in chain:  # a circle further on: reported from its own layers
                break
            chain.append(current.id)
    return problems


DOCUMENT_CHECKS: tuple[DocumentCheck, ...] = (missing_segments, revision_cycles, review_flags, unaligned_paragraphs)


def register_problems(ws: Workspace) -> list[Problem]:
    """Names in the register (names.yaml) found in no layer and no note.
    Nothing to check when the edition has no register."""
    path = ws.root / store.NAMES_FILE
    if not path.exists() or not ws.register.names:
        return []
    from .names import occurrences, unused

    return [
        Problem(
            f"{name.kind} '{name.id}' ({name.name}) of the register occurs in no document",
            path,
            hint="add the spelling it has in the text to its `forms`, or remove it from the register",
            severity="warning",
        )
        for name in unused(ws.register, occurrences(ws.edition, ws.register))
    ]


def terminology(ws: Workspace) -> list[Problem]:
    """Breaches of the terminology base (terms.yaml), as warnings."""
    if not ws.terms.terms:
        return []
    from .terms import check

    return term_problems(ws, check(ws.edition, ws.terms))


def term_problems(ws: Workspace, result) -> list[Problem]:
    """A note per language matched by exact forms only, then each breach of
    a `terms.check` result at the line of its segment in the layer's file."""
    from .terms import TERMS_FILE, unanalysed_languages

    problems = [
        Problem(
            f"no analyser for language '{lang}': its terms and renderings are matched by their exact word forms only",
            ws.root / TERMS_FILE,
            hint="give the inflected forms the texts use as further renderings (a list), or further terms",
            severity="note",
        )
        for lang in unanalysed_languages(ws.terms)
    ]
    for breach in result.breaches:
        path, line, name_layer = segment_place(ws, breach.document, breach.layer, breach.segment)
        hint = f"use '{breach.preferred}'" if breach.preferred else "reword it"
        entry = f"{TERMS_FILE}:{breach.entry}" if breach.entry else TERMS_FILE
        problems.append(Problem(breach.message(name_layer), path, line, None, f"{hint} (the glossary's entry: {entry})", "warning"))
    return problems


def segment_place(ws: Workspace, doc_id: str, layer_id: str, segment_id: str) -> tuple[Path | None, int | None, bool]:
    """The file and line of a segment's text in a layer, and whether that
    file holds other layers too (the document's own file)."""
    positions = ws.positions.get(doc_id, {})
    found = positions.get(f"segment:{segment_id}:{layer_id}")
    if found:
        return found[0], found[1], False
    found = positions.get(f"segment:{segment_id}")
    files = ws.files.get(doc_id)
    if found:
        return found[0], found[1], True
    return (files.path if files else None), None, True


def leftover_temporary_files(root: Path) -> list[Problem]:
    """Temporary files of an interrupted write (kill, power cut). The loader
    ignores them; they can be deleted."""
    root = Path(root)
    translations = root / store.TRANSLATIONS_DIR
    folders = [root, root / store.DOCUMENTS_DIR, translations, *(sorted(translations.iterdir()) if translations.is_dir() else [])]
    # what builds and exports write (build/edition.pdf, build/tei/, build/site/…)
    build = root / "build"
    folders += sorted(p for p in build.rglob("*") if p.is_dir()) if build.is_dir() else []
    folders.append(build)
    return [
        Problem(
            "temporary file left by an interrupted write; nothing reads it",
            path,
            hint="delete it",
            severity="warning",
        )
        for folder in folders
        if folder.is_dir()
        for path in sorted(folder.iterdir())
        if path.is_file() and _TEMPORARY.match(path.name)
    ]
