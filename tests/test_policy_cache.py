"""The compiled-program cache: reused while the rules are unchanged, never after they change."""

import shutil
from pathlib import Path

from endorse_asp import load, policy, provenance
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
    assert len(list((tmp_path / "cache").glob("*.json"))) == 1  # kept once it ground
    policy.load_program.cache_clear()
    again = policy.load_program(rules)
    assert not again.statements and again.text == first.text  # taken from the cache
    assert training(again) == "met"
    path = rules / "mi-aimh" / "parameters.yaml"  # training_hours: the one value for initial categories
    text = path.read_text()
    assert text.count("    initial(p, C):\n      2017-01-01: 30\n") == 1
    path.write_text(
        text.replace("    initial(p, C):\n      2017-01-01: 30\n", "    initial(p, C):\n      2017-01-01: 60\n")
    )
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
        (tmp_path / "cache" / f"stale{n}.json").write_bytes(b"")
    rules = tmp_path / "policies"
    for name in ("common", "mi-aimh"):
        shutil.copytree(ROOT / "policies" / name, rules / name, ignore=shutil.ignore_patterns("tests"))
    training(policy.load_program(rules))
    kept = list((tmp_path / "cache").glob("*.json"))
    assert len(kept) == policy.CACHE_KEEP
    assert (tmp_path / "cache" / f"{policy.fingerprint(rules, None)}.json") in kept


def _rules(tmp_path):
    rules = tmp_path / "policies"
    for name in ("common", "mi-aimh"):
        shutil.copytree(ROOT / "policies" / name, rules / name, ignore=shutil.ignore_patterns("tests"))
    return rules


def test_a_planted_pickle_never_runs_and_a_bad_cache_file_is_a_miss(tmp_path, monkeypatch):
    import pickle

    monkeypatch.setattr(policy, "CACHE", tmp_path / "cache")
    rules = _rules(tmp_path)
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (Path.touch, (marker,))

    (tmp_path / "cache").mkdir()
    name = policy.fingerprint(rules, None)
    for suffix in (".pickle", ".json"):
        (tmp_path / "cache" / f"{name}{suffix}").write_bytes(pickle.dumps(Evil()))
    assert training(policy.read_program(rules)) == "met"
    assert not marker.exists()
    for junk in (
        b"",
        b"[1, 2]",
        b'{"c": "os.system", "f": {}}',
        b"\xff\xfe",
        b'[{"d": []}, {"d": []}, 3, [], [], null]',
    ):
        (tmp_path / "cache" / f"{name}.json").write_bytes(junk)
        assert policy.Program.cached(tmp_path / "cache" / f"{name}.json") is None
        assert training(policy.read_program(rules)) == "met"  # and the run goes on, compiled anew


def test_no_cache_folder_or_an_unwritable_one_still_evaluates(tmp_path, monkeypatch):
    rules = _rules(tmp_path)
    monkeypatch.setattr(policy, "CACHE", None)
    assert training(policy.read_program(rules)) == "met"
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    monkeypatch.setattr(policy, "CACHE", locked / "endorse-asp")
    try:
        assert training(policy.read_program(rules)) == "met"
    finally:
        locked.chmod(0o700)
    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: (_ for _ in ()).throw(RuntimeError("no home"))))
    assert policy._cache_folder() is None


def test_a_cached_program_reads_back_equal(tmp_path, monkeypatch):
    monkeypatch.setattr(policy, "CACHE", tmp_path / "cache")
    rules = _rules(tmp_path)
    first = policy.read_program(rules)
    training(first)
    again = policy.read_program(rules)
    assert not again.statements
    assert again.policies == first.policies and again.variants == first.variants
    assert again.catalogue == first.catalogue


def test_the_rules_fingerprint_kept_in_the_cache_is_that_of_the_files(tmp_path, monkeypatch):
    """Issue 15 part 4: the fingerprint is taken at compile time and kept with the program;
    one served from the cache equals a fresh hash of the files, and a changed file changes it."""
    monkeypatch.setattr(policy, "CACHE", tmp_path / "cache")
    rules = tmp_path / "policies"
    for name in ("common", "mi-aimh"):
        shutil.copytree(ROOT / "policies" / name, rules / name, ignore=shutil.ignore_patterns("tests"))

    def fresh(program):
        dirs = {p.directory for p in program.policies.values()}
        return provenance.rules_fingerprint(rules, dirs, tuple(name for name, _ in program.parsed))

    first = policy.load_program(rules)
    training(first)  # grounds it: the program is kept in the cache
    policy.load_program.cache_clear()
    cached = policy.load_program(rules)
    assert not cached.statements  # taken from the cache
    assert provenance.rules(cached)["fingerprint"] == fresh(cached) == provenance.rules(first)["fingerprint"]
    (rules / "mi-aimh" / "notes.yml").write_text("a file the fingerprint covers\n")
    policy.load_program.cache_clear()
    changed = policy.load_program(rules)
    assert provenance.rules(changed)["fingerprint"] == fresh(changed) != provenance.rules(first)["fingerprint"]
