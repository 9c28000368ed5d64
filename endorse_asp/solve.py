"""Ground the rules with applicants' facts and read each applicant's answer.

Many applicants share one Control (the applicant is the first argument of
every fact), in chunks, so grounding the engine is paid once per chunk; a
fresh Control per chunk keeps memory flat. The rules are stratified, so the
one model is found without search.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import clingo

from . import facts
from .policy import Program
from .terms import decode

CHUNK = 100


class NoVerdict(Exception):
    """Rules that give an applicant no answer set, or more than one: a broken policy, not a verdict."""


@dataclass(frozen=True)
class Case:
    """One applicant to judge: its data, the date, and what to judge."""

    data: dict
    as_of: dt.date
    variants: tuple[str, ...]  # policy variants to judge
    categories: tuple[str, ...] = ()  # only these categories (default: all)
    renewals: tuple[tuple[str, str], ...] = ()  # (variant, category) renewals to judge
    period: tuple[dt.date, dt.date] | None = None  # the renewal year, first and last day

    @property
    def grounds(self) -> set[str]:
        """The variants whose program parts this case needs: those judged, and those of its renewals."""
        return {*self.variants, *(variant for variant, _ in self.renewals)}


def answer_sets(program: Program, cases: Iterable[Case], why: bool = True) -> Iterator[list[tuple]]:
    """For each case, in order, the facts the rules report about it, as tuples such
    as ("status", variant, category, requirement, status); with `why`, also why each
    entry a requirement looked at did not count (the rules' `why` part, not_counted.lp)."""
    chunk: list[Case] = []
    for case in cases:
        chunk.append(case)
        if len(chunk) == CHUNK:
            yield from _solve_chunk(program, chunk, why)
            chunk = []
    if chunk:
        yield from _solve_chunk(program, chunk, why)


def case_symbols(n: int, case: Case) -> Iterator[clingo.Symbol]:
    """The applicant's facts and what to judge it under."""
    yield from facts.symbols(n, case.data, case.as_of)
    a = clingo.Number(n)
    for variant in case.variants:
        yield clingo.Function("judge_policy", [a, clingo.String(variant)])
    for code in case.categories:
        yield clingo.Function("judge_category", [a, clingo.String(code)])
    for variant, code in case.renewals:
        yield clingo.Function("renew", [a, clingo.String(variant), clingo.String(code)])
    if case.period:
        yield clingo.Function("period", [a, facts.day(case.period[0]), facts.day(case.period[1])])


def _ground(program: Program, chunk: list[Case], why: bool) -> clingo.Control:
    # Two models asked for: a stratified program has exactly one, and finding that there is no
    # second costs nothing; a rule that breaks stratification shows up as none or several.
    ctl = clingo.Control(["--warn=none", "--models=2"])
    program.load_into(ctl)
    with ctl.backend() as backend:
        for n, case in enumerate(chunk):
            for symbol in case_symbols(n, case):
                backend.add_rule([backend.add_atom(symbol)])
    parts = program.parts(set().union(*(case.grounds for case in chunk)))
    ctl.ground(parts + [("why", [])] if why else parts)
    if len(parts) == len(program.parts()):
        program.read_catalogue(ctl)
    return ctl


def _solve_chunk(program: Program, chunk: list[Case], why: bool) -> list[list[tuple]]:
    ctl = _ground(program, chunk, why)
    per_applicant: list[list[tuple]] = [[] for _ in chunk]
    models = 0

    def on_model(model: clingo.Model) -> None:
        nonlocal models
        models += 1
        if models > 1:
            return
        for pair in model.symbols(shown=True):  # (applicant number, fact)
            applicant, fact = pair.arguments
            per_applicant[applicant.number].append(decode(fact))

    ctl.solve(on_model=on_model)
    if models != 1:
        raise NoVerdict(_broken(program, chunk, models))
    return per_applicant


def _broken(program: Program, chunk: list[Case], models: int) -> str:
    """Which policies give no single answer: each variant judged alone, found by the same test."""
    culprits = []
    for variant in sorted(set().union(*(case.variants for case in chunk))):
        alone = [dataclasses.replace(case, variants=(variant,), renewals=()) for case in chunk]
        count = 0

        def counted(_model: clingo.Model) -> None:
            nonlocal count
            count += 1

        _ground(program, alone, False).solve(on_model=counted)
        if count != 1:
            culprits.append(program.variants[variant].policy)
    named = ", ".join(sorted(set(culprits))) or ", ".join(
        sorted({program.variants[v].policy for c in chunk for v in c.variants})
    )
    what = "no answer set" if models == 0 else "more than one answer set"
    return (
        f"the rules of policy {named} give {what}, so no verdict can be trusted: a rule there "
        "contradicts itself or makes a choice; run `endorse policy check`"
    )
