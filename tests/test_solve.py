"""Grounding only what a chunk judges: the same answers as grounding every variant."""
import datetime as dt
from pathlib import Path

import pytest

from endorse_asp import load, solve
from endorse_asp.evaluate import case_for
from endorse_asp.policy import load_program

FACTS = Path(__file__).resolve().parent.parent / "facts"


@pytest.mark.parametrize("day", [dt.date(2023, 6, 1), dt.date(2025, 6, 1)])
def test_grounding_the_variants_in_force_answers_as_grounding_all(day, monkeypatch):
    program = load_program()
    cases = [case_for(program, load.load_file(f), day) for f in sorted(FACTS.glob("*.yaml"))]
    partial = [sorted(facts) for facts in solve.answer_sets(program, cases)]
    monkeypatch.setattr(type(program), "parts", lambda self, variants=None: self._parts)
    assert partial == [sorted(facts) for facts in solve.answer_sets(program, cases)]


def test_a_date_after_an_exception_grounds_none_of_it():
    program = load_program()
    case = case_for(program, load.load_file(FACTS / "jordan-lee.yaml"), dt.date(2025, 6, 1))
    grounded = {p[0].string for _, p in program.parts(set(case.variants)) if p}
    assert "massaimh+capacity-building" not in grounded and "massaimh" in grounded
    assert "mi-aimh" in grounded                      # the base massaimh's bridge copies from


def test_a_renewal_grounds_its_variant_and_the_base_it_extends():
    program = load_program()
    assert {p[0].string for _, p in program.parts({"vaimh"}) if p} == {"vaimh", "mi-aimh"}
