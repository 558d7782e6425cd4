"""The library face of edition: what each command does, callable from
Python without the command line (`edition.init`, `edition.import_files`,
`edition.validate`, `edition.build`)."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import store
from .errors import EditionError, Problem, UsageError
from .ids import check_id, id_problem
from .model import Document, Edition, Layer, LayerRole, Note, resolve_anchor
from .paths import check_inside, output_file, output_folder
from .store import Workspace

if TYPE_CHECKING:  # the re-import is loaded only by the import that needs it
    from .reimport import Reimport


def init(folder: Path, title: str = "Untitled edition", editors: list[str] | None = None) -> Path:
    """Make a new, empty edition in `folder`; refuse if one is there."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if (folder / store.EDITION_FILE).exists():
        raise UsageError.at("an edition already exists here; nothing was changed", folder / store.EDITION_FILE, hint="use another folder")
    for sub in (store.DOCUMENTS_DIR, store.TRANSLATIONS_DIR):
        (folder / sub).mkdir(exist_ok=True)
    with store.locked(folder):
        return store.write_edition_file(folder, Edition(title=title, editors=editors or []))


@dataclass
class ImportReport:
    written: list[Path] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Documents that replaced one already in the edition, with their account.
    reimports: list[Reimport] = field(default_factory=list)
    # What a dry run would have refused (a real run raises them).
    refused: list[Problem] = field(default_factory=list)


def _warning_at(path: Path, warning: str) -> str:
    """An importer's warning, compiler style: file, line when it knows it,
    message, and what to do."""
    line, hint = getattr(warning, "line", None), getattr(warning, "hint", None)
    text = f"{path}:{line}: {warning}" if line else f"{path}: {warning}"
    return f"{text}\n  hint: {hint}" if hint else text


def import_files(
    root: Path, files: list[Path], *, lang: str = "en", replace: bool = False, dry_run: bool = False, force: bool = False
) -> ImportReport:
    """Import source files into the edition at `root`. All files are read
    and checked before anything is written; an existing document file is
    replaced only with `replace`.

    Replacing a document re-imports it from a corrected source: its
    segments are matched to the new text, and its translations, revisions,
    review flags and notes are carried over (see `edition.reimport`).
    When a segment that carries translations or notes is gone, or a note
    cannot be placed again, nothing is written unless `force`; with it,
    that material is kept aside (unaligned paragraphs, notes on the whole
    document) and reported in `reimports`."""
    from . import importers  # loaded by the commands that read sources, not at start-up

    if force and not replace:
        raise UsageError.at("--force goes with --replace (it lets a re-import drop segments)", hint="add --replace, or leave out --force")
    report = ImportReport()
    problems: list[Problem] = []
    for path in files:
        try:
            result = importers.read(Path(path), lang=lang)
        except EditionError as exc:
            problems.extend(exc.problems)
            continue
        for doc in result.documents:
            problems.extend(id_problems(doc, Path(path)))
        report.documents.extend(result.documents)
        report.warnings.extend(_warning_at(path, w) for w in result.warnings)
    if problems:
        raise EditionError(*problems)
    with store.locked(root):
        ws = store.load_workspace(root)
        importers.make_unique(report.documents, {d.id: d for d in ws.edition.documents})
        targets = []
        for doc in report.documents:
            files_of = ws.files.get(doc.id)
            target = files_of.path if files_of else Path(root) / store.DOCUMENTS_DIR / f"{doc.id}.yaml"
            if target in targets:
                raise EditionError.at(f"two imported documents would both be written to {target.name}", target)
            store.refuse_overwrite(target, replace)
            targets.append(target)
        replacing = [doc for doc in report.documents if doc.id in ws.files]
        if replacing:
            _reimport(ws, report, replacing, force, dry_run)
        if dry_run:
            return report
        for doc in report.documents:
            files_of = ws.files.get(doc.id)
            was = ws.edition.document(doc.id) if files_of else None
            report.written.extend(_write_document(root, doc, files_of, replace, was))
    return report


def _reimport(ws: Workspace, report: ImportReport, replacing: list[Document], force: bool, dry_run: bool) -> None:
    """Carry the editors' work on each replaced document over to its new
    text (in `report.documents`); refuse, naming every loss, unless
    `force` (a dry run lists the refusal in `report.refused`). Nothing is
    written here."""
    from .reimport import reimport

    problems: list[Problem] = []
    for doc in replacing:
        files_of = ws.files[doc.id]
        folder = Path(ws.root) / store.TRANSLATIONS_DIR / doc.id
        broken = [p for p in ws.errors if p.path is not None and (Path(p.path) == files_of.path or Path(p.path).parent == folder)]
        if broken:
            raise EditionError(*broken)
        result = reimport(ws.document(doc.id), doc)
        positions = ws.positions.get(doc.id, {})
        for gone in result.gone:
            if gone.carries_work:
                where = positions.get(f"segment:{gone.segment}", (files_of.path, None, None))
                problems.append(Problem(
                    f"segment {gone.segment} is not in the corrected source; it carries: {gone.describe()}", *where,
                    hint="correct the source if the paragraph should stay, or pass --force to import it anyway "
                    "(its translations are kept as unaligned paragraphs, its notes as notes on the whole document)",
                ))  # fmt: skip
        gone_ids = {g.segment for g in result.gone}
        for placed in result.unplaced:
            if placed.old.segment in gone_ids:
                continue  # told with its segment
            where = positions.get(f"note:{placed.note}", (files_of.path, None, None))
            problems.append(Problem(
                f"note {placed.note} cannot be placed in the corrected source: {placed.reason}", *where,
                hint="correct the source, or pass --force to keep the note on the whole document (then move it with `edition note`)",
            ))  # fmt: skip
        checked = store.check_document(result.document, files_of.path)
        if any(p.severity == "error" for p in checked):
            raise EditionError(*checked)
        report.reimports.append(result)
        report.documents[report.documents.index(doc)] = result.document
    if problems and not force:
        if not dry_run:
            raise EditionError(*problems)
        report.refused = problems


