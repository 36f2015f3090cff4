# Quick start: `make start` (read the book, do the labs) and `make test` (everything CI runs).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: start test engine book bench clean check dev-check

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]' --config-settings editable_mode=compat
	@touch $@

start: $(STAMP)
	$(PY) tools/start.py

# First thing to run, no engine needed, under a minute: the course record in plain words, then every test not
# marked engine or slow. DOCKER_HOST names a socket that does not exist, so a test that reaches for an engine
# without its engine mark fails loudly instead of using one.
check: $(STAMP)
	$(PY) tools/dev_check.py
	DOCKER_HOST=unix:///nonexistent/docker.sock $(PY) -m pytest -p no:cacheprovider -q -m "not engine and not slow"

# Only the course record (tools/dev_check.py): ids, owned names, pages, labs, _toc.yml, Next: links, images.
dev-check: $(STAMP)
	$(PY) tools/dev_check.py

engine: $(STAMP)
	bash tools/engine.sh ensure

test: $(STAMP)
	bash tools/engine.sh ensure
	bash tools/browser.sh
	bash tools/node.sh
	# Two streams side by side (tools/test_streams.sh): what uses the test engine's course names, one step after
	# another (the exercises four ways, the rest as root, then as a docker-group learner); beside it, the tests
	# that need no engine or only engines and names of their own, then the rootless learner on their own engine.
	bash tools/test_streams.sh

# Re-record the lab runs the book shows (book/lab-runs/), all or LABS="06 12"; take the engine lock on a shared machine.
.PHONY: lab-runs
lab-runs: $(STAMP)
	bash tools/engine.sh ensure
	$(PY) tools/record_labs.py $(LABS)

book: $(STAMP)
	$(VENV)/bin/jupyter-book build --warningiserror --keep-going .

bench: $(STAMP)
	bash tools/engine.sh ensure
	$(PY) bench/run.py

clean:
	rm -rf _build $(VENV)

# A class on one server (classroom/, book/instructors/): JupyterHub with the course image and a private engine
# per learner. `make class` prints the address and the class code; `make class-end` removes the whole class.
.PHONY: class class-end
class: $(STAMP)
	$(PY) -m classroom serve

class-end: $(STAMP)
	$(PY) -m classroom end
