"""Batches: many applicant files evaluated by worker processes, streamed in input order.

    from endorse_asp import batch
    job = batch.Job(transform=my_module.render_one)          # runs in the workers
    for item in batch.run(files, job, jobs=4, progress=True):
        ...   # item.index, item.file, item.value (transform(evaluation)) or item.error

`run` cuts the files into chunks (at most solve.CHUNK applicants, smaller towards the
end so that no core idles while the last one finishes), hands them to `jobs` worker
processes and yields one `Item` per file, in the order given, as soon as every earlier
one is out. At most a few chunks per worker are in flight or waiting to be yielded,
so memory stays flat however many files there are. A worker evaluates chunks with a
fresh clingo Control each (solve.py) and leaves after `max_chunks` of them, to be
replaced by a new one, so whatever a long run leaves behind in a process is bounded.

Workers are forked from the parent once it has parsed the policies, so a new worker
starts at once with the program in memory (start method "fork"; "forkserver" and
"spawn" work too, each worker then parsing the policies itself: ENDORSE_START_METHOD).
The parent forks only from its main thread, between chunks, after flushing its
output, so nothing it buffered is written twice.

A file that cannot be read or is not a valid applicant gives an Item with `error`
set (the message, `file:line: path: problem`); the batch goes on.

`transform` is applied to each Evaluation inside the worker, so what crosses between
processes is what the caller wants (a rendered text, a report path), not the whole
Evaluation (which costs more to pickle than to render). It must be picklable: a
module-level function, or functools.partial of one.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import math
import multiprocessing
import multiprocessing.connection
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

import click

from . import load, render
from .evaluate import evaluate
from .policy import POLICY_ROOT, Program, load_program
from .solve import CHUNK

MIN_CHUNK = 25        # below this, grounding the engine once per chunk starts to show
MAX_CHUNKS = 20       # chunks a worker evaluates before it is replaced
START_METHOD = os.environ.get("ENDORSE_START_METHOD", "fork")


@dataclass(frozen=True)
class Job:
    """What to do with each applicant: the rules (a policies root and which policies), the
    date and categories, and what to return for it (default: the Evaluation itself)."""
    root: Path = POLICY_ROOT
    only: tuple[str, ...] | None = None
    as_of: dt.date | None = None
    categories: tuple[str, ...] = ()
    transform: Callable | None = None

    def program(self) -> Program:
        warm = _WARM.get((self.root, self.only))
        return warm if warm is not None else load_program(self.root, self.only)


@dataclass
class Item:
    index: int
    file: str
    value: object = None
    error: str | None = None


_WARM: dict = {}    # (root, only) -> Program parsed in the parent, inherited by forked workers


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:   # not on Linux
        return max(1, os.cpu_count() or 1)


def warm(job: Job, program: Program | None = None) -> Program:
    """Parse (or adopt) the job's program in this process and read its catalogue, so that
    forked workers start with both."""
    program = program or load_program(job.root, job.only)
    program.catalogue  # noqa: B018 - grounds the declarations once, here
    _WARM[(job.root, job.only)] = program
    return program


def evaluate_chunk(job: Job, files: list[str]) -> list[tuple[object, str | None]]:
    """(value, error) for each file of a chunk, in order: what a worker does."""
    out: list = [None] * len(files)
    ready: list[tuple[int, load.Applicant]] = []
    for n, file in enumerate(files):
        try:
            ready.append((n, load.load_file(file)))
        except load.InputError as err:
            out[n] = (None, str(err))
    if ready:
        evaluations = evaluate((a for _, a in ready), as_of=job.as_of, program=job.program(),
                               categories=job.categories)
        for (n, _), evaluation in zip(ready, evaluations):
            out[n] = (job.transform(evaluation) if job.transform else evaluation, None)
    return out


def _chunks(files: list[str], jobs: int, size: int | None) -> Iterator[tuple[int, list[str]]]:
    """(first index, files): at most CHUNK files; smaller towards the end (guided
    self-scheduling), so the last chunks end together on all workers."""
    start, total = 0, len(files)
    while start < total:
        if size:
            n = size
        else:
            n = max(MIN_CHUNK, min(CHUNK, math.ceil((total - start) / (2 * jobs))))
        yield start, files[start:start + n]
        start += n


def _worker(conn, job: Job, max_chunks: int) -> None:
    try:
        for _ in range(max_chunks):
            task = conn.recv()
            if task is None:
                break
            start, files = task
            conn.send((start, evaluate_chunk(job, files)))
    except (EOFError, KeyboardInterrupt, BrokenPipeError):
        pass
    finally:
        conn.close()


@dataclass
class _Slot:
    process: multiprocessing.Process
    conn: multiprocessing.connection.Connection
    done: int = 0
    task: tuple[int, list[str]] | None = None


def run(files: Iterable, job: Job = Job(), *, jobs: int | None = None, chunk: int | None = None,
        max_chunks: int = MAX_CHUNKS, progress: bool = False, label: str = "evaluating",
        program: Program | None = None) -> Iterator[Item]:
    """One Item per file, in the order given. `jobs`: worker processes (default all cores;
    1 evaluates here, in this process, as does a batch too small to share). `chunk`: files
    per chunk (default: guided, at most solve.CHUNK). `progress`: a progress bar on stderr.
    `program`: the job's rules, when the caller has them parsed already."""
    files = [os.fspath(f) for f in files]
    jobs = max(1, jobs or default_jobs())
    if program is not None:
        _WARM[(job.root, job.only)] = program
    serial = jobs == 1 or len(files) <= (chunk or MIN_CHUNK)
    items = _serial(files, job, chunk) if serial else _parallel(files, job, jobs, chunk, max_chunks)
    if not progress:
        yield from items
        return
    with click.progressbar(length=len(files), label=label, file=sys.stderr) as bar:
        for item in items:
            yield item
            bar.update(1)


