"""The decision log: `evaluate --record FILE.jsonl` and `endorse verify FILE.jsonl`
(cli.md, "Spreadsheets and decision records"; the line format is in docs/decision-records.md).

Each line of a record is one JSON object: a decision (an applicant's statuses and blockers per
policy and category, with the rules that judged it and the hash of its file) or an error (an
applicant file that could not be read, with the message), each with the time it was made.

A run appends through one descriptor opened with O_APPEND, writing each line with a single
`os.write` while holding an exclusive `flock` on the file: two runs recording into the same file
at once cannot interleave their lines, and nothing already there is ever rewritten. A line left
without its line end (a run killed mid-write, a full disk) is closed with one before the next is
written, so it stays a line of its own, which `verify` then names.

`verify` re-judges every decision from its file, on its recorded `as_of`, under the same
policies and categories, and lists those whose status differs in some category, with why: the
rules (the fingerprint), the engine (its version) or the input (the file's hash).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import itertools
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from types import ModuleType

from . import load
from .evaluate import evaluate
from .explain import Evaluation
from .policy import Program
from .provenance import rules
from .words import did_you_mean, label

fcntl: ModuleType | None
try:
    import fcntl
except ImportError:  # not on a POSIX system: O_APPEND alone keeps each write whole
    fcntl = None

STATUSES = ("eligible", "needs_review", "incomplete", "not_eligible")
NOT_JUDGED = "not_judged"  # a category recorded that the rules no longer judge (or newly judged)


def now() -> str:
    """The time of a decision: UTC, ISO 8601, to the millisecond."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def decision(evaluation: Evaluation, categories: Iterable[str] = ()) -> dict:
    """An applicant's line: who, which file (as given and absolute), its hash, the date, the rules,
    the categories asked for ([]: all) and per policy and category the status and blockers."""
    e = evaluation
    return {
        "applicant": e.applicant,
        "name": e.name,
        "file": e.file,
        "path": os.path.abspath(e.file),
        "input_sha256": e.input_sha256,
        "as_of": e.as_of.isoformat(),
        "rules": e.rules,
        "categories": list(categories),
        "not_in_force": e.not_in_force,
        "results": [
            {
                "policy": r.policy,
                "category": label(r.category),
                "status": r.status,
                "blockers": list(r.blockers),
            }
            for r in e.results
        ],
    }


def failure(file: str, message: str, rules: dict, as_of: dt.date | None, categories: Iterable[str] = ()) -> dict:
    """A file that could not be judged: its message, and its hash when its bytes could be read."""
    try:
        with open(file, "rb") as handle:
            content = handle.read(load.MAX_BYTES + 1)
        digest = hashlib.sha256(content).hexdigest() if len(content) <= load.MAX_BYTES else None
    except OSError:
        digest = None
    return {
        "file": file,
        "path": os.path.abspath(file),
        "input_sha256": digest,
        "error": message,
        "as_of": as_of.isoformat() if as_of else None,
        "rules": rules,
        "categories": list(categories),
    }


def with_decision(transform: Callable, categories: tuple[str, ...], evaluation: Evaluation) -> tuple:
    """(transform(evaluation), its decision line): what a batch worker returns when recording."""
    return transform(evaluation), decision(evaluation, categories)


