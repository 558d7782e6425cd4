"""Safe YAML in and canonical YAML out, with positions for every value.

Every scalar is read as a string (no YAML 1.1 surprises: `no` stays "no",
`1917-10-25` stays a string); the schema in `store` decides types. Duplicate
keys, aliases and tags are refused. Output is canonical: fixed key order set
by the caller, block scalars for text, Unicode unescaped, no folding."""

from __future__ import annotations

import contextlib
import gc
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import EditionError
from .textfile import LIMITS, read_text

# libyaml's parser is many times faster on large files; the pure-Python
# one stands in where PyYAML was built without it.
_Loader: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_DEPTH = 32
_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:timestamp",
}


@dataclass(slots=True)
class Located:
    """A value read from YAML and where it stood (1-based line and column).

    `value` is a str, None, a dict of str to Located, or a list of Located."""

    value: Any
    line: int
    column: int
    key_line: int | None = None
    key_column: int | None = None


class Block(str):
    """A string to be written as a literal block scalar (`|-`)."""


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a large tree of values (which
    holds no cycles) is built: it would walk the growing tree again and
    again, a fifth of the time a whole Bible takes to load."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def parse(text: str, path: Path) -> Located:
    """Parse one YAML document into Located values.

    The common case (no anchors, aliases, tags, duplicate or complex keys)
    is built straight from libyaml's events; anything else, and every
    error, goes the slow way (the composed node tree), which finds and
    reports it."""
    fast = _fast_parse(text) if _CParser is not None else None
    return fast if fast is not None else _parse_nodes(text, path)


def _fast_parse(text: str) -> Located | None:
    try:
        parser = _CParser(text)
    except Exception:  # noqa: BLE001 - any problem: the slow way finds and reports it
        return None
    try:
        with collector_paused():
            return _from_events(parser)
    except Exception:  # noqa: BLE001 - as above
        return None
    finally:
        parser.dispose()


_CParser: Any
try:
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover - pure-Python fallback
    _CParser = None

# Plain scalars that resolve to a tag other than str, map, seq, null, bool,
# int, float or timestamp (the merge key and the value key): refused.
_ODD_PLAIN = frozenset(("<<", "="))


def _from_events(parser) -> Located | None:
    """The Located tree of one YAML document read from libyaml's events,
    the same as `_convert` of the composed nodes; None where the slow way
    must decide (an anchor, alias or tag, a key that is not a plain name,
    a merge key, a duplicate key, nesting past MAX_DEPTH, more than one
    document, or none). Scalars are kept as text: the schema in `store`
    decides types, so no resolver runs."""
    get = parser.get_event
    if type(get()) is not yaml.StreamStartEvent or type(get()) is not yaml.DocumentStartEvent:
        return None
    scalar, mapping_start, sequence_start = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    odd = _ODD_PLAIN
    root: Located | None = None
    # Open containers: [Located, its dict or list, is-a-mapping, the key waiting for its value, its line, its column]
    stack: list[list] = []
    while True:
        event = get()
        kind = type(event)
        if kind is scalar:
            if event.anchor is not None or event.tag is not None:
                return None
            value = event.value
            if not value.isascii():
                value = unicodedata.normalize("NFC", value)
            if event.style == "" and value in odd:
                return None
            mark = event.start_mark
            if stack:
                top = stack[-1]
                if top[2]:  # a mapping: a key, or the value of the key before
                    key = top[3]
                    if key is None:
                        if value in top[1] or value == "<<":
                            return None
                        top[3], top[4], top[5] = value, mark.line + 1, mark.column + 1
                        continue
                    top[1][key] = Located(value, mark.line + 1, mark.column + 1, top[4], top[5])
                    top[3] = None
                else:
                    top[1].append(Located(value, mark.line + 1, mark.column + 1))
                if len(stack) > MAX_DEPTH:
                    return None
                continue
            if len(stack) > MAX_DEPTH:
                return None
            root = Located(value, mark.line + 1, mark.column + 1)
            continue
        if kind is mapping_start or kind is sequence_start:
            if event.anchor is not None or event.tag is not None or len(stack) > MAX_DEPTH:
                return None
            mark = event.start_mark
            container: dict | list = {} if kind is mapping_start else []
            if stack:
                top = stack[-1]
                if top[2]:
                    key = top[3]
                    if key is None:  # a mapping or a list as a key
                        return None
                    node = top[1][key] = Located(container, mark.line + 1, mark.column + 1, top[4], top[5])
                    top[3] = None
                else:
                    node = Located(container, mark.line + 1, mark.column + 1)
                    top[1].append(node)
            else:
                node = root = Located(container, mark.line + 1, mark.column + 1)
            stack.append([node, container, kind is mapping_start, None, 0, 0])
            continue
        if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            stack.pop()
            continue
        if kind is yaml.DocumentEndEvent:
            break
        return None  # an alias, or an event out of place
    if type(get()) is not yaml.StreamEndEvent:
        return None
    return root


