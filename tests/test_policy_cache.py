"""The compiled-program cache: reused while the rules are unchanged, never after they change."""

import shutil
from pathlib import Path

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
