"""`policy check` of thresholds: parameters.yaml read as the rules the compiler makes of it;
no threshold given its value in rule text; and, for a policy grounded on its own, every
threshold a declaration names is defined, every one defined is named, none has two values on
one date, and every value is a whole number. Which declarations name thresholds is read from
the engine's rules: those joined with `threshold(P, C, T, N)` on T."""

from __future__ import annotations

from pathlib import Path

import clingo
from clingo import ast

from .. import parameters as params_mod
from .. import policy as policymod
from ..parameters import number_words
from ..policy import PolicyError
from ..terms import RenewalOf
from .context import ERROR, WARNING, Context, RuleFile, Where, closest, display, listing, written
from .statements import constants, function, heads_and_bodies, location, signature


def read_parameters(ctx: Context, path: Path, pid: str) -> RuleFile:
    """A policy's thresholds, as the rules the compiler makes of them (each at the line of its
    value), so that every check of rules sees them where they are written."""
    rule_file = RuleFile(path, pid)
    thresholds, found = params_mod.read(path)
    for line, message in found:
        ctx.add(path, line, 1, ERROR, message)
    if found:
        ctx.broken.add(pid)
        rule_file.ok = False
        return rule_file
    try:
        derived = bool(ctx.meta[pid]["data"].get("extends"))
        rule_file.statements = policymod.parameter_statements(thresholds, path, "policy", derived)
    except PolicyError as err:
        ctx.broken.add(pid)
        rule_file.ok = False
        ctx.add(path, 1, 1, ERROR, str(err).removeprefix(f"{path}: "))
    return rule_file


def check_threshold_text(ctx: Context, rule_file: RuleFile) -> None:
    """A threshold is given its value in parameters.yaml, never in a rule file."""
    assert rule_file.policy is not None
    for statement in rule_file.statements:
        for fn in heads_and_bodies(statement)[0]:
            if signature(fn) == ("threshold", 4):
                name = ", ".join(sorted(constants(fn.arguments[2]))) or str(fn.arguments[2])
                ctx.add(
                    *location(fn),
                    ERROR,
                    f"threshold '{name}' is set in rule text: give its value in "
                    f"{display(ctx.policy_dirs[rule_file.policy] / params_mod.FILE)} (description, unit, "
                    "reference, values by date), so that it is written once and dated",
                )


def check(ctx: Context, pid, chain, atoms, own) -> None:
    named: dict[tuple, set] = {}  # (variant, category) -> threshold names declarations look up
    refs: dict[str, list] = {}  # threshold name -> categories whose declarations name it, lacking it
    for name, arity, path in sorted(_threshold_uses(ctx)):
        for args in atoms.get(name, arity):
            if args[0] not in own:
                continue
            value = _at(args, path)
            if not isinstance(value, str):
                continue
            named.setdefault((args[0], args[1]), set()).add(value)
    defined: dict[tuple, dict] = {}
    for v, c, name, value in atoms.get("threshold", 4):
        if v in own:
            defined.setdefault((v, c), {}).setdefault(name, []).append(value)
    for (v, c), names in named.items():
        for name in names:
            if name not in defined.get((v, c), {}):
                refs.setdefault(name, []).append(c)
    every_name = sorted({n for d in defined.values() for n in d})
    for name, codes in sorted(refs.items()):
        if ctx.inherited(pid, chain, ("undefined threshold", name)):
            continue
        ctx.add(
            *ctx.top(_find_declaration(ctx, chain, name), pid),
            ERROR,
            f"threshold '{name}' is named for {listing(codes)} but not defined there: add "
            f"threshold(p, C, {name}, <number>){closest(name, every_name)}",
        )
    twice: dict[tuple, list] = {}  # (name, values) -> categories given both values on one date
    for (_, c), values in defined.items():
        for name, value in values.items():
            if len(set(map(str, value))) > 1:
                twice.setdefault((name, tuple(sorted(set(value), key=str))), []).append(c)
    for (name, values), codes in sorted(twice.items(), key=str):
        if ctx.inherited(pid, chain, ("threshold twice", name)):
            continue
        where = _find_threshold_twice(ctx, pid, name, codes)
        if where is None:  # both values come from the base: reported there
            continue
        ctx.add(
            *where,
            ERROR,
            f"threshold '{name}' has {len(values)} values for {listing(codes)} on the same date "
            f"({' and '.join(map(str, values))}), so the rules are judged against both at once: keep one",
        )
    unused: dict[str, list] = {}
    bad: dict[str, list] = {}
    bad_values: dict[str, list] = {}
    for (v, c), values in defined.items():
        for name, value in values.items():
            if name not in named.get((v, c), set()):
                unused.setdefault(name, []).append(c)
            if any(not isinstance(x, int) for x in value):
                bad.setdefault(name, []).append(c)
                bad_values.setdefault(name, []).extend(x for x in value if not isinstance(x, int))
    all_named = sorted({n for names in named.values() for n in names})
    for name, codes in sorted(unused.items()):
        found = ctx.find([pid], "threshold", arity=4, contains=(name,))
        if found is None:  # inherited, its requirement replaced: nothing the policy wrote
            continue
        ctx.add(
            *found,
            WARNING,
            f"threshold '{name}' is defined for {listing(codes)} but no requirement there "
            f"uses it{closest(name, all_named)}",
        )
    for name, codes in sorted(bad.items()):
        if ctx.inherited(pid, chain, ("bad threshold", name)):
            continue
        ctx.add(
            *ctx.top(_find_threshold_text(ctx, chain, name), pid),
            ERROR,
            f"threshold '{name}' ({listing(codes)}) is not a whole number: "
            + (
                number_words(" ".join(map(str, bad_values[name])))
                or "write it without quotes (hours and days are whole numbers)"
            ),
        )


