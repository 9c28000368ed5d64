"""What a decision was judged by: the rules (a fingerprint of the policy files, each policy's
version, the engine's version) and the applicant file's own hash (cli.md, "Spreadsheets and
decision records").

The fingerprint is a SHA-256 over the rule and metadata files (`.lp`, `.yaml`, `.yml`) of the
policies folder that the program was compiled from: the shared `common/` files and the folders
of the policies it judges and their bases, each file named by its path inside the folder;
committee test cases (`tests/`) and other policies' folders are left out. It does not depend on
where the folder is (a copy of the same rules has the same fingerprint), nor on the compiler:
that is what `engine` names.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__

if TYPE_CHECKING:
    from .policy import Program

RULE_SUFFIXES = (".lp", ".yaml", ".yml")


def engine_version() -> str:
    """The endorse-asp version (the package's metadata takes it from `__version__`, pyproject.toml)."""
    return __version__


def rules_fingerprint(root: Path, policy_dirs: set[Path], parsed: tuple[str, ...] = ()) -> str:
    """SHA-256 of the rule files under `root` outside tests/ and outside policy folders other
    than `policy_dirs` (each file's relative path, a NUL, its length, its bytes), and of every
    other file the program parsed (an exception's `file:` outside the folder)."""
    root = Path(root)
    digest = hashlib.sha256()
    hashed = set()
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.suffix not in RULE_SUFFIXES or "tests" in relative.parts or not path.is_file():
            continue
        folder = root / relative.parts[0]
        if len(relative.parts) > 1 and (folder / "policy.yaml").is_file() and folder not in policy_dirs:
            continue
        content = path.read_bytes()
        hashed.add(path.resolve())
        digest.update(relative.as_posix().encode() + b"\0" + str(len(content)).encode() + b"\0" + content)
    for name in sorted(parsed):
        path = Path(name)
        if path.resolve() in hashed or not path.is_file():
            continue
        content = path.read_bytes()
        where = os.path.relpath(path.resolve(), root.resolve())
        digest.update(where.encode() + b"\0" + str(len(content)).encode() + b"\0" + content)
    return digest.hexdigest()


def rules(program: Program) -> dict:
    """{"fingerprint", "policies": {id: version} of the policies judged, "engine"}; the
    fingerprint is taken when the program is compiled, and kept with it in the cache."""
    return {
        "fingerprint": program.rules_digest,
        "policies": {p: program.policies[p].version for p in program.requested},
        "engine": engine_version(),
    }
