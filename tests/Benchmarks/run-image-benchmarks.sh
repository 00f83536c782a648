#!/usr/bin/env bash
# Model-image benchmark: what `dotnet build -t:MlopsPackage` and `-t:MlopsPush` cost on the churn model, and
# what a push sends, against Debian's docker-registry on 127.0.0.1 with a .NET runtime base made on the spot
# with umoci from this machine's dotnet (as tests/BuildMlops.Testing/DotnetBaseImage.cs does).
# Writes its results into docs/benchmarks.md, only between the lines
#   <!-- image-benchmarks:begin -->  and  <!-- image-benchmarks:end -->
# (appending that marked section at the end if the markers are absent); the rest of the file is left
# byte for byte as it was. How and why: tests/Benchmarks/README.md.
#
# Each round times, on a copy of pipelines/churn committed to its own git repository:
#   1. a no-op `dotnet build -t:MlopsGate` (the fixed cost of any build of the project);
#   2. a cold `-t:MlopsPackage`: model trained, image cache and bin/mlops/image deleted (the base is pulled);
#   3. a warm no-op `-t:MlopsPackage` (up to date);
#   4. `-t:MlopsPush` to a new repository, then again unchanged (push.json: blobs and bytes uploaded);
#   5. a model-only rebuild, `-t:MlopsPackage -p:MlopsSeed=N` after an untimed `-t:MlopsGate -p:MlopsSeed=N`
#      with a new N each round, and its push (expected: the model layer and the config only);
#   6. the peer, unless BENCH_IMAGE_PEER=0: the .NET SDK's container builder (`dotnet publish
#      -t:PublishContainer`) on a trivial web app (images/webapp) over the same base: a no-op publish, a cold
#      and a warm build into a local archive, and two pushes to the registry.
# The report gives medians over the rounds. No `docker build` is measured: there is no Docker daemon here.
#
# Settings (environment):
#   BENCH_IMAGE_ROUNDS (3), BENCH_IMAGE_NOOP_RUNS (3: timed runs per round of each no-op build, which are
#   short and so the most scattered by load), BENCH_IMAGE_SEED (7: the first MlopsSeed tried for the model-only change; seeds
#   whose model fails the project's gates are skipped, untimed), BENCH_IMAGE_SEED_TRIES (25: per round),
#   BENCH_IMAGE_PEER (1: measure the SDK container builder too; 0: not), BENCH_IMAGE_PEER_TIMEOUT (900 s for
#   the peer's first publish; if it fails, the report says why and goes on without the peer),
#   BENCH_IMAGE_REV (empty: the tools come from the working tree, as below; a git revision: they are built
#   from `git archive <rev>` instead, for when the working tree does not build; the project still imports
#   the working tree's src/BuildMlops.Sdk/Sdk/, which must then equal the revision's),
#   BENCH_DOC (docs/benchmarks.md), BENCH_KEEP_TMP=1 keeps the temporary directory (build logs, results).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPT_DIR/../.." && pwd)
IMAGES=$SCRIPT_DIR/images
DOC=${BENCH_DOC:-$REPO/docs/benchmarks.md}
case $DOC in /*) ;; *) DOC=$PWD/$DOC ;; esac

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'run-image-benchmarks.sh: error: %s\n' "$*" >&2; exit 1; }

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
setting IMAGE_ROUNDS 3 1
setting IMAGE_NOOP_RUNS 3 1
setting IMAGE_SEED 7 0
setting IMAGE_SEED_TRIES 25 1
setting IMAGE_PEER_TIMEOUT 900 60
flag IMAGE_PEER 1
IMAGE_REV=${BENCH_IMAGE_REV:-}

NPROC=$(nproc)
PY=/usr/bin/python3    # Debian's; a python3 earlier on PATH may be a pyenv shim
TIME=/usr/bin/time     # GNU time (wall, user and system seconds of a command and its children)
HELPERS=("$PY" "$IMAGES/helpers.py")
SDK_DIR=$REPO/src/BuildMlops.Sdk/Sdk
export NO_PROXY="127.0.0.1${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1${no_proxy:+,$no_proxy}"
# The image's time must come from the commit, as in a user's repository.
unset SOURCE_DATE_EPOCH

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
[ -x /usr/bin/umoci ] || missing+=(umoci)
[ -x /usr/bin/skopeo ] || missing+=(skopeo)
[ -x /usr/bin/docker-registry ] || missing+=(docker-registry)
[ -x "$TIME" ] || missing+=(time)
[ -x "$PY" ] || missing+=(python3)
command -v git >/dev/null 2>&1 || missing+=(git)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
for tool in /usr/bin/umoci /usr/bin/skopeo /usr/bin/docker-registry "$TIME" "$PY"; do
    [ -x "$tool" ] || die "$tool is still missing"
done
for tool in git curl; do command -v "$tool" >/dev/null 2>&1 || die "$tool is still missing"; done
UMOCI=/usr/bin/umoci SKOPEO=/usr/bin/skopeo REGISTRY_BIN=/usr/bin/docker-registry
for file in Sdk.props Sdk.targets; do [ -f "$SDK_DIR/$file" ] || die "no $SDK_DIR/$file"; done

# --- Temporary directory, registry, cleanup -----------------------------------------------------------

WORK=$(mktemp -d "${TMPDIR:-/tmp}/buildmlops-image-bench.XXXXXX")
WORK=$(cd "$WORK" && pwd -P)
REGISTRY_PID=
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
    stop "$REGISTRY_PID"
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

# --- 1. The BuildMlops tools, Release ------------------------------------------------------------------

# What is measured: the commit (and whether the working tree differs), read before anything is copied.
COMMIT=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$REPO" status --porcelain 2>/dev/null || true)" ]; then COMMIT="$COMMIT, with uncommitted changes"; fi
if [ -n "$IMAGE_REV" ]; then
    REV_COMMIT=$(git -C "$REPO" rev-parse --verify --short "$IMAGE_REV^{commit}" 2>/dev/null) || die "BENCH_IMAGE_REV=$IMAGE_REV is not a commit of $REPO"
    git -C "$REPO" diff --quiet "$REV_COMMIT" -- src/BuildMlops.Sdk/Sdk \
        || die "src/BuildMlops.Sdk/Sdk/ of the working tree differs from $IMAGE_REV's; the project imports the working tree's"
    COMMIT="$REV_COMMIT (BENCH_IMAGE_REV; the working tree was at $COMMIT)"
fi

# The SDK's staged tools/net10.0/ (copied, so that a build in the repository during the run cannot change
# what is measured) if it is a Release build; else a Release build of src/BuildMlops.Sdk from a copy of the
# working tree's sources, so that it neither collides with builds running in the repository nor replaces
# the tools staged there. Every build below points MlopsToolsPath at the copy.
STAGED=$REPO/src/BuildMlops.Sdk/tools/net10.0
TOOLS=$WORK/tools
release_check() { "${HELPERS[@]}" release "$TOOLS/mlops.dll" "$TOOLS"/BuildMlops.*.dll "$TOOLS/serve/mlops-serve.dll"; }
TOOLS_SOURCE=
if [ -n "$IMAGE_REV" ]; then
    say "BENCH_IMAGE_REV=$IMAGE_REV: building the tools from that commit"
    NOT_STAGED="BENCH_IMAGE_REV"
elif [ -f "$STAGED/mlops.dll" ] && [ -f "$STAGED/serve/mlops-serve.dll" ]; then
    cp -R "$STAGED" "$TOOLS"
    if release_check >"$LOGS/release-check.txt" 2>&1; then
        TOOLS_SOURCE='the SDK'"'"'s staged `src/BuildMlops.Sdk/tools/net10.0/` (copied before the run)'
    else
        say "the staged $STAGED is not a Release build; building one from a copy of the sources"
        NOT_STAGED="the tools staged in \`src/BuildMlops.Sdk/tools/net10.0/\` were a Debug build"
        rm -rf "$TOOLS"
    fi
else
    say "no staged tools at $STAGED; building them from a copy of the sources"
    NOT_STAGED="the SDK had no tools staged"
fi
if [ -z "$TOOLS_SOURCE" ]; then
    SOURCES=$WORK/sources
    mkdir -p "$SOURCES"
    ROOT_FILES=(Directory.Build.props Directory.Packages.props global.json)
    for config in nuget.config NuGet.Config NuGet.config; do
        if [ -f "$REPO/$config" ]; then ROOT_FILES+=("$config"); fi
    done
    if [ -n "$IMAGE_REV" ]; then
        git -C "$REPO" archive --format=tar "$REV_COMMIT" src "${ROOT_FILES[@]}" | tar -C "$SOURCES" -xf -
    else
        tar -C "$REPO" --exclude=bin --exclude=obj --exclude=src/BuildMlops.Sdk/tools -cf - src "${ROOT_FILES[@]}" | tar -C "$SOURCES" -xf -
    fi
    say "building src/BuildMlops.Sdk (Release) in $SOURCES"
    run_logged sdk-build.log dotnet build "$SOURCES/src/BuildMlops.Sdk" -c Release -nodeReuse:false -tl:off -nologo
    [ -f "$SOURCES/src/BuildMlops.Sdk/tools/net10.0/mlops.dll" ] || die "no tools/net10.0/mlops.dll after building the SDK"
    cp -R "$SOURCES/src/BuildMlops.Sdk/tools/net10.0" "$TOOLS"
    release_check >"$LOGS/release-check.txt" 2>&1 || die "the tools built are not Release: $(tr '\n' ' ' <"$LOGS/release-check.txt")"
    if [ -n "$IMAGE_REV" ]; then
        TOOLS_SOURCE="\`dotnet build src/BuildMlops.Sdk -c Release -nodeReuse:false\` of commit $REV_COMMIT (\`git archive\`, BENCH_IMAGE_REV)"
    else
        TOOLS_SOURCE="\`dotnet build src/BuildMlops.Sdk -c Release -nodeReuse:false\` of a copy of the working tree ($NOT_STAGED)"
    fi
fi

# --- 2. The base image: the host's .NET runtimes, made with umoci -------------------------------------

DOTNET_ROOT_DIR=$(dirname "$(readlink -f "$(command -v dotnet)")")
[ -d "$DOTNET_ROOT_DIR/shared/Microsoft.AspNetCore.App" ] || die "$DOTNET_ROOT_DIR has no shared/Microsoft.AspNetCore.App: the base needs the ASP.NET Core runtime"
BASE_TAG=10.0
BASE_LAYOUT=$WORK/base/layout
BASE_BUNDLE=$WORK/base/bundle
say "making the base image with umoci from $DOTNET_ROOT_DIR"
run_logged umoci-init.log "$UMOCI" init --layout "$BASE_LAYOUT"
run_logged umoci-new.log "$UMOCI" new --image "$BASE_LAYOUT:$BASE_TAG"
run_logged umoci-unpack.log "$UMOCI" unpack --rootless --image "$BASE_LAYOUT:$BASE_TAG" "$BASE_BUNDLE"
ROOTFS=$BASE_BUNDLE/rootfs
for link in lib:usr/lib lib64:usr/lib64 bin:usr/bin sbin:usr/sbin; do   # Debian's merged /usr
    mkdir -p "$ROOTFS/${link#*:}"
    ln -s "${link#*:}" "$ROOTFS/${link%%:*}"
done
mkdir -p "$ROOTFS/tmp" "$ROOTFS/etc" "$ROOTFS/app" "$ROOTFS/usr/share/dotnet/shared"
printf 'root:x:0:0:root:/root:/sbin/nologin\napp:x:1654:1654:app:/home/app:/sbin/nologin\n' >"$ROOTFS/etc/passwd"
printf 'root:x:0:\napp:x:1654:\n' >"$ROOTFS/etc/group"
cp "$DOTNET_ROOT_DIR/dotnet" "$ROOTFS/usr/share/dotnet/dotnet"
cp -R "$DOTNET_ROOT_DIR/host" "$ROOTFS/usr/share/dotnet/host"
cp -R "$DOTNET_ROOT_DIR/shared/Microsoft.NETCore.App" "$DOTNET_ROOT_DIR/shared/Microsoft.AspNetCore.App" "$ROOTFS/usr/share/dotnet/shared/"
chmod -R a+rX "$ROOTFS/usr/share/dotnet"
ln -s /usr/share/dotnet/dotnet "$ROOTFS/usr/bin/dotnet"
run_logged umoci-repack.log "$UMOCI" repack --image "$BASE_LAYOUT:$BASE_TAG" "$BASE_BUNDLE"
run_logged umoci-config.log "$UMOCI" config --image "$BASE_LAYOUT:$BASE_TAG" \
    --config.user 1654:1654 --config.workingdir /app --config.exposedports 8080/tcp \
    --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --config.env DOTNET_RUNNING_IN_CONTAINER=true --config.env DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=true \
    --config.env APP_UID=1654 --config.env ASPNETCORE_HTTP_PORTS=8080 \
    --author 'BuildMlops benchmarks' --history.created_by 'buildmlops benchmarks: host dotnet runtime'
rm -rf "$BASE_BUNDLE"

# --- 3. The registry, on a free port ------------------------------------------------------------------

REGISTRY_DIR=$WORK/registry
mkdir -p "$REGISTRY_DIR/storage"
# start_registry <port>: 0 once it said it listens on the port and GET /v2/ answers 200; 1 if it exits or
# does not answer within 30 s (the port may have been taken in between).
start_registry() {
    local port=$1 start=$SECONDS
    cat >"$REGISTRY_DIR/config.yml" <<EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: "$REGISTRY_DIR/storage"
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
EOF
    (cd "$REGISTRY_DIR" && exec "$REGISTRY_BIN" serve config.yml) >"$LOGS/registry.log" 2>&1 &
    REGISTRY_PID=$!
    while [ $((SECONDS - start)) -lt 30 ]; do
        kill -0 "$REGISTRY_PID" 2>/dev/null || { wait "$REGISTRY_PID" 2>/dev/null || true; REGISTRY_PID=; return 1; }
        if grep -q "listening on 127.0.0.1:$port" "$LOGS/registry.log" \
            && [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/v2/" || true)" = 200 ]; then
            return 0
        fi
        sleep 0.1
    done
    stop "$REGISTRY_PID"
    REGISTRY_PID=
    return 1
}
PORT=
for attempt in 1 2 3 4 5; do
    candidate=$("${HELPERS[@]}" free-port)
    say "starting docker-registry on 127.0.0.1:$candidate"
    if start_registry "$candidate"; then PORT=$candidate; break; fi
    say "  it did not answer (attempt $attempt/5)"
done
[ -n "$PORT" ] || { tail -n 20 "$LOGS/registry.log" >&2; die "docker-registry did not start (log above)"; }
REGISTRY=127.0.0.1:$PORT
BASE_REF=$REGISTRY/test/dotnet-base:$BASE_TAG
say "pushing the base to $BASE_REF"
run_logged skopeo-base.log "$SKOPEO" copy --dest-tls-verify=false "oci:$BASE_LAYOUT:$BASE_TAG" "docker://$BASE_REF"

# --- 4. The churn project, committed ------------------------------------------------------------------

CHURN=$WORK/churn
PROJECT=$CHURN/churn.csproj
mkdir -p "$CHURN"
cp -R "$REPO/pipelines/churn/data" "$CHURN/data"
cp "$REPO/pipelines/churn/mlops.lock.json" "$CHURN/"
sed 's|\.\.\\\.\.\\src\\BuildMlops\.Sdk\\Sdk\\|'"$SDK_DIR"'/|g' "$REPO/pipelines/churn/churn.csproj" >"$PROJECT"
[ "$(grep -c "<Import Project=\"$SDK_DIR/Sdk\.\(props\|targets\)\"" "$PROJECT")" = 2 ] || die "could not point the two Import lines of $PROJECT at $SDK_DIR"
printf 'bin/\nobj/\n.mlops/\n' >"$CHURN/.gitignore"
COMMIT_DATE=2025-01-01T00:00:00Z
(
    cd "$CHURN"
    export GIT_AUTHOR_DATE=$COMMIT_DATE GIT_COMMITTER_DATE=$COMMIT_DATE
    git init -q -b main
    git -c user.name='BuildMlops benchmarks' -c user.email=bench@buildmlops.invalid add -A
    git -c user.name='BuildMlops benchmarks' -c user.email=bench@buildmlops.invalid commit -q -m churn
) >"$LOGS/git.log" 2>&1 || { cat "$LOGS/git.log" >&2; die "git init/commit of $CHURN failed"; }

DEFAULT_SEED=$(sed -n 's|.*<MlopsSeed Condition=[^>]*>\([0-9]*\)</MlopsSeed>.*|\1|p' "$SDK_DIR/Sdk.props" | sed -n 1p)
[ -n "$DEFAULT_SEED" ] || die "could not read MlopsSeed's default from $SDK_DIR/Sdk.props"
BUILD=(dotnet build "$PROJECT" -nodeReuse:false -tl:off -nologo "-p:MlopsToolsPath=$TOOLS/"
    "-p:MlopsBaseImage=$BASE_REF" "-p:MlopsInsecureRegistries=$REGISTRY" "-p:MlopsImageRegistry=$REGISTRY")

say "training the churn model (dotnet build -t:MlopsGate, not timed)"
run_logged train.log "${BUILD[@]}" -t:MlopsGate

# --- 5. Measuring -------------------------------------------------------------------------------------

printf 'round\tid\twall\tuser\tsys\tload1\tlog\n' >"$RESULTS/runs.tsv"
# timed <id> <round> <command...>: the command under GNU time, its output to a log ($TIMED_NAME.log if set,
# else <id>.<round>.log); a row in runs.tsv.
timed() {
    local id=$1 round=$2 name=${TIMED_NAME:-$1.$2} load log timing wall user sys
    shift 2
    log=$LOGS/$name.log
    timing=$RESULTS/$name.time
    load=$(cut -d' ' -f1 /proc/loadavg)
    say "$id, round $((round + 1))/$IMAGE_ROUNDS${TIMED_NAME:+, run ${TIMED_NAME##*.}} (load average $load)"
    if ! "$TIME" -f '%e %U %S' -o "$timing" "$@" >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        die "failed: $* (log above, $log)"
    fi
    read -r wall user sys < <(tail -n 1 "$timing")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$id" "$wall" "$user" "$sys" "$load" "$log" >>"$RESULTS/runs.tsv"
    say "  $wall s (CPU $user + $sys s)"
}
# noop_runs <id> <round> <text> <command...>: BENCH_IMAGE_NOOP_RUNS timed runs of a no-op build, each log
# checked for <text> (empty: no check) and for steps that ran.
noop_runs() {
    local id=$1 round=$2 text=$3 k
    shift 3
    for ((k = 1; k <= IMAGE_NOOP_RUNS; k++)); do
        TIMED_NAME=$id.$round.$k timed "$id" "$round" "$@"
        if [ -n "$text" ]; then
            expect "$LOGS/$id.$round.$k.log" "$text" "$id was not a no-op"
            expect_not "$LOGS/$id.$round.$k.log" "running because" "$id ran a step"
        fi
    done
}
# expect <log> <text> <what>: dies unless the log has the text.
expect() { grep -qF -- "$2" "$1" || { tail -n 30 "$1" >&2; die "$3: no '$2' in $1 (above)"; }; }
# expect_not <log> <text> <what>: dies if the log has the text.
expect_not() { if grep -qF -- "$2" "$1"; then tail -n 30 "$1" >&2; die "$3: '$2' in $1 (above)"; fi; }

IMAGE_DIR=$CHURN/bin/mlops/image
# keep_push <id> <round>: push.json of the push just timed, into the results.
keep_push() {
    [ -f "$IMAGE_DIR/push.json" ] || die "push-$1 wrote no $IMAGE_DIR/push.json (log: $LOGS/push-$1.$2.log)"
    cp "$IMAGE_DIR/push.json" "$RESULTS/push.$1.$2.json"
}
NEXT_SEED=$IMAGE_SEED SEED='' SEEDS_USED='' FAILED_SEEDS=''
# train_next_seed <round>: `-t:MlopsGate -p:MlopsSeed=N` (not timed) with the next seed whose model passes
# the project's gates; sets SEED.
train_next_seed() {
    local tries=0 log
    while :; do
        [ "$NEXT_SEED" != "$DEFAULT_SEED" ] || NEXT_SEED=$((NEXT_SEED + 1))
        SEED=$NEXT_SEED
        NEXT_SEED=$((NEXT_SEED + 1))
        tries=$((tries + 1))
        log=$LOGS/gate-seed-$SEED.log
        say "  retraining with MlopsSeed=$SEED (not timed)"
        if "${BUILD[@]}" -t:MlopsGate "-p:MlopsSeed=$SEED" >"$log" 2>&1; then
            SEEDS_USED="$SEEDS_USED $SEED"
            return 0
        fi
        grep -q 'error BM2001' "$log" || { tail -n 40 "$log" >&2; die "-t:MlopsGate -p:MlopsSeed=$SEED failed (log above, $log)"; }
        FAILED_SEEDS="$FAILED_SEEDS $SEED"
        say "  the model of seed $SEED fails the project's gates; trying the next seed"
        [ "$tries" -lt "$IMAGE_SEED_TRIES" ] || die "no seed passed the project's gates in $IMAGE_SEED_TRIES tries (up to $SEED)"
    done
}

# The peer: the .NET SDK's container builder on a trivial web app, over the same base and registry.
PEER_STATUS=measured
PEER_CACHE=$WORK/peer-cache
PEER_OUT=$WORK/peer-out
PEER_ARCHIVE=$PEER_OUT/webapp.tar.gz
PEER_STORE=$PEER_CACHE/dotnet/Containers
PEER_PUBLISH=(env "XDG_CACHE_HOME=$PEER_CACHE" "DOTNET_CONTAINER_INSECURE_REGISTRIES=$REGISTRY"
    dotnet publish "$WORK/webapp/webapp.csproj" -nodeReuse:false -tl:off -nologo "-p:ContainerBaseImage=$BASE_REF"
    -p:ContainerRepository=peer/webapp -p:ContainerImageTag=1.0.0 -p:ContainerRuntimeIdentifier=linux-x64)
PEER_TO_ARCHIVE=("${PEER_PUBLISH[@]}" -t:PublishContainer "-p:ContainerArchiveOutputPath=$PEER_ARCHIVE")
if [ "$IMAGE_PEER" = 1 ]; then
    cp -R "$IMAGES/webapp" "$WORK/webapp"
    say "peer: first publish of the web app into an image archive (not timed; up to $IMAGE_PEER_TIMEOUT s)"
    if timeout "$IMAGE_PEER_TIMEOUT" "${PEER_TO_ARCHIVE[@]}" >"$LOGS/peer-first.log" 2>&1 && [ -f "$PEER_ARCHIVE" ] \
        && "${HELPERS[@]}" archive "$PEER_ARCHIVE" "$RESULTS/peer.first.json" >>"$LOGS/peer-first.log" 2>&1; then
        say "  it works: measuring it as the peer"
    else
        reason=$(grep -m1 -E 'error [A-Z]+[0-9]+|error :' "$LOGS/peer-first.log" | sed 's/^ *//' | tr -d '`|' | cut -c1-300 || true)
        [ -n "$reason" ] || reason=$(tail -n 1 "$LOGS/peer-first.log" | tr -d '`|' | cut -c1-300)
        PEER_STATUS="\`dotnet publish -t:PublishContainer\` of a trivial web app over the same base failed (\`$reason\`), so the .NET SDK's container builder is not compared here."
        say "  the peer failed: $reason; going on without it"
        IMAGE_PEER=0
    fi
