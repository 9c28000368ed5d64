"""Evaluations → text for people (80 columns) or JSON for programs.

`to_text` puts the same category of different policies side by side: one row
per category code, one column per policy, then what blocks each. Policies that
share no category code (the legacy levels) get a table of their own. With a
single policy it is one line per category.

`compare_text` / `compare_json` answer "would this record be enough there?":
per category that several policies judge, only the requirements whose status
differs between them, each side with its summary and source. A requirement
that a policy does not have counts as met there (nothing stands in the way).

`renewal_text` is the text of `endorse renew`.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import textwrap
from collections.abc import Iterable

import click

from . import order
from .explain import CategoryResult, Evaluation
from .words import COLOURS

WIDTH = 80
STATUS_RANK = {"met": 0, "review": 1, "unknown": 2, "unmet": 3}
ABSENT = "-"  # a policy without the category (table) or the requirement (compare)


# How JSON is laid out: None is compact (one line, through the json module's C encoder: a
# fifth of the time of indenting); a number indents by that many spaces. The `endorse`
# command sets it: --indent N, else 2 when standard output is a terminal.
JSON_INDENT: int | None = None


def dumps(value, indent: int | None | str = "default") -> str:
    """JSON as every command prints it: compact, or indented by `indent` (default JSON_INDENT)."""
    indent = JSON_INDENT if indent == "default" else indent
    if indent is None:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return json.dumps(value, indent=indent, ensure_ascii=False, default=str)


def to_json(evaluations: list[Evaluation], single: bool) -> str:
    payload = [e.to_json() for e in evaluations]
    return dumps(payload[0] if single else payload)


def width() -> int:
    """The terminal's width (COLUMNS honoured), 80 when unknown or not a terminal."""
    return shutil.get_terminal_size((WIDTH, 24)).columns if sys.stdout.isatty() or "COLUMNS" in os.environ else WIDTH


def _fit(text: str, room: int) -> str:
    """The text wrapped to `room` columns, continuation lines indented under it: nothing is cut."""
    if len(text) <= room:
        return text
    indent = " " * (len(text) - len(text.lstrip()) + 2)
    return "\n".join(textwrap.wrap(text, max(room, 20), subsequent_indent=indent, break_on_hyphens=False))


def _painter(colour: bool):
    def paint(text: str, status: str) -> str:
        return click.style(text, fg=COLOURS.get(status)) if colour else text

    return paint


# Columns: the base policy first, then the policies derived from it, then the others (order.py).
def _policy_rank(policy: str) -> tuple:
    return order.policy_rank(policy)


def _rank(code) -> int:
    return order.category_rank(code)


def _words(status: str) -> str:
    return status.replace("_", " ")


def _header(evaluation: Evaluation, what: str = "") -> list[str]:
    who = evaluation.applicant + (f" ({evaluation.name})" if evaluation.name else "")
    lines = [_fit(f"{who} - as of {evaluation.as_of}{what} - {evaluation.file}", width())]
    if evaluation.not_in_force:
        lines.append(
            _fit(f"not in force on {evaluation.as_of}, so not judged: {', '.join(evaluation.not_in_force)}", width())
        )
    return lines


def _wrap(text: str, first: str, rest: str) -> list[str]:
    return textwrap.wrap(
        text, width(), initial_indent=first, subsequent_indent=rest, break_on_hyphens=False, break_long_words=True
    ) or [first.rstrip()]


def _status_lines(paint, status: str, text: str, indent: str) -> list[str]:
    """`indent` + the status in a 9-wide column + text wrapped under itself; only the status painted."""
    lead = indent + f"{status:<9}"
    body = _wrap(text, lead, " " * len(lead))
    body[0] = indent + paint(f"{status:<9}", status) + body[0][len(lead) :]
    return body


def policy_groups(results: list[CategoryResult]) -> list[list[str]]:
    """Policies in order of appearance, grouped so that policies sharing a category code share a table."""
    codes: dict[str, set] = {}
    for r in results:
        codes.setdefault(r.policy, set()).add(r.category)
    groups: list[list[str]] = []
    for policy in codes:
        joined = [g for g in groups if any(codes[p] & codes[policy] for p in g)]
        merged = [p for g in joined for p in g] + [policy]
        groups = [g for g in groups if g not in joined] + [merged]
    return sorted((sorted(g, key=_policy_rank) for g in groups), key=lambda g: _policy_rank(g[0]))


def to_text(evaluation: Evaluation, colour: bool = False, verbose: bool = False) -> str:
    """Side by side: a row per category code, a column per policy; then what blocks each."""
    paint = _painter(colour)
    lines = _header(evaluation)
    policies = list(dict.fromkeys(r.policy for r in evaluation.results))
    if len(policies) == 1:
        lines += _one_policy(evaluation, paint, verbose)
    elif policies:
        lines += _tables(evaluation, paint)
        lines += _blockers(evaluation)
        if verbose:
            lines += _details(evaluation, paint)
    return "\n".join(lines)


