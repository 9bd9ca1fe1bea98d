#!/usr/bin/env bash
# Acceptance test of issue 14 on a real one-host Slurm cluster (scripts/slurm-cluster.sh starts it): one identity planned
# with `post init plan --format slurm --shards 4`, submitted as a 4-task job array plus the dependent merge job, and
# compared byte for byte (every postdata_N.bin and postdata_metadata.json) with a single-machine `post init` of the
# same identity. Tiny dev parameters: the dev identity, 4 units × 256 labels, 1 KiB files (16 files), scrypt N=16.
#
#   POST=path/to/post tests/slurm/init-array-test.sh
#
# Last line: PASS, FAIL: why, or SKIP: why. Exit 0 (pass), 1 (fail) or 77 (skip: Slurm cannot be installed here).
# The cluster is stopped again if this script started it; the work folder is removed on PASS and kept otherwise.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
POST=${POST:-$ROOT/prover/Prover.Cli/bin/Release/net10.0/post}
SHARDS=4
TIMEOUT=${SLURM_TEST_TIMEOUT:-300}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/post-slurm-test.XXXXXX")
CLUSTER="$ROOT/scripts/slurm-cluster.sh"
started=0

log() { printf 'slurm-test: %s\n' "$*" >&2; }
finish() { # status message
    if [ "$started" = 1 ]; then bash "$CLUSTER" stop >/dev/null 2>&1 || true; fi
    case "$1" in
        PASS) rm -rf "$WORK"; echo "PASS${2:+: $2}"; exit 0 ;;
        SKIP) echo "SKIP: $2"; exit 77 ;;
        *) echo "FAIL: $2 (work folder kept: $WORK)"; exit 1 ;;
    esac
}

[ -x "$POST" ] || finish FAIL "no post executable at $POST: build prover/Prover.Cli (Release) or set POST"
if ! bash "$CLUSTER" install >"$WORK/install.log" 2>&1; then
    finish SKIP "Slurm (slurmctld, slurmd, munge) cannot be installed here: $(tail -n 2 "$WORK/install.log" | tr '\n' ' ')"
fi
bash "$CLUSTER" status >/dev/null 2>&1 || started=1
bash "$CLUSTER" start >"$WORK/start.log" 2>&1 || finish FAIL "the one-host cluster did not start: $(tail -n 3 "$WORK/start.log" | tr '\n' ' ')"
eval "$(bash "$CLUSTER" env)"

identity=(--preset dev --labels-per-unit 256 --max-file-size 1024 --scrypt-n 16)
log "single-machine post init"
"$POST" init --datadir "$WORK/single" "${identity[@]}" >"$WORK/single.log" 2>&1 \
    || finish FAIL "single-machine post init failed: $(tail -n 3 "$WORK/single.log" | tr '\n' ' ')"

log "post init plan --format slurm --shards $SHARDS"
mkdir -p "$WORK/logs"
"$POST" init plan --format slurm --shards "$SHARDS" --datadir "$WORK/cluster" --log-dir "$WORK/logs" --post "$POST" \
    --job-name "post-init-test-$$" "${identity[@]}" >"$WORK/submit.sh" 2>"$WORK/plan.log" \
    || finish FAIL "post init plan failed: $(cat "$WORK/plan.log")"
submitted=$(cd "$WORK" && bash submit.sh 2>&1) || finish FAIL "submitting failed: $submitted"
array_job=$(sed -n 's/^array job: \([0-9]*\).*/\1/p' <<<"$submitted")
merge_job=$(sed -n 's/^merge job: \([0-9]*\).*/\1/p' <<<"$submitted")
[ -n "$array_job" ] && [ -n "$merge_job" ] || finish FAIL "no job ids in the submit script's output: $submitted"
log "array job $array_job, merge job $merge_job"

state() { scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p'; }
deadline=$((SECONDS + TIMEOUT))
while :; do
    merge_state=$(state "$merge_job" | head -n 1)
    array_states=$(state "$array_job" | sort | uniq -c | tr -s ' \n' ' ')
    case "$merge_state" in
        COMPLETED) break ;;
        FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE)
            finish FAIL "merge job $merge_state: $(cat "$WORK"/logs/*merge*.out 2>/dev/null | tail -n 20 | tr '\n' ' ')" ;;
    esac
    if grep -qE 'FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY' <<<"$array_states"; then
        finish FAIL "array tasks:$array_states; $(tail -n 5 "$WORK"/logs/*.out 2>/dev/null | tr '\n' ' ')"
    fi
    [ "$SECONDS" -lt "$deadline" ] || finish FAIL "not done after ${TIMEOUT}s: merge $merge_state, array tasks:$array_states"
    sleep 1
done
log "array tasks:$array_states; merge COMPLETED after $((SECONDS + TIMEOUT - deadline))s"

# Byte for byte: the same postdata files and metadata in both directories.
single_files=$(cd "$WORK/single" && ls postdata_*.bin postdata_metadata.json 2>/dev/null | sort)
cluster_files=$(cd "$WORK/cluster" && ls postdata_*.bin postdata_metadata.json 2>/dev/null | sort)
[ "$single_files" = "$cluster_files" ] || finish FAIL "different files: single [$(echo $single_files)] cluster [$(echo $cluster_files)]"
count=0
for f in $single_files; do
    cmp -s "$WORK/single/$f" "$WORK/cluster/$f" || finish FAIL "$f differs: $(cmp "$WORK/single/$f" "$WORK/cluster/$f" 2>&1)"
    count=$((count + 1))
done
[ "$count" -ge 17 ] || finish FAIL "only $count files compared (expected 16 postdata files and the metadata)"
finish PASS "$count files byte-identical ($SHARDS-task array $array_job + merge $merge_job vs a single post init)"