def _write_document(root: Path, doc: Document, files: store.DocumentFiles | None, replace: bool, was: Document | None) -> list[Path]:
    """Write a document's file and its translations' files, those whose
    content changed (`was`: the document as they hold it); every file is
    checked before the first is written.

    The files are written one by one, in the order that keeps the edition
    loadable if the process dies between two of them: first the
    translations that name only segments the old document file has, then
    the document file, then the translations that name its new segments
    or whose notes moved into the document file."""
    from . import yamlio

    if files is None:
        return [store.write_document(root, doc, replace=replace)]
    layers = {layer.id: layer for layer in doc.layers}
    separate = set(files.layer_files)
    changed: list[tuple[Path, Layer | None]] = []
    tree = store.document_tree(doc, set(layers) - separate)
    if not files.path.exists() or files.path.read_text(encoding="utf-8") != yamlio.dump(tree):
        changed.append((files.path, None))
    for layer_id, path in files.layer_files.items():
        if layer_id in layers and path.read_text(encoding="utf-8") != yamlio.dump(store.layer_file_tree(doc, layers[layer_id])):
            changed.append((path, layers[layer_id]))
    for path, layer in changed:
        store.check_rewritable(path, was if layer else None)
    old_ids = {s.id for s in was.segments} if was else set()
    now_whole = {n.id for n in doc.notes if n.anchor is None}

    def early(layer: Layer | None) -> bool:
        if layer is None or was is None:
            return False
        named = {s.id for s in doc.segments if layer.id in s.text} | set(layer.flagged) | {u.after for u in layer.unaligned if u.after}
        leaving = {n.id for n in was.notes if n.anchor and n.anchor.layer == layer.id} & now_whole
        return named <= old_ids and not leaving

    first = [item for item in changed if early(item[1])]
    ordered = (
        first + [item for item in changed if item[1] is None] + [item for item in changed if item not in first and item[1] is not None]
    )
    written = []
    for _path, layer in ordered:
        if layer is None:
            written.append(store.write_document(root, doc, replace=replace, files=files))
        else:
            written.append(store.write_layer(root, doc, layer, files, replace=True, was=was))
    return written


def id_problems(doc: Document, source: Path) -> list[Problem]:
    """The ids of an imported document that break the id rule (edition/ids.py),
    reported at the source file they came from."""
    from .ids import ID_HINT

    named = [("document id", doc.id)]
    named += [("layer id", layer.id) for layer in doc.layers]
    named += [("segment id", segment.id) for segment in doc.segments]
    named += [("note id", note.id) for note in doc.notes]
    return [Problem(f"{id_problem(value)} ({what})", source, hint=ID_HINT) for what, value in named if id_problem(value)]


def validate(root: Path) -> list[Problem]:
    """Every problem in the edition's files, errors and warnings."""
    return store.load_workspace(Path(root)).problems


def open_workspace(root: Path) -> Workspace:
    """Load an edition for a command that needs it whole: stop on errors."""
    ws = store.load_workspace(Path(root))
    if ws.errors:
        raise EditionError(*ws.errors)
    return ws


def document_json(doc: Document) -> dict:
    """The whole document for scripts (`show --json`): the document part of
    the JSON export, schema edition.json/1 (see edition/export/json.py)."""
    from .export.json import document_json as export

    return export(doc)


def reading_text(doc: Document, layer_id: str | None = None) -> str:
    """The document as plain text for reading in a terminal, with note
    calls as [n] at their place and the notes after the text."""
    layer = doc.layer(layer_id) if layer_id else doc.main_layer
    if layer_id and layer is None:
        raise UsageError.at(f"document '{doc.id}' has no layer '{layer_id}'", hint=f"its layers: {', '.join(l.id for l in doc.layers)}")
    lid = layer.id if layer else ""
    marks = {note.id: f"[{note.label or note.id}]" for note in doc.notes}
    calls: dict[str, list[tuple[int, str]]] = {}
    for note in doc.notes:
        if note.anchor and note.anchor.layer == lid:
            offset = resolve_anchor(doc, note.anchor)
            if offset is not None:
                calls.setdefault(note.anchor.segment, []).append((offset, marks[note.id]))

    def with_calls(place: str, text: str, brackets: bool = False) -> str:
        """Insert the call marks; a bracketed text keeps calls at its very
        end outside the closing bracket ("[… 1956]2")."""
        tail = ""
        for offset, mark in sorted(calls.get(place, []), reverse=True):
            if brackets and offset == len(text):
                tail = mark + tail
            else:
                text = text[:offset] + mark + text[offset:]
        return f"[{text}]{tail}" if brackets else text + tail

    number = f"{doc.number}. " if doc.number else ""  # as a series prints it: "22. Diary Entry …"
    lines = [number + with_calls("title", doc.title)]
    if doc.date:
        lines.append(with_calls("date", doc.date.text, brackets=doc.date.supplied))
    if layer:
        role = "original" if layer.role is LayerRole.ORIGINAL else "translation"
        by = f" by {layer.translator}" if layer.translator else ""
        lines.append(f"({layer.lang} {role}{by})")
    lines.append("")
    for segment in doc.segments:
        text = segment.text.get(lid)
        if text is None:
            continue
        prefix = {"list-item": "  • ", "quotation": "    "}.get(segment.kind.value, "")
        lines.append(prefix + with_calls(segment.id, text))
        lines.append("")
    for ref in doc.archival_refs:
        lines.append(ref.text)
    if doc.notes:
        lines.append("")
        lines.append("Notes")
        for note in doc.notes:
            where = "" if note.anchor else " (on the whole document)"
            lines.append(f"{marks[note.id]} {note.kind.value}{where}: {note.text}")
    return "\n".join(lines).rstrip() + "\n"


