"""`endorse policy show`: the requirement catalogue rendered from the rules, for a
policy and for a policy derived from it (made here in a temporary policies root)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from markupsafe import escape

from endorse_asp import catalogue
from endorse_asp.cli import main
from endorse_asp.policy import POLICY_ROOT, load_program
from endorse_asp.report import md_text
from endorse_asp.terms import code_of

DERIVED_YAML = """\
id: derived
title: 'Derived <script>alert(1)</script> {{ 7*7 }}'
version: "1"
valid_from: 2018-01-01
extends: mi-aimh
sources:
  "900": {file: 900_derived.txt, title: A derived association's requirements}
exceptions:
  - {id: pilot, file: exceptions/pilot.lp, valid_from: 2020-01-01, valid_to: 2020-12-31, source: "900, Pilot year"}
"""
DERIVED_RULES = """\
#program policy(p).
drop(p, "IMHM-P").
replace(p, "IFA", "002").
section(p, "IFA", "900", "IFA requirements").
requirement(p, "IFA", "residency", "Lives in the association's state").
heading(p, "residency", "Residency").
replace(p, "IFS", "ethics").
requirement(p, "IFS", "ethics", "The association's own Code of Ethics is signed").
signature(p, "IFS", "ethics", ethics).
requirement(p, renewal("IFS"), "training.state", "Three hours a year of training on the state's rules").
heading(p, "training.state", "State training").
% not encoded: the interview is part of the process,
% not a requirement.
"""
# Its own values: IFA's training hours changed, IFS's RS/C hours restated with the same number.
DERIVED_PARAMETERS = """\
training_hours:
  description: Hours of relationship-based training
  unit: hours
  reference: {document: "900", section: "IFA requirements"}
  values:
    IFA:
      2018-01-01: 45
rsc_hours:
  description: Hours of RS/C received
  unit: hours
  reference: {document: "900", section: "IFS requirements"}
  values:
    IFS:
      2018-01-01: 24
"""
PILOT_RULES = """\
#program policy(p).
requirement(p, "IFA", "training.pilot", "The pilot training module is completed").
"""


def endorse(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    """A policies root with the shipped engine and mi-aimh, and `derived`, which extends it."""
    root = tmp_path_factory.mktemp("policies")
    (root / "common").symlink_to(POLICY_ROOT / "common")
    (root / "mi-aimh").symlink_to(POLICY_ROOT / "mi-aimh")
    (root / "derived" / "exceptions").mkdir(parents=True)
    (root / "derived" / "policy.yaml").write_text(DERIVED_YAML)
    (root / "derived" / "rules.lp").write_text(DERIVED_RULES)
    (root / "derived" / "parameters.yaml").write_text(DERIVED_PARAMETERS)
    (root / "derived" / "exceptions" / "pilot.lp").write_text(PILOT_RULES)
    return root


class Page(HTMLParser):
    def __init__(self, text: str):
        super().__init__()
        self.tags, self.text = [], []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_mi_aimh_catalogue_lists_every_category_requirement_threshold_and_source():
    text = catalogue.show("mi-aimh", "md")
    program = load_program(only=("mi-aimh",))
    cat = program.catalogue
    codes = [c for v, c in cat.categories if v == "mi-aimh"]
    assert len(codes) >= 12
    for code in codes:
        heading = code_of(code)  # renewal("IFS") is under "Annual renewal"
        assert f"### {md_text(heading)}: {md_text(cat.categories[('mi-aimh', code)]['title'])}" in text
        for rid, summary in cat.requirements[("mi-aimh", code)].items():
            assert f"| `{rid}` | {md_text(summary)} |" in text
            _, section, _ = cat.sources[("mi-aimh", code, rid)]
            assert md_text(section) in text
    for source in program.policies["mi-aimh"].sources.values():
        assert f"`{source['file']}`" in text
    assert "| `rsc_hours` | 50 hours |" in text and "| `experience_days` | 730 days (2 years) |" in text
    assert "## Changes from" not in text
    renewals = [c for c in codes if not isinstance(c, str)]
    renewal = text[text.index("## Annual renewal") :]
    assert renewal.count("\n### ") == len(renewals)


def test_mi_aimh_catalogue_in_html_is_a_self_contained_page():
    text = catalogue.show("mi-aimh", "html")
    page = Page(text)
    assert {"script", "img", "link", "iframe"}.isdisjoint(page.tags)
    assert page.tags.count("h3") >= 12 and "table" in page.tags
    assert escape("A rating from the applicant's current (program) supervisor") in text


def test_threshold_values_carry_their_units():
    assert catalogue.amount("rsc_hours", 24) == "24 hours"
    assert catalogue.amount("mentor_days", 1095) == "1095 days (3 years)"
    assert catalogue.amount("internship_days", 365) == "365 days (1 year)"
    assert catalogue.amount("work_days", 400) == "400 days"
    assert catalogue.amount("families", 10) == "10"


def test_a_derived_policy_shows_what_it_changes_from_its_base(root):
    text = catalogue.show("derived", "md", root)
    changes = text[text.index("## Changes from `mi-aimh`") : text.index("## Dated exceptions")]
    assert "- drops category `IMHM-P`: Infant Mental Health Mentor - Policy" in changes
    ifa = changes[changes.index("- `IFA`") : changes.index("- `IFS`")]
    assert "adds requirement `residency`: Lives in the association's state" in ifa
    assert "changes threshold `training_hours`: 45 hours, was 30 hours" in ifa
    ifs = changes[changes.index("- `IFS`") :]
    assert "changes requirement `ethics`: now “The association's own Code of Ethics is signed”" in ifs
    assert "restates threshold `rsc_hours`: same value, 24 hours" in ifs
    assert "adds requirement `training.state`: Three hours a year of training on the state's rules" in changes
    assert not re.search(r"- `(ECFA|IMHS)`", changes)  # inherited unchanged
    assert "is written in: 900\\_derived.txt, IFA requirements (was 002\\_b073f557d3486da6.txt, IFA endorsement" in ifa
    # what it inherits cites the base's documents, found through the base's sources
    assert (
        "Written in MI-AIMH Competency Guidelines, 2017 edition (`002_b073f557d3486da6.txt`), IFS endorsement requirements."
        in text
    )


def test_a_derived_policy_shows_its_dated_exceptions_renewal_and_notes(root):
    text = catalogue.show("derived", "md", root)
    dated = text[text.index("## Dated exceptions") : text.index("## Categories")]
    assert "| `pilot` | 2020-01-01 | 2020-12-31 | 900, Pilot year | `exceptions/pilot.lp` |" in dated
    assert "### While pilot is in force (2020-01-01 to 2020-12-31)" in dated
    assert "adds requirement `training.pilot`: The pilot training module is completed" in dated
    renewal = text[text.index("## Annual renewal") : text.index("## Left to reviewers")]
    ifs = renewal[renewal.index("### IFS: ") : renewal.index("### ECFS: ")]
    assert "| `training.state` | Three hours a year of training on the state's rules | State training |" in ifs
    assert "- `rules.lp`, line 12: the interview is part of the process, not a requirement." in text


def test_a_derived_policy_title_is_escaped(root):
    md = catalogue.show("derived", "md", root)
    assert md.startswith("# Policy `derived`: Derived &lt;script&gt;alert(1)&lt;/script&gt; {{ 7\\*7 }}\n")
    html = catalogue.show("derived", "html", root)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}" in html
    assert "drops category <code>IMHM-P</code>" in html


def test_policy_show_prints_markdown_or_writes_a_file(tmp_path):
    result = endorse("policy", "show", "mi-aimh")
    assert result.exit_code == 0 and result.output.startswith("# Policy `mi-aimh`")
    out = tmp_path / "mi-aimh.html"
    result = endorse("policy", "show", "mi-aimh", "--format", "html", "--out", out)
    assert result.exit_code == 0 and result.output == ""
    assert out.read_text().startswith("<!DOCTYPE html>") and [p.name for p in tmp_path.iterdir()] == [out.name]


def test_policy_show_of_an_unknown_policy_is_a_usage_error():
    result = endorse("policy", "show", "mi-aimhh")
    assert result.exit_code == 2 and "unknown policy 'mi-aimhh'" in result.output
