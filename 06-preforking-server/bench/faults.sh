# Sourced by run.sh --faults: what one fault costs a pre-forked server and a threaded one, under the same load.
# Each run: 16 keep-alive clients (fault_clients.py, which counts every lost request) for $fault_duration s;
# $fault_delay s in, one fault; then the clients' counts and whether the process (the master, or the one
# JVM) still answers /health. Prints one grep-able line per run:
#   fault: server=NAME fault=KIND injected=succeeded|failed ok=N failed=M non200=K alive=yes|no
fault_duration=6
fault_delay=2
fault_rows=()

fault_run() { # name kind port pid inject-command...
  local name=$1 kind=$2 port=$3 pid=$4; shift 4
  python3 "$bench/fault_clients.py" "$port" "$items" "$fault_duration" > "$tmp/fault.txt" &
  local clients_pid=$!
  sleep "$fault_delay"
  local injected=succeeded
  "$@" || injected=failed
  wait "$clients_pid" || true
  local alive=no
  if kill -0 "$pid" 2>/dev/null && curl -sf -m 5 "http://127.0.0.1:$port/health" >/dev/null; then alive=yes; fi
  local ok failed non
  read -r ok failed non <<< "$(sed 's/[a-z0-9]*=//g' "$tmp/fault.txt")"
  fault_rows+=("| $name | $kind | $injected | $ok | $failed | $non | $([ $alive = yes ] && echo answering || echo gone) |")
  echo "fault: server=$name fault=$kind injected=$injected ok=$ok failed=$failed non200=$non alive=$alive" >&2
}

kill_one_worker() { # master pid
  local victim; victim="$(pgrep -P "$1" | head -1)"
  [ -n "$victim" ] || { echo "faults.sh: the master $1 has no worker to kill" >&2; return 1; }
  kill -9 "$victim"
}

# Pre-forked, 2 workers: kill -9 one of them; the master forks a replacement.
log="$tmp/fault-serve.log"
: > "$log"
java "${flags[@]}" -cp "$classpath" cowfork.server.Serve --bind 127.0.0.1:0 --workers 2 --refcounts inline \
    --data-size "$data_size" > "$log" 2>&1 &
pid=$!
await_line "$log" "ready:"
port="$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$log")"
items="$(sed -n 's/.*preloaded \([0-9]*\) items.*/\1/p' "$log")"
fault_run "cowfork inline, 2 workers" "kill -9 one worker" "$port" "$pid" kill_one_worker "$pid"
kill -TERM "$pid"; wait "$pid" || true

# Threaded, 2 threads: one request's handler throws.
start_threads "$tmp/fault-threads.log" atomic 2 -- --faults
fault_run "threads atomic, 2 threads" "exception in one handler" "$server_port" "$server_pid" \
    curl -sf -m 5 -o /dev/null "http://127.0.0.1:$server_port/fault/exception"
kill -TERM "$server_pid"; wait "$server_pid" || true

# Threaded, 2 threads, a 512 MiB Java heap: one request's handler fills it (a leak, or one huge answer).
start_threads "$tmp/fault-oom.log" atomic 2 -Xmx512m -- --faults
fault_run "threads atomic, 2 threads, -Xmx512m" "OutOfMemoryError in one handler" "$server_port" "$server_pid" \
    curl -sf -m 10 -o /dev/null "http://127.0.0.1:$server_port/fault/oom"
echo "  OutOfMemoryError lines in the threaded server's log: $(grep -c OutOfMemoryError "$tmp/fault-oom.log" || true)" >&2
kill -TERM "$server_pid" 2>/dev/null; wait "$server_pid" || true
