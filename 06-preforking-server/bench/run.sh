#!/usr/bin/env bash
# The 06 benchmark: wrk against ./cowfork serve for 1..N workers and each refcount strategy, and
# against gunicorn --preload serving the same endpoint shape (bench/app.py); requests/s, latency
# percentiles, and the total PSS of all the server's processes next to the RSS of its master alone.
# Beside them, "Why not just threads?": the same endpoints and heap served by one JVM with 1..N threads
# (./cowfork serve-threads, cowfork.server.tools.ThreadedServer) under a global lock (gil) or atomic counts;
# each such row and each pre-forked inline/immortal row also prints a grep-able line
#   threads: server=NAME threads=T data=SIZE rps=R pss_kb=P
# (T is the worker count for a pre-forked server: one thread each). --faults adds the fault comparison:
# kill -9 one worker under load, against an exception and an OutOfMemoryError in one thread.
#
# Needs wrk and gunicorn (Debian: apt-get install -y wrk gunicorn); installs nothing itself.
# Run from the repository root after a build (./mvnw -B -q -DskipTests package, or any ./cowfork command):
#
#   06-preforking-server/bench/run.sh [--workers "1 2 4"] [--threads "1 2 4 8"] [--duration 5]
#                                     [--data-size 32m] [--faults] [--out FILE]
#
# Loads only 127.0.0.1. Each run is short (5 s by default); the whole script takes about 4 minutes
# (5 with --faults) on 2 cores.
#
# --scale runs the benchmark at production size instead (cowfork.bench.scale.Scale, in the bench module):
#
#   06-preforking-server/bench/run.sh --scale [--data-size 1g] [--workers 1,2,4,8] [--servers LIST]
#                                     [--window 10] [--cap 30] [--cap-largest 60]
#                                     [--huge-pages none|all|inline,immortal] [--out FILE] [--figures docs/figures]
#
# fork() of the data size in 4 KiB and huge pages (JVM and C), then every refcount strategy and gunicorn
# --preload (every Python with gunicorn) with every worker count, under load until the total PSS grows
# less than 1% in a window, or the cap; then inline and immortal again with serve --huge-pages. About
# 18 minutes on 2 cores (the driver prints its estimate first).
# A smoke run by hand: --scale --data-size 16m --workers 1,2 --window 2 --cap 6 --cap-largest 6 --servers immortal,inline
#
# Each mode owns one section of FILE (default docs/benchmark.md), between <!-- small:begin --> and
# <!-- small:end -->, or <!-- scale:begin --> and <!-- scale:end -->; it replaces only its own (splice).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root="$PWD"
bench="$root/06-preforking-server/bench"

# splice FILE NAME CONTENT: replaces the lines between "<!-- NAME:begin -->" and "<!-- NAME:end -->" in
# FILE by the file CONTENT, keeping the markers and every other line; appends the markers and CONTENT
# when FILE has neither (creating FILE); fails, changing nothing, when it has only one of them.
splice() {
  local file=$1 content=$3 begin="<!-- $2:begin -->" end="<!-- $2:end -->" has_begin=no has_end=no
  [ -f "$file" ] || : > "$file"
  grep -qxF "$begin" "$file" && has_begin=yes
  grep -qxF "$end" "$file" && has_end=yes
  if [ "$has_begin" != "$has_end" ]; then
    echo "run.sh: $file has only one of '$begin' and '$end': fix it by hand; $file is unchanged" >&2
    return 1
  fi
  if [ "$has_begin" = yes ]; then
    awk -v b="$begin" -v e="$end" -v c="$content" '
      $0 == b { print; while ((getline l < c) > 0) print l; skip = 1; next }
      $0 == e { skip = 0 }
      !skip { print }' "$file" > "$file.splice"
  else
    { cat "$file"; if [ -s "$file" ]; then echo; fi; echo "$begin"; cat "$content"; echo "$end"; } > "$file.splice"
  fi
  mv "$file.splice" "$file"
}
if [ "${1:-}" = --splice ]; then # for the tests: run.sh --splice FILE NAME CONTENT
  splice "$2" "$3" "$4"
  exit
fi

for arg in "$@"; do
  if [ "$arg" = --scale ]; then
    out="$root/docs/benchmark.md"
    args=()
    while [ $# -gt 0 ]; do
      case "$1" in
        --scale) shift ;;
        --out) out="$2"; shift 2 ;;
        -h|--help) sed -n '21,33p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) args+=("$1"); shift ;;
      esac
    done
    command -v wrk >/dev/null || { echo "run.sh: wrk is missing (apt-get install -y wrk)" >&2; exit 2; }
    command -v gunicorn >/dev/null || echo "run.sh: no gunicorn on PATH: the driver looks for Pythons that have it" >&2
    section="$out.scale" # beside $out: the driver links the figures relative to where the Markdown lives
    trap 'rm -f "$section"' EXIT
    # ./cowfork builds what is missing and starts the driver with the fork recipe's flags.
    ./cowfork scale ${args[@]+"${args[@]}"} --out "$section"
    splice "$out" scale "$section"
    echo "run.sh: the scale section of $out is rewritten" >&2
    exit 0
  fi
