"""`endorse policy check` and `endorse policy test` catch broken rules and wrong expectations,
each with the right file and line. The rules are broken in a copy (common/ and mi-aimh/)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from endorse_asp import facts, lint, load, policy
from endorse_asp.cli import main
from endorse_asp.lint import predicates

ROOT = Path(__file__).resolve().parent.parent
# The clinical mentors' didactic RS/C hours in mi-aimh/parameters.yaml, up to the value.
DIDACTIC = "    track(p, C, clinical):\n      2017-01-01: "
LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning): (?P<msg>.+)$")


@pytest.fixture()
def rules(tmp_path) -> Path:
    """A policies folder holding a copy of common/ and mi-aimh/ (with its tests), and the examples."""
    root = tmp_path / "policies"
    root.mkdir()
    shutil.copytree(ROOT / "policies" / "common", root / "common")
    shutil.copytree(ROOT / "policies" / "mi-aimh", root / "mi-aimh")
    shutil.copytree(ROOT / "facts", tmp_path / "facts")
    return root


def endorse(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def line_of(path: Path, text: str) -> int:
    """The line number of the first line of `path` containing `text`."""
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if text in line:
            return n
    raise AssertionError(f"{text!r} not in {path}")


def edit(path: Path, old: str, new: str) -> int:
    """Replace `old` (which must occur once) by `new`; the line where it was."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    return line


def problems(path, severity=None) -> list[lint.Problem]:
    found = lint.check(path)
    return [p for p in found if severity is None or p.severity == severity]


def at(found, file: Path, line: int) -> list[lint.Problem]:
    return [p for p in found if Path(p.file).resolve() == file.resolve() and p.line == line]


# --------------------------------------------------------------------------- policy check


def test_the_shipped_policies_have_no_errors():
    found = problems(ROOT / "policies", "error")
    assert not found, "\n".join(map(str, found))


def test_a_clean_copy_passes_with_no_problem_at_all(rules):
    result = endorse("policy", "check", rules)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "no problems found" in result.stderr


def test_a_missing_period_is_a_syntax_error_at_the_next_statement(rules):
    training = rules / "mi-aimh" / "training.lp"
    line = edit(
        training,
        'rsc_training_minimum(p, C, "training.rsc_didactic", rsc_didactic_hours) :- track(p, C, clinical).',
        'rsc_training_minimum(p, C, "training.rsc_didactic", rsc_didactic_hours) :- track(p, C, clinical)',
    )
    result = endorse("policy", "check", rules)
    assert result.exit_code == 1
    errors = [LINE.match(x) for x in result.stdout.splitlines() if ": error: " in x]
    syntax = [m for m in errors if "syntax error" in m["msg"]]
    assert len(syntax) == 1 and Path(syntax[0]["file"]).name == "training.lp"
    # clingo notices at the next statement, a few lines on, and the message says why
    assert line < int(syntax[0]["line"]) <= line + 5 and "end with a '.'" in syntax[0]["msg"]


def test_a_misspelt_predicate_in_a_body_is_reported_where_it_is_read(rules):
    education = rules / "mi-aimh" / "education.lp"
    line = edit(
        education,
        'education_route(p, C, "education", listed_degree(bachelor))  :- specialist_family(p, C).',
        'education_route(p, C, "education", listed_degree(bachelor))  :- specialst_family(p, C).',
    )
    found = problems(rules, "error")
    hits = at(found, education, line)
    assert len(hits) == 1, found
    assert "'specialst_family/2'" in hits[0].message and "did you mean 'specialist_family/2'" in hits[0].message
    assert hits[0].col > 1


