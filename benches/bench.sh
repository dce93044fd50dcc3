#!/usr/bin/env bash
# Times `boardpack build` on synthetic portfolios of four sizes, each into a
# fresh folder (creating files right after deleting a large tree is 5-10x
# slower on these machines, so nothing is built over a previous output).
#
#   benches/bench.sh [SIZES...]      e.g. benches/bench.sh "1 12" "10 36"
#
# Prints one line per size and mode: companies x months, files, seconds wall,
# peak memory. "site" builds pages, charts and data (documents = false);
# "site+pdf" also writes every month's PDF and single-file report.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --example synth --bin boardpack >&2
bin=$PWD/target/release/boardpack
synth=$PWD/target/release/examples/synth
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=("1 12" "10 36" "100 36" "100 120")
printf '%-10s %-9s %8s %8s %10s\n' size mode files seconds peak_MB
for size in "${sizes[@]}"; do
  read -r companies months <<<"$size"
  src="$work/src-${companies}x${months}"
  "$synth" "$src" "$companies" "$months" 2>/dev/null
  for mode in site site+pdf; do
    if [ "$mode" = site ]; then echo "documents = false" >> "$src/portfolio.toml"; else sed -i '/^documents = false$/d' "$src/portfolio.toml"; fi
    # A PDF per company-month takes minutes at portfolio scale; measure it up to 400.
    if [ "$mode" = site+pdf ] && [ $((companies * months)) -gt 400 ]; then continue; fi
    out="$work/out-${companies}x${months}-${mode}"
    /usr/bin/time -o "$work/time" -f '%e %M' "$bin" build --root "$src" --output "$out" >/dev/null 2>&1
    stats=$(tail -1 "$work/time")
    files=$(find "$out" -type f | wc -l)
    read -r secs kb <<<"$stats"
    printf '%-10s %-9s %8s %8s %10s\n' "${companies}x${months}" "$mode" "$files" "$secs" "$((kb / 1024))"
    rm -rf "$out"
  done
  rm -rf "$src"
done
