"""`policy check` of predicates, across every rule file: each one read in a rule body is
defined somewhere (by a rule head, by the rules the compiler generates, by the applicant facts
the Python side gives clingo, read from the code of `endorse_asp` by `python_signatures`, or
documented in a `%*! ... *%` block as supplied from outside); each one a policy defines is read
by some rule (else it is likely a misspelt declaration); a base's declarations can be inherited."""

from __future__ import annotations

import ast as pyast
import re
from pathlib import Path

from clingo import ast

from .. import policy as policymod
from .context import ERROR, WARNING, Context, RuleFile, Where, closest
from .statements import heads_and_bodies, location, signature

_DOC_FIRST = re.compile(r"%\*!\s*([a-z_][A-Za-z0-9_']*)\(([^()]*)\)")
_DOC_MORE = re.compile(r"^\s*([a-z_][A-Za-z0-9_']*)\(([^()]*)\)\s*:")


def check(ctx: Context) -> None:
    # A policy built on a base whose files do not parse: what it reads from the base, or
    # defines for the base's rules and bridges to read, would look wrong here; the error is
    # the base's, reported in the base's file only. Likewise for the engine's declarations.
    shaky = {pid for pid in ctx.policy_dirs if any(b in ctx.broken for b in ctx.chain(pid)[1:])}
    defined: dict[tuple, Where] = {}
    read: dict[tuple, list[tuple[RuleFile, Where] | tuple[None, None]]] = {}  # (rule file, where) of each use
    own: dict[tuple, Where] = {}
    for rule_file in ctx.files:
        for statement in rule_file.statements:
            heads, bodies = heads_and_bodies(statement)
            for fn in heads:
                defined.setdefault(signature(fn), location(fn))
                if rule_file.policy is not None and rule_file.policy not in shaky:
                    own.setdefault(signature(fn), location(fn))
            for fn in bodies:
                read.setdefault(signature(fn), []).append((rule_file, location(fn)))
    for statement in _generated(ctx):
        heads, bodies = heads_and_bodies(statement)
        for fn in heads:
            defined.setdefault(signature(fn), location(fn))
        for fn in bodies:
            read.setdefault(signature(fn), []).append((None, None))
    python = python_signatures()
    any_arity = {name for name, arity in python if arity is None}
    documented = set()
    for rule_file in ctx.files:
        documented |= documented_signatures(rule_file.path)
    known = set(defined) | {s for s in python if s[1] is not None} | documented
    names = sorted({f"{n}/{a}" for n, a in known})
    for sig, uses in sorted(read.items()):
        if sig in known or sig[0] in any_arity:
            continue
        reported = set()
        hint = closest(f"{sig[0]}/{sig[1]}", names)
        for user, at in uses:
            if user is None or at is None or user.path in reported or user.policy in shaky:
                continue
            if user.policy is None and ctx.broken:
                continue
            reported.add(user.path)
            if user.policy is None:  # the engine reads a declaration no policy makes (yet)
                ctx.add(
                    *at,
                    WARNING,
                    f"'{sig[0]}/{sig[1]}' is read here but no policy defines it and no %*! block "
                    f"documents it as a declaration{hint}",
                )
            else:
                ctx.add(
                    *at,
                    ERROR,
                    f"'{sig[0]}/{sig[1]}' is read here but nothing defines it: no rule head, no "
                    f"applicant fact, no %*! documentation{hint}",
                )
    for sig, where in sorted(own.items()):
        if sig in read or sig in documented:
            continue
        ctx.add(
            *where,
            WARNING,
            f"'{sig[0]}/{sig[1]}' is defined here but no rule reads it, so it has no effect"
            f"{closest(f'{sig[0]}/{sig[1]}', sorted({f'{n}/{a}' for n, a in read}))}",
        )


