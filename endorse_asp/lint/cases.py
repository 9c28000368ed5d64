"""`policy check` of the committee test cases (policies/<id>/tests/): each fits the test-case
schema, names categories and requirements its policy has, and every category of a policy has at
least one case that expects something of it."""

from __future__ import annotations

from .. import policy_file, policytest
from .context import ERROR, WARNING, Context, Where, closest, display, listing


def collect(ctx: Context) -> set[tuple[str, str]]:
    """(policy, category) pairs some committee test case expects something of; every case
    that does not fit the test-case schema is an error at its own line (policytest.check_case)."""
    expected: set = set()
    for pid, directory in sorted(ctx.policy_dirs.items()):
        tests = directory / "tests"
        if not tests.is_dir() or pid in ctx.broken:
            continue
        for case in policytest.collect([tests]):
            ctx.cases.append(case)
            for p in case.problems:
                ctx.add(p.file, p.line, 1, ERROR, (f"{p.path}: " if p.path else "") + p.message)
            for target in case.expect:
                policy, _, code = str(target).rpartition("/")
                expected.add((policy or case.policy, code))
    return expected


def check(ctx: Context, pid, chain, atoms, own, expected) -> None:
    codes = sorted({c for v, c, *_ in atoms.get("category", 4) if v in own and isinstance(c, str)})
    untested: dict[tuple, list] = {}
    for code in codes:
        if (pid, code) in expected:
            continue
        where: Where = ctx.find([pid], "category", arity=4, contains=(code,)) or (
            ctx.meta[pid]["path"],
            policy_file.line(ctx.meta[pid]["node"], "extends"),
            1,
        )
        untested.setdefault(where, []).append(code)
    ids: dict[str, set] = {}
    for v, c, r, _ in atoms.get("requirement", 4):
        if v in own:
            ids.setdefault(c, set()).add(r)
    for case in ctx.cases:
        for target, expected in case.expect.items() if not case.problems else ():
            policy, _, code = str(target).rpartition("/")
            if (policy or case.policy) != pid:
                continue
            line = case.lines.get(f".expect.{target}") or case.line
            if code not in codes:
                ctx.add(
                    case.file,
                    line,
                    1,
                    ERROR,
                    f"expect.{target}: policy '{pid}' has no category '{code}'{closest(code, codes)}",
                )
                continue
            named = {*(expected.get("blockers") or []), *(expected.get("requirements") or {})}
            for rid in sorted(named - ids.get(code, set())):
                ctx.add(
                    case.file,
                    line,
                    1,
                    ERROR,
                    f"expect.{target}: {code} has no requirement '{rid}'{closest(rid, sorted(ids.get(code, set())))}",
                )
    for where, missing in sorted(untested.items(), key=lambda kv: tuple(map(str, kv[0]))):
        several = len(missing) > 1
        ctx.add(
            *where,
            WARNING,
            f"{'categories' if several else 'category'} {listing(missing)} "
            f"{'have' if several else 'has'} no committee test case: add one to "
            f"{display(ctx.policy_dirs[pid] / 'tests')}/ that expects something of "
            f"{'each' if several else 'it'} (see docs/committee-guide.md)",
        )
