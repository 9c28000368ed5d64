"""What the checks of `policy check` share: the problems found, the policies' folders and
policy.yaml (read through policy_file.py, with the line of each key), the rule files parsed,
where a rule of a policy is written, and the words a problem names categories with."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from ..order import category_rank
from ..terms import RenewalOf
from ..words import did_you_mean
from .statements import constants, heads_and_bodies, location

# " (did you mean 'X'?)" for the option closest to a word, as policy check words it
closest = functools.partial(did_you_mean, cutoff=0.75, ignore_case=False, aside=True)
Where = tuple[Path | str, int, int]  # a file, line and column a problem is reported at

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    col: int
    severity: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.severity}: {self.message}"


@dataclass
class RuleFile:
    path: Path
    policy: str | None  # policy id, None for the engine (common/)
    statements: list = field(default_factory=list)
    ok: bool = True  # parsed without syntax errors


def inside(file: str, scope: Path) -> bool:
    try:
        Path(file).resolve().relative_to(scope)
        return True
    except ValueError:
        return False


def display(path: Path | str) -> str:
    """A path as printed: relative to the working directory when below it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class Context:
    """One run of the checks over a policies folder: what they read, and what they found."""

    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []
        self.files: list[RuleFile] = []
        self.meta: dict[str, dict] = {}  # policy id -> {"path", "data", "node"} of its policy.yaml
        self.policy_dirs: dict[str, Path] = {}  # policy id -> directory
        self.broken: set[str] = set()  # policy ids whose own files have errors
        self.unbridgeable: set[str] = set()  # bases whose declarations cannot be inherited
        self.seen: dict[str, set] = {}  # policy id -> keys of the grounded problems found
        self.cases: list = []  # the committee test cases read (policytest.Case)
        self.current: str | None = None  # the policy whose grounded checks are running

    def top(self, found: Where | None, pid: str) -> Where:
        """Where to report a problem: the place found, else the top of the policy's policy.yaml."""
        return found or (self.meta[pid]["path"], 1, 1)

    def add(self, file, line, col, severity, message) -> None:
        # A problem found while checking a policy is that policy's, reported in its own folder,
        # never in a file of its base (which, checked on its own, may be sound): placed at what the
        # policy itself wrote, else at its policy.yaml, naming the base's line it concerns.
        if self.current and not inside(str(file), self.policy_dirs[self.current].resolve()):
            message = f"{message} (the base's rule at {display(file)}:{line})"
            file, line, col = self.meta[self.current]["path"], 1, 1
        self.problems.append(Problem(display(file), int(line or 1), int(col or 1), severity, message))

    def chain(self, pid: str) -> list[str]:
        """The policy and the bases it extends, nearest first."""
        line = [pid]
        while True:
            base = self.meta.get(line[-1], {}).get("data", {}).get("extends")
            if base is None or str(base) not in self.meta or str(base) in line:
                return line
            line.append(str(base))

    def rule_files_of(self, pids) -> list[RuleFile]:
        return [f for f in self.files if f.policy in pids]

    def find(self, pids, predicate: str, *, arity: int | None = None, contains: tuple = ()) -> Where | None:
        """Where a rule of these policies defines `predicate` with these constants in its head."""
        for rule_file in self.rule_files_of(pids):
            for statement in rule_file.statements:
                for fn in heads_and_bodies(statement)[0]:
                    if fn.name != predicate or arity is not None and len(fn.arguments) != arity:
                        continue
                    found = set().union(*(constants(a) for a in fn.arguments)) if fn.arguments else set()
                    if all(c in found for c in contains):
                        return location(fn)
        return None

    def inherited(self, pid: str, chain: list[str], key: tuple) -> bool:
        """Record a grounded problem of `pid`; True when a base has it too (reported there, once)."""
        self.seen.setdefault(pid, set()).add(key)
        return any(key in self.seen.get(base, ()) for base in chain[1:])


def listing(codes, limit: int = 6) -> str:
    """Category codes in the order the policies list them, the first few of them."""
    codes = sorted({written(c) for c in codes}, key=lambda c: (category_rank(c), c))
    return ", ".join(codes[:limit]) + (f" and {len(codes) - limit} more" if len(codes) > limit else "")


def written(value) -> str:
    """A category code as written in the rules: "IFS", or renewal("IFS") for a decoded term."""
    if isinstance(value, RenewalOf):
        return str(value)
    if isinstance(value, tuple) and value and isinstance(value[0], str):
        return f"{value[0]}({', '.join(map(written, value[1:]))})"
    return str(value)


def quoted(value) -> str:
    return f'"{value}"' if isinstance(value, str) else written(value)
