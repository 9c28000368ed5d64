"""Clingo terms → Python values, cached."""

from __future__ import annotations

import clingo

_DECODED: dict = {}


def decode(symbol: clingo.Symbol):
    """A symbol as a Python value: str, int, or a tuple (name, *arguments) for a
    function, a plain tuple for a tuple.

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
            elif name:
                value = (name, *map(decode, arguments))
            else:
                value = tuple(map(decode, arguments))
        if len(_DECODED) < 400_000:
            _DECODED[symbol] = value
    return value