def test_a_misspelt_threshold_name_is_caught_both_ways(rules):
    training = rules / "mi-aimh" / "training.lp"
    line = edit(
        training,
        'rsc_training_minimum(p, C, "training.rsc_didactic", rsc_didactic_hours)',
        'rsc_training_minimum(p, C, "training.rsc_didactic", rsc_didactic_hour)',
    )
    found = problems(rules)
    named = at(found, training, line)
    assert [p.severity for p in named] == ["error"], found
    assert "threshold 'rsc_didactic_hour'" in named[0].message and "IMHM-C" in named[0].message
    assert "did you mean 'rsc_didactic_hours'" in named[0].message
    parameters = rules / "mi-aimh" / "parameters.yaml"
    unused = at(found, parameters, line_of(parameters, "rsc_didactic_hours:") + 6)  # the line of its value
    assert [p.severity for p in unused] == ["warning"] and "no requirement there uses it" in unused[0].message
    assert endorse("policy", "check", rules).exit_code == 1


def test_a_threshold_written_as_text_is_an_error(rules):
    parameters = rules / "mi-aimh" / "parameters.yaml"
    line = edit(parameters, f"{DIDACTIC}15", f'{DIDACTIC}"15 h"') + 1
    hits = at(problems(rules, "error"), parameters, line)
    assert len(hits) == 1 and "'15 h' has a unit after the number: write the number alone (15)" in hits[0].message


def test_a_rule_file_without_its_program_line(rules):
    extra = rules / "mi-aimh" / "extra.lp"
    extra.write_text(
        '% A rule a committee forgot to put under #program policy(p).\nspecialist_family(p, "IFA").\n', encoding="utf-8"
    )
    hits = at(problems(rules, "error"), extra, 2)
    assert len(hits) == 1 and "#program policy(p)." in hits[0].message


def test_an_unsafe_variable_is_reported_at_its_rule(rules):
    training = rules / "mi-aimh" / "training.lp"
    line = edit(
        training,
        'rsc_training_minimum(p, C, "training.rsc_didactic", rsc_didactic_hours) :- track(p, C, clinical).',
        'rsc_training_minimum(p, C, "training.rsc_didactic", rsc_didactic_hours) :- track(p, D, clinical).',
    )
    hits = at(problems(rules, "error"), training, line)
    assert len(hits) == 1 and "unsafe variables" in hits[0].message and "'C' is unsafe" in hits[0].message


def test_a_requirement_without_a_heading_has_no_citation(rules):
    declarations = rules / "mi-aimh" / "declarations.lp"
    edit(declarations, 'heading(p, "exam", "Demonstration of competencies").', "")
    found = problems(rules, "error")
    hits = at(found, declarations, line_of(declarations, 'requirement(p, C, "exam"'))
    assert len(hits) == 1 and 'requirement "exam"' in hits[0].message and 'heading(p, "exam"' in hits[0].message


def test_a_requirement_without_a_summary(rules):
    declarations = rules / "mi-aimh" / "declarations.lp"
    line = edit(declarations, '"The Code of Ethics is signed"', '""')
    hits = at(problems(rules, "error"), declarations, line)
    assert len(hits) == 1 and "no summary" in hits[0].message


def test_policy_yaml_problems_are_reported_on_their_lines(rules):
    meta = rules / "mi-aimh" / "policy.yaml"
    text = meta.read_text(encoding="utf-8")
    text = re.sub(r"^version: .*\n", "", text, flags=re.M)
    text = text.replace("valid_from: 2017-01-01", "valid_from: 2017-02-30")
    text += (
        "exceptions:\n  - id: pilot\n    file: exceptions/pilot.lp\n    valid_from: 2025-07-01\n"
        "    valid_to: 2025-06-30\n"
    )
    meta.write_text(text, encoding="utf-8")
    found = problems(meta, "error")
    messages = {p.line: p.message for p in found}
    assert any("no 'version'" in m for m in messages.values()), found
    assert "not a date" in messages[line_of(meta, "valid_from: 2017-02-30")]
    assert "does not exist" in messages[line_of(meta, "file: exceptions/pilot.lp")]
    assert "before it starts" in messages[line_of(meta, "valid_to: 2025-06-30")]


def test_an_impossible_policy_date_stops_the_engine_with_a_clear_message(rules):
    # PyYAML reads 2017-13-01 as a date and fails with a bare ValueError; the engine names the file.
    edit(rules / "mi-aimh" / "policy.yaml", "valid_from: 2017-01-01", "valid_from: 2017-13-01")
    with pytest.raises(policy.PolicyError, match="policy.yaml: a date that does not exist"):
        policy.load_program(rules)


