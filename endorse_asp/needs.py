"""What an applicant would still need: minimal alternatives per category, and plans.

The rules of `policies/common/needs.lp` do the work: items are abducible, each
becomes hypothetical applicant facts judged by the ordinary rules, and the
solver finds, per goal, the cheapest alternative (#minimize) and then the other
subset-minimal ones (domain heuristic, enum-mode domRec). One grounding serves
every goal: each solve assumes the goal's free `focus` externals true and all
others false (assumptions, not assign_external, which costs ~1 ms a call
against a program this size). This module picks the
dates worth trying, feeds the solver, and writes each item as plain words and
as the edit expressions (cli.md) that make it true in the applicant file.

The applicant is judged once per scenario: their own date, and the later dates
on which time alone could close a gap (a work requirement's missing days, a
year of RS/C). An alternative reached only on a later date carries that date.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import cast

import clingo

from . import facts
from .explain import DEGREES, Evaluation
from .load import Applicant
from .policy import Program, load_program
from .solve import Case, case_symbols
from .terms import decode

HORIZON = 5 * 365  # the furthest date worth trying
RSC_YEAR = 365  # a new block of RS/C runs a year
ENUMERATE = 24  # subset-minimal models looked at per goal
TITLES = {"med": "MEd", "phd": "PhD", "psyd": "PsyD", "edd": "EdD", "msw": "MSW", "aa": "AA"}
BANDS = {"infant": "infants (birth to 36 months)", "early_childhood": "young children (3 to 6 years)"}
DOING = {
    "services": "providing services",
    "rsc_provision": "providing RS/C to others",
    "supervision": "supervising staff",
}
ROLES = {
    "current_program_supervisor": "your current program supervisor",
    "rsc_provider": "your RS/C provider",
    "rsc_recipient": "someone who receives RS/C from you",
    "student": "a student you taught or supervised",
    "department_chair": "your department chair",
    "supervisee": "someone you supervise",
}


@dataclass
class Item:
    id: str
    text: str
    edits: list[str]


@dataclass
class Alternative:
    cost: int
    as_of: dt.date | None
    items: list[Item] = field(default_factory=list)

    def to_json(self) -> dict:
        out = {"cost": self.cost, "items": [vars(i) for i in self.items]}
        if self.as_of:
            out["as_of"] = self.as_of.isoformat()
        return out


def flow(value) -> str:
    """A value as YAML flow text (strings quoted JSON-style, which YAML reads)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, dt.date)):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {flow(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


def hours(centi: int) -> str:
    return f"{centi / 100:g}"


def role(name: str) -> str:
    return ROLES.get(name, f"a {name.replace('_', ' ')}")


def describe(term, rid: str, day0: dt.date, until: dt.date) -> Item:
    """An item term of needs.lp as words and edits (the same facts, written to the file),
    for requirement `rid`."""
    kind, *args = term
    match kind:
        case "training":
            band, topic, amount = args
            about = {"rsc": "on providing RS/C (didactic)", "dei": "on diversity, equity and inclusion"}.get(
                topic, "on relationship-based practice"
            )
            entry = {
                "title": f"Further training {about}",
                "hours": amount / 100 if amount % 100 else amount // 100,
                "date": day0,
                "topics": [topic],
                "focus": band,
                "didactic": True,
            }
            return Item(
                rid,
                f"Complete {hours(amount)} more hours of training {about}, focused on {BANDS[band]}, by {day0}",
                [f"training+={flow(entry)}"],
            )
        case "rsc":
            code, doing, band, amount, about_own = args
            start = max(day0, until - dt.timedelta(RSC_YEAR - 1))
            entry = {
                "provider": f"New RS/C provider ({code})",
                "provider_endorsement": code,
                "start": start,
                "end": until,
                "hours": amount // 100 if amount % 100 == 0 else amount / 100,
                "while": [doing],
                "ages": [band],
            }
            extra = ""
            if about_own:
                entry["about_own_rsc"] = about_own // 100 if about_own % 100 == 0 else about_own / 100
                extra = f", {hours(about_own)} of them about the RS/C you provide"
            return Item(
                rid,
                f"Receive {hours(amount)} hours of RS/C from a provider endorsed {code}{extra}, "
                f"between {start} and {until}, while {DOING.get(doing, doing)} for {BANDS[band]}",
                [f"rsc+={flow(entry)}"],
            )
        case "job":
            band, service, families = args
            entry = {
                "title": "New qualifying position",
                "start": day0,
                "paid": True,
                "supervised": True,
                "ages": [band],
                "relationship_focus": True,
            }
            if service != "any":
                entry["services"] = [service]
            if families:
                entry["families_served"] = families
            what = f" ({service.replace('_', ' ')})" if service != "any" else ""
            return Item(
                rid,
                f"Work in a paid, supervised, relationship-focused position{what} with {BANDS[band]} "
                f"and their families from {day0} through {until}"
                + (f", serving at least {families} families" if families else ""),
                [f"work+={flow(entry)}"],
            )
        case "degree":
            level, key = args
            title = TITLES.get(key, key.upper())
            return Item(
                rid,
                f"Earn a {DEGREES[level]} degree ({title}) and supply its transcript",
                [f"degrees+={flow({'level': level, 'title': title, 'conferred': day0})}"],
            )
        case "credential":
            (kind_,) = args
            return Item(
                rid,
                f"Earn the {kind_.upper() if kind_ == 'cda' else kind_.replace('_', ' ')} credential",
                [f"credentials+={flow({'type': kind_, 'earned': day0})}"],
            )
        case "transcript":
            (index,) = args
            return Item(
                rid, f"Supply the official transcript of degrees[{index}]", [f"degrees[{index}].transcript=true"]
            )
        case "rater":
            role_, code = args
            entry = {"rater": f"New rater ({role_}{', ' + code if code != 'none' else ''})", "roles": [role_]}
            if code != "none":
                entry["rater_endorsement"] = code
            who = role(role_) + (f", endorsed {code}" if code != "none" else "")
            return Item(rid, f"Obtain a reference rating from {who}", [f"references+={flow(entry)}"])
        case "sign":
            (what,) = args
            field_ = "ethics_signed" if what == "ethics" else "agreement_signed"
            doc = "Code of Ethics" if what == "ethics" else "Endorsement Agreement"
            return Item(rid, f"Sign the {doc}", [f"{field_}=true"])
        case "exam":
            program, track = args
            exam = {"passed": True, "date": day0, "program": program}
            if track != "none":
                exam["track"] = track
            essay = f" with the {track.replace('_', '/')} essay" if track != "none" else ""
            return Item(rid, f"Pass the {program.upper()} written examination{essay}", [f"exam={flow(exam)}"])
        case "membership":
            (assoc,) = args
            return Item(
                rid,
                f"Join {assoc} (membership current from {day0})",
                [f"memberships+={flow({'association': assoc, 'start': day0})}"],
            )
        case "leadership":
            (level,) = args
            return Item(
                rid,
                f"Take on a leadership activity at the {level} level, beyond paid work",
                [
                    f"leadership+={flow({'activity': f'Leadership activity ({level} level)', 'level': level, 'start': day0, 'beyond_paid_work': True})}"
                ],
            )
    raise ValueError(f"unknown item {term!r}")


def scenario_dates(evaluation: Evaluation, goals: set) -> list[dt.date]:
    """The applicant's own date, and the later dates on which time could close a gap."""
    day0 = evaluation.as_of
    dates = {day0}
    for r in evaluation.results:
        if (r.policy, r.category) not in goals:
            continue
        for q in r.requirements:
            if q.status not in ("unmet", "unknown"):
                continue
            if q.id.startswith("rsc."):
                dates.add(day0 + dt.timedelta(RSC_YEAR))
            if q.measure and q.measure["unit"] == "days":
                gap = q.measure["need"] - q.measure["have"]
                if 0 < gap <= HORIZON:
                    dates.add(day0 + dt.timedelta(gap))
    return sorted(dates)


class Solver:
    """One grounding of the need program for an applicant, solved per goal."""

    def __init__(
        self, program: Program, applicant: Applicant, day0: dt.date, dates: list[dt.date], categories: tuple[str, ...]
    ):
        self.program, self.day0, self.dates = program, day0, dates
        data = applicant.data
        cases = [
            Case(data, d, tuple(v.name for p in program.policies for v in program.variants_in_force(p, d)), categories)
            for d in dates
        ]
        self.variants = set().union(*(case.grounds for case in cases))
        before = self._plain(cases)
        self.ctl = clingo.Control(["--warn=none", "--heuristic=Domain"], logger=lambda code, message: None)
        program.load_into(self.ctl)
        with self.ctl.backend() as backend:

            def fact(symbol):
                backend.add_rule([backend.add_atom(symbol)])

            for s, case in enumerate(cases):
                a = clingo.Number(s)
                for symbol in case_symbols(s, case):
                    fact(symbol)
                fact(clingo.Function("scenario", [a]))
                fact(clingo.Function("origin", [a, facts.day(day0)]))
                for symbol in before[s]:
                    fact(clingo.Function("before", [a, symbol]))
                for kind in ("degrees", "rsc", "training", "work", "references"):
                    for i in range(len(data[kind])):
                        fact(clingo.Function("given", [a, clingo.Function(kind), clingo.Number(i)]))
            for variant in program.variants.values():
                fact(clingo.Function("variant_of", [clingo.String(variant.name), clingo.String(variant.policy)]))
                fact(
                    clingo.Function(
                        "home_association",
                        [clingo.String(variant.name), clingo.String(program.policies[variant.policy].association)],
                    )
                )
        self.ctl.ground(program.parts(self.variants) + [("needs", [])])
        atoms = self.ctl.symbolic_atoms
        self.picks = [(decode(a.symbol)[1], a.literal) for a in atoms.by_signature("pick", 1)]
        self.chosen = [(a.symbol, a.literal) for a in atoms.by_signature("chosen", 3)]
        self.focus = [(a.symbol, a.literal) for a in atoms.by_signature("focus", 2)]
        # (scenario, term, cost); an offer that rests on choices is also ground with cost #inf, never true
        self.offers = {
            o for o in (decode(a.symbol)[1:] for a in atoms.by_signature("item", 3)) if isinstance(o[2], int)
        }
        self.serves: dict = {}
        for atom in atoms.by_signature("for", 4):
            term, variant, code, rid = decode(atom.symbol)[1:]
            self.serves.setdefault((term, program.variants[variant].policy, code), set()).add(rid)

    def _plain(self, cases: list[Case]) -> list[list[clingo.Symbol]]:
        """The facts plain evaluation reports for each scenario (kept as symbols).

        A Control of its own: unchanged copies of the record judged inside the needs
        program would close a cycle through negation between predicates (an added exam
        sets retaken/1, which plain exam/2 reads negated), so none of their atoms would
        be facts and the needs program would grow some fifteenfold (measured)."""
        ctl = clingo.Control(["--warn=none"], logger=lambda code, message: None)
        self.program.load_into(ctl)
        with ctl.backend() as backend:
            for s, case in enumerate(cases):
                for symbol in case_symbols(s, case):
                    backend.add_rule([backend.add_atom(symbol)])
        ctl.ground(self.program.parts(self.variants))
        out: list[list[clingo.Symbol]] = [[] for _ in cases]

        def on_model(model):
            for pair in model.symbols(shown=True):
                s, fact_ = pair.arguments
                out[s.number].append(fact_)

        ctl.solve(on_model=on_model)
        return out

    def alternatives(self, goals: list[tuple[str, str]], limit: int) -> list[tuple[int, int, frozenset]]:
        """(cost, scenario, items) for the goals together: the cheapest, then other subset-minimal ones."""
        wanted = {(clingo.String(p), clingo.String(c)) for p, c in goals}
        return self._solve(
            [literal if tuple(symbol.arguments) in wanted else -literal for symbol, literal in self.focus], limit
        )

    def _solve(self, assumptions: list[int], limit: int) -> list[tuple[int, int, frozenset]]:
        found: dict[tuple, int] = {}

        best: list = []  # the models of the optimisation, the last one optimal

        def collect(model: clingo.Model) -> None:
            scenario = next(s for s, literal in self.picks if model.is_true(literal))
            items = frozenset(decode(c)[2:] for c, literal in self.chosen if model.is_true(literal))
            best.append((scenario, items))
            found.setdefault((scenario, items), sum(k for _, k in items))

        conf = cast(clingo.Configuration, self.ctl.configuration.solve)
        conf.opt_mode, conf.enum_mode, conf.models = "opt", "auto", "0"
        result = self.ctl.solve(assumptions=assumptions, on_model=collect)
        if not result.satisfiable:
            return []
        optimum = best[-1]
        found.clear()
        found[optimum] = sum(k for _, k in optimum[1])
        conf.opt_mode, conf.enum_mode, conf.models = "ignore", "domRec", str(ENUMERATE)
        self.ctl.solve(assumptions=assumptions, on_model=collect)
        ranked = sorted(
            ((cost, s, items) for (s, items), cost in found.items()), key=lambda t: (t[0], t[1], sorted(map(str, t[2])))
        )
        kept: list = []
        for cost, s, items in ranked:  # the same or more items on the same or a later date add nothing
            terms = {term for term, _ in items}
            if not any(s2 <= s and {term for term, _ in i2} <= terms for _, s2, i2 in kept):
                kept.append((cost, s, items))
        return kept[:limit]


def written(
    solver: Solver, found: list[tuple[int, int, frozenset]], goals: list[tuple[str, str]], blockers: list[str]
) -> list[Alternative]:
    """Alternatives in words and edits; each item named for the first blocker it was offered for."""
    out = []
    for cost, s, items in found:
        until = solver.dates[s]
        described = []
        for term, _ in items:
            ids = set().union(*(solver.serves.get((term, p, c), set()) for p, c in goals))
            rid = next((b for b in blockers if b in ids), min(ids, default=""))
            described.append(describe(term, rid, solver.day0, until))
        described.sort(key=lambda i: (i.id, i.text))
        out.append(Alternative(cost, until if until != solver.day0 else None, described))
    return out


def fill_needs(
    evaluation: Evaluation, applicant: Applicant, program: Program | None = None, limit: int = 5
) -> Evaluation:
    """Fill `needs` of every category the evaluation did not reach."""
    program = program or load_program()
    open_ = [r for r in evaluation.results if r.status in ("not_eligible", "incomplete")]
    if not open_:
        return evaluation
    goals = {(r.policy, r.category) for r in open_}
    solver = Solver(
        program,
        applicant,
        evaluation.as_of,
        scenario_dates(evaluation, goals),
        tuple(sorted({r.category for r in open_})),
    )
    for r in open_:
        goal = [(r.policy, r.category)]
        r.needs = written(solver, solver.alternatives(goal, limit), goal, r.blockers)
    return evaluation


def plan(
    evaluation: Evaluation,
    applicant: Applicant,
    goals: list[tuple[str, str]],
    program: Program | None = None,
    limit: int = 5,
) -> list[Alternative]:
    """Alternatives reaching all the goals together (shared items counted once)."""
    program = program or load_program()
    results = {(r.policy, r.category): r for r in evaluation.results}
    blockers = [b for g in goals for b in results[g].blockers]
    solver = Solver(
        program,
        applicant,
        evaluation.as_of,
        scenario_dates(evaluation, set(goals)),
        tuple(sorted({c for _, c in goals})),
    )
    return written(solver, solver.alternatives(goals, limit), goals, blockers)
