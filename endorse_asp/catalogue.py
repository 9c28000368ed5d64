"""`endorse policy show`: a policy's requirement catalogue, rendered from its rules and metadata.

Everything shown is read from the ground rules (`Program.catalogue`: categories,
requirements, sources, thresholds) and from `policy.yaml`; what a derived policy
or a dated exception changes is found by comparing catalogues, plus the
`drop`/`replace` declarations by which a policy restates what it inherits.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import clingo

from . import words
from .order import category_rank
from .parameters import spoken
from .policy import Policy, PolicyError, Program, Variant, load_program, policies_root, policy_dirs, read_policy
from .report import render
from .terms import CategoryKey, RenewalOf, code_of, decode

NOT_ENCODED = re.compile(r"^%\s*not encoded:\s*(.*)$")


@dataclass
class Requirement:
    id: str
    summary: str
    document: str
    section: str
    heading: str
    title: str = ""  # what the document is called (policy.yaml), for people; `document` is its file

    @property
    def citation(self) -> tuple[str, str, str]:
        return self.document, self.section, self.heading


@dataclass
class Category:
    code: CategoryKey
    label: str
    title: str
    band: str
    requirements: list[Requirement]
    thresholds: dict[str, int]
    set_at: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (file:line, since)
    uses: dict[str, list[str]] = field(default_factory=dict)  # requirement id -> threshold names

    @property
    def renewal(self) -> bool:
        return isinstance(self.code, RenewalOf)

    @property
    def name(self) -> str:
        """The code a heading shows: a renewal category's heading is under "Annual renewal"."""
        return code_of(self.code)

    @property
    def written_in(self) -> tuple[str, str] | None:
        """The (document, section) all the category's requirements cite, if they share one."""
        places = {(r.document, r.section) for r in self.requirements}
        return places.pop() if len(places) == 1 else None


@dataclass
class Change:
    """One line of a comparison: "changes threshold" `rsc_hours` "50 hours, was 24 hours"."""

    what: str
    key: str | None
    text: str


@dataclass
class Changes:
    """What one catalogue changes from another, per category label."""

    added: list[Category] = field(default_factory=list)
    removed: list[Category] = field(default_factory=list)
    categories: dict[str, list[Change]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.categories)


@dataclass
class Note:
    """A `% not encoded:` comment: something the rules leave to people on purpose."""

    file: str
    line: int
    text: str


def amount(name: str, value) -> str:
    """A threshold's value with its unit (parameters.spoken), days also as whole years: 730 days (2 years)."""
    if not isinstance(value, int) or not name.endswith(("_hours", "_days")):
        return str(value)
    said = spoken(name, value)
    return f"{value} days ({said})" if name.endswith("_days") and "year" in said else said


def _rank(code: CategoryKey) -> tuple:
    return (isinstance(code, RenewalOf), category_rank(code), code_of(code))


def categories(program: Program, variant: str, chain: list[Policy]) -> dict[str, Category]:
    """The catalogue of one variant, by category label, in the usual order of categories."""
    cat = program.catalogue
    found = {}
    for code in sorted((c for v, c in cat.categories if v == variant), key=_rank):
        reqs = []
        for rid, summary in sorted(cat.requirements.get((variant, code), {}).items()):
            doc, section, heading = cat.sources.get((variant, code, rid), ("", "", ""))
            owner = _owner(chain, doc)
            reqs.append(
                Requirement(
                    rid,
                    summary,
                    owner.document(doc) if owner else doc,
                    section,
                    heading,
                    owner.source_title(doc) if owner else doc,
                )
            )
        meta = cat.categories[(variant, code)]
        found[words.label(code)] = Category(
            code,
            words.label(code),
            meta["title"],
            str(meta["band"]),
            reqs,
            dict(sorted(cat.thresholds.get((variant, code), {}).items())),
            cat.set_at.get((variant, code), {}),
            {r.id: cat.uses.get((variant, code, r.id), []) for r in reqs},
        )
    return found


def _owner(chain: list[Policy], key: str) -> Policy | None:
    """The policy that lists the document `key` stands for: the policy itself, else its nearest base."""
    return next((policy for policy in chain if key in policy.sources), None)


def compare(old: dict[str, Category], new: dict[str, Category], restated: dict[str, set]) -> Changes:
    """What `new` changes from `old`: categories added or removed; per category, where it is
    written, requirements added, removed or changed, thresholds changed, and requirements or
    thresholds restated with the same words (`restated`: per label, the keys `replace`d)."""
    changes = Changes(
        added=[c for k, c in new.items() if k not in old], removed=[c for k, c in old.items() if k not in new]
    )
    for label in (k for k in new if k in old):
        was, now = old[label], new[label]
        lines: list[Change] = []
        moved = was.written_in != now.written_in and was.written_in and now.written_in
        if moved and now.written_in and was.written_in:
            lines.append(Change("is written in", None, "{}, {} (was {}, {})".format(*now.written_in, *was.written_in)))
        before = {r.id: r for r in was.requirements}
        after = {r.id: r for r in now.requirements}
        lines += [Change("adds requirement", rid, r.summary) for rid, r in after.items() if rid not in before]
        lines += [Change("removes requirement", rid, r.summary) for rid, r in before.items() if rid not in after]
        for rid in (r for r in after if r in before):
            a, b = before[rid], after[rid]
            if a.summary != b.summary:
                lines.append(
                    Change("changes requirement", rid, f"now \u201c{b.summary}\u201d, was \u201c{a.summary}\u201d")
                )
            elif (a.heading != b.heading) if moved else (a.citation != b.citation):
                lines.append(Change("cites requirement", rid, "{}, {}: {}".format(*b.citation)))
            elif rid in restated.get(label, ()):
                lines.append(Change("restates requirement", rid, "same summary, its own rules"))
        for name in sorted(set(was.thresholds) | set(now.thresholds)):
            value_was, value_now = was.thresholds.get(name), now.thresholds.get(name)
            if value_was == value_now and name in restated.get(label, ()):
                lines.append(Change("restates threshold", name, f"same value, {amount(name, value_now)}"))
            elif value_was is None:
                lines.append(Change("adds threshold", name, amount(name, value_now)))
            elif value_now is None:
                lines.append(Change("removes threshold", name, f"was {amount(name, value_was)}"))
            elif value_was != value_now:
                lines.append(
                    Change("changes threshold", name, f"{amount(name, value_now)}, was {amount(name, value_was)}")
                )
        if lines:
            changes.categories[label] = lines
    return changes


