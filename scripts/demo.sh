#!/usr/bin/env bash
# Sets everything up and runs the main job on a small default: initialize a dev dataset (real N=8192 labels, 4 units
# of 4096 labels), check a sample of it, prove it against a challenge (mainnet k1/k2, RandomX light mode with an easy
# k2pow difficulty so the demo takes seconds), and verify the proof.
# Usage: scripts/demo.sh [DATADIR] (default ./dev-data). Re-running resumes/reuses the data.
set -euo pipefail
cd "$(dirname "$0")/.."
datadir=${1:-./dev-data}

bash scripts/install-deps.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build prover/Prover.Cli -c Release -v q -nologo >&2
post() { dotnet prover/Prover.Cli/bin/Release/net10.0/post.dll "$@"; }

echo "== providers" >&2
post providers >&2 || true
echo "== post init --preset dev --datadir $datadir" >&2
post init --preset dev --datadir "$datadir" --json
echo "== post verify-data --datadir $datadir --fraction 10" >&2
post verify-data --datadir "$datadir" --fraction 10 --scrypt-n 8192

# The dev k2pow difficulty: FF…FF per unit (mainnet is 000dfb23b0979b4b00…, minutes of RandomX per proof).
pow=$(printf 'f%.0s' $(seq 64))
challenge=${POST_DEMO_CHALLENGE:-$(printf 'ab%.0s' $(seq 32))}
proof="$datadir/proof.json"
echo "== post prove --datadir $datadir --challenge $challenge --randomx-mode light --pow-difficulty ff…ff" >&2
post prove --datadir "$datadir" --challenge "$challenge" --randomx-mode light --pow-difficulty "$pow" --json > "$proof.tmp"
mv "$proof.tmp" "$proof"
cat "$proof"
echo "== post verify --proof $proof --labels-per-unit 4096 --scrypt-n 8192" >&2
post verify --proof "$proof" --labels-per-unit 4096 --scrypt-n 8192 --pow-difficulty "$pow"

# The embedded node: a one-node standalone network on this machine (genesis now, 1 s layers, 5 per epoch, the embedded
# PoET, a small PoST at scrypt N = 64) that runs until its first ATX is published and validated, then stops.
nodedir=${POST_DEMO_NODE_DIR:-./node-data}
echo "== post node run --preset standalone --datadir $nodedir --layer-duration 1s --layers-per-epoch 5 --scrypt-n 64 (until its first ATX)" >&2
# Started without the post() wrapper so that $! is the node process itself: SIGTERM to a wrapping subshell left the
# node running.
dotnet prover/Prover.Cli/bin/Release/net10.0/post.dll node run --preset standalone --datadir "$nodedir" --layer-duration 1s --layers-per-epoch 5 --scrypt-n 64 >&2 &
node_pid=$!
for _ in $(seq 240); do
    if post node atxs --datadir "$nodedir" --json 2>/dev/null \
        | python3 -c 'import json, sys; sys.exit(0 if json.load(sys.stdin) else 1)' 2>/dev/null; then
        break
    fi
    kill -0 "$node_pid" 2>/dev/null || break
    sleep 1
done
echo "== post node atxs --datadir $nodedir --json" >&2
post node atxs --datadir "$nodedir" --json
kill -TERM "$node_pid" 2>/dev/null || true
wait "$node_pid" || true
