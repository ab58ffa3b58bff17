# Two commands do all the set-up: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The example data is dated around this day, so the demo shows every kind of reminder.
DEMO_AS_OF ?= 2027-01-15
DEMO_DIR := demo

.PHONY: demo test lint typecheck format clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: export REMINDER_DATABASE_URL = sqlite:///$(DEMO_DIR)/reminder.sqlite
demo: export REMINDER_OUTBOX_DIR = $(DEMO_DIR)/outbox
demo: export REMINDER_TIMEZONE = Asia/Bishkek
demo: export REMINDER_FROM = M&E reminders <reminders@kg.example.org>
demo: export REMINDER_EVALUATION_OFFICE = evaluation.office@kg.example.org
demo: $(STAMP)
	rm -rf $(DEMO_DIR) && mkdir -p $(DEMO_DIR)
	$(BIN)/reminder db upgrade
	$(BIN)/reminder directory import examples/directory.csv
	$(BIN)/reminder import examples/fergana-valley-management-response.txt
	$(BIN)/reminder actions --as-of $(DEMO_AS_OF)
	@echo; echo "== First run of the day: digests go to $(DEMO_DIR)/outbox/"
	$(BIN)/reminder run-once --as-of $(DEMO_AS_OF)
	@echo; echo "== Second run the same day: nothing new to send"
	$(BIN)/reminder run-once --as-of $(DEMO_AS_OF)
	@echo; ls -1 $(DEMO_DIR)/outbox
	@echo; echo "Open one: $(BIN)/reminder preview aida.bekova@unwomen.example.org --as-of $(DEMO_AS_OF)"

test: $(STAMP) lint typecheck
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache
