"""`need` and `what-if`: every alternative is sound and minimal, the cheapest is found
(checked against a brute force), and what-if agrees with need."""

import itertools
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from strategies import applicant, applicants

from endorse_asp import edits, load
from endorse_asp.cli import main
from endorse_asp.evaluate import evaluate
from endorse_asp.needs import describe, fill_needs, plan, solver_for
from endorse_asp.policy import load_program
from endorse_asp.whatif import what_if

PROGRAM = load_program()
REACHED = ("eligible", "needs_review")
FACTS = "facts"


def status_of(app, day, policy, code):
    (e,) = evaluate([app], as_of=day, program=PROGRAM, categories=[code])
    return next(r.status for r in e.results if (r.policy, r.category) == (policy, code))


def check_alternative(app, day0, policy, code, alt):
    """Sound: all edits reach the category on the alternative's date (through what-if);
    minimal: leaving out any one item's edits does not."""
    day = alt.as_of or day0
    everything = [e for item in alt.items for e in item.edits]
    result = what_if(app, everything, as_of=day, program=PROGRAM, categories=[code])
    after = next(r.status for r in result.after.results if (r.policy, r.category) == (policy, code))
    assert after in REACHED, (policy, code, alt)
    for left_out in alt.items:
        rest = [e for item in alt.items if item is not left_out for e in item.edits]
        edited = edits.apply(app, rest) if rest else app
        assert status_of(edited, day, policy, code) not in REACHED, (policy, code, left_out.text)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(applicants(), st.randoms(use_true_random=False))
def test_every_alternative_is_sound_and_minimal(raw, rnd):
    app = applicant(raw)
    (e,) = evaluate([app], program=PROGRAM)
    open_ = [r for r in e.results if r.status not in REACHED]
    rnd.shuffle(open_)
    e.results = open_[:2]
    fill_needs(e, app, PROGRAM, limit=3)
    for r in e.results:
        for alt in r.needs:
            assert alt.items or alt.as_of, "an alternative without items must be reached by time"
            check_alternative(app, e.as_of, r.policy, r.category, alt)


def offered_items(solver, s, policy, code):
    return sorted(
        {(term, cost) for (sc, term, cost) in solver.offers if sc == s and (term, policy, code) in solver.serves},
        key=str,
    )


def cheapest_by_brute_force(app, day0, policy, code, solver):
    """The lowest cost of any sound subset of the items offered for the category, per scenario."""
    best = None
    for s, day in enumerate(solver.dates):
        offered = offered_items(solver, s, policy, code)
        subsets = [c for n in range(len(offered) + 1) for c in itertools.combinations(offered, n)]
        apps = [
            edits.apply(app, [x for term, _ in c for x in describe(term, "", day0, day, app.data).edits]) if c else app
            for c in subsets
        ]
        for combo, ev in zip(subsets, evaluate(apps, as_of=day, program=PROGRAM, categories=[code])):
            status = next(r.status for r in ev.results if (r.policy, r.category) == (policy, code))
            cost = sum(k for _, k in combo)
            if status in REACHED and (best is None or cost < best):
                best = cost
    return best


EXAMPLES = sorted(Path(FACTS).glob("*.yaml"))
REMOVALS = [
    "del exam",
    "del memberships",
    "ethics_signed=false",
    "del agreement_signed",
    "del training",
    "del references[0]",
    "del references[1]",
    "del references[2]",
    "del rsc[0]",
    "del rsc",
    "del work[0]",
    "del degrees[0]",
    "del leadership",
    "training[0].hours=1",
    "rsc[0].hours=1",
    "del credentials",
]


@st.composite
def near_misses(draw):
    """A bundled example with one to three things taken away: few items to find, so a brute force can check."""
    app = load.load_file(draw(st.sampled_from(EXAMPLES)))
    for removal in draw(st.lists(st.sampled_from(REMOVALS), min_size=1, max_size=3, unique=True)):
        try:
            app = edits.apply(app, [removal])
        except load.InputError:
            pass  # nothing there to take away
    return app


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(near_misses(), st.randoms(use_true_random=False))
def test_no_cheaper_alternative_is_missed(app, rnd):
    (e,) = evaluate([app], program=PROGRAM)
    open_ = [r for r in e.results if r.status not in REACHED]
    assume(open_)
    r = rnd.choice(open_)
    solver = solver_for(PROGRAM, app, e, [(r.policy, r.category)], plan=False)
    assume(all(len(offered_items(solver, s, r.policy, r.category)) <= 7 for s in range(len(solver.dates))))
    found = solver.alternatives([(r.policy, r.category)], 1)
    brute = cheapest_by_brute_force(app, e.as_of, r.policy, r.category, solver)
    assert (found[0][0] if found else None) == brute


def test_time_alone_can_be_the_answer():
    app = load.load_file(f"{FACTS}/daniel-novak.yaml")
    (e,) = evaluate([app], program=PROGRAM, categories=["IMHS"])
    fill_needs(e, app, PROGRAM)
    imhs = next(r for r in e.results if r.policy == "mi-aimh")
    assert imhs.needs[0].items == [] and imhs.needs[0].cost == 0
    assert str(imhs.needs[0].as_of) == "2024-12-15"


def test_a_signature_is_the_cheapest_fix_for_an_unknown_ethics_statement():
    app = load.load_file(f"{FACTS}/olivia-grant.yaml")
    (e,) = evaluate([app], program=PROGRAM, categories=["IFA"])
    fill_needs(e, app, PROGRAM)
    first = next(r for r in e.results if r.policy == "mi-aimh").needs[0]
    assert first.cost == 1 and [i.edits for i in first.items] == [["ethics_signed=true"]]


