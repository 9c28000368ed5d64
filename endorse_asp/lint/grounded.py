"""`policy check` of each policy grounded on its own (its bases included, no applicant), with
clingo's warnings and errors kept: every requirement has a summary and a citation (`source/6`:
a `section` for its category and a `heading` for its id), every source document key the rules
cite (`section(p, C, Doc, _)`) is listed under `sources` in policy.yaml; and then the
thresholds (thresholds.py), what a derived policy overrides (overrides.py) and the
committee test cases (cases.py) of the policy as ground."""

from __future__ import annotations

from pathlib import Path

import clingo

from .. import parameters as params_mod
from .. import policy as policymod
from .. import policy_file
from ..policy import PolicyError
from ..terms import decode
from . import cases, overrides, thresholds
from .context import ERROR, Context, Where, closest, display, listing, quoted
from .files import CLINGO_MESSAGE, clingo_message


def check(ctx: Context, pid: str, expected: set) -> None:
    chain = ctx.chain(pid)
    meta = ctx.meta[pid]
    if any(p in ctx.broken for p in chain) or not all(f.ok for f in ctx.files if f.policy is None):
        return
    if any(p in ctx.unbridgeable for p in chain[1:]):
        return
    try:
        program = policymod.read_program(ctx.root, (pid,))
    except (PolicyError, RuntimeError, OSError, KeyError, TypeError, ValueError) as err:
        ctx.add(meta["path"], 1, 1, ERROR, f"the policy cannot be loaded: {err}")
        return
    messages: list[tuple] = []
    ctl = clingo.Control(logger=lambda code, text: messages.append((code, text)), message_limit=200)
    program.load_into(ctl)
    try:
        ctl.ground(program.parts())
    except RuntimeError:
        pass
    _report(ctx, pid, messages)
    if any(code == clingo.MessageCode.RuntimeError for code, _ in messages):
        return
    ctx.current = pid
    try:
        atoms = _Ground(ctl)
        own = {v for v, var in program.variants.items() if var.policy == pid}
        _check_requirements(ctx, pid, chain, atoms, own)
        thresholds.check(ctx, pid, chain, atoms, own)
        overrides.check(ctx, pid, chain, atoms, own)
        _check_sources(ctx, pid, chain, atoms, own)
        cases.check(ctx, pid, chain, atoms, own, expected)
    finally:
        ctx.current = None


def _report(ctx: Context, pid: str, messages: list[tuple]) -> None:
    """clingo's messages on grounding the policy, at the lines of the files they name."""
    for code, text in messages:
        # atom-undefined: checked above, with better words; global-variable: the
        # engine's `#min { A; B }` idiom for the smaller of two numbers. Messages about a
        # compiled program text rather than the files are placed at policy.yaml.
        if code in (clingo.MessageCode.AtomUndefined, clingo.MessageCode.GlobalVariable):
            continue
        head = CLINGO_MESSAGE.match(text.strip().splitlines()[0]) if text.strip() else None
        if head and not Path(head.group("file")).is_file():
            if code == clingo.MessageCode.RuntimeError:
                ctx.add(
                    ctx.meta[pid]["path"],
                    1,
                    1,
                    ERROR,
                    "the rules cannot be ground together: "
                    + " ".join(line.strip() for line in text.strip().splitlines()),
                )
            continue
        clingo_message(ctx, text)


class _Ground:
    """Ground atoms of a program, by signature, as decoded tuples of arguments."""

    def __init__(self, ctl: clingo.Control):
        self._atoms = ctl.symbolic_atoms
        self._cache: dict = {}

    def get(self, name: str, arity: int) -> list[tuple]:
        if (name, arity) not in self._cache:
            self._cache[(name, arity)] = sorted(
                (tuple(decode(a) for a in atom.symbol.arguments) for atom in self._atoms.by_signature(name, arity)),
                key=repr,
            )
        return self._cache[(name, arity)]

    def base_keys(self, terms: dict) -> set:
        """(variant, category, key) of every declaration, with three or more arguments, of the
        base each variant inherits from (`terms`: variant -> the term the base is ground under)."""
        variants_of: dict = {}
        for v, b in terms.items():
            variants_of.setdefault(b, []).append(v)
        keys = set()
        for name, arity, positive in self._atoms.signatures:
            if arity < 3 or not positive:
                continue
            for args in self.get(name, arity):
                for v in variants_of.get(args[0], ()):
                    keys.add((v, args[1], args[2]))
        return keys


def _check_requirements(ctx: Context, pid, chain, atoms, own) -> None:
    problems: dict[tuple, list] = {}
    sourced = {(v, c, r) for v, c, r, *_ in atoms.get("source", 6) if v in own}
    sections = {(v, c) for v, c, *_ in atoms.get("section", 4) if v in own}
    headings = {(v, r) for v, r, _ in atoms.get("heading", 3) if v in own}
    named: dict[tuple, set] = {}
    for v, c, name, _ in atoms.get("threshold", 4):
        named.setdefault((v, c), set()).add(name)
    unknown: dict[tuple, list] = {}
    for v, c, r, summary in atoms.get("requirement", 4):
        if v not in own:
            continue
        if not isinstance(summary, str) or not summary.strip():
            problems.setdefault((r, "summary"), []).append(c)
        else:
            for name in params_mod.PLACEHOLDER.findall(summary):
                if name not in named.get((v, c), ()):
                    unknown.setdefault((r, name), []).append(c)
        if (v, c, r) not in sourced:
            if (v, c) not in sections:
                problems.setdefault((c, "section"), []).append(c)
            if (v, r) not in headings:
                problems.setdefault((r, "heading"), []).append(c)
    for (what, name), listed in sorted(unknown.items(), key=str):
        if ctx.inherited(pid, chain, ("placeholder", what, name)):
            continue
        known = sorted({t for (v, c), names in named.items() if v in own and c in listed for t in names})
        ctx.add(
            *ctx.top(ctx.find(chain, "requirement", arity=4, contains=(what,)), pid),
            ERROR,
            f"requirement {quoted(what)} ({listing(listed)}): its summary names {{{name}}}, which is no "
            f"threshold of the category{closest(name, known)}; a summary names a threshold of "
            "parameters.yaml in braces, and shows its value in words",
        )
    for (what, kind), listed in sorted(problems.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
        if ctx.inherited(pid, chain, ("requirement", what, kind)):
            continue
        codes = listing(listed)
        if kind == "section":
            where: Where | None = ctx.find(chain, "category", contains=(what,)) if isinstance(what, str) else None
            ctx.add(
                *ctx.top(where, pid),
                ERROR,
                f'category {what} has no citation: add section(p, {quoted(what)}, "<source key>", '
                '"<section of that source>")',
            )
            continue
        where = ctx.find(chain, "requirement", arity=4, contains=(what,)) if isinstance(what, str) else None
        where = where or (ctx.meta[pid]["path"], 1, 1)
        if kind == "summary":
            ctx.add(
                *where,
                ERROR,
                f"requirement {quoted(what)} ({codes}) has no summary: state it in plain "
                "words as the fourth argument of requirement/4",
            )
        else:
            ctx.add(
                *where,
                ERROR,
                f"requirement {quoted(what)} ({codes}) has no citation: add heading(p, "
                f'{quoted(what)}, "<heading in the source>")',
            )


def _check_sources(ctx: Context, pid, chain, atoms, own) -> None:
    meta = ctx.meta[pid]
    listed = meta["data"].get("sources") or {}
    listed = {str(k) for k in listed} if isinstance(listed, dict) else set()
    missing: dict[str, list] = {}
    for v, c, doc, *_ in atoms.get("section", 4):
        if v in own and str(doc) not in listed:
            missing.setdefault(str(doc), []).append(c)
    for doc, codes in sorted(missing.items()):
        where: Where | None = ctx.find([pid], "section", contains=(doc,))
        if where is None:  # cited by the base's rules: the derived policy must list it too
            where = (meta["path"], policy_file.line(meta["node"], "sources"), 1)
        ctx.add(
            *where,
            ERROR,
            f"the rules cite source '{doc}' ({listing(codes)}) but {display(meta['path'])} "
            f"lists no source '{doc}': add it under sources with its file and title"
            f"{closest(doc, sorted(listed))}",
        )
