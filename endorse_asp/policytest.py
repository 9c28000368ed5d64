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
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import edits, load
from .evaluate import evaluate
from .policy import Program, load_program, policies_root


@dataclass
class Case:
    name: str
    file: Path
    policy: str
    applicant: object
    as_of: dt.date | None = None
    edits: list[str] = field(default_factory=list)
    expect: dict = field(default_factory=dict)

    @property
    def where(self) -> str:
        """The case file as printed: relative to the working directory when below it."""
        try:
            return str(self.file.resolve().relative_to(Path.cwd()))
        except ValueError:
            return str(self.file)


@dataclass
class Outcome:
    case: Case
    failures: list[str]
    covered: set = field(default_factory=set)  # (policy, category, requirement, status) seen


def collect(paths: list[Path] | None = None) -> list[Case]:
    """Cases under the given policy folders, test folders or files (default: every policy)."""
    files: list[Path] = []
    for path in paths or [policies_root()]:
        path = Path(path)
        files.extend([path] if path.is_file() else sorted(path.glob("**/tests/*.yaml")) or sorted(path.glob("*.yaml")))
    cases = []
    for file in files:
        policy = _policy_of(file)
        try:
            items = (
                yaml.load(file.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or []
            )
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            raise load.InputError(
                [
                    load.Problem(
                        str(file),
                        mark.line + 1 if mark else None,
                        "",
                        f"not valid YAML: {getattr(err, 'problem', err)}",
                    )
                ]
            ) from None
        if not isinstance(items, list):
            raise load.InputError([load.Problem(str(file), None, "", "expected a list of test cases")])
        for n, item in enumerate(items):
            if not isinstance(item, dict) or not {"name", "applicant", "expect"} <= item.keys():
                raise load.InputError(
                    [load.Problem(str(file), None, f"[{n}]", "a case needs name, applicant and expect")]
                )
            cases.append(
                Case(
                    name=item["name"],
                    file=file,
                    policy=policy,
                    applicant=item["applicant"],
                    as_of=item.get("as_of"),
                    edits=list(item.get("edits") or []),
                    expect=item["expect"],
                )
            )
    return cases


def _policy_of(file: Path) -> str:
    meta = file.parent.parent / "policy.yaml"
    if meta.is_file():
        return str(yaml.safe_load(meta.read_text(encoding="utf-8"))["id"])
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
            failures.append(f"{target}: no such category in policy '{policy or case.policy}'")
            continue
        expected = expected if isinstance(expected, dict) else {"status": expected}
        if "status" in expected and _status(expected["status"]) != result.status:
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
        requirements = {q.id: q for q in result.requirements}
        for rid, expected_req in (expected.get("requirements") or {}).items():
            req = requirements.get(rid)
            if req is None:
                failures.append(f"{target}: no requirement '{rid}'")
                continue
            wanted = expected_req if isinstance(expected_req, dict) else {"status": expected_req}
            if "status" in wanted and req.status != wanted["status"]:
                failures.append(
                    f"{target}: requirement {rid}: expected {wanted['status']}, got {req.status}"
                    + (f" ({req.detail})" if req.detail else "")
                )
            failures += _not_counted(f"{target}: requirement {rid}", req, wanted.get("not_counted") or {})
    return Outcome(case, failures, covered)


def _status(spelt) -> str:
    """A status as JSON spells it, from either spelling (`not eligible` or `not_eligible`)."""
    return str(spelt).replace(" ", "_")


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
