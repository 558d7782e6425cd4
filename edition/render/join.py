"""The parts of a volume joined into one PDF (pikepdf, that is qpdf: six
times faster than pypdf at copying 2,000 pages).

What the parts carry beyond their pages is joined too: their bookmarks in
order, their named destinations (the contents' links), and, in a tagged PDF
(PDF/UA), their structure trees: each part's top elements become children
of one Document element, the keys that tie pages and links to their
elements (StructParents, StructParent, the ParentTree) counted on across
the parts. The catalog's marks — language, metadata (XMP), MarkInfo, the
title shown, PDF/A's output intent — and the PDF's version come from the
first part, which is the volume's front matter: its title is the volume's.
A page left out (the front matter's last page, which only holds the
documents' anchors) takes with it what the structure tree had there."""

from __future__ import annotations

import io
import warnings
from typing import Any

# What the catalog of the first part gives the joined PDF.
CATALOG = ("/Lang", "/MarkInfo", "/Metadata", "/ViewerPreferences", "/OutputIntents")
# The role of the element every part's structure tree is rooted in, and the joined one's.
DOCUMENT = "/Document"


def join_pdfs(parts: list[tuple[bytes, range | None]]) -> bytes:
    """One PDF of the parts' pages (a range: only those pages), with their
    bookmarks in order, their named destinations (a later part's replaces
    an earlier one's of the same name), their structure trees under one
    root, and the first part's metadata."""
    import pikepdf

    out = pikepdf.Pdf.new()
    destinations: dict[str, Any] = {}
    bookmarks: list = []
    structure = _Structure(out)
    version = "1.4"
    for i, (data, pages) in enumerate(parts):
        source = pikepdf.Pdf.open(io.BytesIO(data))
        version = max(version, source.pdf_version, key=lambda v: tuple(int(n) for n in v.split(".")))
        if i == 0:
            out.docinfo = out.copy_foreign(source.docinfo)  # type: ignore[assignment]
            for name in CATALOG:
                if name in source.Root:
                    out.Root[name] = _direct_copy(out, source.Root[name])
        keep = list(pages) if pages is not None else list(range(len(source.pages)))
        kept = [source.pages[k] for k in keep]
        structure.renumber(source, kept)
        first = len(out.pages)
        with warnings.catch_warnings():
            # the named destinations are carried over below
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning if hasattr(pikepdf, "PageCopyWarning") else UserWarning)
            out.pages.extend(kept)
        joined = out.pages[first:]
        at = {page.objgen: joined[n].obj for n, page in enumerate(kept)}
        structure.add(source)

        def moved(destination, at=at):
            """The destination on the joined pages, or None (a page left out)."""
            if not isinstance(destination, pikepdf.Array) or not len(destination):
                return None
            page = at.get(destination[0].objgen)
            return None if page is None else pikepdf.Array([page, *destination[1:]])

        if "/Names" in source.Root and "/Dests" in source.Root.Names:
            for name, destination in pikepdf.NameTree(source.Root.Names.Dests).items():
                target = moved(destination.get("/D", destination) if isinstance(destination, pikepdf.Dictionary) else destination)
                if target is not None:
                    destinations[name] = target
        with source.open_outline() as outline:
            bookmarks.extend(_bookmarks(outline.root, moved))
    if destinations:
        tree = pikepdf.NameTree.new(out)
        for name in sorted(destinations):
            tree[name] = destinations[name]
        out.Root.Names = pikepdf.Dictionary(Dests=tree.obj)
    if bookmarks:
        with out.open_outline() as outline:
            outline.root.extend(bookmarks)
    structure.finish()
    buffer = io.BytesIO()
    out.save(buffer, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate, min_version=version)
    return buffer.getvalue()


def _bookmarks(items, moved) -> list:
    """A part's bookmarks on the joined pages; one whose page was left out
    gives its place to its children."""
    import pikepdf

    out = []
    for item in items:
        children = _bookmarks(item.children, moved)
        target = moved(item.destination)
        if target is None:
            out.extend(children)
            continue
        made = pikepdf.OutlineItem(item.title, target)
        made.children.extend(children)
        out.append(made)
    return out


