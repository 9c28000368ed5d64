"""`endorse renew FILE --year YYYY` (cli.md, "Renewal"): each endorsement held, judged by the
renewal requirements of its association's policy over the calendar year (rulings 11, 14)."""

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from endorse_asp import edits, load
from endorse_asp.cli import main
from endorse_asp.renew import policy_for, renew

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "facts"
MEGAN = str(FACTS / "megan-oconnell.yaml")  # IFS from MassAIMH since 2020
PATRICIA = str(FACTS / "patricia-holm.yaml")  # LEVEL-IV-C and IMHM-C from MI-AIMH


def endorse(*args):
    return CliRunner().invoke(main, list(args))


def base_record(**changes) -> dict:
    """A holder with nothing done in 2024 unless the test adds it."""
    raw = {
        "id": "holder",
        "as_of": "2024-12-31",
        "residence": "MI",
        "degrees": [{"level": "master", "title": "MSW", "conferred": "2010-05-01"}],
        "memberships": [{"association": "MI-AIMH", "start": "2015-01-01"}],
        "endorsements": [{"category": "IMHS", "association": "MI-AIMH", "earned": "2016-01-01"}],
    }
    raw.update(changes)
    return raw


def judge(raw: dict, year: int = 2024):
    (result,) = renew([load.validate(copy.deepcopy(raw), "test")], year)
    return result


def statuses(result, code=None):
    ((_, r),) = [(h, r) for h, r in result.results if code is None or r.category == code]
    return r.status, {q.id: q.status for q in r.requirements}, r


TRAINING_15 = [
    {"title": "IMH conference", "hours": 15, "date": "2024-04-01", "topics": ["relationship_based"], "focus": "infant"}
]
RSC_12 = [
    {
        "provider": "Dr. A",
        "provider_endorsement": "IMHM-C",
        "start": "2024-01-10",
        "end": "2024-11-20",
        "hours": 12,
        "while": ["services"],
        "ages": ["infant"],
    }
]


# --- the command -------------------------------------------------------------------------


def test_text_names_each_endorsement_its_policy_and_every_requirement():
    result = endorse("renew", PATRICIA, "--year", "2024")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "renewal for 2024" in out
    assert "LEVEL-IV-C (MI-AIMH, earned 2009-04-01) under mi-aimh-levels" in out
    assert "IMHM-C (MI-AIMH, earned 2015-06-01) under mi-aimh" in out
    assert "rsc.annual: 11 of 10 hours" in out  # three years held: 10 hours (002, 001)
    assert all(len(line) <= 80 for line in out.splitlines())


def test_json_follows_the_contract():
    result = endorse("renew", MEGAN, "--year", "2024", "--format", "json")
    assert result.exit_code == 0
    out = json.loads(result.output)
    assert out["applicant"] == "megan-oconnell" and out["year"] == 2024
    (r,) = out["results"]
    assert (r["policy"], r["category"], r["status"]) == ("massaimh", "IFS", "not_eligible")
    assert r["blockers"] == ["rsc.annual", "training.annual"]
    assert r["held"] == {"association": "MassAIMH", "earned": "2020-06-15", "provides_rsc": False}
    for q in r["requirements"]:
        assert q["id"].split(".")[0] in {"training", "rsc", "membership"}
        assert q["summary"] and q["source"]["document"].endswith(".txt")
    assert r["needs"] and all(i["edits"] for a in r["needs"] for i in a["items"])
    assert out["not_judged"] == []


@pytest.mark.parametrize(
    "args, message",
    [
        (["renew", MEGAN], "Missing option '--year'"),
        (["renew", MEGAN, "--year", "twenty"], "not a valid integer"),
        (["renew", MEGAN, "--year", "20"], "not in the range"),
        (["renew", "no/such/file.yaml", "--year", "2024"], "no/such/file.yaml"),
        (["renew", MEGAN, "--year", "2024", "--format", "html"], "'html' is not one of"),
    ],
)
def test_usage_and_input_errors_exit_2(args, message):
    result = endorse(*args)
    assert result.exit_code == 2
    assert message in result.output + result.stderr


