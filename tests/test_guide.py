"""docs/committee-guide.md, run as written, on a copy of the policies and the examples.

The guide's fenced blocks are steps, in order:

- ```sh: commands, each run with bash in the copy (`endorse` on the PATH); a trailing
  `# exit N` gives the exit status the guide expects (default 0);
- ```text right after a ```sh block: lines the block's output must contain
  (whitespace runs compared as one space; `...` alone skips lines, inside a line it
  stands for any text);
- ```lp replace FILE / ```yaml replace FILE, then ```lp with / ```yaml with: the
  first block's text must occur exactly once in FILE and becomes the second's;
- ```lp append FILE / ```yaml append FILE: the text is added at the end of FILE;
- ```lp new FILE / ```yaml new FILE: FILE is created with the text.

Any other block is illustration and is not run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "committee-guide.md"
BIN = Path(sys.executable).parent
FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```\s*$", re.M | re.S)


def blocks(text: str) -> list[tuple[str, str]]:
    return [(m.group(1).strip(), m.group(2)) for m in FENCE.finditer(text)]


def squash(line: str) -> str:
    return " ".join(line.split())


def expect_lines(expected: str, output: str, where: str) -> None:
    actual = [squash(line) for line in output.splitlines()]
    for line in expected.splitlines():
        line = squash(line)
        if not line or line == "...":
            continue
        pattern = re.compile(".*".join(re.escape(part.strip()) for part in line.split("...")))
        assert any(pattern.search(a) for a in actual), (
            f"{where}: the guide shows\n  {line}\nbut the output was:\n{output}"
        )


@pytest.fixture()
def project(tmp_path) -> Path:
    """A copy of the policies and the example applicants, under git (for `--rev`)."""
    home = tmp_path / "project"
    home.mkdir()
    shutil.copytree(ROOT / "policies", home / "policies")
    shutil.copytree(ROOT / "facts", home / "facts")
    git = ["git", "-c", "user.name=guide", "-c", "user.email=guide@example.org", "-c", "commit.gpgsign=false"]
    for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "rules before the change"]):
        subprocess.run(git + cmd, cwd=home, check=True, capture_output=True)
    return home


def test_the_guide_runs_as_written(project):
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "NO_COLOR": "1", "COLUMNS": "200"}
    steps = blocks(GUIDE.read_text(encoding="utf-8"))
    ran = edited = checked = 0
    last_output, last_where, pending = None, "", None
    for n, (info, body) in enumerate(steps):
        where = f"{GUIDE.name}, block {n + 1} ({info or 'plain'})"
        words = info.split()
        kind, action = (words + ["", ""])[:2]
        if kind == "sh":
            outputs = []
            for command in body.splitlines():
                if not command.strip() or command.lstrip().startswith("#"):
                    continue
                wanted = re.search(r"#\s*exit\s+(\d+)\s*$", command)
                done = subprocess.run(
                    ["bash", "-c", command], cwd=project, env=env, capture_output=True, text=True, timeout=600
                )
                outputs.append(done.stdout + done.stderr)
                last_output, last_where = "".join(outputs), f"{where}: {command.strip()}"
                assert done.returncode == (int(wanted.group(1)) if wanted else 0), (
                    f"{last_where}: exit {done.returncode}\n{outputs[-1]}"
                )
                ran += 1
        elif kind == "text" and last_output is not None:
            expect_lines(body, last_output, last_where)
            last_output = None
            checked += 1
        elif action in ("replace", "append", "new"):
            target = project / words[2]
            if action == "replace":
                pending = (target, body, where)
                continue
            if action == "append":
                text = target.read_text(encoding="utf-8")
                target.write_text(text + ("" if text.endswith("\n") else "\n") + body, encoding="utf-8")
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(body, encoding="utf-8")
            edited += 1
        elif action == "with":
            assert pending is not None, f"{where}: a 'with' block without 'replace' before it"
            target, old, at = pending
            text = target.read_text(encoding="utf-8")
            assert text.count(old) == 1, f"{at}: the text to replace occurs {text.count(old)} times in {target.name}"
            target.write_text(text.replace(old, body), encoding="utf-8")
            pending = None
            edited += 1
        if kind != "sh":
            last_output = None if kind != "text" else last_output
    assert pending is None, "a 'replace' block without its 'with'"
    assert ran >= 10 and edited >= 10 and checked >= 8, (ran, edited, checked)
    assert (project / "impact.md").read_text(encoding="utf-8").startswith("### Policy diff")
    assert not (project.parent / "policies-before").exists()


def test_guide_blocks_parse():
    """Every edit block names a file and every 'replace' has its 'with'."""
    steps = blocks(GUIDE.read_text(encoding="utf-8"))
    infos = [info.split() for info, _ in steps]
    for n, words in enumerate(infos):
        if len(words) > 1 and words[1] in ("replace", "append", "new"):
            assert len(words) == 3, words
        if len(words) > 1 and words[1] == "replace":
            assert infos[n + 1][1:] == ["with"], (words, infos[n + 1])
