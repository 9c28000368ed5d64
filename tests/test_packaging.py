"""Where the rules come from: the policies folder is chosen when a command runs (--policies,
ENDORSE_POLICIES, else the one shipped with the package), and a wheel built from the project
works alone, from any folder (the slow test, run by `make test-installed` and CI)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from endorse_asp import cli, policy, policytest

ROOT = Path(__file__).resolve().parent.parent


def invoke(*args: str, env: dict | None = None):
    return CliRunner().invoke(cli.main, list(args), env=env, catch_exceptions=False)


@pytest.fixture()
def project(tmp_path) -> Path:
    """A committee's copy: its policies folder and example applicants."""
    home = tmp_path / "committee"
    shutil.copytree(ROOT / "policies", home / "policies")
    shutil.copytree(ROOT / "facts", home / "facts")
    meta = home / "policies" / "orimha" / "policy.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("title: ORIMHA", "title: DRAFT ORIMHA"), encoding="utf-8")
    return home


def titles(output: str) -> dict:
    return {row["id"]: row["title"] for row in json.loads(output)}


def test_the_policies_option_points_every_command_at_another_tree(project):
    out = invoke("--policies", str(project / "policies"), "policy", "list", "--format", "json")
    assert out.exit_code == 0, out.output
    assert titles(out.output)["orimha"].startswith("DRAFT ORIMHA")
    again = invoke("policy", "list", "--format", "json")  # the next command: the shipped rules again
    assert not titles(again.output)["orimha"].startswith("DRAFT")


def test_the_environment_is_read_when_the_command_runs(project, monkeypatch):
    monkeypatch.setenv(policy.ENV, str(project / "policies"))  # after endorse_asp was imported
    assert policy.policies_root() == (project / "policies").resolve()
    assert titles(invoke("policy", "list", "--format", "json").output)["orimha"].startswith("DRAFT")
    other = ROOT / "policies"
    out = invoke("--policies", str(other), "policy", "list", "--format", "json")  # the option wins
    assert not titles(out.output)["orimha"].startswith("DRAFT")


@pytest.mark.parametrize("how", ["option", "environment"])
def test_a_folder_that_is_not_a_policies_folder_is_a_usage_error(tmp_path, how, monkeypatch):
    if how == "option":
        out = invoke("--policies", str(tmp_path), "policy", "list")
        named = "--policies"
    else:
        monkeypatch.setenv(policy.ENV, str(tmp_path))
        out = invoke("evaluate", str(ROOT / "facts" / "jordan-lee.yaml"))
        named = policy.ENV
    assert out.exit_code == 2
    assert named in out.output and "not a policies folder" in out.output


def test_no_policies_found_names_both_ways_to_give_them(monkeypatch):
    monkeypatch.delenv(policy.ENV, raising=False)
    monkeypatch.setattr(policy, "shipped_policies", lambda: None)
    out = invoke("policy", "list")
    assert out.exit_code == 2
    assert "no policies found" in out.output
    assert "--policies DIR" in out.output and "ENDORSE_POLICIES" in out.output
    assert invoke("schema").exit_code == 0  # a command without rules still runs


def test_committee_cases_find_their_applicants_from_their_own_file(project, monkeypatch):
    monkeypatch.chdir(project.parent)  # not the project: paths come from the case files
    cases = policytest.collect([project / "policies" / "orimha"])
    named = [c for c in cases if isinstance(c.applicant, str)]
    assert named, "orimha's cases name applicant files"
    for case in named:  # facts/... : the project holding the policies folder
        assert policytest.applicant_file(case) == project / case.applicant
    shutil.rmtree(project / "facts")
    out = invoke("policy", "test", str(project / "policies" / "orimha"))
    assert out.exit_code == 1
    assert f"no file {named[0].applicant} beside the case file" in out.output
    assert str(project / named[0].applicant) in out.output


# --------------------------------------------------------------------------- the wheel, alone


def run(cmd: list, cwd: Path, env: dict) -> str:
    done = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{' '.join(map(str, cmd))}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.mark.slow
def test_a_wheel_built_from_a_clean_copy_works_alone_from_another_folder(tmp_path):
    source = tmp_path / "clone"
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, files.decode().split("\0")):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    env = {k: v for k, v in os.environ.items() if k not in (policy.ENV, "PYTHONPATH", "VIRTUAL_ENV")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    built = run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", tmp_path / "dist", source], tmp_path, env
    )
    assert "absent from the `packages` configuration" not in built
    (wheel,) = (tmp_path / "dist").glob("endorse_asp-*.whl")
    shutil.rmtree(source)  # nothing may come from the source any more
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", venv], tmp_path, env)
    run([venv / "bin" / "python", "-m", "pip", "install", "-q", wheel], tmp_path, env)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy2(ROOT / "facts" / "jordan-lee.yaml", elsewhere)
    endorse = venv / "bin" / "endorse"

    listed = json.loads(run([endorse, "policy", "list", "--format", "json"], elsewhere, env))
    assert {p["id"] for p in listed} == {"mi-aimh", "massaimh", "mi-aimh-levels", "orimha", "vaimh"}
    judged = json.loads(run([endorse, "evaluate", "jordan-lee.yaml", "--format", "json"], elsewhere, env))
    assert {r["policy"] for r in judged["results"]} >= {"mi-aimh", "vaimh"}
    assert "reports" in run([endorse, "report", "jordan-lee.yaml", "--out", "reports"], elsewhere, env)
    assert (elsewhere / "reports" / "index.html").is_file()
    tested = run([endorse, "policy", "test"], elsewhere, env)
    assert tested.strip().endswith(" passed, 0 failed")
    run([endorse, "policy", "check"], elsewhere, env)
    assert "IMHS" in run([venv / "bin" / "python", "-m", "endorse_asp", "schema"], elsewhere, env)


# --------------------------------------------------------------------------- pre-commit, for committees


def test_the_pre_commit_hooks_lint_and_test_a_committees_repository(tmp_path, monkeypatch):
    import shlex

    import yaml

    hooks = {
        h["id"]: h
        for repo in yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))["repos"]
        for h in repo["hooks"]
    }
    assert set(hooks) == {"endorse-policy-check", "endorse-policy-test"}
    repo = tmp_path / "committee"  # a committee's repository: its rules, cases and applicants
    for folder in ("common", "mi-aimh", "orimha"):  # orimha, and the base it extends (without its cases)
        shutil.copytree(ROOT / "policies" / folder, repo / "policies" / folder)
    shutil.rmtree(repo / "policies" / "mi-aimh" / "tests")
    shutil.copytree(ROOT / "facts", repo / "facts")
    monkeypatch.chdir(repo)  # pre-commit runs hooks at the repository's top
    outputs = {}
    for hook in hooks.values():
        words = shlex.split(hook["entry"])
        assert words[0] == "endorse" and hook["pass_filenames"] is False
        out = invoke(*words[1:])
        assert out.exit_code == 0, f"{hook['id']}: {out.output}"
        outputs[hook["id"]] = out.output
    assert " passed, 0 failed" in outputs["endorse-policy-test"]
    broken = repo / "policies" / "orimha" / "imhs.lp"
    broken.write_text(broken.read_text(encoding="utf-8") + "\nthis is not a rule\n", encoding="utf-8")
    assert invoke(*shlex.split(hooks["endorse-policy-check"]["entry"])[1:]).exit_code == 1