class _Structure:
    """The parts' structure trees, joined as the parts are."""

    def __init__(self, out) -> None:
        self.out = out
        self.kids: list = []  # the parts' top elements, copied
        self.nums: list = []  # the joined ParentTree's (key, value) pairs
        self.next_key = 0  # the first key of the next part
        self.part_nums: list = []  # the part in hand's keys and values, renumbered
        self.part_kids: list = []  # the part in hand's top elements, pruned

    def renumber(self, source, kept: list) -> None:
        """Before the kept pages are copied: their keys (and their links'),
        counted on from the parts before; what the structure tree holds on
        the pages left out, pruned."""
        if "/StructTreeRoot" not in source.Root:
            return
        import pikepdf

        root = source.Root.StructTreeRoot
        offset = self.next_key
        values = dict(pikepdf.NumberTree(root.ParentTree).items()) if "/ParentTree" in root else {}
        used: list[int] = []
        for page in kept:
            if "/StructParents" in page.obj:
                used.append(int(page.obj.StructParents))
                page.obj.StructParents = used[-1] + offset
            for annotation in page.obj.get("/Annots", ()):
                if "/StructParent" in annotation:
                    used.append(int(annotation.StructParent))
                    annotation.StructParent = used[-1] + offset
        pages = {page.objgen for page in kept}
        self.part_nums = [(key + offset, values[key]) for key in sorted(used) if key in values]
        self.next_key = offset + (max(values) + 1 if values else 0)
        kids = []
        for top in _listed(root.get("/K")):
            if isinstance(top, pikepdf.Dictionary) and top.get("/S") == pikepdf.Name(DOCUMENT) and "/K" in top:
                # the part's Document element: its children become the volume's
                kids.extend(_listed(top.K))
            else:
                kids.append(top)
        kids = [kid for kid in kids if _prune(kid, pages)]
        if len(kept) < len(source.pages):
            # What follows the last content kept is on the pages left out
            # at the part's end, though it marks nothing (the anchors).
            while kids and not _marks(kids[-1]):
                kids.pop()
        self.part_kids = kids

    def add(self, source) -> None:
        """After the kept pages are copied: the part's elements copied with
        them (their pages are the copies)."""
        if "/StructTreeRoot" not in source.Root:
            return
        nums = self.part_nums
        for kid in self.part_kids:
            if "/P" in kid:
                del kid["/P"]  # not to copy the part's root with it
            self.kids.append(self.out.copy_foreign(kid))
        self.nums.extend((key, _direct_copy(self.out, value)) for key, value in nums)

    def finish(self) -> None:
        """The joined structure tree under the joined PDF's catalog."""
        if not self.kids:
            return
        import pikepdf

        out = self.out
        root = out.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
        document = out.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name(DOCUMENT), P=root))
        for kid in self.kids:
            kid.P = document
        document.K = pikepdf.Array(self.kids)
        root.K = pikepdf.Array([document])
        tree = pikepdf.NumberTree.new(out)
        for key, value in self.nums:
            tree[key] = value
        root.ParentTree = tree.obj
        root.ParentTreeNextKey = self.next_key
        out.Root.StructTreeRoot = root


def _prune(element, pages: set, page=None) -> bool:
    """Whether `element` keeps content on the kept `pages`; what it marks
    only on the pages left out is taken from it first. A marked-content id
    is on its element's page (`page`, inherited when the element names
    none); an element that marks nothing is kept where its page is."""
    import pikepdf

    if isinstance(element, pikepdf.Dictionary):
        page = element.get("/Pg", page)
    content = None if _is_content(element) else element.get("/K")
    if content is None:  # marked content, or an element that marks nothing
        return page is None or page.objgen in pages
    items = _listed(content)
    kept = [item for item in items if _prune(item, pages, page)]
    if len(kept) != len(items):
        if not kept:
            return False
        element.K = pikepdf.Array(kept)
    return True


def _marks(element) -> bool:
    """Whether an element marks any content (a marked-content id, a marked
    content or object reference) below it."""
    return _is_content(element) or any(_marks(item) for item in _listed(element.get("/K")))


def _is_content(element) -> bool:
    """Whether a structure tree's item is content itself: a marked-content
    id, a marked-content or object reference (not an element)."""
    import pikepdf

    return not isinstance(element, pikepdf.Dictionary) or element.get("/Type") in (pikepdf.Name.MCR, pikepdf.Name.OBJR)


def _listed(content) -> list:
    """An element's content (`/K`: none, one item or an array) as a list."""
    import pikepdf

    return [] if content is None else list(content) if isinstance(content, pikepdf.Array) else [content]


def _direct_copy(out, value):
    """A direct object of another PDF (a dictionary, an array) in `out`:
    the indirect objects it holds copied with it."""
    import pikepdf

    if isinstance(value, pikepdf.Object) and value.is_indirect:
        return out.copy_foreign(value)
    if isinstance(value, pikepdf.Dictionary):
        return pikepdf.Dictionary({k: _direct_copy(out, v) for k, v in value.items()})
    if isinstance(value, pikepdf.Array):
        return pikepdf.Array([_direct_copy(out, v) for v in value])
    return value
