# Convene — everything a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WEB_STAMP := web/node_modules/.installed
BENCH_STAMP := bench/node_modules/.installed

.PHONY: run test install migrate bench lint chromium clean screenshots

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

$(WEB_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $(WEB_STAMP)

# bench/: Node socket.io (a peer) and ws (the load generator), from bench/package-lock.json.
$(BENCH_STAMP): bench/package.json bench/package-lock.json
	cd bench && npm ci --no-audit --no-fund --loglevel=error
	touch $(BENCH_STAMP)

install: $(STAMP) $(WEB_STAMP) $(BENCH_STAMP)

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
	$(BIN)/ruff check server tests bench
	$(BIN)/mypy server
	cd web && npm run check

# Convene against raw aiohttp, python-socketio and Node socket.io, one run (bench/README.md):
# prints the table, writes bench/results.json and docs/bench.png. BENCH_ARGS=--quick is shorter.
bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)
	$(MAKE) bench-search

# Thread pages and search on 1,000,000 messages (SQLite; built once, about 5 minutes and
# 820 MB, kept in data/bench-messages.db): p50 and p99 against the issue's targets.
SEARCH_DB := data/bench-messages.db
$(SEARCH_DB):
	mkdir -p data && $(BIN)/python bench/generate_messages.py $(SEARCH_DB)
.PHONY: bench-search
bench-search: install $(SEARCH_DB)
	-$(BIN)/python bench/search_bench.py $(SEARCH_DB)

# The README's screenshots and a gallery of every screen (docs/screens/) at 1280x800 and
# 390x844: a real server with demo data, in Chromium (scripts/screenshots.py).
screenshots: install chromium
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) web/node_modules bench/node_modules .pytest_cache

.PHONY: bench-seed
# Seeding a generated 3,000-row workshop file (wall time, CPU time, peak memory).
bench-seed: install
	$(BIN)/python -m bench.seed_speed

.PHONY: soak
# The soak (bench/soak.py; not part of make test): 300 real Socket.IO clients dropping and
# reconnecting at random for SOAK_MINUTES (default 30): lost and doubled messages, server
# memory growth, p95 latency over time; writes bench/soak-results.json and docs/soak.png.
SOAK_MINUTES ?= 30
soak: install
	$(BIN)/python bench/soak.py --minutes $(SOAK_MINUTES) $(SOAK_ARGS)
