"""Load applicant files (format `endorse-applicant/1`) into validated `Applicant`s.

YAML is read event by event with PyYAML's libyaml parser, so every key and item
keeps its line, and duplicate keys, aliases and odd tags are caught before any
value is built.  Values are then checked by walking the JSON Schema in
`applicant.schema.json`, which also drives normalization (defaults, absent lists).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
import os
import re
import stat
from dataclasses import dataclass
from importlib import resources
from typing import Any, NamedTuple

import yaml
from yaml import events

from .words import did_you_mean

SCHEMA: dict = json.loads(resources.files(__package__).joinpath("applicant.schema.json").read_text("utf-8"))

MAX_BYTES = 5 * 1024 * 1024
# Dates an applicant file (and --as-of) may give: as `renew --year` (docs/applicant-format.md).
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2999, 12, 31)
MAX_DEPTH = 50  # far deeper than the format needs; keeps the recursive reader safe
# Control characters a text field may not hold: all C0 but tab and line breaks, DEL and C1 (a
# terminal escape would act on the reader's terminal).
# Line breaks are allowed in free text (reports show them as text), not in the name or id.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_LINE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_YAML = "tag:yaml.org,2002:"
# Plain scalars resolving to any other tag (str, and merge '<<' or value '=') stay text.
_CONSTRUCT = {
    tag: yaml.constructor.SafeConstructor.yaml_constructors[tag]
    for tag in (_YAML + "null", _YAML + "bool", _YAML + "int", _YAML + "float", _YAML + "timestamp")
}
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_EXPECTED = {
    "object": "a mapping",
    "array": "a list",
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
}
_PYTHON_TYPE: dict[str, type | tuple[type, ...]] = {
    "object": dict,
    "array": list,
    "string": str,
    "number": (int, float),
    "integer": int,
    "boolean": bool,
}


class Problem(NamedTuple):
    """One thing wrong with an input, located as precisely as known."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class InputError(Exception):
    """Bad input: carries every problem found, in file order."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


@dataclass(frozen=True)
class Applicant:
    """A validated applicant: `data` normalized by the schema, `raw` as written, `sha256` the
    hash of the bytes it was read from (provenance: a decision names its input)."""

    id: str
    data: dict
    raw: dict
    source: str
    sha256: str | None = None


def load_file(path: str | os.PathLike) -> Applicant:
    """Read and validate one applicant file; refuse files over MAX_BYTES unread."""
    source = os.fspath(path)
    try:
        # Non-blocking, so that a FIFO does not hang the run; only a regular file is read.
        fd = os.open(source, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise _fail(source, None, "file not found") from None
    except IsADirectoryError:
        raise _fail(source, None, "is a directory, not an applicant file") from None
    except OSError as err:
        raise _fail(source, None, f"cannot read file: {err.strerror or err}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise _fail(source, None, "is a directory, not an applicant file")
        raise _fail(source, None, "not a regular file (a pipe, socket or device): only files are read")
    with os.fdopen(fd, "rb") as handle:
        try:
            content = handle.read(MAX_BYTES + 1)
        except OSError as err:
            raise _fail(source, None, f"cannot read file: {err.strerror or err}") from None
    return load_text(content, source)


def load_text(text: str | bytes, source: str) -> Applicant:
    """Parse and validate applicant YAML given as text or UTF-8 bytes."""
    raw, lines, problems = parse_yaml(text, source)
    try:
        applicant = validate(raw, source, lines)
    except InputError as err:
        problems = problems + err.problems
    if problems:
        raise InputError(sorted(problems, key=_line))
    content = text.encode("utf-8") if isinstance(text, str) else text
    return dataclasses.replace(applicant, sha256=hashlib.sha256(content).hexdigest())


def validate(raw: Any, source: str, lines: dict[str, int] | None = None) -> Applicant:
    """Check `raw` against SCHEMA and the loader-only rules; return it normalized."""
    checker = _Checker(source, lines or {})
    if not isinstance(raw, dict):
        checker.report("", f"the top level must be a mapping of fields (id: ..., name: ...), got {_describe(raw)}")
        raise InputError(checker.problems)
    data = checker.check(raw, SCHEMA, "")
    if checker.problems:
        raise InputError(sorted(checker.problems, key=_line))
    return Applicant(id=data["id"], data=data, raw=raw, source=source)


def parse_yaml(text: str | bytes, source: str) -> tuple[Any, dict[str, int], list[Problem]]:
    """Build the single YAML document in `text` as plain values.

    Returns the value, the 1-based line of every mapping value and list item by
    path, and the problems that do not stop reading (duplicate or non-text keys).
    Raises InputError for anything that does (syntax, aliases, several documents...).
    """
    text = _as_text(text, source)
    reader = _Reader(text, source)
    try:
        return reader.document(), reader.lines, reader.problems
    except yaml.MarkedYAMLError as err:
        raise _fail(source, _mark_line(err.problem_mark or err.context_mark), _syntax_message(err)) from None
    except yaml.YAMLError as err:  # ReaderError: unacceptable characters, offset in UTF-8 bytes
        position = getattr(err, "position", 0)
        line = text.encode("utf-8")[:position].count(b"\n") + 1
        raise _fail(source, line, f"invalid YAML text: {getattr(err, 'reason', err)}") from None
    finally:
        reader.loader.dispose()


def deref(schema: dict) -> dict:
    """Follow a `$ref` to `#/$defs/...` (the only kind the schema uses)."""
    ref = schema.get("$ref")
    return SCHEMA["$defs"][ref.rsplit("/", 1)[1]] if ref else schema


def join(path: str, key: Any) -> str:
    """Path of a mapping value (`exam.passed`) or list item (`rsc[1]`)."""
    if isinstance(key, int) and not isinstance(key, bool):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _fail(source: str, line: int | None, message: str, path: str = "") -> InputError:
    return InputError([Problem(source, line, path, message)])


def _line(problem: Problem) -> int:
    return problem.line or 0


def _as_text(text: str | bytes, source: str) -> str:
    """Refuse oversized, binary, UTF-16 and non-UTF-8 input; return it as str."""
    if isinstance(text, str):
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError as err:
            raise _fail(
                source,
                text.count("\n", 0, err.start) + 1,
                f"not valid Unicode text (lone surrogate at character {err.start})",
            ) from None
    else:
        data = bytes(text)
    if len(data) > MAX_BYTES:
        raise _fail(source, None, f"file too large ({len(data)} bytes; the limit is 5 MB)")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _fail(source, None, "file is UTF-16 text; save it as UTF-8")
    if b"\0" in data:
        offset = data.index(b"\0")
        raise _fail(
            source,
            data.count(b"\n", 0, offset) + 1,
            f"binary content (NUL byte at byte offset {offset}); expected YAML text",
        )
    if isinstance(text, str):
        return text
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise _fail(
            source,
            data.count(b"\n", 0, err.start) + 1,
            f"not UTF-8 text: byte 0x{data[err.start]:02x} at byte offset {err.start}",
        ) from None


def _tag(tag: str) -> str:
    """'tag:yaml.org,2002:binary' -> '!!binary', as it is written."""
    return "!!" + tag[len(_YAML) :] if tag.startswith(_YAML) else tag


def _mark_line(mark: Any) -> int | None:
    return mark.line + 1 if mark is not None else None


def _syntax_message(err: yaml.MarkedYAMLError) -> str:
    """'YAML syntax error: <problem> (column c; <context> at line n)'."""
    message = f"YAML syntax error: {err.problem or err.context}"
    details = [f"column {err.problem_mark.column + 1}"] if err.problem_mark else []
    if err.problem and err.context:
        details.append(f"{err.context} at line {_mark_line(err.context_mark)}")
    return f"{message} ({'; '.join(details)})" if details else message


class _Reader:
    """Recursive descent over libyaml events, building dicts, lists and scalars."""

    def __init__(self, text: str, source: str):
        self.loader = _LOADER(text)
        self.source = source
        self.lines: dict[str, int] = {}
        self.problems: list[Problem] = []

    def document(self) -> Any:
        """The one document of the stream; empty streams and extra documents are errors."""
        self.loader.get_event()  # StreamStartEvent
        if isinstance(self.loader.get_event(), events.StreamEndEvent):
            raise _fail(self.source, None, "no YAML content: the file is empty or holds only comments")
        first = self.loader.get_event()
        self.lines[""] = first.start_mark.line + 1
        value = self.node(first, "", 0)
        self.loader.get_event()  # DocumentEndEvent
        extra = self.loader.get_event()
        if isinstance(extra, events.DocumentStartEvent):
            raise _fail(
                self.source,
                _mark_line(extra.start_mark),
                "several YAML documents in one file; an applicant file holds one",
            )
        return value

    def node(self, event: events.NodeEvent, path: str, depth: int) -> Any:
        """The value starting at `event`; `path` names it in messages."""
        line = event.start_mark.line + 1 if event.start_mark else 0
        if event.anchor is not None:
            raise _fail(self.source, line, "anchors and aliases are not supported", path)
        if depth > MAX_DEPTH:
            raise _fail(self.source, line, f"nested more than {MAX_DEPTH} levels deep", path)
        if isinstance(event, events.ScalarEvent):
            return self.scalar(event, path, line)
        collection = "map" if isinstance(event, events.MappingStartEvent) else "seq"
        tag = getattr(event, "tag", None)  # collection start events carry one
        if tag not in (None, "!", _YAML + collection):
            raise _fail(self.source, line, f"unsupported YAML tag {_tag(tag)}", path)
        if collection == "map":
            return self.mapping(path, depth)
        return self.sequence(path, depth)

    def scalar(self, event: events.ScalarEvent, path: str, line: int) -> Any:
        """Plain scalars get YAML 1.1 types; the only explicit tag allowed is !!str.

        An impossible date stays text, for the checker to report.
        """
        tag = event.tag
        if tag in (None, "!"):
            tag = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        elif tag != _YAML + "str":
            raise _fail(self.source, line, f"unsupported YAML tag {_tag(tag)}", path)
        construct = _CONSTRUCT.get(tag)
        if construct is None:
            return event.value
        try:
            return construct(self.loader, yaml.ScalarNode(tag, event.value))
        except ValueError:
            if tag == _YAML + "timestamp":
                return event.value
            raise _fail(self.source, line, f"number too long: {event.value[:20]}...", path) from None

    def mapping(self, path: str, depth: int) -> dict:
        """A mapping with text keys; duplicate and non-text keys are reported and skipped."""
        result: dict = {}
        while not isinstance(event := self.loader.get_event(), events.MappingEndEvent):
            line = event.start_mark.line + 1
            scalar = isinstance(event, events.ScalarEvent)
            key = self.node(event, path if scalar else join(path, "?"), depth + 1)
            if not isinstance(key, str):
                self.problems.append(
                    Problem(self.source, line, path, f"field names must be text, got {_describe(key)}")
                )
                self.node(self.loader.get_event(), path, depth + 1)
                continue
            child = join(path, key)
            if key in result:
                self.problems.append(
                    Problem(self.source, line, child, f"duplicate key '{key}' ({_lines(self.lines[child], line)})")
                )
                self.node(self.loader.get_event(), child, depth + 1)
                continue
            self.lines[child] = line
            result[key] = self.node(self.loader.get_event(), child, depth + 1)
        return result

    def sequence(self, path: str, depth: int) -> list:
        """A list; each item's line is kept under `path[i]`."""
        result: list = []
        while not isinstance(event := self.loader.get_event(), events.SequenceEndEvent):
            child = f"{path}[{len(result)}]"
            self.lines[child] = event.start_mark.line + 1
            result.append(self.node(event, child, depth + 1))
        return result


