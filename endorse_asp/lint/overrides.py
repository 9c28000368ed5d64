"""`policy check` of what a derived policy overrides, grounded with its base: it drops only
categories its base has, and replaces only what its base declares (or a category of its own)."""

from __future__ import annotations

from pathlib import Path

from .. import parameters as params_mod
from .context import ERROR, Context, Where, closest, quoted, written
from .statements import constants, heads_and_bodies


def check(ctx: Context, pid, chain, atoms, own) -> None:
    if len(chain) < 2:
        return
    base = chain[1]
    # The term the base is ground under, for each variant: inherits(v, b) of the bridge rules
    # (the base's own name, or a stand-in base(v)).
    terms = {v: b for v, b in atoms.get("inherits", 2) if v in own} or {v: ("base", v) for v in own}
    base_categories = {(v, c) for v, b in terms.items() for b2, c, *_ in atoms.get("category", 4) if b2 == b}
    base_keys = atoms.base_keys(terms)
    categories = {(v, c) for v, c, *_ in atoms.get("category", 4) if v in own}
    for v, c in atoms.get("drop", 2):
        # A rule over a variable (drop(p, renewal(C)) :- ...) may name categories nobody has;
        # only a category written out is a mistake when the base lacks it.
        if v in own and (v, c) not in base_categories and _literal(ctx, [pid], "drop", 1, c):
            where: Where = ctx.find([pid], "drop", contains=(c,)) or (ctx.meta[pid]["path"], 1, 1)
            ctx.add(
                *where,
                ERROR,
                f"drops category {quoted(c)}, which the base policy '{base}' does not have"
                f"{closest(written(c), sorted(written(x[1]) for x in base_categories))}",
            )
    for v, c, key in atoms.get("replace", 3):
        if v not in own:
            continue
        if (v, c) not in base_categories:
            if (v, c) not in categories and _literal(ctx, [pid], "replace", 1, c):
                where = ctx.find([pid], "replace", contains=(c,)) or (ctx.meta[pid]["path"], 1, 1)
                ctx.add(
                    *where,
                    ERROR,
                    f"replaces {quoted(key)} in category {quoted(c)}, which neither this "
                    f"policy nor its base '{base}' has",
                )
            continue  # a category of the derived policy's own: nothing to replace, nothing lost
        if (v, c, key) not in base_keys:
            where = (
                ctx.find([pid], "replace", contains=tuple(x for x in (c, key) if isinstance(x, str)))
                or ctx.find([pid], "replace", contains=(key,) if isinstance(key, str) else ())
                or (ctx.meta[pid]["path"], 1, 1)
            )
            if Path(where[0]).name == params_mod.FILE:  # a value the base lacks adds a threshold
                continue
            keys = sorted({str(k) for (vv, cc, k) in base_keys if vv == v and cc == c})
            ctx.add(
                *where,
                ERROR,
                f"replaces {quoted(key)} in category {quoted(c)}, but the base policy '{base}' "
                f"declares nothing of that name there{closest(str(key), keys)}",
            )


def _literal(ctx: Context, pids, predicate: str, index: int, value) -> bool:
    """Whether some rule of these policies writes `value` out as argument `index` of a `predicate` head."""
    if not isinstance(value, str):
        return False
    for rule_file in ctx.rule_files_of(pids):
        for statement in rule_file.statements:
            for fn in heads_and_bodies(statement)[0]:
                if fn.name == predicate and len(fn.arguments) > index and value in constants(fn.arguments[index]):
                    return True
    return False
