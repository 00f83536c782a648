#!/usr/bin/env bash
# Data-versioning benchmarks of the `mlops` CLI, each measured against named peers in the same run.
# Writes its results into docs/benchmarks.md, only between the lines
#   <!-- data-benchmarks:begin -->  and  <!-- data-benchmarks:end -->
# (appending that marked section at the end if the markers are absent); the rest of the file is left
# byte for byte as it was. How and why: tests/Benchmarks/README.md.
#
#   1. Hashing: one 1 GiB file and 10,000 small files. The CLI has no hashing-only command, so
#      `mlops data status` after deleting .mlops/tmp/hash-cache.json (re-hashes, copies nothing) and
#      `mlops data add` on a fresh repository (hashes and copies into the cache), against md5sum,
#      sha256sum and b3sum over the same files. Aim: at least 1.5 GB/s on the large file.
#   2. Warm no-op `mlops data status` of a tracked directory of 10,000 files. Aim: under 0.5 s.
#   3. `mlops data push` / `mlops data pull` of 1,000 small files and of one 1 GiB file to and from
#      s3rver on 127.0.0.1, against `aws s3 cp --recursive` up and down. Aim: no slower than awscli.
#
# Each benchmark is a series of rounds; in each round every command gets its own hyperfine call, the
# order rotated from round to round so that load from other work falls on all commands alike.
#
# Settings (environment; runs and warmups are per command and round):
#   BENCH_BIG_MIB (1024), BENCH_SMALL_FILES (10000), BENCH_XFER_FILES (1000), BENCH_FILE_KIB (10),
#   BENCH_JOBS (10: mlops --jobs, and awscli's max_concurrent_requests),
#   BENCH_HASH_BIG_{ROUNDS,RUNS,WARMUP} (2,2,1), BENCH_HASH_SMALL_{ROUNDS,RUNS,WARMUP} (2,4,1),
#   BENCH_ADD_SMALL_{ROUNDS,RUNS,WARMUP} (3,1,0), BENCH_STATUS_{ROUNDS,RUNS,WARMUP} (2,10,2),
#   BENCH_XFER_SMALL_{ROUNDS,RUNS,WARMUP} (2,3,0), BENCH_XFER_BIG_{ROUNDS,RUNS,WARMUP} (3,1,0),
#   BENCH_DOC (docs/benchmarks.md), BENCH_KEEP_TMP=1 keeps the temporary directory.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPT_DIR/../.." && pwd)
DOC=${BENCH_DOC:-$REPO/docs/benchmarks.md}
case $DOC in /*) ;; *) DOC=$PWD/$DOC ;; esac

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'run-data-benchmarks.sh: error: %s\n' "$*" >&2; exit 1; }

# setting <NAME> <default> <minimum>: BENCH_<NAME> as a whole number, into the variable <NAME>.
setting() {
    local name=$1 default=$2 minimum=$3 variable="BENCH_$1"
    local value=${!variable:-$default}
    case $value in ''|*[!0-9]*) die "$variable must be a whole number" ;; esac
    [ "$value" -ge "$minimum" ] || die "$variable must be at least $minimum"
    printf -v "$name" '%s' "$value"
}
setting BIG_MIB 1024 1
setting SMALL_FILES 10000 1
setting XFER_FILES 1000 1
setting FILE_KIB 10 1
setting JOBS 10 1
setting HASH_BIG_ROUNDS 2 1;   setting HASH_BIG_RUNS 2 1;   setting HASH_BIG_WARMUP 1 0
setting HASH_SMALL_ROUNDS 2 1; setting HASH_SMALL_RUNS 4 1; setting HASH_SMALL_WARMUP 1 0
setting ADD_SMALL_ROUNDS 3 1;  setting ADD_SMALL_RUNS 1 1;  setting ADD_SMALL_WARMUP 0 0
setting STATUS_ROUNDS 2 1;     setting STATUS_RUNS 10 1;    setting STATUS_WARMUP 2 0
setting XFER_SMALL_ROUNDS 2 1; setting XFER_SMALL_RUNS 3 1; setting XFER_SMALL_WARMUP 0 0
setting XFER_BIG_ROUNDS 3 1;   setting XFER_BIG_RUNS 1 1;   setting XFER_BIG_WARMUP 0 0

BIG_BYTES=$((BIG_MIB * 1048576))
FILE_BYTES=$((FILE_KIB * 1024))
NPROC=$(nproc)
# A diagnostic only: objects above this size go to the large-object heap (the default is 85,000 bytes).
LOH_ENV=DOTNET_GCLOHThreshold=0x400000

# --- Tools ------------------------------------------------------------------------------------------

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
command -v hyperfine >/dev/null 2>&1 || missing+=(hyperfine)
command -v b3sum >/dev/null 2>&1 || missing+=(b3sum)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
S3RVER_PACKAGE=$REPO/tests/servers/node_modules/@20minutes/s3rver/package.json
if [ ! -f "$S3RVER_PACKAGE" ]; then command -v npm >/dev/null 2>&1 || missing+=(npm); fi
# Debian's awscli at /usr/bin/aws: an `aws` found first on PATH may be a pyenv shim or another install.
[ -x /usr/bin/aws ] || missing+=(awscli)
if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
for tool in hyperfine b3sum python3 node md5sum sha256sum; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is still missing"
done
AWS=/usr/bin/aws
"$AWS" --version >/dev/null 2>&1 || die "$AWS --version fails: reinstall awscli (apt-get install --reinstall awscli)"

if [ ! -f "$S3RVER_PACKAGE" ]; then
    say "installing s3rver (npm ci --prefix tests/servers)"
    npm ci --prefix "$REPO/tests/servers" >/dev/null
fi

# --- Temporary directory, outside the repository ----------------------------------------------------

WORK=$(mktemp -d "${TMPDIR:-/tmp}/buildmlops-data-bench.XXXXXX")
WORK=$(cd "$WORK" && pwd -P)
S3_PID=
cleanup() {
    if [ -n "$S3_PID" ] && kill -0 "$S3_PID" 2>/dev/null; then
        kill "$S3_PID" 2>/dev/null || true
        wait "$S3_PID" 2>/dev/null || true
    fi
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
S3DIR=$WORK/s3
mkdir -p "$LOGS" "$RESULTS" "$S3DIR" "$WORK/scratch" "$WORK/aws" "$WORK/aws-src" "$WORK/aws-dst"

needed_kib=$(((BIG_BYTES * 9 + (SMALL_FILES + XFER_FILES) * FILE_BYTES * 6) / 1024))
free_kib=$(df -Pk "$WORK" | awk 'NR == 2 { print $4 }')
[ "$free_kib" -ge "$needed_kib" ] || die "$WORK has $((free_kib / 1048576)) GiB free; the benchmarks need about $((needed_kib / 1048576 + 1)) GiB"

run_logged() { # run_logged <log name> <command...>: output to a log, shown if the command fails
    local log=$LOGS/$1
    shift
    if ! "$@" >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        die "failed: $* (log above, $log)"
    fi
}

# --- 1. The mlops CLI --------------------------------------------------------------------------------

say "building src/BuildMlops.Sdk (Release), which stages the mlops CLI"
run_logged build.log dotnet build "$REPO/src/BuildMlops.Sdk" -c Release
TOOLS=$REPO/src/BuildMlops.Sdk/tools/net10.0
[ -f "$TOOLS/mlops.dll" ] || die "no $TOOLS/mlops.dll after the build"
# A private copy, so that a build of the repository during the run cannot change what is measured.
cp -R "$TOOLS" "$WORK/mlops"
MLOPS="dotnet $WORK/mlops/mlops.dll"          # as hyperfine runs it (through sh)
mlops=(dotnet "$WORK/mlops/mlops.dll")         # as this script runs it
run_logged mlops-version.log "${mlops[@]}" --version
MLOPS_VERSION=$(tr -d '\r' <"$LOGS/mlops-version.log" | sed -n 1p)

# --- 2. Credentials and settings for both S3 clients, all requests to 127.0.0.1 -----------------------

cat >"$WORK/aws/config" <<EOF
[default]
region = us-east-1
s3 =
  addressing_style = path
  max_concurrent_requests = $JOBS
EOF
export AWS_CONFIG_FILE=$WORK/aws/config
export AWS_SHARED_CREDENTIALS_FILE=$WORK/aws/credentials
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true AWS_PAGER=
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 AWS_CA_BUNDLE 2>/dev/null || true
export NO_PROXY="127.0.0.1${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1${no_proxy:+,$no_proxy}"

# --- 3. Data -----------------------------------------------------------------------------------------

# make_files <dir> <count>: <count> files of FILE_BYTES random bytes each, named f00000, f00001, ...
make_files() {
    local dir=$1 count=$2 width=${#2}
    [ "$width" -ge 5 ] || width=5
    mkdir -p "$dir"
    head -c $((count * FILE_BYTES)) /dev/urandom | split -b "$FILE_BYTES" -d -a "$width" - "$dir/f"
    [ "$(find "$dir" -type f | wc -l)" -eq "$count" ] || die "made the wrong number of files in $dir"
}

say "making the data: one $BIG_MIB MiB file, $SMALL_FILES and $XFER_FILES files of $FILE_KIB KiB (random bytes)"
# Every repository is anchored by its own .mlops/ folder (mlops looks upwards for .mlops/ or .git).
mkdir -p "$WORK/hash-big/.mlops" "$WORK/hash-small/.mlops" "$WORK/push/.mlops" "$WORK/pull/.mlops"
head -c "$BIG_BYTES" /dev/urandom >"$WORK/hash-big/big.bin"
make_files "$WORK/hash-small/files" "$SMALL_FILES"
make_files "$WORK/push/files" "$XFER_FILES"
# The transfer data: the same inodes for mlops (push/) and awscli (aws-src/). Linked before any mlops
# command runs, as a new link changes the file's ctime, which mlops's stat cache compares.
ln "$WORK/hash-big/big.bin" "$WORK/push/big.bin"
mkdir -p "$WORK/aws-src/big"
ln "$WORK/hash-big/big.bin" "$WORK/aws-src/big/big.bin"
cp -al "$WORK/push/files" "$WORK/aws-src/small"
SMALL_BYTES=$((SMALL_FILES * FILE_BYTES))
XFER_BYTES=$((XFER_FILES * FILE_BYTES))

say "tracking it (mlops data add)"
(cd "$WORK/hash-big" && run_logged add-big.log "${mlops[@]}" data add big.bin)
(cd "$WORK/hash-small" && run_logged add-small.log "${mlops[@]}" data add files)
(cd "$WORK/push" && run_logged add-push.log "${mlops[@]}" data add files big.bin)
HASH_CACHE_JSON_BYTES=$(stat -c %s "$WORK/hash-small/.mlops/tmp/hash-cache.json")
POINTER_BYTES=$(stat -c %s "$WORK/hash-small/files.mlops")

# --- 4. s3rver on 127.0.0.1, on a port the system picks ------------------------------------------------

# s3rver makes ListObjects continuation tokens with DES, which OpenSSL 3 (Node 17 and later) has only in
# its legacy provider; without it any listing of more than 1,000 keys fails with InternalError.
NODE_FLAGS=
if node --openssl-legacy-provider -e '' >/dev/null 2>&1; then NODE_FLAGS=--openssl-legacy-provider; fi
say "starting s3rver (tests/servers/s3rver.js) over $S3DIR"
NODE_OPTIONS="$NODE_FLAGS${NODE_OPTIONS:+ $NODE_OPTIONS}" node "$REPO/tests/servers/s3rver.js" \
    --directory "$S3DIR" --address 127.0.0.1 --port 0 --bucket bench >"$LOGS/s3rver.log" 2>&1 &
S3_PID=$!
PORT=
for _ in $(seq 1 300); do
    PORT=$(sed -n 's/^S3rver listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$LOGS/s3rver.log")
    [ -n "$PORT" ] && break
    kill -0 "$S3_PID" 2>/dev/null || { cat "$LOGS/s3rver.log" >&2; die "s3rver exited"; }
    sleep 0.1
done
[ -n "$PORT" ] || { cat "$LOGS/s3rver.log" >&2; die "s3rver did not start listening within 30 s"; }
ENDPOINT=http://127.0.0.1:$PORT
S3RVER_VERSION=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$S3RVER_PACKAGE" | sed -n 1p)
CLK_TCK=$(getconf CLK_TCK)
server_ticks() { awk '{ print $14 + $15 }' "/proc/$S3_PID/stat"; }
AWS_CMD="$AWS --endpoint-url $ENDPOINT"
run_logged aws-check.log "$AWS" --endpoint-url "$ENDPOINT" s3 ls s3://bench/

(cd "$WORK/push" \
    && run_logged remote-small.log "${mlops[@]}" remote add small s3://bench/mlops-small -o "endpoint=$ENDPOINT" \
    && run_logged remote-big.log "${mlops[@]}" remote add big s3://bench/mlops-big -o "endpoint=$ENDPOINT")
# The pull side: a clone of the push side as git would give it, the pointer files and the config only.
cp "$WORK/push/.mlops/config.json" "$WORK/pull/.mlops/"
cp "$WORK/push/files.mlops" "$WORK/push/big.bin.mlops" "$WORK/pull/"

# Clearing a prefix: s3rver keeps nothing but its files (<dir>/<bucket>/<key> plus metadata files), so
# deleting the prefix's folder empties it at once, without loading the server inside a measurement.
clear_prefix() { printf 'rm -rf %s/bench/%s && sync' "$S3DIR" "$1"; }
count_objects() { find "$S3DIR/bench/$1" -name '*._S3rver_object' 2>/dev/null | wc -l; }

say "checking that a push after clearing the prefix uploads everything"
(cd "$WORK/push" && eval "$(clear_prefix mlops-small)" && run_logged push-check-small.log "${mlops[@]}" data push -r small -j "$JOBS" files)
grep -q "pushed $XFER_FILES objects" "$LOGS/push-check-small.log" || die "the first push did not upload $XFER_FILES objects: $(cat "$LOGS/push-check-small.log")"
(cd "$WORK/push" && run_logged push-check-big.log "${mlops[@]}" data push -r big -j "$JOBS" big.bin)
grep -q "pushed 1 object" "$LOGS/push-check-big.log" || die "the first push of big.bin uploaded nothing: $(cat "$LOGS/push-check-big.log")"

# --- 5. Measuring ------------------------------------------------------------------------------------

OPENSSL_SHA256=
if command -v openssl >/dev/null 2>&1; then
    # Single-core SHA-256 speed of this CPU (SHA extensions if it has them), in 1000s of bytes/s.
    OPENSSL_SHA256=$(openssl speed -evp sha256 -bytes 1048576 -seconds 2 2>/dev/null | awk '$1 == "sha256" { sub(/k$/, "", $NF); print $NF }' | tail -n 1 || true)
fi

printf 'group\tid\tround\tposition\tload1\tserver_ticks\texecutions\n' >"$RESULTS/calls.tsv"
printf 'group\tid\tdir\tprepare\tcommand\n' >"$RESULTS/commands.tsv"

# bench <group> <rounds> <runs> <warmup> (<id> <dir> <prepare> <command>)...
# One hyperfine call per command and round, exporting <results>/<group>.<id>.<round>.json; round r
# starts at the r-th command. Records the 1-minute load average and s3rver's CPU time of each call.
bench() {
    local group=$1 rounds=$2 runs=$3 warmup=$4
    shift 4
    local ids=() dirs=() prepares=() commands=()
    while [ $# -gt 0 ]; do
        ids+=("$1") dirs+=("$2") prepares+=("$3") commands+=("$4")
        printf '%s\t%s\t%s\t%s\t%s\n' "$group" "$1" "$2" "$3" "$4" >>"$RESULTS/commands.tsv"
        shift 4
    done
    local count=${#ids[@]} round k i load before after
    for ((round = 0; round < rounds; round++)); do
        for ((k = 0; k < count; k++)); do
            i=$(((k + round) % count))
            load=$(cut -d' ' -f1 /proc/loadavg)
            say "$group, round $((round + 1))/$rounds: ${ids[i]} (load average $load)"
            before=$(server_ticks)
            (cd "${dirs[i]}" && run_logged "hyperfine-$group-${ids[i]}-$round.log" \
                hyperfine --style basic --warmup "$warmup" --runs "$runs" \
                --export-json "$RESULTS/$group.${ids[i]}.$round.json" \
                -n "${ids[i]}" --prepare "${prepares[i]}" "${commands[i]}")
            after=$(server_ticks)
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$group" "${ids[i]}" "$round" "$k" "$load" "$((after - before))" "$((warmup + runs))" >>"$RESULTS/calls.tsv"
        done
    done
}

HB=$WORK/hash-big
HS=$WORK/hash-small
PUSH=$WORK/push
PULL=$WORK/pull
LIST_FILES='find files -type f -print0 | xargs -0'
PER_PROCESS=$(((SMALL_FILES + NPROC - 1) / NPROC))
[ "$PER_PROCESS" -le 1000 ] || PER_PROCESS=1000

sync
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
START_SECONDS=$SECONDS
if awk -v load="${LOAD_BEFORE%% *}" -v cores="$NPROC" 'BEGIN { exit !(load > cores) }'; then
    say "warning: load average $LOAD_BEFORE on $NPROC cores: other work will inflate and scatter the timings"
fi

say "benchmark 1a: hashing one $BIG_MIB MiB file"
bench hash-big "$HASH_BIG_ROUNDS" "$HASH_BIG_RUNS" "$HASH_BIG_WARMUP" \
    md5sum "$HB" true 'md5sum big.bin' \
    sha256sum "$HB" true 'sha256sum big.bin' \
    b3sum "$HB" true 'b3sum big.bin' \
    b3sum-1 "$HB" true 'b3sum --num-threads 1 big.bin' \
    status-cold "$HB" 'rm -f .mlops/tmp/hash-cache.json' "$MLOPS data status big.bin" \
    add "$HB" 'rm -rf .mlops/cache .mlops/tmp big.bin.mlops .gitignore && sync' "$MLOPS data add big.bin" \
    cp "$HB" "rm -f $WORK/scratch/big.bin && sync" "cp big.bin $WORK/scratch/big.bin"
rm -f "$WORK/scratch/big.bin"

say "benchmark 1b: hashing $SMALL_FILES files of $FILE_KIB KiB"
bench hash-small "$HASH_SMALL_ROUNDS" "$HASH_SMALL_RUNS" "$HASH_SMALL_WARMUP" \
    md5sum "$HS" true "$LIST_FILES md5sum" \
    sha256sum "$HS" true "$LIST_FILES sha256sum" \
    b3sum "$HS" true "$LIST_FILES b3sum" \
    sha256sum-parallel "$HS" true "$LIST_FILES -P $NPROC -n $PER_PROCESS sha256sum" \
    status-cold "$HS" 'rm -f .mlops/tmp/hash-cache.json' "$MLOPS data status files" \
    status-cold-loh "$HS" 'rm -f .mlops/tmp/hash-cache.json' "env $LOH_ENV $MLOPS data status files"

say "benchmark 1c: mlops data add of $SMALL_FILES files of $FILE_KIB KiB"
bench add-small "$ADD_SMALL_ROUNDS" "$ADD_SMALL_RUNS" "$ADD_SMALL_WARMUP" \
    add "$HS" 'rm -rf .mlops/cache .mlops/tmp files.mlops .gitignore && sync' "$MLOPS data add files" \
    add-loh "$HS" 'rm -rf .mlops/cache .mlops/tmp files.mlops .gitignore && sync' "env $LOH_ENV $MLOPS data add files" \
    cp-r "$HS" "rm -rf $WORK/scratch/files && sync" "cp -r files $WORK/scratch/files"
rm -rf "$WORK/scratch/files"

say "benchmark 2: warm no-op mlops data status"
# Warm the stat cache: the first status after the add/status runs above re-hashes whatever they left
# untrusted; the second must then find every file in the stat cache and rewrite nothing.
(cd "$HS" && run_logged status-warmup-small.log "${mlops[@]}" data status files && run_logged status-warmup-small-2.log "${mlops[@]}" data status files)
(cd "$HB" && run_logged status-warmup-big.log "${mlops[@]}" data status big.bin && run_logged status-warmup-big-2.log "${mlops[@]}" data status big.bin)
grep -q 'all up to date' "$LOGS/status-warmup-small-2.log" || die "data status of files is not up to date: $(cat "$LOGS/status-warmup-small-2.log")"
grep -q 'all up to date' "$LOGS/status-warmup-big-2.log" || die "data status of big.bin is not up to date: $(cat "$LOGS/status-warmup-big-2.log")"
CACHE_STAMP_BEFORE=$(stat -c '%Y.%y' "$HS/.mlops/tmp/hash-cache.json" "$HB/.mlops/tmp/hash-cache.json")
bench status "$STATUS_ROUNDS" "$STATUS_RUNS" "$STATUS_WARMUP" \
    status-warm "$HS" true "$MLOPS data status files" \
    status-warm-all "$HS" true "$MLOPS data status" \
    status-warm-one "$HB" true "$MLOPS data status big.bin" \
    help "$HS" true "$MLOPS --help"
CACHE_STAMP_AFTER=$(stat -c '%Y.%y' "$HS/.mlops/tmp/hash-cache.json" "$HB/.mlops/tmp/hash-cache.json")
STATUS_REHASHED=0
[ "$CACHE_STAMP_BEFORE" = "$CACHE_STAMP_AFTER" ] || STATUS_REHASHED=1

say "benchmark 3a: push of $XFER_FILES files of $FILE_KIB KiB"
# The mlops-small prefix holds every object here (the check above): push-noop finds them all present.
bench push-small "$XFER_SMALL_ROUNDS" "$XFER_SMALL_RUNS" "$XFER_SMALL_WARMUP" \
    mlops "$PUSH" "$(clear_prefix mlops-small)" "$MLOPS data push -r small -j $JOBS files" \
    aws "$PUSH" "$(clear_prefix aws-small)" "$AWS_CMD s3 cp --recursive --only-show-errors $WORK/aws-src/small s3://bench/aws-small/" \
    mlops-noop "$PUSH" true "$MLOPS data push -r small -j $JOBS files"
[ "$(count_objects mlops-small)" -eq "$XFER_FILES" ] || die "s3://bench/mlops-small/ does not hold $XFER_FILES objects after the push benchmark"
[ "$(count_objects aws-small)" -eq "$XFER_FILES" ] || die "s3://bench/aws-small/ does not hold $XFER_FILES objects after the upload benchmark"

say "benchmark 3b: pull of $XFER_FILES files of $FILE_KIB KiB"
(cd "$PULL" && run_logged pull-seed-small.log "${mlops[@]}" data pull -r small -j "$JOBS" files)
bench pull-small "$XFER_SMALL_ROUNDS" "$XFER_SMALL_RUNS" "$XFER_SMALL_WARMUP" \
    mlops "$PULL" 'rm -rf .mlops/cache .mlops/tmp files && sync' "$MLOPS data pull -r small -j $JOBS files" \
    aws "$PULL" "rm -rf $WORK/aws-dst/small && sync" "$AWS_CMD s3 cp --recursive --only-show-errors s3://bench/aws-small/ $WORK/aws-dst/small" \
    checkout "$PULL" 'rm -rf files && sync' "$MLOPS data checkout files"
diff -r "$PUSH/files" "$PULL/files" >/dev/null || die "the pulled files differ from the pushed ones"
diff -r "$WORK/aws-src/small" "$WORK/aws-dst/small" >/dev/null || die "the files awscli downloaded differ from the uploaded ones"

say "benchmark 3c: push of one $BIG_MIB MiB file"
bench push-big "$XFER_BIG_ROUNDS" "$XFER_BIG_RUNS" "$XFER_BIG_WARMUP" \
    mlops "$PUSH" "$(clear_prefix mlops-big)" "$MLOPS data push -r big -j $JOBS big.bin" \
    aws "$PUSH" "$(clear_prefix aws-big)" "$AWS_CMD s3 cp --recursive --only-show-errors $WORK/aws-src/big s3://bench/aws-big/"
if [ "$(count_objects mlops-big)" -ne 1 ] || [ "$(count_objects aws-big)" -ne 1 ]; then die "the big file is not on s3rver after the push benchmark"; fi

say "benchmark 3d: pull of one $BIG_MIB MiB file"
rm -rf "$WORK/aws-dst/small"
(cd "$PULL" && rm -rf .mlops/cache files && run_logged pull-seed-big.log "${mlops[@]}" data pull -r big -j "$JOBS" big.bin)
bench pull-big "$XFER_BIG_ROUNDS" "$XFER_BIG_RUNS" "$XFER_BIG_WARMUP" \
    mlops "$PULL" 'rm -rf .mlops/cache .mlops/tmp big.bin && sync' "$MLOPS data pull -r big -j $JOBS big.bin" \
    aws "$PULL" "rm -rf $WORK/aws-dst/big && sync" "$AWS_CMD s3 cp --recursive --only-show-errors s3://bench/aws-big/ $WORK/aws-dst/big" \
    checkout "$PULL" 'rm -f big.bin && sync' "$MLOPS data checkout big.bin"
cmp -s "$PUSH/big.bin" "$PULL/big.bin" || die "the pulled big.bin differs from the pushed one"
cmp -s "$PUSH/big.bin" "$WORK/aws-dst/big/big.bin" || die "the big.bin awscli downloaded differs from the uploaded one"

LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
MEASURE_SECONDS=$((SECONDS - START_SECONDS))

# --- 6. The marked section of docs/benchmarks.md -------------------------------------------------------

say "writing the data-benchmarks section of $DOC"
CPU_MODEL=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | sed -n 1p)
[ -n "$CPU_MODEL" ] || CPU_MODEL=unknown
CPU_FLAGS=$(grep -o -w -E 'sha_ni|avx2|avx512f' /proc/cpuinfo | sort -u | tr '\n' ' ' || true)
OS_NAME=$(sed -n 's/^PRETTY_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' /etc/os-release 2>/dev/null || true)
COMMIT=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$REPO" status --porcelain 2>/dev/null || true)" ]; then COMMIT="$COMMIT, with uncommitted changes"; fi
export WORK RESULTS LOGS DOC NPROC CPU_MODEL CPU_FLAGS OS_NAME COMMIT LOAD_BEFORE LOAD_AFTER MEASURE_SECONDS \
    BIG_BYTES BIG_MIB SMALL_FILES SMALL_BYTES XFER_FILES XFER_BYTES FILE_KIB JOBS CLK_TCK OPENSSL_SHA256 \
    HASH_CACHE_JSON_BYTES POINTER_BYTES STATUS_REHASHED MLOPS_VERSION S3RVER_VERSION NODE_FLAGS LOH_ENV PER_PROCESS
KERNEL=$(uname -sr)
MEMORY=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
DATE_UTC=$(date -u '+%Y-%m-%d %H:%M UTC')
DOTNET_VERSION=$(dotnet --version)
RUNTIME_VERSION=$(dotnet --list-runtimes | sed -n 's/^Microsoft.NETCore.App \([^ ]*\).*/\1/p' | tail -n 1)
HYPERFINE_VERSION=$(hyperfine --version | cut -d' ' -f2)
COREUTILS_VERSION=$(sha256sum --version | sed -n 1p | awk '{ print $NF }')
B3SUM_VERSION=$(b3sum --version | awk '{ print $2 }')
AWS_VERSION=$("$AWS" --version 2>&1 | awk '{ print $1 }')
NODE_VERSION=$(node --version)
FS_TYPE=$(stat -f -c %T "$WORK")
export KERNEL MEMORY DATE_UTC DOTNET_VERSION RUNTIME_VERSION HYPERFINE_VERSION COREUTILS_VERSION B3SUM_VERSION \
    AWS_VERSION NODE_VERSION FS_TYPE

