"""Batches in worker processes: the same results in the same order as one process, bad files
reported without stopping the batch, workers replaced after a bounded number of chunks.
(Speed and memory are measured by `make bench`, not here.)"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from endorse_asp import batch
from endorse_asp.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "facts").glob("*.yaml"))


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """30 applicant files (the examples, round-robin), two of them bad."""
    folder = tmp_path_factory.mktemp("batch")
    for i in range(30):
        shutil.copyfile(EXAMPLES[i % len(EXAMPLES)], folder / f"a{i:03d}.yaml")
    (folder / "a007.yaml").write_text("schema: endorse-applicant/1\nid: x\nno_such_field: 1\n")
    (folder / "a023.yaml").write_text("{{{ not yaml\n")
    return folder


def files_of(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.yaml"))


def pid_and_id(evaluation) -> tuple[int, str]:
    return os.getpid(), evaluation.applicant


def die_on_olivia(evaluation):
    if evaluation.applicant == "olivia-grant":
        os._exit(3)
    return evaluation.applicant


def die_once_on_olivia(evaluation):
    """A worker killed once, on one applicant (the marker file remembers across processes)."""
    marker = Path(os.environ["ENDORSE_TEST_MARKER"])
    if evaluation.applicant == "olivia-grant" and not marker.exists():
        marker.write_text("died")
        os._exit(9)
    return evaluation.applicant


def raise_on_olivia(evaluation):
    if evaluation.applicant == "olivia-grant":
        raise ValueError("boom")
    return evaluation.applicant


TEXT = batch.text_transform("text", False, True)
ONLY = ("mi-aimh",)  # one policy is enough here, and quicker


def test_workers_give_what_one_process_gives_in_input_order(folder):
    files = files_of(folder)
    job = batch.Job(only=ONLY, transform=TEXT)
    serial = list(batch.run(files, job, jobs=1))
    parallel = list(batch.run(files, job, jobs=2, chunk=3))
    assert [i.index for i in parallel] == list(range(len(files)))
    assert [i.file for i in parallel] == [str(f) for f in files]
    assert [(i.value, i.error) for i in parallel] == [(i.value, i.error) for i in serial]
    bad = [i.file for i in parallel if i.error]
    assert [Path(f).name for f in bad] == ["a007.yaml", "a023.yaml"]
    assert "no_such_field" in parallel[7].error and parallel[7].value is None


def test_workers_are_replaced_after_a_bounded_number_of_chunks(folder):
    items = list(batch.run(files_of(folder), batch.Job(only=ONLY, transform=pid_and_id), jobs=2, chunk=2, max_chunks=2))
    good = [i for i in items if i.error is None]
    pids = {i.value[0] for i in good}
    # 15 chunks, at most 2 per worker: at least 8 workers served them, none of them this process
    assert len(pids) >= 8 and os.getpid() not in pids
    assert [i.value[1] for i in good] == [
        i.value[1]
        for i in batch.run(files_of(folder), batch.Job(only=ONLY, transform=pid_and_id), jobs=1)
        if i.error is None
    ]


def test_a_worker_that_dies_costs_its_chunk_not_the_batch(folder):
    items = list(batch.run(files_of(folder), batch.Job(only=ONLY, transform=die_on_olivia), jobs=2, chunk=2))
    died = [i for i in items if i.error and "worker" in i.error]
    assert died and all("olivia-grant" not in (i.value or "") for i in items)
    assert len([i for i in items if i.error is None]) == len(items) - 2 - len(died)
    assert items[-1].index == len(items) - 1


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_exception_costs_only_the_file_that_raises_it(folder, jobs):
    items = list(batch.run(files_of(folder), batch.Job(only=ONLY, transform=raise_on_olivia), jobs=jobs))
    internal = [i for i in items if isinstance(i.error, batch.InternalError)]
    assert internal and all("ValueError: boom" in i.error for i in internal)
    assert all(i.value != "olivia-grant" for i in items)
    assert len([i for i in items if i.error is None]) == len(items) - 2 - len(internal)


def test_a_small_batch_runs_in_this_process(folder):
    files = files_of(folder)[:3]
    items = list(batch.run(files, batch.Job(only=ONLY, transform=pid_and_id), jobs=2))
    assert {i.value[0] for i in items} == {os.getpid()}


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_evaluate_prints_the_same_with_any_number_of_jobs(folder, fmt):
    runner = CliRunner()
    one = runner.invoke(main, ["evaluate", str(folder), "--format", fmt, "--jobs", "1", "--policy", "mi-aimh"])
    two = runner.invoke(main, ["evaluate", str(folder), "--format", fmt, "--jobs", "2", "--policy", "mi-aimh"])
    assert one.exit_code == two.exit_code == 2  # the two bad files
    assert one.stdout == two.stdout and one.stdout
    assert "a007.yaml" in two.stderr and "a023.yaml" in two.stderr


def test_evaluate_rejects_zero_jobs(folder):
    result = CliRunner().invoke(main, ["evaluate", str(folder), "--jobs", "0"])
    assert result.exit_code == 2 and "--jobs" in result.output


def test_chunks_shrink_towards_the_end():
    sizes = [len(part) for _, part in batch._chunks([str(n) for n in range(1000)], 2, None)]
    assert sum(sizes) == 1000 and max(sizes) <= 100 and sizes[-1] <= sizes[0]
    assert sizes == sorted(sizes, reverse=True)


def test_a_chunk_whose_worker_died_once_is_tried_again_in_a_fresh_worker(folder, tmp_path, monkeypatch):
    monkeypatch.setenv("ENDORSE_TEST_MARKER", str(tmp_path / "died"))
    files = files_of(folder)
    items = list(batch.run(files, batch.Job(only=ONLY, transform=die_once_on_olivia), jobs=2, chunk=3))
    assert (tmp_path / "died").exists()  # a worker did die
    assert [i.index for i in items] == list(range(len(files)))
    assert [Path(i.file).name for i in items if i.error] == ["a007.yaml", "a023.yaml"]  # only the bad files
    assert "olivia-grant" in [i.value for i in items]


def test_a_batch_of_statuses_only_grounds_larger_chunks():
    """The table and CSV (no evidence, no why) keep less per applicant: twice the applicants a
    chunk of a detailed (JSON) batch, within the Control's limit."""
    detailed, statuses = batch.Job(), batch.Job(why=False, evidence=False)
    assert statuses.chunk_size() == min(batch.CHUNK, 2 * detailed.chunk_size()) > detailed.chunk_size()
