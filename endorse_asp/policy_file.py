"""policy.yaml: read once, as a tree of nodes (where each key is written) and as data.

The engine (policy.py), `policy check` (lint/metadata.py) and `policy test` (policytest.py) all read a
policy's metadata here. The file is parsed with PyYAML's C loader (libyaml) where present.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import yaml
from yaml.constructor import SafeConstructor

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _TextDates(SafeConstructor):
    """Reads dates as text, so that a bad one is reported where it is written."""

    yaml_constructors = {**SafeConstructor.yaml_constructors, _TIMESTAMP: SafeConstructor.construct_scalar}


def read(path: Path, *, pyyaml_errors: bool = False) -> yaml.Node | None:
    """The policy.yaml at `path` as a node tree (None for an empty file). Raises OSError,
    UnicodeDecodeError or yaml.YAMLError. With `pyyaml_errors` (`policy check`), a file libyaml
    refuses is read again by PyYAML's own parser, which decides: its words for a mistake name
    the character or alias at fault."""
    text = path.read_text(encoding="utf-8")
    try:
        return yaml.compose(text, Loader=LOADER)
    except yaml.YAMLError:
        if not pyyaml_errors or LOADER is yaml.SafeLoader:
            raise
    return yaml.compose(text, Loader=yaml.SafeLoader)


def data(node: yaml.Node | None, *, dates_as_text: bool = False):
    """The values of a node tree, as yaml.safe_load gives them; with `dates_as_text`, a date
    stays the text written. Raises yaml.YAMLError, or ValueError for a date that does not exist."""
    if node is None:
        return None
    return (_TextDates() if dates_as_text else SafeConstructor()).construct_document(node)


def load(path: Path):
    """The policy.yaml at `path` as data (read, then data)."""
    return data(read(path))


def line(node: yaml.Node | None, *keys) -> int:
    """The line of the value at keys (mapping keys or list indexes) in a node tree: of the
    deepest of them that is written, else of the top of the tree."""
    best = node.start_mark.line + 1 if node is not None else 1
    for key in keys:
        if node is None:
            break
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == str(key):
                    best = k.start_mark.line + 1
                    node = v
                    break
            else:
                return best
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            best = node.start_mark.line + 1
        else:
            return best
    return best


def duplicates(node: yaml.Node | None) -> Iterator[tuple[str, int, int]]:
    """(key, first line, repeated line) of keys given twice in a mapping, at any depth."""
    if isinstance(node, yaml.MappingNode):
        seen: dict = {}
        for key, value in node.value:
            key_line = key.start_mark.line + 1
            if key.value in seen:
                yield key.value, seen[key.value], key_line
            seen.setdefault(key.value, key_line)
            yield from duplicates(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from duplicates(item)
