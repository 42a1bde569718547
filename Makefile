# Every target bootstraps .venv from nothing; nothing is assumed installed but python3.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_DEV := $(VENV)/.stamp-dev
STAMP_RUN := $(VENV)/.stamp-run

.PHONY: test test-all lint bench demo clean format

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP_DEV): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev,zigzag,dashboard]'
	touch $@

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

test: $(STAMP_DEV)
	$(BIN)/python -m pytest -q -m "not slow"

test-all: $(STAMP_DEV)
	$(BIN)/python -m pytest -q

lint: $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP_DEV)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP_DEV)
	$(BIN)/python bench/cost_model.py
	$(BIN)/python bench/mapper.py
	$(BIN)/python bench/study.py

demo: $(STAMP_RUN)
	$(BIN)/zigzag-opt demo --study studies/edge_resnet18/study.yaml

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
