"""Explanation reports for reviewers: one page per applicant and an index, in HTML or Markdown.

Pages come from the Jinja2 templates in `templates/`. HTML is autoescaped;
Markdown escapes every value it prints through `md_text` (the environment's
`finalize`), so applicant text can neither open an HTML tag nor start
Markdown syntax. Every file is written whole or not at all (`write_atomic`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import re
import secrets
import shutil
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup

from . import load, order
from .evaluate import evaluate
from .explain import CategoryResult, Evaluation
from .needs import fill_needs
from .policy import Program
from .provenance import rules
from .words import STATUS, label

if TYPE_CHECKING:
    import jinja2

FORMATS = ("html", "md")
INDEX = "index"
CATEGORY_STATUSES = ("eligible", "needs_review", "incomplete", "not_eligible")
UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")
# Markdown: entities for what could open HTML, a backslash before what could start syntax,
# a space for what would end the line (and with it a table row or list item).
MD_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\n": " ", "\r": " ", **{c: "\\" + c for c in "\\`*_[]|#~$"}}
)
LINE_ENDS = str.maketrans("\r\n", "  ")


def md_text(value) -> str:
    """A value as inert Markdown text on one line: no HTML, no emphasis, links, tables or code."""
    if isinstance(value, Markup):
        return value
    return "" if value is None else str(value).translate(MD_ESCAPES)


def md_code(value, cell: bool = False) -> Markup:
    """A value as a Markdown code span (inside a table `cell`, its pipes escaped as GFM asks)."""
    text = str(value).translate(LINE_ENDS)
    if cell:
        text = text.replace("|", "\\|")
    if "`" not in text:
        return Markup(f"`{text}`")
    fence = "`" * (max(map(len, re.findall("`+", text))) + 1)
    return Markup(f"{fence} {text} {fence}")


def slug(text: str) -> Markup:
    """The anchor a code-hosting site (GitHub) gives a Markdown heading."""
    return Markup(re.sub(r"[^\w\- ]", "", str(text).lower()).replace(" ", "-"))


HTML_BADGES = {
    status: Markup(f'<span class="status {status}">{symbol} {word}</span>') for status, (symbol, word) in STATUS.items()
}
MD_BADGES = {status: f"{symbol} {word}" for status, (symbol, word) in STATUS.items()}


def anchor(policy: str, code) -> str:
    return UNSAFE_NAME.sub("-", f"{policy}-{label(code)}")


def heading(result) -> str:
    """A category's heading in a report (the Markdown summary links to its slug)."""
    return f"{label(result.category)}: {result.title} ({result.policy})"


@functools.cache
def environment(fmt: str) -> jinja2.Environment:
    """The templates of one output format, compiled once per process (Jinja2 is imported
    here, so the commands that write no report start without it)."""
    import jinja2

    if fmt not in FORMATS:
        raise ValueError(f"unknown format '{fmt}'")
    markdown = fmt == "md"
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("endorse_asp", "templates"),
        autoescape=not markdown,
        finalize=md_text if markdown else None,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.globals.update(
        STATUS=STATUS,
        CATEGORY_STATUSES=CATEGORY_STATUSES,
        label=label,
        anchor=anchor,
        heading=heading,
        badge=(MD_BADGES if markdown else HTML_BADGES).__getitem__,
    )
    env.filters.update(code=md_code, slug=slug)
    return env


def render(template: str, fmt: str, **context) -> str:
    """A page: template `template.fmt` with `context`, ending with one newline."""
    return environment(fmt).get_template(f"{template}.{fmt}").render(**context).rstrip("\n") + "\n"


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to a temporary file beside `path`, then rename it over `path`:
    an interrupted run leaves the old file or the new one, never a part."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        with open(tmp, "x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class Names:
    """Output file names from applicant ids: safe characters only, never `index`, never
    the same twice (even where the file system ignores case)."""

    def __init__(self) -> None:
        self.taken = {INDEX}

    def __call__(self, applicant_id: str) -> str:
        base = UNSAFE_NAME.sub("_", applicant_id)[:100].strip("_") or "applicant"
        name, n = base, 2
        while name.lower() in self.taken:
            name, n = f"{base}-{n}", n + 1
        self.taken.add(name.lower())
        return name


