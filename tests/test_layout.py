"""The layout of docs/architecture.md, held: the pipeline is a library, with no command line and
no rendering in it."""

import json
import subprocess
import sys
from pathlib import Path

# load -> facts -> solve -> explain, the policy they are judged by, and the front door.
PIPELINE = [
    "endorse_asp.load",
    "endorse_asp.facts",
    "endorse_asp.parameters",
    "endorse_asp.policy_file",
    "endorse_asp.policy",
    "endorse_asp.solve",
    "endorse_asp.explain",
    "endorse_asp.reasons",
    "endorse_asp.words",
    "endorse_asp.terms",
    "endorse_asp.evaluate",
]
PRESENTATION = ["click", "jinja2"]


def test_the_pipeline_imports_neither_click_nor_jinja2():
    # In a fresh interpreter, each module in turn: a module that brings one in is named.
    code = (
        "import importlib, json, sys\n"
        "found = {}\n"
        f"for name in {PIPELINE!r}:\n"
        "    importlib.import_module(name)\n"
        f"    found[name] = [m for m in {PRESENTATION!r} if m in sys.modules]\n"
        "print(json.dumps(found))\n"
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    found = json.loads(done.stdout)
    assert found == {name: [] for name in PIPELINE}


def test_the_architecture_names_every_module():
    root = Path(__file__).resolve().parent.parent
    text = (root / "docs" / "architecture.md").read_text(encoding="utf-8")
    modules = sorted(
        p.name for p in (root / "endorse_asp").glob("*.py") if p.name not in {"__init__.py", "__main__.py"}
    )
    assert [m for m in modules if f"`{m}`" not in text] == []
