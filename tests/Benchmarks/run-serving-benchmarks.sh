#!/usr/bin/env bash
# Serving benchmark: `mlops-serve` (ASP.NET Core, the churn model) against Flask + scikit-learn serving
# the equivalent model (tests/Benchmarks/serving/flask_server.py), both on 127.0.0.1, loaded by wrk.
# Writes its results into docs/benchmarks.md, only between the lines
#   <!-- serving-benchmarks:begin -->  and  <!-- serving-benchmarks:end -->
# (appending that marked section at the end if the markers are absent); the rest of the file is left
# byte for byte as it was. How and why: tests/Benchmarks/README.md.
#
#   1. Maximum throughput and p50/p99 latency of POST /predict with one record, both servers:
#      `wrk -t2 -c32 -d15s --latency -s serving/post.lua`. Aim: at least 10x Flask's requests/s.
#   2. p99 latency of mlops-serve at a fixed 1,000 requests/s, paced by serving/paced.lua (wrk 4.1 has
#      no rate option; its delay() hook holds each request back to a fixed schedule). Aim: p99 under 5 ms.
#
# Each round runs mlops-serve and Flask at full speed and mlops-serve paced, the order rotated from
# round to round so that load from other work falls on every run alike; the report gives medians over
# rounds and the ratio of the two servers measured in the same run.
#
# Settings (environment):
#   BENCH_SERVE_SECONDS (15: per full-speed wrk run), BENCH_SERVE_ROUNDS (3), BENCH_SERVE_WARMUP (3 s of
#   load per server before the rounds), BENCH_SERVE_THREADS (2), BENCH_SERVE_CONNECTIONS (32),
#   BENCH_SERVE_RATE (1000 requests/s), BENCH_SERVE_RATE_CONNECTIONS (20), BENCH_SERVE_RATE_SECONDS
#   (BENCH_SERVE_SECONDS), BENCH_SERVE_FLASK_RATE (1: also one paced run of Flask after the rounds; 0: not),
#   BENCH_SERVE_ROW (1: the data row sent, 1 = first after the header), BENCH_SERVE_BUILD (1: build
#   pipelines/churn first; 0: serve its bin/mlops as it is), BENCH_DOC (docs/benchmarks.md),
#   BENCH_KEEP_TMP=1 keeps the temporary directory (wrk outputs, server logs).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPT_DIR/../.." && pwd)
SERVING=$SCRIPT_DIR/serving
DOC=${BENCH_DOC:-$REPO/docs/benchmarks.md}
case $DOC in /*) ;; *) DOC=$PWD/$DOC ;; esac

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'run-serving-benchmarks.sh: error: %s\n' "$*" >&2; exit 1; }

# setting <NAME> <default> <minimum>: BENCH_<NAME> as a whole number, into the variable <NAME>.
setting() {
    local name=$1 default=$2 minimum=$3 variable="BENCH_$1"
    local value=${!variable:-$default}
    case $value in ''|*[!0-9]*) die "$variable must be a whole number" ;; esac
    [ "$value" -ge "$minimum" ] || die "$variable must be at least $minimum"
    printf -v "$name" '%s' "$((10#$value))"
}
# flag <NAME> <default>: BENCH_<NAME> as 0 or 1, into the variable <NAME>.
flag() {
    local name=$1 default=$2 variable="BENCH_$1"
    local value=${!variable:-$default}
    case $value in 0|1) ;; *) die "$variable must be 0 or 1" ;; esac
    printf -v "$name" '%s' "$value"
}
setting SERVE_SECONDS 15 1
setting SERVE_ROUNDS 3 1
setting SERVE_WARMUP 3 0
setting SERVE_THREADS 2 1
setting SERVE_CONNECTIONS 32 1
setting SERVE_RATE 1000 1
setting SERVE_RATE_CONNECTIONS 20 1
setting SERVE_RATE_SECONDS "$SERVE_SECONDS" 1
setting SERVE_ROW 1 1
flag SERVE_FLASK_RATE 1
flag SERVE_BUILD 1
[ "$SERVE_CONNECTIONS" -ge "$SERVE_THREADS" ] || die "BENCH_SERVE_CONNECTIONS must be at least BENCH_SERVE_THREADS ($SERVE_THREADS)"
[ "$SERVE_RATE_CONNECTIONS" -ge "$SERVE_THREADS" ] || die "BENCH_SERVE_RATE_CONNECTIONS must be at least BENCH_SERVE_THREADS ($SERVE_THREADS)"
# The paced runs' schedule: each wrk thread sends one request every RATE_INTERVAL_MS (paced.lua).
RATE_INTERVAL_MS=$(awk -v t="$SERVE_THREADS" -v r="$SERVE_RATE" 'BEGIN { printf "%.4g", t * 1000 / r }')

NPROC=$(nproc)
PY=/usr/bin/python3    # Debian's: python3-flask and python3-sklearn; a python3 earlier on PATH may be a pyenv without them
WRK=/usr/bin/wrk       # Debian's wrk 4.1 (wrk2, also named wrk, takes other options)
HELPERS=("$PY" "$SERVING/helpers.py")
export PYTHONDONTWRITEBYTECODE=1 NO_PROXY="127.0.0.1${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1${no_proxy:+,$no_proxy}"

# --- Tools --------------------------------------------------------------------------------------------

apt_install() {
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || die "$* is missing and installing it needs root: apt-get install -y $*"
        sudo=(sudo)
    fi
    say "installing $* (apt-get)"
    if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >/dev/null; then
        "${sudo[@]}" apt-get update >/dev/null
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >/dev/null
    fi
}

command -v dotnet >/dev/null 2>&1 || die "dotnet is not on PATH"
missing=()
[ -x "$WRK" ] || missing+=(wrk)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ ! -x "$PY" ]; then
    missing+=(python3 python3-flask python3-sklearn)
else
    "$PY" -c 'import flask' >/dev/null 2>&1 || missing+=(python3-flask)
    "$PY" -c 'import sklearn' >/dev/null 2>&1 || missing+=(python3-sklearn)
fi
if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
[ -x "$WRK" ] || die "$WRK is still missing"
command -v curl >/dev/null 2>&1 || die "curl is still missing"
"$PY" -c 'import flask, sklearn, numpy' >/dev/null 2>&1 || die "$PY cannot import flask, sklearn and numpy"
WRK_VERSION=$({ "$WRK" -v 2>&1 || true; } | sed -n 's/^wrk \([^ ]*\).*/\1/p' | sed -n 1p)
case $WRK_VERSION in 4.*|debian/4.*) ;; *) die "$WRK is not wrk 4 (it says '$WRK_VERSION'); install Debian's wrk" ;; esac

