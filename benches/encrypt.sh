#!/usr/bin/env bash
# What encryption costs a build ([publish] encrypt = true): each project built
# plain and encrypted, alternating, cold (a new copy of the project, no cache,
# a new output folder), warm into the same folder (nothing changed), and warm
# into a new folder with the cache the cold build left (what CI does).
#
#   benches/encrypt.sh BIN PROJECT [PROJECT...]   e.g. target/release/boardpack examples/portfolio
#   REPEAT=5 benches/encrypt.sh …                 runs per figure (default 3; the median is shown)
#
# Prints one line per project, mode and kind: the median wall time and the
# range, in seconds. Outputs go to a new temp folder (BENCH_DIR to choose),
# kept until the end (deleting a large output slows the next build's file
# creation on these machines: BENCHMARKS.md).
set -euo pipefail
bin=$(realpath "$1")
shift
repeat=${REPEAT:-3}
work=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/boardpack-encrypt-XXXXXX")
trap 'rm -rf "$work"' EXIT
key=$("$bin" key new 2>/dev/null)

# seconds CMD...: the wall time of CMD, its output discarded.
seconds() {
  local start end
  sync
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { print e - s }'
}

# summary TIMES...: "median (min–max)".
summary() {
  printf '%s\n' "$@" | sort -n | awk '{ t[NR] = $1 } END { printf "%.2f s (%.2f–%.2f)", t[int((NR + 1) / 2)], t[1], t[NR] }'
}

for project in "$@"; do
  name=$(basename "$project")
  declare -A times=()
  for run in $(seq "$repeat"); do
    for mode in plain encrypted; do
      root="$work/$name-$mode-$run"
      mkdir -p "$root"
      cp -r "$project"/. "$root"/
      rm -rf "$root/.boardpack" "$root/public"
      settings=$([ -f "$root/portfolio.toml" ] && echo portfolio.toml || echo boardpack.toml)
      [ "$mode" = encrypted ] && printf '\n[publish]\nencrypt = true\n' >>"$root/$settings"
      out="$work/out-$name-$mode-$run"
      times[$mode-cold]+="$(BOARDPACK_KEY=$key seconds "$bin" build --root "$root" --output "$out") "
      times[$mode-same]+="$(BOARDPACK_KEY=$key seconds "$bin" build --root "$root" --output "$out") "
      times[$mode-new]+="$(BOARDPACK_KEY=$key seconds "$bin" build --root "$root" --output "$out-new") "
    done
  done
  for kind in cold same new; do
    label=$(case $kind in cold) echo "cold";; same) echo "warm, same folder";; new) echo "warm, new folder";; esac)
    # shellcheck disable=SC2086
    printf '%-24s %-20s plain %s   encrypted %s\n' "$name" "$label" \
      "$(summary ${times[plain-$kind]})" "$(summary ${times[encrypted-$kind]})"
  done
  printf '%-24s size: plain %s, encrypted %s\n' "$name" "$(du -sh "$work/out-$name-plain-1" | cut -f1)" "$(du -sh "$work/out-$name-encrypted-1" | cut -f1)"
  unset times
done
