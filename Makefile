# Cascada: the two commands are `make run` and `make test`. Nothing else is needed.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: install run test lint security-scan bench demo clean messages

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -e ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/cascada migrate --noinput -v0
	$(BIN)/cascada collectstatic --noinput -v0
	$(BIN)/cascada demo
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho -f Procfile.dev start -p $(PORT)

lint: install
	$(BIN)/ruff check cascada tests
	$(BIN)/ruff format --check cascada tests
	$(BIN)/mypy cascada
	DJANGO_SETTINGS_MODULE=cascada.config.settings.test $(BIN)/cascada makemigrations --check --dry-run -v1
	@$(MAKE) --no-print-directory security-scan

# S22: bandit on the code, pip-audit on the pins (offline: warns, does not fail).
# Skips, nosec lines and ignored advisories: docs/decisions/code-scanning.md.
security-scan: install
	$(BIN)/bandit -c pyproject.toml -r cascada -q --severity-level medium
	$(BIN)/python scripts/audit_dependencies.py

test: lint
	$(BIN)/pytest -n 2 --dist worksteal $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

messages: install
	cd cascada && ../$(BIN)/cascada makemessages -l es --no-obsolete --ignore '*/tests/*' && ../$(BIN)/cascada compilemessages -l es

clean:
	rm -rf $(VENV) var/static