def _serial(files: list[str], job: Job, chunk: int | None) -> Iterator[Item]:
    for start, part in _chunks(files, 1, chunk or CHUNK):
        for n, (value, error) in enumerate(evaluate_chunk(job, part)):
            yield Item(start + n, part[n], value, error)


def _parallel(files: list[str], job: Job, jobs: int, chunk: int | None, max_chunks: int) -> Iterator[Item]:
    context = multiprocessing.get_context(START_METHOD)
    if START_METHOD == "fork":
        warm(job, job.program())
    todo = _chunks(files, jobs, chunk)
    window = 2 * jobs                      # chunks handed out and not yet yielded
    slots: list[_Slot] = []
    finished: dict[int, list] = {}         # start index -> results, waiting for their turn
    handed: list[int] = []                 # start indexes handed out, in order
    exhausted = False

    def start_worker() -> _Slot:
        sys.stdout.flush()
        sys.stderr.flush()
        parent, child = context.Pipe()
        process = context.Process(target=_worker, args=(child, job, max_chunks), daemon=True)
        process.start()
        child.close()
        return _Slot(process, parent)

    try:
        while True:
            while not exhausted and len(handed) < window:
                idle = next((s for s in slots if s.task is None), None)
                if idle is None:
                    if len(slots) >= jobs:
                        break
                    idle = start_worker()
                    slots.append(idle)
                task = next(todo, None)
                if task is None:
                    exhausted = True
                    break
                idle.task = task
                idle.conn.send(task)
                handed.append(task[0])
            while handed and handed[0] in finished:
                start = handed.pop(0)
                for n, (file, (value, error)) in enumerate(zip_files(files, start, finished.pop(start))):
                    yield Item(start + n, file, value, error)
            if exhausted and not handed:
                return
            busy = [s for s in slots if s.task is not None]
            if not busy:
                continue
            for conn in multiprocessing.connection.wait([s.conn for s in busy]):
                slot = next(s for s in busy if s.conn is conn)
                start, part = slot.task
                try:
                    got, results = conn.recv()
                except (EOFError, OSError):
                    slot.process.join(5)
                    code = slot.process.exitcode
                    results = [(None, f"{f}: internal error: the worker evaluating it stopped (exit {code})")
                               for f in part]
                    got = start
                    slot.done = max_chunks
                finished[got] = results
                slot.task = None
                slot.done += 1
                if slot.done >= max_chunks:
                    slot.process.join()
                    slot.conn.close()
                    slots.remove(slot)
    finally:
        for slot in slots:
            try:
                slot.conn.send(None)
            except (OSError, ValueError):
                pass
        for slot in slots:
            slot.process.join(1)
            if slot.process.is_alive():
                slot.process.terminate()
                slot.process.join()
            slot.conn.close()


def zip_files(files: list[str], start: int, results: list) -> Iterator[tuple[str, tuple]]:
    return zip(files[start:start + len(results)], results)


# --------------------------------------------------------------------------- `endorse evaluate --jobs`

def json_text(evaluation) -> str:
    """One applicant's JSON, as `endorse evaluate --format json` prints it."""
    return json.dumps(evaluation.to_json(), indent=2, ensure_ascii=False)


def text_transform(fmt: str, colour: bool, verbose: bool) -> Callable:
    if fmt == "json":
        return json_text
    return functools.partial(render.to_text, colour=colour, verbose=verbose)


def print_evaluations(files: list, job: Job, *, fmt: str, colour: bool = False, verbose: bool = False,
                      jobs: int | None = None, progress: bool = False, echo: Callable = click.echo,
                      program: Program | None = None, chunk: int | None = None) -> int:
    """`endorse evaluate` over several files with worker processes: the same output as the
    serial path, streamed. Bad files are reported on stderr as they come. Returns how many
    files could not be evaluated."""
    job = Job(job.root, job.only, job.as_of, job.categories, text_transform(fmt, colour, verbose))
    errors = 0
    printed = 0
    if fmt == "json":
        echo("[", nl=False)
    for item in run(files, job, jobs=jobs, progress=progress, program=program, chunk=chunk):
        if item.error is not None:
            errors += 1
            echo(item.error, err=True)
            continue
        if fmt == "json":
            echo(("," if printed else "") + "\n" + item.value, nl=False)
        else:
            echo(("\n" if printed else "") + item.value)
        printed += 1
    if fmt == "json":
        echo("\n]")
    return errors