def usable_cores() -> int:
    """How many worker processes a build may usefully start (`--jobs` is
    capped there)."""
    from .workers import usable_cores as cores

    return cores()


def build(
    root: Path,
    out: Path | None = None,
    *,
    html: Path | None = None,
    layout: str | None = None,
    columns: list[str] | None = None,
    progress=None,
    pdf_variant: str | None = None,
    jobs: int | None = None,
    reading: str | None = None,
    force: bool = False,
    final: bool = False,
    typography: bool | None = None,
    chunk_documents: int | None = None,
):
    """Build the edition's PDF (and optionally one HTML file); returns the
    renderer's report. A `final` build refuses (EditionError listing each
    one, nothing written) while any printed translation text is not
    approved (see `final_problems`); a draft build marks unreviewed text. `layout` and `columns` override edition.yaml for this
    build (columns without a layout mean the parallel layout), `reading`
    the reading text of every document (a layer id or a language code, over
    edition.yaml's and the documents' own choices), `typography` whether
    text is set with its language's typography (edition.yaml's `typography`); `progress`
    hears each page laid out (see render.pdf.build_pdf); `jobs` worker
    processes lay out a large volume in parts (default: one per core),
    `chunk_documents` documents to a part whatever the volume's size. A
    build whose inputs and outputs are as the last one left them writes
    nothing and gives that build's report (render/rebuild.py).
    `out` and `html` must be regular files or new ones, never the
    edition's sources; a symbolic link is written through only with
    `force` (see `edition.paths.output_file`). WeasyPrint is imported only
    here."""
    import dataclasses

    from .render import build_pdf, templates_dirs
    from .render.pdf import remember, unchanged
    from .render.rebuild import fingerprint

    # Nothing changed since the last build of this PDF: its report, without
    # reading a document (render/rebuild.py).
    try:
        out = _output_file(root, out, "build/edition.pdf", force, "--out")
        if html is not None:
            html = output_file(html, root, force=force, option="--html", example="edition.html")
        templates = templates_dirs(Path(root))
        jobs = min(jobs or usable_cores(), usable_cores())
        options = dict(html=str(html) if html else None, layout=layout, columns=columns, pdf_variant=pdf_variant, jobs=jobs,
                       chunk_documents=chunk_documents, reading=reading, final=final, typography=typography)  # fmt: skip
        inputs = fingerprint(Path(root), templates, options)
        report = unchanged(Path(root), inputs, out, html)
    except EditionError:
        open_workspace(root)  # the edition's own problems are told first
        raise
    if report is not None:
        return out, report

    ws = open_workspace(root)
    edition = _laid_out(ws.edition, layout, columns, reading, typography)
    if final:
        problems = final_problems(ws, edition)
        if problems:
            raise EditionError(*problems)
    if pdf_variant is not None:
        edition = dataclasses.replace(edition, pdf_variant=_option("pdf_variant", pdf_variant))
    # The layout cache belongs to the edition's build folder, wherever the PDF goes.
    cache = check_inside(root, Path(root) / "build" / ".cache" / "layout")
    report = build_pdf(edition, out, templates, html_out=html, progress=progress, jobs=jobs, chunk_documents=chunk_documents, cache=cache)
    remember(Path(root), inputs, out, html, report)
    return out, report


def _output_file(root: Path, out: Path | None, default: str, force: bool, option: str) -> Path:
    """The file an output goes to: `out` as checked by `output_file`, or the
    default inside the edition (whose build/ must not lead out of it)."""
    if out is not None:
        return output_file(Path(out), root, force=force, option=option, example=Path(default).name)
    return output_file(check_inside(root, Path(root) / default), root, option=default, given=False)


def _output_folder(root: Path, out: Path | None, default: str, force: bool) -> Path:
    if out is not None:
        return output_folder(Path(out), root, force=force)
    return output_folder(check_inside(root, Path(root) / default), root, option=default, given=False)


def build_site(
    root: Path,
    out: Path | None = None,
    *,
    layout: str | None = None,
    columns: list[str] | None = None,
    overwrite: bool = False,
    force: bool = False,
    reading: str | None = None,
    typography: bool | None = None,
):
    """Write the edition as a folder of static HTML pages (default
    build/site/), readable offline; `layout`, `columns`, `reading` and
    `typography` as for `build`.
    A folder that holds other files than a site of ours is refused unless
    `overwrite` (and even then only our files are replaced); a folder that
    is a symbolic link only with `force`, one of the edition's sources
    never."""
    from .render import templates_dirs
    from .render.site import write_site

    ws = open_workspace(root)
    edition = _laid_out(ws.edition, layout, columns, reading, typography)
    out = _output_folder(root, out, "build/site", force)
    return write_site(edition, ws.edition.register, out, templates=templates_dirs(Path(root)), overwrite=overwrite, terms=ws.terms)


def _laid_out(
    edition: Edition, layout: str | None, columns: list[str] | None, reading: str | None = None, typography: bool | None = None
) -> Edition:
    """The edition with this build's layout, columns, reading text and
    typography (command-line choices over edition.yaml's and, for the
    reading text, over each document's own; columns alone ask for the
    parallel layout)."""
    import dataclasses

    if typography is not None:
        edition = dataclasses.replace(edition, typography=typography)

    if reading is not None:
        if not any(doc.named_layer(reading) for doc in edition.documents):
            layers = sorted({la.id for doc in edition.documents for la in doc.layers})
            raise UsageError.at(f"no document has a layer or language '{reading}'", hint=f"the layers: {', '.join(layers)}")
        documents = [dataclasses.replace(doc, reading=None) for doc in edition.documents]
        edition = dataclasses.replace(edition, reading=reading, documents=documents)

    if layout is not None:
        edition = dataclasses.replace(edition, layout=_option("layout", layout))
    if columns is not None:
        if edition.layout == "facing" and layout is not None:
            raise UsageError.at(
                "--columns cannot be given with --layout facing: facing pages print the original on the left page and the translation on the right",
                hint="leave out --columns, or use --layout parallel for columns side by side",
            )
        columns = [c.strip() for item in columns for c in item.split(",") if c.strip()]
        _option("columns", columns, hint="e.g. `--columns ru,en` or `--columns original,translation`")
        known = {name for doc in edition.documents for la in doc.layers for name in (la.id, la.lang)}
        unknown = [c for c in columns if c not in known and c not in ("original", "translation")]
        if unknown:
            raise UsageError.at(
                f"no document has a layer or language '{unknown[0]}'",
                hint="layers in this edition: " + ", ".join(sorted(known)) + "; or 'original', 'translation'",
            )
        edition = dataclasses.replace(edition, columns=columns)
        if layout is None:  # naming the columns asks for them side by side
            edition = dataclasses.replace(edition, layout="parallel")
    return edition


