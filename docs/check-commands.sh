#!/usr/bin/env bash
# Runs every command written in the project's Markdown files, and every figure's "regenerate
# with" command, so that what the READMEs and docs tell a reader to type really works.
#
#   docs/check-commands.sh            (from the repository root; 10-20 minutes on 2 cores)
#   CHECK_MVN_OPTS=-o docs/check-commands.sh    (pass extra options to every ./mvnw, e.g. offline)
#   CHECK_ONLY='jvm-gc|watch' docs/check-commands.sh   (only the commands matching an extended regex)
#   CHECK_KEEP=DIR docs/check-commands.sh   (also keep each command's whole output in DIR, one file
#                                            per command, to paste transcripts from this one run)
#
# It ends with one grep-able line, "check-commands: commands=N passed=N", and exits non-zero
# if any command failed. It is not part of .ci/run: it runs every demo at full size and the
# build several times over, far beyond the few minutes CI is allowed; run it before a release
# and after changing any command in the docs.
#
# Commands are taken verbatim from every *.md file (./cowfork ... and ./mvnw ..., comments
# stripped) and from every *.svg figure's footer, with these exceptions, each so the check
# ends in reasonable time or leaves the repository untouched:
#   - a placeholder (NN, N, ..., or capitals standing for a value: S, A,B, PID, MASTER) is
#     skipped: it is a pattern, not a command;
#   - inspect --name ... points at a server the reader runs (gunicorn, say): skipped here;
#     inspect's own tests (RealServersTest) run it against real gunicorn, unicorn and puma;
#   - a command the docs show being refused (listed in "refused" below) must exit with 2;
#   - a command in a "<!-- transcript pending: ... -->" comment is skipped: it names a run
#     that the code of another branch will make possible;
#   - --svg DIR (or docs/figures, a module's figures/) writes to a scratch folder instead;
#   - fork-stress runs 200 forks instead of 10,000 (the docs show the long run's result);
#   - fork-latency runs one small size; results writes its page and figures to the scratch folder
#     (its page to CHECK_KEEP when that is set);
#   - serve and serve-threads are started, asked for /health once they say "ready", and
#     stopped with TERM; watch runs for 8 s (--seconds 8) unless the command says otherwise;
#   - bench (JMH, minutes per strategy) is only asked for --help; bench --compare runs with a
#     budget of 15 s, which measures one pair (the docs show the long runs' results);
#   - scale (a 1 GiB data set under load for an hour) runs 16 MiB, two servers, 1 and 2
#     workers, two 2-second windows each, its report and figures to the scratch folder;
#   - lab NN grades the files in the chapter's src/lab/java, which are stubs here: it passes when
#     it prints its report's last line ("lab NN: ok ..." or "lab NN: FAIL ..."), whatever the verdict;
#   - ./mvnw runs with -DskipTests (a wrong -pl without -am, a missing profile or module still
#     fails; the tests themselves are what ./mvnw -B verify runs), except the solutions
#     profile, which runs in full because its tests are the point.
set -uo pipefail
cd "$(dirname "$0")/.."
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
read -r -a mvn_extra <<< "${CHECK_MVN_OPTS:-}"

./cowfork --help > /dev/null || { echo "check-commands: ./cowfork does not build or start" >&2; exit 1; }

# Every command: from Markdown (inline `...` or a code block line), and from SVG footers.
mapfile -t commands < <(
  {
    grep -rh --include=*.md . --exclude-dir=target --exclude-dir=.git -e '\./cowfork ' -e '\./mvnw ' \
      | grep -v '<!-- transcript pending:' | grep -oE '\./(cowfork|mvnw) [^]`|);<]*'
    grep -rhoE '\./cowfork [^<"]*' --include=*.svg . --exclude-dir=target --exclude-dir=.git | sed -e 's/ *(Linux .*$//'
  } | sed -e 's/[[:space:]]*#.*$//' -e 's/[[:space:]]*-->.*$//' -e 's/[[:space:]]*$//' | sort -u | grep -E "${CHECK_ONLY:-.}")

# Commands the docs show being refused, on purpose: each must exit with status 2 (bad input).
refused=("serve --worker-connections 10000" "inspect")

# The runs the chapters' Predict transcripts come from: the Markdown writes them with N, the guess.
for t in "./cowfork demo 03 --predict 3000" "./cowfork demo 04 --predict 1872" "./cowfork demo 05 --predict 8673"; do
  echo "$t" | grep -qE "${CHECK_ONLY:-.}" && commands+=("$t")
done

ran=0
passed=0
fail() { echo "FAILED: $1"; }
keep() { # the output of the command just run ($1: its log), kept as CHECK_KEEP/NNN-words.log
  [ -n "${CHECK_KEEP:-}" ] || return 0
  mkdir -p "$CHECK_KEEP"
  cp "$1" "$CHECK_KEEP/$(printf '%03d' "$ran")-$(echo "$2" | tr -c 'A-Za-z0-9.,=-' '_' | cut -c1-100).log"
}

