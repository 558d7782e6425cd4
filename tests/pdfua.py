"""What PDF/UA asks of a tagged PDF that can be read back without veraPDF:
the catalog's marks (Marked, a structure tree, the language, the title
shown), every text run inside marked content that belongs to the structure
tree (or marked as an artifact), headings in order, notes tagged as notes,
figures with alternative text, tables with header and data cells, link
annotations inside Link elements, and the reading order of the structure
tree. Used by tests/test_pdf_ua.py, like tests/overprint.py for glyphs.

The structure tree is read with pikepdf; the text of each marked-content
sequence comes from pdfplumber (its characters carry their MCID), and the
content streams are walked with pikepdf's `parse_content_stream` to find
text shown outside any tagged sequence."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf

from .printed import chars, plumbed

TEXT_OPERATORS = {"Tj", "TJ", "'", '"'}
HEADING = re.compile(r"^H([1-6])?$")


@dataclass
class Element:
    """A structure element: its role, and its content in order: child
    elements and marked-content references (page index, MCID)."""

    role: str
    content: list[Element | tuple[int, int]] = field(default_factory=list)
    annotations: list[str] = field(default_factory=list)  # subtypes of the annotations it holds (OBJR)
    alt: str | None = None
    lang: str | None = None
    attributes: dict = field(default_factory=dict)

    @property
    def kids(self) -> list[Element]:
        return [c for c in self.content if isinstance(c, Element)]

    def walk(self) -> Iterator[Element]:
        yield self
        for kid in self.kids:
            yield from kid.walk()

    def marked(self) -> Iterator[tuple[int, int]]:
        """Every marked-content reference below, in reading order."""
        for item in self.content:
            if isinstance(item, Element):
                yield from item.marked()
            else:
                yield item

    def text(self, texts: dict[tuple[int, int], str]) -> str:
        return "".join(texts.get(ref, "") for ref in self.marked())


@dataclass
class Tagged:
    """A tagged PDF read back."""

    marked: bool
    lang: str | None
    title: str | None
    display_title: bool
    root: Element | None
    texts: dict[tuple[int, int], str]  # (page index, MCID) -> its text
    boxes: dict[tuple[int, int], tuple[float, float]]  # (page index, MCID) -> top and bottom of its glyphs
    in_tree: set[tuple[int, int]]  # the references the structure tree reaches
    mapped: set[tuple[int, int]]  # the references the ParentTree maps to an element
    link_annotations: int  # Link annotations on the pages

    def elements(self, role: str | None = None) -> list[Element]:
        found = list(self.root.walk()) if self.root is not None else []
        return [e for e in found if role is None or e.role == role]

    def text(self, element: Element) -> str:
        return element.text(self.texts)


def _role(element: pikepdf.Dictionary, role_map: dict[str, str]) -> str:
    role = str(element.get("/S", "/?"))[1:]
    return role_map.get(role, role)


def _element(obj: Any, page_of: dict, role_map: dict[str, str], seen: set) -> Element:
    if obj.objgen in seen and obj.objgen != (0, 0):
        raise ValueError(f"structure element {obj.objgen} is reached twice (a cycle or a shared kid)")
    seen.add(obj.objgen)
    element = Element(
        _role(obj, role_map),
        alt=str(obj.Alt) if "/Alt" in obj else None,
        lang=str(obj.Lang) if "/Lang" in obj else None,
        attributes=_attributes(obj.get("/A")),
    )
    page: int = page_of.get(obj.Pg.objgen, -1) if "/Pg" in obj else -1
    kids: Any = obj.get("/K")
    for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
        if isinstance(kid, int) or (isinstance(kid, pikepdf.Object) and kid._type_code == pikepdf.ObjectType.integer):
            element.content.append((page, int(kid)))
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            element.content.append((page_of.get(kid.Pg.objgen, page) if "/Pg" in kid else page, int(kid.MCID)))
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
            element.annotations.append(str(kid.Obj.get("/Subtype", "/?"))[1:])
        elif isinstance(kid, pikepdf.Dictionary):
            element.content.append(_element(kid, page_of, role_map, seen))
    return element


def _attributes(value) -> dict:
    merged: dict = {}
    for entry in (value if isinstance(value, pikepdf.Array) else [value] if value is not None else []):
        if isinstance(entry, pikepdf.Dictionary):
            merged.update({str(k)[1:]: entry[k] for k in entry.keys()})
    return merged


def _parent_tree(root: Any) -> dict[int, Any]:
    """The ParentTree's number tree, flattened (Kids and Nums)."""
    flat: dict[int, Any] = {}
    todo = [root]
    while todo:
        node = todo.pop()
        nums = node.get("/Nums")
        if nums is not None:
            for i in range(0, len(nums), 2):
                flat[int(nums[i])] = nums[i + 1]
        todo.extend(node.get("/Kids", []))
    return flat


def read(path: Path) -> Tagged:
    """The structure tree of the PDF at `path`, with every marked-content
    sequence's text."""
    with pikepdf.open(path) as pdf:
        catalog: Any = pdf.Root
        page_of = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
        tree: Any = catalog.get("/StructTreeRoot")
        role_map = {str(k)[1:]: str(v)[1:] for k, v in tree.get("/RoleMap", {}).items()} if tree is not None else {}
        root = None
        mapped: set[tuple[int, int]] = set()
        if tree is not None:
            kids: Any = tree.get("/K")
            kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []
            root = Element("StructTreeRoot", [_element(k, page_of, role_map, set()) for k in kids])
            parents = _parent_tree(tree.ParentTree) if "/ParentTree" in tree else {}
            for i, page in enumerate(pdf.pages):
                if "/StructParents" in page.obj and int(page.obj.StructParents) in parents:
                    array = parents[int(page.obj.StructParents)]
                    mapped |= {(i, mcid) for mcid, elem in enumerate(array) if isinstance(elem, pikepdf.Dictionary)}
        preferences: Any = catalog.get("/ViewerPreferences", {})
        links = sum(1 for page in pdf.pages for a in page.obj.get("/Annots", []) if a.get("/Subtype") == "/Link")
        info = pdf.open_metadata().get("dc:title") or (str(pdf.docinfo["/Title"]) if "/Title" in pdf.docinfo else None)
        tagged = Tagged(
            marked=bool(catalog.get("/MarkInfo", {}).get("/Marked", False)),
            lang=str(catalog.Lang) if "/Lang" in catalog else None,
            title=info or None,
            display_title=bool(preferences.get("/DisplayDocTitle", False)),
            root=root, texts={}, boxes={}, in_tree=set(root.marked()) if root else set(), mapped=mapped,
            link_annotations=links,
        )
    with plumbed(path) as reading:
        for i, leaf in enumerate(reading.pages):
            for char in chars(leaf):
                if char.mcid is not None:
                    key = (i, char.mcid)
                    tagged.texts[key] = tagged.texts.get(key, "") + char.text
                    top, bottom = tagged.boxes.get(key, (char.top, char.bottom))
                    tagged.boxes[key] = (min(top, char.top), max(bottom, char.bottom))
    return tagged


def outside_the_body(tagged: Tagged) -> list[str]:
    """The text of sequences outside the structure tree that do not stand
    in a page's margins (above the first or below the last line that the
    tree reaches on that page): text a reader of the tree would miss."""
    missed = []
    for ref in sorted(set(tagged.texts) - tagged.in_tree):
        body = [tagged.boxes[r] for r in tagged.in_tree if r[0] == ref[0] and r in tagged.boxes]
        top, bottom = tagged.boxes[ref]
        if body and not (bottom <= min(t for t, _ in body) or top >= max(b for _, b in body)):
            missed.append(f"page {ref[0] + 1}: {tagged.texts[ref]!r}")
    return missed


def untagged_text(path: Path) -> list[str]:
    """Text shown outside marked content that the structure tree reaches
    and outside artifacts: one line per run (page, operator, what it is
    inside). Form XObjects drawn inside a sequence inherit its marks."""
    tagged = read(path)
    found: list[str] = []
    with pikepdf.open(path) as pdf:
        for i, page in enumerate(pdf.pages):
            _walk(page.obj, pikepdf.parse_content_stream(page), i, tagged.in_tree, [], found, set())
    return found