def _option(name: str, value: Any, hint: str | None = None) -> Any:
    """`value`, given on the command line for the setting `name`, checked
    as edition.yaml's is; a wrong one is a wrong command line."""
    from .settings import setting_problem

    problem = setting_problem(name, value)
    if problem:
        raise UsageError.at(problem[0], hint=hint or problem[1])
    return value


# --------------------------------------------------------------------------
# Translations and notes: each read-change-write happens under the lock.


def add_translation(
    root: Path,
    doc_id: str,
    file: Path,
    *,
    lang: str | None = None,
    translator: str | None = None,
    translated_from: str | None = None,
    revises: str | None = None,
    layer_id: str | None = None,
    description: str | None = None,
    replace: bool = False,
    dry_run: bool = False,
):
    """Align a delivered translation to a document and store it as
    translations/<doc>/<layer>.yaml. Metadata missing from the call is
    taken from the file's front matter. An XLIFF file (.xlf, .xliff) is
    not aligned but read by segment ids (see `translations.add_xliff`).
    Returns (AddResult, path or None)."""
    from .importers import read_delivery
    from .translations import add_translation as add

    for option, value, what in (
        ("--layer", layer_id, "the new layer's id"),
        ("--revises", revises, "the layer revised"),
        ("--from", translated_from, "the layer or language translated from"),
    ):
        if value is not None:  # a layer or a language code: both are ids
            check_id(value, what, option=option)
    suffix = Path(file).suffix.lower()
    if suffix in (".xlf", ".xliff") and translated_from is not None:
        raise UsageError.at("--from is not for XLIFF: the file's source-language names the layer translated from", hint="leave --from out")
    # A translator's kit: its rows by segment ids, as XLIFF units.
    kit = _read_kit(Path(file), translated_from) if suffix == ".docx" and Path(file).is_file() else None
    if suffix in (".xlf", ".xliff") or kit is not None:  # keyed by segment ids: no alignment
        return _add_xliff(
            root,
            doc_id,
            Path(file),
            lang=lang,
            translator=translator,
            revises=revises,
            layer_id=layer_id,
            description=description,
            replace=replace,
            dry_run=dry_run,
            delivery=kit,
        )
    delivery = read_delivery(Path(file))
    meta = delivery.meta
    for key in ("layer", "revises"):
        if key in meta and id_problem(meta[key]) is not None:
            line = _front_matter_line(Path(file), key)
            check_id(meta[key], f"'{key}' in the front matter", Path(file), line, 1 if line else None)
    with store.locked(root):
        ws = open_workspace(root)
        doc = ws.document(doc_id)
        revised = doc.layer(revises or meta.get("revises") or "")
        lang = lang or meta.get("lang") or (revised.lang if revised else None)  # a revision keeps its layer's language
        if not lang:
            raise UsageError.at("the translation's language is not given", hint="pass --lang, or put `lang:` in the file's front matter")
        files = ws.files[doc.id]
        wanted = layer_id or meta.get("layer")
        if replace and wanted and doc.layer(wanted) and wanted not in files.layer_files:
            raise UsageError.at(
                f"layer '{wanted}' is part of the document file; nothing was changed",
                files.path,
                hint="add the new text as a revision (--revises) or under another --layer id",
            )
        result = add(
            doc,
            delivery,
            lang=lang,
            translator=translator or meta.get("translator"),
            translated_from=translated_from or meta.get("from"),
            revises=revises or meta.get("revises"),
            layer_id=layer_id or meta.get("layer"),
            description=description or meta.get("title"),
            date=meta.get("date"),
            replace_layer=replace,
        )
        if dry_run:
            return result, None
        path = store.write_layer(root, doc, result.layer, files, replace=replace)
        return result, path


def _add_xliff(root: Path, doc_id: str, file: Path, *, lang, translator, revises, layer_id, description, replace, dry_run, delivery=None):
    """`add_translation` for an XLIFF file, or for the units of a
    translator's kit read already (see `translations.add_xliff`)."""
    from .importers.xliff import read_xliff
    from .translations import add_xliff

    delivery = delivery or read_xliff(file)
    with store.locked(root):
        ws = open_workspace(root)
        doc = ws.document(doc_id)
        files = ws.files[doc.id]
        named = doc.named_layer(delivery.target_lang or "") if replace and not layer_id and not revises else None
        wanted = layer_id or (named.id if named else None)
        if replace and wanted and doc.layer(wanted) and wanted not in files.layer_files:
            raise UsageError.at(
                f"layer '{wanted}' is part of the document file; nothing was changed",
                files.path,
                hint="add the new text as a revision (--revises) or under another --layer id",
            )
        result = add_xliff(
            doc,
            delivery,
            path=file,
            lang=lang,
            translator=translator,
            layer_id=layer_id,
            revises=revises,
            description=description,
            replace_layer=replace,
        )
        if dry_run:
            return result, None
        path = store.write_layer(root, doc, result.layer, files, replace=replace)
        elsewhere = {n.anchor.layer for n in result.notes if n.anchor and n.anchor.layer != result.layer.id}
        if elsewhere:  # a note on a unit left untranslated stands in the source layer's text
            store.save_layers(ws, doc, elsewhere)
        return result, path