class _Checker:
    """Walks a value alongside its schema, collecting problems and normalizing."""

    def __init__(self, source: str, lines: dict[str, int]):
        self.source = source
        self.lines = lines
        self.problems: list[Problem] = []

    def report(self, path: str, message: str, line_of: str | None = None) -> None:
        """Record a problem at `path`, located at the line of `line_of` (default: path)."""
        line = self.lines.get(path if line_of is None else line_of)
        self.problems.append(Problem(self.source, line, path, message))

    def check(self, value: Any, schema: dict, path: str) -> Any:
        """Validate `value`; return it normalized (dates parsed, objects completed)."""
        schema = deref(schema)
        if "enum" in schema:
            return self.enum(value, schema["enum"], path)
        if schema.get("format") == "date":
            return self.date(value, path)
        kind = schema["type"]
        if not _is_type(value, kind):
            self.report(path, f"expected {_EXPECTED[kind]}, got {_describe(value)}{_quote_hint(kind, value)}")
            return value
        if kind == "object":
            return self.object(value, schema, path)
        if kind == "array":
            if "maxItems" in schema and len(value) > schema["maxItems"]:
                self.report(path, f"at most {schema['maxItems']} entries, got {len(value)}")
                return value
            return [self.check(item, schema["items"], join(path, i)) for i, item in enumerate(value)]
        if kind in ("number", "integer"):
            self.bounds(value, schema, path)
        if kind == "string" and "maxLength" in schema and len(value) > schema["maxLength"]:
            self.report(path, f"at most {schema['maxLength']} characters, got {len(value)}")
            return value
        if kind == "string" and (bad := (_CONTROL_LINE if path in ("name", "id") else _CONTROL).search(value)):
            self.report(
                path, f"control character {bad.group()!r} in text (terminal escapes, line breaks): write plain text"
            )
            return value
        if "pattern" in schema and not re.fullmatch(schema["pattern"], value):
            self.report(path, f"invalid value {_short(value)}; expected {_summary(schema)}")
        return value

    def object(self, value: dict, schema: dict, path: str) -> dict:
        """Check fields, unknown and missing ones; return every property in schema order."""
        properties = schema.get("properties", {})
        checked = {}
        for key, item in value.items():
            child = join(path, key)
            if not isinstance(key, str):
                self.report(path, f"field names must be text, got {_describe(key)}")
            elif key in properties:
                checked[key] = self.check(item, properties[key], child)
            elif schema.get("additionalProperties") is False:
                self.report(child, f"unknown field {_short(key)}{did_you_mean(key, list(properties))}")
        for key in schema.get("required", ()):
            if key not in value:
                self.report(join(path, key), f"missing required field '{key}'", line_of=path)
        if "start" in properties and "end" in properties:
            self.order(checked, path)
        return {key: checked[key] if key in checked else _absent(sub) for key, sub in properties.items()}

    def order(self, checked: dict, path: str) -> None:
        """An `end` date may not come before its sibling `start`."""
        start, end = checked.get("start"), checked.get("end")
        if type(start) is dt.date and type(end) is dt.date and end < start:
            self.report(join(path, "end"), f"end {end} is before start {start}")

    def enum(self, value: Any, options: list, path: str) -> Any:
        if any(type(value) is type(option) and value == option for option in options):
            return value
        expected = f"expected one of {', '.join(map(str, options))}"
        if isinstance(value, str):
            self.report(path, f"unknown value {_short(value)}; {expected}{did_you_mean(value, options)}")
        else:
            self.report(path, f"{expected}; got {_describe(value)}")
        return value

    def date(self, value: Any, path: str) -> Any:
        """Accept a YAML date or an ISO `YYYY-MM-DD` string; no times, no impossible days."""
        if type(value) is dt.date:
            return self.date_in_range(value, path)
        match = _DATE.fullmatch(value) if isinstance(value, str) else None
        if match:
            try:
                return self.date_in_range(dt.date(*map(int, match.groups())), path)
            except ValueError as err:
                self.report(path, f"impossible date '{value}' ({err})")
                return value
        self.report(path, f"expected a date YYYY-MM-DD, got {_describe(value)}")
        return value

    def date_in_range(self, value: dt.date, path: str) -> dt.date:
        if not FIRST_DATE <= value <= LAST_DATE:
            self.report(path, f"date {value} is outside {FIRST_DATE} .. {LAST_DATE}")
        return value

    def bounds(self, value: int | float, schema: dict, path: str) -> None:
        if isinstance(value, float) and not math.isfinite(value):
            self.report(path, f"expected a finite number, got {value}")
        elif "minimum" in schema and value < schema["minimum"]:
            self.report(path, f"must be at least {schema['minimum']}, got {_short(value)}")
        elif "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            self.report(path, f"must be greater than {schema['exclusiveMinimum']}, got {_short(value)}")
        elif "maximum" in schema and value > schema["maximum"]:
            self.report(path, f"must be at most {schema['maximum']}, got {_short(value)}")


