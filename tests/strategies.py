"""Hypothesis strategies: valid applicant records, small enough to judge quickly,
varied enough to reach every verdict of every category."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from endorse_asp import load

CODES = ["IFA", "ECFA", "IFS", "ECFS", "IMHS", "ECMHS", "IMHM", "IMHM-C", "IMHM-P", "ECMHM-C", "LEVEL-IV-C"]
ROLES = [
    "current_program_supervisor",
    "rsc_provider",
    "rsc_recipient",
    "supervisor",
    "colleague",
    "student",
    "department_chair",
    "teacher",
    "supervisee",
    "parent",
]
AGES = st.lists(st.sampled_from(["infant", "early_childhood"]), max_size=2, unique=True)
TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=20)  # no control characters (refused)
EPOCH = dt.date(2012, 1, 1)


def dates(low: int = 0, high: int = 4400):
    return st.integers(low, high).map(lambda d: EPOCH + dt.timedelta(days=d))


@st.composite
def spans(draw, longest: int = 1500):
    start = draw(dates())
    return start, start + dt.timedelta(days=draw(st.integers(1, longest)))


@st.composite
def work(draw):
    start, end = draw(spans())
    return {
        "title": draw(TEXT),
        "start": start,
        **({"end": end} if draw(st.booleans()) else {}),
        "paid": draw(st.booleans()),
        "supervised": draw(st.booleans()),
        "internship": draw(st.booleans()),
        "ages": draw(AGES),
        "families_served": draw(st.integers(0, 15)),
        "internship_supervisor_endorsement": draw(st.sampled_from(CODES)),
        "services": draw(
            st.lists(
                st.sampled_from(
                    [
                        "prevention",
                        "early_intervention",
                        "imh_treatment",
                        "rsc_provision",
                        "policy_leadership",
                        "research_faculty",
                        "supervision",
                    ]
                ),
                max_size=3,
                unique=True,
            )
        ),
        "relationship_focus": draw(st.booleans()),
    }


@st.composite
def rsc(draw):
    start, end = draw(spans(800))
    return {
        "provider": draw(st.sampled_from(["Ana Ruiz", "Bo Li", "Cy Diaz"])),
        "provider_endorsement": draw(st.sampled_from(CODES)),
        "provider_vetted": draw(st.booleans()),
        "provider_degree": draw(st.sampled_from(["bachelor", "master", "doctorate"])),
        "start": start,
        "end": end,
        "hours": draw(st.integers(1, 60)),
        "about_own_rsc": draw(st.integers(0, 30)),
        "while": draw(st.lists(st.sampled_from(["services", "rsc_provision"]), min_size=1, max_size=2, unique=True)),
        "ages": draw(AGES),
    }


@st.composite
def applicants(draw):
    """A raw applicant mapping (as YAML would give it)."""
    raw = {
        "id": "gen",
        "name": draw(TEXT),
        "as_of": draw(dates(3000, 5000)),
        "degrees": draw(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "level": st.sampled_from(["associate", "bachelor", "master", "doctorate"]),
                        "title": st.sampled_from(["BA", "MSW", "PhD", "MFA", "M.Ed."]),
                        "related": st.booleans(),
                        "conferred": dates(0, 3000),
                    }
                ),
                max_size=2,
            )
        ),
        "credentials": draw(
            st.lists(st.fixed_dictionaries({"type": st.sampled_from(["cda", "imh_certificate"])}), max_size=1)
        ),
        "training": draw(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "title": TEXT,
                        "hours": st.integers(1, 40) | st.floats(0.5, 40).map(lambda h: round(h, 2)),
                        "date": dates(),
                        "topics": st.lists(
                            st.sampled_from(["relationship_based", "rsc", "dei"]), max_size=2, unique=True
                        ),
                        "didactic": st.booleans(),
                        "focus": st.sampled_from(["infant", "early_childhood", "both"]),
                    }
                ),
                max_size=4,
            )
        ),
        "work": draw(st.lists(work(), max_size=3)),
        "rsc": draw(st.lists(rsc(), max_size=3)),
        "references": draw(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "rater": st.sampled_from(["Ana Ruiz", "Dee Moss", "Eli Fox", "Fay Ng"]),
                        "roles": st.lists(st.sampled_from(ROLES), min_size=1, max_size=2, unique=True),
                        "rater_endorsement": st.sampled_from(CODES),
                        "rater_vetted": st.booleans(),
                    }
                ),
                max_size=4,
            )
        ),
        "memberships": draw(
            st.lists(
                st.fixed_dictionaries(
                    {"association": st.sampled_from(["MI-AIMH", "MassAIMH"]), "start": dates(0, 3000)}
                ),
                max_size=1,
            )
        ),
        "leadership": draw(
            st.lists(
                st.fixed_dictionaries({"activity": TEXT, "level": st.sampled_from(["local", "state"])}), max_size=1
            )
        ),
    }
    for fact in ("ethics_signed", "agreement_signed"):
        if (answer := draw(st.sampled_from([True, False, None]))) is not None:
            raw[fact] = answer
    if draw(st.booleans()):
        raw["exam"] = {
            "passed": draw(st.booleans()),
            "program": draw(st.sampled_from(["imh", "ecmh"])),
            "track": draw(st.sampled_from(["clinical", "policy", "research_faculty"])),
        }
    return raw


def applicant(raw: dict) -> load.Applicant:
    return load.validate(raw, "<generated>")


# The fields an applicant may leave out of an entry, which `need` offers to confirm (needs.CONFIRMABLE).
LEFT_OUT = {
    "work": ["relationship_focus", "ages", "services"],
    "training": ["topics"],
    "rsc": ["ages", "while", "provider_endorsement"],
    "references": ["rater_endorsement", "roles"],
}
FAR_DATE = dt.date(2026, 12, 1)


@st.composite
def far_applicants(draw):
    """An applicant far from every category: a few entries drawn as `applicants` draws them,
    some fields left out, judged on a recent date."""
    raw = draw(applicants())
    far = {"id": "far", "as_of": FAR_DATE}
    for kind in ("degrees", "training", "work", "rsc", "references"):
        entries = raw[kind][: draw(st.integers(0, 2 if kind == "references" else 1))]
        for entry in entries:
            for name in LEFT_OUT.get(kind, []):
                if draw(st.booleans()):
                    entry.pop(name, None)
        if entries:
            far[kind] = entries
    if (where := draw(st.sampled_from([None, "VA", "MI"]))) is not None:
        far["residence"] = where
    return far
