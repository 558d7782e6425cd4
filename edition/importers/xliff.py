"""A translation delivered as XLIFF (1.2 or 1.1), as a CAT tool saves the
file `edition export xliff` wrote: its units with their ids, source and
target texts, states and notes, and the line each unit starts on (for
messages). Read through translate-toolkit (its parser resolves no entities
and fetches nothing); inline `<g ctype="italic">` (or any inline element
marked italic) comes back as our `*…*`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import EditionError
import unicodedata
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


def _is_italic(elem) -> bool:
    attrib = getattr(elem, "xml_attrib", None) or {}
    values = {attrib.get("ctype", ""), attrib.get("mtype", ""), attrib.get("type", "")}
    return any(v.lower() in ("italic", "x-italic", "fmt:italic", "x-emphasis", "emphasis") for v in values if v)


def _flatten(elem, italic: bool = False) -> str:
    """The text of a rich string, italic inline elements as `*…*` (nested
    emphasis is written once)."""
    from translate.storage.placeables import StringElem

    if isinstance(elem, str):
        return elem
    inner_italic = italic or _is_italic(elem)
    text = "".join(_flatten(sub, inner_italic) for sub in getattr(elem, "sub", []) if sub is not None)
    if inner_italic and not italic and type(elem) is not StringElem and text.strip():
        core = text.strip()
        lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
        return f"{lead}*{core}*{trail}"
    return text


def _rich_text(rich) -> str:
    return "".join(_flatten(part) for part in rich)


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
        raise EditionError.at(f"not well-formed XML: {exc.msg}", path, line, column, hint="save the file again from the CAT tool as XLIFF 1.2") from None
    except (ValueError, AssertionError, AttributeError, StopIteration) as exc:
        raise EditionError.at(f"not an XLIFF 1.x file ({exc or 'no <xliff> root with a <file>'})", path, 1, hint="export XLIFF 1.2 from the CAT tool") from None
    if store.document.docinfo.doctype:  # entities stay unexpanded in the safe parser; refuse them whole
        raise EditionError.at("the file declares a DOCTYPE (entities); XLIFF from a CAT tool has none", path, 1,
                              hint="save the file again from the CAT tool as XLIFF 1.2")
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
            raise EditionError.at(f"trans-unit '{element.get('id')}' cannot be read ({exc})", path, element.sourceline,
                                  hint="check its <source> and <target> markup") from None
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