def _is_type(value: Any, kind: str) -> bool:
    """JSON Schema types over Python values: bool is no number; 2.0 is an integer."""
    if isinstance(value, bool):
        return kind == "boolean"
    if kind == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _PYTHON_TYPE[kind])


def _quote_hint(kind: str, value: Any) -> str:
    """YAML reads 1984, yes or 2020-01-01 as non-text; quoting is the fix."""
    if kind == "string" and value is not None and not isinstance(value, (list, dict)):
        return " (put it in quotes if it is meant as text)"
    return ""


def _absent(schema: dict) -> Any:
    """Value of an absent property: its default, [] for a list, else None (unknown)."""
    schema = deref(schema)
    if "default" in schema:
        return schema["default"]
    return [] if schema.get("type") == "array" else None


def _lines(first: int, second: int) -> str:
    return f"lines {first} and {second}" if first != second else f"twice on line {first}"


def _summary(schema: dict) -> str:
    """First clause of a pattern's description ("two-letter US state code"), else the pattern."""
    text = schema.get("description", "").split(";")[0].rstrip(".")
    return text[:1].lower() + text[1:] if text else f"text matching {schema['pattern']}"


def _describe(value: Any) -> str:
    """A value as named in messages: "text 'ten'", "a number 5", "a list"..."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"a number {_short(value)}"
    if isinstance(value, str):
        return f"text {_short(value)}"
    if isinstance(value, dt.datetime):
        return f"a date and time {value.isoformat()}"
    if isinstance(value, dt.date):
        return f"a date {value.isoformat()}"
    names: dict[type, str] = {list: "a list", dict: "a mapping"}
    return names.get(type(value), f"a value of type {type(value).__name__}")


def _short(value: Any) -> str:
    """repr() cut to a readable length."""
    text = repr(value) if not isinstance(value, int) or abs(value) < 10**30 else "(huge)"
    return text if len(text) <= 60 else text[:57] + "..."
