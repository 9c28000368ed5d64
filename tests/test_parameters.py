"""Thresholds as dated parameters (issue 14, parts 1 and 2): every number lives in a policy's
parameters.yaml with its description, unit and reference; the engine hands clingo the value in
force on the evaluation date; moving the numbers there changed no verdict.

tests/snapshots/verdicts.txt holds the verdicts of every committee case and example as the
rules gave them before the move (tests/verdicts.py). After a deliberate change of verdicts,
refresh it with

    UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_parameters.py -k snapshot

and review the diff like any other change.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest
from verdicts import lines, verdicts

from endorse_asp import edits, load, parameters
from endorse_asp.evaluate import evaluate
from endorse_asp.policy import POLICY_ROOT, load_program

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = Path(__file__).parent / "snapshots" / "verdicts.txt"


def test_the_verdicts_of_every_case_and_example_are_those_of_the_snapshot():
    now = lines(verdicts())
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text("\n".join(now) + "\n", encoding="utf-8")
    was = SNAPSHOT.read_text(encoding="utf-8").splitlines()
    assert len(now) > 600
    changed = sorted(set(now) ^ set(was))
    assert not changed, "verdicts changed for:\n" + "\n".join(changed[:20])


def test_no_rule_file_sets_a_threshold_and_every_one_has_its_reference():
    assert POLICY_ROOT is not None
    files = sorted(POLICY_ROOT.glob("*/" + parameters.FILE))
    assert {f.parent.name for f in files} >= {"mi-aimh", "mi-aimh-levels", "vaimh"}
    for file in files:
        found, problems = parameters.read(file)
        assert not problems, (file, problems)
        for name, entry in found.items():
            assert entry["description"] and entry["unit"] in parameters.UNITS, name
            assert entry["reference"]["document"] and entry["reference"]["section"], name
    for rules in POLICY_ROOT.glob("*/**/*.lp"):
        if rules.parent.name != "common":
            assert "threshold(p" not in rules.read_text(encoding="utf-8"), rules


@pytest.fixture()
def dated(tmp_path) -> Path:
    """The policies, with one line added: IFS needs 30 hours of RS/C from 2027-01-01."""
    root = tmp_path / "policies"
    shutil.copytree(POLICY_ROOT, root)
    file = root / "mi-aimh" / parameters.FILE
    text = file.read_text(encoding="utf-8")
    old = "    IFS:\n      2017-01-01: 24\n"
    assert text.count(old) == 1
    file.write_text(text.replace(old, old + "      2027-01-01: 30\n"), encoding="utf-8")
    return root


def rsc_hours(root: Path, day: dt.date, hours: int) -> dict:
    """(status, detail) of rsc.hours for IFS, per policy, for Daniel Novak with `hours` of RS/C."""
    applicant = edits.apply(load.load_file(ROOT / "facts" / "daniel-novak.yaml"), [f"rsc[0].hours={hours}"])
    (evaluation,) = evaluate([applicant], as_of=day, program=load_program(root))
    return {
        r.policy: next((q.status, q.detail) for q in r.requirements if q.id == "rsc.hours")
        for r in evaluation.results
        if r.category == "IFS"
    }


def test_a_change_from_a_future_date_is_one_line_and_evaluation_follows_it(dated):
    before = rsc_hours(dated, dt.date(2026, 12, 31), 26)
    after = rsc_hours(dated, dt.date(2027, 1, 1), 26)
    assert before["mi-aimh"][0] == "met" and "of 24 hours" in before["mi-aimh"][1]
    assert after["mi-aimh"] == ("unmet", "26 of 30 hours within a 1-to-2-year window after the bachelor's degree")
    # the policies that inherit the value follow it; ECFS keeps its own 24
    assert after["massaimh"][0] == "unmet" and before["massaimh"][0] == "met"
    assert "of 30 hours" in after["vaimh"][1] and "of 24 hours" in before["vaimh"][1]
    program = load_program(dated)
    assert program.catalogue.thresholds[("mi-aimh@2027-01-01", "ECFS")]["rsc_hours"] == 24
    assert program.catalogue.thresholds[("mi-aimh", "IFS")]["rsc_hours"] == 24
    assert program.catalogue.thresholds[("mi-aimh@2027-01-01", "IFS")]["rsc_hours"] == 30
    # the summary names the threshold, so its prose follows the value with no second edit
    summary = program.catalogue.requirements
    assert summary[("mi-aimh", "IFS")]["rsc.hours"].startswith("24 hours of reflective")
    assert summary[("mi-aimh@2027-01-01", "IFS")]["rsc.hours"].startswith("30 hours of reflective")
    assert summary[("mi-aimh@2027-01-01", "IMHS")]["rsc.hours"].startswith("50 hours of reflective")


def test_a_summary_says_each_threshold_in_words():
    assert parameters.filled("{rsc_hours} of RS/C", {"rsc_hours": 24}) == "24 hours of RS/C"
    assert parameters.filled("{mentor_days} of work", {"mentor_days": 1095}) == "3 years of work"
    assert parameters.filled("{leadership_days} of it", {"leadership_days": 365}) == "1 year of it"
    assert parameters.filled("{internship_days}", {"internship_days": 200}) == "200 days"
    assert parameters.filled("at least {families}", {"families": 10}) == "at least 10 families"
    assert parameters.filled("{unknown} stays", {}) == "{unknown} stays"
    shown = load_program().catalogue.requirements
    assert not [s for reqs in shown.values() for s in reqs.values() if "{" in s]


def test_the_shipped_rules_have_one_variant_per_policy_and_exception():
    # Values that never change add no variant: the program is ground as before the move.
    assert sorted(load_program().variants) == [
        "massaimh",
        "massaimh+capacity-building",
        "mi-aimh",
        "mi-aimh-levels",
        "orimha",
        "vaimh",
    ]


def test_policy_show_json_locates_every_threshold():
    from click.testing import CliRunner

    from endorse_asp.cli import main

    result = CliRunner().invoke(main, ["policy", "show", "vaimh", "--format", "json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["policy"] == "vaimh"
    requirements = {(c["code"], r["id"]): r for c in shown["categories"] for r in c["requirements"]}
    assert set(shown["categories"][0]) == {"code", "title", "requirements"}
    assert set(requirements[("IFS", "rsc.hours")]) == {"id", "summary", "source", "thresholds"}
    (inherited,) = requirements[("IFS", "rsc.hours")]["thresholds"]
    (own,) = requirements[("IFRS", "rsc.hours")]["thresholds"]
    for threshold, owner, value in ((inherited, "mi-aimh", 24), (own, None, 24)):
        assert set(threshold) == {"name", "value", "unit", "since", "set_in", "inherited_from"}
        assert (threshold["name"], threshold["value"], threshold["unit"]) == ("rsc_hours", value, "hours")
        assert threshold["since"] == "2017-01-01" and threshold["inherited_from"] == owner
        file, line = threshold["set_in"].split(":")
        text = (POLICY_ROOT / file).read_text(encoding="utf-8").splitlines()
        assert text[int(line) - 1].strip() == f"2017-01-01: {value}"  # the very line to change
    assert inherited["set_in"].startswith("mi-aimh/") and own["set_in"].startswith("vaimh/")
    # every threshold a requirement rests on is located
    located = [t for r in requirements.values() for t in r["thresholds"]]
    assert len(located) > 20 and all(t["set_in"] and t["unit"] for t in located)
