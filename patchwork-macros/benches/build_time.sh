#!/usr/bin/env bash
# Clean-build time of patchwork-macros beside rmcp-macros 3.11, measured in the same run on the same machine.
#
#   patchwork-macros/benches/build_time.sh [runs]     (default 3 runs; each run builds both, alternating order)
#
# Each build starts from an empty target directory (its own, under target/build-time, so the shared target/ is
# untouched) and includes the crate's whole dependency tree, as a user's first `cargo build` does. Debug profile:
# proc-macro crates are built unoptimised in release builds too, unless a profile says otherwise.
set -euo pipefail
runs="${1:-3}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="$repo/target/build-time"
mkdir -p "$work/probe/src"
cat > "$work/probe/Cargo.toml" <<TOML
[package]
name = "build-time-probe"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
patchwork-macros = { path = "$repo/patchwork-macros" }
rmcp-macros = "=3.11.0"

[workspace]
TOML
echo > "$work/probe/src/lib.rs"
offline=()
cargo generate-lockfile --offline --manifest-path "$work/probe/Cargo.toml" >/dev/null 2>&1 && offline=(--offline)

build() { # crate -> seconds
    rm -rf "$work/target"
    local start end
    start=$(date +%s.%N)
    CARGO_TARGET_DIR="$work/target" cargo build -q "${offline[@]}" --manifest-path "$work/probe/Cargo.toml" -p "$1"
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
}

echo "rustc: $(rustc --version); cpus: $(nproc); runs: $runs"
declare -a ours theirs
for ((i = 1; i <= runs; i++)); do
    if ((i % 2)); then
        ours+=("$(build patchwork-macros)"); theirs+=("$(build rmcp-macros)")
    else
        theirs+=("$(build rmcp-macros)"); ours+=("$(build patchwork-macros)")
    fi
    printf 'run %d: patchwork-macros %6.2f s   rmcp-macros %6.2f s\n' "$i" "${ours[-1]}" "${theirs[-1]}"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
printf 'median: patchwork-macros %.2f s, rmcp-macros %.2f s (clean debug builds with dependencies)\n' \
    "$(median "${ours[@]}")" "$(median "${theirs[@]}")"
echo "dependency trees:"
CARGO_TARGET_DIR="$work/target" cargo tree -q "${offline[@]}" --manifest-path "$work/probe/Cargo.toml" -p patchwork-macros -e normal --prefix none | sed "s/ (\*)//" | sort -u | tr '\n' ' '; echo
CARGO_TARGET_DIR="$work/target" cargo tree -q "${offline[@]}" --manifest-path "$work/probe/Cargo.toml" -p rmcp-macros -e normal --prefix none | sed "s/ (\*)//" | sort -u | tr '\n' ' '; echo
