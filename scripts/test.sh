#!/usr/bin/env bash
# Sets everything up and runs every test: native dependencies, build (warnings are errors), the whole suite, then the
# SIMD-sensitive tests again with AVX-512, AVX2 and all hardware intrinsics disabled so every SIMD level runs.
# Ends with one line: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."

log() { printf 'test: %s\n' "$*" >&2; }

bash scripts/install-deps.sh || { log "installing native dependencies failed"; exit 1; }
# Optional: Slurm's daemons and munge for the one-host cluster test (tests/slurm); that test is skipped without them.
bash scripts/slurm-cluster.sh install || log "Slurm could not be installed: the one-host Slurm cluster test will be skipped"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
log "building (Release)"
if ! dotnet build Prover.sln -c Release -v q -nologo; then
    log "build failed"
    echo "0 passed, 1 failed"
    exit 1
fi

results=$(mktemp)
run() { # label, env..., -- dotnet test args
    local label=$1; shift
    log "running tests: $label"
    env "$@" 2>&1 | tee -a "$results" | grep -E '^(Passed|Failed|Skipped)!|\[FAIL\]|error' >&2
}

run "all tests" dotnet test Prover.sln -c Release --no-build --settings runsettings -v q -nologo --logger "console;verbosity=minimal"

# Every SIMD level: the same kernels with the wider instruction sets switched off.
simd_filter='FullyQualifiedName~Simd|FullyQualifiedName~Keccak|FullyQualifiedName~Aes|FullyQualifiedName~Scan'
for flag in DOTNET_EnableAVX512=0 DOTNET_EnableAVX2=0 DOTNET_EnableHWIntrinsic=0; do
    run "SIMD kernels with $flag" "$flag" dotnet test kernels/Prover.Kernels.Tests -c Release --no-build \
        --settings runsettings -v q -nologo --logger "console;verbosity=minimal" --filter "$simd_filter"
done

summary=$(grep -E '^(Passed|Failed)!' "$results" | python3 -c '
import re, sys
p = f = s = 0
for line in sys.stdin:
    m = re.search(r"Failed:\s*(\d+), Passed:\s*(\d+), Skipped:\s*(\d+)", line)
    if m:
        f += int(m.group(1)); p += int(m.group(2)); s += int(m.group(3))
print(f"{p} passed, {f} failed" + (f", {s} skipped" if s else ""))
print("FAILED" if f else "OK", file=sys.stderr)
' 2>"$results.status")
failed_runs=$(grep -cE '^Failed!|Test Run Aborted|The active test run was aborted' "$results" || true)
if [ "$failed_runs" != "0" ]; then
    log "details of the failures:"
    grep -E -A14 '^\s+Failed [A-Za-z]|\[FAIL\]' "$results" | grep -vE '^\s+at (System|Xunit|InvokeStub)' >&2 || true
fi
rm -f "$results"
if [ -z "$summary" ]; then
    echo "0 passed, 1 failed"
    exit 1
fi
echo "$summary"
status=$(cat "$results.status"); rm -f "$results.status"
[ "$status" = "OK" ] && [ "$failed_runs" = "0" ]