def _read_kit(file: Path, translated_from: str | None):
    """The rows of a translator's kit (`export docx --kit`), or None for a
    Word file that is not one."""
    from .importers.kit import read_kit

    kit = read_kit(file)
    if kit is not None and translated_from is not None:
        raise UsageError.at(
            "--from is not for a translator's kit: its marker line names the layer translated from", hint="leave --from out"
        )
    return kit


def _front_matter_line(path: Path, key: str) -> int | None:
    """The line of a delivery's front matter that sets `key`, for messages."""
    from .textfile import read_bytes

    try:
        lines = read_bytes(path).decode("utf-8-sig", "replace").splitlines()
    except EditionError:
        return None
    pattern = re.compile(rf"\s*['\"]?{re.escape(key)}['\"]?\s*:")
    return next((n for n, line in enumerate(lines[1:], start=2) if pattern.match(line)), None)


def remove_translation(root: Path, doc_id: str, layer_id: str):
    """Remove a layer added under translations/ with its notes; returns the
    layer, its notes and the removed file."""
    from .translations import remove_layer

    with store.locked(root):
        ws = open_workspace(root)
        doc = ws.document(doc_id)
        files = ws.files[doc.id]
        if doc.layer(layer_id) is not None and layer_id not in files.layer_files:
            raise UsageError.at(
                f"layer '{layer_id}' is part of the document file, not a translation added later",
                files.path,
                hint="edit the document file to remove it",
            )
        dependents = [l.id for l in doc.layers if l.revises == layer_id]
        if dependents:
            raise UsageError.at(
                f"layer '{layer_id}' is revised by {', '.join(dependents)}; nothing was removed",
                hint="remove the revision first",
            )
        layer, notes = remove_layer(doc, layer_id)
        path = files.layer_files.pop(layer_id)
        # At the last moment: a file edited since it was read is not removed.
        if store.digest_on_disk(path) != files.digests.get(path):
            raise store.refuse_changed(path)
        path.unlink()
        if not any(path.parent.iterdir()):
            path.parent.rmdir()
        return layer, notes, path


def add_note(root: Path, doc_id: str, *, layer: str, segment: str, phrase: str, text: str, kind: str = "footnote",
             occurrence: int | None = None, note_id: str | None = None):  # fmt: skip
    """Anchor a new note at a quoted phrase and store it with its layer."""
    from .model import NoteKind
    from .notes import next_note_id, place_anchor

    try:
        note_kind = NoteKind(kind)
    except ValueError:
        raise UsageError.at(f"unknown note kind '{kind}'", hint=f"one of: {', '.join(k.value for k in NoteKind)}") from None
    if not text.strip():
        raise UsageError.at("the note has no text", hint="pass --text")
    if note_id is not None:
        check_id(note_id, "note id", option="--id")
    with store.locked(root):
        ws = open_workspace(root)
        doc = ws.document(doc_id)
        anchor = place_anchor(doc, layer, segment, phrase, occurrence)
        note_id = note_id or next_note_id(doc, note_kind)
        if any(n.id == note_id for n in doc.notes):
            raise UsageError.at(f"note id '{note_id}' is taken", hint="choose another --id")
        note = Note(id=note_id, kind=note_kind, text=text, anchor=anchor)
        doc.notes.append(note)
        paths = store.save_layers(ws, doc, {layer})
        return note, paths


def review_translation(root: Path, doc_id: str, layer_id: str):
    """The pairs of a translation layer with the text it was aligned to,
    weakest first (see `edition.realign.review`)."""
    from .realign import review

    ws = open_workspace(root)
    doc = ws.document(doc_id)
    return doc, review(doc, layer_id)


def fix_alignment(root: Path, doc_id: str, layer_id: str, fix: str, segment: str, *, to: str | None = None,
                  after: str | None = None, occurrence: int = 1):  # fmt: skip
    """Fix one pair of a stored alignment by hand — `fix` is move (to
    segment `to`), split (after the phrase `after`), merge or untranslated
    — pin it, and store the layer. Returns the files written."""
    from . import realign

    if fix == "move" and not to:
        raise UsageError.at("--move needs --to SEGMENT", hint="e.g. `--move p7 --to p8`")
    if fix == "split" and not after:
        raise UsageError.at("--split needs --after PHRASE", hint="the words after which the text is cut")
    with store.locked(root):
        ws = open_workspace(root)
        doc = ws.document(doc_id)
        if doc.layer(layer_id) is not None and layer_id not in ws.files[doc.id].layer_files:
            raise UsageError.at(
                f"layer '{layer_id}' is part of the document file, not an aligned translation",
                ws.files[doc.id].path,
                hint="fix its text in the file itself",
            )
        whole = {n.id for n in doc.notes if n.anchor is None}
        if fix == "move" and to:  # (without one, refused above)
            realign.move(doc, layer_id, segment, to)
        elif fix == "split" and after:
            realign.split(doc, layer_id, segment, after, occurrence)
        elif fix == "merge":
            realign.merge(doc, layer_id, segment)
        elif fix == "untranslated":
            realign.untranslated(doc, layer_id, segment)
        else:
            raise UsageError.at(f"unknown fix '{fix}'", hint="move, split, merge or untranslated")
        now_whole = {n.id for n in doc.notes if n.anchor is None}
        return store.save_layers(ws, doc, {layer_id, None} if now_whole - whole else {layer_id})


def remove_note(root: Path, doc_id: str, note_id: str):
    with store.locked(root):
        ws = open_workspace(root)
        doc = ws.document(doc_id)
        note = next((n for n in doc.notes if n.id == note_id), None)
        if note is None:
            raise UsageError.at(f"document '{doc_id}' has no note '{note_id}'", hint=f"`edition note list {doc_id}` shows its notes")
        doc.notes.remove(note)
        layer = note.anchor.layer if note.anchor else None
        paths = store.save_layers(ws, doc, {layer} if layer else {None})
        return note, paths


