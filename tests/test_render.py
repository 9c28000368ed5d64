"""The text views: side by side across policies, the comparison, the renewal, within 80 columns."""

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from endorse_asp import load, render
from endorse_asp.cli import main
from endorse_asp.evaluate import evaluate

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "facts"
CARMEN = str(FACTS / "carmen-alvarez.yaml")
JORDAN = str(FACTS / "jordan-lee.yaml")
SHARED = ["mi-aimh", "massaimh", "orimha", "vaimh"]


def endorse(*args):
    return CliRunner().invoke(main, list(args))


def table(output: str, header_word: str) -> tuple[list[str], dict[str, list[str]]]:
    """The table whose header line names `header_word`: its column names and rows (code -> cells)."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:1] and header_word in line.split())
    columns = lines[start].split()
    starts = [lines[start].index(c) for c in columns]
    rows = {}
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        cells = [line[a:b].strip() for a, b in zip(starts, starts[1:] + [None])]
        rows[line.split()[0]] = cells
    return columns, rows


def test_the_same_category_of_each_policy_sits_in_one_row():
    result = endorse("evaluate", CARMEN)
    assert result.exit_code == 0
    out = result.output
    assert all(len(line) <= 80 for line in out.splitlines())
    columns, rows = table(out, "mi-aimh")
    assert columns == SHARED
    assert rows["IFS"] == ["not eligible", "not eligible", "-", "eligible"]
    assert rows["IMHS"][2] != "-" and rows["IFRS"] == ["-", "-", "-", "eligible"]
    assert rows["ECFA"][3] == "-"  # Virginia has no early childhood categories
    level_columns, level_rows = table(out, "mi-aimh-levels")  # no code in common: a table of its own
    assert level_columns == ["mi-aimh-levels"] and set(level_rows) == {
        "LEVEL-I",
        "LEVEL-II",
        "LEVEL-III",
        "LEVEL-IV-C",
        "LEVEL-IV-P",
        "LEVEL-IV-RF",
    }


def test_what_blocks_each_category_follows_grouped_by_policy():
    out = endorse("evaluate", CARMEN).output
    blocks = out[out.index("What stands in the way") :]
    # IFS: the two MI-AIMH-based policies share their reason, Virginia is not listed (eligible)
    assert re.search(r"^IFS +mi-aimh: blocks: rsc\.hours$", blocks, re.M)
    assert re.search(r"^ +massaimh: blocks: membership, rsc\.hours$", blocks, re.M)
    # unknown is told apart from unmet: the exam is not stated, the rest is not met
    assert re.search(r"^LEVEL-IV-P +mi-aimh-levels: blocks: education, work\.policy; not stated: exam$", blocks, re.M)
    assert not re.search(r"vaimh: .*\n", blocks.split("IFS", 1)[1].split("\n")[0])


def test_one_policy_gives_each_category_its_blockers_wrapped_never_cut():
    text = endorse("evaluate", JORDAN, "--policy", "vaimh").output
    out = text.splitlines()
    assert out[out.index("  vaimh") - 1].endswith("jordan-lee.yaml")  # the header wraps before the policy
    assert any(re.match(r"    IMHS +not eligible blocks: membership$", line) for line in out)
    assert "…" not in text and all(len(line) <= 80 for line in out)
    assert re.search(r"rsc\.hours_providing,\s+training\.hours", text)  # the end of a long blocker list is kept
    verbose = endorse("evaluate", JORDAN, "--policy", "vaimh", "--category", "IFA", "-v").output
    assert "      met      residency" in verbose and "advice   Successful applications" not in verbose


def test_verbose_adds_every_requirement_under_the_tables():
    out = endorse("evaluate", CARMEN, "--policy", "mi-aimh", "--policy", "vaimh", "-v").output
    assert "  vaimh" in out and "      met      training.hours: 48 of 48 hours for infants" in out
    assert all(len(line) <= 80 for line in out.splitlines())


def test_a_date_outside_a_policys_validity_is_named_not_judged():
    result = endorse("evaluate", JORDAN, "--as-of", "2016-06-01")
    assert result.exit_code == 0
    assert "not in force on 2016-06-01, so not judged: massaimh, mi-aimh, orimha, vaimh" in result.output
    columns, _ = table(result.output, "mi-aimh-levels")
    assert columns == ["mi-aimh-levels"]
    data = json.loads(endorse("evaluate", JORDAN, "--as-of", "2016-06-01", "--format", "json").output)
    assert {r["policy"] for r in data["results"]} == {"mi-aimh-levels"}
    assert sorted(data["not_in_force"]) == ["massaimh", "mi-aimh", "orimha", "vaimh"]


def test_compare_answers_would_this_be_enough_in_virginia():
    result = endorse("evaluate", CARMEN, "--compare", "--policy", "mi-aimh", "--policy", "vaimh")
    assert result.exit_code == 0
    out = result.output
    assert all(len(line) <= 80 for line in out.splitlines())
    assert "Where mi-aimh, vaimh differ" in out
    ifs = out[out.index("IFS: mi-aimh not eligible | vaimh eligible") :]
    ifs = ifs[: ifs.index("\n\n")]
    assert "  rsc.hours" in ifs
    words = " ".join(ifs.split())  # sources by their titles, wrapped
    assert "from an IFRS or IMHM-C" in words and "Virginia, Infant Mental Health Endorsement requirements" in words
    assert "MI-AIMH Competency Guidelines, 2017 edition, IFS endorsement requirements" in words
    assert "residency" not in ifs  # met where it is asked: no difference that matters
    assert "only vaimh has: IFRS" in out


def test_compare_lists_only_requirements_whose_status_differs():
    (e,) = evaluate([load.load_file(JORDAN)])
    diff = render.differences(e)
    imhs = next(c for c in diff["categories"] if c["category"] == "IMHS")
    assert imhs["verdicts"] == {
        "mi-aimh": "eligible",
        "massaimh": "not_eligible",
        "orimha": "eligible",
        "vaimh": "not_eligible",
    }
    assert [row["id"] for row in imhs["requirements"]] == ["membership"]
    sides = imhs["requirements"][0]["sides"]
    assert sides["massaimh"]["status"] == "unmet" and sides["orimha"]["status"] == "met"
    assert sides["vaimh"]["source"]["document"] == "004_702cdf564c10a0d2.txt"
    # categories where nothing differs are left out; codes of one policy only are listed apart
    assert "LEVEL-I" in diff["only_in"]["mi-aimh-levels"] and "IFRS" in diff["only_in"]["vaimh"]


def test_compare_json_and_its_usage_error():
    out = json.loads(
        endorse("evaluate", JORDAN, "--compare", "--format", "json", "--policy", "mi-aimh", "--policy", "orimha").output
    )
    assert out["applicant"] == "jordan-lee" and out["policies"] == ["mi-aimh", "orimha"]
    assert out["categories"] == []  # IMHS is eligible under both, for the same reasons
    lone = endorse("evaluate", JORDAN, "--compare", "--policy", "mi-aimh")
    assert lone.exit_code == 2 and "at least two policies" in lone.output


def test_policy_list_shows_what_each_policy_is():
    out = json.loads(endorse("policy", "list", "--format", "json").output)
    by_id = {p["id"]: p for p in out}
    assert set(by_id) == {"mi-aimh", "massaimh", "mi-aimh-levels", "orimha", "vaimh"}
    assert by_id["vaimh"]["categories"] == ["IFA", "IFS", "IFRS", "IMHS", "IMHM-C", "IMHM-P", "IMHM-RF"]
    assert by_id["vaimh"]["extends"] == "mi-aimh" and by_id["vaimh"]["valid_from"] == "2017-01-01"
    assert "004_702cdf564c10a0d2.txt" in by_id["vaimh"]["sources"]
    assert by_id["orimha"]["categories"] == ["IMHS"] and by_id["orimha"]["renewals"] == ["IMHS"]
    assert by_id["massaimh"]["exceptions"] == [
        {
            "id": "capacity-building",
            "valid_from": None,
            "valid_to": "2023-12-31",
            "source": '002, "State exceptions: MassAIMH"',
        }
    ]
    assert by_id["mi-aimh-levels"]["valid_from"] is None and by_id["mi-aimh-levels"]["extends"] is None
    assert by_id["mi-aimh"]["renewals"] == by_id["mi-aimh"]["categories"]
    text = endorse("policy", "list").output
    assert "exception capacity-building: in force from the start to 2023-12-31" in text
    assert "valid on any date" in text and "valid from 2017-01-01, extends mi-aimh" in text


def test_renewal_text_fits_and_lists_what_to_do():
    out = endorse("renew", str(FACTS / "megan-oconnell.yaml"), "--year", "2024").output
    assert all(len(line) <= 80 for line in out.splitlines())
    assert "to renew: Receive 12 more hour(s) of RS/C between 2024-01-01 and" in out


@pytest.mark.parametrize("path", sorted(str(p) for p in FACTS.glob("*.yaml")))
def test_every_example_fits_80_columns(path):
    for args in ([], ["-v"], ["--compare"]):
        out = endorse("evaluate", path, *args).output
        assert all(len(line) <= 80 for line in out.splitlines()), (path, args)


def test_verbose_says_why_an_entry_did_not_count(tmp_path):
    """Two references naming one person (ruling 23) fill one slot, and -v says so under the requirement."""
    src = tmp_path / "far.yaml"
    src.write_text(
        "id: far-one\nas_of: 2026-12-02\n"
        "degrees:\n  - {level: bachelor, title: BA, conferred: 2020-05-01}\n"
        "rsc:\n  - {provider: Dr. Lena Park, provider_endorsement: IFS, start: 2020-01-01, end: 2023-12-31,"
        " hours: 40, while: [services], ages: [infant]}\n"
        "references:\n  - {rater: Dr. Lena Park, roles: [rsc_provider]}\n  - {rater: 'dr lena park', roles: [colleague]}\n"
        "work:\n  - {title: Home visitor, start: 2021-01-01, ages: [infant], services: [prevention]}\n"
    )
    out = " ".join(endorse("evaluate", str(src), "--policy", "mi-aimh", "--category", "IFS", "-v").output.split())
    assert "not counted: references[1]: same person as references[0] (Dr. Lena" in out
    assert "not counted: rsc[0]: before the bachelor's degree it counts from (2020-05-01)" in out
    assert "not counted: work[0]: not stated to be relationship-focused" in out
    # JSON carries the same reasons, under each requirement
    data = json.loads(
        endorse("evaluate", str(src), "--policy", "mi-aimh", "--category", "IFS", "--format", "json").output
    )
    listed = {
        (q["id"], n["entry"]): n["reason"] for r in data["results"] for q in r["requirements"] for n in q["not_counted"]
    }
    assert listed[("work.experience", "work[0]")].startswith("not stated to be relationship-focused")
    assert listed[("references.rsc_provider", "references[1]")].startswith("same person as references[0]")


def test_why_entries_did_not_count_is_computed_only_where_shown():
    """Plain text leaves out the rules' `why` part (what did not count, what a reviewer confirms);
    every verdict, detail and evidence stays as it is."""
    applicants = [load.load_file(p) for p in sorted(FACTS.glob("*.yaml"))]
    full = [e.to_json() for e in evaluate(applicants)]
    lean = [e.to_json() for e in evaluate(applicants, why=False)]
    reasons = 0
    for with_why, without in zip(full, lean):
        for a, b in zip(with_why["results"], without["results"]):
            for qa, qb in zip(a["requirements"], b["requirements"]):
                reasons += len(qa.pop("not_counted")) + len(qa.pop("confirm"))
                assert qb.pop("not_counted") == [] and qb.pop("confirm") == []
        assert with_why == without
    assert reasons > 0


def test_plain_text_is_judged_from_the_statuses_alone():
    """The table (and CSV, records) ground neither the `why` nor the `evidence` part: the
    statuses, verdicts and blockers are those of the full evaluation, the text is the same
    character for character, and the evidence, numbers and advice are simply not there."""
    applicants = [load.load_file(p) for p in sorted(FACTS.glob("*.yaml"))]
    full = list(evaluate(applicants))
    lean = list(evaluate(applicants, why=False, evidence=False))
    assert [render.to_text(e) for e in lean] == [render.to_text(e) for e in full]
    evidence = 0
    for with_all, statuses in zip(full, lean):
        for a, b in zip(with_all.results, statuses.results):
            assert (a.policy, a.category, a.status, a.blockers) == (b.policy, b.category, b.status, b.blockers)
            assert [(q.id, q.status) for q in a.requirements] == [(q.id, q.status) for q in b.requirements]
            assert not b.advisories and all(not q.evidence and q.measure is None for q in b.requirements)
            evidence += len(a.advisories) + sum(len(q.evidence) + (q.measure is not None) for q in a.requirements)
    assert evidence > 0


def test_what_if_reports_progress_when_the_status_stays(tmp_path):
    """Clearing one blocker of several is a change: JSON lists the requirements that moved, text says what is left."""
    import json

    src = tmp_path / "far.yaml"
    src.write_text(
        "id: far-two\nas_of: 2026-12-02\ndegrees:\n  - {level: bachelor, title: BA, conferred: 2020-05-01}\n"
        "work:\n  - {title: Home visitor, start: 2021-01-01, ages: [infant], services: [prevention]}\n"
    )
    edit = "work[0].relationship_focus=true"
    data = json.loads(endorse("what-if", str(src), "--edit", edit, "--policy", "mi-aimh", "--format", "json").output)
    ifs = next(c for c in data["changes"] if c["category"] == "IFS")
    assert ifs["before"] == ifs["after"] == "not_eligible"
    moved = {q["id"]: q for q in ifs["requirements"]}
    assert moved["work.experience"]["before"] == "unmet" and moved["work.experience"]["after"] == "met"
    assert moved["work.experience"]["detail_before"].startswith("0 of 730 days")
    text = " ".join(endorse("what-if", str(src), "--edit", edit, "--policy", "mi-aimh").output.split())
    assert "mi-aimh IFS: still not eligible; cleared work.experience; left" in text
    nothing = endorse("what-if", str(src), "--edit", "name=Someone", "--policy", "mi-aimh").output
    assert "no category changed" in nothing


def test_json_keeps_every_field_of_the_results_as_they_are():
    """Evaluation.to_json builds the contract's objects directly: the same as every dataclass field, in order
    (`unreachable` only where `need` found a reason)."""
    import dataclasses

    for e in evaluate([load.load_file(p) for p in sorted(FACTS.glob("*.yaml"))]):
        fields = [{k: v for k, v in dataclasses.asdict(r).items() if k != "unreachable"} for r in e.results]
        assert e.to_json()["results"] == json.loads(json.dumps([{**f, "needs": []} for f in fields]))


def test_review_points_name_what_the_reviewer_confirms():
    """Every requirement met only on review, over the bundled examples, says what to confirm."""
    seen = {}
    for evaluation in evaluate(load.load_file(f) for f in sorted(FACTS.glob("*.yaml"))):
        for r in evaluation.results:
            for q in r.requirements:
                assert bool(q.confirm) == (q.status == "review"), (evaluation.applicant, r.category, q.id)
                seen.update({c.text: c.entry for c in q.confirm})
    assert seen["confirm that Dr. Ruth Feldman-Cole is vetted by MassAIMH"] == "references[0]"
    assert any(text.startswith("confirm that Paula Grant (IFS") for text in seen)  # an RS/C provider on review
    megan = endorse(
        "evaluate", str(FACTS / "megan-oconnell.yaml"), "--policy", "massaimh", "--category", "IMHM-C", "-v"
    )
    assert "to review: references[0]: confirm that Dr. Ruth Feldman-Cole is vetted by" in " ".join(megan.output.split())