def why_not(r: CategoryResult) -> str:
    """What stands between the category and the applicant, unmet told apart from unknown:
    "blocks: rsc.hours; not stated: agreement"; "review: ..." when only review remains."""
    said = [
        f"{label}: {', '.join(ids)}"
        for label, status in (("blocks", "unmet"), ("not stated", "unknown"))
        if (ids := [q.id for q in r.requirements if q.status == status])
    ]
    if not said and (ids := [q.id for q in r.requirements if q.status == "review"]):
        said.append(f"review: {', '.join(ids)}")
    return "; ".join(said)


def _one_policy(evaluation: Evaluation, paint, verbose: bool) -> list[str]:
    """One policy: a line per category with what blocks it (and, verbose, its requirements)."""
    lines = [f"  {evaluation.results[0].policy}"]
    for r in evaluation.results:
        head = f"    {r.category:<9} {_words(r.status):<13}"
        why = why_not(r)
        lines.append(paint(head, r.status) + _fit(why, width() - len(head)).replace("\n", "\n" + " " * len(head)))
        if verbose:
            lines += _requirement_lines(r, paint)
    return lines


def _requirement_lines(r: CategoryResult, paint) -> list[str]:
    """Where the category is written (each document by its title, and its section), then each
    requirement with its detail and the entries it did not count, then the advice."""
    places = {
        f"{q.source['title']}, {q.source['section'].split(': ')[0]}" for q in r.requirements if q.source.get("section")
    }
    lines = _wrap(f"per {'; '.join(sorted(places))}", "      ", "        ") if places else []
    for q in r.requirements:
        text = f"      {q.status:<8} {q.id}" + (f": {q.detail}" if q.detail else "")
        lines.append(paint(_fit(text, width()), q.status))
        for n in q.not_counted:
            lines += _wrap(f"not counted: {n.entry}: {n.reason}", "           ", "             ")
        for c in q.confirm:
            lines += _wrap(f"to review: {c.entry}: {c.text}", "           ", "             ")
    for a in r.advisories:
        lines.append(_fit(f"      advice   {a.text}" + (f": {a.detail}" if a.detail else ""), width()))
    return lines


