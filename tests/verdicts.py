"""The verdicts of every committee case and every example applicant, one line each:
`<where> <digest>` (the digest of its category statuses and blockers), so that a change of
rules that must not change any verdict can be checked against tests/snapshots/verdicts.txt."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from endorse_asp import load, policytest
from endorse_asp.evaluate import evaluate
from endorse_asp.policy import load_program

ROOT = Path(__file__).resolve().parent.parent


def verdicts() -> dict[str, dict]:
    """{case file#n (n-th case of the file) or example file: {policy/category: [status, blockers]}}."""
    program = load_program()
    groups: dict = {}
    count: dict = {}
    for case in policytest.collect():
        where = case.file.resolve().relative_to(ROOT).as_posix()
        count[where] = count.get(where, 0) + 1
        groups.setdefault(case.as_of, []).append((f"{where}#{count[where]}", policytest._applicant(case)))
    for file in sorted((ROOT / "facts").glob("*.yaml")):
        groups.setdefault(None, []).append((f"facts/{file.name}", load.load_file(file)))
    found = {}
    for as_of, group in groups.items():
        for (key, _), evaluation in zip(group, evaluate((a for _, a in group), as_of=as_of, program=program)):
            found[key] = {f"{r.policy}/{r.category}": [r.status, sorted(r.blockers)] for r in evaluation.results}
    return found


def lines(found: dict[str, dict]) -> list[str]:
    return [
        f"{key} {hashlib.sha256(json.dumps(found[key], sort_keys=True).encode()).hexdigest()[:16]}"
        for key in sorted(found)
    ]


if __name__ == "__main__":
    print("\n".join(lines(verdicts())))
