"""The `endorse` command as a user runs it: exit codes, output shapes, bad input."""

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from endorse_asp.cli import main

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "facts"
JORDAN = str(FACTS / "jordan-lee.yaml")
MI_AIMH = [
    "IFA",
    "ECFA",
    "IFS",
    "ECFS",
    "IMHS",
    "ECMHS",
    "IMHM-C",
    "IMHM-P",
    "IMHM-RF",
    "ECMHM-C",
    "ECMHM-P",
    "ECMHM-RF",
]


def endorse(*args):
    return CliRunner().invoke(main, list(args))


def test_text_has_one_line_per_category_within_80_columns():
    result = endorse("evaluate", JORDAN, "--policy", "mi-aimh")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert all(len(line) <= 80 for line in lines)
    for code in MI_AIMH:
        assert sum(line.split()[:1] == [code] for line in lines) == 1, code
    assert "\x1b[" not in result.output  # no colour when not a terminal


def test_json_is_compact_off_a_terminal_and_indented_on_request():
    compact = endorse("evaluate", str(FACTS), "--format", "json", "--policy", "vaimh")
    lines = compact.output.splitlines()
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == 2 + len(list(FACTS.glob("*.yaml")))
    indented = endorse("--indent", "3", "evaluate", str(FACTS), "--format", "json", "--policy", "vaimh", "-j", "2")
    assert indented.exit_code == 0
    assert '\n{\n   "applicant": ' in indented.output  # the workers indent too
    assert json.loads(indented.output) == json.loads(compact.output)


def test_json_follows_the_contract():
    result = endorse("evaluate", JORDAN, "--format", "json")
    assert result.exit_code == 0
    out = json.loads(result.output)
    assert out["applicant"] == "jordan-lee" and out["as_of"] == "2024-03-01"
    assert {(r["policy"], r["category"]) for r in out["results"]} >= {("mi-aimh", c) for c in MI_AIMH}
    for r in out["results"]:
        assert r["status"] in {"eligible", "needs_review", "incomplete", "not_eligible"}
        statuses = {q["id"]: q["status"] for q in r["requirements"]}
        assert r["blockers"] == [q for q, s in statuses.items() if s in ("unmet", "unknown")]
        assert r["status"] != "eligible" or set(statuses.values()) == {"met"}
        for q in r["requirements"]:
            assert q["id"].split(".")[0] in {
                "education",
                "training",
                "work",
                "rsc",
                "references",
                "ethics",
                "agreement",
                "exam",
                "membership",
                "leadership",
                "residency",
            }
            assert q["summary"] and q["source"]["document"].endswith(".txt") and q["source"]["section"]
    imhs = next(r for r in out["results"] if r["category"] == "IMHS" and r["policy"] == "mi-aimh")
    rsc = next(q for q in imhs["requirements"] if q["id"] == "rsc.hours")
    assert rsc["detail"].startswith("54 of 50 hours")
    assert {e["entry"] for e in rsc["evidence"]} == {"rsc[0]", "rsc[1]"}


def test_as_of_moves_the_date():
    out = json.loads(endorse("evaluate", JORDAN, "--format", "json", "--as-of", "2020-01-01").output)
    assert out["as_of"] == "2020-01-01"
    imhs = next(r for r in out["results"] if r["category"] == "IMHS")
    assert imhs["status"] == "not_eligible"


def test_a_directory_gives_an_array_and_a_bad_file_does_not_stop_the_batch(tmp_path):
    (tmp_path / "a.yaml").write_text(Path(JORDAN).read_text())
    (tmp_path / "b.yaml").write_text("id: broken\ntraining:\n  - hours: -3\n    date: 2020-01-01\n")
    (tmp_path / "c.yaml").write_text(Path(JORDAN).read_text().replace("id: jordan-lee", "id: jordan-two"))
    result = endorse("evaluate", str(tmp_path), "--format", "json")
    assert result.exit_code == 2
    out = json.loads(result.stdout)
    assert [e["applicant"] for e in out] == ["jordan-lee", "jordan-two"]
    assert f"{tmp_path / 'b.yaml'}:3: training[0].hours:" in result.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["evaluate", JORDAN, "--category", "IMSH"], "did you mean 'IMHS'"),
        (["evaluate", JORDAN, "--policy", "mi-aimm"], "unknown policy mi-aimm"),
        (["evaluate", JORDAN, "--as-of", "2024-02-30"], "not a date"),
        (["evaluate", "no/such/file.yaml"], "no/such/file.yaml"),
    ],
)
def test_usage_and_input_errors_exit_2(args, message):
    result = endorse(*args)
    assert result.exit_code == 2
    assert message in result.output + result.stderr


def test_module_entry_point_runs_without_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"\xff\xfe\x00junk")
    done = subprocess.run([sys.executable, "-m", "endorse_asp", "evaluate", str(bad)], capture_output=True, text=True)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and str(bad) in done.stderr


def test_the_cli_starts_without_the_other_commands_modules():
    # `endorse evaluate` of one file pays only for what it uses: reports (Jinja2), workers,
    # lint, catalogue, diff, policy tests and what-if are imported by their own commands.
    heavy = [
        "jinja2",
        "multiprocessing",
        "endorse_asp.lint",
        "endorse_asp.catalogue",
        "endorse_asp.diff",
        "endorse_asp.policytest",
        "endorse_asp.whatif",
        "endorse_asp.decisions",
        "endorse_asp.spreadsheet",
    ]
    code = f"import sys, endorse_asp.cli; print([m for m in {heavy!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_pipeline_and_the_questions_import_no_command_line_and_no_rendering():
    """load -> facts -> solve -> explain, and need, what-if and renew, are a library: no click, no pages."""
    pipeline = "endorse_asp.evaluate, endorse_asp.needs, endorse_asp.whatif, endorse_asp.renew"
    front = [
        "click",
        "jinja2",
        "endorse_asp.cli",
        "endorse_asp.render",
        "endorse_asp.render_needs",
        "endorse_asp.report",
    ]
    code = f"import sys, {pipeline}; print([m for m in {front!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_schema_agrees_with_every_example():
    schema = json.loads(endorse("schema").output)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    examples = sorted(FACTS.glob("*.yaml"))
    assert len(examples) >= 6
    for path in examples:
        data = yaml.safe_load(path.read_text())
        validator.validate(json.loads(json.dumps(data, default=lambda d: d.isoformat())))


def test_policy_list_names_the_policy_and_its_categories():
    out = json.loads(endorse("policy", "list", "--format", "json").output)
    mi = next(p for p in out if p["id"] == "mi-aimh")
    assert mi["categories"] == MI_AIMH and mi["valid_from"] == "2017-01-01"


def test_every_example_is_evaluated_and_every_category_reached():
    out = json.loads(endorse("evaluate", str(FACTS), "--format", "json").output)
    reached = {(r["policy"], r["category"]) for e in out for r in e["results"] if r["status"] == "eligible"}
    assert {("mi-aimh", c) for c in MI_AIMH} <= reached
    missed = {(r["policy"], r["category"]) for e in out for r in e["results"] if r["status"] != "eligible"}
    assert {("mi-aimh", c) for c in MI_AIMH} <= missed
