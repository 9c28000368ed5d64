"""Annual renewal (cli.md, "Renewal"): does a year's activity keep each endorsement held?

For every entry of the applicant's `endorsements`, the policy of its association
judges the renewal category of its code (ruling 14: MI-AIMH → mi-aimh, a LEVEL-*
code → mi-aimh-levels, MassAIMH → massaimh, VAIMH → vaimh, ORIMHA → orimha) over the
calendar year asked for (ruling 11), as of the year's last day, under the variant
of the policy in force that day (so MassAIMH's exceptions apply through 2023).

Each endorsement is judged as a case of its own, whose record lists only that
endorsement, so the rules know whose `earned` date and `provides_rsc` flag count.
An endorsement that cannot be judged (an association without a policy here, a
category the policy does not renew, earned after the year) is reported with the
reason instead (project ruling RN5, docs/rulings.md).
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field
from typing import Iterable, Iterator

from .explain import CategoryResult, interpret
from .load import Applicant
from .needs import Alternative, Item
from .policy import Program, load_program
from .provenance import rules
from .solve import Case, answer_sets

ASSOCIATION_POLICY = {"MI-AIMH": "mi-aimh", "MassAIMH": "massaimh", "VAIMH": "vaimh", "ORIMHA": "orimha"}
LEGACY_POLICY = "mi-aimh-levels"
# What an item costs, as needs.lp's default cost model: per hour of training, per
# hour of RS/C, a membership.
COST = {"training": 1, "rsc": 2, "membership": 5}
FIRST_YEAR, LAST_YEAR = 1900, 2999


class RenewError(ValueError):
    """A renewal that cannot be asked (a year out of range)."""


@dataclass
class Renewal:
    applicant: str
    name: str | None
    file: str
    year: int
    results: list[tuple[dict, CategoryResult]] = field(default_factory=list)   # (endorsement held, result)
    not_judged: list[dict] = field(default_factory=list)   # {category, association, policy, reason}
    rules: dict | None = None          # provenance.rules of the program that judged it
    input_sha256: str | None = None    # the hash of the applicant file's bytes

    def to_json(self) -> dict:
        results = []
        for held, r in self.results:
            out = asdict(r)
            out["needs"] = [a.to_json() for a in r.needs]
            out["held"] = {"association": held["association"],
                           "earned": held["earned"].isoformat() if held.get("earned") else None,
                           "provides_rsc": bool(held.get("provides_rsc"))}
            results.append(out)
        return {"applicant": self.applicant, "name": self.name, "file": self.file, "year": self.year,
                "results": results, "not_judged": self.not_judged, "rules": self.rules,
                "input_sha256": self.input_sha256}


def policy_for(held: dict) -> str | None:
    """Ruling 14: the policy that renews an endorsement held."""
    if str(held["category"]).startswith("LEVEL-"):
        return LEGACY_POLICY
    return ASSOCIATION_POLICY.get(held["association"])


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """Ruling 11: the calendar year."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise RenewError(f"year {year} is out of range ({FIRST_YEAR}-{LAST_YEAR})")
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def renew(applicants: Iterable[Applicant], year: int, program: Program | None = None) -> Iterator[Renewal]:
    """Judge, for each applicant, the renewal of every endorsement held, over the calendar year."""
    first, last = year_bounds(year)
    program = program or load_program()
    renewable = {(v, c[1]) for (v, c) in program.catalogue.categories if isinstance(c, tuple) and c[0] == "renewal"}
    for applicant in applicants:
        data = applicant.data
        out = Renewal(data["id"], data["name"], applicant.source, year, rules=rules(program),
                      input_sha256=applicant.sha256)
        cases: list[tuple[dict, Case]] = []
        for held in data["endorsements"]:
            code, assoc = held["category"], held["association"]
            policy = policy_for(held)

            def skip(reason: str) -> None:
                out.not_judged.append({"category": code, "association": assoc, "policy": policy, "reason": reason})

            if policy is None:
                skip(f"no policy here judges endorsements from {assoc} (ruling 14)")
                continue
            if policy not in program.policies:
                skip(f"policy {policy} is not loaded")
                continue
            variants = program.variants_in_force(policy, last)
            if not variants:
                skip(f"policy {policy} is not in force on {last}")
                continue
            variant = variants[0]
            if (variant.name, code) not in renewable:
                skip(f"{policy} gives no annual renewal requirements for {code}")
                continue
            if held.get("earned") and held["earned"] > last:
                skip(f"earned on {held['earned']}, after {year}")
                continue
            record = dict(data, endorsements=[held])
            cases.append((held, Case(record, last, (), (), ((variant.name, code),), (first, last))))
        for (held, case), facts in zip(cases, answer_sets(program, [c for _, c in cases])):
            evaluation = interpret(program, facts, case.data, applicant.source, last)
            for r in evaluation.results:
                r.category = r.category[1] if isinstance(r.category, tuple) else r.category
                if r.status in ("not_eligible", "incomplete"):
                    alternative = to_renew(r, held, year)
                    r.needs = [alternative] if alternative.items else []
                out.results.append((held, r))
        yield out


def to_renew(result: CategoryResult, held: dict, year: int) -> Alternative:
    """What the year still lacks, as items with edits that add it to the record: training and RS/C
    dated within the year, a membership for the year. (Recorded RS/C that runs across the year's
    start or end cannot be split; the item adds what is missing inside the year.)"""
    first, last = f"{year}-01-01", f"{year}-12-31"
    band = "early_childhood" if result.category.startswith("EC") else "infant"
    blocking = {q.id: q for q in result.requirements if q.status in ("unmet", "unknown")}
    items, cost = [], 0

    def missing(q) -> int:
        return math.ceil(max(q.measure["need"] - q.measure["have"], 0) / 100) if q.measure else 0

    rsc_topic = 0
    if (q := blocking.get("training.rsc_topic")) and (n := missing(q)):
        rsc_topic = n
        items.append(Item(q.id, f"Complete {n} hour(s) of training about providing RS/C by {last}",
                          [f"training+={{title: RS/C provision training, hours: {n}, date: {last}, "
                           f"topics: [rsc], didactic: true, focus: {band}}}"]))
        cost += n * COST["training"]
    if (q := blocking.get("training.annual")) and (n := missing(q) - rsc_topic) > 0:
        items.append(Item(q.id, f"Complete {n} more hour(s) of relationship-based training by {last}",
                          [f"training+={{title: Annual training, hours: {n}, date: {last}, "
                           f"topics: [relationship_based], focus: {band}}}"]))
        cost += n * COST["training"]
    if (q := blocking.get("rsc.annual")) and (n := missing(q)):
        items.append(Item(q.id, f"Receive {n} more hour(s) of RS/C between {first} and {last}",
                          [f"rsc+={{provider: RS/C provider, start: {first}, end: {last}, hours: {n}, "
                           f"while: [services], ages: [{band}]}}"]))
        cost += n * COST["rsc"]
    if "membership.annual" in blocking:
        assoc = held["association"]
        items.append(Item("membership.annual", f"Hold a {assoc} membership during {year}",
                          [f"memberships+={{association: {assoc}, start: {first}, end: {last}}}"]))
        cost += COST["membership"]
    return Alternative(cost, None, items)
