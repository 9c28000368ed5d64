"""Why an entry did not count, in words.

The rules decide the reason (`not_counted/7` in policies/common/not_counted.lp,
each reason being the first condition an entry fails); this module only says
it, with the numbers the reason carries and what the entry itself records.
"""

from __future__ import annotations

from .words import DEGREES, date, days, listing

FLAGS = {
    "paid": "paid",
    "supervised": "supervised",
    "relationship_focus": "relationship-focused",
    "trained_volunteer_or_paid": "paid, or supervised volunteer work with specialized training",
}
FLAG_FIELDS = {
    "paid": "paid",
    "supervised": "supervised",
    "relationship_focus": "relationship_focus",
    "trained_volunteer_or_paid": "paid",
}


def reason(kind: str, why, entry: dict, data: dict, lists: dict) -> str:
    """The reason `why` (a decoded term) that entry `entry` of list `kind` did not count.
    `lists` holds, per test key, the endorsement codes, services and flags the rules accept."""
    name: str = why if isinstance(why, str) else why[0]
    args: tuple = () if isinstance(why, str) else tuple(why[1:])
    match name:
        case "later":
            return f"dated {date(args[0])}, after the evaluation date"
        case "outside_year":
            return f"dated {date(args[0])}, outside the renewal year"
        case "focus":
            return f"its focus ({args[0].replace('_', ' ')}) does not serve this category's age group"
        case "topic":
            if args == ("rsc",):
                return "not about providing RS/C (topic rsc)"
            if args == ("parts",):
                return "on none of the topics the parts count (relationship_based, rsc, dei)"
            return "on neither topic that counts (relationship_based, rsc)"
        case "not_didactic":
            return "not didactic (didactic: false); only didactic training counts here"
        case "before_degree":
            level, day = args
            return f"before the {DEGREES[level]} degree it counts from ({date(day)})"
        case "no_degree":
            return f"counts only after a {DEGREES[args[0]]} degree, and none is on record"
        case "ages":
            return "not for this category's age group (ages: " + (", ".join(entry.get("ages") or []) or "none") + ")"
        case "while":
            doing = ", ".join(entry.get("while") or []) or "nothing stated"
            return f"not received while doing what this requirement names (while: {doing})"
        case "too_long":
            length, most = args
            return (
                f"runs {length:,} days ({entry['start']} to {entry['end']}); "
                f"a qualifying window is at most {most:,} days"
            )
        case "provider":
            held = entry.get("provider_endorsement")
            accepted = listing([_provider(x) for x in lists.get(args[0], {}).get("provider", [])])
            if held:
                return f"the provider's endorsement ({held}) is not on this requirement's list ({accepted})"
            return f"no provider endorsement stated (provider_endorsement); this requirement asks for {accepted}"
        case "provider_review":
            return "its provider qualifies only on review, and the verdict rests on outright qualified providers"
        case "outside_window":
            return f"outside the window counted ({date(args[0])} to {date(args[1])})"
        case "no_window":
            return f"the qualifying entries do not make up a window of at least {days(args[0])}"
        case "no_about_own":
            return "records no hours about the RS/C the applicant provides (about_own_rsc)"
        case "internship":
            return "an internship, which this requirement does not count"
        case "lacks":
            flag = args[0]
            return f"not stated to be {FLAGS.get(flag, flag)} ({FLAG_FIELDS.get(flag, flag)})"
        case "services":
            wanted = listing(lists.get(args[0], {}).get("services", []), "or")
            return (
                "provides none of the services counted here ("
                + wanted
                + "; services: "
                + (", ".join(entry.get("services") or []) or "none")
                + ")"
            )
        case "intern_supervisor":
            held = entry.get("internship_supervisor_endorsement")
            accepted = listing(lists.get(args[0], {}).get("supervisor", []))
            if held:
                return f"the internship supervisor's endorsement ({held}) is not on the list ({accepted})"
            return f"no internship supervisor endorsement stated; the internship route asks for {accepted}"
        case "unfamiliar":
            return "the rater is not familiar with IMH principles (familiar_with_imh: false)"
        case "same_person":
            other = args[0]
            return f"same person as references[{other}] ({data['references'][other]['rater']}); a rater fills one slot"
        case "role":
            roles = ", ".join(entry.get("roles") or []) or "none"
            return f"not in a role this rating asks for (roles: {roles})"
        case "role_if":
            return f"a {args[0]} counts here only when the applicant supervises staff"
        case "slot_taken":
            return f"fits, but references[{args[0]}] fills this slot"
        case "no_endorsement":
            return "the rater holds no endorsement (rater_endorsement)"
        case "endorsement_not_listed":
            return f"the rater's endorsement ({args[0]}) is not one this requirement accepts"
        case "not_seated":
            return "the rater fills none of the rating slots"
        case "no_transcript":
            return "no official transcript supplied (transcript: false)"
        case "level":
            return f"a {DEGREES[args[0]]} degree is below the level this requirement asks for"
        case "title":
            return f"its title ({entry.get('title') or 'none'}) is not among the degrees listed"
        case "not_related":
            return "its field is not marked related (related: true)"
        case "failed":
            return "not passed"
        case "program":
            return f"taken for program {args[0]}; this category asks for {args[1]}"
        case "track":
            return f"its essay track ({args[0].replace('_', ' ')}) is not this category's"
        case "lapsed":
            return f"lapsed on {date(args[0])}"
        case "association":
            return f"a membership in {entry.get('association')}; this requirement asks for {args[0]}"
        case "lead_level":
            return f"at the {args[0]} level, which this requirement does not count"
        case "undated":
            return "no start date, so its length cannot be measured"
        case "not_needed":
            return "not needed: the requirement is judged on other entries"
    return name.replace("_", " ")


def _provider(accepted) -> str:
    """An entry of a requirement's list of RS/C providers: an endorsement code, or a way on review."""
    if accepted == "vetted":
        return "a provider the association has vetted (on review)"
    if isinstance(accepted, tuple) and accepted[0] == "prepared":
        return f"{accepted[1]} with a {DEGREES[accepted[2]]} degree (on review)"
    return str(accepted)


def to_confirm(kind: str, why, entry: dict, association: str) -> str:
    """What a reviewer is asked to confirm (`confirm/7` in the rules, ruling 7) about an entry
    that a requirement met only on review counted."""
    name: str = why if isinstance(why, str) else why[0]
    args: tuple = () if isinstance(why, str) else tuple(why[1:])
    match name:
        case "vetted" if kind == "rsc":
            return f"confirm that {entry['provider']} is vetted by {association} as an RS/C provider"
        case "vetted":
            return f"confirm that {entry['rater']} is vetted by {association}"
        case "prepared":
            code, level = args
            return (
                f"confirm that {entry['provider']} ({code}, with a {DEGREES[level]} degree or higher) is prepared "
                "to provide RS/C at this level"
            )
        case "track":
            held, code = args
            return f"confirm that {entry['provider']}'s {held} endorsement is of the track {code} asks for"
        case "internship":
            return f"confirm that the internship {entry.get('title') or ''} counts toward work experience".replace(
                "  ", " "
            )
        case "related":
            return f"confirm that the field of {entry.get('title') or 'this degree'} is related to infant mental health"
        case "focus":
            return f"confirm that the applicant's certificate or specialization gives {entry.get('title') or 'this degree'} the focus"
        case "unlisted":
            return f"confirm that {entry.get('title') or 'this degree'}, not on the list of degrees, qualifies"
        case "work_route":
            return f"confirm that the work {entry.get('title') or ''} counts toward the education requirement".replace(
                "  ", " "
            )
    return f"confirm {name.replace('_', ' ')}"


def entry_name(kind: str, index) -> str:
    """How outputs name an entry: `work[0]`, `exam`, or a signature's field (`ethics_signed`)."""
    if kind == "signature":
        return f"{index}_signed"
    return "exam" if kind == "exam" else f"{kind}[{index}]"


def entry_of(data: dict, kind: str, index):
    if kind == "signature":
        return data[f"{index}_signed"]
    return data["exam"] if kind == "exam" else data[kind][index]
