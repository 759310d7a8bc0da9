# Two set-up commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-slow bench bench-peers install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/ecocity assess examples/tongzhou --out demo-out --years 10

test: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider

test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider -m slow

# Peers (EXPOsan/QSDsan and bsm2-python for the wastewater benchmarks; eemeter 2.10.11 and 4.x for
# the buildings benchmark) live in their own environments; `make bench` runs without them and
# reports "peer not installed".
PEERS := benchmarks/.venv-peers
PEERS_STAMP := $(PEERS)/.installed

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

$(PEERS_STAMP): benchmarks/peers/requirements.txt benchmarks/peers/constraints.txt benchmarks/peers/setup.sh
	sh benchmarks/peers/setup.sh $(PYTHON)
	touch $(PEERS_STAMP)

EEMETER_STAMP := benchmarks/.venv-eemeter4/.installed

$(EEMETER_STAMP): benchmarks/peers/eemeter_env.sh
	sh benchmarks/peers/eemeter_env.sh $(PYTHON) all
	touch $(EEMETER_STAMP)

bench-peers: $(PEERS_STAMP) $(EEMETER_STAMP)

clean:
	rm -rf $(VENV) demo-out