def _tables(evaluation: Evaluation, paint) -> list[str]:
    cells = {(r.policy, r.category): r.status for r in evaluation.results}
    lines: list[str] = []
    for group in policy_groups(evaluation.results):
        codes = sorted({c for (p, c) in cells if p in group}, key=_rank)
        first = max(len(c) for c in codes) + 2
        width = max(13, *(len(p) + 1 for p in group))
        if first + width * len(group) > WIDTH:  # many policies: narrow columns, abbreviated statuses
            width = max(6, (WIDTH - first) // len(group))
        lines.append("")
        lines.append(" " * first + "".join(_fit(p, width - 1).ljust(width) for p in group).rstrip())
        for code in codes:
            row = code.ljust(first)
            for p in group:
                status = cells.get((p, code))
                text = _fit(_words(status), width - 1) if status else ABSENT
                row += paint(text, status or "") + " " * (width - len(text))
            lines.append(row.rstrip())
    return lines


def _blockers(evaluation: Evaluation) -> list[str]:
    """Per category, what stands in the way under each policy; policies with the same list share a line."""
    by_code: dict[str, dict[str, list[str]]] = {}
    for r in evaluation.results:
        if r.status == "eligible":
            continue
        by_code.setdefault(r.category, {}).setdefault(why_not(r), []).append(r.policy)
    for code, groups in by_code.items():
        for policies in groups.values():
            policies.sort(key=_policy_rank)
        by_code[code] = dict(sorted(groups.items(), key=lambda kv: _policy_rank(kv[1][0])))
    if not by_code:
        return []
    lines = ["", "What stands in the way (blocks: not met; not stated: unknown):"]
    first = max(len(c) for c in by_code) + 2
    for code in sorted(by_code, key=_rank):
        lead = code.ljust(first)
        for why, policies in by_code[code].items():
            lines += _wrap(f"{', '.join(policies)}: {why}", lead, " " * (first + 2))
            lead = " " * first
    return lines


def _details(evaluation: Evaluation, paint) -> list[str]:
    lines: list[str] = []
    policy = None
    for r in evaluation.results:
        if r.policy != policy:
            policy = r.policy
            lines += ["", f"  {policy}"]
        lines.append(paint(f"    {r.category:<9} {_words(r.status)}", r.status))
        lines += _requirement_lines(r, paint)
    return lines


def texts(evaluations: Iterable[Evaluation], colour: bool, verbose: bool) -> Iterable[str]:
    for e in evaluations:
        yield to_text(e, colour, verbose)


# --------------------------------------------------------------------------- compare


def differences(evaluation: Evaluation) -> dict:
    """Per category judged by two or more policies: each policy's verdict, and the requirements
    whose status differs between them (a requirement a policy lacks counts as met there)."""
    by_code: dict[str, dict[str, CategoryResult]] = {}
    for r in evaluation.results:
        by_code.setdefault(r.category, {})[r.policy] = r
    shared: list = []
    only: dict[str, list[str]] = {}
    for code in sorted(by_code, key=_rank):
        results = dict(sorted(by_code[code].items(), key=lambda kv: _policy_rank(kv[0])))
        if len(results) < 2:
            (policy,) = results
            only.setdefault(policy, []).append(code)
            continue
        ids = sorted({q.id for r in results.values() for q in r.requirements})
        rows = []
        for rid in ids:
            sides = {p: next((q for q in r.requirements if q.id == rid), None) for p, r in results.items()}
            if len({q.status if q else "met" for q in sides.values()}) > 1:
                rows.append({"id": rid, "sides": {p: _side(q) for p, q in sides.items()}})
        verdicts = {p: r.status for p, r in results.items()}
        if rows or len(set(verdicts.values())) > 1:
            shared.append({"category": code, "verdicts": verdicts, "requirements": rows})
    return {
        "policies": sorted({r.policy for r in evaluation.results}, key=_policy_rank),
        "categories": shared,
        "only_in": only,
    }


def _side(q) -> dict | None:
    if q is None:
        return None
    return {"status": q.status, "summary": q.summary, "detail": q.detail, "source": q.source}


def compare_json(evaluation: Evaluation) -> dict:
    return {
        "applicant": evaluation.applicant,
        "name": evaluation.name,
        "file": evaluation.file,
        "as_of": evaluation.as_of.isoformat(),
        "not_in_force": evaluation.not_in_force,
        **differences(evaluation),
        "rules": evaluation.rules,
        "input_sha256": evaluation.input_sha256,
    }


def compare_text(evaluation: Evaluation, colour: bool = False) -> str:
    paint = _painter(colour)
    diff = differences(evaluation)
    lines = _header(evaluation)
    lines.append(
        _fit(f"Where {', '.join(diff['policies'])} differ (a requirement a policy lacks counts as met):", width())
    )
    if not diff["categories"]:
        lines.append("  no differences in the categories they share")
    for cat in diff["categories"]:
        lines.append("")
        verdicts = " | ".join(f"{p} {_words(s)}" for p, s in cat["verdicts"].items())
        lines += _wrap(verdicts, f"{cat['category']}: ", "    ")
        if not cat["requirements"]:
            lines.append("  (the same requirements stand in the way; see the verdicts)")
        for row in cat["requirements"]:
            lines.append(f"  {row['id']}")
            name_width = max(len(p) for p in row["sides"]) + 2
            for policy, side in row["sides"].items():
                lead = f"    {policy.ljust(name_width)}"
                if side is None:
                    lines.append(f"{lead}{ABSENT:<9}not a requirement of {policy}")
                    continue
                more = " " * (len(lead) + 9)
                text = side["summary"] + (f" ({side['detail']})" if side["detail"] else "")
                lines += _status_lines(paint, side["status"], text, lead)
                src = side["source"]
                lines += _wrap(f"{src['title']}, {src['section']}", more, more)
    for policy, codes in diff["only_in"].items():
        lines += _wrap(f"only {policy} has: {' '.join(codes)}", "", "  ")
    return "\n".join(lines)


# --------------------------------------------------------------------------- renewal


def renewal_text(renewal, colour: bool = False) -> str:
    """`endorse renew`: per endorsement held, the renewal verdict and every requirement."""
    paint = _painter(colour)
    who = renewal.applicant + (f" ({renewal.name})" if renewal.name else "")
    lines = [_fit(f"{who} - renewal for {renewal.year} - {renewal.file}", width())]
    if not renewal.results and not renewal.not_judged:
        lines.append("  no endorsements held (the file lists none under `endorsements`)")
    for held, r in renewal.results:
        since = f", earned {held['earned']}" if held.get("earned") else ""
        lines.append(_fit(f"  {r.category} ({held['association']}{since}) under {r.policy}", width()))
        lines.append(
            paint(f"    {_words(r.status)}", r.status)
            + _fit(f": {', '.join(r.blockers)}" if r.blockers else "", width() - 4 - len(_words(r.status)))
        )
        for q in r.requirements:
            lines += _status_lines(paint, q.status, f"{q.id}" + (f": {q.detail}" if q.detail else ""), "      ")
        for a in r.advisories:
            lines += _wrap(f"{a.text}" + (f": {a.detail}" if a.detail else ""), "      advice   ", " " * 15)
        for alt in r.needs:
            for item in alt.items:
                lines += _wrap(f"to renew: {item.text}", "      ", " " * 8)
    for skipped in renewal.not_judged:
        lines += _wrap(
            f"{skipped['category']} ({skipped['association']}): not judged: {skipped['reason']}", "  ", "    "
        )
    return "\n".join(lines)
