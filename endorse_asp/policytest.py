"""Committee test cases: YAML files in policies/<id>/tests/ (OpenFisca-style).

Each file is a list of cases:

    - name: A sentence saying what the case shows.
      applicant: facts/jordan-lee.yaml     # a file, or an inline mapping (see below)
      as_of: 2024-03-01                    # optional
      edits: ["training[0].hours=5"]       # optional edit expressions (docs/commands.md)
      expect:
        IFS: eligible                      # a category of this folder's policy...
        mi-aimh/IMHS:                      # ...or policy/category
          status: not_eligible
          blockers: [rsc.hours]            # exactly these (order does not matter)
          requirements:                    # optional, per requirement: a status, or
            rsc.hours: unmet
            work.experience:               # ...a status and the entries it did not count,
              status: unmet                #    each with words its reason must contain
              not_counted: {work[0]: not stated to be relationship-focused}

Statuses may be spelt as JSON spells them (`not_eligible`) or as text does
(`not eligible`).

An applicant file is found from the case file's own place, wherever the tree
lies (a checkout, a committee's copy, an installed package): beside the case
file, else in the folder that holds the policies folder (so `facts/...` names
the example applicants, which the package ships beside its policies).

Running the cases evaluates every applicant once, through the same path as
`endorse evaluate`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from . import edits, load, policy_file
from .evaluate import evaluate
from .policy import Program, load_program, policies_root
from .words import did_you_mean


@dataclass
class Case:
    name: str
    file: Path
    policy: str
    applicant: object
    as_of: dt.date | None = None
    edits: list[str] = field(default_factory=list)
    expect: dict = field(default_factory=dict)
    line: int | None = None  # where the case starts in its file
    lines: dict = field(default_factory=dict)  # the line of each of its keys, by path (".expect.IFS")
    problems: list = field(default_factory=list)  # what the test-case schema finds wrong: the case is not run

    @property
    def where(self) -> str:
        """The case file as printed: relative to the working directory when below it."""
        return _shown(self.file)


@dataclass
class Outcome:
    case: Case
    failures: list[str]
    covered: set = field(default_factory=set)  # (policy, category, requirement, status) seen


def collect(paths: list[Path] | None = None) -> list[Case]:
    """Cases under the given policy folders, test folders or files (default: every policy).

    Each file is checked against the test-case schema (testcases.schema.json) as it is read;
    a case (or a file) that does not fit it comes back with its `problems` and is not run,
    so one malformed case never stops the others."""
    files: list[Path] = []
    for path in paths or [policies_root()]:
        path = Path(path)
        files.extend([path] if path.is_file() else sorted(path.glob("**/tests/*.yaml")) or sorted(path.glob("*.yaml")))
    cases = []
    for file in files:
        cases.extend(_read_cases(file, _policy_of(file), _vocabulary(file)))
    return cases


def _read_cases(file: Path, policy: str, known: dict) -> list[Case]:
    source = _shown(file)
    try:
        items, lines, problems = load.parse_yaml(file.read_bytes(), source)
    except load.InputError as err:
        return [Case("(the whole file)", file, policy, None, problems=err.problems)]
    except OSError as err:
        return [Case("(the whole file)", file, policy, None, problems=[load.Problem(source, None, "", str(err))])]
    if not isinstance(items, list):
        problem = load.Problem(source, lines.get(""), "", "expected a list of test cases, each starting '- name: ...'")
        return [Case("(the whole file)", file, policy, None, problems=problems + [problem])]
    cases = []
    for n, item in enumerate(items):
        found = [p for p in problems if p.path == f"[{n}]" or p.path.startswith(f"[{n}].")]
        found += check_case(item, f"[{n}]", lines, source, known)
        item = item if isinstance(item, dict) else {}
        name = str(item["name"]) if isinstance(item.get("name"), str) else f"case {n + 1}"
        expect: dict = item["expect"] if isinstance(item.get("expect"), dict) else {}
        cases.append(
            Case(
                name=name,
                file=file,
                policy=policy,
                applicant=item.get("applicant"),
                as_of=item.get("as_of") if isinstance(item.get("as_of"), dt.date) else None,
                edits=[] if found else list(item.get("edits") or []),
                expect={k: _normal(v) for k, v in expect.items()},
                line=lines.get(f"[{n}]"),
                lines={k[len(f"[{n}]") :]: v for k, v in lines.items() if k.startswith(f"[{n}].")},
                problems=found,
            )
        )
    return cases


def _shown(file: Path) -> str:
    """A file as printed: relative to the working directory when below it."""
    try:
        return str(file.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(file)


# The test-case schema: the keys, statuses and patterns a case may use, named once.
SCHEMA: dict = json.loads(resources.files(__package__).joinpath("testcases.schema.json").read_text("utf-8"))
_DEFS = SCHEMA["$defs"]
CASE_KEYS = list(_DEFS["case"]["properties"])
EXPECT_KEYS = list(_DEFS["expectation"]["properties"])
STATUSES = [s for s in _DEFS["status"]["enum"] if " " not in s]
REQUIREMENT_STATUSES = list(_DEFS["requirement_status"]["enum"])
REQUIREMENT_KEYS = list(
    _DEFS["expectation"]["properties"]["requirements"]["additionalProperties"]["anyOf"][1]["properties"]
)
_TARGET = re.compile(_DEFS["case"]["properties"]["expect"]["propertyNames"]["pattern"])
_REQUIREMENT_ID = re.compile(_DEFS["requirement_id"]["pattern"])


def _normal(expected):
    """An expectation as a mapping, its status written with an underscore ('not eligible' -> not_eligible)."""
    expected = dict(expected) if isinstance(expected, dict) else {"status": expected}
    if isinstance(expected.get("status"), str):
        expected["status"] = expected["status"].replace(" ", "_")
    return expected


def _vocabulary(file: Path) -> dict:
    """What a case in `file` may name: policy ids and category codes (from every policy.yaml of
    its tree, and the endorsement codes of the applicant format)."""
    tree = _tree_of(file)
    policies: dict[str, list[str]] = {}
    for meta in sorted(tree.glob("*/policy.yaml")) if tree is not None else []:
        try:
            data = policy_file.load(meta)
        except (OSError, yaml.YAMLError, ValueError):
            continue
        if isinstance(data, dict) and data.get("id") is not None:
            policies[str(data["id"])] = [str(c) for c in data.get("categories") or []]
    codes = {c for listed in policies.values() for c in listed} | set(load.SCHEMA["$defs"]["endorsement"]["enum"])
    return {"policies": sorted(policies), "categories": sorted(codes)}


def check_case(item, at: str, lines: dict, source: str, known: dict) -> list[load.Problem]:
    """What is wrong with one case, by the test-case schema: each problem at its own line, with
    the closest valid name for a misspelt one."""
    problems: list[load.Problem] = []

    def report(path: str, message: str, line_of: str | None = None) -> None:
        problems.append(load.Problem(source, lines.get(line_of or path) or lines.get(at), path, message))

    if not isinstance(item, dict):
        report(at, "a case is a mapping with name, applicant and expect (and perhaps as_of, edits)")
        return problems
    for key in item:
        if key not in CASE_KEYS:
            report(
                load.join(at, key),
                f"unknown key '{key}'{did_you_mean(key, CASE_KEYS)}; a case has {', '.join(CASE_KEYS)}",
            )
    for key in _DEFS["case"]["required"]:
        if key not in item:
            report(load.join(at, key), f"missing '{key}'", line_of=at)
    if "name" in item and (not isinstance(item["name"], str) or not item["name"].strip()):
        report(load.join(at, "name"), "name must be a sentence saying what the case shows")
    if "applicant" in item and not (
        isinstance(item["applicant"], dict) or isinstance(item["applicant"], str) and item["applicant"]
    ):
        report(load.join(at, "applicant"), "applicant must name a file (facts/...) or be a whole applicant record")
    if "as_of" in item and type(item["as_of"]) is not dt.date:
        report(load.join(at, "as_of"), f"'{item['as_of']}' is not a date: write it YYYY-MM-DD (2025-07-01)")
    if "edits" in item:
        _check_edits(item["edits"], load.join(at, "edits"), report)
    if "expect" in item:
        _check_expect(item["expect"], load.join(at, "expect"), report, known)
    return problems


def _check_edits(value, at: str, report) -> None:
    if not isinstance(value, list):
        report(at, 'edits must be a list of expressions, e.g. ["training[0].hours=5"]')
        return
    for n, expr in enumerate(value):
        why = edits.check_expression(expr) if isinstance(expr, str) else "an edit is text, e.g. training[0].hours=5"
        if why:
            report(load.join(at, n), why)


def _check_expect(value, at: str, report, known: dict) -> None:
    if not isinstance(value, dict) or not value:
        report(at, "expect must map categories to what they should be, e.g. {IFS: eligible}")
        return
    for target, expected in value.items():
        where = load.join(at, target)
        policy, _, code = str(target).rpartition("/")
        if not _TARGET.fullmatch(str(target)):
            report(where, f"'{target}' is not a category: write CODE (IFS) or POLICY/CODE (mi-aimh/IFS)")
        elif policy and policy not in known["policies"]:
            report(where, f"unknown policy '{policy}'{did_you_mean(policy, known['policies'])}")
        elif code not in known["categories"]:
            report(where, f"unknown category '{code}'{did_you_mean(code, known['categories'])}")
        if not isinstance(expected, dict):
            _check_status(expected, where, report)
            continue
        for key in expected:
            if key not in EXPECT_KEYS:
                report(
                    load.join(where, key),
                    f"unknown key '{key}'{did_you_mean(key, EXPECT_KEYS)}; an expectation has {', '.join(EXPECT_KEYS)}",
                )
        if "status" in expected:
            _check_status(expected["status"], load.join(where, "status"), report)
        blockers = expected.get("blockers", [])
        if not isinstance(blockers, list):
            report(load.join(where, "blockers"), f"blockers must be a list, e.g. [{blockers}] ([] for none)")
        else:
            for n, rid in enumerate(blockers):
                if not isinstance(rid, str) or not _REQUIREMENT_ID.fullmatch(rid):
                    report(load.join(where, f"blockers[{n}]"), f"'{rid}' is not a requirement id (rsc.hours, exam...)")
        requirements = expected.get("requirements", {})
        if not isinstance(requirements, dict):
            report(
                load.join(where, "requirements"), "requirements must map requirement ids to statuses, e.g. {exam: met}"
            )
            continue
        for rid, status in requirements.items():
            here = load.join(where, f"requirements.{rid}")
            if not _REQUIREMENT_ID.fullmatch(str(rid)):
                report(here, f"'{rid}' is not a requirement id (rsc.hours, exam...)")
            if isinstance(status, dict):  # {status, not_counted: {entry: words of its reason}}
                for key in status:
                    if key not in REQUIREMENT_KEYS:
                        report(load.join(here, key), f"unknown key '{key}'{did_you_mean(key, REQUIREMENT_KEYS)}")
                if not isinstance(status.get("not_counted", {}), dict):
                    report(
                        load.join(here, "not_counted"),
                        "not_counted maps entries to words of the reason, e.g. {work[0]: paid}",
                    )
                if "status" not in status:
                    continue
                status = status["status"]
            if status not in REQUIREMENT_STATUSES:
                report(
                    load.join(where, f"requirements.{rid}"),
                    f"unknown requirement status '{status}'; expected one of {', '.join(REQUIREMENT_STATUSES)}"
                    f"{did_you_mean(status, REQUIREMENT_STATUSES)}",
                )


def _check_status(value, where: str, report) -> None:
    if not isinstance(value, str) or value.replace(" ", "_") not in STATUSES:
        report(
            where,
            f"unknown status '{value}'; expected one of {', '.join(STATUSES)}{did_you_mean(value, STATUSES)}",
        )


def _policy_of(file: Path) -> str:
    meta = file.parent.parent / "policy.yaml"
    if meta.is_file():
        return str(policy_file.load(meta)["id"])
    return ""


def root_of(paths) -> Path:
    """The policies folder (the one holding common/) the given paths lie in; default the one in use."""
    for path in paths or []:
        found = _tree_of(Path(path))
        if found is not None:
            return found
    return policies_root()


def _tree_of(path: Path) -> Path | None:
    for folder in (path.resolve(), *path.resolve().parents):
        if (folder / "common").is_dir():
            return folder
    return None


def program_for(cases: list[Case], root: Path | None = None) -> Program:
    """The rules the cases need: the policies they expect something of, with their bases."""
    from .policy import PolicyError, policy_dirs, read_policy

    wanted = {c.policy for c in cases if c.policy}
    wanted |= {
        str(t).rpartition("/")[0] for c in cases if isinstance(c.expect, dict) for t in c.expect if "/" in str(t)
    }
    root = root or policies_root()
    try:
        known = {read_policy(d, i).id for i, d in enumerate(policy_dirs(root))}
    except PolicyError:
        known = set()
    only = tuple(sorted(wanted & known)) or None
    return load_program(root, only)


def _applicant(case: Case) -> load.Applicant:
    if isinstance(case.applicant, dict):
        applicant = load.validate(case.applicant, f"{case.where}: {case.name}")
    else:
        applicant = load.load_file(applicant_file(case))
    return edits.apply(applicant, case.edits) if case.edits else applicant


def applicant_file(case: Case) -> Path:
    """The applicant file a case names: beside the case file, else in the folder holding the
    policies folder the case file lies in (where `facts/` is, in the project and in the package)."""
    near = case.file.parent / str(case.applicant)
    tree = _tree_of(case.file)
    project = tree.parent / str(case.applicant) if tree is not None else None
    if near.is_file() or project is None:
        return near
    if project.is_file():
        return project
    raise load.InputError(
        [
            load.Problem(
                str(case.where),
                None,
                "applicant",
                f"no file {case.applicant} beside the case file ({near}) "
                f"nor in the project holding its policies ({project})",
            )
        ]
    )


def run(cases: list[Case], program: Program | None = None) -> list[Outcome]:
    """Evaluate every case and compare with what it expects."""
    program = program or load_program()
    outcomes: list[Outcome] = []
    ready: list[tuple[Case, load.Applicant]] = []
    for case in cases:
        if case.problems:  # the schema's findings: the case cannot say what it means, so it fails
            outcomes.append(Outcome(case, [str(p) for p in case.problems]))
            continue
        try:
            ready.append((case, _applicant(case)))
        except load.InputError as err:
            outcomes.append(Outcome(case, [f"the case's applicant is invalid:\n{err}"]))
    by_date: dict = {}
    for case, applicant in ready:
        by_date.setdefault(case.as_of, []).append((case, applicant))
    for as_of, group in by_date.items():
        evaluations = evaluate((a for _, a in group), as_of=as_of, program=program)
        for (case, _), evaluation in zip(group, evaluations):
            outcomes.append(_compare(case, evaluation))
    order = {id(c): n for n, c in enumerate(cases)}
    return sorted(outcomes, key=lambda o: order[id(o.case)])


_SHARED: tuple = ()  # (cases, program), inherited by forked workers


def _run_part(indices: list[int]) -> list[tuple[list, set]]:
    cases, program = _SHARED
    return [(o.failures, o.covered) for o in run([cases[i] for i in indices], program)]


def run_parallel(cases: list[Case], program: Program, jobs: int) -> list[Outcome]:
    """As `run`, with the cases shared among `jobs` processes forked from this one."""
    import multiprocessing
    import sys

    global _SHARED
    if jobs <= 1 or len(cases) < 40:
        return run(cases, program)
    program.catalogue  # noqa: B018 - read once here, inherited by the workers
    _SHARED = (cases, program)
    parts = [list(range(n, len(cases), jobs)) for n in range(jobs)]
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            results = pool.map(_run_part, parts)
    finally:
        _SHARED = ()
    outcomes: list = [None] * len(cases)
    for part, found in zip(parts, results):
        for i, (failures, covered) in zip(part, found):
            outcomes[i] = Outcome(cases[i], failures, covered)
    return outcomes


def _compare(case: Case, evaluation) -> Outcome:
    results = {(r.policy, r.category): r for r in evaluation.results}
    failures: list[str] = []
    covered = {(r.policy, r.category, q.id, q.status) for r in evaluation.results for q in r.requirements}
    for target, expected in case.expect.items():
        policy, _, code = str(target).rpartition("/")
        result = results.get((policy or case.policy, code))
        if result is None:
            codes = sorted({c for p, c in results if p == (policy or case.policy)})
            failures.append(
                f"{_at(case, target)}{target}: no such category in policy '{policy or case.policy}'"
                f"{did_you_mean(code, codes)}"
            )
            continue
        requirements = {q.id: q for q in result.requirements}
        for rid in sorted(
            {*(expected.get("blockers") or []), *(expected.get("requirements") or {})} - set(requirements)
        ):
            failures.append(
                f"{_at(case, target)}{target}: unknown requirement id '{rid}'{did_you_mean(rid, list(requirements))}; "
                f"{result.category} has {', '.join(sorted(requirements))}"
            )
        if "status" in expected and expected["status"] != result.status:
            failures.append(f"{target}: expected {expected['status']}, got {result.status}" + _why(result))
        if "blockers" in expected and sorted(expected["blockers"] or []) != sorted(result.blockers):
            want, got = set(expected["blockers"] or []), set(result.blockers)
            why = "; ".join(
                part
                for part in (
                    f"also blocked by {', '.join(sorted(got - want))}" if got - want else "",
                    f"not blocked by {', '.join(sorted(want - got))}" if want - got else "",
                )
                if part
            )
            failures.append(
                f"{target}: expected blockers {sorted(want)}, got {sorted(got)} ({why})" + _why(result, got ^ want)
            )
        for rid, expected_req in (expected.get("requirements") or {}).items():
            req = requirements.get(rid)
            if req is None:  # an unknown id: said above
                continue
            wanted = expected_req if isinstance(expected_req, dict) else {"status": expected_req}
            if "status" in wanted and req.status != wanted["status"]:
                failures.append(
                    f"{target}: requirement {rid}: expected {wanted['status']}, got {req.status}"
                    + (f" ({req.detail})" if req.detail else "")
                )
            failures += _not_counted(f"{target}: requirement {rid}", req, wanted.get("not_counted") or {})
    return Outcome(case, failures, covered)


def _not_counted(where: str, req, expected: dict) -> list[str]:
    """Each entry expected among those the requirement did not count, its reason containing the words given."""
    told = {n.entry: n.reason for n in req.not_counted}
    failures = []
    for entry, words in expected.items():
        if entry not in told:
            used = any(e.entry == entry for e in req.evidence)
            failures.append(
                f"{where}: expected {entry} not counted, but it was {'counted' if used else 'not looked at'}"
            )
        elif str(words) not in told[entry]:
            failures.append(f"{where}: {entry} not counted because {told[entry]!r}, not {str(words)!r}")
    return failures


def _at(case: Case, target) -> str:
    """'file:line: ' of an expectation, to lead a failure that is the case's own mistake."""
    line = case.lines.get(f".expect.{target}") or case.line
    return f"{case.where}:{line}: " if line else f"{case.where}: "


