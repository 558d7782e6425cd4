"""A comparison of two versions in four forms: the terminal (colour, or
`[-…-]{+…+}` marks when plain), one self-contained side-by-side HTML file,
JSON for scripts (schema `edition.compare/1`, documented in the README) and
Markdown with CriticMarkup."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ..compare import Comparison
from ..diff import Op
from ..tokens import show_invisible as visible

SCHEMA = "edition.compare/1"


def stats_json(stats) -> dict:
    out = dataclasses.asdict(stats)
    out["similarity"] = round(stats.similarity, 4)
    return out


def to_json(comparison: Comparison) -> dict:
    """Per segment its operations (kind, text of each side, class, move id)
    and figures; then the totals. Equal text is included, so both versions
    can be rebuilt from the ops."""
    return {
        "schema": SCHEMA,
        "a": comparison.a_label,
        "b": comparison.b_label,
        "ignore": [name.removeprefix("ignore_") for name, on in dataclasses.asdict(comparison.options).items() if on],
        "segments": [
            {
                "segment": s.segment,
                "changed": s.changed,
                "absent": "a" if s.a is None else "b" if s.b is None else None,
                "ops": [_op_json(op) for op in s.diff.ops],
                "stats": stats_json(s.stats),
            }
            for s in comparison.segments
        ],
        "totals": stats_json(comparison.totals()),
    }


def _op_json(op: Op) -> dict:
    out = {"op": op.kind, "a": op.a, "b": op.b, "a_pos": op.a_pos, "b_pos": op.b_pos}
    if op.cls:
        out["class"] = op.cls
    if op.move is not None:
        out["move"] = op.move
    return out


def summary_lines(comparison: Comparison) -> list[str]:
    t = comparison.totals()
    changed = sum(1 for s in comparison.segments if s.changed)
    classes = ", ".join(f"{n} {c}" for c, n in sorted(t.by_class.items()))
    return [
        f"{comparison.a_label} → {comparison.b_label}: {changed} of {len(comparison.segments)} segments changed; "
        f"words: {t.inserted} inserted, {t.deleted} deleted, {t.substituted} substituted, {t.moved} moved; "
        f"similarity {t.similarity:.1%}",
        f"changes by class: {classes or 'none'}",
    ]


def to_markdown(comparison: Comparison) -> str:
    """CriticMarkup: {++ added ++}, {-- deleted --}, {~~ old ~> new ~~};
    a moved passage is marked at both ends with a comment naming the move."""
    lines = [f"# {comparison.a_label} → {comparison.b_label}", "", *(f"{line}  " for line in summary_lines(comparison)), ""]
    for s in comparison.segments:
        if not s.changed:
            continue
        st = s.stats
        lines.append(f"## {s.segment} — similarity {st.similarity:.0%}")
        lines.append("")
        lines.append("".join(_critic(op) for op in s.diff.ops).replace("\n", "  \n"))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _critic(op: Op) -> str:
    if op.kind == "equal":
        return op.b
    if op.kind == "insert":
        return f"{{++{op.b}++}}"
    if op.kind == "delete":
        return f"{{--{op.a}--}}"
    if op.kind == "replace":
        return f"{{~~{op.a}~>{op.b}~~}}"
    if op.a:  # the place a passage moved from
        return f"{{--{op.a}--}}{{>>moved away (move {op.move})<<}}"
    return f"{{++{op.b}++}}{{>>moved here (move {op.move})<<}}"


_ANSI = {"delete": "\x1b[31;9m", "insert": "\x1b[32;4m", "move": "\x1b[35m", "end": "\x1b[0m", "dim": "\x1b[2m"}


def to_terminal(comparison: Comparison, *, colour: bool, only_changed: bool = True) -> str:
    """Inline, one block per segment: deletions red and struck through,
    insertions green; without colour `[-old-]{+new+}` (as git's word diff)
    and moves `[<…<]` / `{>…>}` with their number."""
    out = []
    for s in comparison.segments:
        if only_changed and not s.changed:
            continue
        head = f"── {s.segment} ({s.stats.similarity:.0%})"
        out.append(f"{_ANSI['dim']}{head}{_ANSI['end']}" if colour else head)
        out.append("".join(_term(op, colour) for op in s.diff.ops))
        out.append("")
    out.extend(summary_lines(comparison))
    return "\n".join(out) + "\n"


def _term(op: Op, colour: bool) -> str:
    a, b = visible(op.a), visible(op.b)
    if op.kind == "equal":
        return op.b
    if colour:
        deleted = f"{_ANSI['delete']}{a}{_ANSI['end']}" if a else ""
        inserted = f"{_ANSI['insert']}{b}{_ANSI['end']}" if b else ""
        if op.kind == "move":
            return f"{_ANSI['move']}{'⟨' + a + '⟩↷' + str(op.move) if a else '↶' + str(op.move) + '⟨' + b + '⟩'}{_ANSI['end']}"
        return deleted + inserted
    if op.kind == "move":
        return f"[<{a}<{op.move}]" if a else f"{{>{op.move}>{b}}}"
    return (f"[-{a}-]" if a else "") + (f"{{+{b}+}}" if b else "")


def to_html(comparison: Comparison, templates: list[Path]) -> str:
    """One self-contained page: the summary, then each segment side by side
    (A with its deletions, B with its insertions, moves linked by number)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader([str(t) for t in templates]), autoescape=True, undefined=StrictUndefined)
    env.filters["visible"] = visible
    return env.get_template("compare.html.j2").render(
        c=comparison, totals=comparison.totals(), summary=summary_lines(comparison), schema=SCHEMA
    )
