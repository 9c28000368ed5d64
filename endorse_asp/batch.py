"""Batches: many applicant files evaluated by worker processes, streamed in input order.

    from endorse_asp import batch
    job = batch.Job(transform=my_module.render_one)          # runs in the workers
    for item in batch.run(files, job, jobs=4, progress=True):
        ...   # item.index, item.file, item.value (transform(evaluation)) or item.error

`run` cuts the files into chunks (BATCH_WORK // policies judged applicants, smaller
towards the end so that no core idles while the last one finishes), hands them to `jobs` worker
processes and yields one `Item` per file, in the order given, as soon as every earlier
one is out. At most two chunks per worker are in flight or waiting to be yielded,
so memory stays flat however many files there are. A worker grounds each chunk in a
fresh clingo Control, hands the freed memory back (malloc_trim) and leaves after
`max_chunks` chunks, to be replaced by a new one, so whatever a long run leaves behind
in a process (clingo's symbol table and the decoding cache only grow) is bounded. The
chunk is smaller than solve.CHUNK on purpose: a Control's peak memory grows with the
applicants and policies it grounds together (measured with five policies, one process:
~75 MB at the peak for 20 applicants, ~125 MB for 50, ~240 MB for 100), while grounding
the engine once per chunk costs ~25 ms, small against a dozen applicants. On 2 workers
and 1,000 applicants, the process tree peaks at ~225 MB resident with 20 applicants a
chunk and 20 chunks a worker, ~172 MB with 12 and 10 (the defaults). A batch that shows only
statuses (the table, CSV: no evidence, no why part) grounds and keeps less per applicant, so its
chunks are twice as large (measured, one process: 24 applicants a chunk ~20% faster than 12, for
~10 MB more at the peak).

Workers are forked from the parent once it has parsed the policies, so a new worker
starts at once with the program in memory (start method "fork"; "forkserver" and
"spawn" work too, each worker then parsing the policies itself: ENDORSE_START_METHOD;
measured, a worker's start costs ~0.1 s forked against ~0.3-0.4 s otherwise). The
parent forks only from its main thread (no helper threads: no Pool), between chunks,
after flushing its output, so nothing it buffered is written twice.

A file that cannot be read or is not a valid applicant gives an Item with `error`
set (the message, `file:line: path: problem`); the batch goes on. An exception while
evaluating costs only the file that raises it (InternalError); a worker that dies
costs its chunk (InternalError for each file).

`transform` is applied to each Evaluation inside the worker, so what crosses between
processes is what the caller wants (a rendered text, a report path), not the whole
Evaluation (which costs more to pickle than to render). It must be picklable: a
module-level function, or functools.partial of one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

import click

from . import load, render
from .evaluate import evaluate
from .policy import Program, load_program, policies_root
from .solve import CHUNK

if TYPE_CHECKING:
    import multiprocessing.connection

BATCH_WORK = 60  # applicants x policies a Control grounds together: ~25 ms a chunk vs memory (bench)
MIN_CHUNK = 10  # the smallest chunk
MAX_CHUNKS = 10  # chunks a worker evaluates before it is replaced (its memory creeps up: bench)
START_METHOD = os.environ.get("ENDORSE_START_METHOD", "fork")


@dataclass(frozen=True)
class Job:
    """What to do with each applicant: the rules (a policies root and which policies), the
    date and categories, and what to return for it (default: the Evaluation itself)."""

    root: Path = field(default_factory=policies_root)  # read when the job is made
    only: tuple[str, ...] | None = None
    as_of: dt.date | None = None
    categories: tuple[str, ...] = ()
    transform: Callable | None = None
    why: bool = True  # why entries did not count (not_counted); off when the output does not show it
    evidence: bool = True  # entries used, numbers, advice; off when the output shows only statuses

    def program(self) -> Program:
        warm = _WARM.get((self.root, self.only))
        return warm if warm is not None else load_program(self.root, self.only)

    def warm(self) -> None:
        """Parse the rules here, before workers are forked (see `warm`)."""
        warm(self, self.program(), catalogue=False)

    def chunk(self, files: list[str]) -> list[tuple[object, str | None]]:
        """What a worker does with a chunk of files: (value, error) for each."""
        return evaluate_chunk(self, files)

    def chunk_size(self) -> int:
        """Applicants per chunk: fewer when more policies judge each (see BATCH_WORK), twice as
        many when only statuses are shown."""
        detailed = self.why or self.evidence
        return chunk_size(len(self.program().policies), BATCH_WORK if detailed else 2 * BATCH_WORK)


def chunk_size(policies: int, work: int = BATCH_WORK) -> int:
    return max(MIN_CHUNK, min(CHUNK, work // max(1, policies)))


@dataclass
class Item:
    index: int
    file: str
    value: object = None
    error: str | None = None


_WARM: dict = {}  # (root, only) -> Program parsed in the parent, inherited by forked workers


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def warm(job: Job, program: Program | None = None, catalogue: bool = True) -> Program:
    """Parse (or adopt) the job's program in this process, and with `catalogue` read what its
    rules declare, so that forked workers start with it. (A worker reads the catalogue from
    its first chunk anyway, at no cost; grounding it here costs this process memory that
    every worker's resident size then counts again.)"""
    program = program or load_program(job.root, job.only)
    if catalogue:
        program.catalogue  # noqa: B018 - grounds the declarations once, here
    _WARM[(job.root, job.only)] = program
    return program


def applicant_paths(paths) -> list[str]:
    """As cli.applicant_files (the files named, and the .yaml/.yml files of the folders named,
    sorted by name), as plain strings: 100,000 Path objects would cost the parent ~30 MB that
    every forked worker's resident size would count again. Suffixes in any case; an entry that
    is not a regular file (a FIFO, a symlink loop) is kept for the loader to report; a folder
    with no applicant files is a usage error."""
    files: list[str] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            with os.scandir(path) as entries:
                found = sorted(e.name for e in entries if os.path.splitext(e.name)[1].lower() in (".yaml", ".yml"))
            if not found:
                raise click.UsageError(f"{path}: no applicant files (*.yaml, *.yml) in this folder")
            files.extend(str(path / f) for f in found)
        else:
            files.append(str(path))
    return files


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
        evaluations = evaluate(
            (a for _, a in ready),
            as_of=job.as_of,
            program=job.program(),
            categories=job.categories,
            why=job.why,
            evidence=job.evidence,
        )
        for (n, _), evaluation in zip(ready, evaluations):
            out[n] = (job.transform(evaluation) if job.transform else evaluation, None)
    return out


class InternalError(str):
    """An Item's error that is the program's fault, not the file's (exit 1, not 2)."""


def safe_chunk(job, files: list[str]) -> list[tuple[object, str | None]]:
    """job.chunk(files), but an exception costs only the file that raises it: the chunk is
    retried file by file, and a file that still fails gets an InternalError."""
    try:
        return job.chunk(files)
    except Exception as err:  # noqa: BLE001 - reported per file, the batch goes on
        if len(files) == 1:  # no need to try it again: with --jobs 1 the batch still goes on
            return [(None, InternalError(f"{files[0]}: internal error: {type(err).__name__}: {err}"))]
    out = []
    for file in files:
        try:
            out.extend(job.chunk([file]))
        except Exception as err:  # noqa: BLE001
            out.append((None, InternalError(f"{file}: internal error: {type(err).__name__}: {err}")))
    return out


def _chunks(files: list[str], jobs: int, size: int | None, largest: int = CHUNK) -> Iterator[tuple[int, list[str]]]:
    """(first index, files): `size` files each, or else at most `largest`, smaller towards
    the end (guided self-scheduling), so that the last chunks end together on all workers."""
    start, total = 0, len(files)
    while start < total:
        if size:
            n = size
        else:
            n = max(MIN_CHUNK, min(largest, math.ceil((total - start) / (2 * jobs))))
        yield start, files[start : start + n]
        start += n


def _worker(conn, job: Job, max_chunks: int, inherited: Sequence = ()) -> None:
    # A forked worker holds copies of the parent's ends of every pipe (its own and the other
    # workers'): close them, so that the parent's death reads as end-of-file here.
    for other in inherited:
        other.close()
    try:
        for _ in range(max_chunks):
            task = conn.recv()
            if task is None:
                break
            start, files = task
            conn.send((start, safe_chunk(job, files)))
            _trim()
    except (EOFError, KeyboardInterrupt, BrokenPipeError):
        pass
    finally:
        conn.close()


def _trim() -> None:
    """Give the memory a chunk's Control freed back to the system (glibc keeps it otherwise)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


class Work(Protocol):
    """What `run` hands out: a Job, or another kind of work done per chunk (diff.DiffJob)."""

    def warm(self) -> None: ...
    def chunk_size(self) -> int: ...
    def chunk(self, files: list[str]) -> list[tuple[object, str | None]]: ...


@dataclass
class _Slot:
    process: multiprocessing.Process
    conn: multiprocessing.connection.Connection
    done: int = 0
    task: tuple[int, list[str]] | None = None


def run(
    files: Iterable,
    job: Work | None = None,
    *,
    jobs: int | None = None,
    chunk: int | None = None,
    max_chunks: int = MAX_CHUNKS,
    progress: bool = False,
    label: str = "evaluating",
    program: Program | None = None,
) -> Iterator[Item]:
    """One Item per file, in the order given. `jobs`: worker processes (default all cores;
    1 evaluates here, in this process, as does a batch too small to share). `chunk`: files
    per chunk (default: guided, at most job.chunk_size()). `progress`: a progress bar on stderr.
    `program`: the job's rules, when the caller has them parsed already. Default job: evaluate
    under the policies in use."""
    job = job or Job()
    files = [os.fspath(f) for f in files]
    jobs = max(1, jobs or default_jobs())
    if program is not None and isinstance(job, Job):
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


def _serial(files: list[str], job: Work, chunk: int | None) -> Iterator[Item]:
    for start, part in _chunks(files, 1, chunk or job.chunk_size()):
        for n, (value, error) in enumerate(safe_chunk(job, part)):
            yield Item(start + n, part[n], value, error)


def _parallel(files: list[str], job: Work, jobs: int, chunk: int | None, max_chunks: int) -> Iterator[Item]:
    import multiprocessing.connection  # here: a single applicant's `evaluate` starts no workers

    context: Any = multiprocessing.get_context(START_METHOD)  # a fork or spawn context: both have Process
    if START_METHOD == "fork":
        job.warm()
    todo = _chunks(files, jobs, chunk, job.chunk_size())
    window = 2 * jobs  # chunks handed out and not yet yielded
    slots: list[_Slot] = []
    finished: dict[int, list] = {}  # start index -> results, waiting for their turn
    handed: list[int] = []  # start indexes handed out, in order
    retry: list[tuple[int, list[str]]] = []  # chunks whose worker died, to try once more
    retried: set[int] = set()
    exhausted = False

    def start_worker() -> _Slot:
        sys.stdout.flush()
        sys.stderr.flush()
        parent, child = context.Pipe()
        inherited = [parent, *(s.conn for s in slots)] if START_METHOD == "fork" else []
        process = context.Process(target=_worker, args=(child, job, max_chunks, inherited), daemon=True)
        process.start()
        child.close()
        return _Slot(process, parent)

    try:
        while True:
            while retry or (not exhausted and len(handed) < window):
                idle = next((s for s in slots if s.task is None), None)
                if idle is None:
                    if len(slots) >= jobs:
                        break
                    idle = start_worker()
                    slots.append(idle)
                task = retry.pop(0) if retry else next(todo, None)  # a retried one keeps its place
                if task is None:
                    exhausted = True
                    break
                if task[0] not in handed:
                    handed.append(task[0])
                idle.task = task
                idle.conn.send(task)
            while handed and handed[0] in finished:
                start = handed.pop(0)
                for n, (file, (value, error)) in enumerate(zip_files(files, start, finished.pop(start))):
                    yield Item(start + n, file, value, error)
            if exhausted and not handed:
                return
            busy = [s for s in slots if s.task is not None]
            if not busy:
                continue
            for ready in multiprocessing.connection.wait([s.conn for s in busy]):
                slot = next(s for s in busy if s.conn is ready)
                assert slot.task is not None  # busy
                start, part = slot.task
                try:
                    got, results = slot.conn.recv()
                except (EOFError, OSError):
                    slot.process.join(5)
                    code = slot.process.exitcode
                    slot.done = max_chunks  # a dead worker is replaced
                    if start in retried:
                        results = [
                            (
                                None,
                                InternalError(f"{f}: internal error: the worker evaluating it stopped (exit {code})"),
                            )
                            for f in part
                        ]
                        got = start
                    else:  # once more, in a fresh worker, before it is reported lost
                        retried.add(start)
                        retry.append((start, part))
                        got = None
                if got is not None:
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
    return zip(files[start : start + len(results)], results)


# --------------------------------------------------------------------------- `endorse evaluate --jobs`


def json_text(evaluation, indent: int | None) -> str:
    """One applicant's JSON, as `endorse evaluate --format json` prints it."""
    return render.dumps(evaluation.to_json(), indent)


def text_transform(fmt: str, colour: bool, verbose: bool) -> Callable:
    if fmt == "json":  # the layout chosen here, in the parent: a spawned worker would not know it
        return functools.partial(json_text, indent=render.JSON_INDENT)
    if fmt == "csv":
        from . import spreadsheet

        return spreadsheet.rows
    return functools.partial(render.to_text, colour=colour, verbose=verbose)


def print_evaluations(
    files: list,
    job: Job,
    *,
    fmt: str,
    colour: bool = False,
    verbose: bool = False,
    jobs: int | None = None,
    progress: bool = False,
    echo: Callable = click.echo,
    program: Program | None = None,
    chunk: int | None = None,
    record=None,
) -> int:
    """`endorse evaluate` over several files with worker processes: the same output as the
    serial path, streamed. Bad files are reported on stderr as they come. With `record` (a
    decisions.Recorder), the workers also return each decision's line and this process appends
    it, and each file that could not be evaluated. Returns how many files could not be
    evaluated; raises BatchError at the end if that was the program's fault."""
    transform = text_transform(fmt, colour, verbose)
    if record is not None:
        from . import decisions

        transform = functools.partial(decisions.with_decision, transform, tuple(job.categories))
    job = dataclasses.replace(job, transform=transform)
    errors = internal = 0
    printed = 0
    if fmt == "json":
        echo("[", nl=False)
    elif fmt == "csv":
        from . import spreadsheet

        echo(spreadsheet.header(), nl=False)
    for item in run(files, job, jobs=jobs, progress=progress, program=program, chunk=chunk):
        if item.error is not None:
            errors += 1
            internal += isinstance(item.error, InternalError)
            echo(item.error, err=True)
            if record is not None:
                record.error(item.file, item.error)
            continue
        text = cast(str, item.value)
        if record is not None:
            text, entry = cast(tuple, item.value)
            record.entry(entry)
        if fmt == "json":
            echo(("," if printed else "") + "\n" + text, nl=False)
        elif fmt == "csv":
            echo(text, nl=False)
        else:
            echo(("\n" if printed else "") + text)
        printed += 1
    if fmt == "json":
        echo("\n]")
    if internal:
        raise BatchError(f"{internal} file(s) could not be evaluated (see above)")
    return errors


class BatchError(Exception):
    """Files the program failed on (not the files' fault): `endorse` exits 1."""
