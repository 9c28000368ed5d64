# endorse-asp: `make demo`, `make test` and `make check` work on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SOURCES := endorse_asp tests bench

.PHONY: demo test test-installed bench check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,check]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/endorse policy list
	@echo
	$(BIN)/endorse evaluate facts/

test: $(STAMP)
	$(BIN)/python -m pytest -q
	$(BIN)/endorse policy test

# A wheel built from a copy of the tracked files, installed in a fresh virtualenv under the
# temporary folder, run from another folder (tests/test_packaging.py, marked slow).
test-installed: $(STAMP)
	$(BIN)/python -m pytest -q -m slow tests/test_packaging.py

# Lint and format check (ruff), types (mypy, configured in pyproject.toml), and the policies' own lint.
check: $(STAMP)
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/ruff format --check $(SOURCES)
	$(BIN)/mypy
	$(BIN)/endorse policy check

# Bytecode first, as a non-editable install has it (and as the import floor's packages have it):
# where PYTHONDONTWRITEBYTECODE is set, an editable install would otherwise recompile at every start.
bench: $(STAMP)
	$(BIN)/python -m compileall -q endorse_asp
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .mypy_cache .ruff_cache build *.egg-info
