"""Ground the rules with applicants' facts and read each applicant's answer.

Many applicants share one Control (the applicant is the first argument of
every fact), in chunks, so grounding the engine is paid once per chunk; a
fresh Control per chunk keeps memory flat. The rules are stratified, so the
one model is found without search.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import cast

import clingo

from . import facts
from .policy import Program
from .terms import decode

CHUNK = 100


class NoSingleAnswer(RuntimeError):
    """Rules that leave no answer set, or more than one: a broken policy, never a verdict (exit 1)."""


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


def answer_sets(
    program: Program, cases: Iterable[Case], why: bool = True, evidence: bool = True
) -> Iterator[list[tuple]]:
    """For each case, in order, the facts the rules report about it, as tuples such
    as ("status", variant, category, requirement, status); with `evidence`, also the
    entries used, the numbers and the advice (the rules' `evidence` part, status.lp); with
    `why`, also why each entry a requirement looked at did not count (the `why` part,
    not_counted.lp)."""
    chunk: list[Case] = []
    for case in cases:
        chunk.append(case)
        if len(chunk) == CHUNK:
            yield from _solve_chunk(program, chunk, why, evidence)
            chunk = []
    if chunk:
        yield from _solve_chunk(program, chunk, why, evidence)


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


def ground_chunk(program: Program, chunk: list[Case], why: bool = True, evidence: bool = True) -> clingo.Control:
    """A fresh Control with the rules and the facts of a chunk of applicants, ground: the
    parts the chunk's variants need (every part for no applicant), with `why` and `evidence`
    the parts of those names."""
    ctl = clingo.Control(["--warn=none"])
    program.load_into(ctl)
    with ctl.backend() as backend:
        for n, case in enumerate(chunk):
            for symbol in case_symbols(n, case):
                backend.add_rule([backend.add_atom(symbol)])
    parts = program.parts(set().union(*(case.grounds for case in chunk)) if chunk else None)
    ctl.ground(parts + [(name, []) for name, wanted in (("why", why), ("evidence", evidence)) if wanted])
    if len(parts) == len(program.parts()):
        program.read_catalogue(ctl)
    return ctl


def _solve_chunk(
    program: Program, chunk: list[Case], why: bool = True, evidence: bool = True, diagnose: bool = True
) -> list[list[tuple]]:
    ctl = ground_chunk(program, chunk, why, evidence)
    per_applicant: list[list[tuple]] = [[] for _ in chunk]

    def on_model(model: clingo.Model) -> None:
        for pair in model.symbols(shown=True):  # (applicant number, fact)
            applicant, fact = pair.arguments
            per_applicant[applicant.number].append(decode(fact))

    solving = cast(clingo.Configuration, ctl.configuration.solve)
    solving.models = "2"  # stratified rules have one; a second is a broken policy
    models = 0

    def count(model: clingo.Model) -> None:
        nonlocal models
        models += 1
        if models == 1:
            on_model(model)

    ctl.solve(on_model=count)
    if models != 1:
        what = "no answer set" if models == 0 else "more than one answer set"
        if not diagnose:
            raise NoSingleAnswer(what)
        raise NoSingleAnswer(
            f"policy {', '.join(_culprits(program, chunk)) or '(engine)'}: the rules give {what}, so no verdict "
            "can be trusted; run `endorse policy check` and fix the rule that contradicts (or chooses)"
        )
    return per_applicant


def _culprits(program: Program, chunk: list[Case]) -> list[str]:
    """The policies whose rules alone, judged for this chunk, still give no single answer (all of
    those judged when each alone is fine: then they break only together, or the engine does)."""
    judged = sorted({program.variants[v].policy for case in chunk for v in case.grounds if v in program.variants})
    broken = []
    for policy in judged:
        alone = [
            replace(
                case,
                variants=tuple(v for v in case.variants if program.variants[v].policy == policy),
                renewals=tuple(r for r in case.renewals if program.variants[r[0]].policy == policy),
            )
            for case in chunk
        ]
        try:
            _solve_chunk(program, alone, why=False, evidence=False, diagnose=False)
        except NoSingleAnswer:
            broken.append(policy)
    return broken or judged
