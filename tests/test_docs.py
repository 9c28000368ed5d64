"""The documents live in the project: links work from a clone, nothing points outside it,
the applicant format documents every field of the schema, and every ruling cited exists."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from endorse_asp import load

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def tracked() -> list[Path]:
    names = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [ROOT / n for n in names.decode().split("\0") if n and (ROOT / n).is_file()]


def test_every_link_between_documents_leads_to_a_file_of_the_project():
    for doc in DOCS:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", doc.read_text(encoding="utf-8")):
            if "://" in target:
                continue
            assert (doc.parent / target).exists(), f"{doc.relative_to(ROOT)}: link to {target} leads nowhere"


def test_nothing_in_the_project_points_outside_it():
    for path in tracked():
        if path.suffix in (".py", ".lp", ".md", ".yaml", ".yml", ".toml", ".html", ".json", "") and path != Path(
            __file__
        ):
            text = path.read_text(encoding="utf-8", errors="replace")
            assert "../shared" not in text and "/work/shared" not in text, path.relative_to(ROOT)


def fields(schema: dict, into: set) -> set:
    for name, spec in (schema.get("properties") or {}).items():
        into.add(name)
        fields(spec.get("items", spec), into)
    return into


def test_the_applicant_format_documents_every_field_of_the_schema():
    text = (ROOT / "docs" / "applicant-format.md").read_text(encoding="utf-8")
    missing = sorted(f for f in fields(load.SCHEMA, set()) if f"`{f}`" not in text)
    assert not missing, f"fields the schema has and docs/applicant-format.md does not explain: {missing}"


def test_the_example_of_the_applicant_format_is_a_valid_applicant(tmp_path):
    text = (ROOT / "docs" / "applicant-format.md").read_text(encoding="utf-8")
    (example,) = [b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "schema: endorse-applicant/1" in b]
    (tmp_path / "example.yaml").write_text(example, encoding="utf-8")
    applicant = load.load_file(tmp_path / "example.yaml")
    assert applicant.data["id"] == "jordan-lee" and applicant.data["work"][0]["paid"] is True  # a default


def test_every_ruling_the_rules_and_outputs_cite_is_written_down():
    rulings = (ROOT / "docs" / "rulings.md").read_text(encoding="utf-8")
    numbered = {int(n) for n in re.findall(r"^\*\*(\d+)\. ", rulings, re.M)}
    own = set(re.findall(r"^\| ([A-Z]+\d+) \|", rulings, re.M))
    assert numbered == set(range(1, 26))
    cited_numbers, cited_own = set(), set()
    for path in tracked():
        if path.suffix in (".lp", ".py", ".yaml", ".html", ".md") and "tests" not in path.relative_to(ROOT).parts[:1]:
            text = path.read_text(encoding="utf-8")
            for group in re.findall(r"rulings? ((?:\d+|[A-Z]+\d+)(?:(?:, | and | or )(?:\d+|[A-Z]+\d+))*)", text):
                for ref in re.split(r", | and | or ", group):
                    (cited_numbers if ref.isdigit() else cited_own).add(int(ref) if ref.isdigit() else ref)
    assert cited_numbers and cited_own
    assert cited_numbers <= numbered, sorted(cited_numbers - numbered)
    assert cited_own <= own, sorted(cited_own - own)
