# endorse-asp: `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test bench check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/endorse policy list
	@echo
	$(BIN)/endorse evaluate facts/

test: $(STAMP)
	$(BIN)/python -m pytest -q
	$(BIN)/endorse policy test

# Bytecode first, as a non-editable install has it (and as the import floor's packages have it):
# where PYTHONDONTWRITEBYTECODE is set, an editable install would otherwise recompile at every start.
bench: $(STAMP)
	$(BIN)/python -m compileall -q endorse_asp
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
