"""Words for people: how amounts, dates, levels and lists read in every output."""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Any

from .terms import CategoryKey, RenewalOf

# An age band after a requirement ("24 hours for infants"), and as the people served.
BANDS = {"infant": "for infants", "early_childhood": "for early childhood"}
AGES = {"infant": "infants (birth to 36 months)", "early_childhood": "young children (3 to 6 years)"}
DEGREES = {"associate": "associate", "bachelor": "bachelor's", "master": "master's", "doctorate": "doctorate"}
WINDOWS = {"one_to_two_years": "within a 1-to-2-year window", "two_years": "within a 2-year window"}
TITLES = {"med": "MEd", "phd": "PhD", "psyd": "PsyD", "edd": "EdD", "msw": "MSW", "aa": "AA"}
STATES = {"VA": "Virginia", "MI": "Michigan", "MA": "Massachusetts", "OR": "Oregon"}
# What the applicant was doing while receiving RS/C.
WHILE = {
    "services": "providing services",
    "rsc_provision": "providing RS/C to others",
    "supervision": "supervising staff",
}
ROLES = {
    "current_program_supervisor": "your current program supervisor",
    "rsc_provider": "your RS/C provider",
    "rsc_recipient": "someone who receives RS/C from you",
    "student": "a student you taught or supervised",
    "department_chair": "your department chair",
    "supervisee": "someone you supervise",
}
SERVICES = {"rsc_provision": "providing RS/C", "imh_treatment": "infant mental health treatment"}
TOPICS = {
    "relationship_based": "relationship-based practice",
    "rsc": "providing RS/C",
    "dei": "diversity, equity and inclusion",
}
# A symbol and a word for every status, so that none is told apart by colour alone; and
# its colour on a terminal.
STATUS = {
    "eligible": ("✔", "eligible"),
    "needs_review": ("⚑", "needs review"),
    "incomplete": ("?", "incomplete"),
    "not_eligible": ("✘", "not eligible"),
    "met": ("✔", "met"),
    "review": ("⚑", "review"),
    "unknown": ("?", "unknown"),
    "unmet": ("✘", "unmet"),
}
COLOURS = {
    "eligible": "green",
    "needs_review": "cyan",
    "incomplete": "yellow",
    "not_eligible": "red",
    "met": "green",
    "review": "cyan",
    "unknown": "yellow",
    "unmet": "red",
}


def label(key: CategoryKey) -> str:
    """A category key as people read it: "IFS", "IFS renewal"."""
    return f"{key.code} renewal" if isinstance(key, RenewalOf) else key


def hours(centi: int) -> str:
    """Hundredths of an hour as hours: 2450 -> '24.5'."""
    return f"{centi / 100:g}"


def days(n: int) -> str:
    return f"{n:,} days"


def date(day: int) -> str:
    """A day number of the rules as an ISO date."""
    return dt.date.fromordinal(day).isoformat()


def article(word: str) -> str:
    """'an associate', 'a bachelor's'."""
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def listing(items, last: str = "or") -> str:
    """'A', 'A or B', 'A, B or C'."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items) or "none"
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def did_you_mean(word: Any, options, *, cutoff: float = 0.6, ignore_case: bool = True, aside: bool = False) -> str:
    """The option closest to `word` (difflib's ratio at least `cutoff`; with `ignore_case`
    compared in lower case, shown as the option is spelt), as words to end a message with:
    "; did you mean 'X'?", or with `aside` " (did you mean 'X'?)". '' when none is close or the
    word is not text; the word itself is never suggested."""
    if not isinstance(word, str):
        return ""
    spelt = {(o.lower() if ignore_case else o): o for o in options if o != word}
    close = difflib.get_close_matches(word.lower() if ignore_case else word, list(spelt), n=1, cutoff=cutoff)
    if not close:
        return ""
    return f" (did you mean '{spelt[close[0]]}'?)" if aside else f"; did you mean '{spelt[close[0]]}'?"