# --- Temporary directory, servers, cleanup ------------------------------------------------------------

WORK=$(mktemp -d "${TMPDIR:-/tmp}/buildmlops-serve-bench.XXXXXX")
WORK=$(cd "$WORK" && pwd -P)
OURS_PID= FLASK_PID= WRK_PID=
stop() { # stop <pid>: TERM, then KILL after 10 s
    local pid=$1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || true
}
cleanup() {
    stop "$WRK_PID"
    stop "$OURS_PID"
    stop "$FLASK_PID"
    if [ "${BENCH_KEEP_TMP:-0}" = 1 ]; then
        say "kept $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
case $WORK in *[[:space:]]*) die "the temporary directory $WORK has white space in its path; set TMPDIR elsewhere" ;; esac
case "$WORK/" in
    "$(cd "$REPO" && pwd -P)/"*) die "the temporary directory $WORK is inside the repository; set TMPDIR elsewhere" ;;
esac

LOGS=$WORK/logs
RESULTS=$WORK/results
mkdir -p "$LOGS" "$RESULTS"

run_logged() { # run_logged <log name> <command...>: output to a log, shown if the command fails
    local log=$LOGS/$1
    shift
    if ! "$@" >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        die "failed: $* (log above, $log)"
    fi
}

# --- 1. The model, the request and the host -----------------------------------------------------------

MODEL_DIR=$REPO/pipelines/churn/bin/mlops
if [ "$SERVE_BUILD" = 1 ]; then
    say "building pipelines/churn (dotnet build pipelines/churn -nodeReuse:false)"
    (cd "$REPO" && run_logged churn-build.log dotnet build pipelines/churn -nodeReuse:false)
