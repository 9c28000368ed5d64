"""Ground atoms: what grounding the policies costs, alone and per applicant (issue 15).

`python bench/atoms.py [FILE...]` (default: the bundled examples, facts/*.yaml) grounds the
policies as `endorse evaluate` does (endorse_asp.solve: one Control per chunk, every
applicant's facts, the parts of the variants judged) and prints:

- the ground atoms of the policies alone (no applicant), then per applicant, with and
  without the `why` part (not_counted.lp: why each entry did not count), as clingo's
  statistics count them (problem.lp.atoms, after its simplification) and as symbolic
  atoms (every ground atom, facts included);
- the predicates with most ground atoms per applicant (symbolic atoms by signature, beyond
  those of the policies alone), with `why`.

`make bench` prints the per-applicant line too (bench/run.py calls `summary`).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import clingo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from endorse_asp import load  # noqa: E402
from endorse_asp.evaluate import case_for, evaluation_date  # noqa: E402
from endorse_asp.policy import Program, load_program  # noqa: E402
from endorse_asp.solve import CHUNK, Case, ground_chunk  # noqa: E402


def ground(program: Program, cases: list[Case], why: bool) -> clingo.Control:
    """A Control ground as endorse_asp.solve grounds a chunk of these cases, and solved."""
    ctl = ground_chunk(program, cases, why)
    ctl.solve()
    return ctl


def lp_atoms(ctl: clingo.Control) -> int:
    return int(ctl.statistics["problem"]["lp"]["atoms"])


def by_signature(ctl: clingo.Control) -> dict[str, int]:
    atoms = ctl.symbolic_atoms
    return {
        f"{name}/{arity}": sum(1 for _ in atoms.by_signature(name, arity, positive))
        for name, arity, positive in atoms.signatures
    }


def cases_of(files: list[Path], program: Program) -> list[Case]:
    cases = []
    for f in files:
        applicant = load.load_file(f)
        cases.append(case_for(program, applicant, evaluation_date(applicant, None)))
    return cases


def measure(program: Program, cases: list[Case]) -> dict:
    """Ground atoms of the policies alone and per applicant (the mean over `cases`), with and without `why`."""
    out: dict = {}
    for why in (True, False):
        alone = ground(program, [], why)
        every = ground(program, cases, why)
        n = len(cases)
        out[why] = {
            "alone_lp": lp_atoms(alone),
            "alone_symbolic": len(alone.symbolic_atoms),
            "lp": (lp_atoms(every) - lp_atoms(alone)) / n,
            "symbolic": (len(every.symbolic_atoms) - len(alone.symbolic_atoms)) / n,
        }
        if why:
            before, after = by_signature(alone), by_signature(every)
            out["predicates"] = sorted(
                ((sig, (count - before.get(sig, 0)) / n) for sig, count in after.items()),
                key=lambda item: -item[1],
            )
    return out


def summary(files: list[Path] | None = None) -> list[str]:
    """Lines for `make bench`: ground atoms per applicant with and without `why`, and per chunk."""
    program = load_program()
    cases = cases_of(files or sorted((ROOT / "facts").glob("*.yaml")), program)
    m = measure(program, cases)
    lines = []
    for why, label in ((True, "with why"), (False, "without why")):
        per = m[why]["lp"]
        lines.append(f"{f'ground atoms per applicant, {label}':<46}{per:>10.0f}")
        lines.append(f"{f'  per chunk of {CHUNK}, policies included':<46}{m[why]['alone_lp'] + CHUNK * per:>10.0f}")
    return lines


def main(argv: list[str]) -> None:
    files = [Path(a) for a in argv] or sorted((ROOT / "facts").glob("*.yaml"))
    program = load_program()
    cases = cases_of(files, program)
    m = measure(program, cases)
    print(f"{len(cases)} applicants, {dt.date.today()}: ground atoms (clingo problem.lp.atoms / symbolic atoms)")
    for why, label in ((True, "with why"), (False, "without why")):
        r = m[why]
        print(f"  {f'policies alone ({label})':<34}{r['alone_lp']:>8} / {r['alone_symbolic']:>8}")
        print(f"  {f'per applicant ({label})':<34}{r['lp']:>8.0f} / {r['symbolic']:>8.0f}")
    print("top predicates per applicant (symbolic atoms, with why):")
    for sig, per in m["predicates"][:25]:
        if per >= 1:
            print(f"  {sig:<34}{per:>8.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
