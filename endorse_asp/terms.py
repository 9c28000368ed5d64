"""Clingo terms → Python values, cached; and the one type of a category key."""

from __future__ import annotations

from dataclasses import dataclass

import clingo

_DECODED: dict = {}


@dataclass(frozen=True)
class RenewalOf:
    """The annual renewal of a category, written renewal("IFS") in the rules."""

    code: str

    def __str__(self) -> str:
        return f'renewal("{self.code}")'


# A category key: its code ("IFS"), or the renewal of one (RenewalOf("IFS")).
CategoryKey = str | RenewalOf


def code_of(key: CategoryKey) -> str:
    """The code a category key judges or renews."""
    return key.code if isinstance(key, RenewalOf) else key


def decode(symbol: clingo.Symbol):
    """A symbol as a Python value: str, int, RenewalOf for renewal(C), or a tuple
    (name, *arguments) for any other function, a plain tuple for a tuple.

    Cached: hashing a symbol is cheap while reading it through the API is not,
    and clingo interns symbols for the whole process, so the same facts (a
    requirement's status, a rater's seat) recur across the applicants of a batch."""
    value = _DECODED.get(symbol)
    if value is None:
        kind = symbol.type
        if kind == clingo.SymbolType.String:
            value = symbol.string
        elif kind == clingo.SymbolType.Number:
            value = symbol.number
        elif kind != clingo.SymbolType.Function:
            value = str(symbol)  # #inf or #sup
        else:
            name, arguments = symbol.name, symbol.arguments
            if not arguments:
                value = name
            elif name == "renewal" and len(arguments) == 1:
                value = RenewalOf(decode(arguments[0]))
            elif name:
                value = (name, *map(decode, arguments))
            else:
                value = tuple(map(decode, arguments))
        if len(_DECODED) < 400_000:
            _DECODED[symbol] = value
    return value
