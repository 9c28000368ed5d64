"""What-if: apply edit expressions to an applicant in memory and compare verdicts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from . import edits
from .evaluate import evaluate
from .explain import CategoryResult, Evaluation
from .load import Applicant
from .policy import Program


@dataclass
class RequirementChange:
    id: str
    before: str
    after: str
    detail_before: str
    detail_after: str


@dataclass
class Change:
    """A category whose status or blockers changed, with each requirement that changed."""

    policy: str
    category: str
    before: str
    after: str
    requirements: list[RequirementChange] = field(default_factory=list)
    cleared: list[str] = field(default_factory=list)  # blockers the edits removed
    left: list[str] = field(default_factory=list)  # blockers still there

    def to_json(self) -> dict:
        return {
            "policy": self.policy,
            "category": self.category,
            "before": self.before,
            "after": self.after,
            "requirements": [vars(q) for q in self.requirements],
        }


@dataclass
class WhatIf:
    before: Evaluation
    after: Evaluation
    edits: list[str]
    changes: list[Change]

    def to_json(self) -> dict:
        out = self.after.to_json()
        out["edits"] = list(self.edits)
        out["changes"] = [c.to_json() for c in self.changes]
        return out


def what_if(
    applicant: Applicant,
    exprs: list[str],
    *,
    as_of: dt.date | None = None,
    program: Program | None = None,
    categories=(),
) -> WhatIf:
    """Evaluate the applicant as it is and with the edits applied (raises load.InputError on a bad edit)."""
    edited = edits.apply(applicant, exprs)
    # Each side on its own date (an edit may move the file's as_of), unless --as-of fixes one.
    before, after = evaluate([applicant, edited], as_of=as_of, program=program, categories=categories)
    old = {(r.policy, r.category): r for r in before.results}
    changes = [c for r in after.results if (c := change(old.get((r.policy, r.category)), r))]
    return WhatIf(before, after, list(exprs), changes)


def change(before: CategoryResult | None, after: CategoryResult) -> Change | None:
    """How one category moved: None when neither its status nor its blockers changed."""
    if before is None:
        return Change(after.policy, after.category, "not_judged", after.status, left=list(after.blockers))
    if before.status == after.status and before.blockers == after.blockers:
        return None
    was = {q.id: q for q in before.requirements}
    moved = []
    for q in after.requirements:
        p = was.get(q.id)
        if p is None or (p.status, p.detail) != (q.status, q.detail):
            moved.append(
                RequirementChange(q.id, p.status if p else "not_judged", q.status, p.detail if p else "", q.detail)
            )
    return Change(
        after.policy,
        after.category,
        before.status,
        after.status,
        moved,
        cleared=[b for b in before.blockers if b not in after.blockers],
        left=list(after.blockers),
    )