done

workers_list="1 2 4"
threads_list="1 2 4 8"
faults=no
duration=5
data_size=32m
out="$root/docs/benchmark.md"
while [ $# -gt 0 ]; do
  case "$1" in
    --workers) workers_list="$2"; shift 2 ;;
    --threads) threads_list="$2"; shift 2 ;;
    --faults) faults=yes; shift ;;
    --duration) duration="$2"; shift 2 ;;
    --data-size) data_size="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,33p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
for tool in wrk gunicorn java; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing (apt-get install -y wrk gunicorn)" >&2; exit 2; }
done

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# The launcher's class path (every module's jar in its target/, written by the package phase), so
# that nothing has to be installed into ~/.m2; built here if missing.
if [ ! -f cli/target/classpath.txt ]; then ./mvnw -B -q -o -DskipTests package >/dev/null; fi
classpath="$(cat cli/target/classpath.txt)"
read -r -a flags <<< "$(sed -n 's:.*<cowfork.fork.jvmArgs>\(.*\)</cowfork.fork.jvmArgs>.*:\1:p' pom.xml)"
major="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
if [ "$major" -ge 22 ]; then flags+=(--enable-native-access=ALL-UNNAMED); fi
if [ "$major" -ge 24 ]; then flags+=(--sun-misc-unsafe-memory-access=allow); fi

# kB sums from /proc/PID/smaps_rollup of a process and its children: "PSS_total RSS_of_the_parent".
memory() {
  local parent=$1 pss=0 p
  for p in "$parent" $(pgrep -P "$parent" || true); do
    pss=$((pss + $(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)))
  done
  echo "$pss $(awk '/^Rss:/ {print $2}' "/proc/$parent/smaps_rollup")"
}

# wrk's figures: "requests/s p50 p90 p99".
load() {
  local url=$1 items=$2
  ITEMS=$items wrk -t2 -c32 -d"${duration}s" --latency -s "$bench/items.lua" "$url" > "$tmp/wrk.txt"
  awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +90%/ {p90=$2} /^ +99%/ {p99=$2}
       END {printf "%.0f %s %s %s\n", rps, p50, p90, p99}' "$tmp/wrk.txt"
}

await_line() { # file pattern
  for _ in $(seq 600); do grep -q "$2" "$1" && return 0; sleep 0.1; done
  echo "run.sh: no '$2' in $1:" >&2; cat "$1" >&2; return 1
}

rows=()
items=""
run_cowfork() { # strategy workers [extra serve flags...]
  local strategy=$1 w=$2; shift 2
  local log="$tmp/serve.log"
  java "${flags[@]}" -cp "$classpath" cowfork.server.Serve --bind 127.0.0.1:0 --workers "$w" \
      --refcounts "$strategy" --data-size "$data_size" "$@" > "$log" 2>&1 &
  local pid=$!
  await_line "$log" "ready:"
  local port; port="$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$log")"
  items="$(sed -n 's/.*preloaded \([0-9]*\) items.*/\1/p' "$log")"
  local figures mem
  figures="$(load "http://127.0.0.1:$port" "$items")"
  mem="$(memory "$pid")"
  kill -TERM "$pid"; wait "$pid" || true
  local label="cowfork $strategy${*:+ ($*)}"
  rows+=("$label|$w|$figures|$mem")
  echo "  $label, $w workers: $figures; PSS/RSS $mem" >&2
  if [ $# -eq 0 ] && [ "$strategy" != sidetable ]; then
    thread_rows+=("$label|$w|$figures|$mem")
    threads_line "preforked-$strategy" "$w" "$figures" "$mem"
  fi
}

grep_lines=()
thread_rows=()
threads_line() { # name threads figures mem
  local rps pss
  rps="${3%% *}"; pss="${4%% *}"
  grep_lines+=("threads: server=$1 threads=$2 data=$data_size rps=$rps pss_kb=$pss")
  echo "${grep_lines[-1]}" >&2
}

# The comparison: one JVM, T handler threads, no fork (ThreadedServer), under a lock or atomic counts.
start_threads() { # log locking threads [java flags...] -- [server flags...]
  local log=$1 locking=$2 t=$3; shift 3
  local jflags=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do jflags+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  : > "$log" # emptied before the start: await_line must not find the previous run's "ready:"
  java "${flags[@]}" ${jflags[@]+"${jflags[@]}"} -cp "$classpath" cowfork.server.tools.ThreadedServer --bind 127.0.0.1:0 \
      --threads "$t" --locking "$locking" --refcounts inline --data-size "$data_size" "$@" > "$log" 2>&1 &
  server_pid=$!
  await_line "$log" "ready:"
  server_port="$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$log")"
  items="$(sed -n 's/.*preloaded \([0-9]*\) items.*/\1/p' "$log")"
}