@dataclass
class Written:
    """One applicant's line in the index."""

    applicant: str
    name: str | None
    file: str
    as_of: dt.date
    link: str
    counts: Counter
    eligible: dict[str, list[str]]  # policy -> labels of its categories reached


@dataclass
class Failed:
    """An input file that could not be read, with its problems."""

    file: str
    problems: list[str]


@dataclass
class Batch:
    fmt: str
    written: list[Written] = field(default_factory=list)
    failed: list[Failed] = field(default_factory=list)
    rules: dict | None = None  # provenance.rules of the program that judged them (the index's footer)

    @property
    def totals(self) -> Counter:
        """Category results per status, over all applicants."""
        return sum((w.counts for w in self.written), Counter())

    @property
    def applicants_with(self) -> Counter:
        """Applicants with at least one category of each status."""
        return Counter(s for w in self.written for s in w.counts)


CLOSEST = 5  # how many categories not reached the summary names, fewest blockers first


@dataclass
class Section:
    """One category on a reviewer's page: its result and where its rules are written."""

    r: CategoryResult
    written_in: tuple[str, str, str] | None  # (title, section, file) all its requirements cite, if one
    why: str  # what stands in the way, in words (render.why_not)

    @property
    def reached(self) -> bool:
        return self.r.status in ("eligible", "needs_review")

    @property
    def rows(self) -> list:
        """The requirements shown in full: all of a category reached (the evidence of its verdict);
        of one not reached, those that stand in its way (the others are named in one line)."""
        return [q for q in self.r.requirements if self.reached or q.status != "met"]

    @property
    def also_met(self) -> list[str]:
        return [] if self.reached else [q.id for q in self.r.requirements if q.status == "met"]

    def cited(self, q) -> str:
        """A requirement's source as its row shows it: only the heading when the category names the rest."""
        section = q.source.get("section", "")
        return section.split(": ", 1)[-1] if self.written_in else f"{q.source.get('title', '')}, {section}"


@dataclass
class Page:
    """What an applicant's report shows, top-down: who, what was reached, what is closest, then each category."""

    e: Evaluation
    policies: list  # the policies judged, the applicant's own first
    home: list[str]  # the applicant's own policies: by membership or state of residence
    sections: list[Section]
    needs_computed: bool

    @property
    def reached(self) -> list[Section]:
        return [s for s in self.sections if s.reached]

    @property
    def closest(self) -> list[Section]:
        """Categories not reached, fewest blockers first (unknown before unmet), the applicant's own policies first."""
        open_ = [s for s in self.sections if s.r.status in ("incomplete", "not_eligible")]
        unmet = {id(s): sum(q.status == "unmet" for q in s.r.requirements) for s in open_}
        ranked = sorted(open_, key=lambda s: (len(s.r.blockers), unmet[id(s)], s.r.policy not in self.home))
        return ranked[:CLOSEST]


def home_policies(evaluation: Evaluation, program: Program, data: dict | None) -> list[str]:
    """The policies of the associations the applicant belongs to, or of the state they live in."""
    if not data:
        return []
    joined = {m.get("association") for m in data.get("memberships") or []}
    state = data.get("residence")
    judged = dict.fromkeys(r.policy for r in evaluation.results)
    return [p for p in judged if program.policies[p].association in joined or program.policies[p].state == state]


def page(evaluation: Evaluation, program: Program, needs_computed: bool = False, data: dict | None = None) -> Page:
    from .render import why_not

    home = home_policies(evaluation, program, data)
    ordered = sorted(
        evaluation.results,
        key=lambda r: (r.policy not in home, order.policy_rank(r.policy), order.category_rank(r.category)),
    )
    sections = []
    for r in ordered:
        places = {
            (q.source.get("title", ""), q.source.get("section", "").split(": ")[0], q.source.get("document", ""))
            for q in r.requirements
        }
        sections.append(Section(r, places.pop() if len(places) == 1 else None, why_not(r)))
    policies = [program.policies[p] for p in dict.fromkeys(r.policy for r in ordered)]
    return Page(evaluation, policies, home, sections, needs_computed)


