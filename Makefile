# Two commands set everything up on a fresh machine:
#   make demo   install what is missing, then run the whole flow on the embedded default
#   make test   install what is missing, then run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test deps system venv clean bench

demo: deps
	$(BIN)/o2c demo

test: deps
	$(BIN)/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

deps: system venv

system:
	@bash scripts/install-system-deps.sh

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e ".[test]"
	touch $(STAMP)

bench: deps
	$(BIN)/python -m pip install -q -e ".[test,bench]"
	$(BIN)/o2c bench extraction

clean:
	rm -rf $(VENV) o2c-data *.egg-info
