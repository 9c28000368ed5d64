"""`endorse report`: reviewers' pages in HTML and Markdown, escaped, written whole,
and seen in a real browser.

The Markdown snapshot lives in tests/snapshots/; after a deliberate change to the
report or to the mi-aimh rules, refresh it with

    UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_report.py -k snapshot

and review the diff like any other change.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from click.testing import CliRunner
from markupsafe import Markup, escape

from endorse_asp import catalogue, load, report, words
from endorse_asp.cli import main
from endorse_asp.evaluate import evaluate
from endorse_asp.policy import load_program

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "facts"
JORDAN = FACTS / "jordan-lee.yaml"
SNAPSHOT = Path(__file__).parent / "snapshots" / "jordan-lee.md"
HOSTILE = ("<script>alert(1)</script>", '"); #false.', "{{ 7*7 }}")
# Tags the HTML pages may contain: nothing that runs, loads or embeds anything.
TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "header",
    "main",
    "footer",
    "section",
    "h1",
    "h2",
    "h3",
    "p",
    "dl",
    "dt",
    "dd",
    "table",
    "caption",
    "colgroup",
    "col",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "ul",
    "ol",
    "li",
    "code",
    "cite",
    "span",
    "small",
    "strong",
    "br",
    "a",
}
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def endorse(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def program():
    return load_program(only=("mi-aimh",))


def judged(path: Path, **options):
    return next(evaluate([load.load_file(path)], program=program(), **options))


class Page(HTMLParser):
    """An HTML page as the browser would see it: its tags, attributes and text."""

    def __init__(self, text: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def assert_self_contained(text: str) -> Page:
    page = Page(text)
    assert {t for t, _ in page.tags} <= TAGS, {t for t, _ in page.tags} - TAGS
    for tag, attrs in page.tags:
        assert not [a for a in attrs if a.startswith("on") or a in ("src", "style")], (tag, attrs)
        href = attrs.get("href") or "#"
        assert href.startswith("#") or re.fullmatch(r"[A-Za-z0-9_-]+\.html", href), href
    assert "<style>" in text and "@media print" in text
    return page


def table_rows_align(text: str) -> None:
    """Every row of every Markdown table has its header's number of (unescaped) cell separators."""
    width = None
    for line in text.splitlines():
        if not line.startswith("|"):
            width = None
            continue
        cells = len(re.findall(r"(?<!\\)\|", line))
        width = width or cells
        assert cells == width, line


def bundled() -> tuple[list[Path], list[str]]:
    """The bundled examples and their applicants' ids."""
    files = sorted(FACTS.glob("*.yaml"))
    return files, [load.load_file(p).id for p in files]


