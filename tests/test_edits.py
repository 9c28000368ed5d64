"""Tests for endorse_asp.edits: each edit form, each error, fuzzing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from endorse_asp.edits import apply
from endorse_asp.load import Applicant, InputError, load_file

FULL = Path(__file__).parent / "good" / "full.yaml"


@pytest.fixture(scope="module")
def full() -> Applicant:
    return load_file(FULL)


def edit_error(applicant: Applicant, exprs: list[str]):
    """The single problem of the InputError that applying `exprs` must raise."""
    with pytest.raises(InputError) as info:
        apply(applicant, exprs)
    problems = info.value.problems
    assert len(problems) == 1, problems
    assert problems[0].file == applicant.source and problems[0].line is None
    return problems[0]


def test_set_scalar_and_nested_field(full):
    edited = apply(full, ["exam.passed=false", "training[0].hours=40", "exam.date=2024-01-01"])
    assert edited.data["exam"]["passed"] is False and edited.data["exam"]["date"] == dt.date(2024, 1, 1)
    assert edited.data["training"][0]["hours"] == 40
    assert edited.source == full.source


def test_original_is_untouched(full):
    apply(full, ["del rsc[0]", "training[0].hours=1"])
    assert full.raw["rsc"][0]["hours"] == 30 and full.raw["training"][0]["hours"] == 12.5
    assert len(full.data["rsc"]) == 1


def test_set_whole_item_gets_defaults(full):
    edited = apply(full, ["training[0]={hours: 3, date: 2020-02-02}"])
    assert edited.data["training"] == [
        {"title": None, "hours": 3, "date": dt.date(2020, 2, 2), "topics": [], "didactic": True, "focus": "both"}
    ]


def test_set_creates_absent_mapping(full):
    edited = apply(full, ["del exam", "exam.passed=true"])
    assert edited.data["exam"] == {"passed": True, "date": None, "program": None, "track": None}


def test_set_id_is_allowed(full):
    assert apply(full, ["id=someone-else"]).id == "someone-else"


def test_append_to_existing_and_absent_lists(full):
    edited = apply(
        full,
        [
            "degrees+={level: doctorate, conferred: 2024-01-01}",
            "works_with+=early_childhood",
            "del credentials",
            "credentials+={type: cda}",
        ],
    )
    assert [degree["level"] for degree in edited.data["degrees"]] == ["master", "doctorate"]
    assert edited.data["works_with"] == ["infant", "early_childhood"]
    assert edited.data["credentials"] == [{"type": "cda", "earned": None}]


def test_append_to_nested_list(full):
    assert apply(full, ["rsc[0].while+=supervision"]).data["rsc"][0]["while"] == ["services", "supervision"]


def test_delete_field_and_item(full):
    edited = apply(full, ["del ethics_signed", "del rsc[0]", "del training[0].title"])
    assert edited.data["ethics_signed"] is None and edited.data["rsc"] == []
    assert edited.data["training"][0]["title"] is None


def test_values_are_yaml_flow(full):
    edited = apply(full, ["works_with=[infant, early_childhood]", "name='2024'", "exam.program = ecmh"])
    assert edited.data["works_with"] == ["infant", "early_childhood"]
    assert edited.data["name"] == "2024" and edited.data["exam"]["program"] == "ecmh"


@pytest.mark.parametrize(
    "expr, path, fragment",
    [
        ("garbage", "", "malformed edit"),
        ("training[0]hours=1", "", "malformed edit"),
        ("del", "", "malformed edit"),
        ("name=", "name", "missing value"),
        ("training[0].hourz=3", "training[0].hourz", "unknown field 'hourz' in 'training[0]'; did you mean 'hours'?"),
        ("trainig+={hours: 1, date: 2020-01-01}", "trainig", "unknown field 'trainig'; did you mean 'training'?"),
        ("del exam.pased", "exam.pased", "unknown field 'pased' in 'exam'; did you mean 'passed'?"),
        ("training[3].hours=1", "training[3].hours", "index 3 is out of range: 'training' has 1 item"),
        ("del rsc[2]", "rsc[2]", "nothing to delete: index 2 is out of range: 'rsc' has 1 item"),
        ("exam.passed+=true", "exam.passed", "'exam.passed' is not a list, so '+=' cannot append"),
        ("del memberships[0].end.x", "memberships[0].end.x", "'memberships[0].end' has no fields"),
        ("exam[0]=1", "exam[0]", "'exam' is not a list"),
        ("name=&a x", "name", "anchors and aliases are not supported"),
        ("exam={passed: true, passed: false}", "exam", "duplicate key 'passed'"),
        ("exam={passed: true", "exam", "YAML syntax error"),
    ],
)
def test_edit_errors_name_expression_path_and_cause(full, expr, path, fragment):
    problem = edit_error(full, [expr])
    assert problem.path == path
    assert problem.message.startswith(f"edit {expr!r}: ") and fragment in problem.message


def test_delete_twice_fails_on_the_second(full):
    problem = edit_error(full, ["del training[0].title", "del training[0].title"])
    assert problem.message == ("edit 'del training[0].title': nothing to delete: 'training[0].title' is absent")


def test_later_edit_through_a_replaced_value(full):
    assert "'exam' is not a mapping" in edit_error(full, ["exam=5", "exam.passed=true"]).message


def test_absent_list_on_the_way_has_no_items():
    applicant = load_file(Path(__file__).parent / "good" / "minimal.yaml")
    problem = edit_error(applicant, ["training[0].hours=1"])
    assert "index 0 is out of range: 'training' has 0 items" in problem.message


@pytest.mark.parametrize(
    "exprs, path, fragment",
    [
        (["training[0].hours=-1"], "training[0].hours", "must be greater than 0, got -1"),
        (["del id"], "id", "missing required field 'id'"),
        (["exam.passed=maybe"], "exam.passed", "expected true or false, got text 'maybe'"),
        (
            ["rsc+={provider: X, start: 2020-01-01, end: 2019-01-01, hours: 1}"],
            "rsc[1].end",
            "end 2019-01-01 is before start 2020-01-01",
        ),
        (["degrees[0].level=mastr"], "degrees[0].level", "did you mean 'master'?"),
    ],
)
def test_edit_giving_an_invalid_applicant(full, exprs, path, fragment):
    problem = edit_error(full, exprs)
    assert problem.path == path and fragment in problem.message
    assert problem.message.endswith(f"(after edit {exprs[-1]!r})")


paths = st.sampled_from(
    [
        "id",
        "name",
        "exam",
        "exam.passed",
        "exam.date",
        "degrees",
        "degrees[0]",
        "degrees[0].level",
        "training[0].hours",
        "rsc[1]",
        "works_with",
        "nope",
        "works_with[0]",
        "rsc[0].while",
        "x.y[3]",
    ]
)
values = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        ["true", "40", "2024-01-01", "[infant]", "{passed: true}", "{level: master, conferred: 2024-01-01}", "[", "*a"]
    ),
)
expressions = st.one_of(
    st.text(max_size=40),
    st.builds(lambda path, op, value: f"{path}{op}{value}", paths, st.sampled_from(["=", "+="]), values),
    st.builds(lambda path: f"del {path}", paths),
)


@settings(max_examples=300)
@given(st.lists(expressions, max_size=4))
def test_any_edits_give_an_applicant_or_input_error(exprs):
    applicant = load_file(FULL)
    try:
        edited = apply(applicant, exprs)
    except InputError as err:
        assert err.problems and all(problem.file == str(FULL) for problem in err.problems)
    else:
        assert isinstance(edited, Applicant)
    assert applicant == load_file(FULL)
