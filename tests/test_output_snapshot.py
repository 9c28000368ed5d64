"""The outputs of every example applicant and committee case are those of tests/snapshots/outputs.txt:
evaluate (with why entries did not count), need and renew, each as a digest of its canonical JSON
(tests/snapshot_outputs.py). A change of rules meant to change no output (fewer ground atoms,
issue 15) must leave it as it is; one meant to change outputs regenerates it with
`python -m tests.snapshot_outputs --write`, and the diff of that file shows what changed."""

from snapshot_outputs import SNAPSHOT, lines


def test_outputs_are_the_snapshot():
    expected = SNAPSHOT.read_text(encoding="utf-8").splitlines()
    found = lines()
    changed = sorted(set(found) ^ set(expected))
    assert found == expected, "outputs differ from tests/snapshots/outputs.txt:\n" + "\n".join(changed[:40])