run_mvnw() { # the words after ./mvnw
  local words=("$@") args=() full=0
  [[ " ${words[*]} " == *" -P solutions "* || " ${words[*]} " == *" -Psolutions "* ]] && full=1
  args=("${words[@]}" "${mvn_extra[@]}")
  [ "$full" = 1 ] || args+=(-DskipTests)
  echo "== ./mvnw ${args[*]}"
  local start=$SECONDS
  timeout 1800 ./mvnw "${args[@]}" > "$scratch/out.log" 2>&1
  local rc=$?
  keep "$scratch/out.log" "mvnw ${words[*]}"
  if [ "$rc" = 0 ]; then
    echo "   ok ($((SECONDS - start)) s)"
    return 0
  fi
  tail -30 "$scratch/out.log"
  return 1
}

run_serve() { # the words after ./cowfork: serve or serve-threads, then its arguments
  ./cowfork "$@" > "$scratch/serve.log" 2>&1 &
  local pid=$! ok=1 port
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
  keep "$scratch/serve.log" "$*"
  return "$ok"
}

for cmd in "${commands[@]}"; do
  tool="${cmd%% *}"
  read -r -a words <<< "${cmd#* }"
  case " ${words[*]} " in
    *" NN "*|*" N "*|*"..."*) echo "skip (placeholder): $cmd"; continue ;;
  esac
  placeholder=0
  for ((i = 0; i < ${#words[@]}; i++)); do # a value in capitals, except --svg's DIR, which is given a scratch folder
    [ "${words[i]}" = --svg ] && { i=$((i + 1)); continue; }
    [[ "${words[i]}" =~ ^[A-Z]+(,[A-Z]+)*$ ]] && placeholder=1
  done
  if [ "$placeholder" = 1 ]; then echo "skip (placeholder): $cmd"; continue; fi
  if [ "${words[0]}" = inspect ] && [[ " ${words[*]} " == *" --name "* ]]; then echo "skip (the reader's own server): $cmd"; continue; fi
  ran=$((ran + 1))
  if [ "$tool" = "./mvnw" ]; then
    if run_mvnw "${words[@]}"; then passed=$((passed + 1)); else fail "$cmd"; fi
    continue
  fi
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
    results) args+=(--forks 50 --out "${CHECK_KEEP:-$scratch}/results.md" --figures "$scratch") ;;
    bench) if [[ " ${args[*]} " == *" --compare "* && " ${args[*]} " != *" --help "* ]]; then
             args+=(--budget 15s --min-pairs 2)
           else
             args=(bench --help)
           fi ;;
    watch) [[ " ${args[*]} " == *" --seconds "* || " ${args[*]} " == *" --help "* ]] || args+=(--seconds 8) ;;
    scale) [[ " ${args[*]} " == *" --help "* ]] || args=(scale --data-size 16m --workers 1,2 --servers inline,immortal
             --window 2 --cap 4 --cap-largest 4 --huge-pages none --out "$scratch/scale.md" --figures "$scratch") ;;
  esac
  echo "== ./cowfork ${args[*]}"
  if printf '%s\n' "${refused[@]}" | grep -qxF -- "${args[*]}"; then
    timeout 300 ./cowfork "${args[@]}" > "$scratch/out.log" 2>&1
    rc=$?
    keep "$scratch/out.log" "${args[*]}"
    if [ "$rc" = 2 ]; then echo "   ok (refused, as the docs show: $(tail -1 "$scratch/out.log" | cut -c1-100))"; passed=$((passed + 1))
    else tail -20 "$scratch/out.log"; fail "$cmd (expected a refusal, exit 2; got $rc)"; fi
    continue
  fi
  if [[ "${args[0]}" == serve || "${args[0]}" == serve-threads ]] && [[ " ${args[*]} " != *" --help "* ]]; then
    if run_serve "${args[@]}"; then passed=$((passed + 1)); else fail "$cmd"; fi
    continue
  fi
  start=$SECONDS
  if [ "${args[0]}" = lab ] && [ "${#args[@]}" -ge 2 ] && [[ "${args[1]}" != -* ]]; then
    timeout 900 ./cowfork "${args[@]}" > "$scratch/out.log" 2>&1
    keep "$scratch/out.log" "${args[*]}"
    if tail -1 "$scratch/out.log" | grep -qE "^lab ${args[1]}: (ok|FAIL) "; then
      echo "   ok (graded: $(tail -1 "$scratch/out.log"))"
      passed=$((passed + 1))
    else
      tail -20 "$scratch/out.log"
      fail "$cmd"
    fi
    continue
  fi
  timeout 900 ./cowfork "${args[@]}" > "$scratch/out.log" 2>&1
  rc=$?
  keep "$scratch/out.log" "${args[*]}"
  if [ "$rc" = 0 ]; then
    echo "   ok ($(wc -l < "$scratch/out.log") lines, $((SECONDS - start)) s)"
    passed=$((passed + 1))
  else
    tail -20 "$scratch/out.log"
    fail "$cmd"
  fi
done
echo "check-commands: commands=${ran} passed=${passed}"
[ "$passed" = "$ran" ]
