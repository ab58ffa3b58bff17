#!/bin/sh
# Screenshots of the same digest in each language, for README.md ("Languages"):
# the demo data, Aida Bekova's digest of 2027-01-15, her locale switched between runs.
# Needs `make .venv/.installed-stamp` and Debian's chromium. Run from the repository root.
set -eu
BIN=.venv/bin
OUT=docs/screenshots
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export REMINDER_DATABASE_URL="sqlite:///$WORK/reminder.sqlite"
export REMINDER_TIMEZONE=Asia/Bishkek
export REMINDER_EVALUATION_OFFICE=evaluation.office@kg.example.org
$BIN/reminder db upgrade >/dev/null
$BIN/reminder import examples/fergana-valley-management-response.txt >/dev/null
for locale in en fr es ru; do
    # Aida's row is the first focal point; only her locale column changes.
    sed "2s/,primary,en,/,primary,$locale,/" examples/directory.csv >"$WORK/directory.csv"
    $BIN/reminder directory import "$WORK/directory.csv" >/dev/null
    $BIN/reminder preview aida.bekova@unwomen.example.org --as-of 2027-01-15 --format html \
        >"$WORK/digest-$locale.html"
    for width in 800 390; do
        suffix=$([ "$width" = 800 ] && echo "" || echo "-narrow")
        chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
            --disable-component-update --no-first-run --hide-scrollbars \
            --window-size="$width,1200" --screenshot="$OUT/digest-$locale$suffix.png" \
            "file://$WORK/digest-$locale.html" 2>/dev/null
    done
done
