"""Vocabulary checks of rule files for `policy check`: the words a declaration compares with an
applicant's record are words the applicant format has.

A rule that asks for membership in "MI AIMH", a provider endorsed "IMHMC" or a training
topic `relationship` grounds and runs, and silently never matches anything an applicant file
can say (files are validated against endorse_asp/applicant.schema.json, and association
names are read in their canonical spelling, facts.KNOWN_ASSOCIATIONS). Each such word is an
error at its own file and line, with the closest word the format knows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import clingo
from clingo import ast

from ..facts import KNOWN_ASSOCIATIONS
from ..load import SCHEMA, deref
from ..words import did_you_mean
from .structure import Finding, RuleFileLike


def _enum(*path: str) -> tuple[str, ...]:
    """The enum (or, for a mapping, the field names) at a path of the applicant schema."""
    node: dict = SCHEMA
    for key in path:
        node = node[key]
    node = deref(node["items"]) if node.get("type") == "array" else deref(node)
    return tuple(node["enum"]) if "enum" in node else tuple(node["properties"])


def _flags(*path: str) -> tuple[str, ...]:
    """The true/false fields of the mapping at a path of the applicant schema."""
    node: dict = SCHEMA
    for key in path:
        node = node[key]
    return tuple(k for k, v in node["properties"].items() if deref(v).get("type") == "boolean")


# What each vocabulary is, in words, and the words the applicant format gives it.
VOCABULARIES: dict[str, tuple[str, ...]] = {
    "association": (*KNOWN_ASSOCIATIONS, "any"),
    # and the bare early-childhood mentor code that mentor tracks count as (common/vocabulary.lp)
    "endorsement code": (*_enum("$defs", "endorsement"), "ECMHM"),
    "reference role": _enum("properties", "references", "items", "properties", "roles"),
    "service": _enum("properties", "work", "items", "properties", "services"),
    "RS/C setting": _enum("properties", "rsc", "items", "properties", "while"),
    "training topic": _enum("properties", "training", "items", "properties", "topics"),
    "exam program": _enum("properties", "exam", "properties", "program"),
    "track": _enum("properties", "exam", "properties", "track"),
    "degree level": _enum("properties", "degrees", "items", "properties", "level"),
    "credential": _enum("properties", "credentials", "items", "properties", "type"),
    "leadership level": _enum("properties", "leadership", "items", "properties", "level"),
    # a work entry's yes/no fields, and the one flag the engine derives from them (common/work.lp)
    "work flag": (*_flags("properties", "work", "items"), "trained_volunteer_or_paid"),
}

# Declarations whose arguments name such words: (name, arity) -> {argument index: vocabulary}.
# Argument 1 of every declaration of a policy (`name(p, C, ...)`) is a category code, but for
# those whose second argument is something else (a requirement id, a kind of cost), and drop and
# replace, whose categories are checked against the base's own (overrides.check).
NOT_CATEGORY = {"heading", "advisory", "cost", "drop", "replace"}
ARGUMENTS: dict[tuple[str, int], dict[int, str]] = {
    ("membership_required", 4): {3: "association"},
    ("annual_membership", 4): {3: "association"},
    ("rsc_provider", 4): {3: "endorsement code"},
    ("endorsed_rater", 4): {3: "endorsement code"},
    ("slot_endorsement", 4): {3: "endorsement code"},
    ("slot_role", 4): {3: "reference role"},
    ("slot_role_if", 5): {3: "reference role"},
    ("work_service", 4): {3: "service"},
    ("families_or_service", 4): {3: "service"},
    ("rsc_while", 4): {3: "RS/C setting"},
    ("training_part", 6): {4: "training topic"},
    ("exam_required", 4): {3: "exam program"},
    ("exam_track", 4): {3: "track"},
    ("track", 3): {2: "track"},
    ("level_track", 3): {2: "track"},
    ("rsc_after", 4): {3: "degree level"},
    ("work_after", 4): {3: "degree level"},
    ("leadership_level", 4): {3: "leadership level"},
    ("leadership_required", 4): {3: "leadership level"},
    ("work_needs", 4): {3: "work flag"},
}
# Terms inside declarations that name such words by position: prepared("IFS", master)...
NESTED: dict[str, tuple[str, ...]] = {
    "listed_degree": ("degree level",),
    "related_degree": ("degree level",),
    "credential": ("credential",),
    "prepared": ("endorsement code", "degree level"),
}
# Category codes of renewals are written renewal("IFS").
_WRAPPERS = {"renewal"}


def check(files: Iterable[RuleFileLike]) -> list[Finding]:
    """Every word of a policy's declarations that the applicant format does not have."""
    found: list[Finding] = []
    for rule_file in files:
        if rule_file.policy is None or not rule_file.ok:
            continue
        for statement in rule_file.statements:
            if statement.ast_type != ast.ASTType.Rule or statement.head.ast_type != ast.ASTType.Literal:
                continue
            term = statement.head.atom.symbol if statement.head.atom.ast_type == ast.ASTType.SymbolicAtom else None
            if term is None or term.ast_type != ast.ASTType.Function or not term.arguments:
                continue
            if str(term.arguments[0]) != "p":
                continue
            found.extend(_declaration(term))
    return found


def _declaration(term) -> Iterator[Finding]:
    args = term.arguments
    positions = {1: "endorsement code"} if len(args) >= 2 and term.name not in NOT_CATEGORY else {}
    positions.update(ARGUMENTS.get((term.name, len(args)), {}))
    for index, vocabulary in sorted(positions.items()):
        if index < len(args):
            yield from _words(args[index], vocabulary, term.name, len(args))
    for arg in args[1:]:
        yield from _nested(arg, term.name, len(args))


def _words(term, vocabulary: str, name: str, arity: int) -> Iterator[Finding]:
    """The words `term` writes out (a string, a constant, a pool of them), each checked."""
    if term.ast_type == ast.ASTType.Pool:
        for alternative in term.arguments:
            yield from _words(alternative, vocabulary, name, arity)
        return
    if term.ast_type == ast.ASTType.Function and term.name in _WRAPPERS and len(term.arguments) == 1:
        yield from _words(term.arguments[0], vocabulary, name, arity)
        return
    word = _word(term)
    if word is None or word in VOCABULARIES[vocabulary]:
        return
    begin = term.location.begin
    yield (
        begin.filename,
        begin.line,
        begin.column,
        f"unknown {vocabulary} '{word}' in {name}/{arity}{did_you_mean(word, VOCABULARIES[vocabulary], aside=True)}: no "
        f"applicant file can say it, so this never matches; the words that can: {', '.join(VOCABULARIES[vocabulary])}",
    )


def _nested(term, name: str, arity: int) -> Iterator[Finding]:
    if term.ast_type == ast.ASTType.Pool:
        for alternative in term.arguments:
            yield from _nested(alternative, name, arity)
    elif term.ast_type == ast.ASTType.Function:
        for arg, vocabulary in zip(term.arguments, NESTED.get(term.name, ())):
            yield from _words(arg, vocabulary, f"{term.name}(...) of {name}", arity)
        for arg in term.arguments:
            yield from _nested(arg, name, arity)


def _word(term) -> str | None:
    """A string or constant written out; None for a variable, a number or a compound term."""
    if term.ast_type == ast.ASTType.SymbolicTerm:
        symbol = term.symbol
        if symbol.type == clingo.SymbolType.String:
            return symbol.string
        if symbol.type == clingo.SymbolType.Function and not symbol.arguments:
            return symbol.name
    if term.ast_type == ast.ASTType.Function and not term.arguments and not term.external:
        return term.name
    return None
