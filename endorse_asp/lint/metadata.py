"""`policy check` of each policy.yaml: id, title and version present, no key given twice or
unknown, dates that are dates, `extends` naming a known policy (and no cycle), sources with a
file, exceptions whose files exist apart from the policy's rule files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from .. import policy_file
from .context import ERROR, WARNING, Context, closest, display

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


def read(ctx: Context) -> None:
    """Every policy folder's policy.yaml, into the context, each checked."""
    ids: dict[str, Path] = {}
    for directory in sorted(d for d in ctx.root.iterdir() if d.is_dir() and d.name != "common"):
        meta_file = directory / "policy.yaml"
        if not meta_file.is_file():
            if any(directory.glob("*.lp")):
                ctx.add(
                    sorted(directory.glob("*.lp"))[0],
                    1,
                    1,
                    ERROR,
                    f"folder {directory.name}/ has rule files but no policy.yaml, so no policy "
                    "uses them: add a policy.yaml (id, title, version, sources)",
                )
            continue
        data, node = _read_yaml(ctx, meta_file, directory)
        pid = str(data.get("id")) if data.get("id") is not None else directory.name
        if pid in ids:
            ctx.add(
                meta_file,
                policy_file.line(node, "id"),
                1,
                ERROR,
                f"id '{pid}' is also the id of {display(ids[pid] / 'policy.yaml')}: ids must be unique",
            )
            continue
        ids[pid] = directory
        ctx.meta[pid] = {"path": meta_file, "data": data, "node": node}
        ctx.policy_dirs[pid] = directory
        if node is None or not data.get("id"):
            ctx.broken.add(pid)
    for pid, meta in ctx.meta.items():
        if meta["node"] is not None:
            _check(ctx, pid, meta)


def _read_yaml(ctx: Context, meta_file: Path, directory: Path) -> tuple[dict, yaml.Node | None]:
    """policy.yaml as data (dates left as text, checked later) and as a node tree (for lines)."""
    try:
        node = policy_file.read(meta_file, pyyaml_errors=True)
        data = policy_file.data(node, dates_as_text=True)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        ctx.add(
            meta_file,
            mark.line + 1 if mark else 1,
            mark.column + 1 if mark else 1,
            ERROR,
            f"not valid YAML: {getattr(err, 'problem', None) or err}",
        )
        return {}, None
    if not isinstance(data, dict):
        ctx.add(meta_file, 1, 1, ERROR, "policy.yaml must be a mapping (id: ..., title: ..., version: ...)")
        return {}, None
    if data.get("id") is None or str(data.get("id")).strip() == "":
        ctx.add(meta_file, 1, 1, ERROR, f"no 'id': add one, e.g. 'id: {directory.name}'")
    return data, node