python3 - >"$WORK/summary.txt" <<'PY'
import csv, json, math, os, statistics

env = os.environ
work, results, doc_path = env["WORK"], env["RESULTS"], env["DOC"]
nproc = int(env["NPROC"])
clk = int(env["CLK_TCK"])
big_bytes, small_bytes, xfer_bytes = int(env["BIG_BYTES"]), int(env["SMALL_BYTES"]), int(env["XFER_BYTES"])
small_files, xfer_files, jobs = int(env["SMALL_FILES"]), int(env["XFER_FILES"]), int(env["JOBS"])
big_mib, file_kib = int(env["BIG_MIB"]), int(env["FILE_KIB"])
BEGIN, END = "<!-- data-benchmarks:begin -->", "<!-- data-benchmarks:end -->"


def tmp(text):
    return text.replace(work, "<tmp>")


# --- Results ---------------------------------------------------------------------------------------

with open(os.path.join(results, "commands.tsv")) as f:
    commands = {(r["group"], r["id"]): r for r in csv.DictReader(f, delimiter="\t")}
with open(os.path.join(results, "calls.tsv")) as f:
    calls = list(csv.DictReader(f, delimiter="\t"))

stats = {}
for call in calls:
    key = (call["group"], call["id"])
    with open(os.path.join(results, f"{call['group']}.{call['id']}.{call['round']}.json")) as f:
        r = json.load(f)["results"][0]
    s = stats.setdefault(key, {"times": [], "cpu": [], "rounds": {}, "server": [], "loads": []})
    s["times"] += r["times"]
    s["cpu"] += [r["user"] + r["system"]] * len(r["times"])
    s["rounds"][int(call["round"])] = r["mean"]
    s["server"].append(int(call["server_ticks"]) / clk / int(call["executions"]))
    s["loads"].append(float(call["load1"]))
