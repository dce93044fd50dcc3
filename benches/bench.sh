#!/usr/bin/env bash
# Times `boardpack build` on synthetic portfolios, as a user runs it, and,
# where Hugo is installed (`apt-get install hugo`), Hugo on the same pages.
#
#   benches/bench.sh [SIZES...]      e.g. benches/bench.sh "10 36" "100 36"
#   REPEAT=5 benches/bench.sh        runs per site-only measurement (default 3; the median is shown)
#   PDF_LIMIT=4000 benches/bench.sh  the most company-months typeset cold (default 4000)
#   PLUS_PDF_LIMIT=4000 ...          the most for "+1 month+pdf", which typesets
#                                    every month but the last first (default PDF_LIMIT)
#   BENCH_DIR=/mnt/fresh benches/bench.sh   where outputs go (default: a temp folder)
#
# One line per size and mode, each with files written, seconds (wall) and
# peak memory (max RSS):
#   site          pages, charts, data and overview (`documents = false`), cold:
#                 each run builds a new copy of the project, with no cache
#   warm site     the same into a new output folder, with the cache a build
#                 before left (`.boardpack/cache/`): what CI does with the
#                 cache step of the workflow `init` writes
#   site+pdf      also every month's PDF and single-file report (the default
#                 `build`), cold: no project cache, a new output folder
#   warm+pdf      the same, into a new output folder, with the cache the cold
#                 build left
#   +1 month      after a build of all months but the last, the last month is
#                 added to every company and the site is built again into the
#                 same folder (site only, then with PDFs)
#   +1 again      the same (site only) into a folder built twice before:
#                 unchanged months move from the spare the build before kept
#   hugo          the equivalent Hugo site (examples/hugo_site.rs: the same six
#                 pages per company-month and commentary, boardpack's charts as
#                 ready-made SVG files), and the ratio to boardpack's site time
#
# Every build writes into a new folder, and no output is deleted until the
# end: ext4 without a journal (these machines) skips inodes freed in the last
# 50 minutes when it creates files, so deleting one build's output makes the
# next build 3-10x slower.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --example synth --example hugo_site --bin boardpack >&2
bin=$PWD/target/release/boardpack
synth=$PWD/target/release/examples/synth
hugo_site=$PWD/target/release/examples/hugo_site
repeat=${REPEAT:-3}
pdf_limit=${PDF_LIMIT:-4000}
plus_pdf_limit=${PLUS_PDF_LIMIT:-$pdf_limit}
work=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/boardpack-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=("10 36" "100 36" "300 36")
has_hugo=$(command -v hugo >/dev/null && echo yes || echo no)
[ "$has_hugo" = yes ] && echo "# $(hugo version | cut -d' ' -f1-2)" >&2

# measure N CMD... : runs CMD N times, each with OUT set to a new folder
# (unless OUT is set already) and, with FRESH=DIR, ROOT set to a new copy of
# the project DIR made before the clock starts (so no run finds another's
# cache); prints "files median_seconds peak_MB output".
measure() {
  local n=$1 times=() peaks=() out root=
  shift
  for _ in $(seq "$n"); do
    out=${FIXED_OUT:-$(mktemp -d -u "$work/out-XXXXXX")}
    if [ -n "${FRESH:-}" ]; then
      root=$(mktemp -d -u "$work/root-XXXXXX")
      sources "$FRESH" "$root"
    fi
    sync
    ROOT=$root OUT=$out /usr/bin/time -o "$work/time" -f '%e %M' "$@" >/dev/null 2>"$work/stderr" || {
      cat "$work/stderr" >&2
      return 1
    }
    read -r secs kb < <(tail -1 "$work/time")
    times+=("$secs")
    peaks+=("$((kb / 1024))")
  done
  local files median peak
  files=$(find "$out" -type f | wc -l)
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((n + 1) / 2))p")
  peak=$(printf '%s\n' "${peaks[@]}" | sort -n | tail -1)
  echo "$files $median $peak $out"
}

row() { printf '%-10s %-12s %8s %8s %10s %s\n' "$@"; }

# documents on|off for the portfolio at $1.
documents() {
  sed -i '/^documents = /d' "$1/portfolio.toml"
  [ "$2" = on ] || echo "documents = false" >>"$1/portfolio.toml"
}

