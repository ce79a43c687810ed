# `make run` and `make test` are all a newcomer needs: both create the venv and install on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench console odds clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	@$(BIN)/shuoshi run

console: $(STAMP)
	@$(BIN)/shuoshi console

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# the urgency odds are counted from the labelled sets (never the held-out test.jsonl): rerun after adding a
# set or changing the normaliser; tests/test_urgency_odds.py fails while the shipped table is stale
odds: $(STAMP)
	@$(BIN)/python -m bot.urgency_odds knowledge/urgency_grams.json tests/data/dev*.jsonl

clean:
	rm -rf $(VENV) build *.egg-info
