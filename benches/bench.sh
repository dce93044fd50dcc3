#!/usr/bin/env bash
# Times `boardpack build` on synthetic portfolios of four sizes and, where Hugo
# is installed (`apt-get install hugo`), Hugo on the same pages.
#
#   benches/bench.sh [SIZES...]      e.g. benches/bench.sh "1 12" "10 36"
#   REPEAT=5 benches/bench.sh        runs per measurement (default 3; the median is shown)
#   BENCH_DIR=/mnt/fresh benches/bench.sh   where outputs go (default: a temp folder)
#
# Prints one line per size and mode: companies x months, files, median seconds
# wall, peak memory. "site" builds pages, charts and data (documents = false);
# "site+pdf" also writes every month's PDF and single-file report (up to 400
# company-months: beyond that it takes minutes); "hugo" builds the equivalent
# Hugo site (examples/hugo_site.rs: the same six pages per company-month, the
# same commentary, boardpack's charts as pre-made SVG files) and the ratio of
# Hugo's time to boardpack's "site" time.
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
work=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/boardpack-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=("1 12" "10 36" "100 36" "100 120")
has_hugo=$(command -v hugo >/dev/null && echo yes || echo no)
[ "$has_hugo" = yes ] && echo "# $(hugo version | cut -d' ' -f1-2)" >&2

# measure CMD... : runs CMD $repeat times, each with OUT set to a new folder;
# prints "files median_seconds peak_MB last_output" (files of the last run).
measure() {
  local times=() peaks=() out
  for _ in $(seq "$repeat"); do
    out=$(mktemp -d -u "$work/out-XXXXXX")
    sync
    OUT=$out /usr/bin/time -o "$work/time" -f '%e %M' "$@" >/dev/null 2>&1
    read -r secs kb < <(tail -1 "$work/time")
    times+=("$secs")
    peaks+=("$((kb / 1024))")
  done
  local files median peak
  files=$(find "$out" -type f | wc -l)
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((repeat + 1) / 2))p")
  peak=$(printf '%s\n' "${peaks[@]}" | sort -n | tail -1)
  echo "$files $median $peak $out"
}

printf '%-10s %-9s %8s %8s %10s %s\n' size mode files seconds peak_MB note
for size in "${sizes[@]}"; do
  read -r companies months <<<"$size"
  src="$work/src-${companies}x${months}"
  "$synth" "$src" "$companies" "$months" 2>/dev/null
  echo "documents = false" >>"$src/portfolio.toml"
  read -r files site_secs peak site_out < <(measure sh -c "'$bin' build --root '$src' --output \"\$OUT\"")
  printf '%-10s %-9s %8s %8s %10s\n' "${companies}x${months}" site "$files" "$site_secs" "$peak"
  if [ $((companies * months)) -le 400 ]; then
    sed -i '/^documents = false$/d' "$src/portfolio.toml"
    read -r files secs peak _ < <(measure sh -c "'$bin' build --root '$src' --output \"\$OUT\"")
    printf '%-10s %-9s %8s %8s %10s\n' "${companies}x${months}" site+pdf "$files" "$secs" "$peak"
  fi
  if [ "$has_hugo" = yes ]; then
    hsrc="$work/hugo-${companies}x${months}"
    "$hugo_site" "$src" "$site_out" "$hsrc" 2>/dev/null
    read -r files secs peak _ < <(measure sh -c "hugo --quiet --source '$hsrc' --destination \"\$OUT\"")
    ratio=$(awk -v h="$secs" -v b="$site_secs" 'BEGIN { printf "%.1fx boardpack site time", h / b }')
    printf '%-10s %-9s %8s %8s %10s %s\n' "${companies}x${months}" hugo "$files" "$secs" "$peak" "$ratio"
  fi
done