build_cmd() { echo "'$bin' build --root '$1' --output \"\$OUT\""; }

# sources SRC DST: a copy of the project SRC without its .boardpack/ (cache and spare).
sources() {
  mkdir -p "$2"
  (cd "$1" && tar --exclude=./.boardpack -cf - .) | (cd "$2" && tar -xf -)
}

row size mode files seconds peak_MB note
for size in "${sizes[@]}"; do
  read -r companies months <<<"$size"
  label="${companies}x${months}"
  src="$work/src-$label"
  "$synth" "$src" "$companies" "$months" 2>/dev/null
  documents "$src" off
  read -r files site_secs peak site_out < <(FRESH=$src measure "$repeat" sh -c "'$bin' build --root \"\$ROOT\" --output \"\$OUT\"")
  row "$label" site "$files" "$site_secs" "$peak" "cold: no cache"
  OUT=$(mktemp -d -u "$work/out-XXXXXX") sh -c "$(build_cmd "$src")" >/dev/null 2>"$work/stderr" || {
    cat "$work/stderr" >&2
    exit 1
  }
  read -r files secs peak _ < <(measure "$repeat" sh -c "$(build_cmd "$src")")
  row "$label" "warm site" "$files" "$secs" "$peak" "new output folder, cache kept"

  if [ $((companies * months)) -le "$pdf_limit" ]; then
    documents "$src" on
    pdf_src="$work/pdf-$label"
    sources "$src" "$pdf_src"
    read -r files secs peak _ < <(measure 1 sh -c "$(build_cmd "$pdf_src")")
    row "$label" site+pdf "$files" "$secs" "$peak" "cold: no cache"
    read -r files secs peak _ < <(measure "$repeat" sh -c "$(build_cmd "$pdf_src")")
    row "$label" warm+pdf "$files" "$secs" "$peak" "new output folder, cache kept"
  fi

  # +1 month: every company's latest month held back, built, then added and
  # built again into the same folder. "+1 again": the folder was built twice
  # before, so the build before kept the site it replaced as the spare
  # (.boardpack/spare/) and unchanged months move from it instead of being
  # linked: what a monthly user who rebuilt while writing the commentary sees.
  next="$work/next-$label"
  "$synth" "$next" "$companies" "$((months + 1))" 2>/dev/null
  latest=$(ls "$next"/companies/*/content | grep -E '^[0-9]{4}-[0-9]{2}$' | sort | tail -1)
  for run in "off 1 +1 month" "on 1 +1 month+pdf" "off 2 +1 again"; do
    read -r mode builds name <<<"$run"
    [ "$mode" = on ] && [ $((companies * months)) -gt "$plus_pdf_limit" ] && continue
    documents "$next" "$mode"
    rm -rf "$next/.boardpack" "$work/held"
    mkdir -p "$work/held"
    for c in "$next"/companies/*; do
      [ -d "$c/content/$latest" ] && mv "$c/content/$latest" "$work/held/$(basename "$c")"
    done
    out=$(mktemp -d -u "$work/out-XXXXXX")
    for _ in $(seq "$builds"); do OUT=$out sh -c "$(build_cmd "$next")" >/dev/null 2>&1; done
    for held in "$work"/held/*; do mv "$held" "$next/companies/$(basename "$held")/content/$latest"; done
    note=$([ "$builds" = 1 ] && echo "into the same folder" || echo "into the same folder, built twice before")
    read -r files secs peak _ < <(FIXED_OUT=$out measure 1 sh -c "$(build_cmd "$next")")
    row "$label" "$name" "$files" "$secs" "$peak" "$note"
  done

  if [ "$has_hugo" = yes ]; then
    hsrc="$work/hugo-$label"
    "$hugo_site" "$src" "$site_out" "$hsrc" 2>/dev/null
    read -r files secs peak _ < <(measure "$repeat" sh -c "hugo --quiet --source '$hsrc' --destination \"\$OUT\"")
    ratio=$(awk -v h="$secs" -v b="$site_secs" 'BEGIN { printf "%.1fx boardpack site time", h / b }')
    row "$label" hugo "$files" "$secs" "$peak" "$ratio"
  fi
done
