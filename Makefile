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
	# The exercises four ways, a family of exercises per worker (tests/test_exercises.py), then everything else.
	$(PY) -m pytest -n 2 --dist loadscope tests/test_exercises.py
	$(PY) -m pytest --ignore=tests/test_exercises.py
	# Again as a learner is: a non-root user in the docker group, course and workspace in their home. What differs
	# for them: read routes, reset, ownership. Each exercise solved, graded and reset once; lessons; labs as given.
	bash tools/learner.sh run -n 2 --dist loadscope tests/test_exercises.py -k reset_returns
	bash tools/learner.sh run tests/test_lessons.py tests/test_learner.py tests/test_labs.py -k "not reference_solutions"
	# Once more against rootless Docker: a second learner account runs its own engine, stopped after, pass or fail.
	COURSE_LEARNER=rootless-learner bash tools/rootless.sh run \
	  bash tools/learner.sh run -n 2 --dist loadscope tests/test_exercises.py tests/test_rootless.py -k "reset_returns or rootless"

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