def test_bundled_examples_render_as_html_with_an_index(tmp_path):
    files, ids = bundled()
    result = endorse("report", *files, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted([f"{i}.html" for i in ids] + ["index.html"])
    index = assert_self_contained((tmp_path / "index.html").read_text())
    assert [a["href"] for t, a in index.tags if t == "a"] == [f"{i}.html" for i in ids]
    for i in ids:
        page = assert_self_contained((tmp_path / f"{i}.html").read_text())
        sections = [a["id"] for t, a in page.tags if t == "section" and "category" in a.get("class", "")]
        links = [a["href"][1:] for t, a in page.tags if t == "a" and a["href"].startswith("#")]
        # the summary's table links to every category's section, in order (reached and closest above it)
        assert sections and links[-len(sections) :] == sections and set(links) == set(sections)


def test_bundled_examples_render_as_markdown(tmp_path):
    files, ids = bundled()
    result = endorse("report", *files, "--out", tmp_path, "--format", "md")
    assert result.exit_code == 0, result.output
    index = (tmp_path / "index.md").read_text()
    for i in ids:
        assert f"]({i}.md)" in index
        text = (tmp_path / f"{i}.md").read_text()
        table_rows_align(text)
        assert "<" not in text


def test_a_report_shows_each_requirement_with_its_numbers_evidence_and_source():
    evaluation = judged(JORDAN, categories=("IMHS",))
    page = report.report_page(evaluation, program(), "html")
    (imhs,) = evaluation.results
    rsc = next(q for q in imhs.requirements if q.id == "rsc.hours")
    for text in (rsc.summary, rsc.detail, rsc.source["document"], rsc.source["title"]):
        assert escape(text) in page
    # the category names its document and section once; the row, the heading within it
    assert (
        "IMHS endorsement requirements.</p>" in page
        and '<small class="source">Reflective supervision/consultation' in page
    )
    for entry in rsc.evidence:
        assert Markup("<code>{}</code> {}").format(entry.entry, entry.text) in page
    assert '<span class="status met">✔ met</span>' in page


def test_statuses_differ_by_symbol_and_word_not_only_by_colour():
    marks = {words.STATUS[s] for s in ("met", "review", "unknown", "unmet")}
    assert len({symbol for symbol, _ in marks}) == 4 and len({word for _, word in marks}) == 4
    marks = {words.STATUS[s] for s in report.CATEGORY_STATUSES}
    assert len({symbol for symbol, _ in marks}) == 4 and len({word for _, word in marks}) == 4


def test_markdown_snapshot(monkeypatch):
    monkeypatch.chdir(ROOT)  # the report names the record by the path given
    evaluation = judged(Path("facts/jordan-lee.yaml"), categories=("IFA", "IMHS", "IMHM-C"))
    text = report.report_page(evaluation, program(), "md")
    # The footer names the rules and the file by their hashes: every rule edit moves them.
    for value, stands_for in (
        (evaluation.rules["fingerprint"], "RULES-FINGERPRINT"),
        (evaluation.input_sha256, "FILE-SHA256"),
        (f"endorse-asp {evaluation.rules['engine']}", "endorse-asp VERSION"),
    ):
        assert value in text
        text = text.replace(value, stands_for)
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(text, encoding="utf-8")
    assert SNAPSHOT.exists(), "no snapshot yet: run with UPDATE_SNAPSHOTS=1 and review it"
    assert text == SNAPSHOT.read_text(encoding="utf-8")


@pytest.fixture
def hostile(tmp_path) -> Path:
    """Jordan Lee's record with hostile text in the name, a training title and a rater."""
    data = yaml.safe_load(JORDAN.read_text())
    data["name"] = " ".join(HOSTILE)
    data["training"][0]["title"] = "<img src=x onerror=alert(2)> & | **bold** [link](http://x.example)"
    data["references"][0]["rater"] = "`code` # not a heading\n| not | a | row |"
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_hostile_text_comes_out_escaped_in_html(hostile):
    text = report.report_page(judged(hostile), program(), "html")
    page = assert_self_contained(text)
    seen = "".join(page.text)
    assert " ".join(HOSTILE) in seen  # shown as text, exactly as written ...
    assert "<img src=x onerror=alert(2)>" in seen
    assert "<script>" not in text and "<img" not in text  # ... and never as markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_hostile_text_is_harmless_in_markdown(hostile):
    text = report.report_page(judged(hostile), program(), "md")
    assert "<" not in text
    assert '&lt;script&gt;alert(1)&lt;/script&gt; "); \\#false. {{ 7\\*7 }}' in text
    assert "\\*\\*bold\\*\\* \\[link\\](http://x.example)" in text
    table_rows_align(text)
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert all(re.match(r"#{1,3} (Endorsement report|Summary|What would|Advisories|[A-Z-]+: )", h) for h in headings), (
        headings
    )


def test_needs_render_from_mappings_or_objects_and_their_absence_is_said():
    evaluation = judged(JORDAN, categories=("ECMHS", "IMHM-P", "IMHM-RF"))
    ecmhs, policy, faculty = evaluation.results
    assert {r.status for r in evaluation.results} == {"not_eligible"}
    ecmhs.needs = [
        {
            "cost": 2,
            "as_of": dt.date(2025, 3, 1),
            "items": [{"id": "rsc.hours", "text": "Receive 18 more hours <soon>", "edits": ["rsc+={hours: 18}"]}],
        },
        {"cost": 4, "items": [{"id": "exam", "text": "Pass the exam", "edits": ["exam.passed=true"]}]},
    ]
    policy.needs = [SimpleNamespace(cost=1, as_of=dt.date(2026, 7, 1), items=[])]
    for fmt in report.FORMATS:
        text = report.report_page(evaluation, program(), fmt)
        assert "Cost 2, reachable on 2025-03-01 (1 other way" in text and "rsc+={hours: 18}" in text
        assert "Cost 4" not in text and "exam.passed=true" not in text  # the cheapest only: `endorse need` has all
        assert "Cost 1, reachable on 2026-07-01" in text and "only time has to pass" in text
        assert "No needs computed" not in text and "No way to reach" not in text  # IMHM-RF: none asked for, none said
    assert "Receive 18 more hours &lt;soon&gt;" in report.report_page(evaluation, program(), "html")


def test_report_can_compute_the_needs(tmp_path):
    result = endorse(
        "report", JORDAN, "--out", tmp_path, "--format", "md", "--needs", "--policy", "mi-aimh", "--category", "ECFS"
    )
    assert result.exit_code == 0, result.output
    text = (tmp_path / "jordan-lee.md").read_text()
    assert "### Cheapest way to reach it\n\nCost " in text and "No needs computed" not in text


@pytest.mark.parametrize("failure", [OSError("disk full"), KeyboardInterrupt()])
def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch, failure):
    target = tmp_path / "a.html"
    report.write_atomic(target, "old")

    def fail(*_):
        raise failure

    monkeypatch.setattr(report.os, "replace", fail)
    with pytest.raises(type(failure)):
        report.write_atomic(target, "new " * 100_000)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.html"]


