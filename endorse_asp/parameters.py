"""Thresholds as dated parameters: `policies/<id>/parameters.yaml` (OpenFisca-style).

Every number a policy's rules use is a threshold named once, here, with what it counts, its
unit, where the source states it, and its values keyed by the date each takes effect:

    rsc_hours:
      description: Hours of reflective supervision/consultation (RS/C) received
      unit: hours
      reference: {document: "002", section: "Reflective supervision/consultation"}
      values:
        IFS:                          # a category code...
          2017-01-01: 24
          2027-01-01: 30              # ...a change that takes effect later: one more line
        specialist(p, C):             # ...or every category C for which a condition of the rules holds
          2017-01-01: 50
        renewal(IFS):                 # a renewal category (or `renewal(C): condition`)
          2017-01-01: 15

A value holds from its date until the next one of the same key; the first also before its
date (the policy's own validity says when it applies at all). A derived policy lists only
the values it overrides.

The compiler (policy.py) turns each stretch of time with its own set of values into a program
part of facts and rules `threshold(p, C, Name, Value)`, located at the line of each value, so
that the rules never hold a number and `policy check` points at the line to change. A policy
whose values change on some date is judged, like one with dated exceptions, under the variant
in force on the evaluation date.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .words import did_you_mean

# " (did you mean 'X'?)" for the closest of the options, as policy check words it
_closest = functools.partial(did_you_mean, ignore_case=False, aside=True)

FILE = "parameters.yaml"
KEYS = ("description", "unit", "reference", "values")
REFERENCE_KEYS = ("document", "section")
UNITS = ("hours", "days", "families")
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_CODE = re.compile(r"[A-Z][A-Z0-9-]*")
_RENEWAL = re.compile(r"renewal\(([A-Z][A-Z0-9-]*)\)")
_CONDITIONAL = re.compile(r"(?:(?P<head>renewal\(C\)|C)\s*:\s*)?(?P<condition>.*\bC\b.*)")
# A number written with a decimal point or a unit after it ("17.5", "18 hours").
_DECIMAL = re.compile(r"(?<![\w.])(\d+\.\d+)(?![\w.])")
_UNIT = re.compile(r"\b(\d+)\s*(hours?|hrs?|h|days?|years?|yrs?|months?|weeks?|families)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Value:
    """One value of a threshold for one key, from the date it takes effect, and where it is written."""

    key: str
    since: dt.date
    value: int
    line: int


def number_words(text: str) -> str | None:
    """What is wrong, in plain words, with a number written as `text`: a decimal, or a unit after it."""
    decimal = _DECIMAL.search(text)
    if decimal:
        return (
            f"'{decimal.group(1)}' is a decimal number: thresholds are whole numbers (hours, days, "
            "families), so write the whole number the source means"
        )
    unit = _UNIT.search(text)
    if unit:
        return (
            f"'{unit.group(0)}' has a unit after the number: write the number alone ({unit.group(1)}); "
            "the threshold's unit is its `unit:` line"
        )
    return None


def read(path: Path) -> tuple[dict, list[tuple[int, str]]]:
    """The thresholds in a parameters file, {name: {description, unit, reference, values: [Value]}},
    and what is wrong with it as (line, message): everything, so that `policy check` lists it all."""
    problems: list[tuple[int, str]] = []
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError) as err:
        return {}, [(1, f"cannot be read: {err}")]
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        return {}, [(mark.line + 1 if mark else 1, f"not valid YAML: {err.problem or err.context}")]
    if root is None:
        return {}, []
    if not isinstance(root, yaml.MappingNode):
        return {}, [(1, "a parameters file maps threshold names to their description, unit, reference and values")]
    found: dict = {}
    for name_node, entry in root.value:
        name, line = name_node.value, name_node.start_mark.line + 1
        if not _NAME.fullmatch(name):
            problems.append((line, f"'{name}' is not a threshold name: lower case, digits and _ (rsc_hours)"))
            continue
        if name in found:
            problems.append((line, f"threshold '{name}' is given twice: keep one, with all its values"))
            continue
        if not isinstance(entry, yaml.MappingNode):
            problems.append((line, f"threshold '{name}': give its description, unit, reference and values"))
            continue
        fields = {k.value: (k, v) for k, v in entry.value}
        for key, (knode, _) in fields.items():
            if key not in KEYS:
                problems.append(
                    (
                        knode.start_mark.line + 1,
                        f"threshold '{name}': unknown key '{key}'{_closest(key, KEYS)}",
                    )
                )
        for key in KEYS:
            if key not in fields:
                problems.append((line, f"threshold '{name}' has no {key}: add '{key}: ...'"))
        unit = _scalar(fields.get("unit"))
        if unit is not None and unit not in UNITS:
            problems.append(
                (
                    _line(fields["unit"]),
                    f"threshold '{name}': unit '{unit}'{_closest(unit, UNITS)}; one of {', '.join(UNITS)}",
                )
            )
        reference = _reference(name, fields.get("reference"), problems)
        values = _values(name, fields.get("values"), problems)
        found[name] = {
            "description": _scalar(fields.get("description")) or "",
            "unit": unit or "",
            "reference": reference,
            "values": values,
            "line": line,
        }
    return found, problems


def _scalar(pair) -> str | None:
    return pair[1].value if pair and isinstance(pair[1], yaml.ScalarNode) else None


def _line(pair) -> int:
    return pair[1].start_mark.line + 1


def _reference(name: str, pair, problems: list) -> dict:
    if pair is None:
        return {}
    node = pair[1]
    if not isinstance(node, yaml.MappingNode):
        problems.append((_line(pair), f"threshold '{name}': reference is {{document: ..., section: ...}}"))
        return {}
    reference = {k.value: v.value for k, v in node.value if isinstance(v, yaml.ScalarNode)}
    for key in REFERENCE_KEYS:
        if not reference.get(key):
            problems.append(
                (_line(pair), f"threshold '{name}': reference has no {key}: say where the source states it")
            )
    return reference


def _values(name: str, pair, problems: list) -> list[Value]:
    if pair is None:
        return []
    node = pair[1]
    if not isinstance(node, yaml.MappingNode) or not node.value:
        problems.append((_line(pair), f"threshold '{name}': values map a category (or group) to dated values"))
        return []
    values: list[Value] = []
    for key_node, dated in node.value:
        key = key_node.value
        where = key_node.start_mark.line + 1
        if key_problem := key_words(key):
            problems.append((where, f"threshold '{name}': {key_problem}"))
            continue
        if not isinstance(dated, yaml.MappingNode) or not dated.value:
            problems.append((where, f"threshold '{name}', {key}: give its values by date, e.g. '2017-01-01: 24'"))
            continue
        seen: dict[dt.date, int] = {}
        for date_node, value_node in dated.value:
            line = date_node.start_mark.line + 1
            try:
                since = dt.date.fromisoformat(date_node.value)
            except ValueError:
                problems.append(
                    (line, f"threshold '{name}', {key}: '{date_node.value}' is not a date; write it YYYY-MM-DD")
                )
                continue
            if since in seen:
                problems.append(
                    (
                        line,
                        f"threshold '{name}' has two values for {key} on {since} (lines {seen[since]} and {line}): "
                        "keep one; a value that changes later gets its own date",
                    )
                )
                continue
            seen[since] = line
            text = value_node.value if isinstance(value_node, yaml.ScalarNode) else ""
            if not re.fullmatch(r"[0-9]+", text.strip()):
                words = number_words(text) or f"'{text}' is not a whole number"
                problems.append((line, f"threshold '{name}', {key}, {since}: {words}"))
                continue
            values.append(Value(key, since, int(text), line))
    return values


def key_words(key: str) -> str | None:
    """What is wrong with a key under `values`, or None: a category code, renewal(CODE), or a
    condition on C (`specialist(p, C)`, `renewal(C): renews(p, C)`)."""
    if _CODE.fullmatch(key) or _RENEWAL.fullmatch(key) or _CONDITIONAL.fullmatch(key):
        return None
    return (
        f"'{key}' is not a category code (IFS), a renewal (renewal(IFS)) nor a condition on the "
        "categories C (specialist(p, C))"
    )


def rule(name: str, value: Value, where: str, derived: bool = False) -> str:
    """The rule text a value stands for: `threshold(p, "IFS", rsc_hours, 24).` or a conditional
    one, and `threshold_at(p, C, name, Where, Since)`: where (`where`, a path relative to the
    policies folder, and line) and since when the value is set, for `policy show`. In a derived
    policy the value overrides the base's: the same rule also says `replace(p, C, name)`, so that
    the base's value is not inherited beside it."""
    if _CODE.fullmatch(value.key):
        head, body = f'"{value.key}"', ""
    elif renewal := _RENEWAL.fullmatch(value.key):
        head, body = f'renewal("{renewal.group(1)}")', ""
    else:
        match = _CONDITIONAL.fullmatch(value.key)
        assert match is not None
        head, body = match["head"] or "C", f" :- {match['condition']}"
    text = f"threshold(p, {head}, {name}, {value.value}){body}."
    text += f' threshold_at(p, {head}, {name}, "{where}:{value.line}", "{value.since}"){body}.'
    return text + (f" replace(p, {head}, {name}){body}." if derived else "")


