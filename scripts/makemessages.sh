#!/usr/bin/env bash
# Refresh the translation catalogues (es, fr) from the source: the project's (src/reintegra/locale: shared
# templates, access, cases, places, web) and each app's own (src/reintegra/<app>/locale). Then translate
# the new entries and run `make install` (it compiles them); scripts/check_translations.py lists gaps.
set -euo pipefail
cd "$(dirname "$0")/../src/reintegra"
MM="../../.venv/bin/reintegra makemessages -l es -l fr --no-obsolete --ignore=*/tests/* --ignore=testing/*"
own=()
for dir in */locale; do
  app=${dir%/locale}
  own+=("--ignore=$app/*")
  (cd "$app" && ../$MM --ignore="tests/*" >/dev/null)
done
$MM "${own[@]}" >/dev/null
echo "makemessages: project catalogue and ${#own[@]} app catalogue(s) updated"