for s in stats.values():
    t = s["times"]
    s.update(mean=statistics.fmean(t), sd=statistics.stdev(t) if len(t) > 1 else 0.0, median=statistics.median(t),
             min=min(t), max=max(t), n=len(t), cpu_mean=statistics.fmean(s["cpu"]), server_mean=statistics.fmean(s["server"]))


def S(group, id):
    return stats[(group, id)]


def mean(group, id):
    return S(group, id)["mean"]


def ratio(a, b):
    r = a["mean"] / b["mean"]
    return r, r * math.hypot(a["sd"] / a["mean"], b["sd"] / b["mean"])


def round_range(a, b):
    values = [a["rounds"][k] / b["rounds"][k] for k in a["rounds"] if k in b["rounds"]]
    return min(values), max(values)


def gbps(nbytes, s):
    return nbytes / s["mean"] / 1e9


def verdict(ok):
    return "met" if ok else "**missed**"


def fmt_ratio(a, b):
    r, e = ratio(a, b)
    lo, hi = round_range(a, b)
    per_round = f" (rounds {lo:.2f} to {hi:.2f})" if len(a["rounds"]) > 1 else ""
    return f"{r:.2f} ± {e:.2f}{per_round}"


def no_slower(a, b):
    r, e = ratio(a, b)
    if r <= 1:
        return "met" + (" (within noise)" if r + e > 1 else "")
    return "**missed**" + (" (within noise)" if r - e <= 1 else "")


def escape(text):
    return text.replace("|", "\\|")


def header(extra=None):
    cols = ["Command", "Mean ± σ (s)", "Median (s)", "Min (s)", "Max (s)", "CPU user+sys (s)"] + ([extra] if extra else []) + ["Runs"]
    return "| " + " | ".join(cols) + " |\n|" + "---|" * len(cols)


def row(label, s, extra=None):
    return (f"| {label} | {s['mean']:.3f} ± {s['sd']:.3f} | {s['median']:.3f} | {s['min']:.3f} | {s['max']:.3f} | "
            f"{s['cpu_mean']:.2f} | " + (f"{extra} | " if extra is not None else "") + f"{s['n']} |")


def us(seconds):
    """Microseconds, or a note when noise made the difference meaningless."""
    return f"{seconds * 1e6:,.0f} µs" if seconds > 0 else "nothing measurable (within noise)"


def command_table(group):
    lines = ["| id | directory | prepare (not timed) | command (timed) |", "|---|---|---|---|"]
    for (g, id), c in commands.items():
        if g == group:
            lines.append(f"| {id} | `{tmp(c['dir'])}` | `{escape(tmp(c['prepare']))}` | `{escape(tmp(c['command']))}` |")
    return "\n".join(lines)


def plan(group):
    rounds = len(next(iter(s["rounds"] for (g, _), s in stats.items() if g == group)))
    with open(os.path.join(results, f"{group}.{next(id for (g, id) in commands if g == group)}.0.json")) as f:
        first = json.load(f)["results"][0]
    runs = len(first["times"])
    executions = next(int(c["executions"]) for c in calls if c["group"] == group)
    return rounds, runs, executions - runs


