"""Fuzzing the loader and `endorse evaluate` with mutated and random YAML: never a traceback,
always exit 0 or 2, and output that is byte-identical across runs and hash seeds."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import applicants

from endorse_asp import load
from endorse_asp.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "facts").glob("*.yaml"))]
ENDORSE = str(Path(sys.executable).with_name("endorse"))
NOISE = list(":-[]{}'\"&*!%#|>@`,? \t\n0123456789abcxyzé\u2028\x00\ufeff")
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def mutated(draw) -> str:
    """An example file, or a generated valid record, with a few random edits to its text."""
    if draw(st.booleans()):
        text = draw(st.sampled_from(EXAMPLES))
    else:
        text = yaml.safe_dump(draw(applicants()), sort_keys=False, allow_unicode=True)
    for _ in range(draw(st.integers(1, 4))):
        lines = text.splitlines(keepends=True) or [""]
        n = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["delete", "duplicate", "swap", "char", "truncate", "insert", "indent"]))
        if how == "delete":
            del lines[n]
        elif how == "duplicate":
            lines.insert(n, lines[n])
        elif how == "swap":
            m = draw(st.integers(0, len(lines) - 1))
            lines[n], lines[m] = lines[m], lines[n]
        elif how == "indent":
            lines[n] = draw(st.sampled_from([" ", "  ", "\t", "- "])) + lines[n]
        text = "".join(lines)
        if how in ("char", "truncate", "insert") and text:
            at = draw(st.integers(0, len(text) - 1))
            if how == "char":
                text = text[:at] + draw(st.sampled_from(NOISE)) + text[at + 1 :]
            elif how == "truncate":
                text = text[:at]
            else:
                text = text[:at] + draw(st.text(NOISE, max_size=8)) + text[at:]
    return text


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.dates(),
)
random_yaml = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.text(max_size=10)
            | st.sampled_from(
                ["id", "schema", "as_of", "degrees", "training", "rsc", "work", "exam", "hours", "start", "end"]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=15,
).map(lambda value: yaml.safe_dump(value, allow_unicode=True))


def evaluate_twice(path: Path, *args: str) -> None:
    runs = [CliRunner().invoke(main, ["evaluate", str(path), *args]) for _ in range(2)]
    for result in runs:
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            f"traceback for:\n{path.read_text(errors='replace')}\n{result.exc_info}"
        )
        assert result.exit_code in (0, 2), (result.exit_code, result.output)
        if result.exit_code == 2:
            assert result.stderr.strip() and "Traceback" not in result.stderr
    assert runs[0].stdout == runs[1].stdout and runs[0].stderr == runs[1].stderr


@SETTINGS
@given(text=mutated() | random_yaml)
def test_the_loader_accepts_or_explains(tmp_path, text):
    path = tmp_path / "applicant.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        load.load_file(path)
    except load.InputError as err:
        assert err.problems and all(p.file == str(path) for p in err.problems)
        assert str(err).startswith(str(path))


@SETTINGS
@given(text=mutated())
def test_evaluate_mutated_files(tmp_path, text):
    path = tmp_path / "applicant.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    evaluate_twice(path, "--policy", "mi-aimh", "--format", "json")


@settings(SETTINGS, max_examples=15)
@given(text=random_yaml | mutated())
def test_evaluate_random_files_all_policies(tmp_path, text):
    path = tmp_path / "applicant.yaml"
    path.write_text(text, encoding="utf-8")
    evaluate_twice(path)


def test_output_is_identical_across_hash_seeds(tmp_path):
    """A folder of good and mutated files, evaluated in worker processes by two processes
    with different hash seeds: the same bytes, the same exit status."""
    folder = tmp_path / "batch"
    folder.mkdir()
    chance = random.Random(8)
    for n in range(30):
        text = EXAMPLES[n % len(EXAMPLES)]
        if n % 3 == 0:
            lines = text.splitlines(keepends=True)
            i = chance.randrange(len(lines))
            lines[i] = lines[i][: chance.randrange(len(lines[i]) + 1)] + chance.choice(NOISE) + "\n"
            text = "".join(lines)
        (folder / f"a{n:02d}.yaml").write_text(text, encoding="utf-8")
    shutil.copy(ROOT / "tests" / "bad" / "duplicate_key.yaml", folder / "z-bad.yaml")
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "NO_COLOR": "1"}
        done = subprocess.run(
            [ENDORSE, "evaluate", str(folder), "--jobs", "2", "--format", "json"],
            capture_output=True,
            env=env,
            timeout=600,
        )
        assert done.returncode == 2, done.stderr.decode()  # z-bad.yaml at least
        assert b"Traceback" not in done.stderr
        outputs.append((done.stdout, done.stderr))
    assert outputs[0] == outputs[1]
    assert outputs[0][0].startswith(b"[") and b"z-bad.yaml" in outputs[0][1]