def report_page(
    evaluation: Evaluation, program: Program, fmt: str, needs_computed: bool = False, data: dict | None = None
) -> str:
    """One applicant's report (`needs_computed`: whether an empty `needs` means none was found;
    `data`: the applicant's record, to put their own association's policy first)."""
    view = page(evaluation, program, needs_computed, data)
    return render("report", fmt, page=view, e=evaluation, policies=view.policies)


def index_page(batch: Batch) -> str:
    return render("index", batch.fmt, batch=batch)


def _summary(evaluation: Evaluation, link: str) -> Written:
    eligible: dict[str, list[str]] = {}
    for r in evaluation.results:
        if r.status == "eligible":
            eligible.setdefault(r.policy, []).append(label(r.category))
    return Written(
        evaluation.applicant,
        evaluation.name,
        evaluation.file,
        evaluation.as_of,
        link,
        Counter(r.status for r in evaluation.results),
        eligible,
    )


def write_reports(
    files: Iterable[Path],
    out: Path,
    fmt: str,
    *,
    program: Program,
    as_of: dt.date | None = None,
    categories: Iterable[str] = (),
    with_needs: bool = False,
    step: Callable[[], None] = lambda: None,
) -> Batch:
    """Judge every file, write a report per applicant and the index into `out`;
    a file that cannot be read is listed in the index. `with_needs`: also find what each
    category not reached would need (much slower). `step` is called once per file.

    The run is written into a staging folder beside `out` and swapped in whole at the end, so
    `out` always holds one run's index and reports (never a failed run's half, nor two runs'
    mix); leftovers of runs that died are removed on the next run."""
    with staged(out) as stage:
        return _write_reports(files, stage, fmt, program, as_of, categories, with_needs, step)


def _reports_only(folder: Path) -> bool:
    """A folder a report run may replace: empty, or only reports and indexes (*.html, *.md)."""
    return all(p.is_file() and not p.is_symlink() and p.suffix in (".html", ".md") for p in folder.iterdir())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


@contextlib.contextmanager
def staged(out: Path) -> Iterator[Path]:
    """A fresh folder to write a run into, swapped in as `out` when the block ends well."""
    out = Path(out)
    if str(out) in ("", "."):
        raise OSError(f"'{out}': name a folder for the reports, not the current one")
    if out.exists():
        if not out.is_dir():
            raise OSError(f"{out}: exists and is not a folder")
        if not _reports_only(out):
            raise OSError(f"{out}: a folder that holds other files than reports; give a new or empty folder")
    parent = out.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{out.name}.endorse-"
    for left in parent.glob(f"{prefix}*"):  # a run that died: its staging or old folder
        pid = left.name[len(prefix) :].split("-")[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(left, ignore_errors=True)
    token = f"{secrets.token_hex(4)}-{os.getpid()}"
    stage = parent / f"{prefix}new-{token}"
    stage.mkdir()
    try:
        yield stage
        old = parent / f"{prefix}old-{token}"
        if out.exists():
            os.replace(out, old)
        os.replace(stage, out)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def _write_reports(files, out, fmt, program, as_of, categories, with_needs, step) -> Batch:
    batch = Batch(fmt, rules=rules(program))
    names = Names()
    loaded: deque[load.Applicant] = deque()

    def applicants() -> Iterator[load.Applicant]:
        for path in files:
            try:
                loaded.append(load.load_file(path))
            except load.InputError as err:
                batch.failed.append(Failed(str(path), [str(p) for p in err.problems]))
                step()
                continue
            yield loaded[-1]

    for evaluation in evaluate(applicants(), as_of=as_of, program=program, categories=categories):
        applicant = loaded.popleft()
        if with_needs:
            fill_needs(evaluation, applicant, program)
        link = f"{names(evaluation.applicant)}.{fmt}"
        write_atomic(out / link, report_page(evaluation, program, fmt, with_needs, applicant.data))
        batch.written.append(_summary(evaluation, link))
        step()
    write_atomic(out / f"{INDEX}.{fmt}", index_page(batch))
    return batch
