"""`make bench`: the project's speed, as ratios to baselines measured in the same run.

1. import floor: a Python process that only imports clingo, yaml, jinja2, click;
2. one `endorse evaluate` of one applicant across all policies, as a multiple of (1)
   (target <= 2x), and one `endorse need` (every category of every policy; target <= 4x);
   `endorse need` of each far-from-eligible applicant in bench/far/ (few entries, today's
   date, every category open: target <= 15x, peak memory <= 300 MB);
3. per-applicant cost of evaluating a batch of 1,000 in one process, as a multiple
   of parsing the same files with PyYAML's C loader (target <= 10x), for the table (statuses
   only, as `endorse evaluate` prints it) and with the evidence and why of JSON;
4. `endorse report` of the same batch, as a multiple of loading and evaluating it (target <= 2x);
5. batches in worker processes (`batch_lines`): per applicant with all cores vs (3)'s parse
   (target <= 5x), 2 cores vs 1 (>= 1.7x), 10,000 vs 1,000 applicants (<= 10.5x), peak
   memory; with BENCH_FULL=1, peak memory of `endorse evaluate` on 100,000 files (<= 250 MB);
6. ground atoms per applicant of the examples, with and without the `why` part, and per
   chunk of applicants ground together (bench/atoms.py, which also tells them by predicate).
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import atoms  # noqa: E402  (bench/atoms.py)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "facts" / "jordan-lee.yaml"
FAR = sorted((ROOT / "bench" / "far").glob("*.yaml"))
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


def parse_cost(files: list[Path]) -> float:
    """Seconds per applicant to parse the files with PyYAML's C loader (the baseline)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    t = time.perf_counter()
    for f in files:
        yaml.load(f.read_bytes(), Loader=loader)
    return (time.perf_counter() - t) / len(files)


def per_applicant(files: list[Path], detail: bool) -> float:
    """Seconds per applicant to load and evaluate the files in this process: with `detail` as
    for JSON (evidence, numbers, why entries did not count), else as for the table, which
    grounds neither the `why` nor the `evidence` part (`endorse evaluate DIR --jobs 1`)."""
    from endorse_asp import load
    from endorse_asp.evaluate import evaluate
    from endorse_asp.policy import load_program

    program = load_program()
    program.catalogue  # noqa: B018 - parse and read the policies before timing, as a long run would
    t = time.perf_counter()
    for _ in evaluate((load.load_file(f) for f in files), program=program, why=detail, evidence=detail):
        pass
    return (time.perf_counter() - t) / len(files)


def report_line() -> str:
    """`endorse report` for a batch of 1,000 (load, evaluate, an HTML page each, the index),
    per applicant, as a multiple of loading and evaluating the same files (target <= 2x)."""
    from endorse_asp import load, report
    from endorse_asp.evaluate import evaluate
    from endorse_asp.policy import load_program

    program = load_program()
    program.catalogue  # noqa: B018 - parse and read the policies before timing

    def judge(files: list[Path], _out: Path) -> None:
        for _ in evaluate((load.load_file(f) for f in files), program=program):
            pass

    def write(files: list[Path], out: Path) -> None:
        report.write_reports(files, out, "html", program=program)

    # Each twice, alternately, keeping the faster run: other load on the machine
    # then weighs on both sides alike.
    took = {judge: [], write: []}
    with tempfile.TemporaryDirectory() as tmp:
        files = batch(1000, Path(tmp))
        for run in (judge, write, judge, write):
            t = time.perf_counter()
            run(files, Path(tmp) / "reports")
            took[run].append(time.perf_counter() - t)
    judged, reported = min(took[judge]), min(took[write])
    per = reported / len(files)
    return (
        f"{'endorse report (html), per applicant (1000)':<46}{per * 1000:>8.2f}ms{reported / judged:>9.2f}{'<= 2':>8}"
    )


def varied(n: int, folder: Path) -> list[Path]:
    """n applicant files: the bundled examples round-robin, each under an id of its own."""
    examples = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "facts").glob("*.yaml"))]
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(n):
        text = examples[i % len(examples)]
        target = folder / f"a{i:06d}.yaml"
        target.write_text(re.sub(r"^id: *(\S+)", rf"id: \g<1>-{i:06d}", text, count=1, flags=re.M), encoding="utf-8")
        files.append(target)
    return files


def tree_rss(root: int, pss: bool = False) -> int:
    """Resident memory of a process and all its descendants, in bytes (from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            name = "smaps_rollup" if pss else "status"
            for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
                if line.startswith("Pss:" if pss else "VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


class Peak:
    """The largest tree_rss(pid) seen while the block runs (sampled every 50 ms)."""

    def __init__(self, pid: int):
        self.pid, self.rss, self.pss, self._stop = pid, 0, 0, threading.Event()

    def __enter__(self):
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.is_set():
            self.rss = max(self.rss, tree_rss(self.pid))
            self.pss = max(self.pss, tree_rss(self.pid, pss=True))
            self._stop.wait(0.05)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def peak_of(cmd: list[str]) -> Peak:
    """The peak memory of one run of a command (its process tree)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with Peak(proc.pid) as peak:
        proc.wait()
    return peak


def far_lines(floor: float) -> list[str]:
    """`endorse need` of each far-from-eligible applicant: wall time and peak memory."""
    lines = []
    for far in FAR:
        cmd = [ENDORSE, "need", str(far)]
        took = wall(cmd, runs=3)
        mb = peak_of(cmd).rss / 2**20
        label = f"endorse need, far: {far.stem}"
        lines.append(f"{label:<46}{took * 1000:>8.1f}ms{took / floor:>9.2f}{'<= 15':>8}")
        lines.append(f"{'  peak RSS of that need':<46}{mb:>8.0f}MB{mb / 300:>9.2f}{'<= 1':>8}")
    return lines


