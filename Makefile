# Mechanic: the two commands are `make run` and `make test` (see README.md).
# Everything else here is what those two call.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
HOST   ?= 127.0.0.1
STAMP  := $(VENV)/.installed
# where the embedded database, broker and beat schedule live (settings: MECHANIC_DATA_DIR)
DATA   := $(or $(MECHANIC_DATA_DIR),data)
# torch first, pinned to the CPU wheel this machine has; GPU workers install a CUDA build
# that satisfies the same range (see pyproject's "profiler" extra).
TORCH  ?= torch==2.13.0

DEV_ENV := DEBUG=1

.PHONY: run test install messages demo worker classifier lint bench ci-services pg-test

## Install into the virtualenv (created if missing). Re-runs when pyproject.toml changes.
install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install -q "$(TORCH)"
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

## Compile the Korean and German message catalogs (pure Python: no gettext needed).
messages: install
	@$(PY) -c "import glob, polib; [polib.pofile(p).save_as_mofile(p[:-3] + '.mo') for p in glob.glob('locale/*/LC_MESSAGES/*.po')]"

## Run the app on its embedded default: SQLite, an embedded Celery broker, the demo catalog.
# The worker and the web server both run in the background and the shell waits in `wait`: a
# shell runs its traps only between commands, so with the server in the foreground a SIGTERM
# (make passes its own on to this shell) waited on the server and left the worker running.
# Ctrl-C and SIGTERM end in the EXIT trap, which stops both (background jobs ignore SIGINT).
run: install messages
	@$(PY) -c "import socket; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('$(HOST)', $(PORT)))" 2>/dev/null || \
		{ echo "Port $(PORT) on $(HOST) is taken (another Mechanic?): stop it, or run make run PORT=8001"; exit 1; }
	@mkdir -p "$(DATA)"
	@$(DEV_ENV) $(PY) manage.py migrate --noinput -v 0
	@$(DEV_ENV) $(PY) manage.py load_demo
	@$(DEV_ENV) $(PY) -m celery -A mechanic --quiet worker -Q default,gpu --concurrency 1 -B \
		-s "$(DATA)/celerybeat-schedule" -l warning -n mechanic@%h & \
	worker=$$!; web=""; \
	trap 'kill $$web $$worker 2>/dev/null; wait $$web $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT; trap 'exit 143' TERM; \
	echo ""; echo "  Mechanic starts at http://$(HOST):$(PORT)/  (Ctrl-C stops the web server and the worker)"; echo ""; \
	$(DEV_ENV) $(PY) manage.py runserver --noreload $(HOST):$(PORT) & \
	web=$$!; wait $$web

## Run the whole test suite, every layer (Redis, Celery workers, PostgreSQL, chromium).
test: install messages ci-services
	$(PY) -m pytest -p no:cacheprovider
	$(MAKE) --no-print-directory pg-test

## The suite again on PostgreSQL (the code targets both); the reference tests touch no database.
pg-test:
	@if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || [ "$${CI:-}" = "true" ]; then \
		DATABASE_URL=$${PG_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/mechanic} \
		$(PY) -m pytest -p no:cacheprovider -m "not reference"; \
	else echo "PostgreSQL is not reachable on 127.0.0.1:5432: the PostgreSQL pass is skipped locally (CI requires it)."; fi

## Make sure what the tests talk to exists: redis-server, chromium, gettext (makemessages
## test) and a Korean font for screenshots (apt when absent).
ci-services:
	@need=""; command -v redis-server >/dev/null || need="$$need redis-server"; \
	test -x /usr/bin/chromium || need="$$need chromium"; \
	command -v xgettext >/dev/null || need="$$need gettext"; \
	test -d /usr/share/fonts/truetype/nanum || need="$$need fonts-nanum"; \
	if [ -n "$$need" ]; then echo "installing:$$need"; apt-get update -q && apt-get install -y -q $$need; fi
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || \
		redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no

## Train the card classifier from our own statements (reproducible artifact).
classifier: install
	$(PY) -m axes.classify.train

## Benchmarks (print ratios against a reference run in the same process).
bench: install
	$(PY) bench/bench_backbone.py
	$(PY) bench/bench_floor.py
	$(PY) bench/bench_pages.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