def _parse_nodes(text: str, path: Path) -> Located:
    """The slow way: compose the nodes, then check and convert them."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or exc.context or "malformed YAML"
        if exc.context and exc.problem:
            message = f"{exc.problem} ({exc.context})"
        raise EditionError.at(
            f"malformed YAML: {message}",
            path,
            mark.line + 1 if mark else None,
            mark.column + 1 if mark else None,
            hint="check the indentation and quoting near this place",
        ) from None
    except yaml.reader.ReaderError as exc:
        # A character YAML forbids (a control character): name its line and
        # column, not the loader's offset, which a user cannot find in an
        # editor. libyaml counts the offset in UTF-8 bytes, the pure-Python
        # reader in characters.
        before = text.encode("utf-8")[: exc.position].decode("utf-8", "replace") if _Loader is not yaml.SafeLoader else text[: exc.position]
        raise EditionError.at(
            f"malformed YAML: character U+{exc.character:04X} is not allowed ({exc.reason})"
            if isinstance(exc.character, int)
            else f"malformed YAML: {exc.reason}",
            path,
            before.count("\n") + 1,
            len(before) - (before.rfind("\n") + 1) + 1,
            hint="remove the character, or write it as an escape in a double-quoted string",
        ) from None
    except yaml.YAMLError as exc:
        raise EditionError.at(f"malformed YAML: {exc}", path) from None
    except RecursionError:
        raise EditionError.at("structure is nested too deeply", path) from None
    finally:
        loader.dispose()
    if node is None:
        raise EditionError.at("file holds no YAML document", path, 1, 1)
    return _convert(node, path, set(), 0)


def load(path: Path) -> tuple[Located, str]:
    text = read_text(path, nfc=False, limit=LIMITS["yaml"])  # values are made NFC once parsed
    return parse(text, path), text


def _convert(node: yaml.Node, path: Path, seen: set[int], depth: int) -> Located:
    line, column = node.start_mark.line + 1, node.start_mark.column + 1
    if depth > MAX_DEPTH:
        raise EditionError.at("structure is nested too deeply", path, line, column)
    if id(node) in seen:
        raise EditionError.at(
            "YAML aliases (*name) are not allowed in edition files", path, line, column, hint="write the value out in full"
        )
    seen.add(id(node))
    if node.tag not in _STANDARD_TAGS:
        raise EditionError.at(f"YAML tag {node.tag!r} is not allowed", path, line, column, hint="remove the tag")
    if isinstance(node, yaml.ScalarNode):
        if node.tag == "tag:yaml.org,2002:null" and node.style is None:
            return Located(None, line, column)
        return Located(unicodedata.normalize("NFC", node.value), line, column)
    if isinstance(node, yaml.SequenceNode):
        return Located([_convert(item, path, seen, depth + 1) for item in node.value], line, column)
    mapping: dict[str, Located] = {}
    for key_node, value_node in node.value:
        key_line, key_column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
        if not isinstance(key_node, yaml.ScalarNode):
            raise EditionError.at("a key must be a plain name", path, key_line, key_column)
        if key_node.value == "<<":
            raise EditionError.at("YAML merge keys (<<) are not allowed", path, key_line, key_column)
        key = unicodedata.normalize("NFC", key_node.value)
        if key in mapping:
            first = mapping[key]
            raise EditionError.at(
                f"duplicate key '{key}' (first at line {first.key_line})",
                path,
                key_line,
                key_column,
                hint="YAML keeps only the last value; remove one of them",
            )
        if id(value_node) in seen:  # an alias: report where it is used
            raise EditionError.at(
                "YAML aliases (*name) are not allowed in edition files", path, key_line, key_column, hint="write the value out in full"
            )
        value = _convert(value_node, path, seen, depth + 1)
        value.key_line, value.key_column = key_line, key_column
        mapping[key] = value
    return Located(mapping, line, column)


# libyaml's emitter writes the same bytes as the pure-Python one, ten times faster.
_BaseDumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_BaseDumper):  # type: ignore[valid-type,misc]  # a base chosen at import: mypy cannot follow it
    pass


def _represent_block(dumper: yaml.SafeDumper, value: Block) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style="|")


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(Block, _represent_block)
_Dumper.add_representer(str, _represent_str)


def dump(tree: Any) -> str:
    """Canonical YAML for a tree of dicts (in insertion order), lists, str,
    Block and None. Text is NFC; the result ends with one newline."""
    text = yaml.dump(
        _nfc(tree),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=2**31 - 1,
        indent=2,
    )
    return text


def _nfc(value: Any) -> Any:
    if isinstance(value, Block):
        return Block(unicodedata.normalize("NFC", value))
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {k: _nfc(v) for k, v in value.items() if v is not None and v != [] and v != {}}
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    return value
