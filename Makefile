# PartnerHub: `make run` serves the portal with a worker and beat; `make test` runs the suite.
# Both install everything they need into .venv first, and start the embedded PostgreSQL and
# Redis unless DATABASE_URL / REDIS_URL are set.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# Two pytest workers (the machine's two cores); `make test PYTEST_ARGS=...` replaces them.
PYTEST_ARGS ?= -n 2
# The browser tests (tests/browser/) drive Debian's chromium; Playwright never downloads a browser.
CHROMIUM := /usr/bin/chromium

.PHONY: install chromium run test lint format check-migrations lock stop bench clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium; \
	else \
		echo "The browser tests need Debian's chromium at $(CHROMIUM): run 'sudo apt-get install -y chromium', then make test again."; \
		exit 1; \
	fi

chromium: $(CHROMIUM)

run: install
	$(PY) -m partnerhub.dev run

test: install $(CHROMIUM)
	$(PY) -m partnerhub.dev test $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Re-pin every transitive dependency after changing pyproject.toml.
lock: install
	$(PY) -m pip freeze --exclude-editable | grep -v '^-e ' > constraints.txt

# Scale benchmarks of partner ranking, the plan page, the big API lists and MDF (bench/README.md); not
# part of `make test`.
# Generates the two bench tenants once (in the partnerhub_bench database), then measures.
bench: install
	$(PY) -m bench.generate
	$(PY) -m bench.generate --scale 0.1
	$(PY) -m bench.planning --json bench/results/planning.json
	$(PY) -m bench.lists --json bench/results/lists.json
	$(PY) -m bench.mdf --json bench/results/mdf.json
	$(PY) -m bench.reporting --json bench/results/reporting.json

stop: install
	$(PY) -m partnerhub.dev stop

clean: stop
	rm -rf .partnerhub staticfiles
