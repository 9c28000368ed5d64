"""`evaluate --format csv` and `need --format csv` (cli.md, "Spreadsheets and decision records"):
the header and one row per applicant, policy and category, parsed back and held against the JSON."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from endorse_asp import batch, spreadsheet
from endorse_asp.cli import main
from endorse_asp.explain import CategoryResult, Evaluation
from endorse_asp.needs import Alternative, Item

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "facts"
JORDAN = FACTS / "jordan-lee.yaml"
COLUMNS = ["applicant", "name", "file", "as_of", "policy", "category", "status", "blockers"]


def endorse(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def parse(text: str) -> tuple[list[str], list[dict]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return reader.fieldnames, list(reader)


def test_the_bundled_examples_as_csv_agree_with_their_json():
    # CSV from worker processes, JSON from this one: the two paths agree with each other too.
    sheet = endorse("evaluate", FACTS, "--policy", "mi-aimh", "--format", "csv", "--jobs", "2")
    assert sheet.exit_code == 0, sheet.output
    header, rows = parse(sheet.stdout)
    assert header == COLUMNS
    judged = json.loads(endorse("evaluate", FACTS, "--policy", "mi-aimh", "--format", "json", "--jobs", "1").stdout)
    expected = [
        {
            "applicant": e["applicant"],
            "name": e["name"] or "",
            "file": e["file"],
            "as_of": e["as_of"],
            "policy": r["policy"],
            "category": r["category"],
            "status": r["status"],
            "blockers": "; ".join(r["blockers"]),
        }
        for e in judged
        for r in e["results"]
    ]
    assert rows == expected
    assert len({r["applicant"] for r in rows}) == len(list(FACTS.glob("*.yaml")))


def test_quoting_encoding_and_line_ends_are_what_a_spreadsheet_program_reads(tmp_path):
    data = yaml.safe_load(JORDAN.read_text())
    data["name"] = 'Lee, Jordan "JJ" Zoë Ñúñez'  # a name holds no line break (load refuses one)
    odd = tmp_path / "odd,\nname.yaml"  # a file name may
    odd.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = endorse("evaluate", odd, "--policy", "mi-aimh", "--category", "IMHS", "--format", "csv")
    assert result.exit_code == 0
    raw = result.stdout_bytes
    assert not raw.startswith(b"\xef\xbb\xbf")  # no byte-order mark (docs/spreadsheets.md)
    text = raw.decode("utf-8")
    assert text.count("\r\n") == 2 and text.replace("\r\n", "").count("\n") == 1  # the file name's own, quoted
    assert '"Lee, Jordan ""JJ"" Zoë Ñúñez"' in text and f'"{odd}"' in text
    _, rows = parse(text)
    assert [(r["name"], r["file"], r["category"]) for r in rows] == [(data["name"], str(odd), "IMHS")]


def test_a_cell_that_would_run_as_a_formula_is_defused(tmp_path):
    data = yaml.safe_load(JORDAN.read_text())
    data["name"] = '=HYPERLINK("http://x.example","click")'
    path = tmp_path / "formula.yaml"
    path.write_text(yaml.safe_dump(data))
    result = endorse("evaluate", path, "--policy", "mi-aimh", "--category", "IFA", "--format", "csv")
    _, rows = parse(result.stdout)
    assert rows[0]["name"] == "'" + data["name"]


def test_need_csv_gives_the_cheapest_alternative_as_the_json_does():
    args = ["need", JORDAN, "--policy", "mi-aimh", "--category", "ECFS", "--category", "IFS"]
    header, rows = parse(endorse(*args, "--format", "csv").stdout)
    assert header == COLUMNS + ["cost", "reached_on", "items"]
    judged = json.loads(endorse(*args, "--format", "json").stdout)
    assert [(r["category"], r["status"]) for r in rows] == [(r["category"], r["status"]) for r in judged["results"]]
    for row, result in zip(rows, judged["results"], strict=True):
        if not result["needs"]:
            assert result["status"] in ("eligible", "needs_review")
            assert (row["cost"], row["reached_on"], row["items"]) == ("", "", "")
            continue
        cheapest = result["needs"][0]
        assert int(row["cost"]) == cheapest["cost"] == min(a["cost"] for a in result["needs"])
        assert row["reached_on"] == cheapest.get("as_of", judged["as_of"])
        assert row["items"] == "; ".join(item["text"] for item in cheapest["items"])
    assert any(r["items"] for r in rows)


def test_csv_refuses_what_it_cannot_hold():
    goal = endorse("need", JORDAN, "--policy", "mi-aimh", "--goal", "mi-aimh/ECFS", "--format", "csv")
    compare = endorse("evaluate", JORDAN, "--compare", "--format", "csv")
    assert goal.exit_code == compare.exit_code == 2
    assert "--goal" in goal.stderr and "--compare" in compare.stderr


def test_a_batch_prints_each_applicants_rows_as_they_come():
    files = [str(FACTS / name) for name in ("jordan-lee.yaml", "hana-sato.yaml", "aisha-karim.yaml")]
    printed: list[str] = []
    job = batch.Job(only=("mi-aimh",), categories=("IFA", "IMHS"))
    batch.print_evaluations(files, job, fmt="csv", jobs=1, echo=lambda text, nl=True, err=False: printed.append(text))
    assert printed[0] == spreadsheet.header()
    assert [parse(printed[0] + chunk)[1][0]["applicant"] for chunk in printed[1:]] == [
        "jordan-lee",
        "hana-sato",
        "aisha-karim",
    ]


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=200, deadline=None)
@given(name=TEXT, file=TEXT, item_texts=st.lists(TEXT.filter(lambda t: "; " not in t), min_size=1, max_size=3))
def test_any_text_reads_back_as_written_but_a_formula(name, file, item_texts):
    needs = [Alternative(3, None, [Item("exam", text, ["exam.passed=true"]) for text in item_texts])]
    result = CategoryResult("mi-aimh", "IFS", "title", "not_eligible", ["exam", "rsc.hours"], [], needs)
    evaluation = Evaluation("x", name, file, dt.date(2024, 3, 1), [result])
    text = spreadsheet.header(need=True) + spreadsheet.rows(evaluation, need=True)
    (row,) = parse(text)[1]

    def shown(value: str) -> str:
        return "'" + value if value.startswith(("=", "+", "-", "@", "\t", "\r")) else value

    assert row["name"] == shown(name) and row["file"] == shown(file)
    assert row["blockers"] == "exam; rsc.hours" and row["cost"] == "3" and row["reached_on"] == "2024-03-01"
    assert row["items"] == shown("; ".join(item_texts))
