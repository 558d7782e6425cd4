"""A translation delivered as XLIFF (1.2 or 1.1), as a CAT tool saves the
file `edition export xliff` wrote: its units with their ids, source and
target texts, states and notes, and the line each unit starts on (for
messages). Read through translate-toolkit (its parser resolves no entities
and fetches nothing); inline `<g ctype="italic">` (or any inline element
marked italic) comes back as our `*…*`."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import EditionError
from ..textfile import read_bytes
from .base import checksum

XLIFF_FORMATS = (".xlf", ".xliff")
# States that say a target is there to be used (XLIFF 1.2 `state`); an empty
# target in one of them is a segment the translator merged into the one
# before, not a segment left untranslated.
DONE = ("translated", "signed-off", "final")


@dataclass(frozen=True)
class Unit:
    id: str
    source: str
    target: str | None  # None: no <target> element
    state: str | None  # the target's `state` attribute as written
    approved: bool
    notes: tuple[tuple[str, str], ...] = ()  # (from, text)
    line: int | None = None

    @property
    def done(self) -> bool:
        """Whether the translator gave this unit's target as finished work."""
        return self.state in DONE or (self.state is None and self.approved)


@dataclass
class XliffDelivery:
    name: str
    sha256: str
    source_lang: str | None
    target_lang: str | None
    originals: list[str] = field(default_factory=list)  # each <file original="…">
    file_line: int | None = None  # where the first <file> starts
    units: list[Unit] = field(default_factory=list)
    unit_name: str = "unit"  # what messages call an entry: a translator's kit has rows


# Inline codes: their content is the native markup (`<br/>`, `<i>`), not text.
CODES = ("bpt", "ept", "ph", "it", "x", "bx", "ex")
ITALIC = ("italic", "x-italic", "fmt:italic", "x-emphasis", "emphasis")


def _node(elem) -> tuple[str, dict]:
    """The XLIFF element a placeable stands for: its name and attributes
    (translate-toolkit keeps unknown ones, `mrk`, `bpt` …, as UnknownXML)."""
    xml_node = getattr(elem, "xml_node", None)
    if xml_node is not None:
        return xml_node.tag.rsplit("}", 1)[-1], dict(xml_node.attrib)
    return type(elem).__name__.lower(), dict(getattr(elem, "xml_attrib", None) or {})


def _is_italic(attrib: dict) -> bool:
    return any(attrib.get(key, "").lower() in ITALIC for key in ("ctype", "mtype", "type"))


def _walk(elem, out: list[str], italic: bool, opened: set) -> None:
    """Append the text of a rich string to `out`: `<g>`/`<mrk>` marked
    italic and a `<bpt ctype="italic">` … `<ept>` pair as `*…*` (nested
    emphasis once), other codes left out."""
    if isinstance(elem, str):
        out.append(elem)
        return
    name, attrib = _node(elem)
    if name == "bpt":
        if _is_italic(attrib) and not italic:
            opened.add(attrib.get("id") or attrib.get("rid"))
            out.append("*")
        return
    if name == "ept":
        key = attrib.get("id") or attrib.get("rid")
        if key in opened:
            opened.discard(key)
            out.append("*")
        return
    if name in CODES:
        return
    marked = name in ("g", "mrk") and _is_italic(attrib) and not italic and not opened
    inner: list[str] = []
    for sub in getattr(elem, "sub", None) or []:
        _walk(sub, inner, italic or marked, opened)
    text = "".join(inner)
    if marked and text.strip():
        core = text.strip()
        text = f"{text[: len(text) - len(text.lstrip())]}*{core}*{text[len(text.rstrip()) :]}"
    out.append(text)


def _rich_text(rich) -> str:
    out: list[str] = []
    opened: set = set()
    for part in rich:
        _walk(part, out, False, opened)
    return "".join(out)


def paragraphs_of(text: str) -> str:
    """A target as stored: NFC, each line stripped of the spaces around it, blank lines dropped, the
    paragraphs joined by one newline (as the aligner joins paragraphs merged
    into one segment)."""
    return "\n".join(line.strip() for line in unicodedata.normalize("NFC", text).splitlines() if line.strip())


def read_xliff(path: Path) -> XliffDelivery:
    """The units of an XLIFF file. Raises EditionError naming the line for
    a file that is not XLIFF 1.x."""
    from lxml import etree
    from translate.storage import xliff

    path = Path(path)
    if not path.is_file():
        raise EditionError.at("no such file", path)
    data = read_bytes(path)
    try:
        store = xliff.xlifffile.parsestring(data)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (None, None)
        raise EditionError.at(
            f"not well-formed XML: {exc.msg}", path, line, column, hint="save the file again from the CAT tool as XLIFF 1.2"
        ) from None
    except ValueError as exc:
        if "2." in str(exc):  # translate-toolkit tells 2.x by its version or namespace
            raise EditionError.at(
                "an XLIFF 2 file: edition reads XLIFF 1.2 (and 1.1)",
                path,
                2,
                hint="save or export the file as XLIFF 1.2 in the CAT tool (OmegaT, Trados, memoQ, Weblate all offer it)",
            ) from None
        raise EditionError.at(f"not an XLIFF 1.x file ({exc})", path, 1, hint="export XLIFF 1.2 from the CAT tool") from None
    except (AssertionError, AttributeError, StopIteration) as exc:
        raise EditionError.at(
            f"not an XLIFF 1.x file ({exc or 'no <xliff> root with a <file>'})", path, 1, hint="export XLIFF 1.2 from the CAT tool"
        ) from None
    if store.document.docinfo.doctype:  # entities stay unexpanded in the safe parser; refuse them whole
        raise EditionError.at(
            "the file declares a DOCTYPE (entities); XLIFF from a CAT tool has none",
            path,
            1,
            hint="save the file again from the CAT tool as XLIFF 1.2",
        )
    root = store.document.getroot()
    files = list(root.iterchildren(store.namespaced("file")))
    delivery = XliffDelivery(
        name=path.name,
        sha256=checksum(path),
        source_lang=files[0].get("source-language") if files else None,
        target_lang=files[0].get("target-language") if files else None,
        originals=[f.get("original", "") for f in files],
        file_line=files[0].sourceline if files else None,
    )
    for unit in store.unit_iter():
        element = unit.xmlelement
        try:
            delivery.units.append(_unit(store, unit))
        except (AttributeError, TypeError, ValueError) as exc:  # markup translate-toolkit cannot take apart
            raise EditionError.at(
                f"trans-unit '{element.get('id')}' cannot be read ({exc})",
                path,
                element.sourceline,
                hint="check its <source> and <target> markup",
            ) from None
    return delivery


def _unit(store, unit) -> Unit:
    """One trans-unit, its inline italics as `*…*`."""
    element = unit.xmlelement
    target_node = unit.getlanguageNode(lang=None, index=1)
    target = None
    if target_node is not None:
        target = paragraphs_of(_rich_text(unit.rich_target)) if unit.target else ""
    notes = tuple(
        (note.get("from", ""), " ".join((note.text or "").split()))
        for note in element.iterchildren(store.namespaced("note"))
        if (note.text or "").strip()
    )
    return Unit(
        id=element.get("id") or element.get("resname") or "",
        source=paragraphs_of(_rich_text(unit.rich_source)),
        target=target,
        state=target_node.get("state") if target_node is not None else None,
        approved=unit.isapproved(),
        notes=notes,
        line=element.sourceline,
    )


__all__ = ["DONE", "XLIFF_FORMATS", "Unit", "XliffDelivery", "paragraphs_of", "read_xliff"]