def test_an_invalid_file_exits_2_with_the_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nendorsements:\n  - {category: IMHS, association: MI-AIMH, earned: someday}\n")
    result = endorse("renew", str(bad), "--year", "2024")
    assert result.exit_code == 2 and "endorsements[0].earned" in result.stderr


def test_a_file_without_endorsements_says_so_and_exits_0():
    result = endorse("renew", str(FACTS / "jordan-lee.yaml"), "--year", "2024")
    assert result.exit_code == 0 and "no endorsements held" in result.output


# --- association -> policy (ruling 14) and what cannot be judged ---------------------------


@pytest.mark.parametrize(
    "category, association, policy",
    [
        ("IMHS", "MI-AIMH", "mi-aimh"),
        ("LEVEL-III", "MI-AIMH", "mi-aimh-levels"),
        ("IFS", "MassAIMH", "massaimh"),
        ("IMHS", "VAIMH", "vaimh"),
        ("IMHS", "ORIMHA", "orimha"),
        ("IMHS", "WAIMH", None),
    ],
)
def test_association_decides_the_policy(category, association, policy):
    assert policy_for({"category": category, "association": association}) == policy


def test_what_cannot_be_judged_is_reported_with_the_reason():
    result = judge(
        base_record(
            endorsements=[
                {"category": "IMHS", "association": "Texas AIMH"},
                {"category": "IFRS", "association": "VAIMH"},
                {"category": "IFS", "association": "ORIMHA"},
                {"category": "IMHS", "association": "MI-AIMH", "earned": "2025-02-01"},
            ]
        )
    )
    assert result.results == []
    reasons = [(s["category"], s["reason"]) for s in result.not_judged]
    assert ("IMHS", "no policy here judges endorsements from Texas AIMH (ruling 14)") in reasons
    assert ("IFRS", "vaimh gives no annual renewal requirements for IFRS") in reasons
    assert ("IFS", "orimha gives no annual renewal requirements for IFS") in reasons
    assert ("IMHS", "earned on 2025-02-01, after 2024") in reasons


def test_a_year_before_the_policy_is_in_force_is_not_judged():
    result = judge(base_record(), 2015)
    assert result.results == [] and "not in force on 2015-12-31" in result.not_judged[0]["reason"]
    legacy = judge(base_record(endorsements=[{"category": "LEVEL-III", "association": "MI-AIMH"}]), 2015)
    assert [r.policy for _, r in legacy.results] == ["mi-aimh-levels"]  # ruling 13: any date


# --- the requirements of a year --------------------------------------------------------------


def test_training_rsc_and_membership_within_the_year_renew_an_imhs():
    status, reqs, _ = statuses(judge(base_record(training=TRAINING_15, rsc=RSC_12)))
    assert status == "eligible"
    assert reqs == {
        "training.annual": "met",
        "rsc.annual": "met",
        "membership.annual": "met",
        "training.rsc_topic": "met",
    }


def test_training_outside_the_year_or_off_topic_does_not_count():
    training = [
        dict(TRAINING_15[0], date="2023-12-31"),
        dict(TRAINING_15[0], topics=["dei"]),
        dict(TRAINING_15[0], focus="early_childhood"),
    ]
    status, reqs, r = statuses(judge(base_record(training=training, rsc=RSC_12)))
    assert status == "not_eligible" and reqs["training.annual"] == "unmet"
    assert next(q for q in r.requirements if q.id == "training.annual").detail.startswith("0 of 15 hours")


def test_rsc_running_across_the_new_year_is_unknown_when_it_could_make_up_the_hours():
    across = [dict(RSC_12[0], start="2023-11-01", end="2024-03-31")]
    assert statuses(judge(base_record(training=TRAINING_15, rsc=across)))[1]["rsc.annual"] == "unknown"
    too_few = [dict(RSC_12[0], start="2023-11-01", end="2024-03-31", hours=11)]
    assert statuses(judge(base_record(training=TRAINING_15, rsc=too_few)))[1]["rsc.annual"] == "unmet"


