# Two entry points for a fresh machine: `make demo` and `make test`. Each creates .venv itself.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

.PHONY: install demo test lint bench dist
install: $(STAMP)

demo: $(STAMP)
	$(BIN)/jxc demo demo --force

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check jxc_xl tests bench
	$(BIN)/ruff format --check jxc_xl tests bench
	$(BIN)/mypy
	$(BIN)/actionlint .github/workflows/*.yml  # the GitHub workflows cannot run here: lint them

# sdist + wheel in dist/, checked as PyPI will (the publish workflow does the same on a v* tag)
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build
	$(BIN)/twine check --strict dist/*

bench: $(STAMP)
	$(BIN)/python bench/bench_formulas.py
	$(BIN)/python bench/bench_read.py
	$(BIN)/python bench/bench_validate.py
	$(BIN)/python bench/bench_sync.py
	$(BIN)/python bench/bench_write.py
	$(BIN)/python bench/bench_import.py
	$(BIN)/python bench/bench_plan.py
