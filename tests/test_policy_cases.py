"""Every committee test case in policies/*/tests/ runs as one pytest test."""

import pytest

from endorse_asp import policytest

CASES = policytest.collect()
OUTCOMES = {id(o.case): o for o in policytest.run(CASES)}


def test_every_policy_has_cases():
    assert {c.policy for c in CASES} >= {"mi-aimh"}


@pytest.mark.parametrize("case", CASES, ids=[f"{c.where}:{c.name[:60]}" for c in CASES])
def test_case(case):
    failures = OUTCOMES[id(case)].failures
    assert not failures, "\n".join(failures)
