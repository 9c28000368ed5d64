"""Text for `need` and `what-if`: what would still be needed, and what an edit changes."""

from __future__ import annotations

import textwrap

from .explain import Evaluation
from .needs import Alternative
from .render import _fit
from .words import DEGREES, article, hours, listing

WIDTH = 80
# What an alternative asks, in words: hours for training and RS/C, else one or several.
EFFORT = {
    "credential": ("a credential", "{} credentials"),
    "job": ("a new job", "{} new jobs"),
    "training": "{} hours of training",
    "rsc": "{} hours of RS/C",
    "transcript": ("a transcript", "{} transcripts"),
    "rater": ("a reference rating", "{} reference ratings"),
    "sign": ("a signature", "{} signatures"),
    "exam": ("an examination", "{} examinations"),
    "leadership": ("a leadership activity", "{} leadership activities"),
    "residence": ("a move", "{} moves"),
    "membership": ("a membership", "{} memberships"),
    "confirmation": ("a confirmation", "{} confirmations"),
}


def effort(alt: Alternative) -> str:
    """'30 hours of training, a bachelor's degree and 3 reference ratings'."""
    words = []
    order = ["degree", *EFFORT]  # the greatest efforts first, as EFFORT lists them
    for kind, amount in sorted(alt.effort.items(), key=lambda ka: order.index(ka[0].partition(":")[0])):
        if kind.startswith("degree:"):
            level = DEGREES[kind.partition(":")[2]]
            words.append(f"{article(level)} degree" if amount == 1 else f"{amount} {level} degrees")
            continue
        said = EFFORT[kind]
        if isinstance(said, str):
            words.append(said.format(hours(amount)))
        else:
            words.append(said[0] if amount == 1 else said[1].format(amount))
    return listing(words, "and")


def span(start, end) -> str:
    """The time from `start` to `end` in months or years, as a person says it."""
    months = round((end - start).days / 30.44)
    if months >= 12 and months % 12 == 0:
        return f"{months // 12} year{'s' if months > 12 else ''}"
    if months >= 1:
        return f"{months} month{'s' if months > 1 else ''}"
    return f"{(end - start).days} days"


def alternatives(alts: list[Alternative], indent: str, show_edits: bool, day0) -> list[str]:
    lines = []
    for n, alt in enumerate(alts, 1):
        when = f", reached on {alt.as_of} (in {span(day0, alt.as_of)})" if alt.as_of else ""
        if not alt.items:
            lines.append(f"{indent}{n}. nothing to add: time alone{when}; cost {alt.cost}")
            continue
        lines.extend(
            textwrap.wrap(
                f"{n}. {effort(alt)}{when}; cost {alt.cost}:",
                WIDTH,
                initial_indent=indent,
                subsequent_indent=indent + "   ",
                break_on_hyphens=False,
            )
        )
        for item in alt.items:
            lines.append(f"{indent}   - {item.text} [{item.id}]")
            if show_edits:
                lines.extend(f"{indent}       --edit '{e}'" for e in item.edits)
    return lines


def need_text(
    evaluation: Evaluation,
    plans: list[Alternative] | None = None,
    goals=(),
    show_edits: bool = False,
    unreachable: str | None = None,
) -> str:
    """Per category not reached: its blockers and the ways to reach it, cheapest first, or
    why none does."""
    who = evaluation.applicant + (f" ({evaluation.name})" if evaluation.name else "")
    lines = [_fit(f"{who} - as of {evaluation.as_of}", WIDTH)]
    if plans is not None:
        lines.append(f"  plans reaching {', '.join(f'{p}/{c}' for p, c in goals)} together:")
        lines.extend(
            alternatives(plans, "    ", show_edits, evaluation.as_of) or _wrapped(f"unreachable: {unreachable}", "    ")
        )
        return "\n".join(lines)
    for r in evaluation.results:
        if r.status in ("eligible", "needs_review"):
            continue
        lines.append(_fit(f"  {r.policy} {r.category} ({r.status.replace('_', ' ')}): {', '.join(r.blockers)}", WIDTH))
        lines.extend(
            alternatives(r.needs, "    ", show_edits, evaluation.as_of)
            or _wrapped(f"unreachable: {r.unreachable}", "    ")
        )
    reached = [f"{r.policy}/{r.category}" for r in evaluation.results if r.status in ("eligible", "needs_review")]
    if reached:
        lines.append(_fit("  already reached: " + ", ".join(reached), WIDTH))
    return "\n".join(lines)


def _wrapped(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ", break_on_hyphens=False)


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
