"""The stricter `policy check` (issue 14, part 3): two values for one threshold on one date,
words no applicant file can say, a decimal or a unit in a number; each an error in the file
that has it and in no sibling policy's. The rules are broken in a copy of the whole tree."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from endorse_asp import lint
from endorse_asp.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def tree(tmp_path) -> Path:
    root = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", root)
    shutil.copytree(ROOT / "facts", tmp_path / "facts")
    return root


def edit(path: Path, old: str, new: str) -> int:
    """Replace `old` (which must occur once) by `new`; the line where it was."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def only_error(tree: Path) -> lint.Problem:
    """The one problem the check finds in the whole tree (siblings and the engine have none)."""
    found = lint.check(tree)
    assert len(found) == 1, "\n".join(map(str, found))
    assert found[0].severity == "error"
    return found[0]


def test_the_shipped_tree_checks_without_a_single_warning():
    result = CliRunner().invoke(main, ["policy", "check", str(ROOT / "policies")])
    assert result.exit_code == 0
    assert result.stdout == ""


def test_two_values_for_one_threshold_on_one_date(tree):
    parameters = tree / "mi-aimh" / "parameters.yaml"
    line = (
        edit(parameters, "    IFS:\n      2017-01-01: 24\n", "    IFS:\n      2017-01-01: 24\n      2017-01-01: 30\n")
        + 2
    )
    problem = only_error(tree)
    assert (Path(problem.file).resolve(), problem.line) == (parameters.resolve(), line)
    assert problem.message == (
        f"threshold 'rsc_hours' has two values for IFS on 2017-01-01 (lines {line - 1} and {line}): keep one; "
        "a value that changes later gets its own date"
    )


def test_two_keys_giving_one_category_a_value_on_one_date(tree):
    # IFS has its own value (24); a value for every specialist_family category gives it a second one.
    parameters = tree / "mi-aimh" / "parameters.yaml"
    line = edit(
        parameters,
        "    ECFS:\n      2017-01-01: 24\n",
        "    ECFS:\n      2017-01-01: 24\n    specialist_family(p, C):\n      2017-01-01: 30\n",
    )
    problem = only_error(tree)
    # at one of the two values (IFS's own, the line before ECFS; or the group's, added below it)
    assert Path(problem.file).resolve() == parameters.resolve() and problem.line in (line - 1, line + 3)
    assert problem.message == (
        "threshold 'rsc_hours' has 2 values for IFS, ECFS on the same date (24 and 30), so the rules are judged "
        "against both at once: keep one"
    )


def test_a_threshold_set_in_rule_text_is_an_error(tree):
    rsc = tree / "vaimh" / "rsc.lp"
    rsc.write_text(rsc.read_text(encoding="utf-8") + 'threshold(p, "IFS", rsc_hours, 24).\n', encoding="utf-8")
    line = len(rsc.read_text(encoding="utf-8").splitlines())
    problem = only_error(tree)
    assert (Path(problem.file).resolve(), problem.line) == (rsc.resolve(), line)
    assert problem.message == (
        f"threshold 'rsc_hours' is set in rule text: give its value in {tree / 'vaimh' / 'parameters.yaml'} "
        "(description, unit, reference, values by date), so that it is written once and dated"
    )


def test_a_summary_naming_no_threshold_of_its_category_is_an_error(tree):
    rsc = tree / "mi-aimh" / "rsc.lp"
    line = edit(
        rsc,
        '"{rsc_hours} of reflective supervision/consultation from',
        '"{rsc_hour} of reflective supervision/consultation from',
    )
    problem = only_error(tree)
    assert (Path(problem.file).resolve(), problem.line) == (rsc.resolve(), line - 1)
    assert problem.message.startswith(
        'requirement "rsc.hours" (IFS, ECFS, IMHS, ECMHS, IMHM-C, ECMHM-C): its summary names {rsc_hour}, '
        "which is no threshold of the category (did you mean 'rsc_hours'?)"
    )


