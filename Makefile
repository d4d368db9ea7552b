# Suivi — developer entry points. `make help` lists them.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
export PATH := $(HOME)/.local/bin:$(PATH)
UV ?= uv
PYTEST_ARGS ?=
DEMO_ARGS ?=

.PHONY: help bootstrap sync up down status migrate run demo test test-unit chaos chaos-smoke bench bench-smoke lint fmt schemas i18n clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 14

bootstrap: ## install what a fresh machine lacks (uv, Java, Maven, PostgreSQL, Kafka jars)
	@deploy/scripts/bootstrap.sh

sync: bootstrap ## create/refresh the virtualenv from uv.lock
	@$(UV) sync --frozen --quiet

up: sync ## start local Kafka + PostgreSQL (idempotent) and wait until they answer
	@deploy/scripts/up.sh

down: ## stop local Kafka + PostgreSQL
	@deploy/scripts/down.sh

status: ## is the local infrastructure running?
	@deploy/scripts/kafka.sh status || true
	@deploy/scripts/postgres.sh status || true

migrate: up ## apply the projections', the notifier's, the tracker's, after-sales' and the console's PostgreSQL migrations (idempotent)
	@$(UV) run --frozen suivi-projections-migrate
	@$(UV) run --frozen suivi-notifier-migrate
	@$(UV) run --frozen suivi-tracker-migrate
	@$(UV) run --frozen suivi-aftersales-migrate
	@$(UV) run --frozen suivi-console-migrate

run: migrate ## the whole platform here: infrastructure, services, peers, Prometheus, the demo
	@deploy/run/run.sh

demo: sync ## simulated merchants and carriers, once more, against a running `make run`
	@$(UV) run --frozen python -m demo $(DEMO_ARGS)

test: up ## run every test (unit + integration against the real Kafka and PostgreSQL)
	@$(UV) run --frozen pytest $(PYTEST_ARGS)

test-unit: sync ## only the tests that need no server
	@$(UV) run --frozen pytest -m "not integration" $(PYTEST_ARGS)

chaos: up ## fault injection on the suite's own brokers and PostgreSQL: every scenario, one table
	@$(UV) run --frozen python -m chaos

chaos-smoke: up ## the short chaos run CI does (≤ 4 min)
	@$(UV) run --frozen python -m chaos --smoke

bench: up ## benchmarks on the real local broker and PostgreSQL, each ending with its ratio against a baseline of the same run
	@$(UV) run --frozen python -m bench

bench-smoke: up ## every benchmark, short (BENCH_QUICK=1): fails if one errs, hangs or prints no ratio line (CI)
	@$(UV) run --frozen python -m bench --quick

BACKTEST_PARCELS ?= 8000
backtest: migrate ## delivery estimates judged on the first attempt: a generated harder history (targets), then this installation's read model (docs/alerts.md)
	@$(UV) run --frozen suivi-eta-backtest --generated $(BACKTEST_PARCELS) --seed 1
	@$(UV) run --frozen suivi-eta-backtest $(BACKTEST_ARGS)

lint: sync ## ruff + mypy (strict)
	@$(UV) run --frozen ruff check .
	@$(UV) run --frozen ruff format --check .
	@$(UV) run --frozen mypy libs services tests conftest.py bench demo deploy/run chaos

fmt: sync ## format and autofix
	@$(UV) run --frozen ruff format .
	@$(UV) run --frozen ruff check --fix .

# package folder : its catalogues (messages.po per language, docs/notifications.md#languages)
I18N = services/projections/src/suivi_projections/web:pages/locales \
       services/notifier/src/suivi_notifier:adapters/locales \
       services/aftersales/src/suivi_aftersales/web:locales \
       services/console/src/suivi_console/web:locales
i18n: sync ## gettext catalogues: extract the message ids, update every language's .po, compile the .mo (not committed)
	@for entry in $(I18N); do \
	  root=$${entry%%:*}; locales=$$root/$${entry#*:}; pot=$$(mktemp); \
	  [ -d $$locales ] || continue; \
	  $(UV) run --frozen pybabel --quiet extract -F babel.cfg -k t -k N_ -k n:1,2 --no-location \
	    --sort-output -w 100 -o $$pot $$root libs/infra/src/suivi_infra/i18n.py 2>/dev/null || exit 1; \
	  $(UV) run --frozen pybabel --quiet update -i $$pot -d $$locales -w 100 --no-fuzzy-matching \
	    --ignore-obsolete --ignore-pot-creation-date || exit 1; \
	  $(UV) run --frozen pybabel --quiet compile -d $$locales --statistics || exit 1; rm -f $$pot; \
	done

schemas: sync ## export the topics' JSON Schemas to libs/schemas/jsonschema/
	@$(UV) run --frozen suivi-schemas-export

clean: down ## stop everything and delete local state (.local/)
	rm -rf .local
