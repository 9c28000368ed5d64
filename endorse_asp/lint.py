"""`endorse policy check`: lint the rule files and the policy metadata.

Every problem is one line, `file:line:col: severity: message`, the form editors
and CI annotate. Errors make the check fail (exit 1); warnings do not.

What is checked, file by file first and then policy by policy:

- each rule file parses (clingo's own syntax messages, with their place);
- each rule file of a policy puts its rules under `#program policy(p).`;
- every predicate read in a rule body is defined somewhere: by a rule head,
  by the applicant facts the Python side gives clingo (read from the code of
  `endorse_asp`, see `python_signatures`), or documented in a `%*! ... *%`
  block as something supplied from outside;
- a predicate a policy defines is read by some rule (else it is likely a
  misspelt declaration);
- policy.yaml: id, title and version present, dates that are dates,
  `extends` naming a known policy, exception files that exist;

and then, for each policy grounded on its own (its bases included, no
applicant), with clingo's warnings and errors kept:

- every requirement has a summary and a citation (`source/6`: a `section` for
  its category and a `heading` for its id);
- every threshold a declaration names is defined, every threshold defined is
  named by some declaration (which declarations name thresholds is read from
  the engine's rules: those joined with `threshold(P, C, T, N)` on T);
- a derived policy drops or replaces only what its base has;
- every source document key the rules cite (`section(p, C, Doc, _)`) is
  listed under `sources` in policy.yaml;
- every category has at least one committee test case.
"""

from __future__ import annotations

import ast as pyast
import datetime as dt
import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import clingo
import yaml
from clingo import ast

from . import lint_structure, lint_vocabulary, policy_file
from . import parameters as params_mod
from . import policy as policymod
from .parameters import number_words
from .policy import PolicyError, policies_root
from .terms import RenewalOf
from .words import did_you_mean

# " (did you mean 'X'?)" for the option closest to a word, as policy check words it
_closest = functools.partial(did_you_mean, cutoff=0.75, ignore_case=False, aside=True)
Where = tuple[Path | str, int, int]  # a file, line and column a problem is reported at

ERROR, WARNING = "error", "warning"
META_KEYS = (
    "id",
    "title",
    "version",
    "valid_from",
    "valid_to",
    "extends",
    "association",
    "state",
    "renews",
    "categories",
    "sources",
    "exceptions",
)
REQUIRED_META = ("id", "title", "version")
_CLINGO_MESSAGE = re.compile(
    r"^(?P<file>.*?):(?P<line>\d+):(?P<col>\d+)(?:-\d+(?::\d+)?)?: "
    r"(?P<sev>error|warning|info|note): (?P<text>.*)$"
)
_DOC_FIRST = re.compile(r"%\*!\s*([a-z_][A-Za-z0-9_']*)\(([^()]*)\)")
_DOC_MORE = re.compile(r"^\s*([a-z_][A-Za-z0-9_']*)\(([^()]*)\)\s*:")


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    col: int
    severity: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.severity}: {self.message}"


@dataclass
class RuleFile:
    path: Path
    policy: str | None  # policy id, None for the engine (common/)
    statements: list = field(default_factory=list)
    ok: bool = True  # parsed without syntax errors


# --------------------------------------------------------------------------- entry point


def check(path: str | os.PathLike | None = None) -> list[Problem]:
    """Every problem found under `path` (a policies folder, a policy folder or one of its
    files; default the shipped policies), sorted by file and line."""
    root, scope = _locate(Path(path) if path is not None else policies_root())
    linter = _Linter(root)
    linter.run()
    found = {p for p in linter.problems if _inside(p.file, scope)}
    return sorted(found, key=lambda p: (p.file, p.line, p.col, p.severity, p.message))


def failed(problems: list[Problem]) -> bool:
    return any(p.severity == ERROR for p in problems)


def summary(problems: list[Problem]) -> str:
    errors = sum(p.severity == ERROR for p in problems)
    warnings = len(problems) - errors
    if not problems:
        return "policy check: no problems found"
    return f"policy check: {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


class LintUsageError(Exception):
    """PATH is not a policies folder, a policy folder or a file inside one."""


def _locate(path: Path) -> tuple[Path, Path]:
    """The policies root above `path` (the folder holding common/) and what to report on."""
    path = path.resolve()
    if not path.exists():
        raise LintUsageError(f"{path}: no such file or folder")
    for candidate in (path, *path.parents):
        if (candidate / "common").is_dir():
            return candidate, path
    raise LintUsageError(
        f"{path}: not inside a policies folder (a folder holding common/ and one folder "
        "per policy with its policy.yaml)"
    )


def _inside(file: str, scope: Path) -> bool:
    try:
        Path(file).resolve().relative_to(scope)
        return True
    except ValueError:
        return False


def display(path: Path | str) -> str:
    """A path as printed: relative to the working directory when below it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- what Python gives clingo


def python_signatures() -> set[tuple[str, int | None]]:
    """Predicates the Python side adds as facts (the applicant's record, what to judge, and
    whatever other modules feed), read from the package's code: calls `f(NAME, ...)` of
    facts.symbols (the applicant is added as first argument) and `Function(NAME, [...])`
    anywhere, NAME being a string or a loop variable over a tuple of strings. An arity of
    None: the arguments are not a literal list (any arity)."""
    found: set = set()
    package = Path(__file__).resolve().parent
    for module in sorted(package.glob("*.py")):
        tree = pyast.parse(module.read_text(encoding="utf-8"))
        loops: dict[str, list[str]] = {}
        for node in pyast.walk(tree):
            if (
                isinstance(node, pyast.For)
                and isinstance(node.target, pyast.Name)
                and isinstance(node.iter, (pyast.Tuple, pyast.List))
                and all(isinstance(e, pyast.Constant) and isinstance(e.value, str) for e in node.iter.elts)
            ):
                loops[node.target.id] = [
                    e.value for e in node.iter.elts if isinstance(e, pyast.Constant) and isinstance(e.value, str)
                ]
        for node in pyast.walk(tree):
            if not isinstance(node, pyast.Call) or not node.args:
                continue
            first = node.args[0]
            if isinstance(first, pyast.Constant) and isinstance(first.value, str):
                names = [first.value]
            elif isinstance(first, pyast.Name) and first.id in loops:
                names = loops[first.id]
            else:
                continue
            callee = node.func.attr if isinstance(node.func, pyast.Attribute) else getattr(node.func, "id", "")
            for name in names:
                if callee == "f" and module.name == "facts.py":
                    found.add((name, len(node.args)))
                elif callee == "Function" and len(node.args) >= 2:
                    args = node.args[1]
                    found.add((name, len(args.elts) if isinstance(args, pyast.List) else None))
    return found


def documented_signatures(path: Path) -> set[tuple[str, int]]:
    """Predicates documented in `%*! name(Args) ... *%` blocks: the first one of a block, and
    any further line of it that starts `name(Args):`."""
    text = path.read_text(encoding="utf-8")
    found = set()
    for block in re.findall(r"%\*!.*?\*%", text, flags=re.S):
        lines = block.splitlines()
        first = _DOC_FIRST.search(lines[0])
        if first:
            found.add((first.group(1), _arity(first.group(2))))
        for line in lines[1:]:
            more = _DOC_MORE.match(line)
            if more:
                found.add((more.group(1), _arity(more.group(2))))
    return found


def _arity(args: str) -> int:
    return len(args.split(",")) if args.strip() else 0


# --------------------------------------------------------------------------- AST walking


def _function(term):
    """The Function node of an atom's term (through classical negation), or None."""
    while term.ast_type == ast.ASTType.UnaryOperation:
        term = term.argument
    if term.ast_type == ast.ASTType.Function and not term.external:
        return term
    return None


