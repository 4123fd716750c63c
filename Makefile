# Reintegra — the two set-up commands are `make demo` and `make test`.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
VENV := .venv
REINTEGRA := $(VENV)/bin/reintegra
PYTEST_ARGS ?=

.PHONY: install demo test test-fast test-replica browser-deps bench bench-load lint clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml uv.lock scripts/install.sh $(wildcard src/reintegra/locale/*/LC_MESSAGES/django.po src/reintegra/*/locale/*/LC_MESSAGES/django.po)
	@scripts/install.sh
	@touch $@

demo: install
	$(REINTEGRA) demo

# Browser tests drive Debian's Chromium; install it when missing (the machines run as root).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || { \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "test: installing Debian's chromium for the browser tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "test: could not install chromium; browser tests will fail"; \
	  else echo "test: chromium is missing: sudo apt-get install chromium"; fi; }

# pytest exits 5 when nothing was collected; that is reported, not hidden. Compiled bytecode is kept (under .venv, not
# beside the sources) even where PYTHONDONTWRITEBYTECODE is set: otherwise every process of the run (the workers, the
# template's `migrate`, each server and command a test starts) compiles every module again, ~3 s of CPU apiece.
test: install browser-deps
	@PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX=$(CURDIR)/$(VENV)/pycache \
	  $(VENV)/bin/python -m pytest -n auto $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "test: pytest collected no tests"; fi; exit $$rc

test-fast: install
	$(VENV)/bin/python -m pytest -n auto -m "not browser" $(PYTEST_ARGS)

# The read replica's routing on a real PostgreSQL 15 primary and streaming replica started under /tmp (~1 min).
test-replica: install
	REINTEGRA_REPLICA_TEST=1 $(VENV)/bin/python -m pytest -n0 -m replica tests/replica $(PYTEST_ARGS)

bench: install
	@mkdir -p bench/results
	$(VENV)/bin/python bench/run.py
	$(VENV)/bin/python bench/bench_rss_scoring.py | tee bench/results/rss_scoring.json
	$(VENV)/bin/python bench/bench_regional_matrix.py | tee bench/results/regional_matrix.json
	$(VENV)/bin/python bench/employment_matching.py | tee bench/results/employment_matching.json
	$(VENV)/bin/python bench/bench_monitoring.py  # writes bench/results/monitoring.json

# Concurrent users against `reintegra serve` on PostgreSQL (50, 200) and SQLite (20), two minutes each (~15 min);
# locust is in its own dependency group (the next `make install` leaves it out again).
bench-load: install
	UV_PROJECT_ENVIRONMENT=$(VENV) .tools/bin/uv sync --frozen --group load -q
	$(VENV)/bin/python bench/bench_load.py

lint: install
	$(VENV)/bin/ruff check src tests bench conftest.py
	$(VENV)/bin/ruff format --check src tests bench conftest.py
	$(VENV)/bin/mypy src
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) .tools var/static bench/results
