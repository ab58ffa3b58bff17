# Two commands do all the set-up: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Two installs: what the service needs to run (the demo), and the tools to develop it.
RUNTIME_STAMP := $(VENV)/.runtime-stamp
STAMP := $(VENV)/.installed-stamp
# The example data is dated around this day, so the demo shows every kind of reminder.
DEMO_AS_OF ?= 2027-01-15
DEMO_DIR := demo
# The demo's settings; `export REMINDER_CONFIG=demo/reminder.toml` to use them yourself.
DEMO_CONFIG := $(DEMO_DIR)/reminder.toml

.PHONY: demo test lint typecheck deadcode format clean i18n

$(RUNTIME_STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUNTIME_STAMP)

$(STAMP): $(RUNTIME_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: export REMINDER_CONFIG = $(DEMO_CONFIG)
demo: $(RUNTIME_STAMP)
	rm -rf $(DEMO_DIR)/outbox $(DEMO_DIR)/reminder.sqlite*
	@# The status desk's signing key, made once and readable by you alone.
	@test -s $(DEMO_DIR)/secret.key || (umask 077 && $(BIN)/python -c \
		"import secrets; print(secrets.token_hex(32))" > $(DEMO_DIR)/secret.key)
	$(BIN)/reminder db upgrade
	$(BIN)/reminder directory import examples/directory.csv
	$(BIN)/reminder import examples/fergana-valley-management-response.txt
	$(BIN)/reminder actions --as-of $(DEMO_AS_OF)
	@echo; echo "== First run of the day: digests go to $(DEMO_DIR)/outbox/"
	$(BIN)/reminder run-once --as-of $(DEMO_AS_OF)
	@echo; echo "== Second run the same day: nothing new to send"
	$(BIN)/reminder run-once --as-of $(DEMO_AS_OF)
	@echo; ls -1 $(DEMO_DIR)/outbox
	@echo; echo "Open one: REMINDER_CONFIG=$(DEMO_CONFIG) $(BIN)/reminder preview aida.bekova@unwomen.example.org --as-of $(DEMO_AS_OF)"
	@echo "Answer it:  REMINDER_CONFIG=$(DEMO_CONFIG) $(BIN)/reminder serve   (then open the digest's 'Open my actions' link)"

test: $(STAMP) lint typecheck
	$(BIN)/pytest

lint: $(STAMP) deadcode
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Unused functions, classes, variables (settings in pyproject.toml, exceptions explained in
# vulture_whitelist.py).
deadcode: $(STAMP)
	$(BIN)/vulture

typecheck: $(STAMP)
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Message catalogs (README.md, "Languages"): extract the words of every template and module,
# merge them into each language's .po (new or changed ones come in empty or fuzzy: translate
# them, then run this again), and compile the .mo files that ship in the wheel.
LOCALE_DIR := reminder/locale
i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg --sort-by-file --add-location=file --project reminder \
		--copyright-holder "reminder contributors" -o $(LOCALE_DIR)/messages.pot .
	$(BIN)/pybabel update -i $(LOCALE_DIR)/messages.pot -d $(LOCALE_DIR) --ignore-obsolete
	$(BIN)/pybabel compile --statistics -d $(LOCALE_DIR)

clean:
	rm -rf $(VENV) $(DEMO_DIR)/outbox $(DEMO_DIR)/reminder.sqlite* $(DEMO_DIR)/reminder.heartbeat \
		.pytest_cache .mypy_cache .ruff_cache
