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

run: demo
	$(PY) manage.py collectstatic --noinput -v 0
	$(VENV)/bin/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers $(WEB_CONCURRENCY) --access-logfile -

worker: migrate
	@test -n "$(REDIS_URL)" || { echo "make worker needs REDIS_URL (the embedded default runs tasks in-process)"; exit 2; }
	$(VENV)/bin/celery -A config worker --loglevel INFO

beat: migrate
	@test -n "$(REDIS_URL)" || { echo "make beat needs REDIS_URL"; exit 2; }
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