def cuts(parameters: dict) -> list[dt.date]:
    """The dates on which some value changes (every date of a key but its first), in order."""
    dates = set()
    for entry in parameters.values():
        by_key: dict[str, list[dt.date]] = {}
        for value in entry["values"]:
            by_key.setdefault(value.key, []).append(value.since)
        for series in by_key.values():
            dates |= set(sorted(series)[1:])
    return sorted(dates)


def in_force(parameters: dict, day: dt.date | None) -> list[tuple[str, Value]]:
    """(name, value) of every threshold value in force on `day` (None: before any change)."""
    chosen = []
    for name, entry in parameters.items():
        by_key: dict[str, list[Value]] = {}
        for value in entry["values"]:
            by_key.setdefault(value.key, []).append(value)
        for series in by_key.values():
            series.sort(key=lambda v: v.since)
            taken = [v for v in series if day is not None and v.since <= day]
            chosen.append((name, taken[-1] if taken else series[0]))
    return chosen


# A threshold named in a requirement's summary: {rsc_hours} reads "24 hours" for IFS.
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


def spoken(name: str, value) -> str:
    """A threshold's value as a summary says it: 24 hours, 2 years (730 days), 10 families."""
    if not isinstance(value, int):
        return str(value)
    if name.endswith("_hours"):
        return f"{value} hour{'s' if value != 1 else ''}"
    if name.endswith("_days"):
        if value and value % 365 == 0:
            years = value // 365
            return f"{years} year{'s' if years != 1 else ''}"
        return f"{value} day{'s' if value != 1 else ''}"
    return f"{value} {name}" if name in UNITS else str(value)


def filled(summary: str, values: dict) -> str:
    """A summary with each {threshold} replaced by the category's value in words; a name the
    category has no threshold for stays as written (policy check reports it)."""
    return PLACEHOLDER.sub(lambda m: spoken(m[1], values[m[1]]) if m[1] in values else m[0], summary)
