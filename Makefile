# FibroSite: `make run` to try it, `make test` to check it.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
TEST_ENV := DJANGO_SETTINGS_MODULE=fibrosite.test_settings
HOST ?= 127.0.0.1
PORT ?= 8000

CHROMIUM := /usr/bin/chromium
# Browser tests run when Chromium is installed (CI installs it; see .ci/run).
BROWSER_FILTER := $(if $(wildcard $(CHROMIUM)),,-m "not browser")

.PHONY: install run serve test lint test-browser bench audit screenshots loadtest clean import-demo

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@if [ ! -x $(PY) ]; then \
	  python=$${PYTHON:-$$(scripts/find-python)} || exit 1; \
	  echo "Creating $(VENV) with $$python"; \
	  "$$python" -m venv $(VENV) || exit 1; \
	fi
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

# The site's own links (mail, feeds, og:url) follow HOST and PORT.
run: export DJANGO_DEBUG = true
run: export SITE_URL = http://$(HOST):$(PORT)
run: install
	@scripts/port-free $(HOST) $(PORT)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@# The task worker (mail, imports) runs beside the server and stops with it.
	@$(PY) manage.py db_worker --no-reload -v 0 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py create_demo_editor && \
	  $(PY) manage.py runserver $(HOST):$(PORT)

# Production settings under gunicorn on plain http (set DJANGO_SECRET_KEY to keep sessions).
serve: install
	@if [ -z "$$DJANGO_SECRET_KEY" ]; then echo "DJANGO_SECRET_KEY is not set: using a throwaway key for this run."; fi
	@export DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')}; \
	  $(PY) manage.py migrate --noinput && \
	  $(PY) manage.py collectstatic --noinput -v 0 && \
	  $(PY) manage.py load_demo && \
	  { $(PY) manage.py db_worker -v 0 & worker=$$!; \
	    trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	    DJANGO_SERVE_MEDIA=$${DJANGO_SERVE_MEDIA:-true} $(VENV)/bin/gunicorn fibrosite.wsgi --workers 2 --bind $(HOST):$(PORT) --no-control-socket --access-logfile -; }

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint
	$(TEST_ENV) $(PY) manage.py check --fail-level WARNING
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run
	@if [ -z "$(wildcard $(CHROMIUM))" ]; then echo "Chromium not found: skipping browser tests (apt-get install chromium)"; fi
	$(PY) -m pytest $(BROWSER_FILTER) $(PYTEST_ARGS)

test-browser: install
	@test -x $(CHROMIUM) || { echo "Browser tests need Chromium: apt-get install -y chromium"; exit 1; }
	$(PY) -m pytest -m browser $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) staticfiles

# Benchmark: the site under gunicorn beside a minimal Django view and a static file (see bench/run.py).
bench: install
	@command -v wrk >/dev/null || { echo "make bench needs wrk: apt-get install -y wrk"; exit 1; }
	$(PY) bench/run.py --db sqlite $(BENCH_ARGS)
	$(PY) bench/run.py --db postgres $(BENCH_ARGS)
	$(PY) bench/search.py --db sqlite
	$(PY) bench/search.py --db postgres
	$(PY) bench/ops.py --db sqlite
	$(PY) bench/ops.py --db postgres
	@command -v nginx >/dev/null || { echo "The front benchmark needs nginx: apt-get install -y nginx-light"; exit 1; }
	$(PY) bench/front.py --db sqlite
	$(PY) bench/front.py --db postgres

# Audit: Lighthouse, axe and the Nu HTML checker on the main pages (see audit/run.py).
audit: install
	@test -x $(CHROMIUM) || { echo "make audit needs Chromium: apt-get install -y chromium"; exit 1; }
	cd audit && npm ci --no-audit --no-fund --silent
	$(PY) audit/run.py

# Screenshots: phone and desktop, light, dark and largest text, into artifacts/screenshots/
# (SCREENSHOTS_ARGS=--docs also refreshes the README's pair in docs/).
screenshots: install
	@test -x $(CHROMIUM) || { echo "make screenshots needs Chromium: apt-get install -y chromium"; exit 1; }
	$(PY) audit/screenshots.py $(SCREENSHOTS_ARGS)

# Load test: two gunicorn instances on PostgreSQL + Redis, 90% reads / 10% form posts.
loadtest: install
	$(PY) loadtest/run.py $(LOADTEST_ARGS)

# Import a small sample Blogger export (articles/blogger/sample/) into the demo site.
import-demo: export DJANGO_DEBUG = true
import-demo: install
	$(PY) scripts/import_demo.py
