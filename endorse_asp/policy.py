"""Policies: their metadata (policy.yaml) and rules (.lp), parsed once.

A policy directory holds `policy.yaml` and rule files whose statements sit
under `#program policy(p).`, `p` standing for the policy being judged. On
parsing, each policy's part is renamed so that it can be grounded on its own.

A policy that `extends` another states only its differences: the base's
rules are grounded under the base's own name (or, for a base with dated
exceptions or a base of its own, a stand-in `base(P)`), and generated bridge
rules copy every declaration of the base into `P` unless `P` says
`drop(p, Category)` or `replace(p, Category, Key)` (Key: the declaration's
third argument, a requirement id, threshold name or work test).

A dated exception (policy.yaml `exceptions`) is a rule file in force between
two dates. Each stretch of time with its own set of exceptions in force is a
variant of the policy, judged under its own name (`massaimh+capacity-building`);
an applicant is judged under the variant in force on their evaluation date.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import importlib.resources
import json
import os
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import clingo
import yaml
from clingo import ast

from . import parameters as params_mod
from . import policy_file
from . import terms as terms_mod
from .provenance import RULE_SUFFIXES, rules_fingerprint
from .terms import RenewalOf, decode


def _cache_folder() -> Path | None:
    """Where compiled programs are kept: $XDG_CACHE_HOME/endorse-asp, else ~/.cache/endorse-asp;
    None (no cache) when neither can be named (HOME unset)."""
    base = os.environ.get("XDG_CACHE_HOME")
    if base:
        return Path(base) / "endorse-asp"
    try:
        return Path.home() / ".cache" / "endorse-asp"
    except (RuntimeError, KeyError, OSError):
        return None


# Compiled programs and their catalogues, keyed by a hash of the rule files and of this compiler.
# Kept as JSON (plain data: nothing in a cache file can run code); any file that does not read
# back as a program is a miss. See docs/threat-model.md.
CACHE = _cache_folder()
CACHE_SUFFIX = ".json"
CACHE_KEEP = 8  # compiled programs kept (the most recently saved): policy trees in use at once
ENV = "ENDORSE_POLICIES"  # names a policies folder to use instead of the shipped one
PART = "policy"
NOT_BRIDGED = {"drop", "replace", "touched"}
NOT_TOUCHING = {"section", "heading", "cost", "advisory"}  # citations, prices, words change no verdict


class PolicyError(Exception):
    """A policy directory that cannot be used (missing metadata, bad rules)."""


@functools.lru_cache(maxsize=1)
def shipped_policies() -> Path | None:
    """The policies that come with the package: inside an installed wheel (package data
    `endorse_asp/data/policies`), else those of the source checkout the package runs from."""
    packaged = importlib.resources.files(__package__) / "data" / "policies"
    for folder in (packaged, Path(__file__).resolve().parent.parent / "policies"):
        if isinstance(folder, Path) and (folder / "common").is_dir():
            return folder.resolve()
    return None


# The policies folder shipped with the package (None if it holds none). Which folder a
# command uses is decided when it runs, by policies_root().
POLICY_ROOT = shipped_policies()
_chosen: Path | None = None  # set by use_policies (the CLI's --policies)


def is_policies_folder(path: Path) -> bool:
    return (path / "common").is_dir()


def use_policies(path: Path | str | None) -> None:
    """Use the policies folder `path` from now on in this process (None: back to the default)."""
    global _chosen
    if path is not None and not is_policies_folder(Path(path)):
        raise PolicyError(
            f"--policies {path}: not a policies folder (it should hold common/ and one folder "
            "per policy with its policy.yaml)"
        )
    _chosen = Path(path).resolve() if path is not None else None


def policies_root() -> Path:
    """The policies folder to use, read now: --policies (use_policies), else $ENDORSE_POLICIES,
    else the policies shipped with the package."""
    if _chosen is not None:
        return _chosen
    named = os.environ.get(ENV)
    if named:
        if not is_policies_folder(Path(named)):
            raise PolicyError(
                f"{ENV}={named}: not a policies folder (it should hold common/ and one folder "
                "per policy with its policy.yaml)"
            )
        return Path(named).resolve()
    shipped = shipped_policies()
    if shipped is None:
        raise PolicyError(
            f"no policies found: this installation ships none; give --policies DIR or set "
            f"{ENV}=DIR (a folder holding common/ and one folder per policy)"
        )
    return shipped


@dataclass(frozen=True)
class Exception_:
    id: str
    file: Path
    valid_from: dt.date | None
    valid_to: dt.date | None
    source: str = ""


@dataclass(frozen=True)
class Policy:
    id: str
    title: str
    version: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    extends: str | None
    sources: dict
    directory: Path
    index: int
    exceptions: tuple[Exception_, ...] = ()
    association: str = "MI-AIMH"  # the association an applicant under this policy would join
    state: str | None = None  # where it endorses (a two-letter code): a resident's own policy, shown first
    renews: dict = field(default_factory=dict)  # {association, categories}: what `renew` judges here
    categories: tuple[str, ...] = ()  # the order outputs list its categories in
    parameters: dict = field(default_factory=dict)  # its thresholds, from parameters.yaml (parameters.py)

    @property
    def cuts(self) -> list[dt.date]:
        """The dates on which one of its own threshold values changes."""
        return params_mod.cuts(self.parameters)

    def document(self, key: str) -> str:
        """The file name a rule's document key stands for."""
        return self.sources.get(key, {}).get("file", key)

    def source_title(self, key: str) -> str:
        """What outputs call the document: its title without the remarks in parentheses
        (`MI-AIMH Competency Guidelines, 2017 edition`), else its file."""
        title = str(self.sources.get(key, {}).get("title") or "")
        return title.split(" (", 1)[0] or self.document(key)

    def in_force(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    @property
    def part(self) -> str:
        return f"{PART}_{self.index}"


@dataclass(frozen=True)
class Variant:
    """A policy with a set of its exceptions, in force over the stretches [from, to] (None: open),
    judged with the threshold values in force from `values_from` (None: the first values)."""

    name: str
    policy: str
    exceptions: tuple[str, ...]
    stretches: tuple[tuple[dt.date | None, dt.date | None], ...] = ((None, None),)
    values_from: dt.date | None = None

    def in_force(self, day: dt.date) -> bool:
        return any((start is None or start <= day) and (end is None or day <= end) for start, end in self.stretches)

    @property
    def valid_from(self) -> dt.date | None:
        return self.stretches[0][0]

    @property
    def valid_to(self) -> dt.date | None:
        return self.stretches[-1][1]


# What a test accepts, for saying why an entry did not count: (list, predicate/4 of the rules).
LISTS = (
    ("provider", "rsc_provider"),
    ("provider", "rsc_provider_review"),
    ("rater", "endorsed_rater"),
    ("supervisor", "internship_supervisor"),
    ("services", "work_service"),
    ("route", "education_route"),  # needs.py: how long the degree a route names takes
)


@dataclass
class Catalogue:
    """Everything the rules declare about each variant, read from a ground program."""

    categories: dict = field(default_factory=dict)  # (variant, code) -> {title, band}
    requirements: dict = field(default_factory=dict)  # (variant, code) -> {req id: summary}
    sources: dict = field(default_factory=dict)  # (variant, code, req id) -> (doc, section, heading)
    thresholds: dict = field(default_factory=dict)  # (variant, code) -> {name: value}
    set_at: dict = field(default_factory=dict)  # (variant, code) -> {name: (file:line, since)}
    uses: dict = field(default_factory=dict)  # (variant, code, req id) -> [threshold names it rests on]
    scopes: dict = field(default_factory=dict)  # (variant, code, req id) -> [scope terms]
    pure: set = field(default_factory=set)  # (variant, code, req id) judged once, under the base
    lists: dict = field(default_factory=dict)  # (variant, code) -> {test: {"provider"|...: [accepted]}}
    advisories: dict = field(default_factory=dict)  # (variant, advisory id) -> (text, unit)


@dataclass
class Program:
    """The compiled engine and policies (one program text), ready to load into fresh Controls."""

    policies: dict[str, Policy]
    variants: dict[str, Variant]
    text: str = field(repr=False, default="")
    _parts: list = field(default_factory=list, repr=False)
    statements: list = field(repr=False, default_factory=list)  # when freshly compiled: errors keep file:line
    requested: tuple[str, ...] = ()  # the policies asked for; `policies` adds their bases
    _catalogue: Catalogue | None = field(default=None, repr=False)
    _cache: Path | None = field(default=None, repr=False)
    parsed: tuple[tuple[str, str], ...] = ()  # (path, sha256) of every rule file parsed, includes too
    rules_digest: str = ""  # provenance.rules_fingerprint of the files it was compiled from

    def load_into(self, ctl: clingo.Control) -> None:
        if self.statements:
            with ast.ProgramBuilder(ctl) as builder:
                for statement in self.statements:
                    builder.add(statement)
        else:
            ctl.add("base", [], self.text)

    def parts(self, variants: set[str] | None = None) -> list[tuple[str, list]]:
        """The program parts to ground: all, or the engine's and those of the given variants
        (a variant's parts name it first; a date outside an exception's stretch needs none of it)."""
        if variants is None:
            return self._parts
        needed, grown = set(variants), True
        while grown:  # and the bases their bridges copy from
            bases = {_owner(params[1]) for _, params in self._parts if len(params) == 2 and _owner(params[0]) in needed}
            grown = not bases <= needed
            needed |= bases
        return [(name, params) for name, params in self._parts if not params or _owner(params[0]) in needed]

    def variants_in_force(self, policy: str, day: dt.date) -> list[Variant]:
        if not self.policies[policy].in_force(day):
            return []
        return [v for v in self.variants.values() if v.policy == policy and v.in_force(day)]

    def base_of(self, variant: str) -> str | None:
        """The variant whose verdicts `variant` shares (a base ground once under its own name), if any."""
        base = self.policies[self.variants[variant].policy].extends
        shared = base and _shareable(self.policies[base])
        return base if shared and base in self.variants else None

    def variant_for(self, policy: str, day: dt.date | None = None) -> Variant:
        """The variant in force on `day` (default today), else the plain one."""
        found = self.variants_in_force(policy, day or dt.date.today())
        return found[0] if found else self.variants[policy]

    @property
    def catalogue(self) -> Catalogue:
        """What the rules declare; read from the first Control that grounds them."""
        if self._catalogue is None:
            ctl = clingo.Control(["--warn=none"])
            self.load_into(ctl)
            ctl.ground(self.parts())
            self.read_catalogue(ctl)
        assert self._catalogue is not None
        return self._catalogue

    def read_catalogue(self, ctl: clingo.Control) -> None:
        """Take the catalogue from a Control in which this program is ground (once)."""
        if self._catalogue is not None:
            return
        cat = Catalogue()
        atoms = ctl.symbolic_atoms
        for v, c, title, band in _atoms(atoms, "category", 4, self.variants):
            cat.categories[(v, c)] = {"title": title, "band": band}
        for v, c, r, doc, section, heading in _atoms(atoms, "source", 6, self.variants):
            cat.sources[(v, c, r)] = (doc, section, heading)
        for v, c, name, value in _atoms(atoms, "threshold", 4, self.variants):
            cat.thresholds.setdefault((v, c), {})[name] = value
        for v, c, r, summary in _atoms(atoms, "requirement", 4, self.variants):
            values = cat.thresholds.get((v, c), {})
            cat.requirements.setdefault((v, c), {})[r] = params_mod.filled(summary, values)
        for v, c, name, where, since in _atoms(atoms, "threshold_at", 5, self.variants):
            cat.set_at.setdefault((v, c), {})[name] = (where, since)
        _read_uses(atoms, cat, self.variants)
        for v, c, r, scope in _atoms(atoms, "scope", 4, self.variants):
            cat.scopes.setdefault((v, c, r), []).append(scope)
        cat.pure = set(_atoms(atoms, "pure", 3, self.variants))
        for what, name in LISTS:
            for v, c, k, value in _atoms(atoms, name, 4, self.variants):
                cat.lists.setdefault((v, c), {}).setdefault(k, {}).setdefault(what, []).append(value)
        for v, rid, text, unit in _atoms(atoms, "advisory", 4, self.variants):
            cat.advisories[(v, rid)] = (text, unit)
        self._catalogue = cat
        self._save()

    def _save(self) -> None:
        """Keep the compiled program and its catalogue for the next process (once they ground)."""
        if self._cache is None:
            return
        parts = [[name, [str(p) for p in params]] for name, params in self._parts]
        state = [
            self.policies,
            self.variants,
            self.text,
            parts,
            self.requested,
            self._catalogue,
            self.parsed,
            self.rules_digest,
        ]
        try:
            self._cache.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=self._cache.parent, delete=False, suffix=".tmp") as out:
                json.dump(_to_json(state), out)
            os.replace(out.name, self._cache)
            kept = sorted(self._cache.parent.glob(f"*{CACHE_SUFFIX}"), key=lambda f: f.stat().st_mtime)
            for old in kept[:-CACHE_KEEP]:
                old.unlink(missing_ok=True)
        except (OSError, TypeError, ValueError):
            pass  # a read-only or missing cache folder: compile again next time

    @classmethod
    def cached(cls, path: Path) -> Program | None:
        """The program kept at `path`, or None (a miss) for anything that does not read back as one."""
        try:
            if not path.is_file():
                return None
            state = json.loads(path.read_text(encoding="utf-8"), object_hook=_from_json)
            policies, variants, text, parts, requested, catalogue, parsed, digest = state
            if any(_sha(Path(name)) != digest for name, digest in parsed):
                return None  # a file parsed (an exception's file outside the folder) has changed
            if not (
                isinstance(text, str)
                and isinstance(digest, str)
                and isinstance(catalogue, Catalogue)
                and all(isinstance(p, Policy) for p in policies.values())
                and all(isinstance(v, Variant) for v in variants.values())
            ):
                return None
            program_parts = [(str(n), [clingo.parse_term(p) for p in ps]) for n, ps in parts]
            return cls(
                policies,
                variants,
                text,
                program_parts,
                requested=tuple(requested),
                parsed=tuple(parsed),
                rules_digest=digest,
                _catalogue=catalogue,
                _cache=path,
            )
        except Exception:  # noqa: BLE001 - a cache file is untrusted: whatever is wrong with it, recompile
            return None