def test_a_source_the_rules_cite_must_be_listed(rules):
    meta = rules / "mi-aimh" / "policy.yaml"
    text = meta.read_text(encoding="utf-8")
    start = text.index('  "001":')
    end = text.index('  "002":')
    meta.write_text(text[:start] + text[end:], encoding="utf-8")
    categories = rules / "mi-aimh" / "categories.lp"
    hits = [p for p in problems(rules, "error") if "source '001'" in p.message]
    assert len(hits) == 1 and Path(hits[0].file).name == "categories.lp"
    assert hits[0].line == line_of(categories, '"001"') and "IMHM-C" in hits[0].message


@pytest.fixture()
def derived(rules) -> Path:
    """A policy extending mi-aimh, with no test cases."""
    folder = rules / "derived"
    folder.mkdir()
    (folder / "policy.yaml").write_text(
        "id: derived\ntitle: Derived\nversion: '1'\nextends: mi-aimh\nsources:\n"
        "  '001': {file: a.txt, title: A}\n  '002': {file: b.txt, title: B}\n",
        encoding="utf-8",
    )
    (folder / "rules.lp").write_text(
        '#program policy(p).\ndrop(p, "IFZ").\nreplace(p, "IFS", "rsc.hour").\nreplace(p, "IFS", "rsc.hours").\n',
        encoding="utf-8",
    )
    return folder


def test_a_derived_policy_overriding_what_its_base_lacks(derived):
    rules = derived / "rules.lp"
    found = problems(derived)
    assert [p.severity for p in at(found, rules, 2)] == ["error"] and "IFZ" in at(found, rules, 2)[0].message
    hit = at(found, rules, 3)
    assert [p.severity for p in hit] == ["error"] and "did you mean 'rsc.hours'" in hit[0].message
    assert not at(found, rules, 4)  # rsc.hours is the base's: a sound replacement


def test_categories_without_a_test_case_are_warned_about(derived):
    warned = [p for p in problems(derived, "warning") if "no committee test case" in p.message]
    assert len(warned) == 1 and "IFA" in warned[0].message and warned[0].file.endswith("policy.yaml")
    assert not [p for p in problems(derived.parent / "mi-aimh", "warning") if "test case" in p.message]


def test_extends_an_unknown_policy(derived):
    meta = derived / "policy.yaml"
    line = edit(meta, "extends: mi-aimh", "extends: mi-aim")
    hits = at(problems(derived, "error"), meta, line)
    assert len(hits) == 1 and "did you mean 'mi-aimh'" in hits[0].message


def test_check_only_reports_on_the_path_given(derived):
    assert all(Path(p.file).resolve().is_relative_to(derived.resolve()) for p in problems(derived))
    assert endorse("policy", "check", derived.parent / "mi-aimh").exit_code == 0


def test_a_path_outside_any_policies_folder_is_a_usage_error(tmp_path):
    result = endorse("policy", "check", tmp_path)
    assert result.exit_code == 2 and "not inside a policies folder" in result.output


def test_applicant_facts_are_read_from_the_code():
    """Every predicate facts.symbols emits for a full record is known to lint as an applicant fact."""
    applicant = load.load_file(ROOT / "tests" / "good" / "full.yaml")
    emitted = {(s.name, len(s.arguments)) for s in facts.symbols(0, applicant.data, dt.date(2024, 1, 1))}
    known = predicates.python_signatures()
    assert emitted <= known, emitted - known
    assert {("judge_policy", 2), ("judge_category", 2)} <= known


# --------------------------------------------------------------------------- policy test


