"""The `endorse` command: parse options, call the library, print."""
from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import sys
from pathlib import Path
from typing import Iterator

import click

from . import load, policytest, render
from .evaluate import evaluate
from .explain import CATEGORY_ORDER
from .policy import PolicyError, load_program

EXIT_INPUT = 2


class Date(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(f"'{value}' is not a date of the form YYYY-MM-DD", param, ctx)


def closest(word: str, options) -> str:
    match = difflib.get_close_matches(word, list(options), n=1)
    return f"; did you mean '{match[0]}'?" if match else ""


def applicant_files(paths: tuple[str, ...]) -> list[Path]:
    """The files named, and the .yaml/.yml files of the directories named, in a stable order."""
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()))
        else:
            files.append(path)
    return files


def load_all(files: list[Path], errors: list[str]) -> Iterator[load.Applicant]:
    """Load each file; report a bad one on stderr and go on with the rest."""
    for path in files:
        try:
            yield load.load_file(path)
        except load.InputError as err:
            errors.append(str(err))
            click.echo(str(err), err=True)


def policy_options(f):
    f = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                     help="text for people, json for programs")(f)
    f = click.option("--as-of", type=Date(), help="evaluation date (default: the file's as_of, else today)")(f)
    f = click.option("--category", "categories", multiple=True, metavar="CODE",
                     help="only this category (repeatable)")(f)
    f = click.option("--policy", "policies", multiple=True, metavar="ID", help="only this policy (repeatable)")(f)
    return f


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
            raise click.UsageError(f"unknown category '{code}'{closest(code, known)}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="endorse-asp")
def main():
    """Policy-as-code for infant and early childhood mental health endorsement."""


@main.command("evaluate")
@click.argument("paths", nargs=-1, required=True, metavar="FILE_OR_DIR...")
@policy_options
@click.option("-v", "--verbose", is_flag=True, help="text: show every requirement with its numbers")
def evaluate_cmd(paths, policies, categories, as_of, fmt, verbose):
    """Status of every category for each applicant, with what blocks it."""
    program = program_for(policies)
    check_categories(program, categories)
    files = applicant_files(paths)
    errors: list[str] = []
    single = len(files) == 1 and not Path(paths[0]).is_dir()
    applicants = load_all(files, errors)
    if len(files) > 1 and sys.stderr.isatty():
        applicants = _with_progress(applicants, len(files))
    results = evaluate(applicants, as_of=as_of, program=program, categories=categories)
    if fmt == "json":
        _print_json(results, single)
    else:
        colour = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        for n, text in enumerate(render.texts(results, colour, verbose)):
            click.echo(("\n" if n else "") + text)
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
            click.echo(json.dumps(e.to_json(), indent=2, ensure_ascii=False))
        return
    click.echo("[", nl=False)
    for n, e in enumerate(results):
        click.echo(("," if n else "") + "\n" + json.dumps(e.to_json(), indent=2, ensure_ascii=False), nl=False)
    click.echo("\n]")


@main.command("schema")
def schema_cmd():
    """Print the JSON Schema of the applicant format."""
    click.echo(json.dumps(load.SCHEMA, indent=2))


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
        codes = sorted((c for (v, c) in program.catalogue.categories if v == variant.name and isinstance(c, str)),
                       key=lambda c: CATEGORY_ORDER.index(c) if c in CATEGORY_ORDER else 99)
        rows.append({"id": p.id, "title": p.title, "version": p.version,
                     "valid_from": str(p.valid_from) if p.valid_from else None,
                     "valid_to": str(p.valid_to) if p.valid_to else None,
                     "extends": p.extends, "sources": [s["file"] for s in p.sources.values()],
                     "categories": codes})
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        click.echo(f"{r['id']}  {r['title']}  (version {r['version']})")
        click.echo(f"  valid {r['valid_from'] or 'always'} to {r['valid_to'] or 'no end'}"
                   + (f", extends {r['extends']}" if r["extends"] else ""))
        click.echo(f"  sources: {', '.join(r['sources'])}")
        click.echo(f"  categories: {' '.join(r['categories'])}")


@policy_group.command("test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True), metavar="[PATH]...")
@click.option("--coverage", is_flag=True, help="report, per requirement, whether the cases saw it met and unmet")
def policy_test(paths, coverage):
    """Run the committee's YAML test cases (default: every policy's tests/)."""
    try:
        cases = policytest.collect([Path(p) for p in paths] or None)
    except load.InputError as err:
        raise click.UsageError(str(err)) from None
    program = load_program()
    outcomes = policytest.run(cases, program)
    failed = [o for o in outcomes if o.failures]
    for o in failed:
        click.echo(f"FAIL {o.case.where}: {o.case.name}")
        for failure in o.failures:
            click.echo(f"    {failure}")
    if coverage:
        click.echo(policytest.coverage_report(outcomes, program))
    click.echo(f"{len(outcomes) - len(failed)} passed, {len(failed)} failed")
    sys.exit(1 if failed else 0)


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
