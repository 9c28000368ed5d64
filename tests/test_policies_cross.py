"""Across policies: one record, different verdicts by policy for stated reasons; derived
policies agree with their base wherever their sources do; the split training minimum
finds an assignment whenever one exists (ruling 4)."""

import copy
import datetime as dt
import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from endorse_asp import edits, load
from endorse_asp.evaluate import evaluate
from endorse_asp.policy import load_program

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "facts"
EXAMPLES = sorted(FACTS.glob("*.yaml"))
AFTER_EXCEPTIONS = dt.date(2024, 1, 1)


def results(applicant, as_of=None, program=None):
    (e,) = evaluate([applicant], as_of=as_of, program=program)
    return {(r.policy, r.category): r for r in e.results}, e


def outcome(r):
    return r.status, sorted(r.blockers), sorted((q.id, q.status, q.detail) for q in r.requirements)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_massaimh_after_2023_is_mi_aimh_with_a_massaimh_membership(path):
    """Ruling 12: once the exceptions lapse, massaimh differs from mi-aimh only in asking for a
    MassAIMH membership (ruling 9). Given one, every verdict and requirement is mi-aimh's, but
    the summary of that membership requirement."""
    applicant = load.load_file(path)
    day = max(applicant.data["as_of"] or AFTER_EXCEPTIONS, AFTER_EXCEPTIONS)
    member = edits.apply(applicant, [f"memberships+={{association: MassAIMH, start: {day}}}"])
    by, _ = results(member, day)
    codes = {c for (p, c) in by if p == "mi-aimh"}
    assert codes == {c for (p, c) in by if p == "massaimh"}
    for code in codes:
        assert outcome(by[("massaimh", code)]) == outcome(by[("mi-aimh", code)]), code


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_orimha_imhs_differs_from_mi_aimh_only_where_003_does(path):
    """003 restates 002's IMHS; only the RS/C provider list, the endorsed-rater list and the
    internship supervisor differ. Wherever the two policies' IMHS differ, it is on one of those."""
    by, _ = results(load.load_file(path))
    mine, base = by[("orimha", "IMHS")], by[("mi-aimh", "IMHS")]
    differing = {q.id for q in mine.requirements} ^ {q.id for q in base.requirements}
    differing |= {q.id for q in mine.requirements for b in base.requirements if q.id == b.id and q.status != b.status}
    assert differing <= {"rsc.hours", "references.endorsed", "work.specialized"}


def test_one_record_three_verdicts_for_imhs():
    """Megan O'Connell in October 2023, RS/C from a MassAIMH-vetted provider: MassAIMH's exception
    takes it on review, ORIMHA takes a vetted provider on review, MI-AIMH does not take it, and
    Virginia does not take it and she lives in Massachusetts (rulings 7, 12, 22)."""
    by, _ = results(load.load_file(FACTS / "megan-oconnell.yaml"))
    assert by[("massaimh", "IMHS")].status == "needs_review"
    assert by[("orimha", "IMHS")].status == "needs_review"
    assert outcome(by[("mi-aimh", "IMHS")])[:2] == ("not_eligible", ["rsc.hours"])
    assert outcome(by[("vaimh", "IMHS")])[:2] == ("not_eligible", ["membership", "residency", "rsc.hours"])


def test_the_exception_variant_is_chosen_by_the_evaluation_date():
    """Ruling 12: the policy stays; its exceptions hold through 2023-12-31."""
    program = load_program()
    assert program.variant_for("massaimh", dt.date(2023, 12, 31)).exceptions == ("capacity-building",)
    assert program.variant_for("massaimh", dt.date(2024, 1, 1)).exceptions == ()
    assert program.variant_for("massaimh", dt.date(2019, 6, 1)).exceptions == ("capacity-building",)
    assert program.variants_in_force("massaimh", dt.date(2016, 12, 31)) == []  # ruling 16
    assert program.variants_in_force("mi-aimh-levels", dt.date(1990, 1, 1))  # ruling 13


def test_policies_out_of_force_are_named_and_not_judged():
    by, e = results(load.load_file(FACTS / "gloria-baptiste.yaml"), dt.date(2016, 12, 31))
    assert {p for (p, _) in by} == {"mi-aimh-levels"}
    assert sorted(e.not_in_force) == ["massaimh", "mi-aimh", "orimha", "vaimh"]


def test_virginia_residency_is_unknown_when_the_file_does_not_say():
    applicant = load.load_file(FACTS / "carmen-alvarez.yaml")
    by, _ = results(edits.apply(applicant, ["del residence"]))
    assert outcome(by[("vaimh", "IFRS")])[:2] == ("incomplete", ["residency"])
    assert all("residency" not in r.blockers for (p, _), r in by.items() if p != "vaimh")


def test_virginia_typical_training_advice_uses_its_own_figures():
    by, _ = results(load.load_file(FACTS / "jordan-lee.yaml"), dt.date(2024, 3, 1))
    assert by[("vaimh", "IFS")].advisories[0].detail == "54.5 of 60 hours"  # 004: 60
    assert by[("mi-aimh", "IFS")].advisories == []  # 002: 50, reached


# --- the split training minimum of Virginia's IFRS (ruling 4) --------------------------------

PARTS = {"relationship_based": 30, "rsc": 15, "dei": 3}
PROGRAM = load_program(only=("vaimh",))
CARMEN = load.load_file(FACTS / "carmen-alvarez.yaml")


def assignable(entries) -> tuple[bool, float]:
    """By brute force: can each entry go to one part (one of its topics) so that every part
    reaches its minimum, and how many of the minimums' hours the best assignment covers."""
    best = 0.0
    choices = [[t for t in topics if t in PARTS] or [None] for _, topics in entries]
    for pick in itertools.product(*choices):
        got = dict.fromkeys(PARTS, 0.0)
        for (hours, _), part in zip(entries, pick):
            if part:
                got[part] += hours
        best = max(best, sum(min(got[t], need) for t, need in PARTS.items()))
    return best >= sum(PARTS.values()), best


ENTRY = st.tuples(
    st.sampled_from([0.5, 1, 2, 3, 4.5, 6, 8, 10, 12, 15, 20, 30]),
    st.lists(st.sampled_from(["relationship_based", "rsc", "dei"]), min_size=1, max_size=3, unique=True),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ENTRY, min_size=0, max_size=7))
def test_the_split_is_met_exactly_when_some_assignment_meets_every_part(entries):
    raw = copy.deepcopy(CARMEN.raw)
    raw["training"] = [
        {"title": f"t{n}", "hours": h, "date": dt.date(2020, 1, 1), "topics": topics, "focus": "infant"}
        for n, (h, topics) in enumerate(entries)
    ]
    applicant = load.validate(raw, CARMEN.source)
    (e,) = evaluate([applicant], program=PROGRAM, categories=["IFRS"])
    (r,) = e.results
    (q,) = [q for q in r.requirements if q.id == "training.hours"]
    ok, covered = assignable(entries)
    assert (q.status == "met") == ok
    assert q.measure["have"] == round(covered * 100) and q.measure["need"] == 4800


def test_a_finished_leadership_activity_counts_only_until_its_end():
    """Virginia's IFRS year of leadership (project ruling V4): an activity that ran 2020-01-01 to
    2020-06-30 gives 182 days, not the four years to the evaluation date."""
    applicant = edits.apply(load.load_file(FACTS / "carmen-alvarez.yaml"), ["leadership[0].end=2020-06-30"])
    by, _ = results(applicant)
    assert outcome(by[("vaimh", "IFRS")])[:2] == ("not_eligible", ["leadership"])