def test_a_wrong_expectation_fails_with_expected_and_actual(rules):
    cases = rules / "mi-aimh" / "tests" / "imhm-c.yaml"
    edit(
        cases,
        "    IMHM-C: {status: not_eligible, blockers: [training.rsc_didactic]}\n"
        "- name: RS/C training that was not didactic",
        "    IMHM-C: {status: eligible}\n- name: RS/C training that was not didactic",
    )
    result = endorse("policy", "test", cases)
    assert result.exit_code == 1
    assert "FAIL " in result.output and "14.5 didactic hours" in result.output
    assert "expected eligible, got not_eligible" in result.output
    assert re.search(r"unmet\s+training.rsc_didactic: 14.5 of 15 hours", result.output)
    assert re.search(r"^\d+ passed, 1 failed$", result.output, re.M)


def test_a_broken_rule_fails_the_cases_that_guard_it(rules):
    training = rules / "mi-aimh" / "training.lp"
    edit(training.parent / "parameters.yaml", f"{DIDACTIC}15", f"{DIDACTIC}16")
    result = endorse("policy", "test", rules / "mi-aimh" / "tests" / "imhm-c.yaml")
    assert result.exit_code == 1
    assert "Exactly 15 didactic hours on providing RS/C meet that minimum." in result.output
    assert "requirement training.rsc_didactic: expected met, got unmet (15 of 16 hours" in result.output
    assert re.search(r"^\d+ passed, 1 failed$", result.output, re.M)


def test_rules_that_do_not_parse_fail_every_case(rules):
    training = rules / "mi-aimh" / "training.lp"
    edit(
        training,
        'rsc_training_minimum(p, C, "training.rsc_didactic", rsc_didactic_hours) :- track(p, C, clinical).',
        'rsc_training_minimum(p, C, "training.rsc_didactic", rsc_didactic_hours :- track(p, C, clinical).',
    )
    cases = rules / "mi-aimh" / "tests" / "imhm-c.yaml"
    result = endorse("policy", "test", cases)
    assert result.exit_code == 1
    assert re.search(r"^0 passed, [1-9]\d* failed$", result.output, re.M)
    assert "policy check" in result.output


def test_blockers_that_differ_say_which(rules):
    cases = rules / "mi-aimh" / "tests" / "imhm-c.yaml"
    edit(
        cases,
        "    IMHM-C: {status: not_eligible, blockers: [training.rsc_didactic]}\n"
        "- name: RS/C training that was not didactic",
        "    IMHM-C: {status: not_eligible, blockers: [exam]}\n- name: RS/C training that was not didactic",
    )
    result = endorse("policy", "test", cases)
    assert result.exit_code == 1
    assert "also blocked by training.rsc_didactic; not blocked by exam" in result.output


def test_cases_assert_why_an_entry_did_not_count(rules):
    """A case names the entries a requirement did not count and words of each reason; a wrong reason,
    or an entry that did count, fails with what the rules said."""
    cases = rules / "mi-aimh" / "tests" / "not-counted.yaml"
    assert endorse("policy", "test", cases).exit_code == 0
    edit(cases, "work[1]: not stated to be relationship-focused", "work[1]: not paid")
    edit(cases, "            rsc[1]: not received while doing", "            rsc[0]: not received while doing")
    with cases.open("a") as out:
        out.write(
            "- name: Jordan's RS/C counts, so this case is wrong.\n  applicant: facts/jordan-lee.yaml\n"
            "  expect: {IFS: {requirements: {rsc.hours: {status: met, not_counted: {'rsc[1]': later}}}}}\n"
        )
    result = endorse("policy", "test", cases)
    assert result.exit_code == 1
    assert "requirement rsc.hours: expected rsc[1] not counted, but it was counted" in result.output
    assert (
        "requirement work.experience: work[1] not counted because 'not stated to be relationship-focused"
        in result.output
    )
    assert (
        "requirement rsc.hours: rsc[0] not counted because \"the provider's endorsement (IFRS) is not on"
        in result.output
    )
    assert re.search(r"^\d+ passed, 3 failed$", result.output, re.M)


def test_either_spelling_of_a_category_status_is_accepted(rules):
    cases = rules / "mi-aimh" / "tests" / "ifs.yaml"
    text = cases.read_text()
    assert "not_eligible" in text
    cases.write_text(text.replace("not_eligible", "not eligible"))
    assert endorse("policy", "test", cases).exit_code == 0