# --------------------------------------------------------------------------
# Review states and the status board.


def set_review(root: Path, doc_id: str, layer_id: str, state: str, by: str, *, segments: list[str] | None = None,
               comment: str | None = None):  # fmt: skip
    """Set the review state of `segments` of a layer (None: every segment
    with text) by reviewer `by`, and store the layer. Returns (segment ids
    set, files written); a wrong request changes nothing (UsageError)."""
    from . import review

    with store.locked(root):
        ws = open_workspace(root)
        doc = ws.document(doc_id)
        chosen = review.set_state(doc, layer_id, segments, state, by, comment)
        return chosen, store.save_layers(ws, doc, {layer_id})


def review_states(root: Path, doc_id: str, layer_id: str):
    """(document, layer, the effective state of each segment with text)."""
    from . import review

    ws = open_workspace(root)
    doc = ws.document(doc_id)
    layer = doc.layer(layer_id)
    if layer is None:
        raise UsageError.at(f"document '{doc.id}' has no layer '{layer_id}'", hint=f"its layers: {', '.join(l.id for l in doc.layers)}")
    return doc, layer, review.states(doc, layer)


def status(root: Path):
    """The status board of the edition (see `edition.status.board`) and the
    errors found reading it. Unlike other commands it does not stop at
    errors: a note whose anchor is lost is one of the board's figures, and
    the board shows what could be read."""
    from .status import board

    ws = store.load_workspace(Path(root))
    return board(ws.edition, ws.terms), ws.errors


def printed_texts(doc: Document, edition: Edition) -> list[tuple[str, Layer]]:
    """(segment id, layer) for every text of `doc` the volume prints, in the
    edition's layout: each column's layer in the parallel layout; else the
    reading layer, where it lacks a segment the next of its revision chain."""
    from .render.html import printed_layers

    layers, _ = printed_layers(doc, edition.layout, edition.columns, edition.reading)
    out: list[tuple[str, Layer]] = []
    if len(layers) > 1:
        for segment in doc.segments:
            out.extend((segment.id, layer) for layer in layers if segment.text.get(layer.id))
        return out
    chain = doc.revision_chain(layers[0]) if layers else []
    for segment in doc.segments:
        layer = next((la for la in chain if la.id in segment.text), None)
        if layer is not None and segment.text[layer.id]:
            out.append((segment.id, layer))
    return out


def final_problems(ws: Workspace, edition: Edition) -> list[Problem]:
    """A problem at its file and line for each printed translation text
    that is not approved: what keeps `build --final` from printing."""
    from . import review

    problems = []
    for doc in edition.documents:
        files = ws.files.get(doc.id)
        places = ws.positions.get(doc.id, {})
        for layer, entry in review.unapproved(doc, printed_texts(doc, edition)):
            default = (files.layer_files.get(layer.id, files.path) if files else None, None, None)
            path, line, column = places.get(f"segment:{entry.segment}:{layer.id}", places.get(f"segment:{entry.segment}", default))
            record = entry.record
            if record is None:  # (a text that changed since had a record)
                why = "never reviewed"
            elif entry.changed:
                why = f"its text changed after {record.by} set it {record.state} ({record.at})"
            else:
                why = f"{entry.state} by {record.by} ({record.at})"
            problems.append(
                Problem(f"segment {entry.segment} of layer '{layer.id}' is printed but not approved: {why}", path, line, column)
            )
    if problems:
        last = problems[-1]
        problems[-1] = dataclasses.replace(
            last,
            hint=f"a final build prints approved text only ({len(problems)} segment(s) are not): approve checked text with `edition review DOC LAYER --segment ID --state approved --by NAME`, or build a draft without --final",
        )
    return problems


# --------------------------------------------------------------------------
# Comparison of versions.


def compare(root: Path | None, a: str, b: str, c: str | None = None, options=None, each=None):
    """`compare DOC A B` (two layers, or a layer and a file), `compare
    FILE FILE` (two texts outside an edition, root may be None) or `compare
    A B` with two layers of the edition at `root` (every document that has
    both; files of those names win). `each(comparison, segments)` is given
    the segments in order as they are diffed (see `compare.Each`)."""
    from .compare import compare_edition, compare_layers, compare_paragraphs
    from .importers import read_delivery
    from .tokens import Normalizer

    options = options or Normalizer()
    if c is None and root is not None and not Path(a).is_file() and not Path(b).is_file():
        documents = open_workspace(root).edition.documents
        documents, (a, b) = _with_past_layers(root, documents, a, b)
        known = {layer.id for doc in documents for layer in doc.layers}
        for layer in (a, b):
            if layer not in known:
                raise UsageError.at(
                    f"no document has a layer '{layer}' (and no file has that name)",
                    hint="layers in this edition: " + ", ".join(sorted(known)),
                )
        return compare_edition(documents, a, b, options, each)
    if c is None:
        paths = [Path(a), Path(b)]
        for path in paths:
            if not path.is_file():
                raise UsageError.at(f"no such file: {path}", hint="give two files, or DOC LAYER LAYER")
        texts = _paragraph_texts(paths)
        return compare_paragraphs(texts[0], texts[1], str(paths[0]), str(paths[1]), options, each=each)
    if root is None:
        raise UsageError.at("comparing layers needs an edition", hint="run inside an edition or pass --edition DIR")
    ws = open_workspace(root)
    doc = ws.document(a)
    (doc,), (b, c) = _with_past_layers(root, [doc], b, c)
    for layer in (b, c):
        if doc.layer(layer) is None and not Path(layer).is_file():
            raise UsageError.at(
                f"document '{doc.id}' has no layer '{layer}' (and no file has that name)",
                hint=f"its layers: {', '.join(l.id for l in doc.layers)}",
            )
    if doc.layer(c) is None:  # a layer against a file
        paragraphs = [p.text for p in read_delivery(Path(c)).paragraphs]
        base = [s.text.get(b, "") for s in doc.segments]
        return compare_paragraphs(base, paragraphs, f"{doc.id}:{b}", str(c), options, names=[s.id for s in doc.segments], each=each)
    return compare_layers(doc, b, c, options, each)


