"""`evaluate --format csv` and `need --format csv`: one row per applicant, policy and category
(cli.md, "Spreadsheets and decision records"; the columns are described in docs/spreadsheets.md).

Rows are written by the standard `csv` module in its `excel` dialect: fields holding a comma,
a quote or a line break are quoted, quotes doubled, lines end with CRLF (RFC 4180). The text
is UTF-8 without a byte-order mark. A cell whose text a spreadsheet program would take for a
formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`, so an
applicant's name cannot run as a formula on the coordinator's machine.

Each applicant's rows are rendered on their own (`rows`), so a batch streams: a worker renders
its applicants' rows and the parent prints them as they come.
"""

from __future__ import annotations

import csv
import io

from .explain import Evaluation
from .words import label

COLUMNS = ("applicant", "name", "file", "as_of", "policy", "category", "status", "blockers")
NEED_COLUMNS = COLUMNS + ("cost", "reached_on", "items")
JOIN = "; "
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _lines(rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, dialect="excel", lineterminator="\r\n")
    writer.writerows([_cell(v) for v in row] for row in rows)
    return out.getvalue()


def header(need: bool = False) -> str:
    """The header row (with a line end)."""
    return _lines([NEED_COLUMNS if need else COLUMNS])


def rows(evaluation: Evaluation, need: bool = False) -> str:
    """One applicant's rows, one per category judged. With `need`: the cheapest alternative's
    cost, the date it reaches the category (its own, else the applicant's) and its items' texts;
    empty for a category reached or with no alternative."""
    e = evaluation
    out = []
    for r in e.results:
        row = [
            e.applicant,
            e.name,
            e.file,
            e.as_of.isoformat(),
            r.policy,
            label(r.category),
            r.status,
            JOIN.join(r.blockers),
        ]
        if need:
            cheapest = r.needs[0] if r.needs else None
            row += (
                ["", "", ""]
                if cheapest is None
                else [cheapest.cost, (cheapest.as_of or e.as_of).isoformat(), JOIN.join(i.text for i in cheapest.items)]
            )
        out.append(row)
    return _lines(out)