def plan_text(group):
    rounds, runs, warmup = plan(group)
    return f"{rounds} round(s); per command and round {warmup} warmup run(s) and {runs} timed run(s)"


# --- Numbers -----------------------------------------------------------------------------------------

hb = {id: S("hash-big", id) for id in ("md5sum", "sha256sum", "b3sum", "b3sum-1", "status-cold", "add", "cp")}
hs = {id: S("hash-small", id) for id in ("md5sum", "sha256sum", "b3sum", "sha256sum-parallel", "status-cold", "status-cold-loh")}
ad = {id: S("add-small", id) for id in ("add", "add-loh", "cp-r")}
st = {id: S("status", id) for id in ("status-warm", "status-warm-all", "status-warm-one", "help")}
ps, pl = {id: S("push-small", id) for id in ("mlops", "aws", "mlops-noop")}, {id: S("pull-small", id) for id in ("mlops", "aws", "checkout")}
pb, pg = {id: S("push-big", id) for id in ("mlops", "aws")}, {id: S("pull-big", id) for id in ("mlops", "aws", "checkout")}

big_label = f"{big_mib / 1024:g} GiB" if big_mib % 1024 == 0 else f"{big_mib} MiB"
big_gbps = gbps(big_bytes, hb["status-cold"])
hash_aim_ok = big_gbps >= 1.5
hash_only = hb["status-cold"]["mean"] - st["status-warm-one"]["mean"]
hash_only_gbps = big_bytes / hash_only / 1e9 if hash_only > 0 else float("nan")
ceiling = float(env["OPENSSL_SHA256"]) * 1000 / 1e9 if env.get("OPENSSL_SHA256") else None
status_aim_files = st["status-warm"]["mean"] < 0.5
status_aim_all = st["status-warm-all"]["mean"] < 0.5
status_ok = status_aim_files and status_aim_all
xfer = [
    ("Push", f"{xfer_files:,} files of {file_kib} KiB", ps["mlops"], ps["aws"], "push-small"),
    ("Pull", f"{xfer_files:,} files of {file_kib} KiB", pl["mlops"], pl["aws"], "pull-small"),
    ("Push", f"one {big_label} file", pb["mlops"], pb["aws"], "push-big"),
    ("Pull", f"one {big_label} file", pg["mlops"], pg["aws"], "pull-big"),
]
all_loads = [load for s in stats.values() for load in s["loads"]]
noisy = max(all_loads) > nproc


def ratios_line(s, peers, table):
    return "; ".join(f"{name} {ratio(s, table[id])[0]:.2f}" for name, id in peers)


def gb(nbytes, s):
    return f"{gbps(nbytes, s):.2f} GB/s"


def mb(nbytes, s):
    return f"{gbps(nbytes, s) * 1000:.1f} MB/s"


# --- The section -------------------------------------------------------------------------------------

out = []
w = out.append
w(BEGIN)
w(f"""## Data versioning (`mlops data`)

Generated by `tests/Benchmarks/run-data-benchmarks.sh` on {env['DATE_UTC']} (commit {env['COMMIT']}). That
script rewrites only the text between the `data-benchmarks` markers; do not edit it by hand.

### Summary

Ratios are of mean wall times, mlops / peer: **below 1 means mlops is faster**. ± propagates both standard
deviations; "rounds" gives the range of the ratio over the separate rounds. GB/s and MB/s are 10⁹ and 10⁶ bytes
per second, process start included.

| Benchmark | mlops | Peer(s) | Ratio mlops / peer | Aim | Result |
|---|---|---|---|---|---|
| Hash one {big_label} file: `mlops data status`, hash cache deleted | {hb['status-cold']['mean']:.3f} s, **{big_gbps:.2f} GB/s** | sha256sum {gb(big_bytes, hb['sha256sum'])}, md5sum {gb(big_bytes, hb['md5sum'])}, b3sum {gb(big_bytes, hb['b3sum'])} | {ratios_line(hb['status-cold'], [('sha256sum', 'sha256sum'), ('md5sum', 'md5sum'), ('b3sum', 'b3sum')], hb)} | ≥ 1.5 GB/s | {verdict(hash_aim_ok)} |
| Same file, `mlops data add` (hash + copy into the cache) | {hb['add']['mean']:.3f} s, {gb(big_bytes, hb['add'])} | same | {ratios_line(hb['add'], [('sha256sum', 'sha256sum'), ('md5sum', 'md5sum'), ('b3sum', 'b3sum')], hb)} | none | |
| Hash {small_files:,} files of {file_kib} KiB: `mlops data status`, hash cache deleted | {hs['status-cold']['mean']:.3f} s, {mb(small_bytes, hs['status-cold'])} | sha256sum {mb(small_bytes, hs['sha256sum'])}, md5sum {mb(small_bytes, hs['md5sum'])}, b3sum {mb(small_bytes, hs['b3sum'])} | {ratios_line(hs['status-cold'], [('sha256sum', 'sha256sum'), ('md5sum', 'md5sum'), ('b3sum', 'b3sum')], hs)} | none | |
| Same files, `mlops data add` | {ad['add']['mean']:.3f} s, {mb(small_bytes, ad['add'])} | same | {ratios_line(ad['add'], [('sha256sum', 'sha256sum'), ('md5sum', 'md5sum'), ('b3sum', 'b3sum')], hs)} | none | |
| Warm no-op `mlops data status` ({small_files:,} tracked files) | **{st['status-warm-all']['mean']:.3f} s** (`data status files`: {st['status-warm']['mean']:.3f} s) | none (`mlops --help`: {st['help']['mean']:.3f} s) | | < 0.5 s | {verdict(status_ok)} |""")
for verb, what, m, a, group in xfer:
    w(f"| {verb} {what} to/from s3rver | {m['mean']:.2f} s | `aws s3 cp --recursive` {a['mean']:.2f} s | **{fmt_ratio(m, a)}** | ≤ 1 | {no_slower(m, a)} |")
