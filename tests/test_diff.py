"""`endorse policy diff`: the applicants whose outcomes a rule change changes, and clear
errors when a version of the rules cannot be used."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from endorse_asp import diff
from endorse_asp.cli import main

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "facts"

# The clinical mentors' didactic RS/C hours in mi-aimh/parameters.yaml, up to the value.
DIDACTIC = "    track(p, C, clinical):\n      2017-01-01: "


def copy_rules(target: Path) -> Path:
    target.mkdir(parents=True)
    shutil.copytree(ROOT / "policies" / "common", target / "common")
    shutil.copytree(ROOT / "policies" / "mi-aimh", target / "mi-aimh")
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="module")
def versions(tmp_path_factory) -> tuple[Path, Path]:
    """OLD: a copy of the rules; NEW: the same with clinical mentors' didactic RS/C hours raised 15 -> 21."""
    base = tmp_path_factory.mktemp("diff")
    old, new = copy_rules(base / "old"), copy_rules(base / "new")
    edit(new / "mi-aimh" / "parameters.yaml", f"{DIDACTIC}15", f"{DIDACTIC}21")
    return old, new


def endorse(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_raising_a_threshold_changes_exactly_the_applicants_below_it(versions):
    old, new = versions
    result = endorse("policy", "diff", old, new, "--applicants", FACTS, "--format", "json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    # Aisha Karim has 20 didactic RS/C hours: eligible ECMHM-C under 15, not under 21; only the
    # clinical mentor categories can change, and only by that one requirement.
    status = [
        (c["applicant"], c["category"], c["before"]["status"], c["after"]["status"])
        for c in out["changes"]
        if "status" in c["changed"]
    ]
    assert status == [("aisha-karim", "ECMHM-C", "eligible", "not_eligible")]
    for c in out["changes"]:
        assert c["category"] in ("IMHM-C", "ECMHM-C"), c
        assert set(c["after"]["blockers"]) - set(c["before"]["blockers"]) == {"training.rsc_didactic"}
    assert out["applicants"] == len(list(FACTS.glob("*.yaml")))
    assert out["changed_results"] == len(out["changes"]) == sum(out["by_category"].values())
    assert out["changed_applicants"] == len({c["applicant"] for c in out["changes"]})
    assert out["by_transition"]["eligible → not_eligible"] == 1


def test_text_and_markdown_list_each_change_with_counts(versions):
    old, new = versions
    text = endorse("policy", "diff", old, new, "--applicants", FACTS)
    assert text.exit_code == 0
    lines = text.stdout.splitlines()
    assert lines[1].startswith("1 of ") or " of " in lines[1]
    assert any(line.split()[:4] == ["mi-aimh/ECMHM-C", "eligible", "->", "not_eligible"] for line in lines)
    assert "blockers +training.rsc_didactic" in text.stdout and "by category:" in text.stdout
    md = endorse("policy", "diff", old, new, "--applicants", FACTS, "--format", "md")
    assert md.exit_code == 0
    assert md.stdout.startswith("### Policy diff:")
    assert "| aisha-karim | mi-aimh/ECMHM-C | eligible → **not_eligible** | +training.rsc_didactic |" in md.stdout


def test_the_same_rules_change_nothing(versions):
    old, _ = versions
    result = endorse("policy", "diff", old, old, "--applicants", FACTS)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1].startswith("No outcome changes:")


def test_a_date_moves_both_sides(versions):
    old, new = versions
    out = json.loads(
        endorse("policy", "diff", old, new, "--applicants", FACTS, "--format", "json", "--as-of", "2010-01-01").stdout
    )
    assert out["applicants"] > 0 and out["changed_results"] == 0  # nobody has clinical training in 2010


def test_a_broken_new_version_stops_with_a_clear_error(versions, tmp_path):
    old, _ = versions
    broken = copy_rules(tmp_path / "broken")
    edit(
        broken / "mi-aimh" / "training.lp",
        'rsc_training_minimum(p, C, "training.rsc_didactic", rsc_didactic_hours) :- track(p, C, clinical).',
        'rsc_training_minimum(p, C, "training.rsc_didactic", rsc_didactic_hours) :- track(p, C, clinical',
    )
    result = endorse("policy", "diff", old, broken, "--applicants", FACTS)
    assert result.exit_code == 2
    assert "the NEW rules" in result.stderr and "cannot be loaded" in result.stderr
    assert f"endorse policy check {broken}" in result.stderr and not result.stdout


def test_rules_that_do_not_ground_stop_with_the_place(versions, tmp_path):
    old, _ = versions
    broken = copy_rules(tmp_path / "unsafe")
    (broken / "mi-aimh" / "extra.lp").write_text("#program policy(p).\nfoo(p, X) :- category(p, _, _, _).\n")
    result = endorse("policy", "diff", old, broken, "--applicants", FACTS)
    assert result.exit_code == 2
    assert "the NEW rules" in result.stderr and "cannot be grounded" in result.stderr
    assert "unsafe" in result.stderr and f"endorse policy check {broken}" in result.stderr
    # ... which names the file and line
    check = endorse("policy", "check", broken)
    assert check.exit_code == 1 and re.search(r"extra\.lp:2:1: error: unsafe variables", check.stdout)


def test_not_a_policies_folder(versions, tmp_path):
    old, _ = versions
    result = endorse("policy", "diff", old, tmp_path, "--applicants", FACTS)
    assert result.exit_code == 2 and "not a policies folder" in result.stderr


def test_usage_needs_two_folders_or_a_revision(versions):
    old, _ = versions
    assert endorse("policy", "diff", old, "--applicants", FACTS).exit_code == 2


def test_a_bad_applicant_file_is_reported_and_the_rest_compared(versions, tmp_path):
    old, new = versions
    folder = tmp_path / "applicants"
    folder.mkdir()
    shutil.copy(FACTS / "aisha-karim.yaml", folder / "a.yaml")
    (folder / "b.yaml").write_text("schema: endorse-applicant/1\nid: [\n")
    result = endorse("policy", "diff", old, new, "--applicants", folder, "--format", "json")
    assert result.exit_code == 2
    assert "b.yaml" in result.stderr
    out = json.loads(result.stdout)
    assert out["applicants"] == 1 and len(out["errors"]) == 1 and out["changed_applicants"] == 1


@pytest.fixture()
def repository(tmp_path) -> Path:
    """A git repository whose committed rules are a copy; the working tree then raises the threshold."""
    home = tmp_path / "repo"
    rules = copy_rules(home / "policies")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"]
    for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "rules"]):
        subprocess.run(git + cmd, cwd=home, check=True, capture_output=True)
    edit(rules / "mi-aimh" / "parameters.yaml", f"{DIDACTIC}15", f"{DIDACTIC}21")
    return rules


def test_working_tree_against_a_git_revision(repository):
    result = endorse("policy", "diff", "--rev", "HEAD", repository, "--applicants", FACTS, "--format", "json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["old"].startswith("HEAD (")
    assert [(c["applicant"], c["category"]) for c in out["changes"] if "status" in c["changed"]] == [
        ("aisha-karim", "ECMHM-C")
    ]
    # nothing in the working tree moved
    assert f"{DIDACTIC}21" in (repository / "mi-aimh" / "parameters.yaml").read_text()


def test_an_unknown_revision_is_a_usage_error(repository):
    result = endorse("policy", "diff", "--rev", "no-such-rev", repository, "--applicants", FACTS)
    assert result.exit_code == 2 and "does not know the revision 'no-such-rev'" in result.stderr


def test_a_folder_outside_git_cannot_use_rev(versions):
    old, _ = versions
    with pytest.raises(diff.DiffError, match="not in a git repository"):
        with diff.rules_at_revision("HEAD", old):
            pass