class Log:
    """A record opened for appending (see the module's docstring). Raises OSError if it cannot
    be opened, before anything is judged."""

    def __init__(self, path: str | os.PathLike):
        self.path = os.fspath(path)
        self.fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)

    def append(self, entry: dict) -> None:
        """Write `entry` with the time, as one line."""
        line = (json.dumps({**entry, "time": now()}, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        if fcntl is not None:
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        try:
            size = os.fstat(self.fd).st_size
            if size and os.pread(self.fd, 1, size - 1) != b"\n":
                line = b"\n" + line
            view = memoryview(line)
            while view:  # one write; a short one (a full disk) is finished
                view = view[os.write(self.fd, view) :]
        finally:
            if fcntl is not None:
                fcntl.flock(self.fd, fcntl.LOCK_UN)

    def close(self) -> None:
        try:
            os.fsync(self.fd)
        finally:
            os.close(self.fd)

    def __enter__(self) -> Log:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass
class Recorder:
    """What `evaluate --record` appends: decisions, and files that could not be judged."""

    log: Log
    rules: dict
    as_of: dt.date | None
    categories: tuple[str, ...]

    def decision(self, evaluation: Evaluation) -> None:
        self.log.append(decision(evaluation, self.categories))

    def entry(self, entry: dict) -> None:
        self.log.append(entry)

    def error(self, file: str, message: str) -> None:
        self.log.append(failure(file, message, self.rules, self.as_of, self.categories))


# --------------------------------------------------------------------------- reading a record


class RecordError(Exception):
    """Malformed lines of a record: `problems` are "file:line: message" strings."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _text(value, path: str, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if value is None:
        raise ValueError(f"{path}: missing")
    if not isinstance(value, str) or not value:
        raise ValueError(f"{path}: expected text, got {json.dumps(value)}")
    return value


def _date(value, path: str, optional: bool = False) -> dt.date | None:
    if value is None and optional:
        return None
    try:
        return dt.date.fromisoformat(_text(value, path) or "")
    except ValueError:
        raise ValueError(f"{path}: expected a date YYYY-MM-DD, got {json.dumps(value)}") from None


def _list(value, path: str) -> list:
    if value is None:
        raise ValueError(f"{path}: missing")
    if not isinstance(value, list):
        raise ValueError(f"{path}: expected a list, got {json.dumps(value)}")
    return value


def _rules(value, path: str) -> dict:
    if not isinstance(value, dict):
        raise ValueError(
            f"{path}: {'missing' if value is None else 'expected'} the rules object (fingerprint, policies, engine)"
        )
    _text(value.get("fingerprint"), f"{path}.fingerprint")
    _text(value.get("engine"), f"{path}.engine")
    policies = value.get("policies")
    if (
        not isinstance(policies, dict)
        or not policies
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in policies.items())
    ):
        raise ValueError(f"{path}.policies: expected a mapping of the policy ids judged to their versions")
    return value


def check_entry(entry) -> dict:
    """The entry if it is a well-formed decision or error line; else ValueError('path: problem')."""
    if not isinstance(entry, dict):
        raise ValueError("expected a JSON object (a decision or an error)")
    _text(entry.get("file"), "file")
    _text(entry.get("path"), "path", optional=True)
    _text(entry.get("input_sha256"), "input_sha256", optional=True)
    for n, code in enumerate(_list(entry.get("categories", []), "categories")):
        _text(code, f"categories[{n}]")
    if "error" in entry:
        _text(entry["error"], "error")
        _date(entry.get("as_of"), "as_of", optional=True)
        return entry
    _text(entry.get("applicant"), "applicant")
    _date(entry.get("as_of"), "as_of")
    _rules(entry.get("rules"), "rules")
    for n, r in enumerate(_list(entry.get("results"), "results")):
        where = f"results[{n}]"
        if not isinstance(r, dict):
            raise ValueError(f"{where}: expected an object (policy, category, status, blockers)")
        _text(r.get("policy"), f"{where}.policy")
        _text(r.get("category"), f"{where}.category")
        if r.get("status") not in STATUSES:
            raise ValueError(
                f"{where}.status: {json.dumps(r.get('status'))} is not a status"
                f"{did_you_mean(r.get('status'), list(STATUSES))}"
            )
        for k, b in enumerate(_list(r.get("blockers"), f"{where}.blockers")):
            _text(b, f"{where}.blockers[{k}]")
    return entry


def read(path: str | os.PathLike) -> list[tuple[int, dict]]:
    """(line number, entry) for every line of a record that is not blank; RecordError naming
    every malformed line (file:line: message)."""
    name = os.fspath(path)
    entries, problems = [], []
    with open(name, "rb") as handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            try:
                entries.append((number, check_entry(json.loads(raw.rstrip(b"\r\n").decode("utf-8")))))
            except UnicodeDecodeError:
                problems.append(f"{name}:{number}: not UTF-8 text")
            except json.JSONDecodeError as err:
                problems.append(f"{name}:{number}: not a JSON object ({err.msg} at column {err.colno})")
            except ValueError as err:
                problems.append(f"{name}:{number}: {err}")
    if problems:
        raise RecordError(problems)
    return entries


# --------------------------------------------------------------------------- verify


@dataclass
class Change:
    """A category whose status moved (NOT_JUDGED: no longer judged, or judged only now)."""

    policy: str
    category: str
    before: str
    after: str
    blockers_before: list[str]
    blockers_after: list[str]


@dataclass
class Differs:
    """A recorded decision that would not be made today, and why."""

    line: int
    entry: dict
    changes: list[Change] = field(default_factory=list)
    rules_after: dict | None = None
    sha_after: str | None = None
    error_after: str | None = None  # the file no longer reads, or (an error line) reads now
    gone_policies: list[str] = field(default_factory=list)

    @property
    def rules_changed(self) -> bool:
        before = self.entry.get("rules") or {}
        return self.rules_after is not None and before.get("fingerprint") != self.rules_after["fingerprint"]

    @property
    def engine_changed(self) -> bool:
        before = self.entry.get("rules") or {}
        return self.rules_after is not None and before.get("engine") != self.rules_after["engine"]

    @property
    def input_changed(self) -> bool:
        return self.entry.get("input_sha256") != self.sha_after

    def to_json(self) -> dict:
        e = self.entry
        return {
            "line": self.line,
            "applicant": e.get("applicant"),
            "file": e["file"],
            "as_of": e.get("as_of"),
            "rules_changed": self.rules_changed,
            "engine_changed": self.engine_changed,
            "input_changed": self.input_changed,
            "rules": {"before": e.get("rules"), "after": self.rules_after},
            "input_sha256": {"before": e.get("input_sha256"), "after": self.sha_after},
            "error": {"before": e.get("error"), "after": self.error_after},
            "policies_gone": self.gone_policies,
            "changes": [dataclasses.asdict(c) for c in self.changes],
        }


@dataclass
class NotRejudged:
    line: int
    entry: dict
    reason: str

    def to_json(self) -> dict:
        return {
            "line": self.line,
            "applicant": self.entry.get("applicant"),
            "file": self.entry["file"],
            "reason": self.reason,
        }


@dataclass
class Verified:
    record: str
    checked: int = 0  # decisions judged again
    differ: list[Differs] = field(default_factory=list)
    not_rejudged: list[NotRejudged] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "record": self.record,
            "checked": self.checked,
            "differ": [d.to_json() for d in self.differ],
            "not_rejudged": [n.to_json() for n in self.not_rejudged],
        }


def where(entry: dict) -> str | None:
    """The applicant file of an entry as it is today: its absolute path, else the name as given."""
    for name in (entry.get("path"), entry["file"]):
        if name and os.path.isfile(name):
            return name
    return None


def verify(
    record: str | os.PathLike, program_for: Callable[[tuple[str, ...]], Program], available: set[str]
) -> Verified:
    """Judge every decision of `record` again (RecordError if a line is malformed).
    `program_for(policies)`: today's rules for those policies; `available`: the policies today's
    rules have. Decisions are judged in groups of consecutive lines with the same policies and
    categories asked for, one batch each."""
    entries = read(record)
    result = Verified(os.fspath(record))
    outcomes: list = []
    for (policies, categories), group in itertools.groupby(entries, key=_selection):
        outcomes.extend(_judge(list(group), policies, categories, program_for, available, result))
    for outcome in sorted(outcomes, key=lambda o: o.line):
        (result.differ if isinstance(outcome, Differs) else result.not_rejudged).append(outcome)
    return result


def _selection(numbered: tuple[int, dict]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    entry = numbered[1]
    return tuple(sorted((entry.get("rules") or {}).get("policies") or ())), tuple(entry.get("categories", []))


def _judge(group, policies, categories, program_for, available, result: Verified) -> list:
    """The outcomes of one group: Differs and NotRejudged (nothing for a decision that stands)."""
    judged = tuple(p for p in policies if p in available)
    gone = [p for p in policies if p not in available]
    # Every policy there is: ask as for no --policy (the compiled program a plain run caches).
    program = program_for(() if set(judged) == available else judged) if judged else None
    now_rules = rules(program) if program else None
    pending: list[tuple[int, dict]] = []
    outcomes: list = []

    def applicants() -> Iterator[load.Applicant]:
        for line, entry in group:
            name = where(entry)
            if name is None:
                outcomes.append(NotRejudged(line, entry, f"{entry['file']} is no longer there"))
                continue
            result.checked += 1
            try:
                applicant = load.load_file(name)
            except load.InputError as err:
                if "error" not in entry:  # a decision whose file no longer reads
                    outcomes.append(
                        Differs(line, entry, sha_after=_sha(name), error_after=str(err), rules_after=now_rules)
                    )
                continue
            if "error" in entry:  # recorded as unreadable, reads now
                outcomes.append(Differs(line, entry, sha_after=applicant.sha256, rules_after=now_rules))
                continue
            if program is None:  # none of its policies is left
                outcomes.append(_compare(line, entry, None, applicant.sha256, gone))
                continue
            day = dt.date.fromisoformat(entry["as_of"])
            pending.append((line, entry))
            yield dataclasses.replace(applicant, data={**applicant.data, "as_of": day})

    if program is None:
        list(applicants())
    else:
        for evaluation in evaluate(applicants(), program=program, categories=categories):
            line, entry = pending.pop(0)
            outcome = _compare(line, entry, evaluation, evaluation.input_sha256, gone)
            if outcome is not None:
                outcomes.append(outcome)
    return outcomes


def _sha(name: str) -> str | None:
    try:
        with open(name, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return None


def _compare(line: int, entry: dict, evaluation: Evaluation | None, sha: str | None, gone: list[str]) -> Differs | None:
    """Differs when some category's status moved (or a policy of the decision is gone)."""
    before = {(r["policy"], r["category"]): r for r in entry["results"]}
    after: dict = (
        {}
        if evaluation is None
        else {
            (r.policy, label(r.category)): {"status": r.status, "blockers": list(r.blockers)}
            for r in evaluation.results
        }
    )
    changes = []
    for key in list(before) + [k for k in after if k not in before]:
        old, new = before.get(key), after.get(key)
        old_status, new_status = (old or {}).get("status", NOT_JUDGED), (new or {}).get("status", NOT_JUDGED)
        if old_status != new_status:
            changes.append(
                Change(
                    key[0],
                    key[1],
                    old_status,
                    new_status,
                    list((old or {}).get("blockers", [])),
                    list((new or {}).get("blockers", [])),
                )
            )
    if not changes:
        return None
    return Differs(
        line, entry, changes, rules_after=evaluation.rules if evaluation else None, sha_after=sha, gone_policies=gone
    )


# --------------------------------------------------------------------------- text


def short(digest: str | None) -> str:
    return "none" if not digest else digest[:12]


def reasons(d: Differs) -> str:
    """Why a decision differs, in words: the rules, the engine, the input, or none of them."""
    before = d.entry.get("rules") or {}
    said = []
    if d.gone_policies:
        said.append(f"policy {', '.join(d.gone_policies)} is no longer in the rules")
    after = d.rules_after or {}
    if d.rules_changed:
        versions = after["policies"]
        moved = [
            f"{p} {v} → {versions[p]}"
            for p, v in sorted((before.get("policies") or {}).items())
            if p in versions and versions[p] != v
        ]
        said.append(
            f"the rules changed (fingerprint {short(before.get('fingerprint'))} → "
            f"{short(after['fingerprint'])}{'; ' + ', '.join(moved) if moved else ''})"
        )
    if d.engine_changed:
        said.append(f"the engine changed ({before.get('engine')} → {after['engine']})")
    if d.input_changed:
        said.append(f"the input changed (sha256 {short(d.entry.get('input_sha256'))} → {short(d.sha_after)})")
    return "; ".join(said) or "neither the rules, the engine nor the input changed"


def to_text(v: Verified) -> str:
    lines = []
    for d in v.differ:
        e = d.entry
        who = e.get("applicant") or e["file"]
        when = f", as of {e['as_of']}" if e.get("as_of") else ""
        lines.append(f"{v.record}:{d.line}: {who} ({e['file']}{when}): {reasons(d)}")
        if "error" in e:
            lines.append(f"  recorded as unreadable ({e['error'].splitlines()[0]}); the file reads now")
        elif d.error_after:
            lines.append(f"  the file no longer reads: {d.error_after.splitlines()[0]}")
        for c in d.changes:
            blockers = f" (blockers: {', '.join(c.blockers_after)})" if c.blockers_after else ""
            lines.append(f"  {c.policy} {c.category}: {c.before} → {c.after}{blockers}")
    for n in v.not_rejudged:
        lines.append(f"{v.record}:{n.line}: not re-judged: {n.reason}")
    count = len(v.differ)
    summary = (
        f"{v.checked} decision(s) judged again: {count} would differ"
        if count
        else f"{v.checked} decision(s) judged again: none differs"
    )
    if v.not_rejudged:
        summary += f"; {len(v.not_rejudged)} not re-judged"
    lines.append(summary)
    return "\n".join(lines)
