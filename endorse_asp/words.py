"""Words for people: how amounts, dates, levels and lists read in every output."""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Any

BANDS = {"infant": "for infants", "early_childhood": "for early childhood"}
DEGREES = {"associate": "associate", "bachelor": "bachelor's", "master": "master's", "doctorate": "doctorate"}


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
