# The two commands: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
SIZE ?= S
export DJANGO_SETTINGS_MODULE ?= petcommunity.settings.dev

.PHONY: run test test-services test-browser browser vnu lighthouse lint bench load install worker beat clean

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed (looked for $(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Reinstall only when the declared or pinned dependencies change.
$(STAMP): $(PY) pyproject.toml requirements.lock
	$(PIP) install --quiet -c requirements.lock -r requirements.lock
	touch $(STAMP)

install: $(STAMP)

# The web process, a Celery worker and beat (Procfile) on SQLite files: db.sqlite3 and var/ (the broker).
# Their output is this terminal's, one line per event prefixed by the process name; Ctrl-C stops all three.
# BEAT_SCHEDULE_SCALE: the beat periods times this (0.1: the 15-minute rollup every 90 s); .env overrides it.
# CELERY_LOG_LEVEL=info shows every task the worker runs.
BEAT_SCHEDULE_SCALE ?= 0.1
CELERY_LOG_LEVEL ?= warning
run: $(STAMP)
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	@echo ""
	@echo "  PetCommunity is at http://$(HOST):$(PORT)/  (demo logins: see README.md; password for all: petcommunity)"
	@echo ""
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" HOST=$(HOST) WEB_CONCURRENCY=1 WEB_LOG_LEVEL=warning \
		WORKER_CONCURRENCY=1 BEAT_SCHEDULE_FILE=var/celerybeat-schedule BEAT_SCHEDULE_SCALE=$(BEAT_SCHEDULE_SCALE) \
		CELERY_LOG_LEVEL=$(CELERY_LOG_LEVEL) $(VENV)/bin/honcho start --port $(PORT)

# Browser journeys run in their own pytest process: Playwright's sync API keeps an event loop on the
# test thread for the whole session, which would break async_to_sync in unrelated tests of that worker.
test: $(STAMP) browser
	env -u DATABASE_URL -u REDIS_URL DJANGO_SETTINGS_MODULE=petcommunity.settings.test \
		$(VENV)/bin/pytest -n 2 -m "not services and not browser" $(PYTEST_ARGS)
	env -u DATABASE_URL -u REDIS_URL DJANGO_SETTINGS_MODULE=petcommunity.settings.test \
		$(VENV)/bin/pytest -n 2 -m "browser and not services" $(PYTEST_ARGS)

test-services: $(STAMP) browser
	@test -n "$(DATABASE_URL)" || { echo "DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test)"; exit 1; }
	@test -n "$(REDIS_URL)" || { echo "REDIS_URL is not set (e.g. redis://127.0.0.1:6379/0)"; exit 1; }
	DJANGO_SETTINGS_MODULE=petcommunity.settings.test $(VENV)/bin/pytest -n 2 --dist loadgroup -m "not browser" $(PYTEST_ARGS)
	DJANGO_SETTINGS_MODULE=petcommunity.settings.test $(VENV)/bin/pytest -n 2 -m browser $(PYTEST_ARGS)

# The Nu HTML checker (vnu-jar, run with the system Java) and Lighthouse, from npm into git-ignored
# node_modules/.tools; the journeys validate every page they check.
TOOLS := node_modules/.tools
VNU_JAR := $(TOOLS)/vnu/node_modules/vnu-jar/build/dist/vnu.jar
$(VNU_JAR):
	@command -v java >/dev/null 2>&1 || { echo "Java is needed for the Nu HTML checker (apt-get install default-jre-headless)"; exit 1; }
	npm install --silent --no-save --no-audit --no-fund --prefix $(TOOLS)/vnu vnu-jar@26.9.27

vnu: $(VNU_JAR)

LIGHTHOUSE_BIN := $(TOOLS)/lighthouse/node_modules/.bin/lighthouse
$(LIGHTHOUSE_BIN):
	npm install --silent --no-save --no-audit --no-fund --prefix $(TOOLS)/lighthouse lighthouse@13.5.0

# Lighthouse on /, a post, /pods/ and a pod page, signed out and signed in (tests/browser/test_lighthouse.py).
lighthouse: $(STAMP) browser $(LIGHTHOUSE_BIN)
	env -u DATABASE_URL -u REDIS_URL DJANGO_SETTINGS_MODULE=petcommunity.settings.test LIGHTHOUSE=1 \
		$(VENV)/bin/pytest -s tests/browser/test_lighthouse.py $(PYTEST_ARGS)

# Browser journeys drive Debian's Chromium (Playwright's own browser download does not work here).
browser: vnu
	@test -x /usr/bin/chromium || { echo "installing Chromium from the Debian packages"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null \
		|| { echo "Chromium is missing: run 'apt-get install chromium' as root"; exit 1; }; }

test-browser: $(STAMP) browser
	env -u DATABASE_URL -u REDIS_URL DJANGO_SETTINGS_MODULE=petcommunity.settings.test \
		$(VENV)/bin/pytest -n 2 -m browser $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

worker: $(STAMP)
	$(VENV)/bin/celery -A petcommunity worker -l info --concurrency 2

beat: $(STAMP)
	$(VENV)/bin/celery -A petcommunity beat -l info

bench: $(STAMP) collectstatic
	$(PY) bench/run.py --size $(SIZE) $(BENCH_ARGS)

# 200 members for 2 minutes against production settings on loopback (bench/load/run.py); fails on any
# 5xx or 429. Uses the `load` database and Redis db 12 (LOAD_DATABASE_URL, LOAD_REDIS_URL to change).
load: $(STAMP) collectstatic
	$(PY) -m bench.load.run $(LOAD_ARGS)

# schemathesis against the live API schema with a member's token and a manager's (tests/api/fuzz_schema.py):
# zero 5xx, zero answers outside the schema, every operation tested and a floor on generated cases.
api-fuzz: $(STAMP)
	env -u DATABASE_URL -u REDIS_URL DJANGO_SETTINGS_MODULE=petcommunity.settings.test \
		$(VENV)/bin/pytest -s tests/api/fuzz_schema.py $(PYTEST_ARGS)

# The production build and stack end to end (deploy/smoke.py): build scripts into var/smoke/venv, 2 web
# replicas sharing MEDIA_ROOT + Celery worker + beat on PostgreSQL (database `smoke`) and Redis (db 10, 11)
# behind nginx with TLS, checked through the proxy and across replicas (an upload through one is served by
# the other); then make run's stack. Figures: var/smoke/figures.json.
prod-smoke: $(STAMP)
	$(PY) deploy/smoke.py

# Production settings serve only collected, hashed static files (deploy/build.sh, as in the image).
collectstatic: $(STAMP)
	PYTHON=$(PY) deploy/build.sh static

clean:
	rm -rf $(VENV) db.sqlite3* .test-db.sqlite3* .test-media staticfiles
