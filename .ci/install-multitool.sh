#!/usr/bin/env bash
# Install Microsoft's SARIF Multitool (npm) into DIR and write the binary's path to DIR/path.
# Node is only needed for npm; the Multitool itself is a self-contained .NET binary.
set -euo pipefail
dir=${1:?usage: install-multitool.sh DIR}
mkdir -p "$dir"
if [ ! -x "$dir/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool" ]; then
  npm install --prefix "$dir" --no-audit --no-fund --loglevel=error @microsoft/sarif-multitool@5.7.0 >/dev/null
fi
bin="$dir/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
chmod u+x "$bin"
printf '%s\n' "$(cd "$(dirname "$bin")" && pwd)/Sarif.Multitool" > "$dir/path"
