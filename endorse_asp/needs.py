"""What an applicant would still need: minimal alternatives per category, and plans.

The rules of `policies/common/needs.lp` do the work: items are abducible, each
becomes hypothetical applicant facts judged by the ordinary rules, and the
solver finds the cheapest alternative (#minimize), then the next cheapest that
is not the same or more items on the same or a later date, and so on: each is
subset-minimal, they come cheapest first, and `--max` bounds the solves. One
grounding serves every goal: the record is copied once per category code and
date worth trying for it, each copy seeing only the items of its own code (or,
for a plan, of all its goals), and one solve serves one goal of every code at
once (their groups are independent), with the goals' free `focus` externals
assumed true and all others false (assumptions, not assign_external, which
costs ~1 ms a call against a program this size). This module picks the dates,
feeds the solver, and writes each item as plain words and as the edit
expressions (cli.md) that make it true in the applicant file.

The dates worth trying for a category: the applicant's own, and the later ones
on which time alone could close one of its gaps (a work requirement's missing
days, a year of RS/C). An alternative reached only on a later date carries it.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass, field, replace
from typing import cast

import clingo

from . import facts
from .explain import Evaluation
from .load import Applicant
from .policy import Program, load_program
from .solve import Case, case_symbols
from .terms import decode
from .words import AGES, DEGREES, ROLES, SERVICES, STATES, TITLES, TOPICS, WHILE, article, hours, listing

HORIZON = 5 * 365  # the furthest date worth trying
RSC_YEAR = 365  # a new block of RS/C runs a year
SAME_SOLVES = 4  # solves per alternative kept, where several answers are one (Solver.rounds)
READ_BEFORE = ("status", "measure", "not_counted")  # what needs.lp reads of the plain evaluation: before/2
# How long earning a degree takes, from enrolling to its conferral, and the degree it builds
# on (whose time comes first where the applicant holds none of that level or higher): an
# alternative that earns one is dated no sooner (issue 12, part 4; docs/cost-model.md).
DEGREE_DAYS = {"associate": 2 * 365, "bachelor": 4 * 365, "master": 2 * 365, "doctorate": 4 * 365}
BUILDS_ON = {"master": "bachelor", "doctorate": "bachelor"}
LEVELS = tuple(DEGREES)  # lowest first

# The fields of an entry the applicant may simply have left out, which a `confirm` item of
# needs.lp states (issue 12): where the file says nothing, the default does not count.
CONFIRMABLE = {
    "work": ("relationship_focus", "ages", "services"),
    "training": ("topics",),
    "rsc": ("ages", "while", "provider_endorsement"),
    "references": ("rater_endorsement", "roles"),
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
    effort: dict[str, int] = field(default_factory=dict)  # what it asks, summed by kind (see `effort`)

    def to_json(self) -> dict:
        out = {"cost": self.cost, "items": [{"id": i.id, "text": i.text, "edits": i.edits} for i in self.items]}
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


def role(name: str) -> str:
    return ROLES.get(name, f"a {name.replace('_', ' ')}")


def unstated(raw: dict):
    """(kind, index, field) for each confirmable field an entry leaves out, and ("residence",)
    when the file does not say where the applicant lives: as written, before defaults."""
    for kind, fields in CONFIRMABLE.items():
        for i, entry in enumerate(raw.get(kind) or []):
            for name in fields:
                if isinstance(entry, dict) and entry.get(name) in (None, [], ""):
                    yield kind, i, name
    if raw.get("residence") is None:
        yield ("residence",)


def label(data: dict, kind: str, index: int) -> str:
    """How an entry is named to its applicant: its own title or person, else its path."""
    entry = data[kind][index]
    name = {"work": "title", "training": "title", "rsc": "provider", "references": "rater"}[kind]
    return f"{entry[name]} ({kind}[{index}])" if entry.get(name) else f"{kind}[{index}]"


def confirmation(rid: str, data: dict, kind: str, index: int, name: str, value) -> Item:
    """A `confirm` item for requirement `rid`: state what entry `index` of `kind` leaves out, if it is so."""
    entry = label(data, kind, index)
    said = {
        ("work", "relationship_focus"): f"your position {entry} is relationship-focused",
        ("work", "ages"): f"your position {entry} serves {AGES.get(value, value)}",
        ("work", "services"): f"your position {entry} includes {SERVICES.get(value, str(value).replace('_', ' '))}",
        ("training", "topics"): f"your training {entry} was on {TOPICS.get(value, value)}",
        ("rsc", "ages"): f"your RS/C from {entry} was about your work with {AGES.get(value, value)}",
        ("rsc", "while"): f"you received your RS/C from {entry} while {WHILE.get(value, value)}",
        ("references", "rater_endorsement"): f"your rater {entry} holds the {value} endorsement",
        ("references", "roles"): f"your rater {entry} is {role(value)}",
    }[kind, name]
    if value == "true":  # a flag (needs.lp writes it as the constant true)
        edit = f"{kind}[{index}].{name}=true"
    elif name.endswith("endorsement"):
        edit = f"{kind}[{index}].{name}={flow(value)}"
    else:  # a list: appended to, so two confirmations of one entry's list both hold
        edit = f"{kind}[{index}].{name}+={flow(value)}"
    return Item(rid, f"If {said}, state it", [edit])


def describe(term, rid: str, day0: dt.date, until: dt.date, data: dict | None = None) -> Item:
    """An item term of needs.lp as words and edits (the same facts, written to the file),
    for requirement `rid`; `data`, the applicant's, names the entries a confirmation is about."""
    kind, *args = term
    data = data or {}
    match kind:
        case "confirm":
            return confirmation(rid, data, *args)
        case "confirm_provider":
            name, code = args
            entries = [
                j
                for j, r in enumerate(data.get("rsc", []))
                if facts.person(r["provider"]) == name and not r["provider_endorsement"]
            ]
            who = data["rsc"][entries[0]]["provider"] if entries else name
            return Item(
                rid,
                f"If your RS/C provider {who} holds the {code} endorsement, state it",
                [f"rsc[{j}].provider_endorsement={flow(code)}" for j in entries],
            )
        case "training":
            band, topic, amount = args
            about = {"rsc": "on providing RS/C (didactic)", "dei": "on diversity, equity and inclusion"}.get(
                topic, "on relationship-based practice"
            )
            entry = {
                "title": f"Further training {about}",
                "hours": amount / 100 if amount % 100 else amount // 100,
                "date": until,
                "topics": [topic],
                "focus": band,
                "didactic": True,
            }
            return Item(
                rid,
                f"Complete {hours(amount)} more hours of training {about}, focused on {AGES[band]}, by {until}",
                [f"training+={flow(entry)}"],
            )
        case "rsc":
            code, doing, band, amount, about_own = args
            start = max(day0, until - dt.timedelta(RSC_YEAR - 1))
            entry = {
                "provider": f"New RS/C provider ({code})" if code != "none" else "New RS/C provider",
                "provider_endorsement": code,
                "start": start,
                "end": until,
                "hours": amount // 100 if amount % 100 == 0 else amount / 100,
                "while": [doing],
                "ages": [band],
            }
            extra = ""
            if code == "none":
                del entry["provider_endorsement"]
            if about_own:
                entry["about_own_rsc"] = about_own // 100 if about_own % 100 == 0 else about_own / 100
                extra = f", {hours(about_own)} of them about the RS/C you provide"
            return Item(
                rid,
                f"Receive {hours(amount)} hours of RS/C from {'a provider endorsed ' + code if code != 'none' else 'any provider'}{extra}, "
                f"between {start} and {until}, while {WHILE.get(doing, doing)} for {AGES[band]}",
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
                f"Work in a paid, supervised, relationship-focused position{what} with {AGES[band]} "
                f"and their families from {day0} through {until}"
                + (f", serving at least {families} families" if families else ""),
                [f"work+={flow(entry)}"],
            )
        case "degree":
            level, key = args
            title = TITLES.get(key, key.upper())
            conferred = day0 + dt.timedelta(degree_time(level, data))
            return Item(
                rid,
                f"Earn {article(DEGREES[level])} degree ({title}) by {conferred} and supply its transcript",
                [f"degrees+={flow({'level': level, 'title': title, 'conferred': conferred})}"],
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
            slot, role_, code = args
            entry = {"rater": f"New rater ({slot}{', ' + code if code != 'none' else ''})", "roles": [role_]}
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
        case "residence":
            (state,) = args
            where = STATES.get(state, state)
            if data and data.get("residence") is None:
                return Item(rid, f"If you live in {where}, state it", [f"residence={flow(state)}"])
            return Item(rid, f"Live in {where}", [f"residence={flow(state)}"])
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


def scenario_dates(evaluation: Evaluation, goals: set, program: Program, data: dict) -> list[dt.date]:
    """The applicant's own date, and the later dates on which time could close a gap: a year
    of RS/C, the days a measure lacks, the time the degree an education route names takes,
    and that time followed by what must come after the degree (post-degree work or RS/C)."""
    day0 = evaluation.as_of
    gaps, after = {0}, {0}
    for r in evaluation.results:
        if (r.policy, r.category) not in goals:
            continue
        degrees: set[int] = set()
        for q in r.requirements:
            if q.status not in ("unmet", "unknown"):
                continue
            if q.id == "education":
                degrees = degree_days(program, day0, r.policy, r.category, data)
            gap = RSC_YEAR if q.id.startswith("rsc.") else 0
            if q.measure and q.measure["unit"] == "days" and q.measure["need"] > q.measure["have"]:
                gap = q.measure["need"] - q.measure["have"]
            gaps.add(gap)
            if gap and follows_degree(program, day0, r.policy, r.category, q.id):
                after.add(gap)
        gaps |= {d + g for d in degrees for g in after}
    return sorted(day0 + dt.timedelta(g) for g in gaps if g <= HORIZON)


def follows_degree(program: Program, day: dt.date, policy: str, code: str, rid: str) -> bool:
    """Whether what requirement `rid` counts must come after a degree (its scope after(L))."""
    scopes = program.catalogue.scopes
    return any(
        isinstance(s, tuple) and s[0] == "after"
        for v in program.variants_in_force(policy, day)
        for s in scopes.get((v.name, code, rid), [])
    )


def degree_time(level: str, data: dict) -> int:
    """Days from today until a degree of `level` could be conferred on this applicant."""
    held = max((LEVELS.index(d["level"]) for d in data.get("degrees") or [] if d["level"] in LEVELS), default=-1)
    before = BUILDS_ON.get(level)
    first = degree_time(before, data) if before and held < LEVELS.index(before) else 0
    return first + DEGREE_DAYS[level]


def degree_days(program: Program, day: dt.date, policy: str, code: str, data: dict) -> set[int]:
    """How long earning each degree the category's education routes name takes (needs.lp
    offers a listed degree, or an associate's where any degree will do); every degree's
    time where the policy's own rules name no route (it inherits them)."""
    routes = [
        route
        for v in program.variants_in_force(policy, day)
        for route in program.catalogue.lists.get((v.name, code), {}).get("education", {}).get("route", [])
    ]
    levels = {r[1] for r in routes if isinstance(r, tuple) and r[0] == "listed_degree"}
    levels |= {"associate"} if "any_degree" in routes else set()
    return {degree_time(level, data) for level in (levels if routes else LEVELS)}


class Solver:
    """One grounding of the need program for an applicant, solved round by round.

    `copies` are (scenario, category code) pairs: each is a copy of the record judging
    only that code on that scenario's date. `groups` maps each code to its group: codes
    alone for `fill_needs` (each category's alternatives on their own), one group for
    all the goals of a plan (items shared by the goals counted once)."""

    def __init__(
        self,
        program: Program,
        applicant: Applicant,
        day0: dt.date,
        dates: list[dt.date],
        copies: list[tuple[int, str]],
        groups: dict[str, str],
    ):
        self.program, self.day0, self.dates, self.groups = program, day0, dates, groups
        self.data = data = applicant.data
        left_out = [
            [clingo.Function(what[0]), clingo.Number(what[1]), clingo.Function(what[2])]
            if len(what) == 3
            else [clingo.Function(what[0])]
            for what in unstated(applicant.raw)
        ]
        cases = [
            Case(
                data,
                dates[s],
                tuple(v.name for p in program.policies for v in program.variants_in_force(p, dates[s])),
                (code,),
            )
            for s, code in copies
        ]
        self.variants = set().union(*(case.grounds for case in cases)) if cases else set()
        before = self._plain(cases)
        self.ctl = clingo.Control(
            ["--warn=none", "--heuristic=Domain", "--opt-strategy=usc"], logger=lambda code, message: None
        )
        program.load_into(self.ctl)
        with self.ctl.backend() as backend:

            def fact(symbol):
                backend.add_rule([backend.add_atom(symbol)])

            for s in sorted({s for s, _ in copies}):
                fact(clingo.Function("date_of", [clingo.Number(s), facts.day(dates[s])]))
            for level in LEVELS:
                fact(clingo.Function("degree_days", [clingo.Function(level), clingo.Number(degree_time(level, data))]))
            for code, group in groups.items():
                fact(clingo.Function("group", [clingo.String(code), clingo.String(group)]))
            for a, ((s, code), case) in enumerate(zip(copies, cases)):
                copy = clingo.Number(a)
                for symbol in case_symbols(a, case):
                    fact(symbol)
                fact(clingo.Function("copy", [copy, clingo.Number(s), clingo.String(code)]))
                fact(clingo.Function("origin", [copy, facts.day(day0)]))
                for symbol in before[a]:
                    fact(clingo.Function("before", [copy, symbol]))
                for kind in ("degrees", "rsc", "training", "work", "references"):
                    for i in range(len(data[kind])):
                        fact(clingo.Function("given", [copy, clingo.Function(kind), clingo.Number(i)]))
                for what in left_out:
                    fact(clingo.Function("unstated", [copy, *what]))
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
        # pick(G, S), skip(G), add(S, G, X), chosen(S, G, X, K) by group
        self.picks: dict[str, dict[int, int]] = {}
        for atom in atoms.by_signature("pick", 2):
            group, scenario = decode(atom.symbol)[1:]
            self.picks.setdefault(group, {})[scenario] = atom.literal
        self.skips = {decode(atom.symbol)[1]: atom.literal for atom in atoms.by_signature("skip", 1)}
        self.adds = {tuple(atom.symbol.arguments): atom.literal for atom in atoms.by_signature("add", 3)}
        self.chosen: dict[str, list] = {}
        for atom in atoms.by_signature("chosen", 4):
            _, named, term, cost = atom.symbol.arguments
            if cost.type != clingo.SymbolType.Number:
                continue  # an item priced #inf (ground from a choice) is never added
            self.chosen.setdefault(named.string, []).append((term, cost.number, atom.literal))
        self.symbols = {decode(term): term for chosen in self.chosen.values() for term, _, _ in chosen}
        self.focus = {
            tuple(decode(atom.symbol)[1:]): (atom.symbol, atom.literal) for atom in atoms.by_signature("focus", 2)
        }
        # (scenario, term, cost): every item that may be added, in any group
        self.offers = {
            (s, t, k)
            for s, _, t, k in (decode(a.symbol)[1:] for a in atoms.by_signature("item", 4))
            if isinstance(k, int)
        }
        self.serves: dict = {}
        for atom in atoms.by_signature("for", 4):
            term, variant, code, rid = decode(atom.symbol)[1:]
            self.serves.setdefault((term, program.variants[variant].policy, code), set()).add(rid)
        conf = cast(clingo.Configuration, self.ctl.configuration.solve)
        conf.opt_mode, conf.models = "opt", "0"

    def _plain(self, cases: list[Case]) -> list[list[clingo.Symbol]]:
        """The facts plain evaluation reports for each copy that the needs program reads (kept as symbols).

        A Control of its own: unchanged copies of the record judged inside the needs
        program would close a cycle through negation between predicates (an added exam
        sets retaken/1, which plain exam/2 reads negated), so none of their atoms would
        be facts and the needs program would grow some fifteenfold (measured). The record
        is judged once per date, for every code a copy judges on that date, and each copy
        takes its own code's facts: what the rules say of a category rests on no other
        category judged beside it (every reported fact names its category second)."""
        out: list[list[clingo.Symbol]] = [[] for _ in cases]
        if not cases:
            return out
        dates = sorted({case.as_of for case in cases})
        copy_of = {(dates.index(case.as_of), clingo.String(case.categories[0])): a for a, case in enumerate(cases)}
        judged = [
            replace(
                next(case for case in cases if case.as_of == day),
                categories=tuple(sorted({case.categories[0] for case in cases if case.as_of == day})),
            )
            for day in dates
        ]
        ctl = clingo.Control(["--warn=none"], logger=lambda code, message: None)
        self.program.load_into(ctl)
        with ctl.backend() as backend:
            for d, case in enumerate(judged):
                for symbol in case_symbols(d, case):
                    backend.add_rule([backend.add_atom(symbol)])
        # evidence: the numbers short of a threshold; why: not_counted, what to confirm
        ctl.ground(self.program.parts(self.variants) + [("evidence", []), ("why", [])])

        def on_model(model):
            for pair in model.symbols(shown=True):
                d, fact_ = pair.arguments
                a = copy_of.get((d.number, fact_.arguments[1]))
                if a is not None and fact_.name in READ_BEFORE:
                    out[a].append(fact_)

        ctl.solve(on_model=on_model)
        return out

    def rounds(
        self, goals: list[list[tuple[str, str]]], limit: int, step=None, same=None
    ) -> list[list[tuple[int, int, frozenset]]]:
        """For each entry of `goals` (the goals to reach together, all of one group), the
        `limit` cheapest alternatives, cheapest first: (cost, scenario, items).

        One optimisation per round, with one entry of each group in focus: groups are
        independent, so its optimum is each entry's cheapest alternative not yet found
        (nor the same or more items on the same or a later date than one found, which an
        exclusion rule under the entry's focus forbids). The cheapest such is subset-minimal
        (a smaller set would be cheaper and as new), and `limit` bounds the solves. With
        `same`, an answer whose `same(answer)` an earlier one had is excluded but not kept
        (at most SAME_SOLVES times `limit` solves an entry)."""
        found: list[list[tuple[int, int, frozenset]]] = [[] for _ in goals]
        seen: list[set] = [set() for _ in goals]
        solves = [0 for _ in goals]
        queues: dict[str, list[int]] = {}
        for n, entry in enumerate(goals):
            queues.setdefault(self.groups[entry[0][1]], []).append(n)
        while any(queues.values()):
            current = {group: queue[0] for group, queue in queues.items() if queue}
            on = {self.focus[g][1] for n in current.values() for g in goals[n]}
            assumptions = [literal if literal in on else -literal for _, literal in self.focus.values()]
            model_of: dict[str, tuple | None] = {}
            self.ctl.solve(assumptions=assumptions, on_model=functools.partial(self._answers, current, model_of))
            with self.ctl.backend() as backend:
                for group, n in current.items():
                    answer = model_of.get(group)
                    if answer is None:
                        queues[group].pop(0)
                    else:
                        self._exclude(backend, group, goals[n], answer)
                        solves[n] += 1
                        key = same(answer) if same else solves[n]
                        if key not in seen[n]:
                            seen[n].add(key)
                            found[n].append(answer)
                        if len(found[n]) == limit or solves[n] == SAME_SOLVES * limit:
                            queues[group].pop(0)
                    if step and (not queues[group] or queues[group][0] != n):
                        step()
        return found

    def _answers(self, groups, out: dict[str, tuple | None], model: clingo.Model) -> None:
        """Each group's (cost, scenario, items) in the model, or None where it gave up, into `out`."""
        for group in groups:
            if model.is_true(self.skips[group]):
                out[group] = None
                continue
            s = next(s for s, literal in self.picks[group].items() if model.is_true(literal))
            items = frozenset(
                (decode(term), cost) for term, cost, literal in self.chosen.get(group, []) if model.is_true(literal)
            )
            out[group] = (sum(k for _, k in items), s, items)

    def _exclude(self, backend: clingo.Backend, group: str, entry: list[tuple[str, str]], answer: tuple) -> None:
        """While `entry` is in focus: not the same or more items on the same or a later date."""
        _, s, items = answer
        focus = [self.focus[g][1] for g in entry]
        for later, pick in self.picks[group].items():
            body = [
                self.adds.get((clingo.Number(later), clingo.String(group), self.symbols[term])) for term, _ in items
            ]
            if later >= s and None not in body:
                backend.add_rule([], [*focus, pick, *cast(list[int], body)])

    def alternatives(self, goals: list[tuple[str, str]], limit: int) -> list[tuple[int, int, frozenset]]:
        """(cost, scenario, items) for the goals together (one group), cheapest first; those
        that ask the same people for ratings are one (`people`)."""
        return self.rounds([goals], limit, same=people)[0]


def people(answer: tuple) -> tuple:
    """What an alternative asks of the applicant with its new raters seen as people: its
    date, its other items, and the roles and endorsements of the new raters, whichever
    slot each fills. A plan's goals accept the same raters in different slots, so the
    solver finds one alternative per seating of the same people (issue 12, part 4)."""
    _, scenario, items = answer
    raters = [term for term, _ in items if term[0] == "rater"]
    others = frozenset(item for item in items if item[0][0] != "rater")
    return scenario, others, tuple(sorted(t[2] for t in raters)), tuple(sorted(t[3] for t in raters))


def effort(term, data: dict) -> tuple[str, int]:
    """What an item asks of the applicant, as a kind and an amount the text sums (hours of
    training or RS/C in hundredths, else a count)."""
    kind = term[0]
    if kind in ("training", "rsc"):
        return kind, term[3] if kind == "training" else term[4]
    if kind == "degree":
        return f"degree:{term[1]}", 1
    if kind in ("confirm", "confirm_provider") or (kind == "residence" and data.get("residence") is None):
        return "confirmation", 1
    return kind, 1


def swaps(term, items) -> list[tuple]:
    """For an endorsed new rater among `items`: each (unendorsed it, endorsed other) pair of
    rater items that would move its endorsement to another new rater of the alternative."""
    if term[0] != "rater" or term[3] == "none":
        return []
    _, slot, role_, code = term
    others = [t for t, _ in items if t[0] == "rater" and t[3] == "none"]
    return [(("rater", slot, role_, "none"), ("rater", t[1], t[2], code)) for t in others]


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
            item = describe(term, rid, solver.day0, until, solver.data)
            if any(all((t, p, c) in solver.serves for t in swap) for swap in swaps(term, items) for p, c in goals):
                item.text += " (any one of your new raters may be the endorsed one)"
            described.append(item)
        described.sort(key=lambda i: (i.id, i.text))
        asked: dict[str, int] = {}
        for term, _ in items:
            what, amount = effort(term, solver.data)
            asked[what] = asked.get(what, 0) + amount
        out.append(Alternative(cost, until if until != solver.day0 else None, described, asked))
    return out


def unreachable(solver: Solver, goals: list[tuple[str, str]], evaluation: Evaluation) -> str:
    """Why no alternative reaches the goals (together): a blocker no item can meet; goals that
    rest on different examinations, of which an applicant file holds one; or no set of the
    items offered reaching them on any date tried."""
    results = {(r.policy, r.category): r for r in evaluation.results}
    bare = []
    for goal in goals:
        offered = {rid for (_, p, c), ids in solver.serves.items() if (p, c) == goal for rid in ids}
        where = f"{goal[0]}/{goal[1]} " if len(goals) > 1 else ""
        bare += [where + b for b in results[goal].blockers if b not in offered]
    if bare:
        return f"nothing an applicant can add meets {listing(bare, 'and')}"
    exams = {}
    record = (solver.data["exam"] or {}).get("program")
    for goal in goals:
        exam = next((q for q in results[goal].requirements if q.id == "exam"), None)
        if exam and exam.status == "met" and record:
            exams[goal] = {record}
        elif exam:
            exams[goal] = {t[1] for (t, p, c) in solver.serves if t[0] == "exam" and (p, c) == goal}
    if len(exams) > 1 and not set.intersection(*exams.values()):
        each = [
            f"{p}/{c} asks for the {listing(sorted(x.upper() for x in progs))} examination"
            for (p, c), progs in exams.items()
        ]
        return f"an applicant file records one examination: {listing(each, 'and')}"
    last = solver.dates[-1]
    slow = sorted(
        {
            (solver.day0 + dt.timedelta(degree_time(t[1], solver.data)), t[1])
            for (t, p, c) in solver.serves
            if t[0] == "degree" and (p, c) in goals
        }
    )
    beyond = f" (a {DEGREES[slow[0][1]]} degree alone takes until {slow[0][0]})" if slow and slow[0][0] > last else ""
    return f"no set of the items the engine offers reaches it on any date up to {last}{beyond}"


def fill_needs(
    evaluation: Evaluation, applicant: Applicant, program: Program | None = None, limit: int = 5, step=None
) -> Evaluation:
    """Fill `needs` of every category the evaluation did not reach; `step()` as each is done."""
    program = program or load_program()
    open_ = [r for r in evaluation.results if r.status in ("not_eligible", "incomplete")]
    if not open_:
        return evaluation
    solver = solver_for(program, applicant, evaluation, [(r.policy, r.category) for r in open_], plan=False)
    found = solver.rounds([[(r.policy, r.category)] for r in open_], limit, step)
    for r, alternatives in zip(open_, found):
        r.needs = written(solver, alternatives, [(r.policy, r.category)], r.blockers)
        if not r.needs:
            r.unreachable = unreachable(solver, [(r.policy, r.category)], evaluation)
    return evaluation


def solver_for(
    program: Program, applicant: Applicant, evaluation: Evaluation, goals: list[tuple[str, str]], plan: bool
) -> Solver:
    """A Solver whose copies judge each goal's code on the dates worth trying for it (a
    plan's: for any of its goals), each code in a group of its own or, for a plan, all in one."""
    codes = sorted({c for _, c in goals})
    if plan:
        per_code = {c: scenario_dates(evaluation, set(goals), program, applicant.data) for c in codes}
    else:
        per_code = {
            c: scenario_dates(evaluation, {g for g in goals if g[1] == c}, program, applicant.data) for c in codes
        }
    dates = sorted(set().union(*per_code.values()))
    copies = [(dates.index(d), c) for c in codes for d in per_code[c]]
    groups = {c: "plan" if plan else c for c in codes}
    return Solver(program, applicant, evaluation.as_of, dates, copies, groups)


def plan(
    evaluation: Evaluation,
    applicant: Applicant,
    goals: list[tuple[str, str]],
    program: Program | None = None,
    limit: int = 5,
) -> tuple[list[Alternative], str | None]:
    """Alternatives reaching all the goals together (shared items counted once), and why
    none does when there are none."""
    program = program or load_program()
    results = {(r.policy, r.category): r for r in evaluation.results}
    blockers = [b for g in goals for b in results[g].blockers]
    solver = solver_for(program, applicant, evaluation, goals, plan=True)
    found = written(solver, solver.alternatives(goals, limit), goals, blockers)
    return found, None if found else unreachable(solver, goals, evaluation)