else
    say "BENCH_SERVE_BUILD=0: serving pipelines/churn/bin/mlops as it is"
fi
for file in model.zip schema.json metrics.json predictions.csv; do
    [ -f "$MODEL_DIR/$file" ] || die "no $MODEL_DIR/$file; build the model: dotnet build pipelines/churn"
done

# The request: one row of the data as a JSON record, every feature, numbers as numbers, no label.
DATA=$REPO/pipelines/churn/data/wa_churn.csv
BODY=$WORK/body.json
"${HELPERS[@]}" body "$DATA" "$MODEL_DIR/schema.json" "$SERVE_ROW" >"$BODY" || die "could not make the request body from row $SERVE_ROW of $DATA"
BODY_BYTES=$(stat -c %s "$BODY")
say "request body (row $SERVE_ROW, $BODY_BYTES bytes): $(cat "$BODY")"

# The host as a model image carries it: the SDK's staged tools/net10.0/serve/ (copied, so that a build
# in the repository during the run cannot change what is measured), if it is a Release build; else a
# Release publish of src/BuildMlops.Serving.Host from a copy of the working tree's sources, so that it
# neither collides with builds running in the repository nor writes into its bin/ and obj/.
STAGED=$REPO/src/BuildMlops.Sdk/tools/net10.0/serve
SERVE=$WORK/serve
release_check() { "${HELPERS[@]}" release "$SERVE/mlops-serve.dll" "$SERVE"/BuildMlops.*.dll; }
HOST_SOURCE= NOT_STAGED="the SDK had no host staged"
if [ -f "$STAGED/mlops-serve.dll" ]; then
    cp -R "$STAGED" "$SERVE"
    if release_check >"$LOGS/release-check.txt"; then
        HOST_SOURCE='the SDK'"'"'s staged `src/BuildMlops.Sdk/tools/net10.0/serve/` (copied before the run)'
    else
        say "the staged $STAGED is not a Release build ($(grep -v ': Release$' "$LOGS/release-check.txt" | paste -sd, - | sed 's/,/, /g')); publishing one"
        NOT_STAGED="the host the SDK had staged, \`src/BuildMlops.Sdk/tools/net10.0/serve/\`, was a Debug build, as \`dotnet build\` without \`-c Release\` stages it"
        rm -rf "$SERVE"
    fi
else
    say "no staged host at $STAGED"
fi
if [ -z "$HOST_SOURCE" ]; then
    say "publishing src/BuildMlops.Serving.Host (Release) from a copy of the sources"
    SOURCES=$WORK/sources
    mkdir -p "$SOURCES"
    ROOT_FILES=(Directory.Build.props Directory.Packages.props global.json)
    for config in nuget.config NuGet.Config NuGet.config; do
        if [ -f "$REPO/$config" ]; then ROOT_FILES+=("$config"); fi
    done
    tar -C "$REPO" --exclude=bin --exclude=obj --exclude=src/BuildMlops.Sdk/tools -cf - src "${ROOT_FILES[@]}" | tar -C "$SOURCES" -xf -
    run_logged host-publish.log dotnet publish "$SOURCES/src/BuildMlops.Serving.Host" -c Release -o "$SERVE" -nodeReuse:false
    [ -f "$SERVE/mlops-serve.dll" ] || die "no $SERVE/mlops-serve.dll after dotnet publish"
    release_check >"$LOGS/release-check.txt" || die "the published host is not a Release build: $(tr '\n' ' ' <"$LOGS/release-check.txt")"
    HOST_SOURCE="\`dotnet publish src/BuildMlops.Serving.Host -c Release\` of the working tree ($NOT_STAGED)"
fi
RELEASE_CHECK=$(sed 's/: Release$//' "$LOGS/release-check.txt" | tr '\n' ' ' | sed 's/ $//; s/ /, /g')
GC_SERVER=$(tr -d ' \n' <"$SERVE/mlops-serve.runtimeconfig.json" | grep -q '"System.GC.Server":true' && echo on || echo off)

