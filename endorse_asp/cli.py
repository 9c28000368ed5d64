"""The `endorse` command: parse options, call the library, print."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import click

# What every command needs; the modules of the other commands (what-if, need's text, policy
# check/test/show/diff) are imported in them, so `evaluate` starts without their cost.
from . import batch, load, needs, render, report
from . import renew as renew_mod
from .evaluate import evaluate
from .order import category_rank
from .policy import PolicyError, load_program, use_policies
from .terms import RenewalOf
from .words import did_you_mean

EXIT_INPUT = 2


class Date(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            self.fail(f"'{value}' is not a date of the form YYYY-MM-DD", param, ctx)
        if not load.FIRST_DATE <= day <= load.LAST_DATE:
            self.fail(f"'{value}' is outside {load.FIRST_DATE} .. {load.LAST_DATE}", param, ctx)
        return day


def colour_wanted() -> bool:
    """Statuses in colour: on a terminal, unless NO_COLOR is set (no-color.org)."""
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def applicant_files(paths: tuple[str, ...]) -> list[Path]:
    """The files named, and the .yaml/.yml entries (any case) of the directories named, in a
    stable order. An entry that is not a regular file (a FIFO, a symlink loop) is kept, for the
    loader to report; a folder with no applicant files is a usage error."""
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in (".yaml", ".yml"))
            if not found:
                raise click.UsageError(f"{path}: no applicant files (*.yaml, *.yml) in this folder")
            files.extend(found)
        else:
            files.append(path)
    return files


def load_all(files: list[Path], errors: list[str], on_error=None) -> Iterator[load.Applicant]:
    """Load each file; report a bad one on stderr (and to `on_error(file, message)`) and go on."""
    for path in files:
        try:
            yield load.load_file(path)
        except load.InputError as err:
            errors.append(str(err))
            click.echo(str(err), err=True)
            if on_error is not None:
                on_error(str(path), str(err))


def selection_options(f):
    """What to judge: the date, categories and policies (every command that evaluates)."""
    f = click.option("--as-of", type=Date(), help="evaluation date (default: the file's as_of, else today)")(f)
    f = click.option("--category", "categories", multiple=True, metavar="CODE", help="only this category (repeatable)")(
        f
    )
    f = click.option("--policy", "policies", multiple=True, metavar="ID", help="only this policy (repeatable)")(f)
    return f


def policy_options(f=None, *, csv: bool = False):
    """The selection and --format (with `csv`: also csv, rows for a spreadsheet)."""
    if f is None:
        return lambda g: policy_options(g, csv=csv)
    f = click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "json", "csv"] if csv else ["text", "json"]),
        default="text",
        help="text for people, json for programs" + (", csv for spreadsheets" if csv else ""),
    )(f)
    return selection_options(f)


def program_for(policies: tuple[str, ...]):
    try:
        return load_program(only=tuple(sorted(policies)) if policies else None)
    except PolicyError as err:
        raise click.UsageError(str(err)) from None


def check_categories(program, categories: tuple[str, ...]) -> None:
    if not categories:
        return
    known = {code for (_, code) in program.catalogue.categories if isinstance(code, str)}
    for code in categories:
        if code not in known:
            raise click.UsageError(f"unknown category '{code}'{did_you_mean(code, sorted(known))}")


class RulesError(click.ClickException):
    """Rules that cannot be found or loaded: a usage error (exit 2), not an internal one."""

    exit_code = EXIT_INPUT


class Endorse(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except PolicyError as err:
            raise RulesError(str(err)) from None
        finally:
            use_policies(None)  # --policies holds for this command only


@click.group(cls=Endorse, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="endorse-asp")
@click.option(
    "--policies",
    "policies_dir",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="the policies folder to use (a committee's checkout); default: $ENDORSE_POLICIES, "
    "else the policies shipped with endorse",
)
@click.option(
    "--indent",
    type=click.IntRange(0, 8),
    metavar="N",
    help="indent JSON output by N spaces (default: 2 on a terminal, else compact: one line per object)",
)
def main(policies_dir, indent):
    """Policy-as-code for infant and early childhood mental health endorsement."""
    use_policies(policies_dir)
    render.JSON_INDENT = indent if indent is not None else (2 if sys.stdout.isatty() else None)


@main.command("evaluate")
@click.argument("paths", nargs=-1, required=True, metavar="FILE_OR_DIR...")
@policy_options(csv=True)
@click.option("-v", "--verbose", is_flag=True, help="text: show every requirement with its numbers")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    metavar="N",
    help="worker processes for several files (default: all cores)",
)
@click.option(
    "--compare",
    is_flag=True,
    help="only where the policies differ: per shared category, the requirements whose status differs "
    "(e.g. --compare --policy mi-aimh --policy vaimh: would this be enough in Virginia?)",
)
@click.option(
    "--record",
    "record_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE.jsonl",
    help="append each decision (statuses, blockers, rules, input hash, time) to this log, for `endorse verify`",
)
def evaluate_cmd(paths, policies, categories, as_of, fmt, verbose, jobs, compare, record_path):
    """Status of every category for each applicant, with what blocks it.

    The text puts the same category of different policies side by side."""
    program = program_for(policies)
    check_categories(program, categories)
    files = batch.applicant_paths(paths)  # applicant_files' list, as strings (lighter for big batches)
    if compare:
        if fmt == "csv" or record_path:
            raise click.UsageError("--compare prints a comparison, not decisions: no --format csv or --record with it")
        _compare(files, paths, program, categories, as_of, fmt)
        return
    with _recorder(record_path, program, as_of, categories) as recorder:
        _evaluate(files, paths, program, categories, as_of, fmt, verbose, jobs, policies, recorder)


def _evaluate(files, paths, program, categories, as_of, fmt, verbose, jobs, policies, recorder) -> None:
    # Only JSON and verbose text show the requirements' evidence and why entries did not
    # count; the table, CSV and decision records need the statuses alone.
    detail = fmt == "json" or verbose
    if len(files) > 1 and (jobs or batch.default_jobs()) > 1:
        job = batch.Job(
            only=tuple(sorted(policies)) or None,
            as_of=as_of,
            categories=categories,
            why=detail,
            evidence=detail,
        )
        colour = colour_wanted()
        failed = batch.print_evaluations(
            files,
            job,
            fmt=fmt,
            colour=colour,
            verbose=verbose,
            jobs=jobs,
            progress=sys.stderr.isatty(),
            program=program,
            record=recorder,
        )
        sys.exit(EXIT_INPUT if failed else 0)
    errors: list[str] = []
    single = len(files) == 1 and not Path(paths[0]).is_dir()
    applicants = load_all(files, errors, recorder.error if recorder else None)
    if len(files) > 1 and sys.stderr.isatty():
        applicants = _with_progress(applicants, len(files))
    results = evaluate(applicants, as_of=as_of, program=program, categories=categories, why=detail, evidence=detail)
    if recorder is not None:
        results = _recorded(results, recorder)
    if fmt == "json":
        _print_json(results, single)
    elif fmt == "csv":
        from . import spreadsheet

        click.echo(spreadsheet.header(), nl=False)
        for e in results:
            click.echo(spreadsheet.rows(e), nl=False)
    else:
        colour = colour_wanted()
        for n, text in enumerate(render.texts(results, colour, verbose)):
            click.echo(("\n" if n else "") + text)
    if errors:
        sys.exit(EXIT_INPUT)


@contextlib.contextmanager
def _recorder(path: Path | None, program, as_of, categories):
    """The decision log of `evaluate --record` (None without it), opened before anything is judged."""
    if path is None:
        yield None
        return
    from . import decisions, provenance

    try:
        log = decisions.Log(path)
    except OSError as err:
        click.echo(f"endorse: cannot open the record {path}: {err.strerror or err}", err=True)
        sys.exit(EXIT_INPUT)
    with log:
        yield decisions.Recorder(log, provenance.rules(program), as_of, tuple(categories))


def _recorded(results, recorder):
    for evaluation in results:
        recorder.decision(evaluation)
        yield evaluation


def _compare(files, paths, program, categories, as_of, fmt) -> None:
    """`evaluate --compare`: per applicant, only what differs between the policies judged."""
    if len(program.policies) < 2:
        raise click.UsageError("--compare needs at least two policies (give --policy twice, or none for all)")
    errors: list[str] = []
    single = len(files) == 1 and not Path(paths[0]).is_dir()
    results = evaluate(load_all(files, errors), as_of=as_of, program=program, categories=categories)
    if fmt == "json":
        payload = [render.compare_json(e) for e in results]
        click.echo(render.dumps(payload[0] if single and payload else payload))
    else:
        colour = colour_wanted()
        for n, e in enumerate(results):
            click.echo(("\n" if n else "") + render.compare_text(e, colour))
    if errors:
        sys.exit(EXIT_INPUT)


def _with_progress(items, total):
    with click.progressbar(length=total, label="evaluating", file=sys.stderr) as bar:
        for item in items:
            yield item
            bar.update(1)


def _print_json(results, single: bool) -> None:
    """Stream a JSON array (or one object) as results arrive."""
    if single:
        for e in results:
            click.echo(render.dumps(e.to_json()))
        return
    click.echo("[", nl=False)
    for n, e in enumerate(results):
        click.echo(("," if n else "") + "\n" + render.dumps(e.to_json()), nl=False)
    click.echo("\n]")


@main.command("report")
@click.argument("paths", nargs=-1, required=True, metavar="FILE_OR_DIR...")
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="directory for the reports and their index",
)
@click.option("--format", "fmt", type=click.Choice(report.FORMATS), default="html")
@selection_options
@click.option(
    "--needs", "with_needs", is_flag=True, help="also show what each category not reached would need (slower)"
)
def report_cmd(paths, out, fmt, as_of, categories, policies, with_needs):
    """Explanation reports for reviewers: one per applicant, and an index."""
    program = program_for(policies)
    check_categories(program, categories)
    files = applicant_files(paths)
    try:
        with _steps(len(files), "reporting") as step:
            batch = report.write_reports(
                files, out, fmt, program=program, as_of=as_of, categories=categories, with_needs=with_needs, step=step
            )
    except OSError as err:
        click.echo(f"endorse: cannot write the reports: {err}", err=True)
        sys.exit(EXIT_INPUT)
    for failed in batch.failed:
        click.echo("\n".join(failed.problems), err=True)
    click.echo(f"{len(batch.written)} report(s) written; index: {out / f'{report.INDEX}.{fmt}'}")
    if batch.failed:
        sys.exit(EXIT_INPUT)


@contextlib.contextmanager
def _steps(total: int, label: str, after: float = 0.0):
    """A function to call once per item done: a progress bar on stderr for a batch on a
    terminal, shown once `after` seconds have passed (a quick run shows none)."""
    if total <= 1 or not sys.stderr.isatty():
        yield lambda: None
        return
    start, done = time.monotonic(), 0
    with contextlib.ExitStack() as stack:
        bar = None

        def step():
            nonlocal bar, done
            done += 1
            if bar is None and time.monotonic() - start >= after:
                bar = stack.enter_context(click.progressbar(length=total, label=label, file=sys.stderr))
                bar.update(done)
            elif bar is not None:
                bar.update(1)

        yield step


@main.command("need")
@click.argument("path", metavar="FILE")
@policy_options(csv=True)
@click.option(
    "--max", "limit", type=click.IntRange(1, 50), default=5, show_default=True, help="alternatives per category"
)
@click.option(
    "--goal", "goals", multiple=True, metavar="POLICY/CATEGORY", help="plan to reach these together (repeatable)"
)
@click.option("--edits", "show_edits", is_flag=True, help="text: show the edit expressions of each item")
def need_cmd(path, policies, categories, as_of, fmt, limit, goals, show_edits):
    """For each category not reached: every minimal way to reach it, cheapest first."""
    from . import render_needs

    program = program_for(policies)
    check_categories(program, categories)
    targets = [_goal(program, g) for g in goals]
    if targets and fmt == "csv":
        raise click.UsageError(
            "--format csv gives each category's cheapest alternative; for --goal plans use --format text or json"
        )
    applicant = _load_one(path)
    (evaluation,) = evaluate([applicant], as_of=as_of, program=program, categories=categories)
    plans, why_not = None, None
    if targets:
        plans, why_not = needs.plan(evaluation, applicant, targets, program, limit)
    else:
        open_ = sum(r.status in ("not_eligible", "incomplete") for r in evaluation.results)
        with _steps(open_, "finding what is needed", after=1.0) as step:
            needs.fill_needs(evaluation, applicant, program, limit, step)
    if fmt == "json":
        out = evaluation.to_json()
        if plans is not None:
            out["plans"] = [p.to_json() for p in plans]
        if why_not:
            out["unreachable"] = why_not
        click.echo(render.dumps(out))
    elif fmt == "csv":
        from . import spreadsheet

        click.echo(spreadsheet.header(need=True) + spreadsheet.rows(evaluation, need=True), nl=False)
    else:
        click.echo(render_needs.need_text(evaluation, plans, targets, show_edits, why_not))


def _goal(program, text: str) -> tuple[str, str]:
    policy, _, code = text.rpartition("/")
    if policy not in program.policies:
        raise click.UsageError(
            f"--goal {text}: unknown policy '{policy}'{did_you_mean(policy, sorted(program.policies))}"
        )
    known = {
        c for (v, c) in program.catalogue.categories if program.variants[v].policy == policy and isinstance(c, str)
    }
    if code not in known:
        raise click.UsageError(
            f"--goal {text}: policy {policy} has no category '{code}'{did_you_mean(code, sorted(known))}"
        )
    return policy, code


def _load_one(path: str) -> load.Applicant:
    try:
        return load.load_file(path)
    except load.InputError as err:
        click.echo(str(err), err=True)
        sys.exit(EXIT_INPUT)


@main.command("what-if")
@click.argument("path", metavar="FILE")
@click.option(
    "--edit",
    "exprs",
    multiple=True,
    required=True,
    metavar="EXPR",
    help="PATH=VALUE, PATH+=VALUE or 'del PATH' (repeatable, applied in order)",
)
@policy_options
@click.option("--all", "show_all", is_flag=True, help="text: list the unchanged categories too")
def whatif_cmd(path, exprs, policies, categories, as_of, fmt, show_all):
    """Apply edits in memory, re-evaluate everything, show what changed."""
    from . import render_needs
    from .whatif import what_if

    program = program_for(policies)
    check_categories(program, categories)
    applicant = _load_one(path)
    try:
        result = what_if(applicant, list(exprs), as_of=as_of, program=program, categories=categories)
    except load.InputError as err:
        click.echo(str(err), err=True)
        sys.exit(EXIT_INPUT)
    if fmt == "json":
        click.echo(render.dumps(result.to_json()))
    else:
        click.echo(render_needs.whatif_text(result.before, result.after, result.changes, show_all))


@main.command("verify")
@click.argument("record", type=click.Path(exists=True, dir_okay=False), metavar="FILE.jsonl")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="text for people, json for programs"
)
def verify_cmd(record, fmt):
    """Judge each decision of an `evaluate --record` log again, from its file on its date, and list
    those that would differ today and why (the rules, the engine or the input changed).

    Exit 0 when none differs, 1 when some do, 2 for a malformed record (file:line: message).
    A decision whose file is gone is listed as not re-judged and does not change the exit status."""
    from . import decisions

    available = set(program_for(()).requested)
    try:
        result = decisions.verify(record, program_for, available)
    except decisions.RecordError as err:
        click.echo(str(err), err=True)
        sys.exit(EXIT_INPUT)
    except OSError as err:
        click.echo(f"endorse: cannot read the record {record}: {err.strerror or err}", err=True)
        sys.exit(EXIT_INPUT)
    if fmt == "json":
        click.echo(render.dumps(result.to_json()))
    else:
        click.echo(decisions.to_text(result))
    sys.exit(1 if result.differ else 0)


@main.command("schema")
def schema_cmd():
    """Print the JSON Schema of the applicant format."""
    click.echo(render.dumps(load.SCHEMA))


@main.group("policy")
def policy_group():
    """Inspect and test the policies."""


@policy_group.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def policy_list(fmt):
    """Policies, their versions, validity dates and categories."""
    program = load_program()
    rows = []
    for p in program.policies.values():
        variant = program.variant_for(p.id)
        codes = sorted(
            (c for (v, c) in program.catalogue.categories if v == variant.name and isinstance(c, str)),
            key=category_rank,
        )
        rows.append(
            {
                "id": p.id,
                "title": p.title,
                "version": p.version,
                "valid_from": str(p.valid_from) if p.valid_from else None,
                "valid_to": str(p.valid_to) if p.valid_to else None,
                "extends": p.extends,
                "sources": [s["file"] for s in p.sources.values()],
                "categories": codes,
                "association": p.association,
                "renewals": sorted(
                    (
                        c.code
                        for (v, c) in program.catalogue.categories
                        if v == variant.name and isinstance(c, RenewalOf)
                    ),
                    key=category_rank,
                ),
                "exceptions": [
                    {
                        "id": e.id,
                        "valid_from": str(e.valid_from) if e.valid_from else None,
                        "valid_to": str(e.valid_to) if e.valid_to else None,
                        "source": e.source,
                    }
                    for e in p.exceptions
                ],
            }
        )
    if fmt == "json":
        click.echo(render.dumps(rows))
        return
    for r in rows:
        valid = (f"from {r['valid_from']}" if r["valid_from"] else "") + (
            f" until {r['valid_to']}" if r["valid_to"] else ""
        )
        lines = [
            f"{r['id']}  {r['title']}  (version {r['version']})",
            f"  valid {valid.strip() or 'on any date'}" + (f", extends {r['extends']}" if r["extends"] else ""),
            f"  sources: {', '.join(r['sources'])}",
            f"  categories: {' '.join(r['categories'])}",
            f"  renewals: {' '.join(r['renewals']) or 'none'}",
        ]
        lines += [
            f"  exception {e['id']}: in force {e['valid_from'] or 'from the start'} to "
            f"{e['valid_to'] or 'no end'}; source: {e['source']}"
            for e in r["exceptions"]
        ]
        for line in lines:
            click.echo("\n".join(textwrap.wrap(line, 80, subsequent_indent="      ", break_on_hyphens=False)))


@main.command("renew")
@click.argument("path", metavar="FILE")
@click.option(
    "--year",
    required=True,
    type=click.IntRange(renew_mod.FIRST_YEAR, renew_mod.LAST_YEAR),
    metavar="YYYY",
    help="the calendar year to judge (ruling 11)",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="text for people, json for programs"
)
def renew_cmd(path, year, fmt):
    """Annual renewal check for each endorsement the applicant holds."""
    applicant = _load_one(path)
    try:
        program = load_program()
    except PolicyError as err:
        raise click.UsageError(str(err)) from None
    (result,) = renew_mod.renew([applicant], year, program)
    if fmt == "json":
        click.echo(render.dumps(result.to_json()))
    else:
        click.echo(render.renewal_text(result, colour_wanted()))


@policy_group.command("show")
@click.argument("policy_id", metavar="ID")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "html", "json"]),
    default="md",
    help="md or html for people; json for programs: each requirement's thresholds and where each is set",
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="write to this file, not stdout")
def policy_show(policy_id, fmt, out):
    """The requirement catalogue of a policy, rendered from its rules."""
    from . import catalogue

    try:
        text = catalogue.show(policy_id, fmt)
    except PolicyError as err:
        raise click.UsageError(str(err)) from None
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        report.write_atomic(out, text)
    except OSError as err:
        click.echo(f"endorse: cannot write {out}: {err}", err=True)
        sys.exit(EXIT_INPUT)


@policy_group.command("test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True), metavar="[PATH]...")
@click.option("--coverage", is_flag=True, help="report, per requirement, whether the cases saw it met and unmet")
def policy_test(paths, coverage):
    """Run the committee's YAML test cases (default: every policy's tests/)."""
    from . import policytest

    cases = policytest.collect([Path(p) for p in paths] or None)
    root = policytest.root_of([Path(p) for p in paths])
    try:
        program = policytest.program_for(cases, root)
        outcomes = policytest.run_parallel(cases, program, batch.default_jobs())
    except (PolicyError, RuntimeError) as err:  # rules that do not load or ground: every case fails
        click.echo(f"the rules cannot be run: {err}\n  `endorse policy check {root}` shows where", err=True)
        click.echo(f"0 passed, {len(cases)} failed")
        sys.exit(1)
    failed = [o for o in outcomes if o.failures]
    for o in failed:
        click.echo(f"FAIL {o.case.where}: {o.case.name}")
        for failure in o.failures:
            click.echo(f"    {failure}")
    if coverage:
        click.echo(policytest.coverage_report(outcomes, program))
    click.echo(f"{len(outcomes) - len(failed)} passed, {len(failed)} failed")
    sys.exit(1 if failed else 0)


@policy_group.command("check")
@click.argument("path", required=False, type=click.Path(exists=True), metavar="[PATH]")
def policy_check(path):
    """Lint rule files and policy.yaml: one problem per line, file:line:col: severity: message."""
    from . import lint

    try:
        problems = lint.check(path)
    except lint.LintUsageError as err:
        raise click.UsageError(str(err)) from None
    for problem in problems:
        click.echo(str(problem))
    click.echo(lint.summary(problems), err=True)
    sys.exit(1 if lint.failed(problems) else 0)


@policy_group.command("diff")
@click.argument("roots", nargs=-1, metavar="[OLD NEW]")
@click.option("--rev", metavar="REV", help="compare the policies at this git revision (OLD) with the working tree")
@click.option(
    "--applicants",
    "applicants",
    required=True,
    multiple=True,
    type=click.Path(exists=True),
    metavar="DIR",
    help="the applicant files (a folder, or files; repeatable)",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "md"]),
    default="text",
    help="text for people, json for programs, md to paste into a review",
)
@click.option("--as-of", type=Date(), help="evaluation date (default: each file's as_of, else today)")
@click.option("--needs", "with_needs", is_flag=True, help="also compare what each applicant would need (slower)")
@click.option("-j", "--jobs", type=click.IntRange(min=1), metavar="N", help="worker processes (default: all cores)")
def policy_diff(roots, rev, applicants, fmt, as_of, with_needs, jobs):
    """Which applicants' outcomes change between two versions of the rules.

    OLD and NEW are policies folders (each holding common/ and the policy folders);
    with --rev REV, OLD is the policies folder at that git revision and NEW the
    working tree (or the one folder given)."""
    if rev is None and len(roots) != 2:
        raise click.UsageError("give two policies folders, OLD and NEW, or --rev REV")
    if rev is not None and len(roots) > 1:
        raise click.UsageError("with --rev, give at most one folder (NEW; default: the policies folder)")
    from . import diff as diffmod
    from .policy import policies_root

    files = applicant_files(applicants)
    try:
        with contextlib.ExitStack() as stack:
            if rev is not None:
                new = diffmod.rules_at(roots[0] if roots else policies_root(), None if roots else "working tree")
                old = stack.enter_context(diffmod.rules_at_revision(rev, new.root))
            else:
                old, new = diffmod.rules_at(roots[0]), diffmod.rules_at(roots[1])
            result = diffmod.compare(
                old, new, files, as_of=as_of, needs=with_needs, jobs=jobs, progress=sys.stderr.isatty()
            )
    except diffmod.DiffError as err:
        click.echo(f"endorse policy diff: {err}", err=True)
        sys.exit(EXIT_INPUT)
    for error in result.errors:
        click.echo(error, err=True)
    click.echo(diffmod.RENDER[fmt](result))
    internal = any(isinstance(e, batch.InternalError) for e in result.errors)
    sys.exit(1 if internal else EXIT_INPUT if result.errors else 0)


def run() -> None:
    """Console entry point: no traceback ever reaches a user."""
    try:
        main(standalone_mode=True)
    except SystemExit:
        raise
    except Exception as err:  # noqa: BLE001 - the last line of defence
        if os.environ.get("ENDORSE_DEBUG"):
            raise
        click.echo(f"endorse: internal error: {type(err).__name__}: {err}", err=True)
        sys.exit(1)