def _threshold_uses(ctx: Context) -> set[tuple[str, int, tuple]]:
    """(declaration, arity, argument path) of every argument the engine looks up as a threshold
    name: a body literal sharing, with threshold(P, C, T, _), the policy P, the category C and T."""
    uses = set()
    for rule_file in ctx.files:
        for statement in rule_file.statements:
            if statement.ast_type != ast.ASTType.Rule:
                continue
            literals = [
                lit
                for lit in statement.body
                if lit.ast_type == ast.ASTType.Literal
                and lit.sign == ast.Sign.NoSign
                and lit.atom.ast_type == ast.ASTType.SymbolicAtom
            ]
            fns = [f for lit in literals for f in [function(lit.atom.symbol)] if f is not None]
            for th in fns:
                if signature(th) != ("threshold", 4) or th.arguments[2].ast_type != ast.ASTType.Variable:
                    continue
                p, c, t = (str(a) for a in th.arguments[:3])
                for fn in fns:
                    if fn is th or len(fn.arguments) < 3 or [str(a) for a in fn.arguments[:2]] != [p, c]:
                        continue
                    for path in _paths_to(fn.arguments, t):
                        uses.add((fn.name, len(fn.arguments), path))
    return uses


def _find_threshold_twice(ctx: Context, pid: str, name: str, codes: list) -> Where | None:
    """Where this policy's own rules give threshold `name` a value: the line that names one of
    the categories outright if there is one (likely the line added last), else the last line."""
    places = []
    for rule_file in ctx.rule_files_of([pid]):
        for statement in rule_file.statements:
            for fn in heads_and_bodies(statement)[0]:
                if signature(fn) == ("threshold", 4) and name in constants(fn.arguments[2]):
                    places.append((bool(constants(fn.arguments[1]) & {written(c) for c in codes}), location(fn)))
    return max(places, key=lambda p: p[0])[1] if places else None


def _find_threshold_text(ctx: Context, chain, name: str) -> Where | None:
    """Where a threshold `name` is given a value that is not a number."""
    for rule_file in ctx.rule_files_of(chain):
        for statement in rule_file.statements:
            for fn in heads_and_bodies(statement)[0]:
                if (
                    signature(fn) == ("threshold", 4)
                    and name in constants(fn.arguments[2])
                    and fn.arguments[3].ast_type not in (ast.ASTType.Variable, ast.ASTType.BinaryOperation)
                    and not (
                        fn.arguments[3].ast_type == ast.ASTType.SymbolicTerm
                        and fn.arguments[3].symbol.type == clingo.SymbolType.Number
                    )
                ):
                    return location(fn)
    return None


def _find_declaration(ctx: Context, chain, name: str) -> Where | None:
    for decl, arity, _ in sorted(_threshold_uses(ctx)):
        where: Where | None = ctx.find(chain, decl, arity=arity, contains=(name,))
        if where:
            return where
    return None


def _paths_to(arguments, variable: str, prefix: tuple = ()) -> list[tuple]:
    paths = []
    for i, arg in enumerate(arguments):
        if arg.ast_type == ast.ASTType.Variable and arg.name == variable:
            paths.append(prefix + (i,))
        elif arg.ast_type == ast.ASTType.Function:
            paths.extend(_paths_to(arg.arguments, variable, prefix + (i,)))
    return paths


def _at(args: tuple, path: tuple):
    """The value at an argument path of decoded arguments (functions decode as (name, *args))."""
    value = args[path[0]]
    for i in path[1:]:
        if isinstance(value, RenewalOf) and i == 0:
            value = value.code
        elif not isinstance(value, tuple) or len(value) <= i + 1:
            return None
        else:
            value = value[i + 1]
    return value
