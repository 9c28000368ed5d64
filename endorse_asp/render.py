"""Evaluations → text for people (80 columns) or JSON for programs."""
from __future__ import annotations

import json
from typing import Iterable

import click

from .explain import Evaluation

WIDTH = 80
COLOURS = {"eligible": "green", "needs_review": "cyan", "incomplete": "yellow", "not_eligible": "red",
           "met": "green", "review": "cyan", "unknown": "yellow", "unmet": "red"}


def to_json(evaluations: list[Evaluation], single: bool) -> str:
    payload = [e.to_json() for e in evaluations]
    return json.dumps(payload[0] if single else payload, indent=2, ensure_ascii=False, default=str)


def _fit(text: str, room: int) -> str:
    return text if len(text) <= room else text[: max(room - 1, 0)] + "…"


def to_text(evaluation: Evaluation, colour: bool = False, verbose: bool = False) -> str:
    """One line per category: code, status, and what blocks it."""
    def paint(text: str, status: str) -> str:
        return click.style(text, fg=COLOURS.get(status)) if colour else text

    who = evaluation.applicant + (f" ({evaluation.name})" if evaluation.name else "")
    lines = [_fit(f"{who} - as of {evaluation.as_of} - {evaluation.file}", WIDTH)]
    policy = None
    for r in evaluation.results:
        if r.policy != policy:
            policy = r.policy
            lines.append(f"  {policy}")
        status = r.status.replace("_", " ")
        head = f"    {r.category:<9} {status:<13}"
        why = ", ".join(r.blockers) or ", ".join(q.id for q in r.requirements if q.status == "review")
        lines.append(paint(head, r.status) + _fit(why, WIDTH - len(head)))
        if verbose:
            for q in r.requirements:
                text = f"      {q.status:<8} {q.id}" + (f": {q.detail}" if q.detail else "")
                lines.append(paint(_fit(text, WIDTH), q.status))
    return "\n".join(lines)


def texts(evaluations: Iterable[Evaluation], colour: bool, verbose: bool) -> Iterable[str]:
    for e in evaluations:
        yield to_text(e, colour, verbose)
