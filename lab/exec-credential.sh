#!/bin/sh
# The lab's exec credential plugin (client.authentication.k8s.io/v1), like aws/gke/kubelogin plugins:
# prints an ExecCredential with a bearer token that expires in 15 minutes.
# Every run is appended to the --log file, so tests can prove when (and whether) a client ran it.
set -eu
token_file=""
log=""
while [ $# -gt 0 ]; do
  case "$1" in
    --token-file) token_file="$2"; shift 2 ;;
    --log) log="$2"; shift 2 ;;
    *) echo "exec-credential: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ -z "$token_file" ] || [ ! -r "$token_file" ]; then
  echo "exec-credential: cannot read token file '$token_file'" >&2
  exit 1
fi
token=$(tr -d '\n' < "$token_file")
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
expires=$(date -u -d '+15 minutes' +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || date -u -v+15M +%Y-%m-%dT%H:%M:%SZ)
if [ -n "$log" ]; then
  echo "$now pid=$$ ppid=$PPID" >> "$log"
fi
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"%s"}}\n' "$token" "$expires"
