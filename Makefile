# Kantoor: `make run` to try it, `make test` to test it. See README.md.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Links in e-mails (payment links) point at the server `make run` starts, on its port.
BASE_URL ?= http://127.0.0.1:$(PORT)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
DEMO_ORDERS ?= 300

.PHONY: install run system-deps test lint format messages worker beat clean
AXE := node_modules/axe-core/axe.min.js

$(VENV)/.installed: pyproject.toml build-constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade "pip>=25.3"
	# xstatic-bootstrap builds with pkg_resources, which setuptools 81 dropped.
	$(PY) -m pip install -q --build-constraint build-constraints.txt -e '.[dev]'
	@touch $@

# axe-core for the browser tests' accessibility check (test-only: no page loads it). Exact
# version in package-lock.json; --ignore-scripts: nothing of it runs at install time.
$(AXE): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

install: $(VENV)/.installed

run: install
	@mkdir -p var
	DEBUG=1 $(PY) manage.py migrate --noinput -v0
	DEBUG=1 BASE_URL=$(BASE_URL) $(PY) manage.py seed_demo --orders $(DEMO_ORDERS)
	@echo
	@echo "  Storefront:  http://127.0.0.1:$(PORT)/shop/demo/"
	@echo "  Back office: http://127.0.0.1:$(PORT)/backoffice/   log in as demo@kantoor.test / kantoor-demo"
	@echo "  Customer:    klant@kantoor.test / kantoor-demo (storefront account)"
	@echo
	DEBUG=1 BASE_URL=$(BASE_URL) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# Debian packages the tests use: Chromium for the browser tests, npm (with Node) to install
# axe-core for them, gettext for the translation check.
system-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	command -v xgettext >/dev/null || missing="$$missing gettext"; \
	for pkg in libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-liberation poppler-utils; do \
	  dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "== apt-get install$$missing"; \
	    apt-get install -y -qq $$missing >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq $$missing); \
	  else \
	    echo "The tests need Debian packages:$$missing. Run: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

test: install system-deps $(AXE)
	SECRET_KEY=test-only DATABASE_URL= $(PY) -m pytest -q -p no:cacheprovider
	@if [ -n "$(DATABASE_URL)" ]; then \
	  echo "== again on $(DATABASE_URL)"; \
	  SECRET_KEY=test-only DATABASE_URL="$(DATABASE_URL)" $(PY) -m pytest -q -p no:cacheprovider; \
	fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	SECRET_KEY=lint DATABASE_URL= $(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: install
	cd kantoor && DEBUG=1 ../$(PY) ../manage.py makemessages -l nl -l en --no-obsolete --no-location
	cd kantoor && DEBUG=1 ../$(PY) ../manage.py compilemessages

worker: install
	$(VENV)/bin/celery -A kantoor worker -l info

beat: install
	$(VENV)/bin/celery -A kantoor beat -l info

clean:
	rm -rf var/kantoor.sqlite3* .pytest_cache
