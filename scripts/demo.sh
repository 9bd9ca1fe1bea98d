#!/usr/bin/env bash
# Sets everything up and runs the main job on a small default: initialize a dev dataset (real N=8192 labels) with the
# progress display and a JSON summary. Usage: scripts/demo.sh [DATADIR] (default ./dev-data).
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