def test_a_plan_shares_items_and_an_impossible_plan_is_empty():
    app = load.load_file(f"{FACTS}/olivia-grant.yaml")
    (e,) = evaluate([app], program=PROGRAM)
    both, why_not = plan(e, app, [("mi-aimh", "IFA"), ("mi-aimh", "IFS")], PROGRAM)
    assert both and both[0].cost == 1 and why_not is None  # one signature serves both
    jordan = load.load_file(f"{FACTS}/jordan-lee.yaml")
    (j,) = evaluate([jordan], program=PROGRAM)
    none, why_not = plan(j, jordan, [("mi-aimh", "IMHM-C"), ("mi-aimh", "ECMHS")], PROGRAM)
    assert none == []  # two different exams, and the reason says so
    assert why_not == (
        "an applicant file records one examination: mi-aimh/IMHM-C asks for the IMH examination "
        "and mi-aimh/ECMHS asks for the ECMH examination"
    )


def test_need_json_follows_the_contract():
    result = CliRunner().invoke(main, ["need", f"{FACTS}/jordan-lee.yaml", "--format", "json"])
    assert result.exit_code == 0
    out = json.loads(result.output)
    for r in out["results"]:
        if r["status"] in REACHED:
            assert r["needs"] == []
            continue
        assert r["needs"], (r["policy"], r["category"])
        costs = [a["cost"] for a in r["needs"]]
        assert costs == sorted(costs)
        for alt in r["needs"]:
            assert all(i["id"] and i["text"] and i["edits"] for i in alt["items"])
            assert "as_of" not in alt or alt["as_of"] > out["as_of"]


def test_goal_plans_in_json_and_bad_goals():
    runner = CliRunner()
    out = json.loads(
        runner.invoke(
            main,
            [
                "need",
                f"{FACTS}/olivia-grant.yaml",
                "--goal",
                "mi-aimh/IFA",
                "--goal",
                "mi-aimh/IFS",
                "--format",
                "json",
            ],
        ).output
    )
    assert out["plans"][0]["items"][0]["edits"] == ["ethics_signed=true"]
    bad = runner.invoke(main, ["need", f"{FACTS}/olivia-grant.yaml", "--goal", "mi-aimh/IMSH"])
    assert bad.exit_code == 2 and "did you mean 'IMHS'" in bad.output


def test_what_if_json_lists_changes_and_edits():
    result = CliRunner().invoke(
        main, ["what-if", f"{FACTS}/olivia-grant.yaml", "--edit", "ethics_signed=true", "--format", "json"]
    )
    assert result.exit_code == 0
    out = json.loads(result.output)
    assert out["edits"] == ["ethics_signed=true"]
    ifa = next(c for c in out["changes"] if (c["policy"], c["category"]) == ("mi-aimh", "IFA"))
    assert (ifa["before"], ifa["after"]) == ("incomplete", "eligible")
    assert {
        "id": "ethics",
        "before": "unknown",
        "after": "met",
        "detail_before": "not stated in the file",
        "detail_after": "",
    } in ifa["requirements"]


@pytest.mark.parametrize(
    "edit, path",
    [
        ("training[9].hours=4", "training[9].hours"),
        ("trainig+={hours: 3}", "trainig"),
        ("exam.passed=maybe", "exam.passed"),
        ("nonsense", ""),
    ],
)
def test_a_bad_edit_is_an_input_error(edit, path):
    result = CliRunner().invoke(main, ["what-if", f"{FACTS}/olivia-grant.yaml", "--edit", edit])
    assert result.exit_code == 2
    assert f"{FACTS}/olivia-grant.yaml: {path}" in result.stderr


def test_brute_force_agrees_on_a_known_near_miss():
    app = edits.apply(load.load_file(f"{FACTS}/jordan-lee.yaml"), ["del memberships", "training[0].hours=1"])
    (e,) = evaluate([app], program=PROGRAM, categories=["IFS"])
    solver = solver_for(PROGRAM, app, e, [("mi-aimh", "IFS")], plan=False)
    found = solver.alternatives([("mi-aimh", "IFS")], 1)
    assert found[0][0] == cheapest_by_brute_force(app, e.as_of, "mi-aimh", "IFS", solver) == 5  # a membership


@pytest.mark.parametrize("name", ["facts/jordan-lee.yaml", "bench/far/no-degree.yaml"])
def test_each_copy_starts_from_its_own_plain_evaluation(name):
    """The record is judged once per scenario date for all the codes tried on it; each copy
    takes exactly the facts it would have if its one code were judged alone on that date."""
    from endorse_asp.evaluate import case_for
    from endorse_asp.needs import READ_BEFORE
    from endorse_asp.solve import answer_sets
    from endorse_asp.terms import decode

    app = load.load_file(name)
    (e,) = evaluate([app], program=PROGRAM)
    goals = [(r.policy, r.category) for r in e.results if r.status == "not_eligible"]
    solver = solver_for(PROGRAM, app, e, goals, plan=False)
    codes = sorted({c for _, c in goals})[:4]
    cases = [case_for(PROGRAM, app, day, (code,)) for day in solver.dates[:3] for code in codes]
    together = solver._plain(cases)
    for case, facts in zip(cases, together):
        (alone,) = answer_sets(PROGRAM, [case])
        assert sorted(map(decode, facts)) == sorted(f for f in alone if f[0] in READ_BEFORE)
        assert any(f[0] == "status" for f in alone)
