"""Properties of evaluation over generated applicants (hypothesis)."""

import copy
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import applicant, applicants

from endorse_asp.evaluate import evaluate

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def judge(raw):
    (evaluation,) = evaluate([applicant(raw)])
    return evaluation


def verdicts(evaluation):
    return {
        (r.policy, r.category): (r.status, tuple(r.blockers), tuple((q.id, q.status, q.detail) for q in r.requirements))
        for r in evaluation.results
    }


@SETTINGS
@given(applicants())
def test_output_is_deterministic(raw):
    first = json.dumps(judge(raw).to_json(), default=str)
    assert json.dumps(judge(copy.deepcopy(raw)).to_json(), default=str) == first


@SETTINGS
@given(applicants(), st.integers(0, 3), st.integers(1, 50))
def test_more_training_never_unmeets_training(raw, which, extra):
    before = judge(raw)
    more = copy.deepcopy(raw)
    if more["training"]:
        more["training"][which % len(more["training"])]["hours"] += extra
    else:
        more["training"].append({"hours": extra, "date": raw["as_of"], "topics": ["relationship_based"]})
    after = {(r.policy, r.category, q.id): q.status for r in judge(more).results for q in r.requirements}
    for r in before.results:
        for q in r.requirements:
            if q.id.startswith("training.") and q.status == "met":
                assert after[(r.policy, r.category, q.id)] == "met", (r.category, q.id)


HOSTILE = st.sampled_from(['"). #false.', "<script>alert(1)</script>", "x :- y.", "}{", "%", '#include "a".'])


@SETTINGS
@given(applicants(), HOSTILE, st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=30))
def test_text_fields_never_change_verdicts(raw, hostile, text):
    other = copy.deepcopy(raw)
    other["name"] = hostile + text
    for entry in other["training"]:
        entry["title"] = hostile
    for entry in other["work"]:
        entry["title"] = text + hostile
    assert verdicts(judge(other)) == verdicts(judge(raw))


# Each reason a training or work entry is not counted for, and the edit that satisfies it.
FIXES = {
    "after the evaluation date": lambda e: e.update(date="2026-01-01"),
    "its focus": lambda e: e.update(focus="both"),
    "on neither topic": lambda e: e.update(topics=["relationship_based"]),
    "relationship-focused": lambda e: e.update(relationship_focus=True),
    "age group": lambda e: e.update(ages=["infant"]),
    "services counted here": lambda e: e.update(services=["prevention"]),
}


def _listed(raw, kind, rid="training.hours"):
    (evaluation,) = evaluate([applicant(raw)], categories=("IFS",))
    result = next(r for r in evaluation.results if r.policy == "mi-aimh")
    req = next(q for q in result.requirements if q.id == rid)
    return {n.entry: n.reason for n in req.not_counted}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["infant", "early_childhood", "both"]),
            st.sampled_from([[], ["dei"], ["relationship_based"], ["rsc"]]),
            st.sampled_from(["2020-01-01", "2026-11-30", "2027-06-01"]),
        ),
        min_size=1,
        max_size=4,
    ),
    st.booleans(),
    st.sampled_from([["infant"], ["early_childhood"]]),
    st.sampled_from([["prevention"], ["promotion"]]),
)
def test_fixing_the_stated_reason_counts_the_entry(training, focused, ages, services):
    """An entry listed as not counted, changed to satisfy its stated reason, is counted or has another reason."""
    raw = {
        "id": "p",
        "as_of": "2026-12-02",
        "degrees": [{"level": "bachelor", "conferred": "2015-01-01"}],
        "training": [{"hours": 10, "date": d, "focus": f, "topics": t} for f, t, d in training],
        "work": [{"start": "2016-01-01", "relationship_focus": focused, "ages": ages, "services": services}],
    }
    for kind, rid in (("training", "training.hours"), ("work", "work.experience")):
        for entry, why in _listed(raw, kind, rid).items():
            if not entry.startswith(kind):
                continue
            fix = next((f for key, f in FIXES.items() if key in why), None)
            assert fix is not None, why
            fixed = copy.deepcopy(raw)
            fix(fixed[kind][int(entry[len(kind) + 1 : -1])])
            assert _listed(fixed, kind, rid).get(entry) != why


@SETTINGS
@given(applicants())
def test_a_requirement_met_on_review_says_what_to_confirm_and_only_then(raw):
    """Each review requirement names the entries a reviewer is asked to confirm (confirm/7); no other does."""
    for r in judge(raw).results:
        for q in r.requirements:
            assert bool(q.confirm) == (q.status == "review"), (r.policy, r.category, q.id)
