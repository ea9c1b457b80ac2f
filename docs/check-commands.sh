#!/usr/bin/env bash
# Runs every ./cowfork command written in the project's Markdown files, so that what the
# READMEs and docs tell a reader to type really works. Exits non-zero if any fails.
#
#   docs/check-commands.sh            (from the repository root; about 10 minutes)
#
# Commands are taken verbatim from the docs, comments stripped, with these exceptions,
# each so the check ends in reasonable time or leaves the docs untouched:
#   - a placeholder (NN, N, DIR, ...) is skipped: it is a pattern, not a command;
#   - fork-stress runs 200 forks instead of 10,000 (the docs show the long run's result);
#   - fork-latency runs one small size; results writes to a scratch file;
#   - --svg docs/figures (or a module's figures/) writes to a scratch folder instead;
#   - serve is started, asked for /health once it says "ready", and stopped with TERM;
#   - bench (JMH, minutes per strategy) is only asked for --help.
set -uo pipefail
cd "$(dirname "$0")/.."
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
./cowfork --help > /dev/null || { echo "check-commands: ./cowfork does not build or start" >&2; exit 1; }

mapfile -t commands < <(grep -rhoE '\./cowfork [^`|);]*' --include=*.md . \
  | sed -e 's/[[:space:]]*#.*$//' -e 's/[[:space:]]*$//' | sort -u)

failed=0
ran=0
for cmd in "${commands[@]}"; do
  read -r -a words <<< "${cmd#./cowfork }"
  case " ${words[*]} " in
    *" NN "*|*" N "*|*" DIR "*|*"..."*) echo "skip (placeholder): $cmd"; continue ;;
  esac
  args=()
  for ((i = 0; i < ${#words[@]}; i++)); do
    w="${words[i]}"
    if [ "$w" = "--svg" ]; then args+=(--svg "$scratch"); i=$((i + 1)); continue; fi
    if [ "${words[0]}" = "fork-stress" ] && [ "$w" = "--forks" ]; then args+=(--forks 200); i=$((i + 1)); continue; fi
    args+=("$w")
  done
  case "${args[0]}" in
    fork-stress) [[ " ${args[*]} " == *" --forks "* ]] || args+=(--forks 200) ;;
    fork-latency) args+=(--sizes 64m --forks 5) ;;
    results) args+=(--forks 50 --out "$scratch/results.md") ;;
    bench) args=(bench --help) ;;
  esac
  ran=$((ran + 1))
  echo "== ./cowfork ${args[*]}"
  if [ "${args[0]}" = "serve" ] && [[ " ${args[*]} " != *" --help "* ]]; then
    ./cowfork "${args[@]}" > "$scratch/serve.log" 2>&1 &
    pid=$!
    ok=1
    for _ in $(seq 1 240); do
      if grep -q "ready:" "$scratch/serve.log"; then ok=0; break; fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5 # polling a log file written by another process: nothing to wait on
    done
    port="$(sed -n 's#.*listening on http://[^:]*:\([0-9]*\).*#\1#p' "$scratch/serve.log" | head -1)"
    if [ "$ok" = 0 ] && [ -n "$port" ] && python3 - "$port" <<'PY'
import sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/health", timeout=10) as r:
    sys.exit(0 if r.status == 200 else 1)
PY
    then echo "   ok: answered /health on port $port"; else ok=1; cat "$scratch/serve.log"; fi
    kill -TERM "$pid" 2>/dev/null
    wait "$pid"
    [ "$ok" = 0 ] || { echo "FAILED: $cmd"; failed=$((failed + 1)); }
    continue
  fi
  if timeout 900 ./cowfork "${args[@]}" > "$scratch/out.log" 2>&1; then
    echo "   ok ($(wc -l < "$scratch/out.log") lines)"
  else
    tail -20 "$scratch/out.log"
    echo "FAILED: $cmd"
    failed=$((failed + 1))
  fi
done
echo "check-commands: ${ran} commands run, ${failed} failed"
[ "$failed" = 0 ]