def test_an_interrupted_batch_leaves_the_folder_as_it_was(tmp_path, monkeypatch):
    # issue 17 part 6: a run is staged and swapped in whole, so nothing of a broken run shows
    real = report.report_page
    calls = []

    def page(evaluation, *args):
        calls.append(evaluation.applicant)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(evaluation, *args)

    monkeypatch.setattr(report, "report_page", page)
    with pytest.raises(KeyboardInterrupt):
        report.write_reports([JORDAN, FACTS / "marcus-bell.yaml"], tmp_path, "html", program=program())
    assert [p.name for p in tmp_path.iterdir()] == []


@pytest.mark.parametrize("fmt", report.FORMATS)
def test_a_bad_file_is_listed_in_the_index_and_the_rest_still_render(tmp_path, fmt):
    bad = ROOT / "tests" / "bad" / "duplicate_key.yaml"
    result = endorse("report", JORDAN, bad, FACTS / "marcus-bell.yaml", "--out", tmp_path, "--format", fmt)
    assert result.exit_code == 2
    (problem,) = load_problems(bad)
    assert problem in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"index.{fmt}", f"jordan-lee.{fmt}", f"marcus-bell.{fmt}"]
    index = (tmp_path / f"index.{fmt}").read_text()
    assert "could not be read" in index and "duplicate_key.yaml" in index
    assert (report.md_text(problem) if fmt == "md" else escape(problem)) in index


def load_problems(path: Path) -> list[str]:
    with pytest.raises(load.InputError) as err:
        load.load_file(path)
    return [str(p) for p in err.value.problems]


def test_file_names_are_safe_and_never_collide():
    names = report.Names()
    assert [names(i) for i in ("a", "A", "index", "a", "x/../y")] == ["a", "A-2", "index-2", "a-3", "x_y"]


def test_the_same_applicant_twice_gets_two_reports(tmp_path):
    result = endorse("report", JORDAN, JORDAN, "--out", tmp_path)
    assert result.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html", "jordan-lee-2.html", "jordan-lee.html"]
    index = Page((tmp_path / "index.html").read_text())
    assert [a["href"] for t, a in index.tags if t == "a"] == ["jordan-lee.html", "jordan-lee-2.html"]


def test_out_must_be_a_directory(tmp_path):
    (tmp_path / "file").write_text("")
    result = endorse("report", JORDAN, "--out", tmp_path / "file")
    assert result.exit_code == 2 and "is a file" in result.output


