"""Committee test files are read through one schema (endorse_asp/testcases.schema.json), by
`policy test` and `policy check` alike: each mistake is `file:line: path: message` with the
closest valid name, a malformed case never stops the others, and nothing is an internal error."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from endorse_asp import policytest
from endorse_asp.cli import main

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "endorse_asp" / "testcases.schema.json").read_text(encoding="utf-8"))

GOOD = """\
- name: Daniel Novak is an eligible IFS, written the short way.
  applicant: facts/daniel-novak.yaml
  expect:
    IFS: eligible
"""


@pytest.fixture()
def tree(tmp_path) -> Path:
    """A policies folder with common/ and mi-aimh/ (its tests replaced by one file), and the examples."""
    root = tmp_path / "policies"
    root.mkdir()
    shutil.copytree(ROOT / "policies" / "common", root / "common")
    shutil.copytree(ROOT / "policies" / "mi-aimh", root / "mi-aimh", ignore=shutil.ignore_patterns("tests"))
    (root / "mi-aimh" / "tests").mkdir()
    shutil.copytree(ROOT / "facts", tmp_path / "facts")
    return root


def write(tree: Path, text: str) -> Path:
    path = tree / "mi-aimh" / "tests" / "cases.yaml"
    path.write_text(GOOD + text, encoding="utf-8")
    return path


def endorse(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def as_json(value):
    """YAML values as JSON sees them (a date is its ISO text)."""
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value.isoformat() if isinstance(value, dt.date) else value


def test_the_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("file", sorted(ROOT.glob("policies/*/tests/*.yaml")), ids=lambda f: f.name)
def test_every_shipped_test_file_fits_the_schema(file):
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    jsonschema.validate(as_json(data), SCHEMA)
    assert not [p for c in policytest.collect([file]) for p in c.problems]


# Each mistake: the text written in a case, what both commands print, the line it is on.
MISTAKES = [
    (
        '- name: A misspelt key.\n  applicant: facts/daniel-novak.yaml\n  edit: ["ethics_signed=true"]\n'
        "  expect:\n    IFS: eligible\n",
        "[1].edit: unknown key 'edit'; did you mean 'edits'?",
        7,
    ),
    (
        "- name: A misspelt category.\n  applicant: facts/daniel-novak.yaml\n  expect:\n    IMHMC: not_eligible\n",
        "[1].expect.IMHMC: unknown category 'IMHMC'; did you mean 'IMHM-C'?",
        8,
    ),
    (
        "- name: A date as month/day/year.\n  applicant: facts/daniel-novak.yaml\n  as_of: 07/01/2025\n"
        "  expect:\n    IFS: eligible\n",
        "[1].as_of: '07/01/2025' is not a date: write it YYYY-MM-DD (2025-07-01)",
        7,
    ),
    (
        "- name: Blockers not as a list.\n  applicant: facts/daniel-novak.yaml\n  expect:\n"
        "    IFS: {status: not_eligible, blockers: exam}\n",
        "[1].expect.IFS.blockers: blockers must be a list, e.g. [exam] ([] for none)",
        8,
    ),
    (
        "- name: A misspelt status.\n  applicant: facts/daniel-novak.yaml\n  expect:\n    IFS: {status: eligble}\n",
        "[1].expect.IFS.status: unknown status 'eligble'; expected one of eligible, needs_review, incomplete, "
        "not_eligible; did you mean 'eligible'?",
        8,
    ),
    (
        "- name: An edit of a field the format lacks.\n  applicant: facts/daniel-novak.yaml\n"
        '  edits: ["training[0].hourz=3"]\n  expect:\n    IFS: eligible\n',
        "[1].edits[0]: edit 'training[0].hourz=3': unknown field 'hourz' in 'training[0]'; did you mean 'hours'?",
        7,
    ),
    (
        "- name: An edit with no = sign.\n  applicant: facts/daniel-novak.yaml\n"
        '  edits: ["exam.passed true"]\n  expect:\n    IFS: eligible\n',
        "[1].edits[0]: edit 'exam.passed true': malformed edit; expected PATH=VALUE, PATH+=VALUE or del PATH",
        7,
    ),
    (
        "- name: A misspelt requirement status.\n  applicant: facts/daniel-novak.yaml\n  expect:\n"
        "    IFS: {requirements: {exam: mett}}\n",
        "[1].expect.IFS.requirements.exam: unknown requirement status 'mett'; expected one of met, unmet, "
        "unknown, review; did you mean 'met'?",
        8,
    ),
    ("- just a sentence\n", "[1]: a case is a mapping with name, applicant and expect", 5),
]


@pytest.mark.parametrize(("text", "message", "line"), MISTAKES, ids=[m[1].split(":")[0] for m in MISTAKES])
def test_policy_test_names_the_mistake_and_runs_the_other_cases(tree, text, message, line):
    path = write(tree, text)
    result = endorse("policy", "test", path)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert f"policies/mi-aimh/tests/cases.yaml:{line}: {message}" in result.output.replace(str(tree.parent) + "/", "")
    assert re.search(r"^1 passed, 1 failed$", result.output, re.M)


@pytest.mark.parametrize(("text", "message", "line"), MISTAKES, ids=[m[1].split(":")[0] for m in MISTAKES])
def test_policy_check_reports_the_same_mistake_at_its_line(tree, text, message, line):
    path = write(tree, text)
    result = endorse("policy", "check", tree)
    assert result.exit_code == 1
    assert f"{path}:{line}:1: error: {message}" in result.output.replace("\n", "\n"), result.output


@pytest.mark.parametrize(("text", "message", "line"), MISTAKES, ids=[m[1].split(":")[0] for m in MISTAKES])
def test_the_schema_refuses_each_mistake_too(text, message, line):
    if "unknown category" in message or "unknown field" in message:
        pytest.skip("category codes come from the policies, field names from the applicant format")
    data = yaml.safe_load(GOOD + text)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(as_json(data), SCHEMA)


def test_an_unknown_requirement_id_gets_the_closest_one(tree):
    path = write(
        tree,
        "- name: A misspelt requirement id.\n  applicant: facts/renee-whitfield.yaml\n  expect:\n"
        "    IMHM-C: {requirements: {training.rsc_didatic: met}}\n",
    )
    test = endorse("policy", "test", path)
    assert test.exit_code == 1
    assert (
        "cases.yaml:8: IMHM-C: unknown requirement id 'training.rsc_didatic'; did you mean 'training.rsc_didactic'?"
        in (test.output)
    )
    check = endorse("policy", "check", tree)
    assert f"{path}:8:1: error: expect.IMHM-C: IMHM-C has no requirement 'training.rsc_didatic' (did you mean " in (
        check.output
    )
    assert "'training.rsc_didactic'?)" in check.output


def test_a_category_the_policy_lacks_is_named_with_the_closest(tree):
    # IFRS is an endorsement code (Virginia's), but not a category of mi-aimh.
    path = write(
        tree,
        "- name: Another policy's category.\n  applicant: facts/daniel-novak.yaml\n  expect:\n    IFRS: eligible\n",
    )
    assert "IFRS: no such category in policy 'mi-aimh'" in endorse("policy", "test", path).output
    assert (
        f"{path}:8:1: error: expect.IFRS: policy 'mi-aimh' has no category 'IFRS'"
        in endorse("policy", "check", tree).output
    )


def test_both_status_spellings_are_accepted(tree):
    path = write(
        tree,
        "- name: The same verdict, written as reports print it.\n  applicant: facts/daniel-novak.yaml\n"
        '  edits: ["ethics_signed=false"]\n  expect:\n    IFS: not eligible\n'
        "- name: And as a mapping.\n  applicant: facts/daniel-novak.yaml\n"
        '  edits: ["ethics_signed=false"]\n  expect:\n    IFS: {status: not_eligible, blockers: [ethics]}\n',
    )
    result = endorse("policy", "test", path)
    assert result.exit_code == 0, result.output
    assert "3 passed, 0 failed" in result.output


def test_a_file_that_is_not_yaml_fails_alone(tree):
    write(tree, "")
    broken = tree / "mi-aimh" / "tests" / "broken.yaml"
    broken.write_text("- name: [unclosed\n", encoding="utf-8")
    result = endorse("policy", "test", tree / "mi-aimh")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "broken.yaml:1: YAML syntax error" in result.output or "broken.yaml:2: YAML syntax error" in result.output
    assert re.search(r"^1 passed, 1 failed$", result.output, re.M)
