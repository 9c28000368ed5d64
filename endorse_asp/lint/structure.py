"""Structure checks of rule files for `policy check`: what a policy file may contain.

Verdicts are read from the one answer set of stratified rules (endorse_asp/solve.py). A rule
that chooses (`{a} :- b.`), a disjunction (`a ; b :- c.`), or negation through a cycle
(`a :- not b. b :- not a.`, or recursion through an aggregate) can leave no answer set or
several, and so silently change verdicts while the committees' tests still pass. An
`#include` would pull in rules the program fingerprint and these checks never see. Each is
refused at its file and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

from clingo import ast

from .statements import atoms, function, location, signature

Signature = tuple[str, int]
Finding = tuple[str, int, int, str]  # file, line, column, message

SEARCHING_PARTS = {"needs"}  # engine parts that search on purpose (`need`: choices and #minimize)
_INCLUDE = re.compile(r"^[ \t]*#include\b", re.MULTILINE)


class RuleFileLike(Protocol):
    path: Path
    policy: str | None
    statements: list
    ok: bool


def check(files: Iterable[RuleFileLike]) -> list[Finding]:
    """Every structure problem of the parsed rule files (engine and policies), in file order."""
    files = [f for f in files if f.ok]
    found: list[Finding] = []
    edges: list[tuple[Signature, Signature, bool, Any]] = []  # head, body, negative, statement
    for rule_file in files:
        own = rule_file.policy is not None  # a policy's file (the engine's may search, in `needs`)
        if own:
            found.extend(_includes(rule_file))
        part = "base"
        for statement in rule_file.statements:
            if statement.ast_type == ast.ASTType.Program:
                part = statement.name
            if statement.ast_type != ast.ASTType.Rule or part in SEARCHING_PARTS:
                continue
            head = statement.head
            if not own:
                pass
            elif head.ast_type == ast.ASTType.Disjunction:
                found.append(
                    _at(
                        statement,
                        "a disjunction in a rule head: verdicts come from one answer set, "
                        "so a rule may not leave a choice between heads (write one rule per head)",
                    )
                )
            elif head.ast_type in (ast.ASTType.Aggregate, ast.ASTType.HeadAggregate):
                found.append(
                    _at(
                        statement,
                        "a choice rule: verdicts come from one answer set, so a rule may "
                        "not choose what holds (derive it from the applicant's facts instead)",
                    )
                )
            for defined in _head_signatures(head):
                for body_sig, negative in _body_signatures(statement.body, head):
                    edges.append((defined, body_sig, negative and own, statement))
    component = _components({(h, b) for h, b, _, _ in edges})
    reported: set[int] = set()
    for head_sig, body_sig, negative, statement in edges:
        if negative and component.get(head_sig) is not None and component.get(head_sig) == component.get(body_sig):
            if id(statement) in reported:
                continue
            reported.add(id(statement))
            found.append(
                _at(
                    statement,
                    f"negation through a cycle: {head_sig[0]}/{head_sig[1]} depends on "
                    f"`not` (or an aggregate of) {body_sig[0]}/{body_sig[1]}, which depends on it again; "
                    "the rules must be stratified, or they can have no answer set or several",
                )
            )
    return sorted(set(found))


def _includes(rule_file: RuleFileLike) -> Iterator[Finding]:
    own = str(rule_file.path)
    seen_lines = set()
    for statement in rule_file.statements:
        begin = statement.location.begin
        if begin.filename not in (own, "<string>") and Path(begin.filename).resolve() != Path(own).resolve():
            seen_lines.add(0)
    try:
        text = rule_file.path.read_text("utf-8", errors="replace")
    except OSError:
        return
    for match in _INCLUDE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        seen_lines.add(line)
        yield (
            own,
            line,
            1,
            "#include is not allowed in rule files: every rule of a policy is in its own "
            "folder, so that `policy check` and the program fingerprint see it",
        )
    if 0 in seen_lines and len(seen_lines) == 1:
        yield (own, 1, 1, "this file pulls in rules from another file (#include), which is not allowed")


def _at(statement: Any, message: str) -> Finding:
    return (*location(statement), message)


def _signatures(node: Any) -> Iterator[Signature]:
    """The predicate signatures of every symbolic atom below `node`."""
    return map(signature, atoms(node))


def _head_signatures(head: Any) -> set[Signature]:
    if head.ast_type == ast.ASTType.Literal:
        return set(_signatures(head))
    if head.ast_type in (ast.ASTType.Disjunction, ast.ASTType.Aggregate):
        return {s for element in head.elements for s in _signatures(element.literal)}
    if head.ast_type == ast.ASTType.HeadAggregate:
        return {s for element in head.elements for s in _signatures(element.condition.literal)}
    return set()


def _literal(literal: Any, negative: bool) -> Iterator[tuple[Signature, bool]]:
    sign = getattr(literal, "sign", ast.Sign.NoSign)
    for sig in _signatures(literal):
        yield sig, negative or sign != ast.Sign.NoSign


def _constant_arguments(node: Any) -> list[tuple[int, str]]:
    fn = None
    if node.ast_type == ast.ASTType.Literal and node.atom.ast_type == ast.ASTType.SymbolicAtom:
        fn = function(node.atom.symbol)
    if fn is None:
        return []
    return [(i, str(a)) for i, a in enumerate(fn.arguments) if a.ast_type == ast.ASTType.SymbolicTerm]


def _apart(literal: Any, head: Any) -> bool:
    """A negated atom of the head's own predicate that differs from the head in a constant
    argument (`e(X, 1) :- not e(X, 2).`): a different atom, stratified by that argument."""
    if head.ast_type != ast.ASTType.Literal:
        return False
    mine, theirs = dict(_constant_arguments(head)), dict(_constant_arguments(literal))
    return any(i in theirs and theirs[i] != value for i, value in mine.items())


def _body_signatures(body: Any, head: Any) -> Iterator[tuple[Signature, bool]]:
    """(signature, negative) of what a rule body reads: `not`, and anything an aggregate counts,
    are negative (a rule must not depend on them through a cycle)."""
    for item in body:
        kind = item.ast_type
        if kind == ast.ASTType.Literal:
            if item.atom.ast_type in (ast.ASTType.BodyAggregate, ast.ASTType.Aggregate):
                for sig in _signatures(item.atom):
                    yield sig, True
            elif item.sign != ast.Sign.NoSign and _apart(item, head):
                continue
            else:
                yield from _literal(item, False)
        elif kind == ast.ASTType.ConditionalLiteral:
            yield from _literal(item.literal, False)
            for condition in item.condition:
                yield from _literal(condition, True)
        else:
            for sig in _signatures(item):
                yield sig, True


def _components(edges: set[tuple[Signature, Signature]]) -> dict[Signature, int]:
    """Strongly connected components (Tarjan, iterative) of the dependency graph: only those of
    more than one predicate, or of one depending on itself, are numbered."""
    graph: dict[Signature, list[Signature]] = {}
    for a, b in edges:
        graph.setdefault(a, []).append(b)
        graph.setdefault(b, [])
    index: dict[Signature, int] = {}
    low: dict[Signature, int] = {}
    on_stack: set[Signature] = set()
    stack: list[Signature] = []
    result: dict[Signature, int] = {}
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                members = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.append(member)
                    if member == node:
                        break
                if len(members) > 1 or (node, node) in edges:
                    for member in members:
                        result[member] = index[node]
    return result