w("")
if noisy:
    w(f"""**Caution: the machine was busy during this run** (1-minute load average up to {max(all_loads):.2f} on {nproc}
cores at the start of a measurement, the benchmark's own commands included). Rotating the order of the commands
spreads that load over all of them, but expect wide σ, and compare ratios rather than absolute times.
""")
w(f"""### Machine

| | |
|---|---|
| CPU | {env['CPU_MODEL']} ({env['CPU_FLAGS'].strip() or 'no sha_ni/avx2 flags'}) |
| Cores (`nproc`) | {nproc} |
| Memory | {env['MEMORY']} |
| OS | {env['OS_NAME'] or 'unknown'}, {env['KERNEL']} |
| File system of the temporary directory | {env['FS_TYPE']} |
| `dotnet --version` | {env['DOTNET_VERSION']} (runtime {env['RUNTIME_VERSION']}) |
| mlops | {env['MLOPS_VERSION']}, built Release from the commit above |
| Peers | coreutils {env['COREUTILS_VERSION']} (md5sum, sha256sum), b3sum {env['B3SUM_VERSION']}, {env['AWS_VERSION']} (`/usr/bin/aws`) |
| S3 server | @20minutes/s3rver {env['S3RVER_VERSION']} on node {env['NODE_VERSION']}{' (`--openssl-legacy-provider`)' if env['NODE_FLAGS'] else ''}, 127.0.0.1 |
| Single-core SHA-256 (`openssl speed -evp sha256`, 1 MiB blocks) | {f'{ceiling:.2f} GB/s' if ceiling else 'n/a (no openssl)'} |
| hyperfine | {env['HYPERFINE_VERSION']} |
| Load average (1/5/15 min) | {env['LOAD_BEFORE']} before, {env['LOAD_AFTER']} after; 1 min at the start of each measurement: {min(all_loads):.2f} to {max(all_loads):.2f} |
| Time spent measuring | {int(env['MEASURE_SECONDS']) // 60} min {int(env['MEASURE_SECONDS']) % 60} s |

### How it was measured

- The data is random bytes made for the run in a temporary directory (`<tmp>`): `big.bin` ({big_bytes:,} bytes),
  {small_files:,} files of {file_kib * 1024:,} bytes in `files/`, and for the transfers another {xfer_files:,} such files. Each
  data set lives in its own repository, a folder with a `.mlops/` folder in it. The machine has far more memory
  than data, so **every read comes from the page cache**: these are CPU and system-call costs, not disk speed.
  Commands that write much run after `sync` in their prepare step, so one run's write-back does not land on the next.
- mlops is `src/BuildMlops.Sdk/tools/net10.0` as `dotnet build src/BuildMlops.Sdk -c Release` stages it, copied to
  `<tmp>/mlops` and run as `dotnet <tmp>/mlops/mlops.dll`: every mlops time includes starting .NET.
- The CLI has no hashing-only command. Hashing is measured two ways: `mlops data status` of tracked data after
  deleting `.mlops/tmp/hash-cache.json`, which re-hashes every file and copies nothing, and `mlops data add` on a
  fresh repository (no cache, no hash cache, no pointer file), which hashes and copies the data into the cache.
- The peers get the same files. For many files they get them as `find files -type f -print0 | xargs -0 <tool>`: one
  process hashing the files one after another (xargs starts it once, for all {small_files:,} names). mlops hashes
  files {nproc} at a time (`Parallel.ForEach`), so `xargs -0 -P {nproc} -n {env['PER_PROCESS']} sha256sum` is there as a
  parallel peer too. `b3sum` on one file uses all cores (`b3sum --num-threads 1` is the one-core figure).
- Transfers use `--jobs {jobs}` for mlops and awscli's default `max_concurrent_requests = {jobs}` (set explicitly
  in a private `AWS_CONFIG_FILE`, with `addressing_style = path`). Other settings stay at their defaults:
  awscli uploads and downloads files over 8 MiB in 8 MiB parts, {jobs} requests at once (ranged GETs to download);
  mlops finds which objects the remote has by listing each fan-out folder (`files/blake3/ab/`) that holds two or
  more of them, and by a HEAD for the rest, uploads only the missing ones, one PUT each up to 64 MiB, larger
  objects as multipart uploads of 8 MiB parts, and downloads objects up to 64 MiB with one GET, larger ones as
  8 MiB ranged GETs; at most 10 parts or ranges are in flight at once.
  awscli runs with `--only-show-errors` (no progress display). Credentials: `AWS_ACCESS_KEY_ID` and
  `AWS_SECRET_ACCESS_KEY` = `S3RVER`, the key pair s3rver accepts; `AWS_EC2_METADATA_DISABLED=true`.
- Before each push, the bucket prefix it writes to is emptied by deleting s3rver's folder for it (s3rver keeps no
  state besides those files), so every push uploads everything; the script checks once that a push after
  clearing uploads all {xfer_files:,} objects. Before each pull, the local cache (`.mlops/cache`), the hash cache and
  the workspace copy are deleted, as in a fresh clone; before each awscli download, its target folder. After
  the runs the script compares the downloaded data with the original, byte for byte.
- `mlops data pull` also checks the data out (here a copy: {env['FS_TYPE']} has no reflinks); `aws s3 cp` writes the
  files in place. The `checkout` rows time `mlops data checkout` alone, with the cache full and the workspace
  copy deleted, to split the pull.
- Rows marked *diagnostic* are not part of any comparison. Those with `{env['LOH_ENV']}` run mlops with the .NET
  runtime's large-object-heap threshold raised from 85,000 bytes to 4 MiB (no code change), to show how much of
  mlops's time goes to allocating 1 MiB buffers (see the analysis).

Each benchmark is a series of rounds. In each round every command gets its own hyperfine call,

```sh
hyperfine --style basic --warmup <warmup> --runs <runs> --export-json <group>.<id>.<round>.json \\
  -n <id> --prepare '<prepare>' '<command>'
```

and the first command of round r is the r-th, so the order rotates. The tables pool every round's timed runs.
"CPU user+sys" is the command's own CPU time (all its processes); "s3rver CPU" is the server's, per run, from
`/proc/<pid>/stat` around each hyperfine call (warmup runs included in the average).

### 1. Hashing

**One {big_label} file** ({plan_text('hash-big')}):

{command_table('hash-big')}

{header('GB/s')}
{row('`md5sum`', hb['md5sum'], f"{gbps(big_bytes, hb['md5sum']):.2f}")}
{row('`sha256sum`', hb['sha256sum'], f"{gbps(big_bytes, hb['sha256sum']):.2f}")}
{row('`b3sum` (all cores)', hb['b3sum'], f"{gbps(big_bytes, hb['b3sum']):.2f}")}
{row('`b3sum --num-threads 1`', hb['b3sum-1'], f"{gbps(big_bytes, hb['b3sum-1']):.2f}")}
{row('**`mlops data status`, hash cache deleted**', hb['status-cold'], f"**{big_gbps:.2f}**")}
{row('`mlops data add`, fresh repository', hb['add'], f"{gbps(big_bytes, hb['add']):.2f}")}
{row('`cp` (reference: copying alone)', hb['cp'], f"{gbps(big_bytes, hb['cp']):.2f}")}

| Ratio (time) | vs `md5sum` | vs `sha256sum` | vs `b3sum` | vs `b3sum --num-threads 1` |
|---|---|---|---|---|
| `mlops data status`, hash cache deleted | {fmt_ratio(hb['status-cold'], hb['md5sum'])} | {fmt_ratio(hb['status-cold'], hb['sha256sum'])} | {fmt_ratio(hb['status-cold'], hb['b3sum'])} | {fmt_ratio(hb['status-cold'], hb['b3sum-1'])} |
| `mlops data add` | {fmt_ratio(hb['add'], hb['md5sum'])} | {fmt_ratio(hb['add'], hb['sha256sum'])} | {fmt_ratio(hb['add'], hb['b3sum'])} | {fmt_ratio(hb['add'], hb['b3sum-1'])} |

Aim, at least 1.5 GB/s on the large file (`mlops data status` re-hashing it, process start included):
{verdict(hash_aim_ok)}, {big_gbps:.2f} GB/s. The file is tracked as `mlops data add` tracks new data, with BLAKE3 (BuildMlops's own
SIMD implementation, the file split across the {nproc} cores). Without process start and the rest of the command (the warm
status of the same file, {st['status-warm-one']['mean']:.3f} s, subtracted) the hashing itself runs at {f"{hash_only_gbps:.2f} GB/s" if hash_only > 0 else "an unmeasurable speed (the difference is within noise)"}; b3sum
does {gbps(big_bytes, hb['b3sum']):.2f} GB/s on {nproc} threads and {gbps(big_bytes, hb['b3sum-1']):.2f} GB/s on one{f", and one core of this CPU hashes SHA-256 (the algorithm of data added before BLAKE3) at {ceiling:.2f} GB/s (openssl)" if ceiling else ""}.
""")
if not hash_aim_ok:
    budget = big_bytes / 1.5e9
    left = budget - st["status-warm-one"]["mean"]
    need = (f"leaving {left:.3f} s to hash {big_bytes:,} bytes, i.e. {big_bytes / left / 1e9:.2f} GB/s" if left > 0
            else "which alone is over that budget")
    w(f"""*Where the time goes.* 1.5 GB/s means {budget:.3f} s for this file, process start included. mlops spends
{st['status-warm-one']['mean']:.3f} s on a status that hashes nothing (starting .NET and the command: `mlops --help` alone takes
{st['help']['mean']:.3f} s), {need}.
""")
w(f"""`mlops data add` takes {hb['add']['mean']:.3f} s, {hb['add']['mean'] / hb['status-cold']['mean']:.1f}x the re-hash: from the code at this commit, it reads
the file twice, once to hash it for the stat cache (`FileHashCache.Get`, on every core) and again to copy it into the cache
while hashing it a second time on one core (`ContentCache.Add`, which re-hashes to catch a file changing meanwhile), and writes
{big_bytes:,} bytes ({env['FS_TYPE']}: no reflink; `cp` alone takes {hb['cp']['mean']:.3f} s).

**{small_files:,} files of {file_kib} KiB** ({small_bytes:,} bytes; {plan_text('hash-small')}; the `add` rows:
{plan_text('add-small')}):

{command_table('hash-small')}

{command_table('add-small')}

{header('MB/s, files/s')}
{row('`xargs -0 md5sum`', hs['md5sum'], f"{gbps(small_bytes, hs['md5sum']) * 1000:.1f}, {small_files / hs['md5sum']['mean']:,.0f}")}
{row('`xargs -0 sha256sum`', hs['sha256sum'], f"{gbps(small_bytes, hs['sha256sum']) * 1000:.1f}, {small_files / hs['sha256sum']['mean']:,.0f}")}
{row('`xargs -0 b3sum`', hs['b3sum'], f"{gbps(small_bytes, hs['b3sum']) * 1000:.1f}, {small_files / hs['b3sum']['mean']:,.0f}")}
{row(f'`xargs -0 -P {nproc} sha256sum`', hs['sha256sum-parallel'], f"{gbps(small_bytes, hs['sha256sum-parallel']) * 1000:.1f}, {small_files / hs['sha256sum-parallel']['mean']:,.0f}")}
{row('**`mlops data status`, hash cache deleted**', hs['status-cold'], f"**{gbps(small_bytes, hs['status-cold']) * 1000:.1f}**, {small_files / hs['status-cold']['mean']:,.0f}")}
{row('*diagnostic*: the same with ' + env['LOH_ENV'], hs['status-cold-loh'], f"{gbps(small_bytes, hs['status-cold-loh']) * 1000:.1f}, {small_files / hs['status-cold-loh']['mean']:,.0f}")}
{row('**`mlops data add`, fresh repository**', ad['add'], f"**{gbps(small_bytes, ad['add']) * 1000:.1f}**, {small_files / ad['add']['mean']:,.0f}")}
{row('*diagnostic*: the same with ' + env['LOH_ENV'], ad['add-loh'], f"{gbps(small_bytes, ad['add-loh']) * 1000:.1f}, {small_files / ad['add-loh']['mean']:,.0f}")}
{row('`cp -r` (reference: copying alone)', ad['cp-r'], f"{gbps(small_bytes, ad['cp-r']) * 1000:.1f}, {small_files / ad['cp-r']['mean']:,.0f}")}

| Ratio (time) | vs `md5sum` | vs `sha256sum` | vs `b3sum` | vs `sha256sum`, {nproc} processes |
|---|---|---|---|---|
| `mlops data status`, hash cache deleted | {fmt_ratio(hs['status-cold'], hs['md5sum'])} | {fmt_ratio(hs['status-cold'], hs['sha256sum'])} | {fmt_ratio(hs['status-cold'], hs['b3sum'])} | {fmt_ratio(hs['status-cold'], hs['sha256sum-parallel'])} |
| `mlops data add` | {fmt_ratio(ad['add'], hs['md5sum'])} | {fmt_ratio(ad['add'], hs['sha256sum'])} | {fmt_ratio(ad['add'], hs['b3sum'])} | {fmt_ratio(ad['add'], hs['sha256sum-parallel'])} |
""")
per_file_mlops = (hs["status-cold"]["mean"] - st["status-warm"]["mean"]) / small_files * 1e6
per_file_sha = hs["sha256sum"]["mean"] / small_files * 1e6
per_file_add = (ad["add"]["mean"] - st["status-warm"]["mean"]) / small_files * 1e6
small_behind = ratio(hs["status-cold"], hs["sha256sum"])[0]
loh_status = hs["status-cold-loh"]["mean"] / hs["status-cold"]["mean"]
loh_add = ad["add-loh"]["mean"] / ad["add"]["mean"]
best = min(loh_status, loh_add)
loh_share = "a large part" if best < 0.6 else "a noticeable part" if best < 0.9 else "only a small part"
w(f"""No aim is set for many files; mlops takes {small_behind:.1f}x the time of one `sha256sum` process to re-hash them and
{ratio(ad['add'], hs['sha256sum'])[0]:.1f}x to add them. Per file, re-hashing costs mlops {us(per_file_mlops / 1e6)}
(cold minus warm status, on {nproc} threads), against {us(per_file_sha / 1e6)} for one `sha256sum` process, and
`mlops data add` {us(per_file_add / 1e6)}, against {us(ad['cp-r']['mean'] / small_files)} for `cp -r`; `add` also writes a temporary
file, renames it and makes it read-only for every object. With buffers moved off the large-object heap
(`{env['LOH_ENV']}`, the diagnostic rows) the commands take {loh_status:.2f}x (status) and {loh_add:.2f}x (add) the time:
garbage collection of large buffers is {loh_share} of the cost.

### 2. Warm no-op `mlops data status`

{plan_text('status')}. Before it, `mlops data status` ran twice on each repository, so the stat cache
(`.mlops/tmp/hash-cache.json`) vouches for every file; {"**a file was re-hashed during the runs** (the hash cache was rewritten)" if env['STATUS_REHASHED'] == '1' else "the hash caches were not rewritten during the runs, so no file was re-hashed"}.

{command_table('status')}

{header()}
{row(f'**`mlops data status`** (every pointer in the repository: `files.mlops`, {small_files:,} files)', st['status-warm-all'])}
{row(f'`mlops data status files` ({small_files:,} files)', st['status-warm'])}
{row('`mlops data status big.bin` (one tracked file, in its own repository)', st['status-warm-one'])}
{row('`mlops --help` (process start floor)', st['help'])}

Aim, under 0.5 s: {verdict(status_ok)} ({st['status-warm-all']['mean']:.3f} s without paths, {st['status-warm']['mean']:.3f} s with the path).
""")
per_file_status = (st["status-warm"]["mean"] - st["status-warm-one"]["mean"]) / small_files * 1e6
one_extra = st["status-warm-one"]["mean"] - st["help"]["mean"]
one_text = f"another {one_extra:.3f} s" if one_extra > 0 else "nothing measurable beyond that (within noise)"
w(f"""*Where the time goes.* Starting .NET and parsing the command line (`mlops --help`) costs {st['help']['mean']:.3f} s; opening
a repository and checking one tracked file {one_text}; the {small_files:,} files add
{st['status-warm']['mean'] - st['status-warm-one']['mean']:.3f} s, per file {us(per_file_status / 1e6)}, none of it reading data. From the code at this commit, that
per-file work is: deserializing the whole stat cache, `hash-cache.json` ({int(env['HASH_CACHE_JSON_BYTES']):,} bytes, one entry per
file with its absolute path), and the pointer file ({int(env['POINTER_BYTES']):,} bytes) (its manifest's paths and hash are
checked again only when the pointer file changed: the stat cache vouches for the pointer as for the data), listing the
directory, one `statx` per file, and listing the cache's fan-out folders to find objects missing from the cache. Part of it is first-use cost: the code runs once per process,
just-in-time compiled at its least optimized tier, and the process ends before tiered compilation pays off.{"" if status_ok else f" The aim is missed by {max(st['status-warm-all']['mean'], st['status-warm']['mean']) - 0.5:.3f} s."}

### 3. Push and pull, s3rver on 127.0.0.1

Upload and download of the same data by `mlops data push` / `mlops data pull` (`--jobs {jobs}`) and by
`aws s3 cp --recursive`. Small files: {plan_text('push-small')}. Large file: {plan_text('push-big')}.
""")
xfer_header = ("| Command | Mean ± σ (s) | Median (s) | Min (s) | Max (s) | CPU user+sys (s) | s3rver CPU (s) | MB/s | Runs |\n"
               "|---|---|---|---|---|---|---|---|---|")


