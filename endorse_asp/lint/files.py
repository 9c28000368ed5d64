"""`policy check` of each rule file on its own: it parses (clingo's syntax messages, at their
place, with a hint for a number written with a decimal point or a unit), it grounds with no
facts (unsafe variables...), and a policy's file puts its rules under `#program policy(p).`."""

from __future__ import annotations

import re
from pathlib import Path

import clingo
from clingo import ast

from .. import policy as policymod
from ..parameters import number_words
from .context import ERROR, WARNING, Context, RuleFile
from .statements import location

CLINGO_MESSAGE = re.compile(
    r"^(?P<file>.*?):(?P<line>\d+):(?P<col>\d+)(?:-\d+(?::\d+)?)?: "
    r"(?P<sev>error|warning|info|note): (?P<text>.*)$"
)


def parse(ctx: Context, path: Path, pid: str | None) -> RuleFile:
    rule_file = RuleFile(path, pid)
    messages: list[str] = []
    try:
        ast.parse_files(
            [str(path)],
            rule_file.statements.append,
            logger=lambda code, text: messages.append(text),
            message_limit=50,
        )
    except RuntimeError:
        rule_file.ok = False
        if pid:
            ctx.broken.add(pid)
    for text in messages:
        clingo_message(ctx, text, syntax=True)
    if rule_file.ok:
        _check_safety(ctx, rule_file)
    return rule_file


def _check_safety(ctx: Context, rule_file: RuleFile) -> None:
    """Ground the file on its own, with no facts, so that clingo reports what it cannot
    ground at all (unsafe variables...) at the file's own lines."""
    messages: list = []
    ctl = clingo.Control(["--warn=none"], logger=lambda code, text: messages.append((code, text)), message_limit=50)
    parts = []
    with ast.ProgramBuilder(ctl) as builder:
        for statement in rule_file.statements:
            builder.add(statement)
            if statement.ast_type == ast.ASTType.Program:
                parts.append((statement.name, [clingo.Number(0)] * len(statement.parameters)))
    try:
        ctl.ground(parts)
    except RuntimeError:
        if rule_file.policy:
            ctx.broken.add(rule_file.policy)
        rule_file.ok = False
    for code, text in messages:
        if code == clingo.MessageCode.RuntimeError:
            clingo_message(ctx, text)


def clingo_message(ctx: Context, text: str, syntax: bool = False) -> None:
    """One clingo message (perhaps with notes on further lines) as one problem."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return
    head = CLINGO_MESSAGE.match(lines[0])
    if head is None:
        ctx.add(ctx.root, 1, 1, ERROR, " ".join(s.strip() for s in lines))
        return
    parts, notes = [head.group("text").rstrip(":")], []
    for line in lines[1:]:
        note = CLINGO_MESSAGE.match(line)
        if note:
            notes.append(f"{note.group('text')} (line {note.group('line')}, column {note.group('col')})")
        else:
            rule = re.sub(r"\[#inc_[^\]]*\];?", "", line.strip())
            parts.append(re.sub(r"#Anon\d+", "_", re.sub(r"#Inc\d+", "p", rule)))
    message = parts[0] + (": " + " ".join(parts[1:]) if len(parts) > 1 else "")
    if notes:
        message += "; " + "; ".join(notes)
    severity = ERROR if head.group("sev") == "error" else WARNING
    hint = _number_hint(head.group("file"), int(head.group("line"))) if syntax else None
    if hint:
        message += f" ({hint})"
    elif syntax and "unexpected" in message and int(head.group("col")) == 1:
        message += " (does the statement before it end with a '.'?)"
    elif "unsafe variables" in message:
        message += " (every variable of a rule must also appear in a positive condition of its body)"
    elif "operation undefined" in message:
        message += " (the rule does not apply where this happens: is a number written as text?)"
    ctx.add(head.group("file"), head.group("line"), head.group("col"), severity, message)


def check_program_part(ctx: Context, rule_file: RuleFile) -> None:
    """A policy's rule file puts its rules under `#program policy(p).`."""
    part, declared = "base", False
    for statement in rule_file.statements:
        if statement.ast_type == ast.ASTType.Program:
            part = statement.name
            if part == policymod.PART:
                declared = True
                params = [p.name for p in statement.parameters]
                if params != ["p"]:
                    ctx.add(
                        *location(statement),
                        ERROR,
                        f"write '#program {policymod.PART}(p).': the parameter must be called p "
                        f"(here: {', '.join(params) or 'none'})",
                    )
            elif part != "base":
                ctx.add(
                    *location(statement),
                    WARNING,
                    f"'#program {part}' is not a part `endorse evaluate` grounds for a policy; rules "
                    f"under it are ignored unless some command asks for that part",
                )
            continue
        if part == "base" and statement.ast_type not in (ast.ASTType.Comment, ast.ASTType.Script):
            ctx.add(
                *location(statement),
                ERROR,
                f"rule outside '#program {policymod.PART}(p).': put that line at the top of the file so "
                "the rules apply to this policy only",
            )
            return
    if not declared:
        ctx.add(
            rule_file.path,
            1,
            1,
            ERROR,
            f"no '#program {policymod.PART}(p).' line: put it at the top of the file, before the rules",
        )


def _number_hint(file: str, line: int) -> str | None:
    """For a syntax error on a line that writes a number with a decimal point or a unit: why."""
    try:
        text = Path(file).read_text(encoding="utf-8").splitlines()[line - 1]
    except (OSError, IndexError, UnicodeDecodeError):
        return None
    return number_words(re.sub(r'"[^"]*"|%.*$', "", text))
