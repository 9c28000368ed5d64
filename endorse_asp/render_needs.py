"""Text for `need` and `what-if`: what would still be needed, and what an edit changes."""

from __future__ import annotations

import textwrap

from .explain import Evaluation
from .needs import Alternative
from .render import _fit

WIDTH = 80


def alternatives(alts: list[Alternative], indent: str, show_edits: bool) -> list[str]:
    lines = []
    for n, alt in enumerate(alts, 1):
        when = f", reached on {alt.as_of}" if alt.as_of else ""
        if not alt.items:
            lines.append(f"{indent}{n}. nothing to add: time alone{when} (cost {alt.cost})")
            continue
        lines.append(f"{indent}{n}. cost {alt.cost}{when}:")
        for item in alt.items:
            lines.append(f"{indent}   - {item.text} [{item.id}]")
            if show_edits:
                lines.extend(f"{indent}       --edit '{e}'" for e in item.edits)
    return lines


def need_text(
    evaluation: Evaluation, plans: list[Alternative] | None = None, goals=(), show_edits: bool = False
) -> str:
    """Per category not reached: its blockers and the ways to reach it, cheapest first."""
    who = evaluation.applicant + (f" ({evaluation.name})" if evaluation.name else "")
    lines = [_fit(f"{who} - as of {evaluation.as_of}", WIDTH)]
    if plans is not None:
        lines.append(f"  plans reaching {', '.join(f'{p}/{c}' for p, c in goals)} together:")
        lines.extend(alternatives(plans, "    ", show_edits) or ["    none found"])
        return "\n".join(lines)
    for r in evaluation.results:
        if r.status in ("eligible", "needs_review"):
            continue
        lines.append(_fit(f"  {r.policy} {r.category} ({r.status.replace('_', ' ')}): {', '.join(r.blockers)}", WIDTH))
        lines.extend(alternatives(r.needs, "    ", show_edits) or ["    no way found with the items the engine knows"])
    reached = [f"{r.policy}/{r.category}" for r in evaluation.results if r.status in ("eligible", "needs_review")]
    if reached:
        lines.append(_fit("  already reached: " + ", ".join(reached), WIDTH))
    return "\n".join(lines)


def _progress(c) -> str:
    """'mi-aimh IFS: still not eligible; cleared work.experience; left rsc.hours'."""
    head = f"{c.policy} {c.category}: "
    if c.before == c.after:
        head += f"still {c.after.replace('_', ' ')}"
    else:
        head += f"{c.before.replace('_', ' ')} -> {c.after.replace('_', ' ')}"
    parts = [head]
    if c.cleared:
        parts.append("cleared " + ", ".join(c.cleared))
    if c.left:
        parts.append("left " + ", ".join(c.left))
    return "; ".join(parts)


def whatif_text(before: Evaluation, after: Evaluation, changes, show_all: bool = False) -> str:
    """The categories whose status changed, before → after; the rest on request."""
    lines = [_fit(f"{after.applicant} - as of {after.as_of}", WIDTH)]
    if changes:
        lines.append("  changed:")
        for c in changes:
            lines.extend(
                textwrap.wrap(
                    _progress(c), WIDTH, initial_indent="    ", subsequent_indent="      ", break_on_hyphens=False
                )
            )
            for q in c.requirements:
                detail = (
                    f" ({q.detail_before or '-'} -> {q.detail_after or '-'})"
                    if q.detail_before != q.detail_after
                    else ""
                )
                lines.extend(
                    textwrap.wrap(
                        f"{q.id}: {q.before} -> {q.after}{detail}",
                        WIDTH,
                        initial_indent="      ",
                        subsequent_indent="        ",
                        break_on_hyphens=False,
                    )
                )
    else:
        lines.append("  no category changed")
    if show_all:
        changed = {(c.policy, c.category) for c in changes}
        lines.append("  unchanged:")
        lines.extend(
            f"    {r.policy:<14} {r.category:<9} {r.status.replace('_', ' ')}"
            for r in after.results
            if (r.policy, r.category) not in changed
        )
    else:
        lines.append("  (--all shows the unchanged categories too)")
    return "\n".join(lines)