# From this size on, each of two files to compare is read by a process of
# its own (a Bible's 4 MB takes half a second to read).
_READ_APART_FROM = 1_000_000


def _paragraph_texts(paths: list[Path]) -> list[list[str]]:
    """The paragraphs of each file, long files read at the same time (the
    second by a worker); a problem in either is raised as reading them one
    after the other would raise it."""
    if min(path.stat().st_size for path in paths) < _READ_APART_FROM:
        return [_texts_of(path) for path in paths]
    from .workers import share_out

    first, rest = share_out(_texts_of, paths[1:], lambda: _texts_of(paths[0]))
    return [first, *rest]


def _texts_of(path: Path) -> list[str]:
    from .importers import read_delivery

    return [p.text for p in read_delivery(path).paragraphs]


def _with_past_layers(root: Path, documents: list[Document], *names: str) -> tuple[list[Document], list[str]]:
    """Layers named `LAYER@REV` (a layer as it was at a git revision: a
    commit, tag or branch) added to the documents from the edition's
    history; the names pass through."""
    past = [name for name in names if "@" in name and not Path(name).is_file()]
    if not past:
        return documents, list(names)
    import tempfile

    from .history import document_at, edition_at, with_past_layer

    for name in past:
        layer, _, rev = name.rpartition("@")
        if len(documents) == 1:
            then = {documents[0].id: document_at(root, documents[0].id, rev)}
        else:
            with tempfile.TemporaryDirectory(prefix="edition-history-") as folder:
                then = {d.id: d for d in store.load_workspace(edition_at(root, rev, Path(folder))).edition.documents}
        documents = [with_past_layer(d, then[d.id], layer, name) if d.id in then and then[d.id].layer(layer) else d for d in documents]
    return documents, list(names)


def compare_since(root: Path, rev: str, options=None):
    """Every document and layer whose text changed since git revision `rev`
    (a release's tag, say), as one comparison: its segments are named
    `document/layer/segment`; a document or layer added since is compared
    with nothing, one removed since with nothing now."""
    import tempfile

    from .compare import Comparison, compare_layers
    from .history import edition_at, with_past_layer
    from .tokens import Normalizer

    options = options or Normalizer()
    documents = open_workspace(root).edition.documents
    with tempfile.TemporaryDirectory(prefix="edition-history-") as folder:
        then = {d.id: d for d in store.load_workspace(edition_at(root, rev, Path(folder))).edition.documents}
    out = Comparison(f"edition@{rev}", "edition now", options=options)
    pairs = [(doc, then.get(doc.id)) for doc in documents] + [
        (None, past) for past in then.values() if past.id not in {d.id for d in documents}
    ]
    for doc, past in pairs:
        owner = doc or past  # a pair has one or both
        if owner is None:
            continue
        for layer in owner.layers:
            name = f"{layer.id}@{rev}"
            if doc is None:  # removed since: then against nothing now
                part = compare_layers(owner, layer.id, f"{layer.id}@now", options)
            elif past is not None and past.layer(layer.id) is not None:
                part = compare_layers(with_past_layer(doc, past, layer.id, name), name, layer.id, options)
            else:  # added since
                part = compare_layers(doc, name, layer.id, options)
            if any(s.changed for s in part.segments):
                for segment in part.segments:
                    segment.segment = f"{owner.id}/{layer.id}/{segment.segment}"
                out.segments.extend(part.segments)
    return out


def history(root: Path, doc_id: str, layer: str | None = None, segment: str | None = None):
    """The commits that changed a document's segments (see `edition.history.segment_log`)."""
    from .history import segment_log

    doc = open_workspace(root).document(doc_id)
    if layer is not None and doc.layer(layer) is None:
        raise UsageError.at(f"document '{doc.id}' has no layer '{layer}'", hint=f"its layers: {', '.join(l.id for l in doc.layers)}")
    if segment is not None and doc.segment(segment) is None:
        raise UsageError.at(f"document '{doc.id}' has no segment '{segment}'", hint="see `edition show DOC`")
    return doc, segment_log(root, doc.id, layer, segment)


def collate(root: Path, doc_id: str, base: str, witnesses: list[str], options=None):
    """The apparatus of variants of a document's layers against `base`."""
    from .collate import collate as run
    from .tokens import Normalizer

    ws = open_workspace(root)
    doc = ws.document(doc_id)
    for layer in [base, *witnesses]:
        if doc.layer(layer) is None:
            raise UsageError.at(f"document '{doc.id}' has no layer '{layer}'", hint=f"its layers: {', '.join(l.id for l in doc.layers)}")
    if len(witnesses) < 1:
        raise UsageError.at("collation needs at least one witness besides the base", hint="e.g. `--base en en.2 de`")
    return doc, run(doc, base, witnesses, options or Normalizer())


# --------------------------------------------------------------------------
# Export: TEI P5 and JSON (edition.export).


@dataclass
class ExportReport:
    written: list[Path] = field(default_factory=list)
    data: bytes | None = None  # what to print when no file was asked for
    documents: int = 0
    warnings: list[str] = field(default_factory=list)  # notes placed elsewhere than their anchor (docx)