def xrow(label, s, nbytes):
    rate = f"{nbytes / s['mean'] / 1e6:.1f}" if nbytes else ""
    return (f"| {label} | {s['mean']:.3f} ± {s['sd']:.3f} | {s['median']:.3f} | {s['min']:.3f} | {s['max']:.3f} | "
            f"{s['cpu_mean']:.2f} | {s['server_mean']:.2f} | {rate} | {s['n']} |")


for title, group, table, nbytes, extra in [
    (f"Push, {xfer_files:,} files of {file_kib} KiB", "push-small", ps, xfer_bytes, [("*diagnostic*: `mlops data push`, every object already there (listings and HEADs only)", "mlops-noop", 0)]),
    (f"Pull, {xfer_files:,} files of {file_kib} KiB", "pull-small", pl, xfer_bytes, [("*diagnostic*: `mlops data checkout` alone (cache full)", "checkout", xfer_bytes)]),
    (f"Push, one {big_label} file", "push-big", pb, big_bytes, []),
    (f"Pull, one {big_label} file", "pull-big", pg, big_bytes, [("*diagnostic*: `mlops data checkout` alone (cache full)", "checkout", big_bytes)]),
]:
    verb = "push" if group.startswith("push") else "pull"
    peer = "upload" if verb == "push" else "download"
    lines = [f"**{title}**", "", command_table(group), "", xfer_header,
             xrow(f"**`mlops data {verb}`**", table["mlops"], nbytes),
             xrow(f"`aws s3 cp --recursive` ({peer})", table["aws"], nbytes)]
    lines += [xrow(label, table[id], b) for label, id, b in extra]
    lines += ["", f"Ratio mlops / awscli: **{fmt_ratio(table['mlops'], table['aws'])}**. Aim, no slower than awscli: {no_slower(table['mlops'], table['aws'])}.", ""]
    w("\n".join(lines))

