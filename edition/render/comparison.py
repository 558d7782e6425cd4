"""A comparison of two versions in four forms: the terminal (colour, or
`[-…-]{+…+}` marks when plain), one self-contained side-by-side HTML file,
JSON for scripts (schema `edition.compare/1`, documented in the README) and
Markdown with CriticMarkup."""

from __future__ import annotations

import dataclasses
import json
from difflib import SequenceMatcher
from pathlib import Path
from typing import TextIO
from collections.abc import Sequence

from ..compare import Comparison, SegmentComparison
from ..errors import EditionError
from ..diff import Op
from ..tokens import show_invisible as visible
from ..tokens import tokenize

SCHEMA = "edition.compare/1"


def stats_json(stats) -> dict:
    return {
        "words_a": stats.words_a, "words_b": stats.words_b, "equal": stats.equal, "inserted": stats.inserted,
        "deleted": stats.deleted, "substituted": stats.substituted, "moved": stats.moved,
        "similarity": round(stats.similarity, 4), "by_class": dict(stats.by_class),
    }  # fmt: skip


def _head_json(comparison: Comparison) -> dict:
    return {
        "schema": SCHEMA,
        "a": comparison.a_label,
        "b": comparison.b_label,
        "ignore": [name.removeprefix("ignore_") for name, on in dataclasses.asdict(comparison.options).items() if on],
    }


def _segment_json(s, ops: list) -> dict:
    return {
        "segment": s.segment,
        "changed": s.changed,
        "absent": "a" if s.a is None else "b" if s.b is None else None,
        "ops": ops,
        "stats": stats_json(s.stats),
    }


def to_json(comparison: Comparison) -> dict:
    """Per segment its operations (kind, text of each side, class, move id)
    and figures; then the totals. Equal text is included, so both versions
    can be rebuilt from the ops."""
    return {
        **_head_json(comparison),
        "segments": [_segment_json(s, [_op_json(op) for op in s.diff.ops]) for s in comparison.segments],
        "totals": stats_json(comparison.totals()),
    }


def _op_json(op: Op) -> dict:
    out = {"op": op.kind, "a": op.a, "b": op.b, "a_pos": op.a_pos, "b_pos": op.b_pos}
    if op.cls:
        out["class"] = op.cls
    if op.move is not None:
        out["move"] = op.move
    return out


def write_json(comparison: Comparison, out: TextIO) -> None:
    """`to_json` written as `json.dumps(…, ensure_ascii=False, indent=2)`
    and a line end would write it, byte for byte, a segment at a time: the
    standard encoder turns to pure Python when it indents (some 25 s for
    a whole Bible) and holds the whole text in memory."""
    JsonWriter(out).finish(comparison)


class JsonWriter:
    """`write_json` in parts: `segments` writes segments as they come (give
    it as `each` to `api.compare`, and the first share of a long
    comparison is written while workers diff the rest), `finish` writes
    whatever of the comparison is not yet written and its totals."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.written = 0  # segments written so far
        self.started = False

    def segments(self, comparison: Comparison, segments: Sequence[SegmentComparison]) -> None:
        out = self.out
        if not self.started:
            head = json.dumps(_head_json(comparison), ensure_ascii=False, indent=2)
            out.write(head[:-2] + ',\n  "segments": [')
            self.started = True
        chunk: list[str] = []
        for n, s in enumerate(segments, start=self.written):
            absent = '"a"' if s.a is None else '"b"' if s.b is None else "null"
            ops = s.diff.rows()
            changed = "false"
            for op in ops:
                if op[0] != "equal":
                    changed = "true"
                    break
            chunk.append(
                (",\n    {\n" if n else "\n    {\n") + f'      "segment": {_encode(s.segment)},\n      "changed": {changed},\n'
                f'      "absent": {absent},\n'
                + ('      "ops": [\n' + ",\n".join([_op_text(*op) for op in ops]) + "\n      ],\n" if ops else '      "ops": [],\n')
                + f'      "stats": {_stats_text(s.stats, "      ")}\n    }}'
            )
            if len(chunk) >= 512:
                out.write("".join(chunk))
                chunk.clear()
        out.write("".join(chunk))
        self.written += len(segments)

    def finish(self, comparison: Comparison) -> None:
        self.segments(comparison, comparison.segments[self.written :])
        self.out.write("\n  ]" if self.written else "]")
        self.out.write(f',\n  "totals": {_stats_text(comparison.totals(), "  ")}\n}}\n')


# The C encoder of one string, as JSONEncoder(ensure_ascii=False).encode
# calls it for a str, without the method calls around it.
_encode = getattr(json.encoder, "c_encode_basestring", None) or json.encoder.encode_basestring


def _stats_text(stats, pad: str) -> str:
    inner = pad + "  "
    if stats.by_class:
        classes = ",\n".join(f"{inner}  {_encode(c)}: {n}" for c, n in stats.by_class.items())
        by_class = "{\n" + classes + "\n" + inner + "}"
    else:
        by_class = "{}"
    return (
        f'{{\n{inner}"words_a": {stats.words_a},\n{inner}"words_b": {stats.words_b},\n{inner}"equal": {stats.equal},\n'
        f'{inner}"inserted": {stats.inserted},\n{inner}"deleted": {stats.deleted},\n{inner}"substituted": {stats.substituted},\n'
        f'{inner}"moved": {stats.moved},\n{inner}"similarity": {round(stats.similarity, 4)},\n{inner}"by_class": {by_class}\n{pad}}}'
    )


def _op_text(kind: str, a: str, b: str, a_pos: int, b_pos: int, cls: str | None, move: int | None) -> str:
    """One op (a row of `Diff.rows`), its keys five levels deep."""
    if cls is None and move is None:
        return (
            f'        {{\n          "op": "{kind}",\n          "a": {_encode(a)},\n          "b": {_encode(b)},\n'
            f'          "a_pos": {a_pos},\n          "b_pos": {b_pos}\n        }}'
        )
    pad = "          "
    text = (
        f'        {{\n{pad}"op": "{kind}",\n{pad}"a": {_encode(a)},\n{pad}"b": {_encode(b)},\n{pad}"a_pos": {a_pos},\n{pad}"b_pos": {b_pos}'
    )
    if cls:
        text += f',\n{pad}"class": {_encode(cls)}'
    if move is not None:
        text += f',\n{pad}"move": {move}'
    return text + "\n        }"


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


def to_markdown(comparison: Comparison, *, only_changed: bool = True) -> str:
    """CriticMarkup: {++ added ++}, {-- deleted --}, {~~ old ~> new ~~};
    a moved passage is marked at both ends with a comment naming the move.
    With every segment (`only_changed=False`), accepting every change in
    the segments gives the second text and rejecting every one the first
    (a line break inside a segment is written as Markdown's two spaces
    before it)."""
    lines = [f"# {comparison.a_label} → {comparison.b_label}", "", *(f"{line}  " for line in summary_lines(comparison)), ""]
    for s in comparison.segments:
        if only_changed and not s.changed:
            continue
        st = s.stats
        lines.append(f"## {s.segment} — similarity {st.similarity:.0%}")
        lines.append("")
        lines.append("".join(_critic(op) for op in s.diff.ops).replace("\n", "  \n"))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def ignored_differences(a: str, b: str) -> list[tuple[str, str]]:
    """An equal op's two texts as (a, b) runs, equal runs with a == b: under
    an ignore option the two sides of an "equal" op may differ (“ and ",
    "..." and "…"), and a view must still show every character of both."""
    if a == b:
        return [(a, b)]
    ta, tb = tokenize(a), tokenize(b)
    runs: list[tuple[str, str]] = []
    for _, i0, i1, j0, j1 in SequenceMatcher(None, ta, tb, autojunk=False).get_opcodes():
        runs.append(("".join(ta[i0:i1]), "".join(tb[j0:j1])))
    return runs


def _critic(op: Op) -> str:
    if op.kind == "equal":
        return "".join(x if x == y else _critic_change(x, y) for x, y in ignored_differences(op.a, op.b))
    if op.kind in ("insert", "delete", "replace"):
        return _critic_change(op.a, op.b)
    if op.a:  # the place a passage moved from
        return f"{{--{op.a}--}}{{>>moved away (move {op.move})<<}}"
    return f"{{++{op.b}++}}{{>>moved here (move {op.move})<<}}"


def _critic_change(a: str, b: str) -> str:
    if not a:
        return f"{{++{b}++}}"
    if not b:
        return f"{{--{a}--}}"
    return f"{{~~{a}~>{b}~~}}"


_ANSI = {"delete": "\x1b[31;9m", "insert": "\x1b[32;4m", "move": "\x1b[35m", "end": "\x1b[0m", "dim": "\x1b[2m", "ignored": "\x1b[2;9m"}
COLOURS = tuple(_ANSI.values())


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
        out.append(inline(s.diff, colour))
        out.append("")
    out.extend(summary_lines(comparison))
    return "\n".join(out) + "\n"


def inline(diff, colour: bool) -> str:
    """One diff as the terminal shows it, inline: `[-old-]{+new+}` plain."""
    return "".join(_term(op, colour) for op in diff.ops)


def _term(op: Op, colour: bool) -> str:
    if op.kind == "equal":
        return "".join(x if x == y else _ignored(visible(x), visible(y), colour) for x, y in ignored_differences(op.a, op.b))
    a, b = visible(op.a), visible(op.b)
    if colour:
        deleted = f"{_ANSI['delete']}{a}{_ANSI['end']}" if a else ""
        inserted = f"{_ANSI['insert']}{b}{_ANSI['end']}" if b else ""
        if op.kind == "move":
            return f"{_ANSI['move']}{'⟨' + a + '⟩↷' + str(op.move) if a else '↶' + str(op.move) + '⟨' + b + '⟩'}{_ANSI['end']}"
        return deleted + inserted
    if op.kind == "move":
        return f"[<{a}<{op.move}]" if a else f"{{>{op.move}>{b}}}"
    return (f"[-{a}-]" if a else "") + (f"{{+{b}+}}" if b else "")


def _ignored(a: str, b: str, colour: bool) -> str:
    """A difference the comparison was told to ignore: shown, but apart
    from the changes (dim; `[~a~]{~b~}` without colour)."""
    if colour:
        struck = f"{_ANSI['ignored']}{a}{_ANSI['end']}" if a else ""
        return struck + (f"{_ANSI['dim']}{b}{_ANSI['end']}" if b else "")
    return (f"[~{a}~]" if a else "") + (f"{{~{b}~}}" if b else "")


def to_html(comparison: Comparison, templates: list[Path]) -> str:
    """One self-contained page: the summary, then each segment side by side
    (A with its deletions, B with its insertions, moves linked by number)."""
    import jinja2

    from .templating import environment, render, template_error

    env = environment(templates)
    env.filters["visible"] = visible
    try:
        template = env.get_template("compare.html.j2")
    except jinja2.TemplateNotFound as exc:
        raise EditionError.at(f"template {exc.name!r} not found in " + ", ".join(map(str, templates)),
                              hint="an edition's templates/ may override the defaults, not remove them") from None  # fmt: skip
    except jinja2.TemplateError as exc:
        raise template_error(exc) from None
    return render(template, c=comparison, totals=comparison.totals(), summary=summary_lines(comparison), schema=SCHEMA)