# The classes a cache file may name (nothing else is ever built from one).
_CACHED_CLASSES = frozenset({"Policy", "Variant", "Catalogue", "Exception_", "Value", "RenewalOf"})


def _to_json(value):
    """Plain data as JSON, tagging what JSON lacks: tuples, sets, dates, paths, non-string keys, dataclasses."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, tuple):
        return {"t": [_to_json(v) for v in value]}
    if isinstance(value, list):
        return [_to_json(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return {"s": [_to_json(v) for v in sorted(value, key=_order)]}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, Path):
        return {"path": str(value)}
    if isinstance(value, dict):
        return {"d": [[_to_json(k), _to_json(v)] for k, v in value.items()]}
    name = type(value).__name__
    if name in _CACHED_CLASSES:
        return {"c": name, "f": {k: _to_json(getattr(value, k)) for k in value.__dataclass_fields__}}
    raise TypeError(f"cannot cache {name}")


def _from_json(value: dict):
    """One JSON object back as the value it stands for (json's object_hook: its members are
    already converted, so the C parser does the walking). A tag is the object's only key, or
    `c` and `f` for a class; any other object (a class's fields) stays as it is."""
    if len(value) == 1:
        ((tag, inner),) = value.items()
        if tag == "t":
            return tuple(inner)
        if tag == "s":
            return set(inner)
        if tag == "date":
            return dt.date.fromisoformat(inner)
        if tag == "path":
            return Path(inner)
        if tag == "d":
            return dict(inner)
    if value.keys() == {"c", "f"}:
        cls = {
            "Policy": Policy,
            "Variant": Variant,
            "Catalogue": Catalogue,
            "Exception_": Exception_,
            "Value": params_mod.Value,
            "RenewalOf": RenewalOf,
        }[value["c"]]
        return cls(**value["f"])
    return value


def _read_uses(atoms, cat: Catalogue, variants) -> None:
    """Which thresholds each requirement rests on: a declaration `d(V, C, R, ...)` of a requirement
    R whose further arguments name a threshold of V/C (whatever the kind of requirement)."""
    for name, arity, positive in atoms.signatures:
        if arity < 4 or not positive or name in ("threshold", "threshold_at"):
            continue
        for atom in atoms.by_signature(name, arity):
            v, c, r, *rest = decode(atom.symbol)[1:]
            names = cat.thresholds.get((v, c), {}) if v in variants else {}
            if not names or r not in cat.requirements.get((v, c), {}):
                continue
            for word in _flat(rest):
                if word in names and word not in cat.uses.setdefault((v, c, r), []):
                    cat.uses[(v, c, r)].append(word)


def _flat(values) -> list:
    """Every value inside decoded terms (a function decodes as a tuple of its name and arguments)."""
    found = []
    for value in values:
        found.extend(_flat(value) if isinstance(value, tuple) else [value])
    return found


def _owner(term: clingo.Symbol) -> str:
    """The variant a program part is ground for: the variant named, or for a stand-in base
    (base(V), a base with exceptions ground under each variant that extends it) that variant."""
    return term.string if term.type == clingo.SymbolType.String else term.arguments[0].string


def _atoms(atoms, name: str, arity: int, variants) -> list[tuple]:
    """Ground atoms name/arity of real variants (not stand-in bases), as sorted value tuples."""
    found = (decode(a.symbol)[1:] for a in atoms.by_signature(name, arity))
    return sorted((t for t in found if t[0] in variants), key=_order)


def _order(value):
    """A sort key for decoded terms of mixed kinds (a renewal category sorts as the term renewal(C))."""
    if isinstance(value, RenewalOf):
        value = ("renewal", value.code)
    if isinstance(value, tuple):
        return (2, tuple(map(_order, value)))
    return (0, value, "") if isinstance(value, int) else (1, 0, str(value))


def _date(value, where: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise PolicyError(f"{where}: '{value}' is not a date (YYYY-MM-DD)") from None


def read_policy(directory: Path, index: int) -> Policy:
    meta_file = directory / "policy.yaml"
    try:
        meta = policy_file.load(meta_file)
    except yaml.MarkedYAMLError as err:  # file:line:col, as `policy check` words it
        mark = err.problem_mark or err.context_mark
        where = f"{meta_file}:{mark.line + 1}:{mark.column + 1}" if mark else str(meta_file)
        raise PolicyError(f"{where}: not valid YAML: {err.problem or err.context}") from None
    except (OSError, yaml.YAMLError) as err:
        raise PolicyError(f"{meta_file}: {err}") from None
    except ValueError as err:  # PyYAML's own date reading: an impossible date such as 2017-13-01
        raise PolicyError(f"{meta_file}: a date that does not exist ({err}); write it YYYY-MM-DD") from None
    if not isinstance(meta, dict) or "id" not in meta:
        raise PolicyError(f"{meta_file}: expected a mapping with at least 'id'")
    exceptions = tuple(
        Exception_(
            id=str(e["id"]),
            file=directory / e["file"],
            source=str(e.get("source", "")),
            valid_from=_date(e.get("valid_from"), f"{meta_file}: exceptions"),
            valid_to=_date(e.get("valid_to"), f"{meta_file}: exceptions"),
        )
        for e in meta.get("exceptions") or []
    )
    for exc in exceptions:
        if not exc.file.is_file():
            raise PolicyError(f"{meta_file}: exception '{exc.id}': its file {exc.file} does not exist")
    return Policy(
        id=str(meta["id"]),
        title=str(meta.get("title", meta["id"])),
        version=str(meta.get("version", "")),
        valid_from=_date(meta.get("valid_from"), str(meta_file)),
        valid_to=_date(meta.get("valid_to"), str(meta_file)),
        extends=meta.get("extends"),
        sources=meta.get("sources") or {},
        directory=directory,
        index=index,
        exceptions=exceptions,
        association=str(meta.get("association", "MI-AIMH")),
        state=str(meta["state"]) if meta.get("state") else None,
        renews=dict(meta.get("renews") or {}),
        categories=tuple(str(c) for c in meta.get("categories") or ()),
    )


def with_parameters(policy: Policy) -> Policy:
    """The policy with its thresholds read from its parameters file (read only for the policies
    compiled, so that a mistake there stops no other policy)."""
    path = policy.directory / params_mod.FILE
    if not path.is_file():
        return policy
    thresholds, problems = params_mod.read(path)
    if problems:
        line, message = problems[0]
        raise PolicyError(f"{path}:{line}: {message}")
    return replace(policy, parameters=thresholds)


def _shareable(base: Policy) -> bool:
    """A base judged once under its own name, shared by every policy extending it: one with no
    dated exceptions, no base of its own and threshold values that never change."""
    return not base.exceptions and not base.extends and not base.cuts


def values_part(policy: Policy, day: dt.date | None) -> str | None:
    """The program part of a policy's threshold values in force from `day` (None: the first);
    None for a policy with no parameters file."""
    if not policy.parameters:
        return None
    return f"{policy.part}_values_{sum(1 for d in policy.cuts if day is not None and d <= day)}"


def parameter_statements(thresholds: dict, where: Path, part: str, derived: bool = False) -> list:
    """A policy's thresholds (read from `where`) as rules, one program part per stretch of its
    values (values_part), each rule located at the line of the file that gives its value; in a
    derived policy, each also replaces the base's value (parameters.rule)."""
    statements: list = []
    changes = params_mod.cuts(thresholds)
    for day in [None, *changes]:
        text = [f"#program {part}_values_{sum(1 for d in changes if day is not None and d <= day)}(p)."]
        lines = [1]
        for name, value in params_mod.in_force(thresholds, day):
            text.append(params_mod.rule(name, value, f"{where.parent.name}/{where.name}", derived))
            lines.append(value.line)
        found: list = []
        try:
            ast.parse_string("\n".join(text), found.append)
        except RuntimeError as err:
            raise PolicyError(f"{where}: a key under values is not a condition the rules can read: {err}") from None
        for statement in found:
            # a statement's line in the generated text (1-based) is its index in `lines`
            line = lines[min(statement.location.begin.line - 1, len(lines) - 1)]
            statements.append(_relocate(statement, str(where), line))
    return statements


def _relocate(node, filename: str, line: int):
    """The AST node with every location set to `filename:line`, as if written there."""
    position = ast.Position(filename, line, 1)
    location = ast.Location(position, position)
    changes = {}
    for key in node.child_keys:
        child = getattr(node, key)
        if isinstance(child, ast.AST):
            changes[key] = _relocate(child, filename, line)
        elif isinstance(child, (list, ast.ASTSequence)):
            changes[key] = [_relocate(c, filename, line) if isinstance(c, ast.AST) else c for c in child]
    if "location" in node.keys():
        changes["location"] = location
    return node.update(**changes)


def variants_of(policy: Policy, chain: list[Policy] | None = None) -> list[Variant]:
    """One variant per distinct set of exceptions in force and of threshold values (its own and
    its bases', `chain`), with every stretch of time it covers."""
    changes = sorted({d for p in chain or [policy] for d in p.cuts})
    cuts = sorted(
        {
            d
            for e in policy.exceptions
            for d in (e.valid_from, e.valid_to and e.valid_to + dt.timedelta(1))
            if d is not None
        }
        | set(changes)
    )
    bounds = [None, *cuts, None]
    stretches: dict[tuple, list] = {}
    for start, stop in zip(bounds, bounds[1:]):
        probe = start or (stop - dt.timedelta(1) if stop else dt.date.today())
        active = tuple(
            sorted(
                e.id
                for e in policy.exceptions
                if (e.valid_from is None or e.valid_from <= probe) and (e.valid_to is None or probe <= e.valid_to)
            )
        )
        values_from = max((d for d in changes if d <= probe), default=None)
        stretches.setdefault((active, values_from), []).append((start, stop - dt.timedelta(1) if stop else None))
    return [
        Variant(
            "+".join((policy.id, *active)) + (f"@{values_from}" if values_from else ""),
            policy.id,
            active,
            tuple(ranges),
            values_from,
        )
        for (active, values_from), ranges in stretches.items()
    ]


def _sha(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _parse(files: list[Path], rename: str | None, into: list, parsed: set | None = None) -> None:
    given = {str(f) for f in files}
    if parsed is not None:
        parsed |= given

    def add(statement):
        name = statement.location.begin.filename
        if name not in given and name != "<string>":
            raise PolicyError(f"{name}: pulled in by #include, which rule files may not use")
        if statement.ast_type == ast.ASTType.Script:
            begin = statement.location.begin
            raise PolicyError(f"{name}:{begin.line}:{begin.column}: a #script: rule files hold rules, never code")
        if parsed is not None:
            parsed.add(name)
        if rename and statement.ast_type == ast.ASTType.Program and statement.name == PART:
            statement = statement.update(name=rename)
        into.append(statement)

    try:
        ast.parse_files([str(f) for f in files], add)
    except RuntimeError as err:
        raise PolicyError(f"syntax error in {', '.join(map(str, files))}: {err}") from None


def declared_signatures(statements: list) -> set[tuple[str, int]]:
    """Head predicates of a policy's rules whose first argument is the policy `p`."""
    found = set()
    for s in statements:
        if s.ast_type != ast.ASTType.Rule or s.head.ast_type != ast.ASTType.Literal:
            continue
        atom = s.head.atom
        if atom.ast_type != ast.ASTType.SymbolicAtom:
            continue
        term = atom.symbol
        if term.ast_type == ast.ASTType.Function and term.arguments and str(term.arguments[0]) == "p":
            found.add((term.name, len(term.arguments)))
    return found - {(n, a) for n, a in found if n in NOT_BRIDGED}


def with_touched(statements: list) -> list:
    """The statements of a derived policy, each declaration rule followed (in
    its own program part) by the same rule deriving touched(p, Category, Key):
    what the policy itself says about Category (the declaration's second and
    third argument, or `category` for a two-argument one). Requirements it
    leaves untouched are judged once, under the base."""
    out = []
    for s in statements:
        out.append(s)
        if s.ast_type != ast.ASTType.Rule or s.head.ast_type != ast.ASTType.Literal:
            continue
        atom = s.head.atom
        if atom.ast_type != ast.ASTType.SymbolicAtom or atom.symbol.ast_type != ast.ASTType.Function:
            continue
        term = atom.symbol
        args = term.arguments
        if len(args) < 2 or str(args[0]) != "p" or term.name in NOT_TOUCHING | NOT_BRIDGED - {"replace"}:
            continue
        key = args[2] if len(args) >= 3 else ast.SymbolicTerm(term.location, clingo.Function("category"))
        head = ast.Literal(
            s.head.location,
            ast.Sign.NoSign,
            ast.SymbolicAtom(ast.Function(term.location, "touched", [args[0], args[1], key], False)),
        )
        out.append(s.update(head=head))
    return out


def bridge_text(part: str, signatures: set[tuple[str, int]]) -> str:
    """Rules copying a base's declarations into the policy that extends it, but for drop/replace."""
    lines = [f"#program {part}_shared(v, b).", "inherits(v, b).", f"#program {part}(v, b)."]
    for name, arity in sorted(signatures):
        if arity == 1:  # a policy-wide declaration: no category to drop or replace
            lines.append(f"{name}(v) :- {name}(b).")
            continue
        xs = [f"X{i}" for i in range(2, arity + 1)]
        guards = ["not drop(v, X2)"] + (["not replace(v, X2, X3)"] if arity >= 3 else [])
        lines.append(f"{name}(v, {', '.join(xs)}) :- {name}(b, {', '.join(xs)}), {', '.join(guards)}.")
    return "\n".join(lines)


def policy_dirs(root: Path | None = None) -> list[Path]:
    """The policy folders under `root`: each holds a policy.yaml. A folder with rule files and no
    policy.yaml is an error (it would otherwise be left out without a word)."""
    root = root or policies_root()
    found = []
    for d in sorted(p for p in root.iterdir() if p.is_dir() and p.name != "common" and not p.name.startswith(".")):
        if (d / "policy.yaml").is_file():
            found.append(d)
        elif any(d.glob("*.lp")):
            raise PolicyError(f"{d}: rule files but no policy.yaml: add one (docs/policy-yaml.md) or move them out")
    return found


def fingerprint(root: Path, only: tuple[str, ...] | None) -> str:
    """What a compiled program depends on: where the policies are (the program keeps their paths),
    the rule files, policy metadata, this compiler and how it reads terms."""
    digest = hashlib.sha256(
        Path(__file__).read_bytes()
        + Path(terms_mod.__file__).read_bytes()
        + repr(only).encode()
        + clingo.__version__.encode()
        + str(root.resolve()).encode()
    )
    for path in sorted(root.rglob("*")):
        if path.suffix in RULE_SUFFIXES and "tests" not in path.relative_to(root).parts and path.is_file():
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:32]


def load_program(root: Path | None = None, only: tuple[str, ...] | None = None) -> Program:
    """The engine and the policies under `root` (default: policies_root(); all, or those named in
    `only` and their bases), compiled, or taken from the cache when nothing they depend on has changed."""
    return _load_program(Path(root) if root is not None else policies_root(), only)


def read_program(root: Path, only: tuple[str, ...] | None = None) -> Program:
    """As load_program, read afresh (from the disk cache or compiled), not kept in memory."""
    root = Path(root)
    cache = CACHE / f"{fingerprint(root, only)}{CACHE_SUFFIX}" if CACHE is not None else None
    program = Program.cached(cache) if cache is not None else None
    if program is None:
        program = compile_program(root, only)
        program.rules_digest = rules_fingerprint(
            root, {p.directory for p in program.policies.values()}, tuple(name for name, _ in program.parsed)
        )
        program._cache = cache  # saved once its catalogue is read, i.e. once it grounds
    return program


_load_program = functools.lru_cache(maxsize=8)(read_program)
load_program.cache_clear = _load_program.cache_clear  # type: ignore[attr-defined]


def compile_program(root: Path, only: tuple[str, ...] | None) -> Program:
    """Parse the engine and the policies, rename policy parts, add bridges and touched rules."""
    every = {p.id: p for p in (read_policy(d, i) for i, d in enumerate(policy_dirs(root)))}
    if only is not None and (missing := set(only) - set(every)):
        raise PolicyError(f"unknown policy {', '.join(sorted(missing))}; known: {', '.join(sorted(every))}")
    judged = [every[i] for i in (only or sorted(every, key=lambda i: every[i].index))]
    for policy in every.values():
        if policy.extends and policy.extends not in every:
            raise PolicyError(f"{policy.directory / 'policy.yaml'}: extends unknown policy '{policy.extends}'")

    def chain(policy: Policy) -> list[Policy]:
        line = [policy]
        while line[-1].extends:
            line.append(every[line[-1].extends])
            if len(line) > len(every):
                raise PolicyError(f"policy '{policy.id}' extends itself through {line[-1].id}")
        return line

    needed = {p.id: with_parameters(p) for policy in judged for p in chain(policy)}
    every.update(needed)
    judged = [needed[p.id] for p in judged]
    statements: list = []
    parsed: set[str] = set()
    _parse(sorted((root / "common").glob("*.lp")), None, statements, parsed)
    signatures: dict[str, set] = {}
    for policy in needed.values():
        own: list = []
        _parse(sorted(policy.directory.glob("*.lp")), policy.part, own, parsed)
        for n, exc in enumerate(policy.exceptions):
            _parse([exc.file], f"{policy.part}_exception_{n}", own, parsed)
        own.extend(
            parameter_statements(
                policy.parameters, policy.directory / params_mod.FILE, policy.part, derived=bool(policy.extends)
            )
        )
        signatures[policy.id] = declared_signatures(own)
        statements.extend(with_touched(own) if policy.extends else own)
    for policy in needed.values():
        if any(p.extends == policy.id for p in needed.values()):
            ast.parse_string(bridge_text(f"bridge_{policy.index}", signatures[policy.id]), statements.append)

    parts: list = [("base", [])]
    grounded: set = set()

    def ground(part: str | None, params: list) -> None:
        if part is not None and (part, tuple(params)) not in grounded:
            grounded.add((part, tuple(params)))
            parts.append((part, params))

    variants: dict[str, Variant] = {}
    for policy in needed.values():  # a shared base is judged too (hidden when not asked for)
        if policy.id not in {p.id for p in judged} and _shareable(policy):
            variants[policy.id] = Variant(policy.id, policy.id, ())
            ground(policy.part, [clingo.String(policy.id)])
            ground(values_part(policy, None), [clingo.String(policy.id)])
    for policy in judged:
        for variant in variants_of(policy, chain(policy)):
            variants[variant.name] = variant
            term = clingo.String(variant.name)
            ground(policy.part, [term])
            ground(values_part(policy, variant.values_from), [term])
            for n, e in enumerate(policy.exceptions):
                if e.id in variant.exceptions:
                    ground(f"{policy.part}_exception_{n}", [term])
            for base in chain(policy)[1:]:
                # A base without dated exceptions is ground once, under its own name, and
                # shared by every policy extending it; otherwise under a stand-in name.
                shared = _shareable(base)
                stand_in = clingo.String(base.id) if shared else clingo.Function("base", [term])
                ground(base.part, [stand_in])
                ground(values_part(base, variant.values_from), [stand_in])
                ground(f"bridge_{base.index}", [term, stand_in])
                if shared:  # verdicts of unchanged requirements are the base's own
                    ground(f"bridge_{base.index}_shared", [term, stand_in])
                term = stand_in
    return Program(
        needed,
        variants,
        "\n".join(map(str, statements)),
        parts,
        statements,
        requested=tuple(p.id for p in judged),
        parsed=tuple((name, _sha(Path(name))) for name in sorted(parsed)),
    )
