#!/usr/bin/env bash
# Times `boardpack measure` on a year of a 200-engineer company: 20 git
# repositories (~50,000 commits), 5,000 deployments, 500 incidents and 20,000
# work items, written by examples/measure_synth.rs.
#
#   benches/measure.sh              runs 5 measurements (REPEAT=N to change)
#   BENCH_DIR=/mnt/fresh benches/measure.sh   where the data goes (default: a temp folder)
#
# Prints the median wall time of `boardpack measure 2026-10 --overwrite` and
# its peak memory (GNU time's maximum resident set size; on Linux the largest
# of boardpack and the git processes it waited for), then the time and memory
# of one repository's `git log` as measure runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --example measure_synth --bin boardpack >&2
bin=$PWD/target/release/boardpack
synth=$PWD/target/release/examples/measure_synth
repeat=${REPEAT:-5}
work=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/boardpack-measure-XXXXXX")
trap 'rm -rf "$work"' EXIT

/usr/bin/time -o "$work/gen" -f '%e' "$synth" "$work/company" 2>&1 | tail -1 >&2
echo "# generated in $(cat "$work/gen") s; $(nproc) cores" >&2
echo "# $(find "$work/company/data" -name '*.csv' -exec cat {} + | wc -l) CSV lines, $(du -sh "$work/company/repos" | cut -f1) of repositories" >&2

times=() peaks=()
for _ in $(seq "$repeat"); do
  # Each run writes every value and every evidence file again.
  rm -rf "$work/company/content/2026-10/evidence"
  /usr/bin/time -o "$work/time" -f '%e %M' "$bin" measure 2026-10 --root "$work/company" --overwrite >"$work/out" 2>&1
  read -r secs kb < <(tail -1 "$work/time")
  times+=("$secs")
  peaks+=("$((kb / 1024))")
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((repeat + 1) / 2))p")
peak=$(printf '%s\n' "${peaks[@]}" | sort -n | tail -1)
grep -E '^  |computed' "$work/out" | sed 's/^/# /' >&2
printf '%-28s %8s %8s\n' input seconds peak_MB
printf '%-28s %8s %8s\n' "year, 200 engineers" "$median" "$peak"
# git's own share: one repository's log, as measure runs it.
/usr/bin/time -o "$work/gitlog" -f '%e %M' git -C "$work/company/repos/svc-00.git" log -z --name-only \
  --format='%x1e%H %P%x1f%at%x1f%ct%x1f%aN%x1f%aE' HEAD -- >/dev/null
read -r gsecs gkb < <(tail -1 "$work/gitlog")
printf '%-28s %8s %8s\n' "git log, one repository" "$gsecs" "$((gkb / 1024))"
