#!/usr/bin/env bash
# What adding patchwork (default features, the rmcp integration, the attribute on the router) costs a user's build,
# for two rmcp stdio servers, each built clean in debug without and with patchwork, interleaved:
# - `api`: the realistic case, a server that wraps a web API with `reqwest` (default features and `json`): two tools that
#   GET a URL, one that parses JSON;
# - `minimal`: three text tools and nothing else (no HTTP client of its own).
# Prints medians, the ratio, the crates added (and which), and the release binary's growth, per server.
#
#   bash tests/benches/build_cost.sh [runs]     (default 3; each run builds all four, alternating the order)
#
# Each build starts from an empty target directory under target/build-cost (the shared target/ is untouched) and
# includes the whole dependency tree, as a user's first `cargo build` does.
set -euo pipefail
runs="${1:-3}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="$repo/target/build-cost"
mkdir -p "$work"

fixture() { # name, extra dependency lines, attribute line, extra items, extra tools
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
$4
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
$5
}

#[tool_handler]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    Server.serve(rmcp::transport::stdio()).await?.waiting().await?;
    Ok(())
}
RUST
}

attribute='#[patchwork_runtime::patchwork_feedback(slug = "build-cost")]'
patchwork="patchwork-runtime = { path = \"$repo/patchwork-runtime\", features = [\"rmcp\"] }"
api_deps='reqwest = { version = "0.13", features = ["json"] }
serde_json = "1"'
api_items='
#[derive(serde::Deserialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
struct Url {
    url: String,
}

async fn get(url: &str) -> Result<reqwest::Response, String> {
    reqwest::get(url).await.and_then(reqwest::Response::error_for_status).map_err(|e| e.to_string())
}
'
api_tools='
    /// Fetch a page of the API as text.
    #[tool]
    async fn fetch(&self, Parameters(args): Parameters<Url>) -> Result<String, String> {
        get(&args.url).await?.text().await.map_err(|e| e.to_string())
    }

    /// Fetch a JSON document of the API and list its top-level keys.
    #[tool]
    async fn keys(&self, Parameters(args): Parameters<Url>) -> Result<String, String> {
        let value: serde_json::Value = get(&args.url).await?.json().await.map_err(|e| e.to_string())?;
        Ok(value.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>().join(", ")).unwrap_or_default())
    }
'
fixture minimal-without "" "" "" ""
fixture minimal-with "$patchwork" "$attribute" "" ""
fixture api-without "$api_deps" "" "$api_items" "$api_tools"
fixture api-with "$api_deps
$patchwork" "$attribute" "$api_items" "$api_tools"
names=(api-without api-with minimal-without minimal-with)

offline=(--offline)
for f in "${names[@]}"; do
    cargo generate-lockfile --offline --manifest-path "$work/$f/Cargo.toml" >/dev/null 2>&1 || offline=()
done

build() { # fixture -> seconds of a clean debug build
    rm -rf "$work/target-$1"
    local start end
    start=$(date +%s.%N)
    CARGO_TARGET_DIR="$work/target-$1" cargo build -q "${offline[@]}" --manifest-path "$work/$1/Cargo.toml"
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
crates() { # fixture -> distinct crates in the normal dependency tree
    cargo tree -q "${offline[@]}" --manifest-path "$work/$1/Cargo.toml" -e normal --prefix none |
        tail -n +2 | sed 's/ (\*)//; s/ (proc-macro)//' | awk '{print $1}' | sort -u
}
size() { # fixture -> bytes of the release binary
    CARGO_TARGET_DIR="$work/target-$1" cargo build -q --release "${offline[@]}" --manifest-path "$work/$1/Cargo.toml"
    stat -c %s "$work/target-$1/release/$1"
}

echo "rustc: $(rustc --version); cpus: $(nproc); runs: $runs"
declare -A times
for ((i = 1; i <= runs; i++)); do
    order=("${names[@]}")
    if ((i % 2 == 0)); then order=(api-with api-without minimal-with minimal-without); fi
    line="run $i:"
    for f in "${order[@]}"; do
        t=$(build "$f")
        times[$f]="${times[$f]:-} $t"
        line+=$(printf '  %s %.2f s' "$f" "$t")
    done
    echo "$line"
done

for server in api minimal; do
    # shellcheck disable=SC2086
    m_without=$(median ${times[$server-without]})
    # shellcheck disable=SC2086
    m_with=$(median ${times[$server-with]})
    crates "$server-without" > "$work/crates-$server-without.txt"
    crates "$server-with" > "$work/crates-$server-with.txt"
    added=$(comm -13 "$work/crates-$server-without.txt" "$work/crates-$server-with.txt")
    s_without=$(size "$server-without")
    s_with=$(size "$server-with")
    printf '%s: clean debug build, median: without %.2f s, with patchwork %.2f s, ratio %.2f; crates: without %d, with %d, added %d (%s); release binary: without %.2f MB, with %.2f MB, growth %.2f MB\n' \
        "$server" "$m_without" "$m_with" "$(awk -v a="$m_with" -v b="$m_without" 'BEGIN { print a / b }')" \
        "$(wc -l < "$work/crates-$server-without.txt")" "$(wc -l < "$work/crates-$server-with.txt")" \
        "$(printf '%s\n' "$added" | grep -c .)" "$(printf '%s' "$added" | tr '\n' ' ')" \
        "$(awk -v s="$s_without" 'BEGIN { print s / 1e6 }')" "$(awk -v s="$s_with" 'BEGIN { print s / 1e6 }')" \
        "$(awk -v a="$s_with" -v b="$s_without" 'BEGIN { print (a - b) / 1e6 }')"
done
