"""Properties of evaluation over generated applicants (hypothesis)."""
import copy
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from endorse_asp.evaluate import evaluate
from strategies import applicant, applicants

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def judge(raw):
    (evaluation,) = evaluate([applicant(raw)])
    return evaluation


def verdicts(evaluation):
    return {(r.policy, r.category): (r.status, tuple(r.blockers),
                                     tuple((q.id, q.status, q.detail) for q in r.requirements))
            for r in evaluation.results}


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


HOSTILE = st.sampled_from(['"). #false.', "<script>alert(1)</script>", "x :- y.", "}{", "%", "#include \"a\"."])


@SETTINGS
@given(applicants(), HOSTILE, st.text(max_size=30))
def test_text_fields_never_change_verdicts(raw, hostile, text):
    other = copy.deepcopy(raw)
    other["name"] = hostile + text
    for entry in other["training"]:
        entry["title"] = hostile
    for entry in other["work"]:
        entry["title"] = text + hostile
    assert verdicts(judge(other)) == verdicts(judge(raw))
