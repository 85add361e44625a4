# Sourced by the scripts that write docs/results.md, each of which owns sections of it.

# splice NAME FILE: replaces the lines between `<!-- results: NAME -->` and `<!-- end: NAME -->` of
# FILE with standard input (appending the section when FILE lacks it), so that one part of the
# results can be re-run without touching the others.
splice() {
  local name="$1" file="$2" body spliced
  body="$(mktemp)"; spliced="$(mktemp)"
  cat > "$body"
  touch "$file"
  if grep -q "^<!-- results: $name -->$" "$file"; then
    awk -v name="$name" -v body="$body" '
      $0 == "<!-- results: " name " -->" { print; while ((getline line < body) > 0) print line; skipping = 1; next }
      $0 == "<!-- end: " name " -->" { skipping = 0 }
      !skipping' "$file" > "$spliced"
  else
    { cat "$file"; [ -s "$file" ] && echo; echo "<!-- results: $name -->"; cat "$body"; echo "<!-- end: $name -->"; } > "$spliced"
  fi
  mv "$spliced" "$file"
  rm -f "$body"
}