def _walk(holder, instructions, page: int, in_tree: set, stack: list, found: list, seen: set) -> None:
    for operands, operator in instructions:
        op = str(operator)
        if op in ("BMC", "BDC"):
            tag = str(operands[0])
            mcid = None
            if op == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]:
                mcid = int(operands[1].MCID)
            stack.append((tag, mcid))
        elif op == "EMC":
            if not stack:
                found.append(f"page {page + 1}: EMC without a BMC or BDC")
            else:
                stack.pop()
        elif op in TEXT_OPERATORS:
            if any(tag == "/Artifact" for tag, _ in stack):
                continue
            ids = [mcid for _, mcid in stack if mcid is not None]
            if not ids:
                found.append(f"page {page + 1}: text ({op}) outside any tagged sequence")
            elif (page, ids[-1]) not in in_tree:
                found.append(f"page {page + 1}: text in sequence MCID {ids[-1]}, which the structure tree does not reach")
        elif op == "Do":
            xobject = holder.get("/Resources", {}).get("/XObject", {}).get(operands[0])
            if xobject is not None and xobject.get("/Subtype") == "/Form" and xobject.objgen not in seen:
                seen.add(xobject.objgen)
                _walk(xobject, pikepdf.parse_content_stream(xobject), page, in_tree, list(stack), found, seen)
                seen.discard(xobject.objgen)
    if stack and holder.get("/Type") == "/Page":
        found.append(f"page {page + 1}: {len(stack)} marked-content sequence(s) left open")


def heading_levels(tagged: Tagged) -> list[int]:
    """The level of each heading in reading order (H counts as 1 below its
    section; only numbered headings are counted)."""
    return [int(m.group(1)) for e in tagged.elements() if (m := HEADING.match(e.role)) and m.group(1)]


def heading_problems(levels: list[int]) -> list[str]:
    """Headings must start at H1 and never skip a level going down."""
    problems = []
    if levels and levels[0] != 1:
        problems.append(f"the first heading is H{levels[0]}, not H1")
    for before, level in zip(levels, levels[1:]):
        if level > before + 1:
            problems.append(f"H{level} follows H{before}: a level is skipped")
    return problems


def catalog_problems(tagged: Tagged) -> list[str]:
    problems = []
    if not tagged.marked:
        problems.append("MarkInfo /Marked is not true")
    if tagged.root is None:
        problems.append("no StructTreeRoot")
    if not tagged.lang:
        problems.append("no /Lang in the catalog")
    if not tagged.title:
        problems.append("no document title")
    if not tagged.display_title:
        problems.append("ViewerPreferences /DisplayDocTitle is not true")
    return problems


def figure_problems(tagged: Tagged) -> list[str]:
    return [f"a Figure without alternative text ({tagged.text(f)[:40]!r})" for f in tagged.elements("Figure") if not (f.alt or "").strip()]


def table_problems(tagged: Tagged) -> list[str]:
    """Every table's rows hold TH or TD cells only, and a table has at
    least one header cell."""
    problems = []
    for table in tagged.elements("Table"):
        rows = [e for e in table.walk() if e.role == "TR"]
        if not rows:
            problems.append("a Table without rows (TR)")
        for row in rows:
            odd = [k.role for k in row.kids if k.role not in ("TH", "TD")]
            if odd:
                problems.append(f"a row holds {odd} besides TH and TD")
        if not any(e.role == "TH" for e in table.walk()):
            problems.append("a Table without header cells (TH)")
    return problems


def link_problems(tagged: Tagged) -> list[str]:
    """Each Link annotation is held by a Link element (PDF/UA-1 7.18.5)."""
    problems = [f"a {e.role} element holds a Link annotation" for e in tagged.elements() if e.role != "Link" and "Link" in e.annotations]
    held = sum(e.annotations.count("Link") for e in tagged.elements())
    if held < tagged.link_annotations:
        problems.append(f"{tagged.link_annotations - held} Link annotation(s) are not in the structure tree")
    return problems


def note_problems(tagged: Tagged, notes: list[str]) -> list[str]:
    """Each note text (as printed, without its mark) is inside a Note
    element."""
    texts = [_squash(tagged.text(n)) for n in tagged.elements("Note")]
    return [f"note {text[:40]!r} is not in a Note element" for text in notes if not any(_squash(text) in t for t in texts)]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)
