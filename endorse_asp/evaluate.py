"""The library's front door: applicants in, Evaluations out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from .explain import Evaluation, interpret
from .load import Applicant
from .policy import Program, load_program
from .provenance import rules
from .solve import Case, answer_sets


def evaluation_date(applicant: Applicant, as_of: dt.date | None) -> dt.date:
    """--as-of wins, then the file's as_of, then today (applicant.md)."""
    return as_of or applicant.data["as_of"] or dt.date.today()


def case_for(program: Program, applicant: Applicant, day: dt.date, categories: Iterable[str] = ()) -> Case:
    """What to judge: the variant of each policy in force on the day (ruling 8), and the
    policies they extend (whose verdicts they share where they change nothing)."""
    variants = tuple(v.name for p in program.policies for v in program.variants_in_force(p, day))
    return Case(applicant.data, day, variants, tuple(categories))


def not_in_force(program: Program, day: dt.date) -> list[str]:
    return [p for p in program.requested if not program.variants_in_force(p, day)]


def evaluate(
    applicants: Iterable[Applicant],
    *,
    as_of: dt.date | None = None,
    program: Program | None = None,
    categories: Iterable[str] = (),
    why: bool = True,
    evidence: bool = True,
) -> Iterator[Evaluation]:
    """Judge each applicant under every policy of `program` (default: all shipped policies);
    `why=False` leaves out why entries did not count (`not_counted`, `confirm`), and
    `evidence=False` the entries used, the numbers behind each status and the advice
    (`entries`, `measure`, `detail`, `advisories`), for outputs that show only statuses."""
    program = program or load_program()
    wanted = tuple(categories)
    pending: list[tuple[Applicant, dt.date]] = []

    def cases():
        for applicant in applicants:
            day = evaluation_date(applicant, as_of)
            pending.append((applicant, day))
            yield case_for(program, applicant, day, wanted)

    for facts in answer_sets(program, cases(), why, evidence):
        applicant, day = pending.pop(0)
        evaluation = interpret(program, facts, applicant.data, applicant.source, day)
        evaluation.not_in_force = not_in_force(program, day)
        evaluation.rules = rules(program)
        evaluation.input_sha256 = applicant.sha256
        yield evaluation
