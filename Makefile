# Postroom. `make run` sets up and serves the platform; `make test` sets up and runs the tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
WEB_CONCURRENCY ?= 2
PYTEST_ARGS ?=

.PHONY: run worker beat test lint bench migrate demo clean install

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[dev]"
	rm -rf build *.egg-info
	touch $@

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	@$(PY) manage.py demo --base-url http://$(HOST):$(PORT)

# gunicorn plus a Celery worker with beat (Procfile), started and stopped together by honcho.
run: demo
	$(PY) manage.py collectstatic --noinput -v 0
	rm -rf var/metrics && mkdir -p var/metrics  # /metrics adds up the processes' numbers there
	PATH="$(abspath $(VENV))/bin:$$PATH" HOST=$(HOST) PORT=$(PORT) WEB_CONCURRENCY=$(WEB_CONCURRENCY) \
		PROMETHEUS_MULTIPROC_DIR="$(abspath var/metrics)" \
		$(VENV)/bin/honcho start --port $(PORT) --procfile Procfile

# A worker or beat of its own, beside a web process elsewhere (as docker/ runs them). `make run`
# already has both: a second beat against the same broker would send every periodic task twice.
# The worker serves every queue (default imports pdf messages exports webhooks), or QUEUES=pdf,imports.
worker: migrate
	$(VENV)/bin/celery -A config worker --loglevel INFO $(if $(QUEUES),--queues $(QUEUES))

beat: migrate
	$(VENV)/bin/celery -A config beat --loglevel INFO

test: install
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

bench: install
	$(PY) tests/benchmarks/run.py $(BENCH)

clean:
	rm -rf $(VENV) var build *.egg-info