# --- 2. The servers, each on a free port --------------------------------------------------------------

# wait_ready <name> <pid> <url> <seconds> <log>: until GET <url> answers 200.
wait_ready() {
    local name=$1 pid=$2 url=$3 limit=$4 log=$5 start=$SECONDS
    while :; do
        kill -0 "$pid" 2>/dev/null || { tail -n 40 "$log" >&2; die "$name exited before it was ready (log above)"; }
        [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true)" = 200 ] && return 0
        [ $((SECONDS - start)) -lt "$limit" ] || { tail -n 40 "$log" >&2; die "$name was not ready within $limit s (log above)"; }
        sleep 0.2
    done
}

OURS_PORT=$("${HELPERS[@]}" free-port)
OURS_URL=http://127.0.0.1:$OURS_PORT
say "starting mlops-serve on $OURS_URL"
dotnet "$SERVE/mlops-serve.dll" --model-dir "$MODEL_DIR" --urls "$OURS_URL" >"$LOGS/mlops-serve.log" 2>&1 &
OURS_PID=$!
wait_ready mlops-serve "$OURS_PID" "$OURS_URL/ready" 120 "$LOGS/mlops-serve.log"

FLASK_PORT=$("${HELPERS[@]}" free-port)
FLASK_URL=http://127.0.0.1:$FLASK_PORT
say "starting the Flask server on $FLASK_URL (it trains its model first)"
"$PY" "$SERVING/flask_server.py" --data "$DATA" --schema "$MODEL_DIR/schema.json" --port "$FLASK_PORT" >"$LOGS/flask.log" 2>&1 &
FLASK_PID=$!
wait_ready Flask "$FLASK_PID" "$FLASK_URL/ready" 900 "$LOGS/flask.log"
FLASK_LINE=$(grep -m1 '^rows [0-9]*, train [0-9]*, test [0-9]*, auc ' "$LOGS/flask.log") || die "the Flask server printed no test metrics"
read -r DATA_ROWS TRAIN_ROWS TEST_ROWS FLASK_AUC FLASK_ACCURACY < <(sed 's/^rows \([0-9]*\), train \([0-9]*\), test \([0-9]*\), auc \([0-9.]*\), accuracy \([0-9.]*\)$/\1 \2 \3 \4 \5/' <<<"$FLASK_LINE")
NUMERIC_COUNT=$(sed -n 's/^numeric: \(.*\); text: .*/\1/p' "$LOGS/flask.log" | wc -w)
TEXT_COUNT=$(sed -n 's/^numeric: .*; text: \(.*\)/\1/p' "$LOGS/flask.log" | wc -w)
export DATA_ROWS
SPLIT_CHECK=$("${HELPERS[@]}" same-split "$MODEL_DIR/predictions.csv") || die "$SPLIT_CHECK"
SPLIT_CHECK="$SPLIT_CHECK, checked against \`predictions.csv\`"
read -r OURS_AUC OURS_ACCURACY < <("$PY" -c 'import json, sys; m = json.load(open(sys.argv[1])); print(m["auc"], m["accuracy"])' "$MODEL_DIR/metrics.json")

# Both must answer the benchmark request with 200 before anything is measured.
check_answer() { # check_answer <name> <url>: prints the answer
    local status
    status=$(curl -s -o "$LOGS/$1-answer.json" -w '%{http_code}' --max-time 10 -H 'Content-Type: application/json' --data-binary "@$BODY" "$2/predict" || true)
    [ "$status" = 200 ] || die "$1 answered POST /predict with '$status', not 200: $(cat "$LOGS/$1-answer.json" 2>/dev/null)"
    cat "$LOGS/$1-answer.json"
}
OURS_ANSWER=$(check_answer mlops-serve "$OURS_URL")
FLASK_ANSWER=$(check_answer flask "$FLASK_URL")
say "mlops-serve answers $OURS_ANSWER"
say "Flask answers $FLASK_ANSWER"
say "test AUC: mlops-serve's model $OURS_AUC, Flask's $FLASK_AUC"

# --- 3. Measuring -------------------------------------------------------------------------------------