def export(
    root: Path,
    format: str,
    docs: list[str] | None = None,
    out: Path | None = None,
    *,
    corpus: bool = False,
    force: bool = False,
    source: str | None = None,
    target: str | None = None,
) -> ExportReport:
    """Export the edition (or the documents named in `docs`) as "tei" (one
    file per document into the folder `out`, default build/tei/; with
    `corpus`, one teiCorpus file: `out` if it ends in .xml, else
    out/corpus.xml) or "json" (the file `out`, else the data to print).
    TEI carries each document's apparatus of variants, as printed (see
    `edition.export.apparatus.edition_apparatus`). Everything is made
    before anything is written; each file is written atomically, never
    over the edition's sources, a special file or (without `force`) a
    symbolic link. "xliff": one XLIFF 1.2 file per document for a CAT tool,
    `source` layer to `target` language, into the folder `out` (default
    build/xliff/), named <doc>.<target>.xlf."""
    from .export import json as json_export
    from .export import tei as tei_export
    from .export.apparatus import edition_apparatus

    if format not in ("tei", "json", "xliff", "docx"):
        raise UsageError.at(f"unknown export format '{format}'", hint="one of: tei, json, xliff, docx")
    ws = open_workspace(root)
    documents = [ws.document(doc_id) for doc_id in docs] if docs else list(ws.edition.documents)
    report = ExportReport(documents=len(documents))
    if format == "docx":
        return export_docx(root, docs, out, force=force, report=report, ws=ws, documents=documents)
    if format == "xliff":
        return _export_xliff(root, documents, out, force, source, target, report)
    if format == "json":
        text = json_export.dumps(json_export.edition_json(ws.edition, documents)).encode("utf-8")
        if out is None:
            report.data = text
        else:
            json_file = output_file(Path(out), root, force=force, example="edition.json")
            store.atomic_write(json_file, text)
            report.written.append(json_file)
        return report
    folder = Path(out) if out is not None else Path(root) / "build" / "tei"
    if not corpus and folder.suffix.lower() == ".xml":
        raise UsageError.at("--out names a folder for one file per document", folder, hint="give a folder, or add --corpus for one file")
    if corpus and folder.suffix.lower() == ".xml":
        corpus_file = _output_file(root, out, "build/tei/corpus.xml", force, "--out")
    elif corpus:
        inside = _output_folder(root, out, "build/tei", force) / "corpus.xml"
        corpus_file = output_file(inside, root, force=force, option="--out", given=out is not None)
    else:
        folder = _output_folder(root, out, "build/tei", force)
    apparatus = {doc.id: edition_apparatus(doc, ws.edition) for doc in documents}
    if corpus:
        files = {corpus_file: tei_export.corpus_tei(ws.edition, documents, apparatus)}
    else:
        files = {folder / f"{doc.id}.xml": tei_export.document_tei(doc, ws.edition, apparatus[doc.id]) for doc in documents}
    for path, data in files.items():
        store.atomic_write(path, data)
        report.written.append(path)
    return report


def _export_xliff(
    root: Path, documents: list[Document], out: Path | None, force: bool, source: str | None, target: str | None, report: ExportReport
) -> ExportReport:
    """`export` as XLIFF: every file made before any is written."""
    from .export.xliff import document_xliff
    from .model import LANG_RE

    if not source or not target:
        raise UsageError.at(
            "export xliff needs --source LAYER and --target LANG", hint="e.g. `edition export xliff DOC --source ru --target en`"
        )
    if not LANG_RE.match(target):
        raise UsageError.at(f"--target '{target}' is not a language code", hint="use an ISO 639 code such as en, ru, de")
    if out is not None and Path(out).suffix.lower() in (".xlf", ".xliff"):
        raise UsageError.at("--out names a folder for one file per document", out, hint="give a folder, e.g. --out build/xliff")
    folder = _output_folder(root, out, "build/xliff", force)
    files = {}
    for doc in documents:
        files[folder / f"{doc.id}.{target}.xlf"] = document_xliff(doc, source, target)
    for path, data in files.items():
        store.atomic_write(path, data)
        report.written.append(path)
    return report


def export_docx(
    root: Path,
    docs: list[str] | None = None,
    out: Path | None = None,
    *,
    force: bool = False,
    kit: bool = False,
    source: str | None = None,
    target: str | None = None,
    reading: str | None = None,
    report: ExportReport | None = None,
    ws: Workspace | None = None,
    documents: list[Document] | None = None,
) -> ExportReport:
    """Write the edition (or the documents named in `docs`) as a Word
    manuscript for a publisher (default build/edition.docx): the text each
    document prints in the PDF, its notes as Word footnotes (see
    `edition.export.docx.manuscript`); the warnings of placing notes are in
    the report. With `kit`, one document as a translator's kit from layer
    `source` into language `target` (default build/kit/<doc>.<target>.docx),
    which `add_translation` reads back by segment ids. The file is made
    before it is written, atomically, never over the edition's sources."""
    from .export import docx as word
    from .model import LANG_RE

    ws = ws or open_workspace(root)
    if documents is None:
        documents = [ws.document(doc_id) for doc_id in docs] if docs else list(ws.edition.documents)
    report = report or ExportReport(documents=len(documents))
    if out is not None and Path(out).suffix.lower() != ".docx":
        raise UsageError.at("--out names the Word file to write", out, hint="give a file name ending in .docx")
    if kit:
        if len(documents) != 1 or not docs:
            raise UsageError.at(
                "a translator's kit is made for one document", hint="e.g. `edition export docx DOC --kit --source ru --target en`"
            )
        if not source or not target:
            raise UsageError.at(
                "a kit needs --source LAYER and --target LANG", hint="e.g. `edition export docx DOC --kit --source ru --target en`"
            )
        if not LANG_RE.match(target):
            raise UsageError.at(f"--target '{target}' is not a language code", hint="use an ISO 639 code such as en, ru, de")
        (doc,) = documents
        data = word.kit(doc, source, target)
        path = _output_file(root, out, f"build/kit/{doc.id}.{target}.docx", force, "--out")
    else:
        edition = _laid_out(ws.edition, None, None, reading)
        if docs:
            edition = dataclasses.replace(edition, documents=documents)
        data, report.warnings = word.manuscript(edition)
        path = _output_file(root, out, "build/edition.docx", force, "--out")
    store.atomic_write(path, data)
    report.written.append(path)
    return report
