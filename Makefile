# socialops — `make demo` runs the product, `make test` runs every check. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
PORT ?= 8000
# The demo's sandbox platform; a second checkout's demo runs beside the first with another port.
SANDBOX_PORT ?= 8900
STAMPS := .stamps
VENDOR := src/socialops/web/static/vendor
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15
PYTEST_ARGS ?=

.PHONY: demo test test-pg smoke baselines install assets messages system-deps lint typecheck djcheck pytest clean

# ---- installation -------------------------------------------------------------------------
$(STAMPS):
	@mkdir -p $(STAMPS)

$(STAMPS)/venv: pyproject.toml | $(STAMPS)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

$(STAMPS)/npm: package.json package-lock.json | $(STAMPS)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Vendor files are copied from node_modules, never committed. TipTap ships ES modules only:
# esbuild (a devDependency) bundles the parts the article editor uses into one classic script.
$(STAMPS)/assets: $(STAMPS)/npm frontend/tiptap.js | $(STAMPS)
	@mkdir -p $(VENDOR)/htmx $(VENDOR)/bootstrap $(VENDOR)/echarts $(VENDOR)/fullcalendar $(VENDOR)/swagger-ui $(VENDOR)/tiptap
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/js/bootstrap.bundle.min.js $(VENDOR)/bootstrap/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts/
	cp node_modules/fullcalendar/index.global.min.js $(VENDOR)/fullcalendar/fullcalendar.min.js
	cp node_modules/@fullcalendar/core/locales-all.global.min.js $(VENDOR)/fullcalendar/locales-all.min.js
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css $(VENDOR)/swagger-ui/
	node_modules/.bin/esbuild frontend/tiptap.js --bundle --minify --format=iife --global-name=SocialopsTiptap \
	  --target=es2019 --legal-comments=eof --log-level=warning --outfile=$(VENDOR)/tiptap/tiptap.min.js
	@touch $@

# Compiled translations (.mo) are build output like the vendor files.
messages: $(STAMPS)/venv
	@command -v msgfmt >/dev/null || $(MAKE) --no-print-directory system-deps
	@SOCIALOPS_DATA_DIR=$$(mktemp -d) $(BIN)/socialops compilemessages --ignore=.venv --ignore=node_modules -v 0

install: $(STAMPS)/venv $(STAMPS)/assets messages

# Debian packages the browser tests, translations and report PDFs (WeasyPrint: Pango; pdftoppm to look
# at a page) need; installed only when missing.
system-deps:
	@missing=""; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing="$$missing fonts-noto-cjk"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	dpkg -s libpango-1.0-0 >/dev/null 2>&1 || missing="$$missing libpango-1.0-0"; \
	dpkg -s libpangoft2-1.0-0 >/dev/null 2>&1 || missing="$$missing libpangoft2-1.0-0"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; \
	fi

# ---- run ------------------------------------------------------------------------------------
# The demo talks to its sandbox platform on 127.0.0.1: the egress policy allows loopback for it.
demo: export SOCIALOPS_EGRESS_ALLOW = 127.0.0.0/8,::1/128
demo: install
	DEBUG=1 $(BIN)/socialops migrate --noinput -v 0
	DEBUG=1 $(BIN)/socialops demo --if-empty
	@$(PY) -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', $(SANDBOX_PORT)))" 2>/dev/null || \
	  { echo "Port $(SANDBOX_PORT) is taken (another demo's sandbox?): run with SANDBOX_PORT=<free port>." >&2; exit 1; }
	@echo "socialops on http://127.0.0.1:$(PORT)/  (Ctrl-C stops the server, the worker and the sandbox platform)"
	@export SOCIALOPS_SANDBOX_URL=http://127.0.0.1:$(SANDBOX_PORT); \
	trap 'kill $$worker $$sandbox 2>/dev/null; wait $$worker $$sandbox 2>/dev/null; exit 0' INT TERM EXIT; \
	DEBUG=1 $(BIN)/socialops sandbox --port $(SANDBOX_PORT) & sandbox=$$!; \
	DEBUG=1 $(BIN)/socialops worker & worker=$$!; \
	DEBUG=1 $(BIN)/socialops demo_publish_loop --wait 30 || exit 1; \
	DEBUG=1 PORT=$(PORT) $(BIN)/socialops serve

# ---- checks ---------------------------------------------------------------------------------
lint: $(STAMPS)/venv
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMPS)/venv
	$(BIN)/mypy

djcheck: install
	SOCIALOPS_DATA_DIR=$$(mktemp -d) $(BIN)/socialops check --fail-level WARNING
	SOCIALOPS_DATA_DIR=$$(mktemp -d) $(BIN)/socialops makemigrations --check --dry-run

pytest: install system-deps
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

test: install system-deps lint typecheck djcheck pytest

# The same suite against PostgreSQL with the job queue on Redis (what .ci/run does second).
test-pg: install system-deps
	DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS_TEST_URL) $(BIN)/pytest -n 2 $(PYTEST_ARGS)

# A team install on this machine under load (PostgreSQL + Redis on 127.0.0.1; docs/deploy.md).
# SMOKE_ARGS= runs the full 10-minute load test; the default is the short one.
SMOKE_ARGS ?= --short
smoke: install
	SOCIALOPS_BIN=$(abspath $(BIN)) bash deploy/smoke.sh $(SMOKE_ARGS)

# Rewrite the screenshot baselines (tests/e2e/baselines/, copied to docs/screenshots/) after an
# intended layout change; PYTEST_ARGS="-k editor" rewrites one page's.
baselines: install system-deps
	UPDATE_BASELINES=1 $(BIN)/pytest tests/e2e/test_screenshots.py $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) node_modules $(VENDOR) $(STAMPS) .pytest_cache .mypy_cache .ruff_cache
