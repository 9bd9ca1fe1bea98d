#!/usr/bin/env bash
# Side-by-side figures of two builds of `post` (issue 10's "no figure regressed" check): init labels/s (post init
# --json), proving GiB/s (post profile) and k2pow (post profile pow), run alternately OLD, NEW, OLD, NEW … so drift
# on the machine hits both; then one `post bench` each and the new build's `post bench compare` of the two.
# Usage: bench/arch-before-after.sh OLD_POST_DLL NEW_POST_DLL [ROUNDS]
set -euo pipefail
old=$1 new=$2 rounds=${3:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
node=$(printf 'ab%.0s' {1..32}) atx=$(printf 'cd%.0s' {1..32})
printf 'round\tbuild\tinit_labels_s\tprofile_gib_s\tpow_avg_s\n'
for r in $(seq "$rounds"); do
    for which in old new; do
        dll=$old; [ "$which" = new ] && dll=$new
        d="$work/$which-$r"
        init=$(dotnet "$dll" init --datadir "$d/data" --node-id "$node" --commitment-atx-id "$atx" --num-units 1 \
            --labels-per-unit 16384 --max-file-size 262144 -n 8192 -t 2 --json 2>/dev/null \
            | python3 -c 'import json,sys; print(json.load(sys.stdin)["labels_per_second"])')
        prof=$(dotnet "$dll" profile --data-size 0.25 --duration 5 -t 2 2>/dev/null \
            | python3 -c 'import json,sys; print(json.load(sys.stdin)["speed_gib_s"])')
        pow=$(dotnet "$dll" profile pow --iterations 3 --threads 2 --randomx-mode light -d 00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff 2>/dev/null \
            | python3 -c 'import json,sys; d=json.load(sys.stdin)["average_time"]; print(round(d["secs"]+d["nanos"]/1e9,3))')
        printf '%s\t%s\t%s\t%s\t%s\n' "$r" "$which" "$init" "$prof" "$pow"
        rm -rf "$d"
    done
done
dotnet "$old" bench --provider cpu --duration 6 -t 2 -o "$work/bench-old" >/dev/null 2>&1 || true
dotnet "$new" bench --provider cpu --duration 6 -t 2 -o "$work/bench-new" >/dev/null 2>&1 || true
echo
echo "post bench compare (new / old):"
dotnet "$new" bench compare "$work/bench-old/bench.json" "$work/bench-new/bench.json"
