# Convene — everything a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WEB_STAMP := web/node_modules/.installed

.PHONY: run test install migrate bench lint chromium clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

$(WEB_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $(WEB_STAMP)

install: $(STAMP) $(WEB_STAMP)

migrate: install
	$(BIN)/python -m server migrate

run: migrate
	$(BIN)/python -m server serve

# Chromium for the browser tests: installed when root with apt-get, else the command
# to run is printed (and CI=true stops here rather than pass without them).
chromium:
	@scripts/ensure-chromium

test: install chromium
	cd web && npm test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check server tests
	$(BIN)/mypy server
	cd web && npm run check

bench: install
	$(BIN)/python -m tests.bench.send_path

clean:
	rm -rf $(VENV) web/node_modules .pytest_cache

.PHONY: bench-seed
# Seeding a generated 3,000-row workshop file (wall time, CPU time, peak memory).
bench-seed: install
	$(BIN)/python -m tests.bench.seed_speed
