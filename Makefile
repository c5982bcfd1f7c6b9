# The two set-up commands of the README. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: serve test bench

$(BIN)/lexrepo: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,postgres]'
	touch $@

# The main job: a library of the bundled sample corpus on the embedded default (SQLite + Whoosh).
serve: $(BIN)/lexrepo
	$(BIN)/lexrepo ingest corpus/samples --manifest corpus/samples/manifest.toml
	$(BIN)/lexrepo serve

test: $(BIN)/lexrepo
	$(BIN)/python -m pytest -q

bench: $(BIN)/lexrepo
	$(BIN)/python bench/ingest.py