def _why(result, only=None) -> str:
    lines = [
        f"\n      {q.status:<8} {q.id}" + (f": {q.detail}" if q.detail else "")
        for q in result.requirements
        if (q.status != "met" if only is None else q.id in only)
    ]
    return "".join(lines)


def coverage_report(outcomes: list[Outcome], program: Program) -> str:
    """Per requirement of the policies tested: did some case see it met, and some see it unmet?"""
    seen: dict = {}
    for outcome in outcomes:
        for policy, code, rid, status in outcome.covered:
            seen.setdefault((policy, code, rid), set()).add(status)
    tested = {o.case.policy for o in outcomes}
    lines, complete, total = [], 0, 0
    for (policy, code), reqs in sorted(program.catalogue.requirements.items(), key=lambda kv: str(kv[0])):
        if policy not in tested or not isinstance(code, str):  # renewals: not judged by these cases
            continue
        for rid in sorted(reqs):
            total += 1
            statuses = seen.get((policy, code, rid), set())
            missing = [s for s in ("met", "unmet") if s not in statuses]
            if missing:
                lines.append(f"  {policy}/{code} {rid}: never {' nor '.join(missing)}")
            else:
                complete += 1
    return "\n".join([f"coverage: {complete} of {total} requirements seen both met and unmet"] + lines)
