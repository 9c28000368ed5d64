"""What a policy is lives in its folder, not in Python: a sixth association, added as a folder
of its own beside the others (its policy.yaml extending mi-aimh, one rule file), is listed,
evaluated and renewed with no change to endorse_asp."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from endorse_asp import order
from endorse_asp.cli import main
from endorse_asp.policy import POLICY_ROOT, read_policy
from endorse_asp.terms import RenewalOf

ROOT = Path(__file__).resolve().parent.parent

SIXTH = {
    "id": "nyaimh",
    "title": "NYAIMH Endorsement (the Competency Guidelines, as a sixth association adopts them)",
    "version": "2024.1",
    "valid_from": "2017-01-01",
    "valid_to": None,
    "extends": "mi-aimh",
    "association": "NYAIMH",
    "renews": {"association": "NYAIMH"},
    "sources": {"002": {"file": "002_b073f557d3486da6.txt", "title": "Competency Guidelines, 2017 edition"}},
}
RULES = """\
% The sixth association's own: its membership, and a dearer hour of training.
#program policy(p).
replace(p, C, "membership") :- endorsement_code(C).
requirement(p, C, "membership", "A current membership in NYAIMH") :- initial(p, C).
membership_required(p, C, "membership", "NYAIMH") :- initial(p, C).
replace(p, renewal(C), "membership.annual") :- endorsement_code(C).
requirement(p, renewal(C), "membership.annual", "A NYAIMH membership during the year") :- renews(p, C).
annual_membership(p, renewal(C), "membership.annual", "NYAIMH") :- renews(p, C).
cost(p, training_hour, 3).
"""
HOLDER = {
    "id": "holder",
    "name": "A holder in New York",
    "as_of": "2024-12-31",
    "residence": "NY",
    "degrees": [{"level": "master", "title": "MSW", "conferred": "2010-05-01"}],
    "training": [
        {
            "title": "IMH conference",
            "hours": 5,
            "date": "2024-04-01",
            "topics": ["relationship_based"],
            "focus": "infant",
        }
    ],
    "memberships": [{"association": "NYAIMH", "start": "2015-01-01"}],
    "endorsements": [
        {"category": "IMHS", "association": "NYAIMH", "earned": "2016-01-01"},
        {"category": "IMHS", "association": "Texas AIMH"},
    ],
}


@pytest.fixture()
def rules(tmp_path) -> Path:
    root = tmp_path / "policies"
    root.mkdir()
    for folder in ("common", "mi-aimh"):
        (root / folder).symlink_to(POLICY_ROOT / folder)
    (root / "nyaimh").mkdir()
    (root / "nyaimh" / "policy.yaml").write_text(yaml.safe_dump(SIXTH, sort_keys=False), encoding="utf-8")
    (root / "nyaimh" / "membership.lp").write_text(RULES, encoding="utf-8")
    (tmp_path / "holder.yaml").write_text(yaml.safe_dump(HOLDER, sort_keys=False), encoding="utf-8")
    return root


def endorse(rules: Path, *args: str):
    out = CliRunner().invoke(main, ["--policies", str(rules), *args], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    return out.output


def test_a_sixth_association_is_listed_after_the_policy_it_extends(rules):
    listed = json.loads(endorse(rules, "policy", "list", "--format", "json"))
    assert {p["id"] for p in listed} == {"mi-aimh", "nyaimh"}
    (sixth,) = [p for p in listed if p["id"] == "nyaimh"]
    assert sixth["association"] == "NYAIMH" and sixth["extends"] == "mi-aimh"
    assert sixth["categories"][:3] == ["IFA", "ECFA", "IFS"]  # its base's order
    assert "IMHS" in sixth["renewals"]
    policies = {p.id: p for p in (read_policy(rules / d, i) for i, d in enumerate(["nyaimh", "mi-aimh"]))}
    assert order.policy_order(policies) == ("mi-aimh", "nyaimh")


def shipped() -> dict:
    return {
        p.id: p
        for p in (
            read_policy(POLICY_ROOT / d, i)
            for i, d in enumerate(["mi-aimh", "massaimh", "orimha", "vaimh", "mi-aimh-levels"])
        )
    }


def test_the_order_of_outputs_comes_from_the_policies():
    policies = shipped()
    assert order.policy_order(policies) == ("mi-aimh", "massaimh", "orimha", "vaimh", "mi-aimh-levels")
    # vaimh lists IFRS between IFS and IMHS: it goes before IMHS, the next one already placed
    assert order.category_order(policies) == (
        "IFA",
        "ECFA",
        "IFS",
        "ECFS",
        "IFRS",
        "IMHS",
        "ECMHS",
        "IMHM-C",
        "IMHM-P",
        "IMHM-RF",
        "ECMHM-C",
        "ECMHM-P",
        "ECMHM-RF",
        "LEVEL-I",
        "LEVEL-II",
        "LEVEL-III",
        "LEVEL-IV-C",
        "LEVEL-IV-P",
        "LEVEL-IV-RF",
    )
    assert order.category_rank(RenewalOf("IFS")) == order.category_rank("IFS")
    assert order.category_rank("NEW") == len(order.category_order(policies))  # unlisted: last


def test_a_sixth_association_is_evaluated_with_its_own_membership(rules):
    out = json.loads(
        endorse(
            rules,
            "evaluate",
            str(rules.parent / "holder.yaml"),
            "--policy",
            "nyaimh",
            "--category",
            "IMHS",
            "--format",
            "json",
        )
    )
    (imhs,) = [r for r in out["results"] if r["policy"] == "nyaimh" and r["category"] == "IMHS"]
    membership = {q["id"]: q for q in imhs["requirements"]}["membership"]
    assert membership["status"] == "met" and "NYAIMH" in membership["summary"]


def test_a_sixth_association_renews_its_endorsements_priced_by_its_own_cost_model(rules):
    out = json.loads(endorse(rules, "renew", str(rules.parent / "holder.yaml"), "--year", "2024", "--format", "json"))
    ((result,),) = [[r for r in out["results"] if r["held"]["association"] == "NYAIMH"]]
    assert (result["policy"], result["category"], result["status"]) == ("nyaimh", "IMHS", "not_eligible")
    assert set(result["blockers"]) == {"training.annual", "rsc.annual"}
    (plan,) = result["needs"]
    training = [i for i in plan["items"] if i["id"] == "training.annual"]
    assert "10 more hour(s)" in training[0]["text"]
    assert plan["cost"] == 10 * 3 + 12 * 2  # its cost/3 for training, needs.lp's default for RS/C
    (skipped,) = out["not_judged"]
    assert skipped["association"] == "Texas AIMH" and "no policy here" in skipped["reason"]
