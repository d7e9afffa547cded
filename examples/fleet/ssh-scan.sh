#!/bin/sh
# Run `ccpolicy scan --host` on every host over SSH, collect the JSON outputs, merge, report.
#
# Usage: ssh-scan.sh HOSTS_FILE [OUT_DIR]
#   HOSTS_FILE  one ssh destination per line (host, user@host or a ~/.ssh/config alias);
#               blank lines and # comments are ignored
#   OUT_DIR     where outputs go (default ccpolicy-out): OUT_DIR/hosts/<host>.json per host,
#               OUT_DIR/fleet.json merged
# Needs ccpolicy on every host (scan) and here (merge, report). ssh runs in batch mode: keys
# from an agent, never a password prompt. A host that cannot be reached or scanned gets an
# output that says so, so the report lists it under "Could not be scanned".
set -u

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 HOSTS_FILE [OUT_DIR]" >&2
    exit 2
fi
hosts_file=$1
out=${2:-ccpolicy-out}
remote_command='ccpolicy scan --host --format json --fail-on never'

mkdir -p "$out/hosts" || exit 2
rm -f "$out"/hosts/*.json

# A ccpolicy JSON report (schema_version 1) for a host that could not be scanned.
failed_output() {
    printf '{"schema_version": 1, "tool": {"name": "ccpolicy", "version": "ssh-scan"}, '
    printf '"summary": {"findings": 0, "suppressed": 0, "failed": false, "notifications": 1}, '
    printf '"targets": [{"target": "%s", "kind": "host", "files_scanned": 0, "contexts": 0}], ' "$1"
    printf '"findings": [], "notifications": [{"target": "%s", "level": "error", ' "$1"
    printf '"message": "%s: could not be scanned: %s", "path": null, "line": null, ' "$1" "$2"
    printf '"descriptor": "target-failed"}]}\n'
}

failed=0
total=0
while IFS= read -r line || [ -n "$line" ]; do
    host=$(printf '%s\n' "$line" | sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//')
    [ -n "$host" ] || continue
    total=$((total + 1))
    name=$(printf '%s' "$host" | tr -c 'A-Za-z0-9._@-' '_')
    file="$out/hosts/$name.json"
    # -n: ssh must not read this loop's stdin (the hosts file).
    ssh -n -o BatchMode=yes -o ConnectTimeout=15 "$host" "$remote_command" > "$file.part" 2> "$file.log"
    status=$?
    if [ "$status" -eq 0 ] && [ -s "$file.part" ]; then
        mv "$file.part" "$file"
        rm -f "$file.log"
    else
        failed=$((failed + 1))
        echo "ccpolicy: $host: scan failed (ssh exit $status; see $file.log)" >&2
        rm -f "$file.part"
        failed_output "$name" "ssh or ccpolicy exited with status $status" > "$file"
    fi
done < "$hosts_file"

if [ "$total" -eq 0 ]; then
    echo "ccpolicy: $hosts_file lists no hosts" >&2
    exit 2
fi
echo "ccpolicy: scanned $((total - failed)) of $total hosts" >&2
ccpolicy merge "$out"/hosts/*.json --output "$out/fleet.json" || exit $?
ccpolicy report "$out/fleet.json"
