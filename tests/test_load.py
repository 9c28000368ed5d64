"""Tests for endorse_asp.load: bad inputs, normalization, schema agreement, fuzzing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from endorse_asp import load
from endorse_asp.load import SCHEMA, Applicant, InputError, Problem, load_file, load_text, parse_yaml, validate

HERE = Path(__file__).parent
GOOD = sorted((HERE / "good").glob("*.yaml"))
FULL = HERE / "good" / "full.yaml"
SCHEMA_VALIDATOR = Draft202012Validator(SCHEMA, format_checker=FormatChecker())

# file in tests/bad -> (path, message fragment, line, kind).  kind "schema": the JSON
# Schema rejects the parsed data too; any other kind names a loader-only check.
BAD = {
    "alias.yaml": ("rsc[0]", "anchors and aliases are not supported", 3, "alias"),
    "bad_id.yaml": ("id", "invalid value 'jordan lee'; expected applicant id", 1, "schema"),
    "bool_as_number.yaml": ("rsc[0].hours", "expected a number, got true", 6, "schema"),
    "date_as_prose.yaml": ("as_of", "expected a date YYYY-MM-DD, got text 'March 1, 2024'", 2, "schema"),
    "date_with_time.yaml": ("exam.date", "got a date and time 2023-01-15T09:30:00", 4, "schema"),
    "duplicate_key.yaml": ("training[0].hours", "duplicate key 'hours' (lines 3 and 5)", 5, "duplicate"),
    "empty_exam.yaml": ("exam", "expected a mapping, got nothing", 2, "schema"),
    "end_before_start.yaml": ("work[0].end", "end 2019-06-01 is before start 2023-06-01", 5, "order"),
    "enum_value.yaml": (
        "degrees[0].level",
        "unknown value 'mastr'; expected one of associate, bachelor, master, doctorate; did you mean 'master'?",
        3,
        "schema",
    ),
    "impossible_date.yaml": ("degrees[0].conferred", "impossible date '2023-02-30'", 4, "schema"),
    "infinite_hours.yaml": ("training[0].hours", "expected a finite number", 3, "schema"),  # past the maximum too
    "list_expected.yaml": ("works_with", "expected a list, got text 'infant'", 2, "schema"),
    "missing_id.yaml": ("id", "missing required field 'id'", 2, "schema"),
    "missing_required.yaml": ("rsc[0].hours", "missing required field 'hours'", 3, "schema"),
    "negative_hours.yaml": ("rsc[1].hours", "must be greater than 0, got -5", 10, "schema"),
    "non_text_key.yaml": ("", "field names must be text, got a number 1", 2, "key"),
    "not_integer.yaml": ("work[0].families_served", "expected a whole number, got a number 2.5", 4, "schema"),
    "null_key.yaml": ("", "field names must be text, got nothing", 2, "key"),
    "schema_version.yaml": (
        "schema",
        "unknown value 'endorse-applicant/2'; expected one of endorse-applicant/1; did you mean 'endorse-applicant/1'?",
        1,
        "schema",
    ),
    "syntax_error.yaml": ("", "YAML syntax error: could not find expected ':'", 3, "syntax"),
    "text_expected.yaml": ("degrees[0].title", "expected text, got a number 1984 (put it in quotes", 4, "schema"),
    "top_level_list.yaml": ("", "the top level must be a mapping", 1, "schema"),
    "two_documents.yaml": ("", "several YAML documents in one file", 2, "documents"),
    "unknown_field.yaml": ("training[0].hourz", "unknown field 'hourz'; did you mean 'hours'?", 4, "schema"),
    "unknown_field_nested.yaml": ("exam.progam", "unknown field 'progam'; did you mean 'program'?", 4, "schema"),
    "unknown_field_top.yaml": ("degres", "unknown field 'degres'; did you mean 'degrees'?", 2, "schema"),
    "unsupported_tag.yaml": ("name", "unsupported YAML tag !!binary", 2, "tag"),
    "wrong_type.yaml": ("training[0].hours", "expected a number, got text 'ten'", 3, "schema"),
    "zero_hours.yaml": ("training[0].hours", "must be greater than 0, got 0", 3, "schema"),
}
# Loader-only checks that stop reading: PyYAML-level problems with no data to give jsonschema.
FATAL_KINDS = {"alias", "syntax", "documents", "tag"}


def problems_of(call, *args) -> list[Problem]:
    """The problems of the InputError that `call(*args)` must raise."""
    with pytest.raises(InputError) as info:
        call(*args)
    assert str(info.value) == "\n".join(map(str, info.value.problems))
    return info.value.problems


def one_problem(call, *args) -> Problem:
    problems = problems_of(call, *args)
    assert len(problems) == 1, problems
    return problems[0]


def iso_dates(value):
    """Dates as ISO strings, the way JSON would carry them."""
    if isinstance(value, dict):
        return {key: iso_dates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [iso_dates(item) for item in value]
    return value.isoformat() if isinstance(value, dt.date) else value


# --- bad files ---------------------------------------------------------------------------


def test_every_bad_file_has_an_expectation():
    assert sorted(path.name for path in (HERE / "bad").glob("*.yaml")) == sorted(BAD)


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_file_is_reported(name):
    path, fragment, line, _ = BAD[name]
    source = str(HERE / "bad" / name)
    problems = problems_of(load_file, source)
    matching = [p for p in problems if fragment in p.message]
    assert matching, problems
    assert (matching[0].file, matching[0].path, matching[0].line) == (source, path, line)


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_file_agrees_with_json_schema(name):
    """Schema-level problems are rejected by jsonschema too; loader-only ones are not."""
    kind = BAD[name][3]
    text = (HERE / "bad" / name).read_text("utf-8")
    if kind in FATAL_KINDS:
        with pytest.raises(InputError):
            parse_yaml(text, name)
        return
    raw, _, _ = parse_yaml(text, name)
    errors = list(SCHEMA_VALIDATOR.iter_errors(iso_dates(raw)))
    assert bool(errors) == (kind == "schema"), errors


def test_all_problems_of_a_file_are_reported_in_file_order(tmp_path):
    path = tmp_path / "many.yaml"
    path.write_text(
        "id: x\n"
        "trainng: []\n"
        "rsc:\n"
        "  - provider: A\n"
        "    start: 2020-01-01\n"
        "    end: 2019-01-01\n"
        "    hours: -1\n"
        "    hours: 2\n"
        "exam: {passed: maybe}\n"
    )
    problems = problems_of(load_file, path)
    assert [(p.line, p.path) for p in problems] == [
        (2, "trainng"),
        (6, "rsc[0].end"),
        (7, "rsc[0].hours"),
        (8, "rsc[0].hours"),
        (9, "exam.passed"),
    ]
    assert "did you mean 'training'?" in problems[0].message


def test_missing_file(tmp_path):
    problem = one_problem(load_file, tmp_path / "nope.yaml")
    assert problem == Problem(str(tmp_path / "nope.yaml"), None, "", "file not found")


def test_directory_is_not_a_file(tmp_path):
    assert "is a directory" in one_problem(load_file, tmp_path).message


def test_unreadable_file(tmp_path, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(load.os, "open", refuse)
    assert one_problem(load_file, tmp_path / "x.yaml").message == "cannot read file: Permission denied"


@pytest.mark.parametrize("content", [b"", b"\n\n", b"# just a comment\n  # another\n"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "empty.yaml"
    path.write_bytes(content)
    assert one_problem(load_file, path).message == "no YAML content: the file is empty or holds only comments"


def test_non_utf8_names_the_byte_offset(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("id: x\nname: Zoë\n".encode("latin-1"))
    problem = one_problem(load_file, path)
    assert (problem.line, problem.message) == (2, "not UTF-8 text: byte 0xeb at byte offset 14")


def test_binary_content(tmp_path):
    path = tmp_path / "image.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert one_problem(load_file, path).message.startswith("binary content (NUL byte at byte offset 8)")


def test_utf16_is_named(tmp_path):
    path = tmp_path / "utf16.yaml"
    path.write_bytes("id: x\n".encode("utf-16"))
    assert "UTF-16" in one_problem(load_file, path).message


def test_utf8_bom_is_accepted():
    assert load_text(b"\xef\xbb\xbfid: bom\n", "bom.yaml").id == "bom"


def test_control_character_is_a_yaml_error():
    problem = one_problem(load_text, "id: x\nname: a\x07b\n", "ctl.yaml")
    assert (problem.line, problem.message) == (2, "invalid YAML text: control characters are not allowed")


def test_lone_surrogate_in_text():
    assert "lone surrogate" in one_problem(load_text, "id: x\nname: \ud800\n", "s.yaml").message


def test_huge_file_is_refused_unread(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"id: x\nname: " + b"a" * load.MAX_BYTES + b"\n")
    assert one_problem(load_file, path).message.startswith("file too large")
    assert one_problem(load_text, "#" * (load.MAX_BYTES + 1), "t").message.startswith("file too large")


def test_alias_bomb_is_refused_at_the_first_anchor():
    bomb = "id: x\na: &a [1, 2]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n" + "".join(
        f"c{i}: &c{i} [*{'b' if i == 0 else f'c{i - 1}'}] \n" for i in range(30)
    )
    problem = one_problem(load_text, bomb, "bomb.yaml")
    assert (problem.line, problem.path, problem.message) == (2, "a", "anchors and aliases are not supported")


def test_deep_nesting_is_refused():
    problem = one_problem(load_text, "id: x\nname: " + "[" * 200 + "]" * 200 + "\n", "deep.yaml")
    assert problem.message == "nested more than 50 levels deep"


def test_number_too_long_for_python():
    problem = one_problem(
        load_text, "id: x\nwork: [{start: 2020-01-01, families_served: " + "9" * 5000 + "}]\n", "long.yaml"
    )
    assert problem.path == "work[0].families_served" and problem.message.startswith("number too long")


def test_duplicate_key_on_one_line():
    problem = one_problem(load_text, "id: x\nexam: {passed: true, passed: false}\n", "dup.yaml")
    assert problem.message == "duplicate key 'passed' (twice on line 2)"


@pytest.mark.parametrize(
    "value",
    [
        "!!bool maybe",
        "!!int ''",
        "!!float ''",
        "!!timestamp soon",
        "!!int 5",
        "!e!x y",
        "!!set {a}",
        "!!omap [a: 1]",
        "!custom {a: 1}",
    ],
)
def test_explicit_tags_other_than_str_are_refused(value):
    prefix = "%TAG !e! tag:example.com,2000:\n---\n" if value.startswith("!e!") else ""
    problem = one_problem(load_text, f"{prefix}id: x\nname: {value}\n", "tag.yaml")
    assert problem.path == "name" and problem.message.startswith("unsupported YAML tag")


def test_explicit_str_tag_makes_text():
    assert load_text("id: !!str 2024\n", "t.yaml").id == "2024"


def test_quoted_dates_and_iso_strings_are_dates():
    applicant = load_text("id: x\nas_of: '2024-03-01'\n", "d.yaml")
    assert applicant.data["as_of"] == dt.date(2024, 3, 1)
    assert applicant.raw["as_of"] == "2024-03-01"


def test_problem_formatting():
    assert str(Problem("a.yaml", 3, "rsc[1].hours", "bad")) == "a.yaml:3: rsc[1].hours: bad"
    assert str(Problem("a.yaml", None, "id", "bad")) == "a.yaml: id: bad"
    assert str(Problem("a.yaml", None, "", "bad")) == "a.yaml: bad"
    error = InputError([Problem("a", 1, "", "x"), Problem("a", 2, "id", "y")])
    assert str(error) == "a:1: x\na:2: id: y"


# --- good files and normalization ---------------------------------------------------------


@pytest.mark.parametrize("path", GOOD, ids=lambda path: path.name)
def test_good_file_agrees_with_json_schema(path):
    applicant = load_file(path)
    assert applicant.source == str(path)
    SCHEMA_VALIDATOR.validate(iso_dates(applicant.raw))


@pytest.mark.parametrize("path", GOOD, ids=lambda path: path.name)
def test_normalized_data_has_every_property_in_schema_order(path):
    data = load_file(path).data
    assert list(data) == list(SCHEMA["properties"])
    for name, items in data.items():
        item_schema = SCHEMA["properties"][name].get("items", {})
        for item in items if isinstance(items, list) else []:
            if "properties" in item_schema:
                assert list(item) == list(item_schema["properties"])


def test_full_example_loads_with_its_meaning():
    applicant = load_file(FULL)
    data = applicant.data
    assert applicant.id == "jordan-lee" and data["name"] == "Jordan Lee"
    assert data["as_of"] == dt.date(2024, 3, 1) and data["residence"] == "VA"
    assert data["works_with"] == ["infant"]
    assert data["degrees"] == [
        {
            "level": "master",
            "title": "MSW",
            "field": "social work",
            "related": True,
            "conferred": dt.date(2019, 5, 20),
            "transcript": True,
        }
    ]
    assert data["credentials"] == [{"type": "cda", "earned": dt.date(2014, 6, 1)}]
    assert data["training"][0]["hours"] == 12.5 and data["training"][0]["focus"] == "infant"
    assert data["training"][0]["topics"] == ["relationship_based"]
    work = data["work"][0]
    assert (work["start"], work["end"]) == (dt.date(2019, 6, 1), dt.date(2023, 6, 1))
    assert work["families_served"] == 12
    assert work["services"] == ["prevention", "early_intervention"] and work["relationship_focus"] is True
    assert work["internship_supervisor_endorsement"] == "IMHS"
    rsc = data["rsc"][0]
    assert (rsc["provider"], rsc["provider_endorsement"], rsc["hours"], rsc["about_own_rsc"]) == (
        "Dr. Ana Ruiz",
        "IMHM-C",
        30,
        10,
    )
    assert rsc["while"] == ["services"] and rsc["format"] == "individual"
    assert data["references"][0]["roles"] == ["rsc_provider"]
    assert data["ethics_signed"] is True and data["agreement_signed"] is True
    assert data["exam"] == {"passed": True, "date": dt.date(2023, 1, 15), "program": "imh", "track": "clinical"}
    assert data["memberships"][0]["end"] == dt.date(2024, 12, 31)
    assert data["leadership"][0]["beyond_paid_work"] is True and data["leadership"][0]["level"] == "state"
    assert data["endorsements"] == [
        {"category": "IMHS", "association": "MI-AIMH", "earned": dt.date(2020, 1, 1), "provides_rsc": True}
    ]


def test_absent_facts_are_unknown_and_absent_lists_empty():
    data = load_file(HERE / "good" / "minimal.yaml").data
    assert data["id"] == "sam_doe"
    for fact in ("ethics_signed", "agreement_signed", "exam", "residence", "as_of", "name", "schema"):
        assert data[fact] is None, fact
    for name, schema in SCHEMA["properties"].items():
        if schema.get("type") == "array":
            assert data[name] == [], name


def test_defaults_are_applied_in_items():
    data = load_file(HERE / "good" / "defaults.yaml").data
    assert data["degrees"][0]["transcript"] is True and data["degrees"][0]["related"] is None
    assert data["training"][0] == {
        "title": None,
        "hours": 3,
        "date": dt.date(2021, 9, 30),
        "topics": [],
        "didactic": True,
        "focus": "both",
    }
    work = data["work"][0]
    assert (work["end"], work["paid"], work["volunteer"], work["supervised"], work["internship"]) == (
        None,
        True,
        False,
        True,
        False,
    )
    assert work["ages"] == [] and work["services"] == [] and work["families_served"] is None
    assert data["rsc"][0]["start"] == dt.date(2020, 1, 1) and data["rsc"][0]["provider_vetted"] is False
    assert data["rsc"][0]["hours"] == 0.5 and data["rsc"][0]["format"] is None
    reference = data["references"][0]
    assert reference["familiar_with_imh"] is True and reference["rater_vetted"] is False
    assert data["leadership"][0]["beyond_paid_work"] is False and data["leadership"][0]["start"] is None
    assert data["endorsements"][0]["provides_rsc"] is False
    assert data["exam"] == {"passed": False, "date": None, "program": None, "track": None}


def test_raw_keeps_what_was_written():
    applicant = load_file(HERE / "good" / "defaults.yaml")
    assert applicant.raw["training"] == [{"hours": 3, "date": "2021-09-30"}]
    assert "ethics_signed" not in applicant.raw


def test_validate_rejects_non_mapping_and_odd_keys():
    assert one_problem(validate, ["id"], "<edit>").message.startswith("the top level must be a mapping")
    problem = one_problem(validate, {"id": "x", 3: "y"}, "<edit>")
    assert (problem.line, problem.message) == (None, "field names must be text, got a number 3")


def test_validate_accepts_an_already_parsed_mapping():
    applicant = validate({"id": "x", "exam": {"passed": True, "date": dt.date(2024, 1, 1)}}, "<stdin>")
    assert isinstance(applicant, Applicant) and applicant.data["exam"]["date"] == dt.date(2024, 1, 1)


# --- robustness -----------------------------------------------------------------------------

FULL_LINES = FULL.read_text("utf-8").splitlines()
scalars = st.one_of(
    st.integers(),
    st.floats(),
    st.booleans(),
    st.none(),
    st.dates(),
    st.text(max_size=20),
    st.sampled_from(
        [
            "~",
            "[",
            "{",
            "*a",
            "&a x",
            "!!binary x",
            "'",
            "|",
            "!!bool maybe",
            "!!int ''",
            "!!timestamp x",
            "? a",
            "<<: {}",
        ]
    ),
)


def outcome(text):
    """What load_text makes of `text`: the Applicant or the error message; nothing else may escape."""
    try:
        return load_text(text, "fuzz.yaml")
    except InputError as err:
        return str(err)


@st.composite
def mutated_full(draw) -> str:
    """The full example with lines dropped, keys renamed, values replaced or junk injected."""
    lines = list(FULL_LINES)
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        line = lines[index]
        action = draw(st.sampled_from(["drop", "rename", "value", "junk"]))
        if action == "drop":
            del lines[index]
        elif action == "rename" and ":" in line:
            indent = line[: len(line) - len(line.lstrip(" -"))]
            lines[index] = indent + draw(st.text(max_size=12)) + ":" + line.split(":", 1)[1]
        elif action == "value" and ":" in line:
            lines[index] = line.split(":", 1)[0] + ": " + str(draw(scalars))
        else:
            lines.insert(index, draw(st.text(max_size=30)))
    return "\n".join(lines) + "\n"


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), st.binary(), mutated_full()))
def test_any_input_gives_an_applicant_or_input_error_deterministically(text):
    first = outcome(text)
    assert isinstance(first, (Applicant, str))
    assert outcome(text) == first


json_like = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.one_of(st.sampled_from(list(SCHEMA["properties"])), st.text(max_size=5), st.integers()),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=300)
@given(st.dictionaries(st.sampled_from(list(SCHEMA["properties"])), json_like, max_size=6))
def test_validate_of_any_mapping_gives_an_applicant_or_input_error(raw):
    try:
        applicant = validate(raw, "<edit>")
    except InputError as err:
        assert err.problems
    else:
        SCHEMA_VALIDATOR.validate(iso_dates(raw))
        assert applicant.id == raw["id"]