def batch_lines(parse: float) -> list[str]:
    """Batches in worker processes (endorse_asp.batch), as `endorse evaluate DIR` runs them:
    per applicant with all cores vs the C-YAML parse (target <= 5x); 2 cores vs 1 (>= 1.7x);
    10,000 applicants vs 1,000 (<= 10.5x); peak memory of the process tree. With BENCH_FULL=1,
    `endorse evaluate` on 100,000 files: peak memory (target <= 250 MB)."""
    import os

    from endorse_asp import batch as batches

    jobs = batches.default_jobs()
    # the table, as `endorse evaluate DIR` prints it: statuses only (no why, no evidence part)
    job = batches.Job(transform=batches.text_transform("text", False, False), why=False, evidence=False)
    batches.warm(job, catalogue=False)  # as `endorse evaluate` does before forking its workers

    def timed(files: list[Path], n: int) -> tuple[float, Peak]:
        with Peak(os.getpid()) as peak:
            t = time.perf_counter()
            for _ in batches.run(files, job, jobs=n):
                pass
            took = time.perf_counter() - t
        return took, peak

    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        files = varied(10_000, Path(tmp))
        # the batches in worker processes first, while this process is as lean as the CLI's
        two, two_mem = timed(files[:1000], min(2, jobs))
        small, small_mem = (two, two_mem) if jobs <= 2 else timed(files[:1000], jobs)
        large, large_mem = timed(files, jobs)
        one, _ = timed(files[:1000], 1)
    per = large / 10_000
    lines.append(
        f"{f'batch, per applicant (10000, {jobs} cores)':<46}{per * 1000:>8.2f}ms{per / parse:>9.2f}{'<= 5':>8}"
    )
    lines.append(f"{'batch 1000, 1 core / 2 cores (speed-up)':<46}{two * 1000:>8.0f}ms{one / two:>9.2f}{'>= 1.7':>8}")
    lines.append(f"{'batch 10000 / batch 1000 (time)':<46}{large * 1000:>8.0f}ms{large / small:>9.2f}{'<= 10.5':>8}")
    lines.append(
        f"{'peak RSS of the process tree, 10000 / 1000':<46}{large_mem.rss / 2**20:>8.0f}MB"
        f"{large_mem.rss / small_mem.rss:>9.2f}{'~ 1':>8}"
    )
    lines.append(
        f"{'peak PSS of the process tree, 10000 / 1000':<46}{large_mem.pss / 2**20:>8.0f}MB"
        f"{large_mem.pss / small_mem.pss:>9.2f}{'~ 1':>8}"
    )
    if os.environ.get("BENCH_FULL"):
        with tempfile.TemporaryDirectory() as tmp:
            varied(100_000, Path(tmp) / "applicants")
            t = time.perf_counter()
            proc = subprocess.Popen(
                [ENDORSE, "evaluate", str(Path(tmp) / "applicants")],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            with Peak(proc.pid) as peak:
                proc.wait()
            took = time.perf_counter() - t
        mb = peak.rss / 2**20
        lines.append(f"{'endorse evaluate 100000: peak RSS of its tree':<46}{mb:>8.0f}MB{mb / 250:>9.2f}{'<= 1':>8}")
        lines.append(
            f"{'endorse evaluate 100000: peak PSS of its tree':<46}{peak.pss / 2**20:>8.0f}MB"
            f"{peak.pss / 2**20 / 250:>9.2f}{'<= 1':>8}"
        )
        lines.append(
            f"{'endorse evaluate 100000: per applicant':<46}{took / 100_000 * 1000:>8.2f}ms"
            f"{took / 100_000 / parse:>9.2f}"
        )
    else:
        lines.append("(BENCH_FULL=1 adds `endorse evaluate` on 100,000 files: peak memory, target <= 250 MB)")
    return lines


def main() -> None:
    floor = wall([sys.executable, "-c", "import clingo, yaml, jinja2, click"])
    one = wall([ENDORSE, "evaluate", str(EXAMPLE)])
    with tempfile.TemporaryDirectory() as tmp:
        files = batch(1000, Path(tmp))
        parse = parse_cost(files)
        # Worker batches first, while this process is as lean as the CLI that forks them:
        # forked after evaluating and rendering 1,000 applicants here, workers would
        # inherit (and copy on write) all of that heap.
        batches = batch_lines(parse)
        run = per_applicant(files, detail=False)
        detailed = per_applicant(files, detail=True)
    print(f"{'measure':<46}{'time':>10}{'ratio':>9}{'target':>8}")
    print(f"{'import floor (clingo, yaml, jinja2, click)':<46}{floor * 1000:>8.1f}ms{1:>9.2f}")
    print(f"{'endorse evaluate, 1 applicant, all policies':<46}{one * 1000:>8.1f}ms{one / floor:>9.2f}{'<= 2':>8}")
    need = wall([ENDORSE, "need", str(EXAMPLE)], runs=3)
    print(f"{'endorse need, 1 applicant, all policies':<46}{need * 1000:>8.1f}ms{need / floor:>9.2f}{'<= 4':>8}")
    for line in far_lines(floor):
        print(line)
    print(f"{'C-YAML parse, per applicant (batch of 1000)':<46}{parse * 1000:>8.2f}ms{1:>9.2f}")
    print(f"{'load + evaluate, per applicant (1000, 1 core)':<46}{run * 1000:>8.2f}ms{run / parse:>9.2f}{'<= 10':>8}")
    print(f"{'  the same with evidence and why (JSON)':<46}{detailed * 1000:>8.2f}ms{detailed / parse:>9.2f}")
    print(report_line())
    for line in batches:
        print(line)
    for line in atoms.summary():
        print(line)


if __name__ == "__main__":
    main()