analysis = []
m, a, noop = ps["mlops"], ps["aws"], ps["mlops-noop"]
if m["mean"] > a["mean"]:
    analysis.append(f"""- *Push, small files* ({m['mean']:.2f} s against {a['mean']:.2f} s). Besides the PUTs that awscli sends too, mlops first
  finds out what the remote has: one listing per fan-out folder that holds two or more of the objects (about 250 of
  them for {xfer_files:,} objects), a HEAD for each object alone in its folder; a push that finds everything present
  takes {noop['mean']:.2f} s. The server does {m['server_mean']:.2f} s of s3rver CPU per mlops push against {a['server_mean']:.2f} s, the client
  {m['cpu_mean']:.2f} s against {a['cpu_mean']:.2f} s, on {nproc} cores shared by client and server. Before each upload mlops also re-hashes
  the cache object.""")
m, a, co = pl["mlops"], pl["aws"], pl["checkout"]
if m["mean"] > a["mean"]:
    analysis.append(f"""- *Pull, small files* ({m['mean']:.2f} s against {a['mean']:.2f} s). Besides the download (one GET per object, hashed on
  the way into the cache), `mlops data pull` checks the files out, copying each object into the workspace
  ({co['mean']:.2f} s when timed alone, where it also re-hashes every object; within the pull it trusts the objects it has
  just verified). awscli only writes the files.""")
m, a = pb["mlops"], pb["aws"]
if m["mean"] > a["mean"]:
    analysis.append(f"""- *Push, one large file* ({m['mean']:.2f} s against {a['mean']:.2f} s). Both are multipart uploads that s3rver assembles by
  re-reading and re-writing every part; s3rver used {m['server_mean']:.2f} s of CPU per mlops push and {a['server_mean']:.2f} s per awscli
  upload. mlops first re-hashes the {big_label} object (about {hash_only:.2f} s, see section 1); both upload 8 MiB parts,
  10 at a time for mlops (fixed; `--jobs` does not apply within one object) and {jobs} for awscli.""")
m, a, co = pg["mlops"], pg["aws"], pg["checkout"]
if m["mean"] > a["mean"]:
    analysis.append(f"""- *Pull, one large file* ({m['mean']:.2f} s against {a['mean']:.2f} s). Both fetch 8 MiB ranges, 10 at a time for mlops and
  {jobs} for awscli; mlops hashes the bytes in order while later ranges are still arriving, then checks the object out by
  copying it into the workspace ({co['mean']:.2f} s when timed alone, where it also re-hashes the object; within the pull
  it trusts the object it has just verified). {env['FS_TYPE']} has no reflinks; a reflink, or the `hardlink` link type,
  would avoid the copy. So mlops hashes the bytes once and writes them twice ({m['cpu_mean']:.2f} s of client CPU against
  {a['cpu_mean']:.2f} s); awscli writes them once and hashes nothing.""")
if analysis:
    w("*Where the time goes* where mlops is slower:\n\n" + "\n".join(analysis) + "\n")
else:
    w("mlops was no slower than awscli in any transfer.\n")
w("The transfer numbers are dominated by s3rver, a single-threaded Node.js server sharing the same cores, so they\n"
  "compare the clients' request patterns more than their raw speed; against S3 itself the ratios would differ.\n")
w(END)
section = "\n".join(out) + "\n"

# --- Splice into the document ------------------------------------------------------------------------

if os.path.exists(doc_path):
    with open(doc_path, encoding="utf-8", newline="") as f:
        text = f.read()
else:
    text = ""
lines = text.splitlines(keepends=True)
begins = [i for i, line in enumerate(lines) if line.rstrip("\r\n") == BEGIN]
ends = [i for i, line in enumerate(lines) if line.rstrip("\r\n") == END]
if begins or ends:
    if len(begins) != 1 or len(ends) != 1 or ends[0] < begins[0]:
        raise SystemExit(f"{doc_path}: the {BEGIN} / {END} markers are not one well-ordered pair; fix them by hand")
    new = "".join(lines[:begins[0]]) + section + "".join(lines[ends[0] + 1:])
else:
    prefix = text if text == "" or text.endswith("\n") else text + "\n"
    new = prefix + ("\n" if prefix else "") + section
tmp_path = doc_path + ".data-benchmarks.tmp"
with open(tmp_path, "w", encoding="utf-8", newline="") as f:
    f.write(new)
if os.path.exists(doc_path):
    os.chmod(tmp_path, os.stat(doc_path).st_mode & 0o7777)
os.replace(tmp_path, doc_path)

# --- Summary on standard output ---------------------------------------------------------------------

print(f"hash {big_label}: mlops status {big_gbps:.2f} GB/s (aim >= 1.5: {'met' if hash_aim_ok else 'MISSED'}), add {gbps(big_bytes, hb['add']):.2f} GB/s; "
      f"sha256sum {gbps(big_bytes, hb['sha256sum']):.2f}, md5sum {gbps(big_bytes, hb['md5sum']):.2f}, b3sum {gbps(big_bytes, hb['b3sum']):.2f} GB/s")
print(f"hash {small_files} files: mlops status {hs['status-cold']['mean']:.2f} s, add {ad['add']['mean']:.2f} s; sha256sum {hs['sha256sum']['mean']:.2f} s, "
      f"md5sum {hs['md5sum']['mean']:.2f} s, b3sum {hs['b3sum']['mean']:.2f} s")
print(f"warm status: {st['status-warm-all']['mean']:.3f} s (aim < 0.5 s: {'met' if status_ok else 'MISSED'}); --help {st['help']['mean']:.3f} s")
for verb, what, m, a, _ in xfer:
    r, e = ratio(m, a)
    print(f"{verb.lower()} {what}: mlops {m['mean']:.2f} s, aws {a['mean']:.2f} s, ratio {r:.2f} ± {e:.2f} (aim <= 1: {'met' if r <= 1 else 'MISSED'})")
if noisy:
    print(f"warning: load average up to {max(all_loads):.2f} on {nproc} cores during the run; the timings are noisy")
PY
printf '\n' >&2
cat "$WORK/summary.txt"
printf 'written: the data-benchmarks section of %s\n' "${DOC#"$REPO/"}"
