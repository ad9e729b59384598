#!/usr/bin/env bash
# What adding patchwork costs a user's build: a small rmcp stdio server (three tools) built clean in debug without
# and with patchwork (feature `rmcp`, the attribute on its router), interleaved; medians and the ratio, the crates
# added, and the release binary's growth. A third build, `floor`, adds only the HTTP stack patchwork delivers with
# (reqwest, rustls on ring, the platform verifier) and sends one request: what any server that reports over HTTPS
# with reqwest pays, so the difference between `floor` and `with` is patchwork's own share.
#
#   bash tests/benches/build_cost.sh [runs]     (default 3; each run builds both, alternating which goes first)
#
# Each build starts from an empty target directory under target/build-cost (the shared target/ is untouched) and
# includes the whole dependency tree, as a user's first `cargo build` does.
set -euo pipefail
runs="${1:-3}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="$repo/target/build-cost"
mkdir -p "$work"

fixture() { # name, extra dependency lines, attribute line, statements run before serving
    local dir="$work/$1"
    mkdir -p "$dir/src"
    cat > "$dir/Cargo.toml" <<TOML
[package]
name = "$1"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
rmcp = { version = "=3.11.0", default-features = false, features = ["server", "macros", "transport-io"] }
tokio = { version = "1", features = ["macros", "rt", "io-std"] }
serde = { version = "1", features = ["derive"] }
$2

[workspace]
TOML
    cat > "$dir/src/main.rs" <<RUST
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{ServerCapabilities, ServerConfig};
use rmcp::{ServerHandler, ServiceExt, schemars, tool, tool_handler, tool_router};

#[derive(serde::Deserialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
struct Text {
    text: String,
}

#[derive(Clone)]
struct Server;

$3
#[tool_router]
impl Server {
    /// Count the words of a text.
    #[tool]
    async fn count_words(&self, Parameters(args): Parameters<Text>) -> String {
        args.text.split_whitespace().count().to_string()
    }

    /// Upper-case a text.
    #[tool]
    async fn upper(&self, Parameters(args): Parameters<Text>) -> String {
        args.text.to_uppercase()
    }

    /// Reverse a text.
    #[tool]
    async fn reverse(&self, Parameters(args): Parameters<Text>) -> String {
        args.text.chars().rev().collect()
    }
}

#[tool_handler]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    $4
    Server.serve(rmcp::transport::stdio()).await?.waiting().await?;
    Ok(())
}
RUST
}

fixture without "" "" ""
fixture with "patchwork-runtime = { path = \"$repo/patchwork-runtime\", features = [\"rmcp\"] }" \
    "#[patchwork_runtime::patchwork_feedback(slug = \"build-cost\")]" ""
# The client patchwork builds (see patchwork-runtime/src/delivery/client.rs), used for one POST when asked.
fixture floor 'reqwest = { version = "0.13", default-features = false, features = ["rustls-no-provider"] }
rustls = { version = "0.23", default-features = false, features = ["ring", "std", "tls12"] }
rustls-platform-verifier = "0.7"' "" 'if let Some(url) = std::env::var_os("FLOOR_URL") {
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let verifier = rustls_platform_verifier::Verifier::new(provider.clone())?;
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .dangerous()
            .with_custom_certificate_verifier(std::sync::Arc::new(verifier))
            .with_no_client_auth();
        let client = reqwest::Client::builder().tls_backend_preconfigured(tls).build()?;
        let reply = client.post(url.to_string_lossy().as_ref()).header("content-type", "application/json")
            .body("{}").send().await?;
        eprintln!("{}", reply.status());
    }'

offline=()
if cargo generate-lockfile --offline --manifest-path "$work/without/Cargo.toml" >/dev/null 2>&1 &&
    cargo generate-lockfile --offline --manifest-path "$work/with/Cargo.toml" >/dev/null 2>&1 &&
    cargo generate-lockfile --offline --manifest-path "$work/floor/Cargo.toml" >/dev/null 2>&1; then
    offline=(--offline)
fi

build() { # fixture -> seconds of a clean debug build
    rm -rf "$work/target-$1"
    local start end
    start=$(date +%s.%N)
    CARGO_TARGET_DIR="$work/target-$1" cargo build -q "${offline[@]}" --manifest-path "$work/$1/Cargo.toml"
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
}

echo "rustc: $(rustc --version); cpus: $(nproc); runs: $runs"
declare -a with without floor
for ((i = 1; i <= runs; i++)); do
    if ((i % 2)); then
        without+=("$(build without)"); with+=("$(build with)"); floor+=("$(build floor)")
    else
        floor+=("$(build floor)"); with+=("$(build with)"); without+=("$(build without)")
    fi
    printf 'run %d: without %6.2f s   with patchwork %6.2f s   floor %6.2f s\n' "$i" "${without[-1]}" "${with[-1]}" \
        "${floor[-1]}"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
m_without=$(median "${without[@]}")
m_with=$(median "${with[@]}")
m_floor=$(median "${floor[@]}")
printf 'clean debug build, median: without %.2f s, with patchwork %.2f s, ratio %.2f (floor %.2f s, ratio %.2f)\n' \
    "$m_without" "$m_with" "$(awk -v a="$m_with" -v b="$m_without" 'BEGIN { print a / b }')" \
    "$m_floor" "$(awk -v a="$m_floor" -v b="$m_without" 'BEGIN { print a / b }')"

crates() { # fixture -> distinct crates in the normal dependency tree
    cargo tree -q "${offline[@]}" --manifest-path "$work/$1/Cargo.toml" -e normal --prefix none |
        tail -n +2 | sed 's/ (\*)//; s/ (proc-macro)//' | awk '{print $1}' | sort -u
}
for f in without with floor; do crates "$f" > "$work/crates-$f.txt"; done
added=$(comm -13 "$work/crates-without.txt" "$work/crates-with.txt")
beyond=$(comm -13 "$work/crates-floor.txt" "$work/crates-with.txt")
printf 'crates: without %d, with %d, added %d (floor adds %d; patchwork beyond the floor: %s)\nadded: %s\n' \
    "$(wc -l < "$work/crates-without.txt")" "$(wc -l < "$work/crates-with.txt")" "$(printf '%s\n' "$added" | grep -c .)" \
    "$(comm -13 "$work/crates-without.txt" "$work/crates-floor.txt" | grep -c .)" "$(printf '%s' "$beyond" | tr '\n' ' ')" \
    "$(printf '%s' "$added" | tr '\n' ' ')"

size() { # fixture -> bytes of the release binary
    CARGO_TARGET_DIR="$work/target-$1" cargo build -q --release "${offline[@]}" --manifest-path "$work/$1/Cargo.toml"
    stat -c %s "$work/target-$1/release/$1"
}
s_without=$(size without)
s_with=$(size with)
s_floor=$(size floor)
printf 'release binary: without %.1f MB, with patchwork %.1f MB, growth %.1f MB (floor %.1f MB, growth %.1f MB)\n' \
    "$(awk -v s="$s_without" 'BEGIN { print s / 1e6 }')" "$(awk -v s="$s_with" 'BEGIN { print s / 1e6 }')" \
    "$(awk -v a="$s_with" -v b="$s_without" 'BEGIN { print (a - b) / 1e6 }')" \
    "$(awk -v s="$s_floor" 'BEGIN { print s / 1e6 }')" "$(awk -v a="$s_floor" -v b="$s_without" 'BEGIN { print (a - b) / 1e6 }')"