run_threads() { # locking threads
  local locking=$1 t=$2 log="$tmp/threads.log"
  start_threads "$log" "$locking" "$t"
  local figures mem
  # Warm the JIT as the pre-forked master's warm-up does (20000 requests) before measuring.
  ITEMS=$items wrk -t1 -c4 -d1s -s "$bench/items.lua" "http://127.0.0.1:$server_port" > /dev/null
  figures="$(load "http://127.0.0.1:$server_port" "$items")"
  mem="$(memory "$server_pid")"
  kill -TERM "$server_pid"; wait "$server_pid" || true
  local label="threads $locking"
  [ "$locking" = gil ] && label="threads gil (inline counts)"
  thread_rows+=("$label|$t|$figures|$mem")
  echo "  $label, $t threads: $figures; PSS/RSS $mem" >&2
  threads_line "threads-$locking" "$t" "$figures" "$mem"
}

run_gunicorn() { # workers
  local w=$1 port=18765 log="$tmp/gunicorn.log"
  ITEMS="$items" gunicorn --preload -w "$w" -b "127.0.0.1:$port" --chdir "$bench" app:app > "$log" 2>&1 &
  local pid=$!
  for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.1; done
  # gunicorn answers once its master is up; wait until every worker has booted too.
  for _ in $(seq 600); do [ "$(pgrep -P "$pid" | wc -l)" -ge "$w" ] && break; sleep 0.1; done
  local figures mem
  figures="$(load "http://127.0.0.1:$port" "$items")"
  mem="$(memory "$pid")"
  kill -TERM "$pid"; wait "$pid" || true
  rows+=("gunicorn (sync, Python $(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])'))|$w|$figures|$mem")
  echo "  gunicorn, $w workers: $figures; PSS/RSS $mem" >&2
}

echo "benchmark: wrk -t2 -c32 -d${duration}s --latency, GET /item/RANDOM, data set $data_size" >&2
for strategy in inline sidetable immortal; do
  for w in $workers_list; do run_cowfork "$strategy" "$w"; done
done
run_cowfork inline 2 --warmup 0
for w in $workers_list; do run_gunicorn "$w"; done
for locking in gil atomic; do
  for t in $threads_list; do run_threads "$locking" "$t"; done
done
if [ "$faults" = yes ]; then . "$bench/faults.sh"; fi

table() { # rows...
  echo "| server | workers / threads | requests/s | p50 | p90 | p99 | PSS of all processes | RSS of the master alone |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  for r in "$@"; do
    IFS='|' read -r label w figures mem <<< "$r"
    read -r rps p50 p90 p99 <<< "$figures"
    read -r pss rss <<< "$mem"
    printf '| %s | %s | %s | %s | %s | %s | %d MiB | %d MiB |\n' "$label" "$w" "$rps" "$p50" "$p90" "$p99" \
        $((pss / 1024)) $((rss / 1024))
  done
}

{
  echo "<!-- generated by 06-preforking-server/bench/run.sh on $(date -u +%Y-%m-%d); do not edit by hand -->"
  echo "Machine: $(nproc) cores, $(java -version 2>&1 | head -1), $(uname -r)."
  echo "Command: \`06-preforking-server/bench/run.sh --workers \"$workers_list\" --threads \"$threads_list\" --duration $duration --data-size $data_size$([ "$faults" = yes ] && echo " --faults")\`"
  echo "(wrk -t2 -c32 -d${duration}s --latency, GET /item/K for random K among $items items; memory read from"
  echo "/proc/PID/smaps_rollup right after the load, before the stop)."
  echo
  table "${rows[@]}"
  echo
  echo "## Processes or threads"
  echo
  echo "The same endpoints and data set served by one JVM with N handler threads (\`./cowfork serve-threads\`:"
  echo "the JDK's com.sun.net.httpserver, one object heap, under one lock or with atomic counts; warmed by 1 s"
  echo "of load first), beside the pre-forked server with N workers, from the same run. See"
  echo "06-preforking-server/README.md, \"Processes or threads\", for what to read in it. Run on $(date -u +%Y-%m-%d)"
  echo "by the command above, load average $(cut -d' ' -f1 /proc/loadavg) at the end (2 cores shared with other work: ratios, not absolutes)."
  echo
  table "${thread_rows[@]}"
  echo
  echo '```'
  printf '%s\n' "${grep_lines[@]}"
  echo '```'
  if [ "$faults" = yes ]; then
    echo
    echo "Faults under load (bench/fault_clients.py: 16 keep-alive clients for ${fault_duration}s, one fault ${fault_delay}s in;"
    echo "\"injection\": whether the injecting command succeeded, i.e. kill -9 was delivered, or the request carrying"
    echo "the fault got a 2xx answer):"
    echo
    echo "| server | fault | injection | other requests ok | other requests failed | non-200 | process after |"
    echo "|---|---|---|---:|---:|---:|---|"
    printf '%s\n' "${fault_rows[@]}"
  fi
} > "$tmp/small.md"
splice "$out" small "$tmp/small.md"
cat "$tmp/small.md"
