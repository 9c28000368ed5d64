"""Edit expressions for `what-if` (cli.md, "Edit expressions").

`PATH=VALUE` sets a field, `PATH+=VALUE` appends to a list (creating it if
absent), `del PATH` removes a field or a list item.  Edits apply in order to a
copy of the applicant as written; the result is validated like a file.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from typing import Any

from .load import SCHEMA, Applicant, InputError, Problem, deref, join, parse_yaml, validate
from .words import did_you_mean

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_PATH = rf"{_NAME}(?:\[[0-9]+\]|\.{_NAME})*"
_EXPR = re.compile(rf"\s*(?:del\s+(?P<target>{_PATH})|(?P<path>{_PATH})\s*(?P<op>\+?=)(?P<value>.*?))\s*", re.DOTALL)
_SEGMENT = re.compile(rf"\[([0-9]+)\]|\.?({_NAME})")

Segment = str | int


class _EditError(Exception):
    """Why one edit cannot be applied (becomes a Problem naming the expression)."""


def apply(applicant: Applicant, exprs: list[str]) -> Applicant:
    """Apply edit expressions in order; return the re-validated applicant."""
    raw = copy.deepcopy(applicant.raw)
    paths = []
    for expr in exprs:
        match = _EXPR.fullmatch(expr)
        path = (match["target"] or match["path"]) if match else ""
        try:
            if match is None:
                raise _EditError("malformed edit; expected PATH=VALUE, PATH+=VALUE or del PATH")
            _apply_one(raw, match, applicant.source)
        except _EditError as err:
            raise InputError([Problem(applicant.source, None, path, f"edit {expr!r}: {err}")]) from None
        paths.append((path, expr))
    try:
        # The edited applicant still comes from the applicant's file, and names its hash.
        return dataclasses.replace(validate(raw, applicant.source), sha256=applicant.sha256)
    except InputError as err:
        raise InputError([_blame(problem, paths) for problem in err.problems]) from None


def check_expression(expr: str) -> str | None:
    """What is wrong with an edit expression on its own, before any applicant: its form, a field
    name the applicant format does not have (with the closest one), a value that is not YAML.
    None when nothing is."""
    match = _EXPR.fullmatch(expr)
    if match is None:
        return f"edit {expr!r}: malformed edit; expected PATH=VALUE, PATH+=VALUE or del PATH"
    schema, where = SCHEMA, ""
    try:
        for segment in _segments(match["target"] or match["path"]):
            schema = _child_schema(schema, segment, where)
            where = join(where, segment)
        if match["path"]:
            _value(match["value"], "edit")
    except _EditError as err:
        return f"edit {expr!r}: {err}"
    return None


def _apply_one(raw: dict, match: re.Match, source: str) -> None:
    """Perform one parsed edit on `raw` in place."""
    if match["target"]:
        container, last, _ = _locate(raw, _segments(match["target"]), create=False)
        _delete(container, last, match["target"])
        return
    segments = _segments(match["path"])
    container, last, schema = _locate(raw, segments, create=True)
    value = _value(match["value"], source)
    if match["op"] == "=":
        _set(container, last, value, match["path"])
    elif deref(schema).get("type") != "array":
        raise _EditError(f"'{match['path']}' is not a list, so '+=' cannot append to it")
    else:
        _append(container, last, value, match["path"])


def _segments(path: str) -> list[Segment]:
    """'training[0].hours' -> ['training', 0, 'hours']."""
    return [int(index) if index else name for index, name in _SEGMENT.findall(path)]


def _value(text: str, source: str) -> Any:
    """VALUE as YAML, read exactly like an applicant file (dates, no aliases or duplicate keys)."""
    if not text.strip():
        raise _EditError("missing value after '='")
    try:
        value, _, problems = parse_yaml(text, source)
    except InputError as err:
        problems = err.problems
    if problems:
        raise _EditError("; ".join(problem.message for problem in problems))
    return value


def _locate(raw: dict, segments: list[Segment], create: bool) -> tuple[Any, Segment, dict]:
    """The container holding the last segment, that segment, and its schema.

    Every segment is checked against the schema first (unknown field, index into
    a non-list).  With `create`, absent mappings and lists on the way are added.
    """
    container: Any = raw
    schema, where = SCHEMA, ""
    for segment in segments[:-1]:
        schema = _child_schema(schema, segment, where)
        if create and isinstance(container, dict) and segment not in container:
            container[segment] = [] if deref(schema).get("type") == "array" else {}
        _check_slot(container, segment, where)
        container, where = container[segment], join(where, segment)
    return container, segments[-1], _child_schema(schema, segments[-1], where)


def _child_schema(schema: dict, segment: Segment, where: str) -> dict:
    """Schema of `segment` inside `where`; unknown names get the closest valid one."""
    schema = deref(schema)
    if isinstance(segment, int):
        if schema.get("type") != "array":
            raise _EditError(f"'{where}' is not a list")
        return schema["items"]
    if schema.get("type") != "object":
        raise _EditError(f"'{where}' has no fields")
    properties = schema["properties"]
    if segment not in properties:
        inside = f" in '{where}'" if where else ""
        raise _EditError(f"unknown field '{segment}'{inside}{did_you_mean(segment, list(properties))}")
    return properties[segment]


def _check_slot(container: Any, segment: Segment, where: str) -> None:
    """Raise unless `container` holds `segment`: an existing list index or mapping key."""
    if isinstance(segment, int):
        if not isinstance(container, list):
            raise _EditError(f"'{where}' is not a list")
        if segment >= len(container):
            count = f"{len(container)} item{'' if len(container) == 1 else 's'}"
            raise _EditError(f"index {segment} is out of range: '{where}' has {count}")
    elif not isinstance(container, dict):
        raise _EditError(f"'{where}' is not a mapping")
    elif segment not in container:
        raise _EditError(f"'{join(where, segment)}' is absent")


def _set(container: Any, segment: Segment, value: Any, path: str) -> None:
    if not (isinstance(segment, str) and isinstance(container, dict)):
        _check_slot(container, segment, _parent(path))
    container[segment] = value


def _append(container: Any, segment: Segment, value: Any, path: str) -> None:
    if isinstance(segment, str) and isinstance(container, dict) and segment not in container:
        container[segment] = [value]
        return
    _check_slot(container, segment, _parent(path))
    if not isinstance(container[segment], list):
        raise _EditError(f"'{path}' is not a list, so '+=' cannot append to it")
    container[segment].append(value)


def _delete(container: Any, segment: Segment, path: str) -> None:
    try:
        _check_slot(container, segment, _parent(path))
    except _EditError as err:
        raise _EditError(f"nothing to delete: {err}") from None
    del container[segment]


def _parent(path: str) -> str:
    """'training[0].hours' -> 'training[0]'; 'rsc[2]' -> 'rsc'; 'degrees' -> ''."""
    return re.sub(r"(\[[0-9]+\]|\.?" + _NAME + r")$", "", path)


def _blame(problem: Problem, paths: list[tuple[str, str]]) -> Problem:
    """Name the last edit whose PATH contains the problem's path, if any."""
    for path, expr in reversed(paths):
        if problem.path == path or problem.path.startswith((path + ".", path + "[")):
            return problem._replace(message=f"{problem.message} (after edit {expr!r})")
    return problem