CLK_TCK=$(getconf CLK_TCK)
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }  # user + system CPU of a process, all threads
# runq_snapshot <pid>: "<tid> <ns>" for each thread, ns = time spent runnable but waiting for a CPU
# (the second field of /proc/<pid>/task/<tid>/schedstat).
runq_snapshot() {
    local file wait
    for file in /proc/"$1"/task/*/schedstat; do
        { read -r _ wait _ <"$file"; } 2>/dev/null && printf '%s %s\n' "$(basename "$(dirname "$file")")" "$wait"
    done
    return 0
}
# runq_delta <before> <after>: the threads' waiting between two snapshots, in ns; a thread that started
# in between counts whole, one that ended in between is lost (so this is a lower bound).
runq_delta() { awk 'NR == FNR { before[$1] = $2; next } { sum += $2 - (($1 in before) ? before[$1] : 0) } END { printf "%.0f\n", sum }' "$1" "$2"; }

# run_wrk <log> <command...>: wrk in the background (so that a signal ends it with the script), its
# output to <log>; fails on non-2xx answers.
run_wrk() {
    local log=$1
    shift
    "$@" >"$log" 2>&1 &
    WRK_PID=$!
    local status=0
    wait "$WRK_PID" || status=$?
    WRK_PID=
    [ "$status" -eq 0 ] || { cat "$log" >&2; die "wrk failed (exit $status): $*"; }
    if grep -q 'Non-2xx or 3xx responses' "$log"; then cat "$log" >&2; die "a server answered with errors under load: $*"; fi
}

full_speed() { # full_speed <seconds> <url>
    printf '%s\n' "$WRK" -t"$SERVE_THREADS" -c"$SERVE_CONNECTIONS" -d"$1"s --latency -s "$SERVING/post.lua" "$2/predict" -- "$BODY"
}
paced() { # paced <url>
    printf '%s\n' "$WRK" -t"$SERVE_THREADS" -c"$SERVE_RATE_CONNECTIONS" -d"$SERVE_RATE_SECONDS"s --latency -s "$SERVING/paced.lua" "$1/predict" -- "$BODY" "$SERVE_RATE" "$SERVE_THREADS"
}

printf 'round\tposition\tid\tload1\tserver_ticks\tserver_runq_ns\tlog\n' >"$RESULTS/runs.tsv"
# measure <round> <position> <id> <server pid> <wrk command...>
measure() {
    local round=$1 position=$2 id=$3 pid=$4 load before after log
    shift 4
    load=$(cut -d' ' -f1 /proc/loadavg)
    log=$RESULTS/$id.$round.txt
    local when="after the rounds"
    [ "$round" -lt 0 ] || when="round $((round + 1))/$SERVE_ROUNDS"
    say "$id, $when (load average $load)"
    before=$(ticks "$pid")
    runq_snapshot "$pid" >"$RESULTS/runq-before.txt"
    run_wrk "$log" "$@"
    after=$(ticks "$pid")
    runq_snapshot "$pid" >"$RESULTS/runq-after.txt"
    kill -0 "$pid" 2>/dev/null || die "the $id server died during the run"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$position" "$id" "$load" "$((after - before))" "$(runq_delta "$RESULTS/runq-before.txt" "$RESULTS/runq-after.txt")" "$log" >>"$RESULTS/runs.tsv"
    read -r rps p50 p99 _ < <("${HELPERS[@]}" wrk "$log")
    say "  $rps requests/s, p50 $p50 ms, p99 $p99 ms"
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
START_SECONDS=$SECONDS
if awk -v load="${LOAD_BEFORE%% *}" -v cores="$NPROC" 'BEGIN { exit !(load > cores) }'; then
    say "warning: load average $LOAD_BEFORE on $NPROC cores: other work will inflate and scatter the numbers"
fi

if [ "$SERVE_WARMUP" -gt 0 ]; then
    say "warming up both servers, $SERVE_WARMUP s each"
    mapfile -t command < <(full_speed "$SERVE_WARMUP" "$OURS_URL")
    run_wrk "$LOGS/warmup-mlops-serve.txt" "${command[@]}"
    mapfile -t command < <(full_speed "$SERVE_WARMUP" "$FLASK_URL")
    run_wrk "$LOGS/warmup-flask.txt" "${command[@]}"
fi

IDS=(mlops-serve flask mlops-serve-paced)
for ((round = 0; round < SERVE_ROUNDS; round++)); do
    for ((k = 0; k < ${#IDS[@]}; k++)); do
        id=${IDS[(k + round) % ${#IDS[@]}]}
        case $id in
            mlops-serve) mapfile -t command < <(full_speed "$SERVE_SECONDS" "$OURS_URL"); pid=$OURS_PID ;;
            flask) mapfile -t command < <(full_speed "$SERVE_SECONDS" "$FLASK_URL"); pid=$FLASK_PID ;;
            mlops-serve-paced) mapfile -t command < <(paced "$OURS_URL"); pid=$OURS_PID ;;
        esac
        measure "$round" "$k" "$id" "$pid" "${command[@]}"
    done
done
if [ "$SERVE_FLASK_RATE" = 1 ]; then
    mapfile -t command < <(paced "$FLASK_URL")
    measure -1 0 flask-paced "$FLASK_PID" "${command[@]}"
fi

LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
MEASURE_SECONDS=$((SECONDS - START_SECONDS))
stop "$OURS_PID"; OURS_PID=
stop "$FLASK_PID"; FLASK_PID=

# --- 4. The marked section of docs/benchmarks.md ------------------------------------------------------

say "writing the serving-benchmarks section of $DOC"
CPU_MODEL=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | sed -n 1p)
[ -n "$CPU_MODEL" ] || CPU_MODEL=unknown
OS_NAME=$(sed -n 's/^PRETTY_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' /etc/os-release 2>/dev/null || true)
COMMIT=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$REPO" status --porcelain 2>/dev/null || true)" ]; then COMMIT="$COMMIT, with uncommitted changes"; fi
KERNEL=$(uname -sr)
MEMORY=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
DATE_UTC=$(date -u '+%Y-%m-%d %H:%M UTC')
DOTNET_VERSION=$(dotnet --version)
RUNTIME_VERSION=$(dotnet --list-runtimes | sed -n 's/^Microsoft.NETCore.App \([^ ]*\).*/\1/p' | tail -n 1)
ASPNET_VERSION=$(dotnet --list-runtimes | sed -n 's/^Microsoft.AspNetCore.App \([^ ]*\).*/\1/p' | tail -n 1)
PYTHON_VERSION=$("$PY" -c 'import platform; print(platform.python_version())')
read -r FLASK_VERSION WERKZEUG_VERSION SKLEARN_VERSION NUMPY_VERSION < <("$PY" -c '
from importlib.metadata import version
print(version("flask"), version("werkzeug"), version("scikit-learn"), version("numpy"))')
export WORK RESULTS DOC NPROC CLK_TCK SERVE_ROUNDS SERVE_THREADS SERVE_CONNECTIONS SERVE_SECONDS SERVE_WARMUP \
    SERVE_RATE SERVE_RATE_CONNECTIONS SERVE_RATE_SECONDS RATE_INTERVAL_MS DATE_UTC COMMIT WRK_VERSION FLASK_VERSION \
    WERKZEUG_VERSION SKLEARN_VERSION NUMPY_VERSION PYTHON_VERSION OURS_AUC OURS_ACCURACY FLASK_AUC FLASK_ACCURACY \
    DATA_ROWS TRAIN_ROWS TEST_ROWS NUMERIC_COUNT TEXT_COUNT SPLIT_CHECK OURS_ANSWER FLASK_ANSWER CPU_MODEL MEMORY \
    OS_NAME KERNEL DOTNET_VERSION RUNTIME_VERSION ASPNET_VERSION HOST_SOURCE RELEASE_CHECK GC_SERVER LOAD_BEFORE \
    LOAD_AFTER MEASURE_SECONDS BODY_BYTES
export BODY_ROW=$SERVE_ROW
"${HELPERS[@]}" section >"$WORK/summary.txt"
printf '\n' >&2
cat "$WORK/summary.txt"
printf 'written: the serving-benchmarks section of %s\n' "${DOC#"$REPO/"}"
