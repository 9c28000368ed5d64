"""The order outputs list policies and categories in, as the policies folder in use says.

Policies: each policy that extends none, by id, followed by the policies extending it (by
id, each followed by its own). Categories: the `categories` lists of the policies'
policy.yaml, taken in that policy order; a category not yet placed goes just before the
next category of the same list that is (else at the end), so a derived policy that adds
one (Virginia's IFRS) places it among those it shares. Codes no list names come last, by code.
"""

from __future__ import annotations

import functools
import os

from . import policy as policymod
from .policy import Policy, PolicyError, policies_root, policy_dirs, read_policy
from .terms import code_of


def _current() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(policy ids, category codes) in order, for the policies folder in use."""
    return _orders(policymod._chosen, os.environ.get(policymod.ENV))


@functools.lru_cache(maxsize=8)
def _orders(chosen, named) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Keyed by what decides the folder in use (see policies_root)."""
    try:
        root = policies_root()
        policies = {p.id: p for p in (read_policy(d, i) for i, d in enumerate(policy_dirs(root)))}
    except (PolicyError, OSError):
        return (), ()
    return policy_order(policies), category_order(policies)


def policy_order(policies: dict[str, Policy]) -> tuple[str, ...]:
    out: list[str] = []

    def visit(pid: str) -> None:
        if pid not in out:
            out.append(pid)
            for child in sorted(p.id for p in policies.values() if p.extends == pid):
                visit(child)

    for pid in sorted(p.id for p in policies.values() if not p.extends or p.extends not in policies):
        visit(pid)
    return tuple(out)


def category_order(policies: dict[str, Policy]) -> tuple[str, ...]:
    placed: list[str] = []
    for pid in policy_order(policies):
        listed = policies[pid].categories
        for n, code in enumerate(listed):
            if code in placed:
                continue
            after = next((c for c in listed[n + 1 :] if c in placed), None)
            placed.insert(placed.index(after) if after else len(placed), code)
    return tuple(placed)


def policy_rank(policy: str) -> tuple:
    order = _current()[0]
    return (order.index(policy), "") if policy in order else (len(order), policy)


def category_rank(code) -> int:
    """The rank of a category code (a renewal category ranks by the code it renews)."""
    order = _current()[1]
    code = code_of(code)
    return order.index(code) if code in order else len(order)
