#!/usr/bin/env bash
# Installs `post` as go-spacemesh's post-service (Linux, macOS): publishes post into POST_DIR, adds a `post-service`
# symlink next to `post` there, and links <GO_SPACEMESH_DIR>/post-service to it. go-spacemesh 1.7 starts
# <dir of go-spacemesh>/post-service with post-service's bare flags; started under that name, post runs `post serve`.
# A post-service already there (post-rs's binary) is kept as post-service.post-rs.
# Usage: scripts/install-post-service.sh GO_SPACEMESH_DIR [POST_DIR (default /opt/post)]
#        --legacy also links <GO_SPACEMESH_DIR>/service (the name go-spacemesh used before 1.7).
set -euo pipefail
cd "$(dirname "$0")/.."

legacy=0
args=()
for a in "$@"; do
    case $a in
        --legacy) legacy=1 ;;
        -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) args+=("$a") ;;
    esac
done
if [ ${#args[@]} -lt 1 ] || [ ${#args[@]} -gt 2 ]; then
    echo "usage: scripts/install-post-service.sh [--legacy] GO_SPACEMESH_DIR [POST_DIR]" >&2
    exit 2
fi
node_dir=${args[0]}
post_dir=${args[1]:-/opt/post}
if [ ! -d "$node_dir" ]; then
    echo "install-post-service: $node_dir is not a directory (the one that holds go-spacemesh)" >&2
    exit 2
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
bash scripts/install-deps.sh
dotnet publish prover/Prover.Cli -c Release -v q -nologo -o "$post_dir" >&2
# The apphost finds post.dll next to its real path, so links to it work from any directory.
ln -sfn post "$post_dir/post-service"

post_dir_abs=$(cd "$post_dir" && pwd)
link() { # name in the node's directory
    local target="$node_dir/$1"
    if [ -e "$target" ] && [ ! -L "$target" ]; then
        echo "install-post-service: keeping the existing $target as $target.post-rs" >&2
        mv "$target" "$target.post-rs"
    fi
    ln -sfn "$post_dir_abs/post-service" "$target"
    echo "$target -> $post_dir_abs/post-service ($("$target" --version))"
}
link post-service
if [ $legacy -eq 1 ]; then
    link service
fi