else
    PEER_STATUS="BENCH_IMAGE_PEER=0 was set."
fi

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
START_SECONDS=$SECONDS
if awk -v load="${LOAD_BEFORE%% *}" -v cores="$NPROC" 'BEGIN { exit !(load > cores) }'; then
    say "warning: load average $LOAD_BEFORE on $NPROC cores: other work will inflate and scatter the numbers"
fi

for ((round = 0; round < IMAGE_ROUNDS; round++)); do
    say "round $((round + 1))/$IMAGE_ROUNDS"
    REPOSITORY=bench/churn-r$((round + 1))
    run_logged "gate-default.$round.log" "${BUILD[@]}" -t:MlopsGate
    # The first build after a restore from the run cache re-records the restored files in the stat cache
    # (obj/mlops/hash-cache.json); the no-op is the build after that.
    run_logged "gate-settle.$round.log" "${BUILD[@]}" -t:MlopsGate

    noop_runs gate-noop "$round" "MlopsGate: up to date" "${BUILD[@]}" -t:MlopsGate

    rm -rf "$CHURN/.mlops/cache/images" "$IMAGE_DIR"
    timed package-cold "$round" "${BUILD[@]}" -t:MlopsPackage
    expect "$LOGS/package-cold.$round.log" "MlopsPackage: pulling base image" "the cold package did not pull the base"
    expect "$LOGS/package-cold.$round.log" "MlopsPackage: building image" "the cold package did not build"
    "${HELPERS[@]}" image-facts "$IMAGE_DIR" "$RESULTS/image.cold.$round.json"

    noop_runs package-noop "$round" "MlopsPackage: up to date" "${BUILD[@]}" -t:MlopsPackage

    rm -f "$IMAGE_DIR/push.json"
    timed push-first "$round" "${BUILD[@]}" -t:MlopsPush "-p:MlopsImageRepository=$REPOSITORY"
    keep_push first "$round"
    rm -f "$IMAGE_DIR/push.json"
    timed push-unchanged "$round" "${BUILD[@]}" -t:MlopsPush "-p:MlopsImageRepository=$REPOSITORY"
    keep_push unchanged "$round"

    train_next_seed "$round"
    timed package-model "$round" "${BUILD[@]}" -t:MlopsPackage "-p:MlopsSeed=$SEED"
    expect "$LOGS/package-model.$round.log" "MlopsPackage: building image" "the model-only change did not rebuild the image"
    expect_not "$LOGS/package-model.$round.log" "pulling base image" "the model-only rebuild pulled the base again"
    "${HELPERS[@]}" image-facts "$IMAGE_DIR" "$RESULTS/image.model.$round.json"
    rm -f "$IMAGE_DIR/push.json"
    timed push-model "$round" "${BUILD[@]}" -t:MlopsPush "-p:MlopsSeed=$SEED" "-p:MlopsImageRepository=$REPOSITORY"
    keep_push model "$round"

    if [ "$IMAGE_PEER" = 1 ]; then
        noop_runs peer-publish "$round" "" "${PEER_PUBLISH[@]}"
        rm -rf "$PEER_STORE" "$PEER_OUT"
        timed peer-cold "$round" "${PEER_TO_ARCHIVE[@]}"
        "${HELPERS[@]}" archive "$PEER_ARCHIVE" "$RESULTS/peer.cold.$round.json"
        timed peer-warm "$round" "${PEER_TO_ARCHIVE[@]}"
        "${HELPERS[@]}" archive "$PEER_ARCHIVE" "$RESULTS/peer.warm.$round.json"
        timed peer-push "$round" "${PEER_PUBLISH[@]}" -t:PublishContainer "-p:ContainerRegistry=$REGISTRY" "-p:ContainerRepository=peer/webapp-r$((round + 1))"
        "${HELPERS[@]}" peer-push "$LOGS/peer-push.$round.log" "$PEER_STORE/Content" "$RESULTS/peer-push.$round.json"
        timed peer-push-again "$round" "${PEER_PUBLISH[@]}" -t:PublishContainer "-p:ContainerRegistry=$REGISTRY" "-p:ContainerRepository=peer/webapp-r$((round + 1))"
        "${HELPERS[@]}" peer-push "$LOGS/peer-push-again.$round.log" "$PEER_STORE/Content" "$RESULTS/peer-push-again.$round.json"
    fi