def _atoms(node):
    """Every SymbolicAtom's Function below `node`."""
    if not isinstance(node, ast.AST):
        if isinstance(node, (list, tuple, ast.ASTSequence)):
            for item in node:
                yield from _atoms(item)
        return
    if node.ast_type == ast.ASTType.SymbolicAtom:
        term = node.symbol
        terms = term.arguments if term.ast_type == ast.ASTType.Pool else [term]
        for t in terms:
            fn = _function(t)
            if fn is not None:
                yield fn
        return
    for key in node.child_keys:
        yield from _atoms(getattr(node, key))


def heads_and_bodies(statement):
    """(defined, read): the atoms a statement defines and those it reads, as Function nodes."""
    kind = statement.ast_type
    if kind == ast.ASTType.Rule:
        head = statement.head
        defined, read = [], list(_atoms(statement.body))
        if head.ast_type == ast.ASTType.Literal:
            defined.extend(_atoms(head))
        elif head.ast_type in (ast.ASTType.Disjunction, ast.ASTType.Aggregate):
            for element in head.elements:
                defined.extend(_atoms(element.literal))
                read.extend(_atoms(element.condition))
        elif head.ast_type == ast.ASTType.HeadAggregate:
            for element in head.elements:
                defined.extend(_atoms(element.condition.literal))
                read.extend(_atoms(element.condition.condition))
        return defined, read
    if kind == ast.ASTType.External:
        return list(_atoms(statement.atom)), list(_atoms(statement.body))
    if kind in (
        ast.ASTType.ShowTerm,
        ast.ASTType.Minimize,
        ast.ASTType.Heuristic,
        ast.ASTType.Edge,
        ast.ASTType.ProjectAtom,
    ):
        return [], list(_atoms(statement))
    return [], []


def _sig(fn) -> tuple[str, int]:
    return fn.name, len(fn.arguments)


def _where(node) -> tuple[str, int, int]:
    begin = node.location.begin
    return begin.filename, begin.line, begin.column


def _constants(term) -> set:
    """Names and strings appearing in a term (constants, strings)."""
    found = set()
    if term.ast_type == ast.ASTType.SymbolicTerm:
        sym = term.symbol
        if sym.type == clingo.SymbolType.String:
            found.add(sym.string)
        elif sym.type == clingo.SymbolType.Function and not sym.arguments:
            found.add(sym.name)
    elif term.ast_type == ast.ASTType.Function:
        if not term.arguments:
            found.add(term.name)
        for arg in term.arguments:
            found |= _constants(arg)
    elif term.ast_type == ast.ASTType.Pool:
        for arg in term.arguments:
            found |= _constants(arg)
    return found


# --------------------------------------------------------------------------- the linter


