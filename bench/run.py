"""`make bench`: the project's speed, as ratios to baselines measured in the same run.

1. import floor: a Python process that only imports clingo, yaml, jinja2, click;
2. one `endorse evaluate` of one applicant across all policies, as a multiple of (1)
   (target <= 2x);
3. per-applicant cost of evaluating a batch of 1,000 in one process, as a multiple
   of parsing the same files with PyYAML's C loader (target <= 10x);
4. `endorse report` of the same batch, as a multiple of loading and evaluating it (target <= 2x).
"""
from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "facts" / "jordan-lee.yaml"
ENDORSE = str(Path(sys.executable).with_name("endorse"))


def wall(cmd: list[str], runs: int = 7) -> float:
    """Median wall time of a command, in seconds (one warm-up run first)."""
    subprocess.run(cmd, check=True, capture_output=True)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def batch(n: int, folder: Path) -> list[Path]:
    """n applicant files: the bundled examples, copied round-robin."""
    examples = sorted((ROOT / "facts").glob("*.yaml"))
    files = []
    for i in range(n):
        target = folder / f"a{i:05d}.yaml"
        shutil.copyfile(examples[i % len(examples)], target)
        files.append(target)
    return files


def per_applicant(files: list[Path]) -> tuple[float, float]:
    """Seconds per applicant: C-YAML parse only, and load + evaluate in this process."""
    from endorse_asp import load
    from endorse_asp.evaluate import evaluate
    from endorse_asp.policy import load_program

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    t = time.perf_counter()
    for f in files:
        yaml.load(f.read_bytes(), Loader=loader)
    parse = (time.perf_counter() - t) / len(files)

    program = load_program()
    program.catalogue  # noqa: B018 - parse and read the policies before timing, as a long run would
    t = time.perf_counter()
    for _ in evaluate((load.load_file(f) for f in files), program=program):
        pass
    run = (time.perf_counter() - t) / len(files)
    return parse, run


def report_line() -> str:
    """`endorse report` for a batch of 1,000 (load, evaluate, an HTML page each, the index),
    per applicant, as a multiple of loading and evaluating the same files (target <= 2x)."""
    from endorse_asp import load, report
    from endorse_asp.evaluate import evaluate
    from endorse_asp.policy import load_program

    program = load_program()
    program.catalogue  # noqa: B018 - parse and read the policies before timing
    with tempfile.TemporaryDirectory() as tmp:
        files = batch(1000, Path(tmp))
        t = time.perf_counter()
        for _ in evaluate((load.load_file(f) for f in files), program=program):
            pass
        judged = time.perf_counter() - t
        t = time.perf_counter()
        report.write_reports(files, Path(tmp) / "reports", "html", program=program)
        reported = time.perf_counter() - t
    per = reported / len(files)
    return f"{'endorse report (html), per applicant (1000)':<46}{per * 1000:>8.2f}ms{reported / judged:>9.2f}{'<= 2':>8}"


def main() -> None:
    floor = wall([sys.executable, "-c", "import clingo, yaml, jinja2, click"])
    one = wall([ENDORSE, "evaluate", str(EXAMPLE)])
    with tempfile.TemporaryDirectory() as tmp:
        parse, run = per_applicant(batch(1000, Path(tmp)))
    print(f"{'measure':<46}{'time':>10}{'ratio':>9}{'target':>8}")
    print(f"{'import floor (clingo, yaml, jinja2, click)':<46}{floor * 1000:>8.1f}ms{1:>9.2f}")
    print(f"{'endorse evaluate, 1 applicant, all policies':<46}{one * 1000:>8.1f}ms{one / floor:>9.2f}{'<= 2':>8}")
    print(f"{'C-YAML parse, per applicant (batch of 1000)':<46}{parse * 1000:>8.2f}ms{1:>9.2f}")
    print(f"{'load + evaluate, per applicant (1000, 1 core)':<46}{run * 1000:>8.2f}ms{run / parse:>9.2f}{'<= 10':>8}")
    print(report_line())


if __name__ == "__main__":
    main()
