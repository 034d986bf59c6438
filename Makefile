# Set-up, serving and tests. `make run` and `make test` work from an empty checkout.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app ideagora

.PHONY: run test lint format install install-test migrate demo clean

run: install instance/config.py migrate demo
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

# a random secret key for this installation, written once and never committed
instance/config.py: | $(BIN)/python
	mkdir -p instance
	$(BIN)/python -c 'import secrets; print(f"SECRET_KEY = {secrets.token_hex(32)!r}")' > $@

migrate: install instance/config.py
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo load
	$(FLASK) search reindex

test: install-test
	scripts/install-system-packages
	$(BIN)/python -m pytest --cov --cov-report=term:skip-covered

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
