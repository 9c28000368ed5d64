"""Words for people: how amounts, dates, levels and lists read in every output."""

from __future__ import annotations

import datetime as dt

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


def listing(items, last: str = "or") -> str:
    """'A', 'A or B', 'A, B or C'."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items) or "none"
    return f"{', '.join(items[:-1])} {last} {items[-1]}"