def _check(ctx: Context, pid: str, meta: dict) -> None:
    path, data, node = meta["path"], meta["data"], meta["node"]
    for key in REQUIRED_META[1:]:
        if data.get(key) is None or str(data.get(key)).strip() == "":
            ctx.add(
                path,
                1,
                1,
                ERROR,
                f"no '{key}': add '{key}: ...' (shown by `endorse policy list` and in every report)",
            )
    for key, first, again in policy_file.duplicates(node):
        ctx.broken.add(pid)
        ctx.add(
            path,
            again,
            1,
            ERROR,
            f"'{key}' is given twice (lines {first} and {again}); only the second counts: keep one",
        )
    for key in data:
        if key not in META_KEYS:
            ctx.add(
                path,
                policy_file.line(node, key),
                1,
                WARNING,
                f"unknown key '{key}'{closest(str(key), META_KEYS)}; it is ignored",
            )
    dates = {}
    for key in ("valid_from", "valid_to"):
        dates[key] = _date(ctx, path, node, data.get(key), (key,))
    if dates["valid_from"] and dates["valid_to"] and dates["valid_from"] > dates["valid_to"]:
        ctx.add(
            path,
            policy_file.line(node, "valid_to"),
            1,
            ERROR,
            f"valid_to {dates['valid_to']} is before valid_from {dates['valid_from']}",
        )
    extends = data.get("extends")
    if extends is not None:
        if str(extends) not in ctx.meta:
            ctx.broken.add(pid)
            ctx.add(
                path,
                policy_file.line(node, "extends"),
                1,
                ERROR,
                f"extends unknown policy '{extends}'{closest(str(extends), ctx.meta)}; "
                f"known: {', '.join(sorted(ctx.meta))}",
            )
        else:
            seen = [pid]
            current: str | None = str(extends)
            while current in ctx.meta and current not in seen:
                seen.append(current)
                current = ctx.meta[current]["data"].get("extends")
                current = str(current) if current is not None else None
            if current in seen:
                ctx.broken.add(pid)
                ctx.add(
                    path,
                    policy_file.line(node, "extends"),
                    1,
                    ERROR,
                    f"policy '{pid}' extends itself through {' -> '.join(seen + [current])}",
                )
    sources = data.get("sources")
    if sources is not None and not isinstance(sources, dict):
        ctx.add(
            path,
            policy_file.line(node, "sources"),
            1,
            ERROR,
            "sources must be a mapping of document keys, each with file and title",
        )
    for key, entry in (sources or {}).items() if isinstance(sources, dict) else ():
        if not isinstance(entry, dict) or not entry.get("file"):
            ctx.add(
                path,
                policy_file.line(node, "sources", key),
                1,
                ERROR,
                f"source '{key}' has no file: add 'file: <name of the source text>'",
            )
    exceptions = data.get("exceptions")
    if exceptions is not None and not isinstance(exceptions, list):
        ctx.broken.add(pid)
        ctx.add(
            path,
            policy_file.line(node, "exceptions"),
            1,
            ERROR,
            "exceptions must be a list of {id, file, valid_from, valid_to, source}",
        )
        return
    ids = set()
    for n, exc in enumerate(exceptions or []):
        line = policy_file.line(node, "exceptions", n)
        if not isinstance(exc, dict):
            ctx.broken.add(pid)
            ctx.add(path, line, 1, ERROR, "an exception is a mapping with id, file, valid_from, valid_to")
            continue
        if not exc.get("id"):
            ctx.add(path, line, 1, ERROR, "exception without 'id': name it (it names the variant judged)")
        elif str(exc["id"]) in ids:
            ctx.add(path, line, 1, ERROR, f"two exceptions are called '{exc['id']}'")
        ids.add(str(exc.get("id")))
        if not exc.get("file"):
            ctx.broken.add(pid)
            ctx.add(path, line, 1, ERROR, "exception without 'file': name the rule file it puts in force")
        elif not (path.parent / str(exc["file"])).is_file():
            ctx.broken.add(pid)
            ctx.add(
                path,
                policy_file.line(node, "exceptions", n, "file"),
                1,
                ERROR,
                f"exception file '{exc['file']}' does not exist in {display(path.parent)}/",
            )
        start = _date(ctx, path, node, exc.get("valid_from"), ("exceptions", n, "valid_from"))
        end = _date(ctx, path, node, exc.get("valid_to"), ("exceptions", n, "valid_to"))
        if start and end and start > end:
            ctx.add(
                path,
                policy_file.line(node, "exceptions", n, "valid_to"),
                1,
                ERROR,
                f"exception '{exc.get('id')}' ends ({end}) before it starts ({start})",
            )
        if start is None and end is None:
            ctx.add(
                path,
                line,
                1,
                WARNING,
                f"exception '{exc.get('id')}' has no dates, so it is always in "
                "force: give valid_from and/or valid_to, or fold it into the rules",
            )


def _date(ctx: Context, path, node, value, keys) -> dt.date | None:
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        ctx.broken.add(_pid_of(ctx, path))
        ctx.add(
            path, policy_file.line(node, *keys), 1, ERROR, f"{keys[-1]}: '{value}' is not a date; write it YYYY-MM-DD"
        )
        return None


def _pid_of(ctx: Context, meta_file: Path) -> str:
    return next(pid for pid, meta in ctx.meta.items() if meta["path"] == meta_file)


def exception_files(ctx: Context, pid: str) -> list[Path]:
    """The exception rule files of a policy that exist (missing ones are reported with the metadata)."""
    meta = ctx.meta[pid]
    files = []
    for n, exc in enumerate(meta["data"].get("exceptions") or []):
        if not isinstance(exc, dict) or not exc.get("file"):
            continue
        path = meta["path"].parent / str(exc["file"])
        if not path.is_file():
            continue
        if path.parent.resolve() == meta["path"].parent.resolve() and path.suffix == ".lp":
            ctx.add(
                meta["path"],
                policy_file.line(meta["node"], "exceptions", n, "file"),
                1,
                ERROR,
                f"exception file '{exc['file']}' sits beside the policy's rule files, so it is read "
                "as one of them and is always in force: move it into a subfolder (e.g. exceptions/)",
            )
            continue
        files.append(path)
    return files