def _bridges(ctx: Context) -> list:
    """The generated rules by which a derived policy inherits its base's declarations."""
    statements: list = []
    bases = {str(m["data"].get("extends")) for m in ctx.meta.values() if m["data"].get("extends")}
    for base in sorted(bases & set(ctx.policy_dirs)):
        if base in ctx.broken:
            continue
        own = [s for f in ctx.files if f.policy == base for s in f.statements]
        signatures = policymod.declared_signatures(own)
        for name, arity in sorted(signatures):
            if arity < 2:
                ctx.unbridgeable.add(base)
                where: Where = ctx.find([base], name, arity=arity) or (ctx.meta[base]["path"], 1, 1)
                ctx.add(
                    *where,
                    ERROR,
                    f"'{name}(p)' has only the policy as argument, so a policy extending "
                    f"'{base}' cannot inherit it: give it a second argument",
                )
        text = policymod.bridge_text("bridge", {s for s in signatures if s[1] >= 2})
        try:
            ast.parse_string(text, statements.append, logger=lambda code, message: None)
        except RuntimeError:
            continue
    return statements


def _generated(ctx: Context) -> list:
    """The rules policy.py writes besides the files: the bridges by which a derived policy
    inherits, and whatever it derives from a derived policy's own rules (touched/3)."""
    statements = _bridges(ctx)
    # What the compiler generates whether or not a policy here extends another: a bridge
    # with no declarations, and what it derives from a declaration.
    ast.parse_string(policymod.bridge_text("bridge", set()), statements.append)
    sample: list = []
    ast.parse_string("#program policy(p). sample(p, category, key).", sample.append)
    statements.extend(s for s in policymod.with_touched(sample) if not any(s is o for o in sample))
    for pid, meta in ctx.meta.items():
        if meta["data"].get("extends"):
            own = [s for f in ctx.files if f.policy == pid for s in f.statements]
            statements.extend(s for s in policymod.with_touched(own) if not any(s is o for o in own))
    return statements


def python_signatures() -> set[tuple[str, int | None]]:
    """Predicates the Python side adds as facts (the applicant's record, what to judge, and
    whatever other modules feed), read from the package's code: calls `f(NAME, ...)` of
    facts.symbols (the applicant is added as first argument) and `Function(NAME, [...])`
    anywhere, NAME being a string or a loop variable over a tuple of strings. An arity of
    None: the arguments are not a literal list (any arity)."""
    found: set = set()
    package = Path(__file__).resolve().parent.parent
    for module in sorted(package.rglob("*.py")):
        tree = pyast.parse(module.read_text(encoding="utf-8"))
        loops: dict[str, list[str]] = {}
        for node in pyast.walk(tree):
            if (
                isinstance(node, pyast.For)
                and isinstance(node.target, pyast.Name)
                and isinstance(node.iter, (pyast.Tuple, pyast.List))
                and all(isinstance(e, pyast.Constant) and isinstance(e.value, str) for e in node.iter.elts)
            ):
                loops[node.target.id] = [
                    e.value for e in node.iter.elts if isinstance(e, pyast.Constant) and isinstance(e.value, str)
                ]
        for node in pyast.walk(tree):
            if not isinstance(node, pyast.Call) or not node.args:
                continue
            first = node.args[0]
            if isinstance(first, pyast.Constant) and isinstance(first.value, str):
                names = [first.value]
            elif isinstance(first, pyast.Name) and first.id in loops:
                names = loops[first.id]
            else:
                continue
            callee = node.func.attr if isinstance(node.func, pyast.Attribute) else getattr(node.func, "id", "")
            for name in names:
                if callee == "f" and module.name == "facts.py":
                    found.add((name, len(node.args)))
                elif callee == "Function" and len(node.args) >= 2:
                    args = node.args[1]
                    found.add((name, len(args.elts) if isinstance(args, pyast.List) else None))
    return found


def documented_signatures(path: Path) -> set[tuple[str, int]]:
    """Predicates documented in `%*! name(Args) ... *%` blocks: the first one of a block, and
    any further line of it that starts `name(Args):`."""
    text = path.read_text(encoding="utf-8")
    found = set()
    for block in re.findall(r"%\*!.*?\*%", text, flags=re.S):
        lines = block.splitlines()
        first = _DOC_FIRST.search(lines[0])
        if first:
            found.add((first.group(1), _arity(first.group(2))))
        for line in lines[1:]:
            more = _DOC_MORE.match(line)
            if more:
                found.add((more.group(1), _arity(more.group(2))))
    return found


def _arity(args: str) -> int:
    return len(args.split(",")) if args.strip() else 0
