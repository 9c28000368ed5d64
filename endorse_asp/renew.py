"""Annual renewal (docs/commands.md, "JSON of `renew`"): does a year's activity keep each endorsement held?

For every entry of the applicant's `endorsements`, the policy that renews it judges
the renewal category of its code (ruling 14, stated by each policy.yaml's `renews`:
a policy naming the code, such as mi-aimh-levels for LEVEL-*, else the policy naming
its association) over the calendar year asked for (ruling 11), as of the year's last
day, under the variant of the policy in force that day (so MassAIMH's exceptions
apply through 2023). What the year still lacks is priced by the policy's cost model
(needs.lp's default_cost and the policy's own cost/3, docs/cost-model.md).

Each endorsement is judged as a case of its own, whose record lists only that
endorsement, so the rules know whose `earned` date and `provides_rsc` flag count.
An endorsement that cannot be judged (an association without a policy here, a
category the policy does not renew, earned after the year) is reported with the
reason instead (project ruling RN5, docs/rulings.md).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field

import clingo

from .explain import CategoryResult, interpret
from .load import Applicant
from .needs import Alternative, Item
from .policy import Program, load_program
from .provenance import rules
from .solve import Case, answer_sets
from .terms import RenewalOf, code_of, decode

FIRST_YEAR, LAST_YEAR = 1900, 2999


class RenewError(ValueError):
    """A renewal that cannot be asked (a year out of range)."""


@dataclass
class Renewal:
    applicant: str
    name: str | None
    file: str
    year: int
    results: list[tuple[dict, CategoryResult]] = field(default_factory=list)  # (endorsement held, result)
    not_judged: list[dict] = field(default_factory=list)  # {category, association, policy, reason}
    rules: dict | None = None  # provenance.rules of the program that judged it
    input_sha256: str | None = None  # the hash of the applicant file's bytes

    def to_json(self) -> dict:
        results = []
        for held, r in self.results:
            out = asdict(r)
            out["needs"] = [a.to_json() for a in r.needs]
            out["held"] = {
                "association": held["association"],
                "earned": held["earned"].isoformat() if held.get("earned") else None,
                "provides_rsc": bool(held.get("provides_rsc")),
            }
            results.append(out)
        return {
            "applicant": self.applicant,
            "name": self.name,
            "file": self.file,
            "year": self.year,
            "results": results,
            "not_judged": self.not_judged,
            "rules": self.rules,
            "input_sha256": self.input_sha256,
        }


def policy_for(held: dict, program: Program | None = None) -> str | None:
    """Ruling 14: the policy that renews an endorsement held, as the policies' `renews` say:
    one that names its category, else one that names its association (compared as facts.py
    compares association names: case, dots and spacing ignored)."""

    def same(a: object, b: object) -> bool:
        return _plain(str(a)) == _plain(str(b))

    policies = list((program or load_program()).policies.values())
    for p in policies:
        if held["category"] in (p.renews.get("categories") or ()):
            return p.id
    return next(
        (p.id for p in policies if "association" in p.renews and same(p.renews["association"], held["association"])),
        None,
    )


def _plain(name: str) -> str:
    return re.sub(r"[\s.]+", "", name).casefold()


def prices(program: Program, variant: str) -> dict[str, int]:
    """What the cost model charges under `variant` for each kind of item (unit_cost/3 of
    needs.lp: the policy's cost/3, else default_cost/2), ground from the rules alone."""
    ctl = clingo.Control(["--warn=none"], logger=lambda code, message: None)
    program.load_into(ctl)
    with ctl.backend() as backend:
        backend.add_rule(
            [
                backend.add_atom(
                    clingo.Function(
                        "variant_of", [clingo.String(variant), clingo.String(program.variants[variant].policy)]
                    )
                )
            ]
        )
    ctl.ground(program.parts({variant}) + [("needs", [])])
    return {
        kind: value
        for v, kind, value in (decode(a.symbol)[1:] for a in ctl.symbolic_atoms.by_signature("unit_cost", 3))
        if v == variant and isinstance(kind, str)
    }


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """Ruling 11: the calendar year."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise RenewError(f"year {year} is out of range ({FIRST_YEAR}-{LAST_YEAR})")
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def renew(applicants: Iterable[Applicant], year: int, program: Program | None = None) -> Iterator[Renewal]:
    """Judge, for each applicant, the renewal of every endorsement held, over the calendar year."""
    first, last = year_bounds(year)
    program = program or load_program()
    renewable = {(v, c.code) for (v, c) in program.catalogue.categories if isinstance(c, RenewalOf)}
    priced: dict[str, dict[str, int]] = {}
    for applicant in applicants:
        data = applicant.data
        out = Renewal(
            data["id"], data["name"], applicant.source, year, rules=rules(program), input_sha256=applicant.sha256
        )
        cases: list[tuple[dict, Case]] = []
        for held in data["endorsements"]:
            code, assoc = held["category"], held["association"]
            policy = policy_for(held, program)
            reason = _not_judged(program, policy, held, year, renewable)
            if reason:
                out.not_judged.append({"category": code, "association": assoc, "policy": policy, "reason": reason})
                continue
            assert policy is not None
            variant = program.variants_in_force(policy, last)[0]
            record = dict(data, endorsements=[held])
            cases.append((held, Case(record, last, (), (), ((variant.name, code),), (first, last))))
        for (held, case), facts in zip(cases, answer_sets(program, [c for _, c in cases])):
            evaluation = interpret(program, facts, case.data, applicant.source, last)
            ((judged_as, _),) = case.renewals
            for r in evaluation.results:
                r.category = code_of(r.category)
                if r.status in ("not_eligible", "incomplete"):
                    if judged_as not in priced:
                        priced[judged_as] = prices(program, judged_as)
                    alternative = to_renew(r, held, year, priced[judged_as])
                    r.needs = [alternative] if alternative.items else []
                out.results.append((held, r))
        yield out


def _not_judged(program: Program, policy: str | None, held: dict, year: int, renewable: set) -> str | None:
    """Why an endorsement held cannot be judged for `year` (project ruling RN5), if it cannot."""
    code, last = held["category"], dt.date(year, 12, 31)
    if policy is None:
        return f"no policy here judges endorsements from {held['association']} (ruling 14)"
    if policy not in program.policies:
        return f"policy {policy} is not loaded"
    variants = program.variants_in_force(policy, last)
    if not variants:
        return f"policy {policy} is not in force on {last}"
    if (variants[0].name, code) not in renewable:
        return f"{policy} gives no annual renewal requirements for {code}"
    if held.get("earned") and held["earned"] > last:
        return f"earned on {held['earned']}, after {year}"
    return None


def to_renew(result: CategoryResult, held: dict, year: int, unit: dict[str, int]) -> Alternative:
    """What the year still lacks, as items with edits that add it to the record: training and RS/C
    dated within the year, a membership for the year. (Recorded RS/C that runs across the year's
    start or end cannot be split; the item adds what is missing inside the year.) `unit`: the
    cost model's price of each kind of item (prices)."""
    first, last = f"{year}-01-01", f"{year}-12-31"
    band = "early_childhood" if result.category.startswith("EC") else "infant"
    blocking = {q.id: q for q in result.requirements if q.status in ("unmet", "unknown")}
    items, cost = [], 0

    def missing(q) -> int:
        return math.ceil(max(q.measure["need"] - q.measure["have"], 0) / 100) if q.measure else 0

    rsc_topic = 0
    if (q := blocking.get("training.rsc_topic")) and (n := missing(q)):
        rsc_topic = n
        items.append(
            Item(
                q.id,
                f"Complete {n} hour(s) of training about providing RS/C by {last}",
                [
                    f"training+={{title: RS/C provision training, hours: {n}, date: {last}, "
                    f"topics: [rsc], didactic: true, focus: {band}}}"
                ],
            )
        )
        cost += n * unit["training_hour"]
    if (q := blocking.get("training.annual")) and (n := missing(q) - rsc_topic) > 0:
        items.append(
            Item(
                q.id,
                f"Complete {n} more hour(s) of relationship-based training by {last}",
                [
                    f"training+={{title: Annual training, hours: {n}, date: {last}, "
                    f"topics: [relationship_based], focus: {band}}}"
                ],
            )
        )
        cost += n * unit["training_hour"]
    if (q := blocking.get("rsc.annual")) and (n := missing(q)):
        items.append(
            Item(
                q.id,
                f"Receive {n} more hour(s) of RS/C between {first} and {last}",
                [
                    f"rsc+={{provider: RS/C provider, start: {first}, end: {last}, hours: {n}, "
                    f"while: [services], ages: [{band}]}}"
                ],
            )
        )
        cost += n * unit["rsc_hour"]
    if "membership.annual" in blocking:
        assoc = held["association"]
        items.append(
            Item(
                "membership.annual",
                f"Hold a {assoc} membership during {year}",
                [f"memberships+={{association: {assoc}, start: {first}, end: {last}}}"],
            )
        )
        cost += unit["membership"]
    return Alternative(cost, None, items)
