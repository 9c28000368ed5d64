"""Broken rules never answer: no answer set, or more than one, is an error naming the policy (exit 1)."""

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from endorse_asp.cli import main

ROOT = Path(__file__).resolve().parent.parent
JORDAN = str(ROOT / "facts" / "jordan-lee.yaml")


@pytest.mark.parametrize(
    ("rule", "said"),
    [
        (":- judge(A, P, C).", "no answer set"),  # a constraint every applicant breaks
        ("{ extra(A) } :- judge_policy(A, _).", "more than one answer set"),  # a choice
        ("odd(A) :- judge_policy(A, _), not even(A).\neven(A) :- judge_policy(A, _), not odd(A).", "more than one"),
    ],
)
def test_rules_without_a_single_answer_give_no_verdict(tmp_path, rule, said):
    rules = tmp_path / "policies"
    for name in ("common", "mi-aimh"):
        shutil.copytree(ROOT / "policies" / name, rules / name, ignore=shutil.ignore_patterns("tests"))
    with (rules / "mi-aimh" / "categories.lp").open("a") as out:
        out.write("\n" + rule + "\n")
    result = CliRunner().invoke(main, ["--policies", str(rules), "evaluate", JORDAN, "--format", "json"])
    assert result.exit_code == 1, result.output
    assert f"the rules of policy mi-aimh give {said}" in result.output
    assert '"status"' not in result.output