def png_colours(path: Path, rows: int = 400) -> tuple[int, float]:
    """Distinct colours in the top `rows` rows of an 8-bit RGB(A) PNG, and the share of
    pixels unlike the top-left one. Decoded here: no imaging library is needed."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, chunks, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        header = struct.unpack(">IIBBBBB", body) if kind == b"IHDR" else header
        chunks += [body] if kind == b"IDAT" else []
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and not interlace, header
    bpp = 3 if colour == 2 else 4
    stride = width * bpp
    raw = zlib.decompress(b"".join(chunks))
    assert len(raw) == height * (stride + 1)
    prev, pixels = bytearray(stride), []
    for y in range(min(rows, height)):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride) if kind else ():
            left = line[i - bpp] if i >= bpp else 0
            corner = prev[i - bpp] if i >= bpp else 0
            up = prev[i]
            if kind == 1:
                guess = left
            elif kind == 2:
                guess = up
            elif kind == 3:
                guess = (left + up) // 2
            else:
                p = left + up - corner
                guess = min((abs(p - left), 0, left), (abs(p - up), 1, up), (abs(p - corner), 2, corner))[2]
            line[i] = (line[i] + guess) & 255
        pixels += zip(*[iter(line)] * bpp)
        prev = line
    background = pixels[0]
    return len(set(pixels)), sum(p != background for p in pixels) / len(pixels)


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            *args,
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=180,
    )


def screenshot(url: str, tmp_path: Path, name: str) -> Path:
    png = tmp_path / f"{name}.png"
    chromium(tmp_path, f"--screenshot={png}", "--window-size=1200,2000", url)
    return png


@pytest.mark.skipif(not CHROMIUM, reason="Chromium is not installed (Debian package `chromium`; .ci/run installs it)")
def test_pages_render_in_a_real_browser(tmp_path):
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><title>blank</title>")
    colours, share = png_colours(screenshot(blank.as_uri(), tmp_path, "blank"))
    assert colours == 1 and share == 0  # the check below can tell a blank page

    assert endorse("report", JORDAN, "--out", tmp_path / "reports").exit_code == 0
    (tmp_path / "catalogue.html").write_text(catalogue.show("mi-aimh", "html"))
    for page in (
        tmp_path / "reports" / "jordan-lee.html",
        tmp_path / "reports" / "index.html",
        tmp_path / "catalogue.html",
    ):
        colours, share = png_colours(screenshot(page.as_uri(), tmp_path, page.stem))
        assert colours >= 32 and share >= 0.02, (page.name, colours, share)
    # what the browser made of the page: the summary on top, then a not-counted line under its requirement
    dom = chromium(tmp_path, "--dump-dom", (tmp_path / "reports" / "jordan-lee.html").as_uri()).stdout
    words = " ".join("".join(Page(dom).text).split())
    assert words.index("Reached: IFA (mi-aimh)") < words.index("Closest:") < words.index("ECFS: Early Childhood")
    assert "not counted: training[3] on neither topic that counts (relationship_based, rsc)" in words


def test_a_page_reads_top_down_with_the_applicants_own_policy_first():
    """Own association first (membership, else state of residence), then reached, closest, each category."""
    every = load_program()
    applicant = load.load_file(FACTS / "megan-oconnell.yaml")
    evaluation = next(evaluate([applicant], program=every))
    view = report.page(evaluation, every, data=applicant.data)
    assert view.home == ["massaimh"] and view.sections[0].r.policy == "massaimh"
    assert [p.id for p in view.policies][0] == "massaimh"
    closest = view.closest
    assert closest and all(len(a.r.blockers) <= len(b.r.blockers) for a, b in zip(closest, closest[1:]))
    assert all(s.r.status in ("eligible", "needs_review") for s in view.reached)
    moved = dict(applicant.data, memberships=[], residence="VA")
    assert report.page(evaluation, every, data=moved).sections[0].r.policy == "vaimh"
    page = report.report_page(evaluation, every, "html", data=applicant.data)
    assert (
        page.index("<strong>Reached:</strong>")
        < page.index("<strong>Closest:</strong>")
        < page.index('class="category"')
    )
    assert "No needs computed" not in page and "Advisories</h3>\n<p" not in page
