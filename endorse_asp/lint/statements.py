"""Reading parsed rules for `policy check`: the atoms a statement defines and reads, where a
node is written, and the constants of a term."""

from __future__ import annotations

import clingo
from clingo import ast


def function(term):
    """The Function node of an atom's term (through classical negation), or None."""
    while term.ast_type == ast.ASTType.UnaryOperation:
        term = term.argument
    if term.ast_type == ast.ASTType.Function and not term.external:
        return term
    return None


def atoms(node):
    """Every SymbolicAtom's Function below `node`."""
    if not isinstance(node, ast.AST):
        if isinstance(node, (list, tuple, ast.ASTSequence)):
            for item in node:
                yield from atoms(item)
        return
    if node.ast_type == ast.ASTType.SymbolicAtom:
        term = node.symbol
        terms = term.arguments if term.ast_type == ast.ASTType.Pool else [term]
        for t in terms:
            fn = function(t)
            if fn is not None:
                yield fn
        return
    for key in node.child_keys:
        yield from atoms(getattr(node, key))


def heads_and_bodies(statement):
    """(defined, read): the atoms a statement defines and those it reads, as Function nodes."""
    kind = statement.ast_type
    if kind == ast.ASTType.Rule:
        head = statement.head
        defined, read = [], list(atoms(statement.body))
        if head.ast_type == ast.ASTType.Literal:
            defined.extend(atoms(head))
        elif head.ast_type in (ast.ASTType.Disjunction, ast.ASTType.Aggregate):
            for element in head.elements:
                defined.extend(atoms(element.literal))
                read.extend(atoms(element.condition))
        elif head.ast_type == ast.ASTType.HeadAggregate:
            for element in head.elements:
                defined.extend(atoms(element.condition.literal))
                read.extend(atoms(element.condition.condition))
        return defined, read
    if kind == ast.ASTType.External:
        return list(atoms(statement.atom)), list(atoms(statement.body))
    if kind in (
        ast.ASTType.ShowTerm,
        ast.ASTType.Minimize,
        ast.ASTType.Heuristic,
        ast.ASTType.Edge,
        ast.ASTType.ProjectAtom,
    ):
        return [], list(atoms(statement))
    return [], []


def signature(fn) -> tuple[str, int]:
    return fn.name, len(fn.arguments)


def location(node) -> tuple[str, int, int]:
    begin = node.location.begin
    return begin.filename, begin.line, begin.column


def constants(term) -> set:
    """Names and strings appearing in a term (constants, strings)."""
    found = set()
    if term.ast_type == ast.ASTType.SymbolicTerm:
        sym = term.symbol
        if sym.type == clingo.SymbolType.String:
            found.add(sym.string)
        elif sym.type == clingo.SymbolType.Function and not sym.arguments:
            found.add(sym.name)
    elif term.ast_type == ast.ASTType.Function:
        if not term.arguments:
            found.add(term.name)
        for arg in term.arguments:
            found |= constants(arg)
    elif term.ast_type == ast.ASTType.Pool:
        for arg in term.arguments:
            found |= constants(arg)
    return found