def test_a_membership_counts_when_active_on_the_last_day_of_the_year():
    """Ruling 25: a membership that lapsed during the year and was not renewed does not count, and says why."""
    ended = [{"association": "MI-AIMH", "start": "2015-01-01", "end": "2024-03-31"}]
    status, reqs, result = statuses(judge(base_record(memberships=ended, training=TRAINING_15, rsc=RSC_12)))
    assert status == "not_eligible" and reqs["membership.annual"] == "unmet"
    (membership,) = [q for q in result.requirements if q.id == "membership.annual"]
    assert [(n.entry, n.reason) for n in membership.not_counted] == [("memberships[0]", "lapsed on 2024-03-31")]
    renewed = [{"association": "MI-AIMH", "start": "2015-01-01", "end": "2024-12-31"}]
    assert statuses(judge(base_record(memberships=renewed, training=TRAINING_15, rsc=RSC_12)))[0] == "eligible"
    later = [{"association": "MI-AIMH", "start": "2025-01-01"}]
    assert (
        statuses(judge(base_record(memberships=later, training=TRAINING_15, rsc=RSC_12)))[1]["membership.annual"]
        == "unmet"
    )


def test_the_rsc_training_line_binds_only_those_who_provide_rsc():
    providing = base_record(
        training=TRAINING_15,
        rsc=RSC_12,
        endorsements=[{"category": "IMHS", "association": "MI-AIMH", "provides_rsc": True}],
    )
    status, reqs, _ = statuses(judge(providing))
    assert status == "not_eligible" and reqs["training.rsc_topic"] == "unmet"
    providing["training"] = TRAINING_15 + [{"hours": 3, "date": "2024-06-01", "topics": ["rsc"], "focus": "infant"}]
    assert statuses(judge(providing))[0] == "eligible"


def test_a_family_specialist_owes_the_rsc_training_only_when_masters_prepared():
    ifs = [{"category": "IFS", "association": "MI-AIMH", "provides_rsc": True}]
    bachelor = [{"level": "bachelor", "title": "BA", "conferred": "2010-05-01"}]
    assert (
        statuses(judge(base_record(degrees=bachelor, endorsements=ifs, training=TRAINING_15, rsc=RSC_12)))[1][
            "training.rsc_topic"
        ]
        == "met"
    )
    assert (
        statuses(judge(base_record(endorsements=ifs, training=TRAINING_15, rsc=RSC_12)))[1]["training.rsc_topic"]
        == "unmet"
    )


def test_clinical_mentors_need_didactic_rsc_training():
    mentor = [{"category": "IMHM-C", "association": "MI-AIMH", "earned": "2023-06-01", "provides_rsc": True}]
    rsc_training = {"hours": 3, "date": "2024-06-01", "topics": ["rsc"], "didactic": False, "focus": "infant"}
    raw = base_record(endorsements=mentor, training=TRAINING_15 + [rsc_training], rsc=RSC_12)
    assert statuses(judge(raw))[1]["training.rsc_topic"] == "unmet"
    raw["training"][1]["didactic"] = True
    assert statuses(judge(raw))[0] == "eligible"


@pytest.mark.parametrize(
    "earned, hours, status",
    [
        ("2021-01-01", 10, "met"),  # held 1,461 days by 2024-12-31: 10 hours suffice
        ("2022-01-02", 10, "met"),  # 2022-01-02 through 2024-12-31 is 1,095 days (project ruling RN3)
        ("2022-01-03", 10, "unmet"),  # 1,094 days: still 12
        ("2023-06-01", 11.5, "unmet"),
        (None, 10, "unknown"),  # not known whether three years have passed
        (None, 12, "met"),
    ],
)
def test_clinical_mentors_need_10_hours_after_three_years(earned, hours, status):
    mentor = {"category": "IMHM-C", "association": "MI-AIMH"}
    if earned:
        mentor["earned"] = earned
    raw = base_record(endorsements=[mentor], training=TRAINING_15, rsc=[dict(RSC_12[0], hours=hours)])
    assert statuses(judge(raw))[1]["rsc.annual"] == status


