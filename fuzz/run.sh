#!/usr/bin/env bash
# Timed fuzzing with libFuzzer (needs the nightly toolchain and `cargo install cargo-fuzz`).
#
#   fuzz/run.sh <target|all> [seconds=60] [libFuzzer options...]
#   fuzz/run.sh push 60
#   fuzz/run.sh all 30 -jobs=2 -workers=2
#
# Targets: push responses amount canonical sealed_pin attestation (bodies in fuzz/src/<target>.rs).
# The committed seed corpus (fuzz/corpus/<target>) is read, never written: new inputs go
# to fuzz/work/<target>, crashes to fuzz/libfuzzer/artifacts/<target>/ (both ignored by
# git). A crash reproduces with
#   cargo +nightly fuzz run --fuzz-dir fuzz/libfuzzer <target> <artifact>
# and, once fixed, its input belongs in fuzz/corpus/<target>/ so that `cargo test`
# replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."

all=(push responses amount canonical sealed_pin attestation)
target=${1:?usage: fuzz/run.sh <target|all> [seconds] [libFuzzer options...]}
seconds=${2:-60}
shift $(($# < 2 ? $# : 2))

if [[ $target == all ]]; then
    targets=("${all[@]}")
else
    targets=("$target")
fi

for t in "${targets[@]}"; do
    mkdir -p "fuzz/work/$t"
    echo "== fuzz $t for ${seconds}s"
    cargo +nightly fuzz run --fuzz-dir fuzz/libfuzzer "$t" "fuzz/work/$t" "fuzz/corpus/$t" -- \
        -max_total_time="$seconds" -print_final_stats=1 "$@"
done
