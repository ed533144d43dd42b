# Every target installs what it needs into .venv on first use.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.DEFAULT_GOAL := help
.PHONY: help install run up down status dlq register download codegen codegen-check compat lint \
        docs docs-check test test-unit bench replay clean system-deps

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "installing into $(VENV) (first use only)..."
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install the project with its dev tools

system-deps: ## Debian packages the tests need (PostgreSQL server), installed only where missing
	@.ci/system-deps

run: $(STAMP) ## start the embedded stack, place demo orders, show the live flow until Ctrl-C
	@$(PY) -m stack run

up: $(STAMP) ## start the embedded stack in the background and wait until healthy (INSTANCES=2: two of each service)
	@$(PY) -m stack up $(if $(INSTANCES),--instances $(INSTANCES))

down: $(STAMP) ## stop everything `make up` started
	@$(PY) -m stack down

status: $(STAMP) ## services, consumer groups, lag, DLQ counts
	@$(PY) -m stack status

dlq: $(STAMP) ## dead letter queue: ARGS="list | show N | redrive N...|--all [--reason CLASS]"
	@$(PY) -m stack dlq $(ARGS)

register: $(STAMP) ## register the contracts at SCHEMA_REGISTRY_URL (DRY_RUN=1, SUBJECTS="s1 s2")
	@$(PY) -m stack register $(if $(DRY_RUN),--dry-run) $(foreach s,$(SUBJECTS),--subject $(s))

download: $(STAMP) ## the registry's latest schemas as files (REGISTRY=url, OUTPUT=dir, SUBJECTS=...)
	@$(PY) -m gate download --registry $(or $(REGISTRY),$(SCHEMA_REGISTRY_URL),http://127.0.0.1:8081) \
		--output $(or $(OUTPUT),var/registry-schemas) $(foreach s,$(SUBJECTS),--subject $(s))

codegen: $(STAMP) ## contracts/ -> services/events/generated.py (typed pydantic classes)
	@$(PY) -m codegen

codegen-check: $(STAMP) ## fail if the generated classes are stale
	@$(PY) -m codegen --check

compat: $(STAMP) ## compatibility gate (AGAINST=rev: vs merge base, REGISTRY=url, FORMAT=text|json|github|junit, JUNIT=file)
	@$(PY) -m gate compat $(if $(AGAINST),--against $(AGAINST)) $(if $(REGISTRY),--registry $(REGISTRY)) $(if $(FORMAT),--format $(FORMAT)) $(if $(JUNIT),--junit $(JUNIT))

# mypy: every package, and the tests' shared helpers and conftest files (not the tests themselves)
MYPY_PATHS = avrokit codegen console dbkit registry gate services stack bench \
             $(sort $(shell find tests -name '*.py' ! -name 'test_*'))

lint: $(STAMP) ## contract lint rules, then ruff (check and format --check), then mypy
	@$(PY) -m gate lint $(if $(FORMAT),--format $(FORMAT)) $(if $(JUNIT),--junit $(JUNIT))
	@$(PY) -m ruff check .
	@$(PY) -m ruff format --check .
	@$(PY) -m mypy $(MYPY_PATHS)

docs: $(STAMP) ## AsyncAPI 3.0 document, Markdown event catalog, JSON Schemas of the YAML files
	@$(PY) -m gate docs

docs-check: $(STAMP) ## fail if the generated docs or gate/RULES.md are stale
	@$(PY) -m gate docs --check
	@$(PY) -m gate rules --check

test: $(STAMP) system-deps ## the whole test suite (unit, integration, end-to-end)
	@$(PY) -m pytest $(PYTEST_ARGS)

test-unit: $(STAMP) ## unit tests only (no broker, no registry)
	@$(PY) -m pytest tests/unit $(PYTEST_ARGS)

bench: $(STAMP) ## benchmarks; results written to bench-results/
	@$(PY) -m bench

replay: $(STAMP) ## rebuild the order projection from the topics into a fresh store
	@$(PY) -m services.order.replay

clean: ## remove the virtualenv and local state
	rm -rf $(VENV) var .pytest_cache