def test_associates_and_policy_mentors_have_no_rsc_requirement():
    for code in ("IFA", "IMHM-P", "ECMHM-RF"):
        raw = base_record(
            endorsements=[{"category": code, "association": "MI-AIMH"}], training=[dict(TRAINING_15[0], focus="both")]
        )
        status, reqs, _ = statuses(judge(raw))
        assert status == "eligible" and set(reqs) == {"training.annual", "membership.annual"}, code


def test_massaimh_recommends_the_rsc_hours_through_2023_and_requires_them_after():
    (in_2023,) = renew([load.load_file(MEGAN)], 2023)
    status, reqs, r = statuses(in_2023)
    assert status == "eligible" and "rsc.annual" not in reqs
    assert [(a.id, a.detail) for a in r.advisories] == [("rsc.annual", "8 of 12 hours")]
    (in_2024,) = renew([load.load_file(MEGAN)], 2024)
    assert statuses(in_2024)[1]["rsc.annual"] == "unmet"


def test_massaimh_asks_its_own_membership_and_mi_aimh_any():
    mass = base_record(endorsements=[{"category": "IMHS", "association": "MassAIMH"}], training=TRAINING_15, rsc=RSC_12)
    assert statuses(judge(mass))[1]["membership.annual"] == "unmet"
    mass["memberships"].append({"association": "massaimh", "start": "2024-01-01"})
    assert statuses(judge(mass))[0] == "eligible"


def test_vaimh_renews_from_the_guidelines_with_vaimh_membership():
    va = base_record(endorsements=[{"category": "IMHS", "association": "VAIMH"}], training=TRAINING_15, rsc=RSC_12)
    status, reqs, r = statuses(judge(va))
    assert r.policy == "vaimh" and reqs["membership.annual"] == "unmet" and "residency" not in reqs


def test_level_iv_clinical_only_recommends_the_rsc_training():
    raw = base_record(
        endorsements=[{"category": "LEVEL-IV-C", "association": "MI-AIMH", "provides_rsc": True}], training=TRAINING_15
    )
    status, reqs, r = statuses(judge(raw))
    assert status == "eligible" and set(reqs) == {"training.annual", "membership.annual"}
    assert [a.id for a in r.advisories] == ["training.rsc_topic"]
    raw["endorsements"][0]["category"] = "LEVEL-III"
    assert statuses(judge(raw))[1]["training.rsc_topic"] == "unmet"  # 000: "must" at Level III


def test_what_is_missing_applied_as_edits_renews():
    """Every renewal not reached lists what the year lacks; applying those edits renews it."""
    raw = base_record(
        endorsements=[{"category": "IMHM-C", "association": "MI-AIMH", "provides_rsc": True, "earned": "2023-01-01"}],
        memberships=[{"association": "MI-AIMH", "start": "2015-01-01", "end": "2023-12-31"}],
        training=[dict(TRAINING_15[0], hours=4)],
        rsc=[dict(RSC_12[0], hours=5)],
    )
    _, reqs, r = statuses(judge(raw))
    assert {k for k, v in reqs.items() if v != "met"} == {
        "training.annual",
        "training.rsc_topic",
        "rsc.annual",
        "membership.annual",
    }
    (alternative,) = r.needs
    applicant = edits.apply(load.validate(copy.deepcopy(raw), "test"), [e for i in alternative.items for e in i.edits])
    (after,) = renew([applicant], 2024)
    assert statuses(after)[0] == "eligible"
    assert alternative.cost == (15 - 4) + 2 * (12 - 5) + 5
