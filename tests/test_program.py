"""The compiled program: grounding only what a chunk judges answers as grounding every variant; bridges."""

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
    assert "mi-aimh" in grounded  # the base massaimh's bridge copies from


def test_a_renewal_grounds_its_variant_and_the_base_it_extends():
    program = load_program()
    assert {p[0].string for _, p in program.parts({"vaimh"}) if p} == {"vaimh", "mi-aimh"}


def test_a_base_with_an_exception_is_ground_for_each_variant_that_extends_it(tmp_path, monkeypatch):
    # mi-aimh gains a dated exception, so it is no longer shared: massaimh grounds its own
    # stand-in copy, base("massaimh"), and grounding only what is judged must keep that copy.
    import shutil

    root = tmp_path / "policies"
    for name in ("common", "mi-aimh", "massaimh"):
        shutil.copytree(FACTS.parent / "policies" / name, root / name, ignore=shutil.ignore_patterns("tests"))
    (root / "mi-aimh" / "exceptions").mkdir()
    (root / "mi-aimh" / "exceptions" / "pilot.lp").write_text("#program policy(p).\n", encoding="utf-8")
    with (root / "mi-aimh" / "policy.yaml").open("a", encoding="utf-8") as meta:
        meta.write(
            "exceptions:\n  - {id: pilot, file: exceptions/pilot.lp, valid_from: 2025-01-01,"
            " valid_to: 2025-12-31, source: a pilot year}\n"
        )
    program = load_program(root)
    days = (dt.date(2023, 6, 1), dt.date(2025, 6, 1), dt.date(2026, 6, 1))
    cases = [case_for(program, load.load_file(f), day) for f in sorted(FACTS.glob("*.yaml"))[:4] for day in days]
    assert all(len(program.parts(set(case.variants))) < len(program.parts()) for case in cases)
    partial = [sorted(facts) for facts in solve.answer_sets(program, cases)]
    monkeypatch.setattr(type(program), "parts", lambda self, variants=None: self._parts)
    assert partial == [sorted(facts) for facts in solve.answer_sets(program, cases)]


def test_a_policy_wide_declaration_of_a_base_reaches_the_policies_extending_it():
    # arity 1: nothing to drop or replace by category, so the bridge copies it as it is
    import clingo

    from endorse_asp.policy import bridge_text

    ctl = clingo.Control(["--warn=none"])
    ctl.add(
        "base",
        [],
        'flag("mi-aimh"). limit("mi-aimh", "IFS", 3). drop("massaimh", "IFA").\n'
        + bridge_text("bridge", {("flag", 1), ("limit", 3)}),
    )
    ctl.ground([("base", []), ("bridge", [clingo.String("massaimh"), clingo.String("mi-aimh")])])
    atoms = {str(a.symbol) for a in ctl.symbolic_atoms}
    assert 'flag("massaimh")' in atoms and 'limit("massaimh","IFS",3)' in atoms
