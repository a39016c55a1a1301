# The project's commands. Each sets up what it needs first: a project-local virtual environment (.venv) built
# from Pipfile.lock, which also carries the Node.js that jsii runs on. A second run reinstalls nothing.
#
#   make synth            synthesize every stack of every environment into cdktf.out/
#   make synth ENV=dev    synthesize one environment
#   make test             run the whole test suite

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Written after a complete install; rebuilt only when Pipfile.lock changes.
INSTALLED := $(VENV)/.installed-from-lock
# pipenv re-locks (make lock); it lives in its own virtual environment so that its dependencies never mix with
# the project's (checkov pins an older `packaging` than pipenv wants).
PIPENV_VERSION := 2026.10.3
TOOLS := .tools
# cdktf CLI and jsii: no telemetry, no update notices.
export CHECKPOINT_DISABLE := 1
export DISABLE_VERSION_CHECK := 1

.PHONY: help synth test install lock clean

help:
	@echo "make synth [ENV=dev]   synthesize the example environments into cdktf.out/"
	@echo "make test              run the test suite"
	@echo "make lock              re-lock Pipfile.lock after editing Pipfile"

$(INSTALLED): Pipfile.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'
	@echo "Setting up $(VENV) from Pipfile.lock (once)..."
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) scripts/lock_requirements.py Pipfile.lock > $(VENV)/requirements.txt
	@$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r $(VENV)/requirements.txt
	@touch $@

install: $(INSTALLED)

synth: $(INSTALLED)
	@$(PY) main.py $(if $(ENV),--env $(ENV))
	@echo "Synthesized into cdktf.out/: $$(ls cdktf.out/stacks | tr '\n' ' ')"

test: $(INSTALLED)
	@$(PY) -m pytest

lock:
	@test -x $(TOOLS)/bin/pipenv || ($(PYTHON) -m venv $(TOOLS) && $(TOOLS)/bin/pip install --quiet pipenv==$(PIPENV_VERSION))
	PIPENV_VENV_IN_PROJECT=1 PIPENV_VERBOSITY=-1 $(TOOLS)/bin/pipenv lock

clean:
	rm -rf cdktf.out cdktf.out.staging cdktf.out.retired .pytest_cache
