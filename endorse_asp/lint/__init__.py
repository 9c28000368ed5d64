"""`endorse policy check`: lint the rule files and the policy metadata.

Every problem is one line, `file:line:col: severity: message`, the form editors
and CI annotate. Errors make the check fail (exit 1); warnings do not.

What is checked, file by file first and then policy by policy:

- each rule file parses (clingo's own syntax messages, with their place);
- each rule file of a policy puts its rules under `#program policy(p).`;
- every predicate read in a rule body is defined somewhere: by a rule head,
  by the applicant facts the Python side gives clingo (read from the code of
  `endorse_asp`, see `predicates.python_signatures`), or documented in a `%*! ... *%`
  block as something supplied from outside;
- a predicate a policy defines is read by some rule (else it is likely a
  misspelt declaration);
- policy.yaml: id, title and version present, dates that are dates,
  `extends` naming a known policy, exception files that exist;

and then, for each policy grounded on its own (its bases included, no
applicant), with clingo's warnings and errors kept:

- every requirement has a summary and a citation (`source/6`: a `section` for
  its category and a `heading` for its id);
- every threshold a declaration names is defined, every threshold defined is
  named by some declaration (which declarations name thresholds is read from
  the engine's rules: those joined with `threshold(P, C, T, N)` on T);
- a derived policy drops or replaces only what its base has;
- every source document key the rules cite (`section(p, C, Doc, _)`) is
  listed under `sources` in policy.yaml;
- every category has at least one committee test case.

Each kind of check has its module: metadata (policy.yaml), files (each rule file
on its own), structure and vocabulary (what a policy's rules may contain and say),
predicates (across files), grounded (a policy grounded), with thresholds,
overrides and cases; context holds what they share, statements reads statements.
"""

from __future__ import annotations

import os
from pathlib import Path

from .. import parameters as params_mod
from ..policy import policies_root
from . import (
    cases,
    files,
    grounded,
    metadata,
    predicates,
    structure,
    thresholds,
    vocabulary,
)
from .context import ERROR, Context, Problem, inside


def check(path: str | os.PathLike | None = None) -> list[Problem]:
    """Every problem found under `path` (a policies folder, a policy folder or one of its
    files; default the shipped policies), sorted by file and line."""
    root, scope = _locate(Path(path) if path is not None else policies_root())
    ctx = Context(root)
    _run(ctx)
    found = {p for p in ctx.problems if inside(p.file, scope)}
    return sorted(found, key=lambda p: (p.file, p.line, p.col, p.severity, p.message))


def failed(problems: list[Problem]) -> bool:
    return any(p.severity == ERROR for p in problems)


def summary(problems: list[Problem]) -> str:
    errors = sum(p.severity == ERROR for p in problems)
    warnings = len(problems) - errors
    if not problems:
        return "policy check: no problems found"
    return f"policy check: {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


class LintUsageError(Exception):
    """PATH is not a policies folder, a policy folder or a file inside one."""


def _locate(path: Path) -> tuple[Path, Path]:
    """The policies root above `path` (the folder holding common/) and what to report on."""
    path = path.resolve()
    if not path.exists():
        raise LintUsageError(f"{path}: no such file or folder")
    for candidate in (path, *path.parents):
        if (candidate / "common").is_dir():
            return candidate, path
    raise LintUsageError(
        f"{path}: not inside a policies folder (a folder holding common/ and one folder "
        "per policy with its policy.yaml)"
    )


def _run(ctx: Context) -> None:
    """The checks, in order: metadata, then file by file, then across files, then policy by policy."""
    metadata.read(ctx)
    for path in sorted((ctx.root / "common").glob("*.lp")):
        ctx.files.append(files.parse(ctx, path, None))
    for pid, directory in sorted(ctx.policy_dirs.items()):
        for path in sorted(directory.glob("*.lp")):
            ctx.files.append(files.parse(ctx, path, pid))
        for path in metadata.exception_files(ctx, pid):
            ctx.files.append(files.parse(ctx, path, pid))
        if (directory / params_mod.FILE).is_file():
            ctx.files.append(thresholds.read_parameters(ctx, directory / params_mod.FILE, pid))
    for rule_file in ctx.files:
        if rule_file.policy is not None and rule_file.ok and rule_file.path.suffix == ".lp":
            files.check_program_part(ctx, rule_file)
            thresholds.check_threshold_text(ctx, rule_file)
    for file, line, col, message in structure.check(ctx.files):  # choice, disjunction, #include...
        ctx.add(file, line, col, ERROR, message)
    for file, line, col, message in vocabulary.check(ctx.files):  # words no applicant can say
        ctx.add(file, line, col, ERROR, message)
    predicates.check(ctx)
    expected = cases.collect(ctx)
    for pid in sorted(ctx.policy_dirs, key=lambda p: (len(ctx.chain(p)), p)):  # bases first
        grounded.check(ctx, pid, expected)
