"""Digests of the outputs of every example applicant, so that a change of rules meant to change
nothing (fewer ground atoms, issue 15) can be checked against tests/snapshots/outputs.txt.

For each example file (facts/*.yaml, bench/far/*.yaml, tests/good/*.yaml): the JSON of
`endorse evaluate` (with why each entry did not count), of `endorse need` (every category;
not for the two near-empty records of tests/good, NEED_LEFT_OUT), and of `endorse renew` for the year of its date where it holds endorsements, each run in
process through click's CliRunner; for each committee case (policies/*/tests/*.yaml, the
case's applicant with its edits on its date), the JSON of its evaluation through the Python
API, as `endorse policy test` judges it. One line per output: `<where> <command> <digest>`.

Each output is canonicalised before hashing: keys sorted; the rules' fingerprint left out
(it is a hash of the very rule files a change edits); a file named from the project folder,
not from wherever the clone is; and `need`'s alternatives of equal
cost put in a canonical order. The solver returns the cheapest alternative first, but of
several at the same cost (and date) it may return any first: which one depends on how the
program was ground, not on what it means. For the same reason, where a category's list is
full (`--max` alternatives), the alternatives at its last cost are told only by number: more
may tie at that cost than the list holds, and which of them make the list is the solver's
choice as well.

`python -m tests.snapshot_outputs --write` regenerates the file; tests/test_output_snapshot.py
compares.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import yaml
from click.testing import CliRunner

from endorse_asp import policytest
from endorse_asp.cli import main
from endorse_asp.evaluate import evaluate
from endorse_asp.policy import load_program

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "tests" / "snapshots" / "outputs.txt"
LIMIT = 5  # `need --max`, its default
UNDATED = "2025-01-15"  # the date of an example file that gives none (else: today)
# Records of the input format's tests with nearly nothing in them: every category open, their
# `need` takes a third of the whole snapshot's time and tells what bench/far's already tell.
NEED_LEFT_OUT = {"tests/good/defaults.yaml", "tests/good/minimal.yaml"}


def example_files() -> list[Path]:
    return [
        *sorted((ROOT / "facts").glob("*.yaml")),
        *sorted((ROOT / "bench" / "far").glob("*.yaml")),
        *sorted((ROOT / "tests" / "good").glob("*.yaml")),
    ]


def canonical(out: dict | list) -> str:
    """The output as sorted-key JSON, without the rules' fingerprint, with `need`'s tied alternatives sorted."""

    for one in out if isinstance(out, list) else [out]:
        one.pop("rules", None)
        if Path(one.get("file", "")).is_absolute():  # a committee case's applicant: named from the project folder
            one["file"] = Path(one["file"]).relative_to(ROOT).as_posix()
        for result in one.get("results", []):
            if isinstance(result, dict) and isinstance(result.get("needs"), list):
                result["needs"] = tied_sorted(result["needs"])
    return json.dumps(out, sort_keys=True, ensure_ascii=False)


def tied_sorted(alternatives: list) -> list:
    """Alternatives in the solver's order of cost (and date), each run of equal cost and date
    sorted by its JSON; in a full list, the last cost's alternatives only counted."""
    if not alternatives or not all(isinstance(a, dict) and "cost" in a for a in alternatives):
        return alternatives
    key = [(a["cost"], a.get("as_of", "")) for a in alternatives]
    if key != sorted(key):  # not the solver's cheapest-first order: leave it as it is, so a change shows
        return alternatives
    if len(alternatives) == LIMIT:
        last = alternatives[-1]["cost"]
        kept = [a for a in alternatives if a["cost"] != last]
        tail = [{"cost": last, "alternatives at this cost, up to the limit": len(alternatives) - len(kept)}]
    else:
        kept, tail = alternatives, []
    kept = sorted(kept, key=lambda a: (a["cost"], a.get("as_of", ""), json.dumps(a, sort_keys=True)))
    return kept + tail


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _cli(runner: CliRunner, args: list[str]) -> dict | list:
    result = runner.invoke(main, ["--indent", "0", *args], catch_exceptions=False)
    if result.exit_code not in (0, 1) or not result.stdout.strip():
        raise RuntimeError(f"endorse {' '.join(args)}: exit {result.exit_code}\n{result.output}")
    return json.loads(result.stdout)


def file_outputs() -> Iterator[tuple[str, str, str]]:
    """(where, command, canonical JSON) of evaluate, need and renew for each example file."""
    runner = CliRunner()
    for path in example_files():
        where = path.relative_to(ROOT).as_posix()
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        dated = [] if data.get("as_of") else ["--as-of", UNDATED]
        yield where, "evaluate", canonical(_cli(runner, ["evaluate", where, "--format", "json", *dated]))
        if where not in NEED_LEFT_OUT:
            yield where, "need", canonical(_cli(runner, ["need", where, "--format", "json", *dated]))
        if data.get("endorsements"):
            year = str(data.get("as_of") or UNDATED)[:4]
            yield where, "renew", canonical(_cli(runner, ["renew", where, "--year", year, "--format", "json"]))


def case_outputs() -> Iterator[tuple[str, str, str]]:
    """(case file#n, "evaluate", canonical JSON) for each committee case: its applicant, with its
    edits, on its date, judged for the categories the case expects (under every policy; the
    verdicts of all categories are in tests/snapshots/verdicts.txt)."""
    program = load_program()
    groups: dict = {}
    count: dict = {}
    for case in policytest.collect():
        if case.problems:
            continue
        where = case.file.resolve().relative_to(ROOT).as_posix()
        count[where] = count.get(where, 0) + 1
        codes = tuple(sorted({str(key).rsplit("/", 1)[-1] for key in case.expect}))
        groups.setdefault((case.as_of, codes), []).append((f"{where}#{count[where]}", policytest._applicant(case)))
    for (as_of, codes), group in groups.items():
        judged = evaluate((a for _, a in group), as_of=as_of, program=program, categories=codes)
        for (key, _), evaluation in zip(group, judged):
            yield key, "evaluate", canonical(evaluation.to_json())


def lines() -> list[str]:
    """`<where> <command> <digest>` for every output, sorted; run from the project folder, so
    that files are named (in `file` of the JSON) as the snapshot names them."""
    before = os.getcwd()
    os.chdir(ROOT)
    try:
        found = [*file_outputs(), *case_outputs()]
    finally:
        os.chdir(before)
    return sorted(f"{where} {command} {digest(text)}" for where, command, text in found)


if __name__ == "__main__":
    found = lines()
    if "--write" in sys.argv[1:]:
        SNAPSHOT.write_text("\n".join(found) + "\n", encoding="utf-8")
        print(f"wrote {len(found)} digests to {SNAPSHOT.relative_to(ROOT)}")
    else:
        print("\n".join(found))
