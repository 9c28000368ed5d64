"""`endorse policy diff`: which applicants' outcomes a change of the rules would change.

Two versions of the rules are two policies folders (each holding `common/` and one
folder per policy), or a folder and the same folder at a git revision (exported
with `git archive` into a temporary folder; nothing in the working tree moves).
Every applicant of a folder is judged under both, in worker processes (batch.py),
each file read once; for every policy and category the status, the blockers and,
with `needs`, what the applicant would still need are compared.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import subprocess
import tarfile
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import clingo

from . import batch, load
from .evaluate import evaluate
from .order import category_rank
from .policy import PolicyError, Program, load_program, policies_root
from .terms import CategoryKey, RenewalOf
from .words import label

REACHED = ("eligible", "needs_review")


class DiffError(Exception):
    """Rules that cannot be compared (a folder that is no policies folder, rules that do not
    load, a revision git does not know): a usage error, exit 2."""


# --------------------------------------------------------------------------- the rules to compare


@dataclass(frozen=True)
class Rules:
    root: Path
    label: str


def rules_at(path: str | Path, label: str | None = None) -> Rules:
    root = Path(path).resolve()
    if not (root / "common").is_dir():
        raise DiffError(f"{path}: not a policies folder (it should hold common/ and one folder per policy)")
    return Rules(root, label or str(path))


@contextlib.contextmanager
def rules_at_revision(rev: str, worktree: str | Path | None = None) -> Iterator[Rules]:
    """The policies folder `worktree` (default: the one in use) as it is at git revision `rev`,
    in a temporary folder."""
    worktree = Path(worktree or policies_root()).resolve()

    def git(where: Path, *args: str, problem: str | None = None) -> bytes:
        try:
            done = subprocess.run(["git", "-C", str(where), *args], capture_output=True)
        except FileNotFoundError:
            raise DiffError("--rev needs git, which is not installed") from None
        if done.returncode:
            raise DiffError(problem or f"git {' '.join(args)}: {done.stderr.decode(errors='replace').strip()}")
        return done.stdout

    top = Path(
        git(
            worktree,
            "rev-parse",
            "--show-toplevel",
            problem=f"{worktree} is not in a git repository, so --rev has nothing to compare with",
        )
        .decode()
        .strip()
    ).resolve()
    inside = worktree.relative_to(top).as_posix()
    commit = (
        git(
            top,
            "rev-parse",
            "--verify",
            "--quiet",
            f"{rev}^{{commit}}",
            problem=f"git does not know the revision '{rev}' (try a commit, a branch or a tag: "
            "`git log --oneline` lists them)",
        )
        .decode()
        .strip()
    )
    archive = git(
        top, "archive", "--format=tar", commit, "--", inside, problem=f"at {rev}, the repository has no {inside}/"
    )
    with tempfile.TemporaryDirectory(prefix="endorse-rev-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        root = Path(tmp) / inside
        if not (root / "common").is_dir():
            raise DiffError(f"at {rev}, {inside}/ holds no policies (no common/)")
        yield Rules(root, f"{rev} ({commit[:10]})")


def prepare(rules: Rules, which: str) -> Program:
    """Load and ground the rules once, here, so that broken rules stop the diff at once."""
    try:
        program = load_program(rules.root, None)
    except (PolicyError, OSError, ValueError, KeyError, TypeError) as err:
        raise DiffError(
            f"the {which} rules ({rules.label}) cannot be loaded: {err}\n"
            f"  run `endorse policy check {rules.root}` for every problem with its place"
        ) from None
    messages: list[str] = []
    ctl = clingo.Control(["--warn=none"], logger=lambda code, text: messages.append(text.strip()))
    try:
        program.load_into(ctl)
        ctl.ground(program.parts())
    except RuntimeError as err:
        detail = "\n  ".join(messages) or str(err)
        raise DiffError(
            f"the {which} rules ({rules.label}) cannot be grounded:\n  {detail}\n"
            f"  run `endorse policy check {rules.root}` for every problem with its place"
        ) from None
    program.read_catalogue(ctl)
    return program


# --------------------------------------------------------------------------- what is compared


def outcome(evaluation, applicant=None, program=None, needs: bool = False) -> dict:
    """(policy, category) -> {status, blockers, needs} of one evaluation."""
    if needs:
        from .needs import fill_needs

        fill_needs(evaluation, applicant, program)
    return {
        (r.policy, r.category): {
            "status": r.status,
            "blockers": sorted(r.blockers),
            "needs": [n.to_json() if hasattr(n, "to_json") else n for n in r.needs],
        }
        for r in evaluation.results
    }


@dataclass(frozen=True)
class DiffJob:
    """Each file read once and judged under both versions (see batch.run)."""

    old: batch.Job
    new: batch.Job
    needs: bool = False

    def warm(self) -> None:
        self.old.warm()
        self.new.warm()

    def chunk_size(self) -> int:
        return batch.chunk_size(len(self.old.program().policies) + len(self.new.program().policies))

    def chunk(self, files: list[str]) -> list[tuple[object, str | None]]:
        out: list = [None] * len(files)
        ready: list = []
        for n, file in enumerate(files):
            try:
                ready.append((n, load.load_file(file)))
            except load.InputError as err:
                out[n] = (None, str(err))
        if not ready:
            return out
        applicants = [a for _, a in ready]
        sides = []
        for job in (self.old, self.new):
            program = job.program()
            evaluations = evaluate(applicants, as_of=job.as_of, program=program)
            sides.append([outcome(e, a, program, self.needs) for e, a in zip(evaluations, applicants)])
        for (n, applicant), before, after in zip(ready, *sides):
            out[n] = ((applicant.id, before, after), None)
        return out


@dataclass
class Change:
    applicant: str
    file: str
    policy: str
    category: str
    before: dict | None  # None: the category is not judged under that version
    after: dict | None

    @property
    def target(self) -> str:
        return f"{self.policy}/{label(self.category)}"

    def what(self) -> list[str]:
        """What changed: status, blockers, needs."""
        if self.before is None or self.after is None:  # a category only one version judges
            return ["status", "blockers"]
        return [k for k in ("status", "blockers", "needs") if self.before.get(k) != self.after.get(k)]

    def transition(self) -> str:
        """eligible → not_eligible; or, the status kept, what else changed."""
        if "status" in self.what():
            return f"{_status(self.before)} → {_status(self.after)}"
        return f"{_status(self.after)}, {' and '.join(self.what())} changed"

    def blockers_delta(self) -> str:
        """+added -removed blockers."""
        before = set((self.before or {}).get("blockers", []))
        after = set((self.after or {}).get("blockers", []))
        return " ".join([f"+{b}" for b in sorted(after - before)] + [f"-{b}" for b in sorted(before - after)])

    def to_json(self) -> dict:
        return {
            "applicant": self.applicant,
            "file": self.file,
            "policy": self.policy,
            "category": label(self.category),
            "changed": self.what(),
            "before": self.before,
            "after": self.after,
        }


@dataclass
class Diff:
    old: str
    new: str
    applicants: int = 0
    compared: int = 0  # category results compared
    changes: list[Change] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def changed_applicants(self) -> int:
        return len({c.file for c in self.changes})

    def by_category(self) -> list[tuple[str, int]]:
        counts = Counter(c.target for c in self.changes)
        return sorted(counts.items(), key=lambda kv: _rank(kv[0]))

    def by_transition(self) -> list[tuple[str, int]]:
        counts = Counter(c.transition() for c in self.changes)
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    def to_json(self) -> dict:
        return {
            "old": self.old,
            "new": self.new,
            "applicants": self.applicants,
            "changed_applicants": self.changed_applicants,
            "results_compared": self.compared,
            "changed_results": len(self.changes),
            "by_category": dict(self.by_category()),
            "by_transition": dict(self.by_transition()),
            "changes": [c.to_json() for c in self.changes],
            "errors": self.errors,
        }


def compare(
    old: Rules,
    new: Rules,
    files: list,
    *,
    as_of: dt.date | None = None,
    needs: bool = False,
    jobs: int | None = None,
    progress: bool = False,
) -> Diff:
    """Judge every file under both versions of the rules and collect what changed."""
    old_program, new_program = prepare(old, "OLD"), prepare(new, "NEW")
    job = DiffJob(batch.Job(old.root, None, as_of), batch.Job(new.root, None, as_of), needs)
    batch.warm(job.old, old_program)
    batch.warm(job.new, new_program)
    diff = Diff(old.label, new.label)
    for item in batch.run(files, job, jobs=jobs, progress=progress, label="comparing"):
        if item.error is not None:
            diff.errors.append(item.error)
            continue
        applicant, before, after = cast(tuple, item.value)
        diff.applicants += 1
        for key in sorted(set(before) | set(after), key=lambda k: (k[0], _rank_code(k[1]))):
            diff.compared += 1
            if before.get(key) != after.get(key):
                diff.changes.append(
                    Change(applicant, display(item.file), key[0], key[1], before.get(key), after.get(key))
                )
    return diff


# --------------------------------------------------------------------------- rendering


def display(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _rank_code(category: CategoryKey) -> tuple:
    return (isinstance(category, RenewalOf), category_rank(category), str(category))


def _rank(target: str) -> tuple:
    policy, _, code = target.partition("/")
    return (policy, category_rank(code), code)


def _status(side: dict | None) -> str:
    return side["status"] if side else "absent"


def _needs(side: dict | None) -> str:
    if not side or not side["needs"]:
        return "nothing"
    cheapest = side["needs"][0]
    items = ", ".join(i["id"] for i in cheapest.get("items", [])) or "time only"
    return f"{len(side['needs'])} alternative(s), cheapest {items} (cost {cheapest.get('cost')})"


def _headline(diff: Diff) -> str:
    if not diff.changes:
        return (
            f"No outcome changes: {diff.applicants} applicant{'s' * (diff.applicants != 1)}, "
            f"{diff.compared} category results compared."
        )
    moved = sum("status" in c.what() for c in diff.changes)
    return (
        f"{diff.changed_applicants} of {diff.applicants} applicants change, in {len(diff.changes)} of "
        f"{diff.compared} category results ({moved} change status, {len(diff.changes) - moved} only "
        f"blockers or needs)."
    )


def to_text(diff: Diff) -> str:
    """One line per changed category result: status before -> after, then +added -removed
    blockers; grouped by applicant; counts at the end."""
    lines = [f"policy diff: {diff.old} -> {diff.new}", _headline(diff)]
    current = None
    for c in diff.changes:
        if c.file != current:
            current = c.file
            lines += ["", f"{c.applicant}  {c.file}"]
        what = c.what()
        status = f"{_status(c.before)} -> {_status(c.after)}" if "status" in what else _status(c.after)
        line = f"  {c.target:<22} {status:<30}"
        if "blockers" in what:
            line += f" blockers {c.blockers_delta()}"
        lines.append(line.rstrip())
        if "needs" in what:
            lines.append(f"  {'':<22} needs: {_needs(c.before)} -> {_needs(c.after)}")
    if diff.changes:
        lines += ["", "by category:"]
        lines += [f"  {target:<22} {n}" for target, n in diff.by_category()]
        lines += ["by change:"]
        lines += [f"  {transition.replace('→', '->'):<46} {n}" for transition, n in diff.by_transition()]
    if diff.errors:
        lines += ["", f"{len(diff.errors)} file(s) could not be read (listed on stderr)."]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(diff: Diff) -> str:
    lines = [f"### Policy diff: `{diff.old}` → `{diff.new}`", "", f"**{_headline(diff)}**"]
    if diff.changes:
        lines += ["", "| Category | Results changed |", "| --- | ---: |"]
        lines += [f"| {_cell(t)} | {n} |" for t, n in diff.by_category()]
        lines += ["", "| Change | Count |", "| --- | ---: |"]
        lines += [f"| {_cell(t)} | {n} |" for t, n in diff.by_transition()]
        lines += ["", "| Applicant | Category | Status | Blockers | Needs |", "| --- | --- | --- | --- | --- |"]
        for c in diff.changes:
            what = c.what()
            status = f"{_status(c.before)} → **{_status(c.after)}**" if "status" in what else _status(c.after)
            blockers = c.blockers_delta() if "blockers" in what else ""
            needs = f"{_needs(c.before)} → {_needs(c.after)}" if "needs" in what else ""
            lines.append(
                f"| {_cell(c.applicant)} | {_cell(c.target)} | {_cell(status)} | {_cell(blockers)} | {_cell(needs)} |"
            )
    if diff.errors:
        lines += ["", f"{len(diff.errors)} file(s) could not be read:", ""]
        lines += [f"- `{_cell(e.splitlines()[0])}`" for e in diff.errors]
    return "\n".join(lines)


def to_json(diff: Diff) -> str:
    from .render import dumps

    return dumps(diff.to_json())


RENDER = {"text": to_text, "md": to_markdown, "json": to_json}
