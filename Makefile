# The project's commands. Each sets up what it needs first: a project-local virtual environment (.venv) built
# from Pipfile.lock, which also carries the Node.js that jsii runs on. A second run reinstalls nothing.
#
#   make synth            synthesize every stack of every environment into cdktf.out/
#   make synth ENV=dev    synthesize one environment (ENV=dev,prod: several)
#   make test             run the whole test suite
#   make review [ENV=dev] synthesize, then print what will be deployed as Markdown tables (docs/quality-gates.md)
#   make benchmark        time a full synth, lazy vs eager provider loading (docs/performance.md)
#   make schema           regenerate environments/schema.json and the tables of docs/environments.md from config/

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

# Terraform: cdktf runs it at synth (the cloud backend checks its version) and the tests load every stack with it.
# The one on PATH is used when it is TERRAFORM_MINIMUM or newer (write-only arguments need 1.11); otherwise
# TERRAFORM_VERSION is downloaded once into TERRAFORM_DIR, checked against scripts/terraform_<version>_SHA256SUMS.
# TERRAFORM_DOWNLOAD_URL=<mirror> replaces HashiCorp's release site.
TERRAFORM_VERSION := 1.11.4
TERRAFORM_MINIMUM := 1.11
TERRAFORM_DIR := $(TOOLS)/terraform/$(TERRAFORM_VERSION)
export PATH := $(abspath $(TERRAFORM_DIR)):$(PATH)

# The cdktf CLI runs on the machine's Node.js: cdktf-cli 0.21 (the last release) ships its terminal module for
# Node 18-22 only, so it cannot use the newer Node that jsii runs on (see cdk.py). The app it starts (main.py)
# still runs jsii on the Node of the virtual environment.
CDKTF_CLI_VERSION := 0.21.0
CDKTF = npx --yes cdktf-cli@$(CDKTF_CLI_VERSION)

.PHONY: help synth test review benchmark schema install lock provider-locks clean list deploy diff require-stack terraform

help:
	@echo "make synth [ENV=dev]   synthesize the example environments into cdktf.out/"
	@echo "make test              run the test suite"
	@echo "make review [ENV=dev]  print what will be deployed, as Markdown tables for a pull request"
	@echo "make list              the stacks, in deployment order"
	@echo "make diff STACK=...    plan one stack (cdktf diff)"
	@echo "make deploy STACK=...  apply one stack (cdktf deploy; asks before applying, ARGS=--auto-approve to skip)"
	@echo "make benchmark         time a full synth, lazy vs eager provider loading [REPEAT=3]"
	@echo "make schema            regenerate environments/schema.json and docs/environments.md's tables"
	@echo "make provider-locks    write locks/<stack>.terraform.lock.hcl [STACK=...] (needs the Terraform registry)"
	@echo "make lock              re-lock Pipfile.lock after editing Pipfile"

$(INSTALLED): Pipfile.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'
	@echo "Setting up $(VENV) from Pipfile.lock (once)..."
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) scripts/lock_requirements.py Pipfile.lock > $(VENV)/requirements.txt
	@$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r $(VENV)/requirements.txt
	@touch $@

install: $(INSTALLED)

# Stops make with one line (what is missing and what to do) when no suitable Terraform can be had.
terraform: $(INSTALLED)
	@$(eval terraform_problem := $(shell TERRAFORM_DOWNLOAD_URL='$(TERRAFORM_DOWNLOAD_URL)' $(PY) scripts/terraform.py --dir $(TERRAFORM_DIR) --version $(TERRAFORM_VERSION) --minimum $(TERRAFORM_MINIMUM)))$(if $(terraform_problem),$(error $(terraform_problem)))

synth: $(INSTALLED) terraform
	@$(PY) main.py $(if $(ENV),--env '$(ENV)')
	@echo "Synthesized into $${CDKTF_OUTDIR:-cdktf.out}/: $$(ls "$${CDKTF_OUTDIR:-cdktf.out}/stacks" | tr '\n' ' ')"

test: $(INSTALLED) terraform
	@$(PY) -m pytest

# Synthesizes first (ENV=... passes through), with synth's messages on stderr: stdout is the Markdown alone,
# ready for `make review > review.md` or a pull request comment.
review: $(INSTALLED)
	@$(MAKE) --no-print-directory synth >&2
	@$(PY) scripts/review.py

list: synth
	@$(PY) scripts/list_stacks.py cdktf.out

require-stack:
	@test -n "$(STACK)" || { echo "usage: make $(MAKECMDGOALS) STACK=<stack>; the stacks are:"; $(PY) main.py && $(PY) scripts/list_stacks.py; exit 2; }
	@major=$$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null); \
	  case "$$major" in 18|20|22) ;; \
	  *) echo "cdktf-cli $(CDKTF_CLI_VERSION) needs Node.js 18, 20 or 22 on PATH (found: $${major:-none})"; exit 2;; esac

diff: $(INSTALLED) terraform require-stack
	@$(CDKTF) diff $(STACK) $(ARGS)

# One stack at a time: the stacks it depends on were deployed before it (make list shows the order), so the CLI's
# check that they are part of the same run is turned off.
deploy: $(INSTALLED) terraform require-stack
	@$(CDKTF) deploy $(STACK) --ignore-missing-stack-dependencies $(ARGS)

# Provider lock files into locks/ (docs/provider-locks.md); needs the Terraform registry. STACK=<stack> for one,
# PLATFORMS="linux_amd64 darwin_arm64" for other platforms than the default four.
provider-locks: synth
	@$(PY) scripts/provider_locks.py refresh $(STACK) $(foreach platform,$(PLATFORMS),--platform $(platform))

benchmark: $(INSTALLED) terraform
	@$(PY) scripts/benchmark.py $(if $(REPEAT),--repeat $(REPEAT))

# The environment files' JSON Schema (editors read it) and the reference tables, generated from the models in
# config/; a test fails when either is stale.
schema: $(INSTALLED)
	@$(PY) scripts/environment_reference.py

lock:
	@test -x $(TOOLS)/bin/pipenv || ($(PYTHON) -m venv $(TOOLS) && $(TOOLS)/bin/pip install --quiet pipenv==$(PIPENV_VERSION))
	PIPENV_VENV_IN_PROJECT=1 PIPENV_VERBOSITY=-1 $(TOOLS)/bin/pipenv lock

clean:
	rm -rf cdktf.out cdktf.out.staging cdktf.out.retired .pytest_cache
