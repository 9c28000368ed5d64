"""What-if: apply edit expressions to an applicant in memory and compare verdicts."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from . import edits
from .evaluate import evaluate
from .explain import Evaluation
from .load import Applicant
from .policy import Program


@dataclass
class Change:
    policy: str
    category: str
    before: str
    after: str


@dataclass
class WhatIf:
    before: Evaluation
    after: Evaluation
    edits: list[str]
    changes: list[Change]

    def to_json(self) -> dict:
        out = self.after.to_json()
        out["edits"] = list(self.edits)
        out["changes"] = [vars(c) for c in self.changes]
        return out


def what_if(applicant: Applicant, exprs: list[str], *, as_of: dt.date | None = None,
            program: Program | None = None, categories=()) -> WhatIf:
    """Evaluate the applicant as it is and with the edits applied (raises load.InputError on a bad edit)."""
    edited = edits.apply(applicant, exprs)
    # Each side on its own date (an edit may move the file's as_of), unless --as-of fixes one.
    before, after = evaluate([applicant, edited], as_of=as_of, program=program, categories=categories)
    old = {(r.policy, r.category): r.status for r in before.results}
    changes = [Change(r.policy, r.category, old.get((r.policy, r.category), "not_judged"), r.status)
               for r in after.results if old.get((r.policy, r.category)) != r.status]
    return WhatIf(before, after, list(exprs), changes)