def restatements(program: Program) -> dict[str, dict[str, set]]:
    """Per variant and category label, the keys (requirement ids, threshold names) restated
    instead of inherited: the `replace(p, Category, Key)` declarations. Grounds the program
    once and reads the catalogue from the same grounding."""
    ctl = clingo.Control(["--warn=none"])
    program.load_into(ctl)
    ctl.ground(program.parts())
    program.read_catalogue(ctl)
    found: dict[str, dict[str, set]] = {}
    for atom in ctl.symbolic_atoms.by_signature("replace", 3):
        variant, code, key = map(decode, atom.symbol.arguments)
        found.setdefault(variant, {}).setdefault(words.label(code), set()).add(key)
    return found


def main_variant(program: Program, policy_id: str) -> Variant:
    """The variant without dated exceptions, else the first one."""
    return program.variants.get(policy_id) or next(v for v in program.variants.values() if v.policy == policy_id)


def notes(policy: Policy) -> list[Note]:
    """The `% not encoded:` comments of a policy's own rule files and exceptions,
    with their continuation lines."""
    found = []
    files = sorted(policy.directory.glob("*.lp")) + [e.file for e in policy.exceptions]
    for path in dict.fromkeys(files):
        lines = path.read_text(encoding="utf-8").splitlines()
        for n, line in enumerate(lines):
            match = NOT_ENCODED.match(line.strip())
            if not match:
                continue
            text = [match.group(1)]
            for more in lines[n + 1 :]:
                more = more.strip()
                if not more.startswith("%") or NOT_ENCODED.match(more) or not more.lstrip("% "):
                    break
                text.append(more.lstrip("% "))
            found.append(Note(str(path.relative_to(policy.directory)), n + 1, " ".join(text)))
    return found


def as_json(program: Program, policy_id: str, shown: dict[str, Category]) -> dict:
    """The catalogue as data: each requirement with the thresholds it rests on, each threshold with
    its value, unit, the date it took effect and where it is set (`set_in`, relative to the
    policies folder) and, when set by a base, which (`inherited_from`)."""
    by_folder = {p.directory.name: p for p in program.policies.values()}

    def threshold(category: Category, name: str) -> dict:
        where, since = category.set_at.get(name, ("", ""))
        owner = by_folder.get(where.split("/")[0])
        return {
            "name": name,
            "value": category.thresholds[name],
            "unit": owner.parameters.get(name, {}).get("unit", "") if owner else "",
            "since": since or None,
            "set_in": where or None,
            "inherited_from": owner.id if owner and owner.id != policy_id else None,
        }

    return {
        "policy": policy_id,
        "categories": [
            {
                "code": c.label,
                "title": c.title,
                "requirements": [
                    {
                        "id": r.id,
                        "summary": r.summary,
                        "source": {"document": r.document, "section": r.section, "heading": r.heading},
                        "thresholds": [threshold(c, name) for name in c.uses.get(r.id, []) if name in c.thresholds],
                    }
                    for r in c.requirements
                ],
            }
            for c in shown.values()
        ],
    }


def show(policy_id: str, fmt: str, root: Path | None = None) -> str:
    """The catalogue page of a policy (`fmt`: md, html or json). Raises PolicyError for an unknown id."""
    root = root or policies_root()
    known = {p.id: p for p in (read_policy(d, i) for i, d in enumerate(policy_dirs(root)))}
    if policy_id not in known:
        raise PolicyError(f"unknown policy '{policy_id}'; known: {', '.join(sorted(known))}")
    extends = known[policy_id].extends
    program = load_program(root, tuple(sorted({policy_id, extends} if extends else {policy_id})))
    chain = [known[policy_id]]
    while chain[-1].extends:
        chain.append(known[chain[-1].extends])
    policy = program.policies[policy_id]
    restated = restatements(program)
    main = main_variant(program, policy_id)
    shown = categories(program, main.name, chain)
    if fmt == "json":
        return json.dumps(as_json(program, policy_id, shown), indent=2, ensure_ascii=False) + "\n"
    base = None
    if policy.extends:
        base = compare(
            categories(program, main_variant(program, policy.extends).name, chain[1:]),
            shown,
            restated.get(main.name, {}),
        )
    dated = []
    for variant in (v for v in program.variants.values() if v.policy == policy_id and v is not main):
        own = {
            label: keys - restated.get(main.name, {}).get(label, set())
            for label, keys in restated.get(variant.name, {}).items()
        }
        dated.append((variant, compare(shown, categories(program, variant.name, chain), own)))
    return render(
        "policy",
        fmt,
        policy=policy,
        main=main,
        categories=shown,
        base=base,
        dated=dated,
        notes=notes(policy),
        amount=amount,
    )