class _Linter:
    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []
        self.files: list[RuleFile] = []
        self.meta: dict[str, dict] = {}  # policy id -> {"path", "data", "node"} of its policy.yaml
        self.policy_dirs: dict[str, Path] = {}  # policy id -> directory
        self.broken: set[str] = set()  # policy ids whose own files have errors
        self.unbridgeable: set[str] = set()  # bases whose declarations cannot be inherited
        self.seen: dict[str, set] = {}  # policy id -> keys of the grounded problems found
        self.cases: list = []  # the committee test cases read (policytest.Case)

    current: str | None = None  # the policy whose grounded checks are running

    def top(self, found: Where | None, pid: str) -> Where:
        """Where to report a problem: the place found, else the top of the policy's policy.yaml."""
        return found or (self.meta[pid]["path"], 1, 1)

    def add(self, file, line, col, severity, message) -> None:
        # A problem found while checking a policy is that policy's, reported in its own folder,
        # never in a file of its base (which, checked on its own, may be sound): placed at what the
        # policy itself wrote, else at its policy.yaml, naming the base's line it concerns.
        if self.current and not _inside(str(file), self.policy_dirs[self.current].resolve()):
            message = f"{message} (the base's rule at {display(file)}:{line})"
            file, line, col = self.meta[self.current]["path"], 1, 1
        self.problems.append(Problem(display(file), int(line or 1), int(col or 1), severity, message))

    # ---- the steps
    def run(self) -> None:
        self.read_metadata()
        for path in sorted((self.root / "common").glob("*.lp")):
            self.files.append(self.parse(path, None))
        for pid, directory in sorted(self.policy_dirs.items()):
            for path in sorted(directory.glob("*.lp")):
                self.files.append(self.parse(path, pid))
            for path in self.exception_files(pid):
                self.files.append(self.parse(path, pid))
            if (directory / params_mod.FILE).is_file():
                self.files.append(self.parameters(directory / params_mod.FILE, pid))
        for rule_file in self.files:
            if rule_file.policy is not None and rule_file.ok and rule_file.path.suffix == ".lp":
                self.check_program_part(rule_file)
                self.check_threshold_text(rule_file)
        for file, line, col, message in lint_structure.check(self.files):  # choice, disjunction, #include...
            self.add(file, line, col, ERROR, message)
        for file, line, col, message in lint_vocabulary.check(self.files):  # words no applicant can say
            self.add(file, line, col, ERROR, message)
        self.check_predicates()
        cases = self.collect_cases()
        for pid in sorted(self.policy_dirs, key=lambda p: (len(self.chain(p)), p)):  # bases first
            self.check_grounded(pid, cases)

    # ---- policy.yaml
    def read_metadata(self) -> None:
        ids: dict[str, Path] = {}
        for directory in sorted(d for d in self.root.iterdir() if d.is_dir() and d.name != "common"):
            meta_file = directory / "policy.yaml"
            if not meta_file.is_file():
                if any(directory.glob("*.lp")):
                    self.add(
                        sorted(directory.glob("*.lp"))[0],
                        1,
                        1,
                        ERROR,
                        f"folder {directory.name}/ has rule files but no policy.yaml, so no policy "
                        "uses them: add a policy.yaml (id, title, version, sources)",
                    )
                continue
            data, node = self.read_yaml(meta_file, directory)
            pid = str(data.get("id")) if data.get("id") is not None else directory.name
            if pid in ids:
                self.add(
                    meta_file,
                    self.line(node, "id"),
                    1,
                    ERROR,
                    f"id '{pid}' is also the id of {display(ids[pid] / 'policy.yaml')}: ids must be unique",
                )
                continue
            ids[pid] = directory
            self.meta[pid] = {"path": meta_file, "data": data, "node": node}
            self.policy_dirs[pid] = directory
            if node is None or not data.get("id"):
                self.broken.add(pid)
        for pid, meta in self.meta.items():
            if meta["node"] is not None:
                self.check_metadata(pid, meta)

    def read_yaml(self, meta_file: Path, directory: Path) -> tuple[dict, yaml.Node | None]:
        """policy.yaml as data (dates left as text, checked later) and as a node tree (for lines)."""
        try:
            node = policy_file.read(meta_file, pyyaml_errors=True)
            data = policy_file.data(node, dates_as_text=True)
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            self.add(
                meta_file,
                mark.line + 1 if mark else 1,
                mark.column + 1 if mark else 1,
                ERROR,
                f"not valid YAML: {getattr(err, 'problem', None) or err}",
            )
            return {}, None
        if not isinstance(data, dict):
            self.add(meta_file, 1, 1, ERROR, "policy.yaml must be a mapping (id: ..., title: ..., version: ...)")
            return {}, None
        if data.get("id") is None or str(data.get("id")).strip() == "":
            self.add(meta_file, 1, 1, ERROR, f"no 'id': add one, e.g. 'id: {directory.name}'")
        return data, node

    line = staticmethod(policy_file.line)  # the line of the value at keys in a policy.yaml node tree

    def check_metadata(self, pid: str, meta: dict) -> None:
        path, data, node = meta["path"], meta["data"], meta["node"]
        for key in REQUIRED_META[1:]:
            if data.get(key) is None or str(data.get(key)).strip() == "":
                self.add(
                    path,
                    1,
                    1,
                    ERROR,
                    f"no '{key}': add '{key}: ...' (shown by `endorse policy list` and in every report)",
                )
        for key, first, again in policy_file.duplicates(node):
            self.broken.add(pid)
            self.add(
                path,
                again,
                1,
                ERROR,
                f"'{key}' is given twice (lines {first} and {again}); only the second counts: keep one",
            )
        for key in data:
            if key not in META_KEYS:
                self.add(
                    path,
                    self.line(node, key),
                    1,
                    WARNING,
                    f"unknown key '{key}'{_closest(str(key), META_KEYS)}; it is ignored",
                )
        dates = {}
        for key in ("valid_from", "valid_to"):
            dates[key] = self.date(path, node, data.get(key), (key,))
        if dates["valid_from"] and dates["valid_to"] and dates["valid_from"] > dates["valid_to"]:
            self.add(
                path,
                self.line(node, "valid_to"),
                1,
                ERROR,
                f"valid_to {dates['valid_to']} is before valid_from {dates['valid_from']}",
            )
        extends = data.get("extends")
        if extends is not None:
            if str(extends) not in self.meta:
                self.broken.add(pid)
                self.add(
                    path,
                    self.line(node, "extends"),
                    1,
                    ERROR,
                    f"extends unknown policy '{extends}'{_closest(str(extends), self.meta)}; "
                    f"known: {', '.join(sorted(self.meta))}",
                )
            else:
                seen = [pid]
                current: str | None = str(extends)
                while current in self.meta and current not in seen:
                    seen.append(current)
                    current = self.meta[current]["data"].get("extends")
                    current = str(current) if current is not None else None
                if current in seen:
                    self.broken.add(pid)
                    self.add(
                        path,
                        self.line(node, "extends"),
                        1,
                        ERROR,
                        f"policy '{pid}' extends itself through {' -> '.join(seen + [current])}",
                    )
        sources = data.get("sources")
        if sources is not None and not isinstance(sources, dict):
            self.add(
                path,
                self.line(node, "sources"),
                1,
                ERROR,
                "sources must be a mapping of document keys, each with file and title",
            )
        for key, entry in (sources or {}).items() if isinstance(sources, dict) else ():
            if not isinstance(entry, dict) or not entry.get("file"):
                self.add(
                    path,
                    self.line(node, "sources", key),
                    1,
                    ERROR,
                    f"source '{key}' has no file: add 'file: <name of the source text>'",
                )
        exceptions = data.get("exceptions")
        if exceptions is not None and not isinstance(exceptions, list):
            self.broken.add(pid)
            self.add(
                path,
                self.line(node, "exceptions"),
                1,
                ERROR,
                "exceptions must be a list of {id, file, valid_from, valid_to, source}",
            )
            return
        ids = set()
        for n, exc in enumerate(exceptions or []):
            line = self.line(node, "exceptions", n)
            if not isinstance(exc, dict):
                self.broken.add(pid)
                self.add(path, line, 1, ERROR, "an exception is a mapping with id, file, valid_from, valid_to")
                continue
            if not exc.get("id"):
                self.add(path, line, 1, ERROR, "exception without 'id': name it (it names the variant judged)")
            elif str(exc["id"]) in ids:
                self.add(path, line, 1, ERROR, f"two exceptions are called '{exc['id']}'")
            ids.add(str(exc.get("id")))
            if not exc.get("file"):
                self.broken.add(pid)
                self.add(path, line, 1, ERROR, "exception without 'file': name the rule file it puts in force")
            elif not (path.parent / str(exc["file"])).is_file():
                self.broken.add(pid)
                self.add(
                    path,
                    self.line(node, "exceptions", n, "file"),
                    1,
                    ERROR,
                    f"exception file '{exc['file']}' does not exist in {display(path.parent)}/",
                )
            start = self.date(path, node, exc.get("valid_from"), ("exceptions", n, "valid_from"))
            end = self.date(path, node, exc.get("valid_to"), ("exceptions", n, "valid_to"))
            if start and end and start > end:
                self.add(
                    path,
                    self.line(node, "exceptions", n, "valid_to"),
                    1,
                    ERROR,
                    f"exception '{exc.get('id')}' ends ({end}) before it starts ({start})",
                )
            if start is None and end is None:
                self.add(
                    path,
                    line,
                    1,
                    WARNING,
                    f"exception '{exc.get('id')}' has no dates, so it is always in "
                    "force: give valid_from and/or valid_to, or fold it into the rules",
                )

    def date(self, path, node, value, keys) -> dt.date | None:
        if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.broken.add(self.pid_of(path))
            self.add(
                path, self.line(node, *keys), 1, ERROR, f"{keys[-1]}: '{value}' is not a date; write it YYYY-MM-DD"
            )
            return None

    def pid_of(self, meta_file: Path) -> str:
        return next(pid for pid, meta in self.meta.items() if meta["path"] == meta_file)

    def exception_files(self, pid: str) -> list[Path]:
        """The exception rule files of a policy that exist (missing ones are reported with the metadata)."""
        meta = self.meta[pid]
        files = []
        for n, exc in enumerate(meta["data"].get("exceptions") or []):
            if not isinstance(exc, dict) or not exc.get("file"):
                continue
            path = meta["path"].parent / str(exc["file"])
            if not path.is_file():
                continue
            if path.parent.resolve() == meta["path"].parent.resolve() and path.suffix == ".lp":
                self.add(
                    meta["path"],
                    self.line(meta["node"], "exceptions", n, "file"),
                    1,
                    ERROR,
                    f"exception file '{exc['file']}' sits beside the policy's rule files, so it is read "
                    "as one of them and is always in force: move it into a subfolder (e.g. exceptions/)",
                )
                continue
            files.append(path)
        return files

    # ---- parameters.yaml
    def parameters(self, path: Path, pid: str) -> RuleFile:
        """A policy's thresholds, as the rules the compiler makes of them (each at the line of its
        value), so that every check of rules sees them where they are written."""
        rule_file = RuleFile(path, pid)
        thresholds, found = params_mod.read(path)
        for line, message in found:
            self.add(path, line, 1, ERROR, message)
        if found:
            self.broken.add(pid)
            rule_file.ok = False
            return rule_file
        try:
            derived = bool(self.meta[pid]["data"].get("extends"))
            rule_file.statements = policymod.parameter_statements(thresholds, path, "policy", derived)
        except PolicyError as err:
            self.broken.add(pid)
            rule_file.ok = False
            self.add(path, 1, 1, ERROR, str(err).removeprefix(f"{path}: "))
        return rule_file

    def check_threshold_text(self, rule_file: RuleFile) -> None:
        """A threshold is given its value in parameters.yaml, never in a rule file."""
        assert rule_file.policy is not None
        for statement in rule_file.statements:
            for fn in heads_and_bodies(statement)[0]:
                if _sig(fn) == ("threshold", 4):
                    name = ", ".join(sorted(_constants(fn.arguments[2]))) or str(fn.arguments[2])
                    self.add(
                        *_where(fn),
                        ERROR,
                        f"threshold '{name}' is set in rule text: give its value in "
                        f"{display(self.policy_dirs[rule_file.policy] / params_mod.FILE)} (description, unit, "
                        "reference, values by date), so that it is written once and dated",
                    )

    # ---- rule files
    def parse(self, path: Path, pid: str | None) -> RuleFile:
        rule_file = RuleFile(path, pid)
        messages: list[str] = []
        try:
            ast.parse_files(
                [str(path)],
                rule_file.statements.append,
                logger=lambda code, text: messages.append(text),
                message_limit=50,
            )
        except RuntimeError:
            rule_file.ok = False
            if pid:
                self.broken.add(pid)
        for text in messages:
            self.clingo_message(text, syntax=True)
        if rule_file.ok:
            self.check_safety(rule_file)
        return rule_file

    def check_safety(self, rule_file: RuleFile) -> None:
        """Ground the file on its own, with no facts, so that clingo reports what it cannot
        ground at all (unsafe variables...) at the file's own lines."""
        messages: list = []
        ctl = clingo.Control(["--warn=none"], logger=lambda code, text: messages.append((code, text)), message_limit=50)
        parts = []
        with ast.ProgramBuilder(ctl) as builder:
            for statement in rule_file.statements:
                builder.add(statement)
                if statement.ast_type == ast.ASTType.Program:
                    parts.append((statement.name, [clingo.Number(0)] * len(statement.parameters)))
        try:
            ctl.ground(parts)
        except RuntimeError:
            if rule_file.policy:
                self.broken.add(rule_file.policy)
            rule_file.ok = False
        for code, text in messages:
            if code == clingo.MessageCode.RuntimeError:
                self.clingo_message(text)

    def clingo_message(self, text: str, syntax: bool = False) -> None:
        """One clingo message (perhaps with notes on further lines) as one problem."""
        lines = [line for line in text.strip().splitlines() if line.strip()]
        if not lines:
            return
        head = _CLINGO_MESSAGE.match(lines[0])
        if head is None:
            self.add(self.root, 1, 1, ERROR, " ".join(s.strip() for s in lines))
            return
        parts, notes = [head.group("text").rstrip(":")], []
        for line in lines[1:]:
            note = _CLINGO_MESSAGE.match(line)
            if note:
                notes.append(f"{note.group('text')} (line {note.group('line')}, column {note.group('col')})")
            else:
                rule = re.sub(r"\[#inc_[^\]]*\];?", "", line.strip())
                parts.append(re.sub(r"#Anon\d+", "_", re.sub(r"#Inc\d+", "p", rule)))
        message = parts[0] + (": " + " ".join(parts[1:]) if len(parts) > 1 else "")
        if notes:
            message += "; " + "; ".join(notes)
        severity = ERROR if head.group("sev") == "error" else WARNING
        hint = _number_hint(head.group("file"), int(head.group("line"))) if syntax else None
        if hint:
            message += f" ({hint})"
        elif syntax and "unexpected" in message and int(head.group("col")) == 1:
            message += " (does the statement before it end with a '.'?)"
        elif "unsafe variables" in message:
            message += " (every variable of a rule must also appear in a positive condition of its body)"
        elif "operation undefined" in message:
            message += " (the rule does not apply where this happens: is a number written as text?)"
        self.add(head.group("file"), head.group("line"), head.group("col"), severity, message)

    def check_program_part(self, rule_file: RuleFile) -> None:
        """A policy's rule file puts its rules under `#program policy(p).`."""
        part, declared = "base", False
        for statement in rule_file.statements:
            if statement.ast_type == ast.ASTType.Program:
                part = statement.name
                if part == policymod.PART:
                    declared = True
                    params = [p.name for p in statement.parameters]
                    if params != ["p"]:
                        self.add(
                            *_where(statement),
                            ERROR,
                            f"write '#program {policymod.PART}(p).': the parameter must be called p "
                            f"(here: {', '.join(params) or 'none'})",
                        )
                elif part != "base":
                    self.add(
                        *_where(statement),
                        WARNING,
                        f"'#program {part}' is not a part `endorse evaluate` grounds for a policy; rules "
                        f"under it are ignored unless some command asks for that part",
                    )
                continue
            if part == "base" and statement.ast_type not in (ast.ASTType.Comment, ast.ASTType.Script):
                self.add(
                    *_where(statement),
                    ERROR,
                    f"rule outside '#program {policymod.PART}(p).': put that line at the top of the file so "
                    "the rules apply to this policy only",
                )
                return
        if not declared:
            self.add(
                rule_file.path,
                1,
                1,
                ERROR,
                f"no '#program {policymod.PART}(p).' line: put it at the top of the file, before the rules",
            )

    def bridges(self) -> list:
        """The generated rules by which a derived policy inherits its base's declarations."""
        statements: list = []
        bases = {str(m["data"].get("extends")) for m in self.meta.values() if m["data"].get("extends")}
        for base in sorted(bases & set(self.policy_dirs)):
            if base in self.broken:
                continue
            own = [s for f in self.files if f.policy == base for s in f.statements]
            signatures = policymod.declared_signatures(own)
            for name, arity in sorted(signatures):
                if arity < 2:
                    self.unbridgeable.add(base)
                    where: Where = self.find([base], name, arity=arity) or (self.meta[base]["path"], 1, 1)
                    self.add(
                        *where,
                        ERROR,
                        f"'{name}(p)' has only the policy as argument, so a policy extending "
                        f"'{base}' cannot inherit it: give it a second argument",
                    )
            text = policymod.bridge_text("bridge", {s for s in signatures if s[1] >= 2})
            try:
                ast.parse_string(text, statements.append, logger=lambda code, message: None)
            except RuntimeError:
                continue
        return statements

    def generated(self) -> list:
        """The rules policy.py writes besides the files: the bridges by which a derived policy
        inherits, and whatever it derives from a derived policy's own rules (touched/3)."""
        statements = self.bridges()
        # What the compiler generates whether or not a policy here extends another: a bridge
        # with no declarations, and what it derives from a declaration.
        ast.parse_string(policymod.bridge_text("bridge", set()), statements.append)
        derive = getattr(policymod, "with_touched", None)
        if derive is not None:
            sample: list = []
            ast.parse_string("#program policy(p). sample(p, category, key).", sample.append)
            statements.extend(s for s in derive(sample) if not any(s is o for o in sample))
            for pid, meta in self.meta.items():
                if meta["data"].get("extends"):
                    own = [s for f in self.files if f.policy == pid for s in f.statements]
                    statements.extend(s for s in derive(own) if not any(s is o for o in own))
        return statements

    def check_predicates(self) -> None:
        # A policy built on a base whose files do not parse: what it reads from the base, or
        # defines for the base's rules and bridges to read, would look wrong here; the error is
        # the base's, reported in the base's file only. Likewise for the engine's declarations.
        shaky = {pid for pid in self.policy_dirs if any(b in self.broken for b in self.chain(pid)[1:])}
        defined: dict[tuple, Where] = {}
        read: dict[tuple, list[tuple[RuleFile, Where] | tuple[None, None]]] = {}  # (rule file, where) of each use
        own: dict[tuple, Where] = {}
        for rule_file in self.files:
            for statement in rule_file.statements:
                heads, bodies = heads_and_bodies(statement)
                for fn in heads:
                    defined.setdefault(_sig(fn), _where(fn))
                    if rule_file.policy is not None and rule_file.policy not in shaky:
                        own.setdefault(_sig(fn), _where(fn))
                for fn in bodies:
                    read.setdefault(_sig(fn), []).append((rule_file, _where(fn)))
        for statement in self.generated():
            heads, bodies = heads_and_bodies(statement)
            for fn in heads:
                defined.setdefault(_sig(fn), _where(fn))
            for fn in bodies:
                read.setdefault(_sig(fn), []).append((None, None))
        python = python_signatures()
        any_arity = {name for name, arity in python if arity is None}
        documented = set()
        for rule_file in self.files:
            documented |= documented_signatures(rule_file.path)
        known = set(defined) | {s for s in python if s[1] is not None} | documented
        names = sorted({f"{n}/{a}" for n, a in known})
        for sig, uses in sorted(read.items()):
            if sig in known or sig[0] in any_arity:
                continue
            reported = set()
            hint = _closest(f"{sig[0]}/{sig[1]}", names)
            for user, at in uses:
                if user is None or at is None or user.path in reported or user.policy in shaky:
                    continue
                if user.policy is None and self.broken:
                    continue
                reported.add(user.path)
                if user.policy is None:  # the engine reads a declaration no policy makes (yet)
                    self.add(
                        *at,
                        WARNING,
                        f"'{sig[0]}/{sig[1]}' is read here but no policy defines it and no %*! block "
                        f"documents it as a declaration{hint}",
                    )
                else:
                    self.add(
                        *at,
                        ERROR,
                        f"'{sig[0]}/{sig[1]}' is read here but nothing defines it: no rule head, no "
                        f"applicant fact, no %*! documentation{hint}",
                    )
        for sig, where in sorted(own.items()):
            if sig in read or sig in documented:
                continue
            self.add(
                *where,
                WARNING,
                f"'{sig[0]}/{sig[1]}' is defined here but no rule reads it, so it has no effect"
                f"{_closest(f'{sig[0]}/{sig[1]}', sorted({f'{n}/{a}' for n, a in read}))}",
            )

    # ---- committee test cases
    def collect_cases(self) -> set[tuple[str, str]] | None:
        """(policy, category) pairs some committee test case expects something of; every case
        that does not fit the test-case schema is an error at its own line (policytest.check_case)."""
        from . import policytest

        expected: set = set()
        for pid, directory in sorted(self.policy_dirs.items()):
            tests = directory / "tests"
            if not tests.is_dir() or pid in self.broken:
                continue
            for case in policytest.collect([tests]):
                self.cases.append(case)
                for p in case.problems:
                    self.add(p.file, p.line, 1, ERROR, (f"{p.path}: " if p.path else "") + p.message)
                for target in case.expect:
                    policy, _, code = str(target).rpartition("/")
                    expected.add((policy or case.policy, code))
        return expected

    # ---- a policy grounded on its own
    def chain(self, pid: str) -> list[str]:
        line = [pid]
        while True:
            base = self.meta.get(line[-1], {}).get("data", {}).get("extends")
            if base is None or str(base) not in self.meta or str(base) in line:
                return line
            line.append(str(base))

    def rule_files_of(self, pids) -> list[RuleFile]:
        return [f for f in self.files if f.policy in pids]

    def find(self, pids, predicate: str, *, arity: int | None = None, contains: tuple = ()) -> Where | None:
        """Where a rule of these policies defines `predicate` with these constants in its head."""
        for rule_file in self.rule_files_of(pids):
            for statement in rule_file.statements:
                for fn in heads_and_bodies(statement)[0]:
                    if fn.name != predicate or arity is not None and len(fn.arguments) != arity:
                        continue
                    constants = set().union(*(_constants(a) for a in fn.arguments)) if fn.arguments else set()
                    if all(c in constants for c in contains):
                        return _where(fn)
        return None

    def check_grounded(self, pid: str, cases: set | None) -> None:
        chain = self.chain(pid)
        meta = self.meta[pid]
        if any(p in self.broken for p in chain) or not all(f.ok for f in self.files if f.policy is None):
            return
        if any(p in self.unbridgeable for p in chain[1:]):
            return
        try:
            program = policymod.read_program(self.root, (pid,))
        except (PolicyError, RuntimeError, OSError, KeyError, TypeError, ValueError) as err:
            self.add(meta["path"], 1, 1, ERROR, f"the policy cannot be loaded: {err}")
            return
        messages: list[tuple] = []
        ctl = clingo.Control(logger=lambda code, text: messages.append((code, text)), message_limit=200)
        program.load_into(ctl)
        try:
            ctl.ground(program.parts())
        except RuntimeError:
            pass
        self.current = pid
        try:
            self.grounded_checks(pid, chain, ctl, program, cases, messages)
        finally:
            self.current = None

    def grounded_checks(self, pid, chain, ctl, program, cases, messages) -> None:
        self.current = None
        for code, text in messages:
            # atom-undefined: checked above, with better words; global-variable: the
            # engine's `#min { A; B }` idiom for the smaller of two numbers. Messages about a
            # compiled program text rather than the files are placed at policy.yaml.
            if code in (clingo.MessageCode.AtomUndefined, clingo.MessageCode.GlobalVariable):
                continue
            head = _CLINGO_MESSAGE.match(text.strip().splitlines()[0]) if text.strip() else None
            if head and not Path(head.group("file")).is_file():
                if code == clingo.MessageCode.RuntimeError:
                    self.add(
                        self.meta[pid]["path"],
                        1,
                        1,
                        ERROR,
                        "the rules cannot be ground together: "
                        + " ".join(line.strip() for line in text.strip().splitlines()),
                    )
                continue
            self.clingo_message(text)
        if any(code == clingo.MessageCode.RuntimeError for code, _ in messages):
            return
        self.current = pid
        atoms = _Ground(ctl, program)
        own = {v for v, var in program.variants.items() if var.policy == pid}
        self.check_requirements(pid, chain, atoms, own)
        self.check_thresholds(pid, chain, atoms, own)
        self.check_overrides(pid, chain, atoms, own)
        self.check_sources(pid, chain, atoms, own)
        if cases is not None:
            self.check_cases(pid, chain, atoms, own, cases)

    def inherited(self, pid: str, chain: list[str], key: tuple) -> bool:
        """Record a grounded problem of `pid`; True when a base has it too (reported there, once)."""
        self.seen.setdefault(pid, set()).add(key)
        return any(key in self.seen.get(base, ()) for base in chain[1:])

    def check_requirements(self, pid, chain, atoms, own) -> None:
        problems: dict[tuple, list] = {}
        sourced = {(v, c, r) for v, c, r, *_ in atoms.get("source", 6) if v in own}
        sections = {(v, c) for v, c, *_ in atoms.get("section", 4) if v in own}
        headings = {(v, r) for v, r, _ in atoms.get("heading", 3) if v in own}
        thresholds: dict[tuple, set] = {}
        for v, c, name, _ in atoms.get("threshold", 4):
            thresholds.setdefault((v, c), set()).add(name)
        unknown: dict[tuple, list] = {}
        for v, c, r, summary in atoms.get("requirement", 4):
            if v not in own:
                continue
            if not isinstance(summary, str) or not summary.strip():
                problems.setdefault((r, "summary"), []).append(c)
            else:
                for name in params_mod.PLACEHOLDER.findall(summary):
                    if name not in thresholds.get((v, c), ()):
                        unknown.setdefault((r, name), []).append(c)
            if (v, c, r) not in sourced:
                if (v, c) not in sections:
                    problems.setdefault((c, "section"), []).append(c)
                if (v, r) not in headings:
                    problems.setdefault((r, "heading"), []).append(c)
        for (what, name), listed in sorted(unknown.items(), key=str):
            if self.inherited(pid, chain, ("placeholder", what, name)):
                continue
            known = sorted({t for (v, c), names in thresholds.items() if v in own and c in listed for t in names})
            self.add(
                *self.top(self.find(chain, "requirement", arity=4, contains=(what,)), pid),
                ERROR,
                f"requirement {_term(what)} ({_names(listed)}): its summary names {{{name}}}, which is no "
                f"threshold of the category{_closest(name, known)}; a summary names a threshold of "
                "parameters.yaml in braces, and shows its value in words",
            )
        for (what, kind), listed in sorted(problems.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
            if self.inherited(pid, chain, ("requirement", what, kind)):
                continue
            codes = _names(listed)
            if kind == "section":
                where: Where | None = self.find(chain, "category", contains=(what,)) if isinstance(what, str) else None
                self.add(
                    *self.top(where, pid),
                    ERROR,
                    f'category {what} has no citation: add section(p, {_term(what)}, "<source key>", '
                    '"<section of that source>")',
                )
                continue
            where = self.find(chain, "requirement", arity=4, contains=(what,)) if isinstance(what, str) else None
            where = where or (self.meta[pid]["path"], 1, 1)
            if kind == "summary":
                self.add(
                    *where,
                    ERROR,
                    f"requirement {_term(what)} ({codes}) has no summary: state it in plain "
                    "words as the fourth argument of requirement/4",
                )
            else:
                self.add(
                    *where,
                    ERROR,
                    f"requirement {_term(what)} ({codes}) has no citation: add heading(p, "
                    f'{_term(what)}, "<heading in the source>")',
                )

    def threshold_uses(self) -> set[tuple[str, int, tuple]]:
        """(declaration, arity, argument path) of every argument the engine looks up as a threshold
        name: a body literal sharing, with threshold(P, C, T, _), the policy P, the category C and T."""
        uses = set()
        for rule_file in self.files:
            for statement in rule_file.statements:
                if statement.ast_type != ast.ASTType.Rule:
                    continue
                literals = [
                    lit
                    for lit in statement.body
                    if lit.ast_type == ast.ASTType.Literal
                    and lit.sign == ast.Sign.NoSign
                    and lit.atom.ast_type == ast.ASTType.SymbolicAtom
                ]
                fns = [f for lit in literals for f in [_function(lit.atom.symbol)] if f is not None]
                for th in fns:
                    if _sig(th) != ("threshold", 4) or th.arguments[2].ast_type != ast.ASTType.Variable:
                        continue
                    p, c, t = (str(a) for a in th.arguments[:3])
                    for fn in fns:
                        if fn is th or len(fn.arguments) < 3 or [str(a) for a in fn.arguments[:2]] != [p, c]:
                            continue
                        for path in _paths_to(fn.arguments, t):
                            uses.add((fn.name, len(fn.arguments), path))
        return uses

    def check_thresholds(self, pid, chain, atoms, own) -> None:
        named: dict[tuple, set] = {}  # (variant, category) -> threshold names declarations look up
        refs: dict[str, list] = {}  # threshold name -> categories whose declarations name it, lacking it
        for name, arity, path in sorted(self.threshold_uses()):
            for args in atoms.get(name, arity):
                if args[0] not in own:
                    continue
                value = _at(args, path)
                if not isinstance(value, str):
                    continue
                named.setdefault((args[0], args[1]), set()).add(value)
        defined: dict[tuple, dict] = {}
        for v, c, name, value in atoms.get("threshold", 4):
            if v in own:
                defined.setdefault((v, c), {}).setdefault(name, []).append(value)
        for (v, c), names in named.items():
            for name in names:
                if name not in defined.get((v, c), {}):
                    refs.setdefault(name, []).append(c)
        every_name = sorted({n for d in defined.values() for n in d})
        for name, codes in sorted(refs.items()):
            if self.inherited(pid, chain, ("undefined threshold", name)):
                continue
            self.add(
                *self.top(self.find_declaration(chain, name), pid),
                ERROR,
                f"threshold '{name}' is named for {_names(codes)} but not defined there: add "
                f"threshold(p, C, {name}, <number>){_closest(name, every_name)}",
            )
        twice: dict[tuple, list] = {}  # (name, values) -> categories given both values on one date
        for (_, c), values in defined.items():
            for name, value in values.items():
                if len(set(map(str, value))) > 1:
                    twice.setdefault((name, tuple(sorted(set(value), key=str))), []).append(c)
        for (name, values), codes in sorted(twice.items(), key=str):
            if self.inherited(pid, chain, ("threshold twice", name)):
                continue
            where = self.find_threshold_twice(pid, name, codes)
            if where is None:  # both values come from the base: reported there
                continue
            self.add(
                *where,
                ERROR,
                f"threshold '{name}' has {len(values)} values for {_names(codes)} on the same date "
                f"({' and '.join(map(str, values))}), so the rules are judged against both at once: keep one",
            )
        unused: dict[str, list] = {}
        bad: dict[str, list] = {}
        bad_values: dict[str, list] = {}
        for (v, c), values in defined.items():
            for name, value in values.items():
                if name not in named.get((v, c), set()):
                    unused.setdefault(name, []).append(c)
                if any(not isinstance(x, int) for x in value):
                    bad.setdefault(name, []).append(c)
                    bad_values.setdefault(name, []).extend(x for x in value if not isinstance(x, int))
        all_named = sorted({n for names in named.values() for n in names})
        for name, codes in sorted(unused.items()):
            found = self.find([pid], "threshold", arity=4, contains=(name,))
            if found is None:  # inherited, its requirement replaced: nothing the policy wrote
                continue
            self.add(
                *found,
                WARNING,
                f"threshold '{name}' is defined for {_names(codes)} but no requirement there "
                f"uses it{_closest(name, all_named)}",
            )
        for name, codes in sorted(bad.items()):
            if self.inherited(pid, chain, ("bad threshold", name)):
                continue
            self.add(
                *self.top(self.find_threshold_text(chain, name), pid),
                ERROR,
                f"threshold '{name}' ({_names(codes)}) is not a whole number: "
                + (
                    number_words(" ".join(map(str, bad_values[name])))
                    or "write it without quotes (hours and days are whole numbers)"
                ),
            )

    def find_threshold_twice(self, pid: str, name: str, codes: list) -> Where | None:
        """Where this policy's own rules give threshold `name` a value: the line that names one of
        the categories outright if there is one (likely the line added last), else the last line."""
        places = []
        for rule_file in self.rule_files_of([pid]):
            for statement in rule_file.statements:
                for fn in heads_and_bodies(statement)[0]:
                    if _sig(fn) == ("threshold", 4) and name in _constants(fn.arguments[2]):
                        places.append((bool(_constants(fn.arguments[1]) & {_code(c) for c in codes}), _where(fn)))
        return max(places, key=lambda p: p[0])[1] if places else None

    def find_threshold_text(self, chain, name: str) -> Where | None:
        """Where a threshold `name` is given a value that is not a number."""
        for rule_file in self.rule_files_of(chain):
            for statement in rule_file.statements:
                for fn in heads_and_bodies(statement)[0]:
                    if (
                        _sig(fn) == ("threshold", 4)
                        and name in _constants(fn.arguments[2])
                        and fn.arguments[3].ast_type not in (ast.ASTType.Variable, ast.ASTType.BinaryOperation)
                        and not (
                            fn.arguments[3].ast_type == ast.ASTType.SymbolicTerm
                            and fn.arguments[3].symbol.type == clingo.SymbolType.Number
                        )
                    ):
                        return _where(fn)
        return None

    def find_declaration(self, chain, name: str) -> Where | None:
        for decl, arity, _ in sorted(self.threshold_uses()):
            where: Where | None = self.find(chain, decl, arity=arity, contains=(name,))
            if where:
                return where
        return None

    def check_overrides(self, pid, chain, atoms, own) -> None:
        if len(chain) < 2:
            return
        base = chain[1]
        # The term the base is ground under, for each variant: inherits(v, b) of the bridge rules
        # (the base's own name, or a stand-in base(v)).
        terms = {v: b for v, b in atoms.get("inherits", 2) if v in own} or {v: ("base", v) for v in own}
        base_categories = {(v, c) for v, b in terms.items() for b2, c, *_ in atoms.get("category", 4) if b2 == b}
        base_keys = atoms.base_keys(terms)
        categories = {(v, c) for v, c, *_ in atoms.get("category", 4) if v in own}
        for v, c in atoms.get("drop", 2):
            # A rule over a variable (drop(p, renewal(C)) :- ...) may name categories nobody has;
            # only a category written out is a mistake when the base lacks it.
            if v in own and (v, c) not in base_categories and self.literal([pid], "drop", 1, c):
                where: Where = self.find([pid], "drop", contains=(c,)) or (self.meta[pid]["path"], 1, 1)
                self.add(
                    *where,
                    ERROR,
                    f"drops category {_term(c)}, which the base policy '{base}' does not have"
                    f"{_closest(_code(c), sorted(_code(x[1]) for x in base_categories))}",
                )
        for v, c, key in atoms.get("replace", 3):
            if v not in own:
                continue
            if (v, c) not in base_categories:
                if (v, c) not in categories and self.literal([pid], "replace", 1, c):
                    where = self.find([pid], "replace", contains=(c,)) or (self.meta[pid]["path"], 1, 1)
                    self.add(
                        *where,
                        ERROR,
                        f"replaces {_term(key)} in category {_term(c)}, which neither this "
                        f"policy nor its base '{base}' has",
                    )
                continue  # a category of the derived policy's own: nothing to replace, nothing lost
            if (v, c, key) not in base_keys:
                where = (
                    self.find([pid], "replace", contains=tuple(x for x in (c, key) if isinstance(x, str)))
                    or self.find([pid], "replace", contains=(key,) if isinstance(key, str) else ())
                    or (self.meta[pid]["path"], 1, 1)
                )
                if Path(where[0]).name == params_mod.FILE:  # a value the base lacks adds a threshold
                    continue
                keys = sorted({str(k) for (vv, cc, k) in base_keys if vv == v and cc == c})
                self.add(
                    *where,
                    ERROR,
                    f"replaces {_term(key)} in category {_term(c)}, but the base policy '{base}' "
                    f"declares nothing of that name there{_closest(str(key), keys)}",
                )

    def literal(self, pids, predicate: str, index: int, value) -> bool:
        """Whether some rule of these policies writes `value` out as argument `index` of a `predicate` head."""
        if not isinstance(value, str):
            return False
        for rule_file in self.rule_files_of(pids):
            for statement in rule_file.statements:
                for fn in heads_and_bodies(statement)[0]:
                    if fn.name == predicate and len(fn.arguments) > index and value in _constants(fn.arguments[index]):
                        return True
        return False

    def check_sources(self, pid, chain, atoms, own) -> None:
        meta = self.meta[pid]
        listed = meta["data"].get("sources") or {}
        listed = {str(k) for k in listed} if isinstance(listed, dict) else set()
        missing: dict[str, list] = {}
        for v, c, doc, *_ in atoms.get("section", 4):
            if v in own and str(doc) not in listed:
                missing.setdefault(str(doc), []).append(c)
        for doc, codes in sorted(missing.items()):
            where: Where | None = self.find([pid], "section", contains=(doc,))
            if where is None:  # cited by the base's rules: the derived policy must list it too
                where = (meta["path"], self.line(meta["node"], "sources"), 1)
            self.add(
                *where,
                ERROR,
                f"the rules cite source '{doc}' ({_names(codes)}) but {display(meta['path'])} "
                f"lists no source '{doc}': add it under sources with its file and title"
                f"{_closest(doc, sorted(listed))}",
            )

    def check_cases(self, pid, chain, atoms, own, cases) -> None:
        codes = sorted({c for v, c, *_ in atoms.get("category", 4) if v in own and isinstance(c, str)})
        untested: dict[tuple, list] = {}
        for code in codes:
            if (pid, code) in cases:
                continue
            where: Where = self.find([pid], "category", arity=4, contains=(code,)) or (
                self.meta[pid]["path"],
                self.line(self.meta[pid]["node"], "extends"),
                1,
            )
            untested.setdefault(where, []).append(code)
        ids: dict[str, set] = {}
        for v, c, r, _ in atoms.get("requirement", 4):
            if v in own:
                ids.setdefault(c, set()).add(r)
        for case in self.cases:
            for target, expected in case.expect.items() if not case.problems else ():
                policy, _, code = str(target).rpartition("/")
                if (policy or case.policy) != pid:
                    continue
                line = case.lines.get(f".expect.{target}") or case.line
                if code not in codes:
                    self.add(
                        case.file,
                        line,
                        1,
                        ERROR,
                        f"expect.{target}: policy '{pid}' has no category '{code}'{_closest(code, codes)}",
                    )
                    continue
                named = {*(expected.get("blockers") or []), *(expected.get("requirements") or {})}
                for rid in sorted(named - ids.get(code, set())):
                    self.add(
                        case.file,
                        line,
                        1,
                        ERROR,
                        f"expect.{target}: {code} has no requirement '{rid}'"
                        f"{_closest(rid, sorted(ids.get(code, set())))}",
                    )
        for where, missing in sorted(untested.items(), key=lambda kv: tuple(map(str, kv[0]))):
            several = len(missing) > 1
            self.add(
                *where,
                WARNING,
                f"{'categories' if several else 'category'} {_names(missing)} "
                f"{'have' if several else 'has'} no committee test case: add one to "
                f"{display(self.policy_dirs[pid] / 'tests')}/ that expects something of "
                f"{'each' if several else 'it'} (see docs/committee-guide.md)",
            )


class _Ground:
    """Ground atoms of a program, by signature, as decoded tuples of arguments."""

    def __init__(self, ctl: clingo.Control, program):
        from .terms import decode

        self._decode = decode
        self._atoms = ctl.symbolic_atoms
        self._cache: dict = {}

    def get(self, name: str, arity: int) -> list[tuple]:
        if (name, arity) not in self._cache:
            self._cache[(name, arity)] = sorted(
                (
                    tuple(self._decode(a) for a in atom.symbol.arguments)
                    for atom in self._atoms.by_signature(name, arity)
                ),
                key=repr,
            )
        return self._cache[(name, arity)]

    def base_keys(self, terms: dict) -> set:
        """(variant, category, key) of every declaration, with three or more arguments, of the
        base each variant inherits from (`terms`: variant -> the term the base is ground under)."""
        variants_of: dict = {}
        for v, b in terms.items():
            variants_of.setdefault(b, []).append(v)
        keys = set()
        for name, arity, positive in self._atoms.signatures:
            if arity < 3 or not positive:
                continue
            for args in self.get(name, arity):
                for v in variants_of.get(args[0], ()):
                    keys.add((v, args[1], args[2]))
        return keys


def _number_hint(file: str, line: int) -> str | None:
    """For a syntax error on a line that writes a number with a decimal point or a unit: why."""
    try:
        text = Path(file).read_text(encoding="utf-8").splitlines()[line - 1]
    except (OSError, IndexError, UnicodeDecodeError):
        return None
    return number_words(re.sub(r'"[^"]*"|%.*$', "", text))


def _paths_to(arguments, variable: str, prefix: tuple = ()) -> list[tuple]:
    paths = []
    for i, arg in enumerate(arguments):
        if arg.ast_type == ast.ASTType.Variable and arg.name == variable:
            paths.append(prefix + (i,))
        elif arg.ast_type == ast.ASTType.Function:
            paths.extend(_paths_to(arg.arguments, variable, prefix + (i,)))
    return paths


def _at(args: tuple, path: tuple):
    """The value at an argument path of decoded arguments (functions decode as (name, *args))."""
    value = args[path[0]]
    for i in path[1:]:
        if isinstance(value, RenewalOf) and i == 0:
            value = value.code
        elif not isinstance(value, tuple) or len(value) <= i + 1:
            return None
        else:
            value = value[i + 1]
    return value


def _names(codes, limit: int = 6) -> str:
    """Category codes in the order the policies list them, the first few of them."""
    from .order import category_rank

    codes = sorted({_code(c) for c in codes}, key=lambda c: (category_rank(c), c))
    return ", ".join(codes[:limit]) + (f" and {len(codes) - limit} more" if len(codes) > limit else "")


def _code(value) -> str:
    """A category code as written in the rules: "IFS", or renewal("IFS") for a decoded term."""
    if isinstance(value, RenewalOf):
        return str(value)
    if isinstance(value, tuple) and value and isinstance(value[0], str):
        return f"{value[0]}({', '.join(map(_code, value[1:]))})"
    return str(value)


def _term(value) -> str:
    return f'"{value}"' if isinstance(value, str) else _code(value)
