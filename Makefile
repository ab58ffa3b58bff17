# Two commands do all the set-up: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The example data is dated around this day, so the demo shows every kind of reminder.
DEMO_AS_OF ?= 2027-01-15
DEMO_DIR := demo

.PHONY: demo test lint typecheck format clean i18n

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
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache
