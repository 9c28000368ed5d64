"""Answer-set atoms → typed results: per category a verdict, per requirement
its status, the numbers behind it, the record entries it used and its source."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from . import reasons
from .order import category_rank
from .policy import Program
from .words import BANDS, DEGREES, WINDOWS, hours

STATUS_ORDER = {"unmet": 0, "unknown": 1, "review": 2, "met": 3}
SCOPE_ORDER = ("didactic_rsc", "window", "after", "band")
KIND_ORDER = ("degrees", "credentials", "training", "work", "rsc", "references", "exam", "memberships", "leadership")


@dataclass
class Evidence:
    entry: str  # e.g. "training[2]"
    text: str  # what that entry says, briefly


@dataclass
class NotCounted:
    entry: str  # e.g. "rsc[0]"
    reason: str  # the first condition it fails, in words and numbers


@dataclass
class Requirement:
    id: str
    status: str
    summary: str
    detail: str
    source: dict
    evidence: list[Evidence] = field(default_factory=list)
    measure: dict | None = None  # {"have", "need", "unit"}: hours in hundredths, days, families
    not_counted: list[NotCounted] = field(default_factory=list)
    confirm: list[Evidence] = field(default_factory=list)  # review: what the reviewer is asked to confirm

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "status": self.status,
            "summary": self.summary,
            "detail": self.detail,
            "source": dict(self.source),
            "evidence": [{"entry": e.entry, "text": e.text} for e in self.evidence],
            "measure": dict(self.measure) if self.measure is not None else None,
            "not_counted": [{"entry": n.entry, "reason": n.reason} for n in self.not_counted],
            "confirm": [{"entry": c.entry, "text": c.text} for c in self.confirm],
        }


@dataclass
class Advisory:
    id: str
    text: str
    detail: str


@dataclass
class CategoryResult:
    policy: str
    category: str
    title: str
    status: str
    blockers: list[str]
    requirements: list[Requirement]
    needs: list = field(default_factory=list)
    advisories: list[Advisory] = field(default_factory=list)
    unreachable: str | None = None  # `need`: why no alternative reaches it (cli.md)

    def to_json(self) -> dict:
        """The fields as the JSON contract has them, built directly (dataclasses.asdict deep-copies
        every level and was most of a batch's JSON time)."""
        out = {
            "policy": self.policy,
            "category": str(self.category),
            "title": self.title,
            "status": self.status,
            "blockers": list(self.blockers),
            "requirements": [q.to_json() for q in self.requirements],
            "needs": [a.to_json() for a in self.needs],
            "advisories": [{"id": a.id, "text": a.text, "detail": a.detail} for a in self.advisories],
        }
        if self.unreachable:
            out["unreachable"] = self.unreachable
        return out


@dataclass
class Evaluation:
    applicant: str
    name: str | None
    file: str
    as_of: dt.date
    results: list[CategoryResult]
    not_in_force: list[str] = field(default_factory=list)  # policies not valid on as_of (ruling 8)
    rules: dict | None = None  # what judged it: provenance.rules (fingerprint, versions, engine)
    input_sha256: str | None = None  # the hash of the applicant file's bytes

    def to_json(self) -> dict:
        out: dict = {
            "applicant": self.applicant,
            "name": self.name,
            "file": self.file,
            "as_of": self.as_of.isoformat(),
            "not_in_force": self.not_in_force,
            "results": [],
        }
        out["results"] = [r.to_json() for r in self.results]
        out["rules"] = self.rules
        out["input_sha256"] = self.input_sha256
        return out


def describe(kind: str, item) -> str:
    """One line about an entry of the applicant's record."""
    match kind:
        case "training":
            return f"{item['title'] or 'training'}: {item['hours']:g} h on {item['date']}"
        case "work":
            end = item["end"] or "ongoing"
            return f"{item['title'] or 'work'}: {item['start']} to {end}"
        case "rsc":
            return f"{item['provider']} ({item['provider_endorsement'] or 'not endorsed'}): {item['hours']:g} h, {item['start']} to {item['end']}"
        case "references":
            roles = ", ".join(item["roles"]) or "no role"
            return f"{item['rater']} ({roles}{'; ' + item['rater_endorsement'] if item['rater_endorsement'] else ''})"
        case "degrees":
            return f"{item['title'] or DEGREES[item['level']]} ({item['level']}), conferred {item['conferred']}"
        case "credentials":
            return f"{item['type']}" + (f", earned {item['earned']}" if item["earned"] else "")
        case "memberships":
            return f"{item['association']}" + (f" until {item['end']}" if item["end"] else ", current")
        case "leadership":
            return f"{item['activity']} ({item['level']})"
        case "signature":
            return "signed" if item else "not signed"
        case "exam":
            outcome = "passed" if item["passed"] else "not passed"
            return f"{item['program'] or 'written'} examination, {outcome}" + (
                f" on {item['date']}" if item["date"] else ""
            )
    return kind


def detail(status: str, measure: tuple | None, scopes: list) -> str:
    """The numbers behind a verdict, in words."""
    if measure is None:
        return {"unknown": "not stated in the file", "met": "", "review": "subject to a reviewer's judgement"}.get(
            status, ""
        )
    have, need, unit = measure
    if unit == "hours":
        text = f"{hours(have)} of {hours(need)} hours"
    else:
        text = f"{have} of {need} {unit}"
    for scope in sorted(scopes, key=lambda s: SCOPE_ORDER.index(s if isinstance(s, str) else s[0])):
        if scope[0] == "band":
            text += " " + BANDS[scope[1]]
        elif scope[0] == "window":
            text += " " + WINDOWS[scope[1]]
        elif scope[0] == "after":
            text += f" after the {DEGREES[scope[1]]} degree"
        elif scope == "didactic_rsc":
            text += " of didactic training on providing RS/C"
    if status == "review":
        text += ", counting what a reviewer must confirm (ruling 7)"
    return text


def not_counted(found: list | None, data: dict, accepted: dict) -> list[NotCounted]:
    """The entries a requirement looked at and did not use, each with its reason, in list order
    (`accepted`: the category's lists of endorsements, services and flags, per test)."""
    if not found:
        return []
    return [
        NotCounted(
            reasons.entry_name(kind, i), reasons.reason(kind, why, reasons.entry_of(data, kind, i), data, accepted)
        )
        for kind, i, why in sorted(found, key=lambda f: (KIND_ORDER.index(f[0]), f[1]))
    ]


def interpret(program: Program, facts: list[tuple], data: dict, file: str, as_of: dt.date) -> Evaluation:
    """Build one applicant's Evaluation from the facts the solver reported about it."""
    cat = program.catalogue
    verdicts: dict = {}
    statuses: dict = defaultdict(dict)
    measures: dict = {}
    used: dict = defaultdict(list)
    advice: dict = defaultdict(list)
    rejected: dict = defaultdict(list)
    confirms: dict = defaultdict(list)
    for fact in facts:
        name, pol, code, *rest = fact
        if name == "status":
            statuses[(pol, code)][rest[0]] = rest[1]
        elif name == "used":
            used[(pol, code, rest[0])].append((rest[1], rest[2]))
        elif name == "measure":
            measures[(pol, code, rest[0])] = tuple(rest[1:])
        elif name == "not_counted":
            rid, kind, i, why = rest
            rejected[(pol, code, rid)].append((kind, i, why))
        elif name == "confirm":
            rid, kind, i, why = rest
            confirms[(pol, code, rid)].append((kind, i, why))
        elif name == "verdict":
            verdicts[(pol, code)] = rest[0]
        elif name == "advice":
            rid, have, need = rest  # words and unit from the rules' advisory/4 (policy.Catalogue)
            text, unit = cat.advisories.get((pol, rid), (rid, "hours"))
            advice[(pol, code)].append(
                Advisory(rid, text, f"{hours(have)} of {hours(need)} hours" if unit == "hours" else "")
            )
    described: dict = {}

    def evidence(kind: str, i: int) -> Evidence:
        if (kind, i) not in described:
            described[(kind, i)] = Evidence(
                reasons.entry_name(kind, i), describe(kind, reasons.entry_of(data, kind, i))
            )
        return described[(kind, i)]

    results = []
    by_variant: dict = {}
    for (var, code), status in sorted(verdicts.items(), key=lambda kv: (kv[0][0], _rank(kv[0][1]))):
        pol = program.variants[var].policy
        policy = program.policies[pol]
        reqs = []
        for rid in cat.requirements[(var, code)]:
            if (var, code, rid) in cat.pure:  # judged under the base: its result, shared
                statuses[(var, code)][rid] = "pure"
        for rid, st in sorted(statuses[(var, code)].items(), key=lambda kv: (STATUS_ORDER.get(kv[1], 0), kv[0])):
            if st == "pure":
                reqs.append(rid)
                continue
            doc, section, heading = cat.sources.get((var, code, rid), ("", "", ""))
            entries = [evidence(kind, i) for kind, i in sorted(set(used[(var, code, rid)]))]
            reqs.append(
                Requirement(
                    id=rid,
                    status=st,
                    summary=cat.requirements[(var, code)][rid],
                    detail=detail(st, measures.get((var, code, rid)), cat.scopes.get((var, code, rid), [])),
                    source={
                        "document": policy.document(doc),
                        "title": policy.source_title(doc),
                        "section": ": ".join(filter(None, (section, heading))),
                    },
                    evidence=entries,
                    measure=_measure(measures.get((var, code, rid))),
                    not_counted=not_counted(rejected.get((var, code, rid)), data, cat.lists.get((var, code), {})),
                    confirm=[
                        Evidence(
                            reasons.entry_name(kind, i),
                            reasons.to_confirm(kind, why, reasons.entry_of(data, kind, i), policy.association),
                        )
                        for kind, i, why in sorted(confirms.get((var, code, rid), []), key=str)
                    ],
                )
            )
        by_variant[(var, code)] = CategoryResult(
            policy=pol,
            category=code,
            title=cat.categories[(var, code)]["title"],
            status=status,
            blockers=[],
            requirements=reqs,
            advisories=sorted(advice[(var, code)], key=lambda a: a.id),
        )
    for (var, code), result in by_variant.items():
        base = program.base_of(var)
        shared = (
            {q.id: q for q in by_variant[(base, code)].requirements}
            if any(isinstance(q, str) for q in result.requirements)
            else {}
        )
        result.requirements = sorted(
            (shared[q] if isinstance(q, str) else q for q in result.requirements),
            key=lambda q: (STATUS_ORDER[q.status], q.id),
        )
        result.blockers = [q.id for q in result.requirements if q.status in ("unmet", "unknown")]
        if result.policy in program.requested:
            results.append(result)
    return Evaluation(applicant=data["id"], name=data["name"], file=file, as_of=as_of, results=results)


def _measure(found: tuple | None) -> dict | None:
    if found is None:
        return None
    have, need, unit = found
    return {"have": have, "need": need, "unit": unit}


def _rank(code: str) -> int:
    return category_rank(code)
