"""Hostile input and faults (issue 17): bounded inputs, no overflow, a batch that goes on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from endorse_asp import load
from endorse_asp.cli import main

ROOT = Path(__file__).resolve().parent.parent
JORDAN = ROOT / "facts" / "jordan-lee.yaml"


def endorse(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def jordan(**changes) -> dict:
    data = yaml.safe_load(JORDAN.read_text())
    data.update(changes)
    return data


def refused(data: dict) -> list[str]:
    with pytest.raises(load.InputError) as err:
        load.validate(data, "x.yaml")
    return [str(p) for p in err.value.problems]


def _limits(schema: dict, path: str = "") -> list[tuple[str, dict]]:
    """Every (path, schema) of a list, number or free string in the applicant schema."""
    schema = load.deref(schema)
    found = []
    kind = schema.get("type")
    if kind in ("array", "number", "integer") or (kind == "string" and "format" not in schema):
        found.append((path, schema))
    for key, sub in schema.get("properties", {}).items():
        found.extend(_limits(sub, f"{path}.{key}" if path else key))
    if "items" in schema:
        found.extend(_limits(schema["items"], f"{path}[]"))
    return found


def test_every_list_number_and_text_of_the_schema_has_a_documented_bound():
    docs = (ROOT / "docs" / "applicant-format.md").read_text()
    for path, schema in _limits(load.SCHEMA):
        bound = schema.get("maxItems", schema.get("maximum", schema.get("maxLength")))
        if "pattern" in schema and schema["pattern"].startswith("^[A-Z]{2}"):
            continue  # a two-letter code
        assert bound is not None, path
        if schema.get("type") != "string":
            assert f"| `{path}` | {bound} |" in docs, path


@pytest.mark.parametrize(
    "changes, where",
    [
        ({"training": [{"hours": 21474837, "date": "2020-01-01"}]}, "training[0].hours: must be at most 10000"),
        ({"training": [{"hours": 20_000_000, "date": "2020-01-01"}] * 2}, "training[0].hours"),
        ({"training": [{"hours": 1, "date": "2020-01-01"}] * 501}, "training: at most 500 entries"),
        ({"references": [{"rater": "R", "roles": ["colleague"]}] * 501}, "references: at most 500"),
        ({"name": "x" * 501}, "name: at most 500 characters"),
        ({"id": "abc\n"}, "id: control character"),
        ({"as_of": "9998-06-01"}, "as_of: date 9998-06-01 is outside"),
        ({"training": [{"hours": 1, "date": "1066-10-14"}]}, "training[0].date: date 1066-10-14"),
    ],
)
def test_out_of_bounds_values_are_refused_with_their_field_path(changes, where):
    assert any(where in p for p in refused(jordan(**changes))), refused(jordan(**changes))


def test_a_batch_goes_on_past_an_overflowing_file_with_jobs_1(tmp_path):
    (tmp_path / "a.yaml").write_text(JORDAN.read_text())
    bad = jordan(training=[{"hours": 21474837, "date": "2020-01-01"}], id="bad")
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(bad))
    result = endorse("evaluate", tmp_path, "--jobs", 1, "--format", "json")
    assert result.exit_code == 2
    out = json.loads(result.stdout)
    assert [e["applicant"] for e in out] == ["jordan-lee"]
    assert "b.yaml" in result.stderr and "training[0].hours" in result.stderr


@pytest.mark.parametrize("command", ["evaluate", "need"])
def test_a_far_date_is_a_usage_error_not_an_internal_one(command):
    result = endorse(command, JORDAN, "--as-of", "9998-06-01")
    assert result.exit_code == 2 and "outside" in result.output


def test_many_references_up_to_the_bound_are_judged():
    data = jordan(references=[{"rater": f"Rater {i}", "roles": ["colleague"]} for i in range(500)])
    load.validate(data, "x.yaml")  # within the bound


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    hours=st.one_of(st.integers(-10, 30_000_000), st.floats(allow_nan=True, allow_infinity=True)),
    count=st.integers(0, 600),
    year=st.integers(1, 9999),
)
def test_generated_files_up_to_the_bounds_exit_0_or_2_never_1(tmp_path_factory, hours, count, year):
    folder = tmp_path_factory.mktemp("gen")
    data = jordan(
        training=[{"hours": hours, "date": f"{year:04d}-01-01"}],
        references=[{"rater": f"R{i}", "roles": ["colleague"]} for i in range(count)],
    )
    (folder / "a.yaml").write_text(yaml.safe_dump(data))
    result = endorse("evaluate", folder / "a.yaml", "--format", "json")
    assert result.exit_code in (0, 2), result.output


def _broken_policies(tmp_path, rule: str) -> Path:
    import shutil

    rules = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", rules, ignore=shutil.ignore_patterns("tests"))
    with (rules / "vaimh" / "training.lp").open("a") as f:
        f.write(f"\n{rule}\n")
    return rules


@pytest.mark.parametrize(
    "rule", [":- as_of(_, _).", "pick(A) :- as_of(A, _), not other(A). other(A) :- as_of(A, _), not pick(A)."]
)
def test_rules_with_no_single_answer_set_fail_naming_the_policy(tmp_path, rule):
    rules = _broken_policies(tmp_path, rule)
    result = endorse("--policies", rules, "evaluate", JORDAN, "--format", "json")
    assert result.exit_code == 1
    assert "policy vaimh" in str(result.exception) or "policy vaimh" in result.output
    assert '"results"' not in result.stdout


@pytest.mark.parametrize(
    "rule, message",
    [
        ("{ picked(A) } :- as_of(A, _).", "a choice rule"),
        ("one(A) ; two(A) :- as_of(A, _).", "a disjunction"),
        ("pick(A) :- as_of(A, _), not other(A). other(A) :- as_of(A, _), not pick(A).", "negation through a cycle"),
        ("p(A) :- as_of(A, _), not q(A). q(A) :- p(A).", "negation through a cycle"),
        ('#include "../common/vocabulary.lp".', "#include"),
    ],
)
def test_policy_check_refuses_rules_that_could_leave_no_single_answer(tmp_path, rule, message):
    from endorse_asp import lint

    rules = _broken_policies(tmp_path, rule)
    problems = [p for p in lint.check(rules) if p.severity == "error"]
    assert any(message in p.message and p.file.endswith("vaimh/training.lp") for p in problems), problems


def test_the_shipped_policies_pass_the_structure_checks():
    from endorse_asp import lint
    from endorse_asp.lint import structure

    assert not [p for p in lint.check(ROOT / "policies") if p.severity == "error"]
    assert structure.check([]) == []


def test_the_fingerprint_covers_an_exception_file_outside_the_folder(tmp_path, monkeypatch):
    import shutil

    from endorse_asp import policy, provenance

    rules = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", rules, ignore=shutil.ignore_patterns("tests"))
    meta = rules / "massaimh" / "policy.yaml"
    text = meta.read_text()
    exc = yaml.safe_load(text)["exceptions"][0]["file"]
    outside = tmp_path / "outside.lp"
    shutil.copy(rules / "massaimh" / exc, outside)
    meta.write_text(text.replace(f"file: {exc}", "file: ../../outside.lp"))
    monkeypatch.setattr(policy, "CACHE", tmp_path / "cache")
    first = policy.read_program(rules)
    assert outside in {Path(name).resolve() for name, _ in first.parsed}
    before = provenance.rules_fingerprint(rules, {p.directory for p in first.policies.values()}, (str(outside),))
    outside.write_text(outside.read_text() + "\n% changed\n")
    after = provenance.rules_fingerprint(rules, {p.directory for p in first.policies.values()}, (str(outside),))
    assert before != after
    assert first.catalogue.categories  # read, so saved to the cache
    again = policy.read_program(rules)
    assert again.statements  # the changed file is a cache miss: compiled anew


def test_an_include_is_refused_when_the_rules_are_compiled(tmp_path):
    from endorse_asp import policy

    rules = _broken_policies(tmp_path, '#include "../common/vocabulary.lp".')
    with pytest.raises(policy.PolicyError, match="#include"):
        policy.compile_program(rules, None)


@pytest.mark.parametrize("jobs", [1, 2])
def test_odd_entries_of_a_folder_are_reported_and_the_rest_evaluated(tmp_path, jobs):
    import os

    (tmp_path / "a.yaml").write_text(JORDAN.read_text())
    (tmp_path / "B.YAML").write_text((ROOT / "facts" / "carmen-alvarez.yaml").read_text())
    (tmp_path / "loop.yaml").symlink_to("loop.yaml")
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "dir.yml").mkdir()
    result = endorse("evaluate", tmp_path, "--format", "json", "--jobs", jobs)
    assert result.exit_code == 2, result.output
    assert sorted(e["applicant"] for e in json.loads(result.stdout)) == ["carmen-alvarez", "jordan-lee"]
    for name, message in [
        ("loop.yaml", "symbolic links"),
        ("pipe.yaml", "not a regular file"),
        ("dir.yml", "directory"),
    ]:
        assert any(name in line and message in line for line in result.stderr.splitlines()), (name, result.stderr)


def test_an_empty_folder_is_a_usage_error(tmp_path):
    result = endorse("evaluate", tmp_path)
    assert result.exit_code == 2 and "no applicant files" in result.output


def test_a_chunk_of_one_file_that_fails_costs_only_that_file():
    from endorse_asp import batch

    class Failing:
        def chunk(self, files):
            raise ValueError("boom")

    ((value, error),) = batch.safe_chunk(Failing(), ["x.yaml"])
    assert value is None and isinstance(error, batch.InternalError) and "x.yaml" in error


def test_report_out_empty_or_a_foreign_folder_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = endorse("report", JORDAN, "--out", "")
    assert result.exit_code == 2 and not list(tmp_path.iterdir())
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    result = endorse("report", JORDAN, "--out", tmp_path / "mine")
    assert result.exit_code == 2 and (tmp_path / "mine" / "notes.txt").read_text() == "keep"


def test_a_report_run_that_fails_half_way_leaves_the_previous_run_whole(tmp_path, monkeypatch):
    from endorse_asp import report

    out = tmp_path / "r"
    assert endorse("report", ROOT / "facts", "--out", out).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    calls = []
    real = report.report_page

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(report, "report_page", failing)
    result = endorse(
        "report", JORDAN, ROOT / "facts" / "carmen-alvarez.yaml", ROOT / "facts" / "hana-sato.yaml", "--out", out
    )
    assert result.exit_code == 2
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["r"]  # no staging folder left


def test_leftovers_of_a_dead_run_are_cleaned_on_the_next(tmp_path):
    out = tmp_path / "r"
    dead = tmp_path / ".r.endorse-new-abcd-999999999"
    dead.mkdir()
    (dead / "half.html").write_text("<")
    assert endorse("report", JORDAN, "--out", out).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "jordan-lee.html"]


@pytest.mark.parametrize("name", ["Eve\x1b[2J", "Eve\nok: forged line", "Eve\x9b31m", "nul\x00"])
def test_control_characters_in_text_are_refused_with_the_field_path(name):
    assert any("name: control character" in p for p in refused(jordan(name=name)))


def test_a_control_character_in_a_list_entry_names_its_path():
    data = jordan(references=[{"rater": "A\x1b[31m", "roles": ["colleague"]}])
    assert any("references[0].rater: control character" in p for p in refused(data))


def _break_yaml(rules: Path) -> None:
    with (rules / "mi-aimh" / "policy.yaml").open("a") as out:
        out.write("title: [unclosed\n")


def _add_script(rules: Path) -> None:
    with (rules / "mi-aimh" / "training.lp").open("a") as out:
        out.write("\n#script (python)\nimport os\n#end.\n")


def _lose_exception_file(rules: Path) -> None:
    for f in (rules / "massaimh" / "exceptions").glob("*.lp"):
        f.unlink()


def _orphan_rules(rules: Path) -> None:
    (rules / "stray").mkdir()
    (rules / "stray" / "rules.lp").write_text("a(1).\n")


@pytest.mark.parametrize(
    ("breaks", "said"),
    [
        (_break_yaml, "mi-aimh/policy.yaml:"),
        (_add_script, "training.lp:"),
        (_lose_exception_file, "does not exist"),
        (_orphan_rules, "rule files but no policy.yaml"),
    ],
)
@pytest.mark.parametrize("command", [["evaluate", str(JORDAN)], ["policy", "list"]])
def test_a_broken_policy_folder_is_an_input_error_from_every_command(tmp_path, breaks, said, command):
    import shutil

    rules = tmp_path / "policies"
    for name in ("common", "mi-aimh", "massaimh"):
        shutil.copytree(ROOT / "policies" / name, rules / name, ignore=shutil.ignore_patterns("tests"))
    breaks(rules)
    result = endorse("--policies", str(rules), *command)
    assert result.exit_code == 2, result.output
    assert said in result.output and "internal error" not in result.output
