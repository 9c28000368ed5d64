"""The compiled-program cache: reused while the rules are unchanged, never after they change;
never a way to run code, and never needed."""

import pickle
import shutil
from pathlib import Path

import pytest

from endorse_asp import load, policy
from endorse_asp.evaluate import evaluate

ROOT = Path(__file__).resolve().parent.parent
JORDAN = ROOT / "facts" / "jordan-lee.yaml"


def training(program):
    (e,) = evaluate([load.load_file(JORDAN)], program=program, categories=["IFS"])
    return next(q.status for q in e.results[0].requirements if q.id == "training.hours")


def test_a_rule_change_is_never_served_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(policy, "CACHE", tmp_path / "cache")
    rules = tmp_path / "policies"
    for name in ("common", "mi-aimh"):
        shutil.copytree(ROOT / "policies" / name, rules / name, ignore=shutil.ignore_patterns("tests"))
    first = policy.load_program(rules)
    assert training(first) == "met"
    assert len(list((tmp_path / "cache").glob("*.pickle"))) == 1  # kept once it ground
    policy.load_program.cache_clear()
    again = policy.load_program(rules)
    assert not again.statements and again.text == first.text  # taken from the cache
    assert training(again) == "met"
    path = rules / "mi-aimh" / "training.lp"
    path.write_text(path.read_text().replace("training_hours, 30)", "training_hours, 60)"))
    policy.load_program.cache_clear()
    changed = policy.load_program(rules)
    assert changed.statements  # compiled anew
    assert training(changed) == "unmet"


def test_the_same_rules_in_another_folder_are_compiled_for_that_folder(tmp_path, monkeypatch):
    # The program keeps its policy folders (the catalogue reads their notes): a copy of a tree
    # whose first folder is gone must not be served the first folder's program.
    monkeypatch.setattr(policy, "CACHE", tmp_path / "cache")
    first, second = tmp_path / "a", tmp_path / "b"
    for name in ("common", "mi-aimh"):
        shutil.copytree(ROOT / "policies" / name, first / name, ignore=shutil.ignore_patterns("tests"))
    training(policy.load_program(first))
    shutil.move(first, second)
    policy.load_program.cache_clear()
    moved = policy.load_program(second)
    assert moved.statements  # compiled anew
    assert all(second in p.directory.parents for p in moved.policies.values())


def test_the_cache_keeps_only_the_most_recent_programs(tmp_path, monkeypatch):
    monkeypatch.setattr(policy, "CACHE", tmp_path / "cache")
    (tmp_path / "cache").mkdir()
    for n in range(policy.CACHE_KEEP + 3):
        (tmp_path / "cache" / f"stale{n}.pickle").write_bytes(b"")
    rules = tmp_path / "policies"
    for name in ("common", "mi-aimh"):
        shutil.copytree(ROOT / "policies" / name, rules / name, ignore=shutil.ignore_patterns("tests"))
    training(policy.load_program(rules))
    kept = list((tmp_path / "cache").glob("*.pickle"))
    assert len(kept) == policy.CACHE_KEEP
    assert (tmp_path / "cache" / f"{policy.fingerprint(rules, None)}.pickle") in kept


class _Planted:
    """What an attacker would plant: unpickling it calls a function of their choice."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (self.marker, "ran"))


def copy_rules(tmp_path: Path) -> Path:
    rules = tmp_path / "policies"
    for name in ("common", "mi-aimh"):
        shutil.copytree(ROOT / "policies" / name, rules / name, ignore=shutil.ignore_patterns("tests"))
    return rules


@pytest.mark.parametrize(
    "content",
    [
        "planted",  # would run code when unpickled
        pickle.dumps(("a", "b", "c", "d", "e", "f")),  # unpickles, to nonsense
        pickle.dumps([1, 2, 3]),
        b"not a pickle at all",
        b"",
    ],
)
def test_a_cache_file_that_is_not_a_compiled_program_is_a_miss_and_runs_nothing(tmp_path, monkeypatch, content):
    monkeypatch.setattr(policy, "CACHE", tmp_path / "cache")
    rules = copy_rules(tmp_path)
    marker = tmp_path / "marker"
    (tmp_path / "cache").mkdir(mode=0o700)
    planted = tmp_path / "cache" / f"{policy.fingerprint(rules, None)}.pickle"
    planted.write_bytes(pickle.dumps(_Planted(marker)) if content == "planted" else content)
    program = policy.load_program(rules)
    assert program.statements  # compiled anew, the file ignored
    assert training(program) == "met"
    assert not marker.exists()
    policy.load_program.cache_clear()
    assert not policy.load_program(rules).statements  # and the good program replaced it


def test_a_cache_file_others_can_write_is_not_trusted(tmp_path, monkeypatch):
    monkeypatch.setattr(policy, "CACHE", tmp_path / "cache")
    rules = copy_rules(tmp_path)
    training(policy.load_program(rules))
    (kept,) = (tmp_path / "cache").glob("*.pickle")
    kept.chmod(0o666)
    policy.load_program.cache_clear()
    assert policy.load_program(rules).statements  # compiled anew


def test_without_a_home_or_a_writable_cache_the_rules_still_load(tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_CACHE_HOME")

    def no_home():
        raise RuntimeError("Could not determine home directory")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert policy._cache_folder() is None
    monkeypatch.setattr(policy, "CACHE", None)
    rules = copy_rules(tmp_path)
    assert training(policy.load_program(rules)) == "met"
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("")
    monkeypatch.setattr(policy, "CACHE", not_a_folder / "endorse-asp")  # cannot be made, even by root
    policy.load_program.cache_clear()
    assert training(policy.load_program(rules)) == "met"