done

LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
MEASURE_SECONDS=$((SECONDS - START_SECONDS))
stop "$REGISTRY_PID"
REGISTRY_PID=

# --- 6. The marked section of docs/benchmarks.md ------------------------------------------------------

say "writing the image-benchmarks section of $DOC"
CPU_MODEL=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | sed -n 1p)
[ -n "$CPU_MODEL" ] || CPU_MODEL=unknown
OS_NAME=$(sed -n 's/^PRETTY_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' /etc/os-release 2>/dev/null || true)
KERNEL=$(uname -sr)
MEMORY=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
DATE_UTC=$(date -u '+%Y-%m-%d %H:%M UTC')
DOTNET_VERSION=$(dotnet --version)
RUNTIME_VERSION=$(dotnet --list-runtimes | sed -n 's/^Microsoft.NETCore.App \([^ ]*\).*/\1/p' | tail -n 1)
ASPNET_VERSION=$(dotnet --list-runtimes | sed -n 's/^Microsoft.AspNetCore.App \([^ ]*\).*/\1/p' | tail -n 1)
REGISTRY_VERSION=$("$REGISTRY_BIN" --version 2>&1 | awk '{ print $NF }' | sed -n 1p)
UMOCI_VERSION=$("$UMOCI" --version | awk '{ print $NF }')
SKOPEO_VERSION=$("$SKOPEO" --version | awk '{ print $NF }')
SEEDS_USED=${SEEDS_USED# } FAILED_SEEDS=${FAILED_SEEDS# }
export WORK RESULTS DOC NPROC IMAGE_ROUNDS IMAGE_NOOP_RUNS PEER_STATUS DATE_UTC COMMIT CPU_MODEL MEMORY OS_NAME KERNEL DOTNET_VERSION \
    RUNTIME_VERSION ASPNET_VERSION REGISTRY_VERSION UMOCI_VERSION SKOPEO_VERSION TOOLS_SOURCE LOAD_BEFORE LOAD_AFTER \
    MEASURE_SECONDS SEEDS_USED FAILED_SEEDS SDK_DIR COMMIT_DATE BASE_REF REGISTRY DEFAULT_SEED
export SEED_START=$IMAGE_SEED
"${HELPERS[@]}" section >"$WORK/summary.txt"
printf '\n' >&2
cat "$WORK/summary.txt"
printf 'written: the image-benchmarks section of %s\n' "${DOC#"$REPO/"}"
