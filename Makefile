# Zoufang: `make run` sets everything up and serves the demo; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run install test lint typecheck check messages clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py seed_demo --accounts-out var/demo_accounts.json
	PORT=$(PORT) bin/serve

test: install
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) -m pytest -q -n 2 $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy .

check: lint typecheck test

# The scripts' texts (djangojs) skip only static/vendor/: an --ignore 'static/*' would skip field/static/ too.
messages: install
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore '.venv/*' --ignore 'var/*' --ignore 'static/*'
	$(PY) manage.py makemessages -d djangojs -l zh_Hans --no-obsolete --ignore '.venv/*' --ignore 'var/*' --ignore 'static/vendor/*'
	$(PY) manage.py compilemessages -l zh_Hans --ignore '.venv/*'

clean:
	rm -rf $(VENV) var
