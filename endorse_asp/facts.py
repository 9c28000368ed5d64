"""Applicant → clingo symbols.

Every fact carries the applicant's position in its chunk as first argument,
so many applicants can be grounded in one Control. Dates become day numbers, hours hundredths of
an hour, and everything the applicant wrote reaches clingo only as a String
symbol: nothing here is ever parsed as rule text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from clingo import Function, Number, String, Symbol

YES, NO = Function("yes"), Function("no")
KNOWN_ASSOCIATIONS = ("MI-AIMH", "MassAIMH", "VAIMH", "ORIMHA")


def day(d: dt.date) -> Symbol:
    """A date as the day number clingo compares."""
    return Number(d.toordinal())


def centi(hours: float) -> Symbol:
    """Hours as whole hundredths of an hour (clingo has only integers)."""
    return Number(round(hours * 100))


def key(text: str) -> str:
    """A name as compared: case, dots and spacing ignored."""
    return re.sub(r"[\s.]+", "", text).casefold()


def person(text: str) -> str:
    """A person's name as compared between references and RS/C entries (ruling 23): case
    folded, runs of white space collapsed, `.` and `,` dropped."""
    return " ".join(text.replace(".", "").replace(",", "").split()).casefold()


def association(text: str) -> str:
    """Known association names in their canonical spelling; others as given."""
    for name in KNOWN_ASSOCIATIONS:
        if key(name) == key(text):
            return name
    return text


def symbols(applicant: int, data: dict, as_of: dt.date) -> Iterator[Symbol]:
    """All facts about one applicant (number `applicant` of its chunk), evaluated on `as_of`."""
    a = Number(applicant)

    def f(name: str, *args) -> Symbol:
        return Function(name, [a, *args])

    def c(name: str) -> Symbol:
        return Function(name)

    yield f("applicant")
    yield f("as_of", day(as_of))
    if data["residence"] is not None:
        yield f("residence", String(data["residence"]))
    for flag, answer in (("ethics", data["ethics_signed"]), ("agreement", data["agreement_signed"])):
        if answer is not None:
            yield f("answer", c(flag), YES if answer else NO)

    for i, d in enumerate(data["degrees"]):
        n = Number(i)
        yield f("degree", n, c(d["level"]), day(d["conferred"]))
        if d["title"]:
            yield f("degree_title", n, String(key(d["title"])))
        if d["related"]:
            yield f("degree_related", n)
        if d["transcript"]:
            yield f("transcript", n)

    for i, cr in enumerate(data["credentials"]):
        yield f("credential", Number(i), c(cr["type"]))
        if cr["earned"]:
            yield f("credential_earned", Number(i), day(cr["earned"]))

    for i, t in enumerate(data["training"]):
        n = Number(i)
        yield f("training", n, centi(t["hours"]), day(t["date"]), c(t["focus"]))
        for topic in t["topics"]:
            yield f("training_topic", n, c(topic))
        if t["didactic"]:
            yield f("didactic", n)

    for i, w in enumerate(data["work"]):
        n = Number(i)
        yield f("work", n, day(w["start"]))
        if w["end"]:
            yield f("work_end", n, day(w["end"]))
        for flag in ("paid", "volunteer", "specialized_training", "supervised", "internship", "relationship_focus"):
            if w[flag]:
                yield f(flag, n)
        if w["internship_supervisor_endorsement"]:
            yield f("internship_supervisor_endorsement", n, String(w["internship_supervisor_endorsement"]))
        for age in w["ages"]:
            yield f("work_age", n, c(age))
        for service in w["services"]:
            yield f("service", n, c(service))
        if w["families_served"] is not None:
            yield f("families", n, Number(w["families_served"]))

    for j, r in enumerate(data["rsc"]):
        n = Number(j)
        yield f("rsc", n, day(r["start"]), day(r["end"]), centi(r["hours"]))
        yield f("rsc_provider_name", n, String(person(r["provider"])))
        if r["provider_endorsement"]:
            yield f("provider_endorsement", n, String(r["provider_endorsement"]))
        if r["provider_vetted"]:
            yield f("provider_vetted", n)
        if r["provider_degree"]:
            yield f("provider_degree", n, c(r["provider_degree"]))
        if r["about_own_rsc"]:
            yield f("rsc_about_own", n, centi(r["about_own_rsc"]))
        for doing in r["while"]:
            yield f("rsc_did", n, c(doing))
        for age in r["ages"]:
            yield f("rsc_age", n, c(age))

    for k, ref in enumerate(data["references"]):
        n = Number(k)
        yield f("rater_name", n, String(person(ref["rater"])))
        for role in ref["roles"]:
            yield f("rater_role", n, c(role))
        if ref["rater_endorsement"]:
            yield f("rater_endorsement", n, String(ref["rater_endorsement"]))
        if ref["rater_vetted"]:
            yield f("rater_vetted", n)
        if ref["familiar_with_imh"]:
            yield f("rater_familiar", n)

    exam = data["exam"]
    if exam is not None:
        yield f("exam_taken", YES if exam["passed"] else NO)
        if exam["date"]:
            yield f("exam_taken_date", day(exam["date"]))
        if exam["program"]:
            yield f("exam_taken_program", c(exam["program"]))
        if exam["track"]:
            yield f("exam_taken_essay", c(exam["track"]))

    for m, ms in enumerate(data["memberships"]):
        n = Number(m)
        yield f("membership", n, String(association(ms["association"])))
        if ms["start"]:
            yield f("membership_start", n, day(ms["start"]))
        if ms["end"]:
            yield f("membership_end", n, day(ms["end"]))

    for i, lead in enumerate(data["leadership"]):
        n = Number(i)
        yield f("leadership", n, c(lead["level"]))
        if lead["start"]:
            yield f("leadership_start", n, day(lead["start"]))
        if lead["end"]:
            yield f("leadership_end", n, day(lead["end"]))
        if lead["beyond_paid_work"]:
            yield f("beyond_paid", n)

    for i, e in enumerate(data["endorsements"]):
        n = Number(i)
        yield f("held", n, String(e["category"]), String(association(e["association"])))
        if e["earned"]:
            yield f("held_since", n, day(e["earned"]))
        if e["provides_rsc"]:
            yield f("provides_rsc", n)