VOCABULARY = [
    (
        "mi-aimh/declarations.lp",
        'membership_required(p, C, "membership", any) :- initial(p, C).',
        'membership_required(p, C, "membership", "MI AIMH") :- initial(p, C).',
        "unknown association 'MI AIMH' in membership_required/4 (did you mean 'MI-AIMH'?): no applicant file "
        "can say it, so this never matches; the words that can: MI-AIMH, MassAIMH, VAIMH, ORIMHA, any",
    ),
    (
        "mi-aimh/references.lp",
        'endorsed_rater(p, C, "references.endorsed", ("IFS"; "IMHS"; "IMHM")) :- imhm(p, C).',
        'endorsed_rater(p, C, "references.endorsed", ("IFS"; "IMHS"; "IMHMC")) :- imhm(p, C).',
        "unknown endorsement code 'IMHMC' in endorsed_rater/4 (did you mean 'IMHM-C'?)",
    ),
    (
        "vaimh/training.lp",
        'training_part(p, "IFRS", "training.hours", 3, dei, dei_part_hours)',
        'training_part(p, "IFRS", "training.hours", 3, diversity, dei_part_hours)',
        "unknown training topic 'diversity' in training_part/6: no applicant file can say it, so this never "
        "matches; the words that can: relationship_based, rsc, dei",
    ),
    (
        "mi-aimh/work.lp",
        'work_service(p, C, "work.specialized", imh_treatment)',
        'work_service(p, C, "work.specialized", imh_treatmnt)',
        "unknown service 'imh_treatmnt' in work_service/4 (did you mean 'imh_treatment'?)",
    ),
    (
        "vaimh/parameters.yaml",
        "    IFRS:\n      2017-01-01: 12\n",
        "    IFRSS:\n      2017-01-01: 12\n",
        "unknown endorsement code 'IFRSS' in threshold/4 (did you mean 'IFRS'?)",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "message"), VOCABULARY, ids=[v[3].split("'")[1] for v in VOCABULARY])
def test_a_word_the_applicant_format_lacks(tree, file, old, new, message):
    path = tree / file
    line = edit(path, old, new)
    found = lint.check(tree)
    # Only the edited policy's folder hears of it (a consequence, such as a threshold now missing
    # for a category, is that policy's too).
    assert all(Path(p.file).resolve().is_relative_to(path.parent.resolve()) for p in found), "\n".join(map(str, found))
    (hit,) = [p for p in found if message in p.message]
    # in parameters.yaml, at the line of the value the key gives
    expected = line + 1 if path.suffix == ".yaml" else line
    assert (Path(hit.file).resolve(), hit.line, hit.severity) == (path.resolve(), expected, "error")


@pytest.mark.parametrize(
    ("written", "words"),
    [
        (
            "17.5",
            "threshold 'rsc_hours', IFRS, 2017-01-01: '17.5' is a decimal number: thresholds are whole numbers "
            "(hours, days, families), so write the whole number the source means",
        ),
        (
            "18 hours",
            "threshold 'rsc_hours', IFRS, 2017-01-01: '18 hours' has a unit after the number: write the number "
            "alone (18); the threshold's unit is its `unit:` line",
        ),
    ],
)
def test_a_decimal_or_a_unit_in_a_parameter_is_explained(tree, written, words):
    parameters = tree / "vaimh" / "parameters.yaml"
    line = edit(parameters, "    IFRS:\n      2017-01-01: 24\n", f"    IFRS:\n      2017-01-01: {written}\n") + 1
    problem = only_error(tree)
    assert (Path(problem.file).resolve(), problem.line, problem.message) == (parameters.resolve(), line, words)


def test_a_decimal_in_rule_text_is_explained_at_the_syntax_error(tree):
    rsc = tree / "vaimh" / "rsc.lp"
    rsc.write_text(rsc.read_text(encoding="utf-8") + 'families_minimum(p, "IFA", "x", "y", 17.5).\n', encoding="utf-8")
    problem = only_error(tree)
    assert Path(problem.file).resolve() == rsc.resolve() and "syntax error" in problem.message
    assert problem.message.endswith(
        "('17.5' is a decimal number: thresholds are whole numbers (hours, days, families), so write the whole "
        "number the source means)"
    )


def test_a_base_that_does_not_parse_is_reported_in_its_file_only(tree):
    # massaimh's replace/3 is read by the bridge rules of its base; with the base unreadable,
    # nothing may be blamed on massaimh, vaimh or orimha, nor on the engine.
    training = tree / "mi-aimh" / "training.lp"
    line = edit(
        training,
        'rsc_training_minimum(p, C, "training.rsc_didactic", rsc_didactic_hours) :- track(p, C, clinical).',
        'rsc_training_minimum(p, C, "training.rsc_didactic", rsc_didactic_hours :- track(p, C, clinical).',
    )
    problem = only_error(tree)
    assert Path(problem.file).resolve() == training.resolve() and problem.line == line
