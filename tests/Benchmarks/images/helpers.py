#!/usr/bin/env python3
"""Helpers for run-image-benchmarks.sh (standard library only).

    helpers.py free-port                          a TCP port on 127.0.0.1 the kernel just gave out
    helpers.py release <dll>...                   Release or Debug, from each assembly's DebuggableAttribute;
                                                  exit 1 unless all are Release
    helpers.py image-facts <image dir> <out>      image.json of a packaged model image, plus the sizes of its
                                                  config, manifest and image.tar, as JSON into <out>
    helpers.py archive <tar> <out>                the image in an OCI layout tar (the .NET SDK's
                                                  ContainerArchiveOutputPath): digest, config, layers, as JSON
    helpers.py peer-push <log> <content dir> <out>
                                                  what `dotnet publish -t:PublishContainer` to a registry sent,
                                                  from its log and its layer store, as JSON
    helpers.py section                            writes the image-benchmarks section of the document named by
                                                  $DOC from the results in $RESULTS (the script sets the
                                                  environment), and prints a short summary
"""
import csv
import json
import os
import re
import socket
import statistics
import sys
import tarfile

BEGIN, END = "<!-- image-benchmarks:begin -->", "<!-- image-benchmarks:end -->"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])
    return 0


def release(paths):
    # DebuggableAttribute's blob (length 8, prolog 01 00, int32 DebuggingModes, no named arguments):
    # Release builds have IgnoreSymbolStoreSequencePoints (0x2), Debug builds add Default,
    # DisableOptimizations and EnableEditAndContinue (0x107).
    ok = True
    for path in paths:
        with open(path, "rb") as f:
            data = f.read()
        if b"\x08\x01\x00\x07\x01\x00\x00\x00\x00" in data:
            kind = "Debug"
        elif b"\x08\x01\x00\x02\x00\x00\x00\x00\x00" in data:
            kind = "Release"
        else:
            kind = "unknown"
        ok = ok and kind == "Release"
        print(f"{os.path.basename(path)}: {kind}")
    return 0 if ok else 1


def blob_path(layout, digest):
    algorithm, hex_digest = digest.split(":", 1)
    return os.path.join(layout, "blobs", algorithm, hex_digest)


def image_facts(image_dir, out):
    with open(os.path.join(image_dir, "image.json"), encoding="utf-8") as f:
        image = json.load(f)
    layout = os.path.join(image_dir, image.get("layout") or "layout")
    image["config_size"] = os.path.getsize(blob_path(layout, image["config_digest"]))
    image["manifest_size"] = os.path.getsize(blob_path(layout, image["digest"]))
    image["tar_bytes"] = os.path.getsize(os.path.join(image_dir, image.get("tar") or "image.tar"))
    image["layers_bytes"] = sum(layer["size"] for layer in image["layers"])
    with open(out, "w", encoding="utf-8") as f:
        json.dump(image, f, indent=1)
    return 0


def archive(path, out):
    with tarfile.open(path) as tar:
        def read(name):
            return json.load(tar.extractfile(name))

        index = read("index.json")
        manifests = index["manifests"]
        if len(manifests) != 1:
            raise SystemExit(f"{path}: index.json has {len(manifests)} manifests, expected one")
        digest = manifests[0]["digest"]
        manifest = read("blobs/" + digest.replace(":", "/"))
    facts = {
        "digest": digest,
        "config_digest": manifest["config"]["digest"],
        "config_size": manifest["config"]["size"],
        "layers": [{"digest": layer["digest"], "size": layer["size"], "mediaType": layer.get("mediaType", "")} for layer in manifest["layers"]],
        "archive_bytes": os.path.getsize(path),
    }
    facts["layers_bytes"] = sum(layer["size"] for layer in facts["layers"])
    with open(out, "w", encoding="utf-8") as f:
        json.dump(facts, f, indent=1)
    return 0


def peer_push(log, content_dir, out):
    with open(log, encoding="utf-8", errors="replace") as f:
        text = f.read()
    started = re.findall(r"Uploading layer '(sha256:[0-9a-f]{64})'", text)
    finished = re.findall(r"Finished uploading layer '(sha256:[0-9a-f]{64})'", text)
    existing = re.findall(r"Layer '(sha256:[0-9a-f]{64})' already exists", text)
    config = re.findall(r"Uploading config to registry at blob '(sha256:[0-9a-f]{64})'", text)

    def size(digest):
        hex_digest = digest.split(":", 1)[1]
        for name in (hex_digest + ".tar.gz", hex_digest + ".tar", hex_digest):
            path = os.path.join(content_dir, name)
            if os.path.exists(path):
                return os.path.getsize(path)
        return None

    uploaded = sorted(set(finished))
    sizes = [size(d) for d in uploaded]
    facts = {
        "layers_started": len(set(started)),
        "layers_uploaded": len(uploaded),
        "layers_already_there": len(set(existing)),
        # Neither uploaded nor found: the base's layer, which the SDK mounts from the base repository.
        "layers_mounted": len(set(started) - set(finished) - set(existing)),
        "layers_uploaded_bytes": sum(s for s in sizes if s is not None) if all(s is not None for s in sizes) else None,
        "uploaded_digests": uploaded,
        "config_uploaded": len(config),
    }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(facts, f, indent=1)
    return 0


# --- The document section -----------------------------------------------------------------------------

def section():
    env = os.environ
    work, results, doc_path = env["WORK"], env["RESULTS"], env["DOC"]
    nproc = int(env["NPROC"])
    rounds = int(env["IMAGE_ROUNDS"])
    noop_runs = int(env["IMAGE_NOOP_RUNS"])
    peer_measured = env["PEER_STATUS"] == "measured"

    runs = []
    with open(os.path.join(results, "runs.tsv"), encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            r["round"] = int(r["round"])
            r["wall"], r["user"], r["sys"], r["load1"] = float(r["wall"]), float(r["user"]), float(r["sys"]), float(r["load1"])
            r["cpu"] = r["user"] + r["sys"]
            runs.append(r)

    def of(id):
        return [r for r in runs if r["id"] == id]

    def med(id, key="wall"):
        values = [r[key] for r in of(id)]
        return statistics.median(values) if values else float("nan")

    def span(id):
        values = [r["wall"] for r in of(id)]
        return f"{min(values):.2f} to {max(values):.2f}" if len(values) > 1 else "one run"

    def load(path):
        with open(os.path.join(results, path), encoding="utf-8") as f:
            return json.load(f)

    def per_round(prefix):
        return [load(f"{prefix}.{k}.json") for k in range(rounds)]

    cold_images, model_images = per_round("image.cold"), per_round("image.model")
    first_pushes, unchanged_pushes, model_pushes = per_round("push.first"), per_round("push.unchanged"), per_round("push.model")
    image = cold_images[0]
    cold_digests = sorted({i["digest"] for i in cold_images})
    reproducible = len(cold_digests) == 1
    base_layers = [l for l in image["layers"] if l["role"] == "base"]
    app_layers = [l for l in image["layers"] if l["role"] == "app"]
    model_layers = [l for l in image["layers"] if l["role"] == "model"]
    same_lower = all(
        [l["digest"] for l in m["layers"] if l["role"] != "model"] == [l["digest"] for l in c["layers"] if l["role"] != "model"]
        for c, m in zip(cold_images, model_images))
    model_changed = all(
        [l["digest"] for l in m["layers"] if l["role"] == "model"] != [l["digest"] for l in c["layers"] if l["role"] == "model"]
        for c, m in zip(cold_images, model_images))
    loads = [r["load1"] for r in runs]
    noisy = max(loads) > nproc
    seeds = env["SEEDS_USED"].split()
    failed_seeds = env["FAILED_SEEDS"].split()

    def mb(n):
        return f"{n / 1e6:.1f} MB" if n >= 1e5 else f"{n / 1e3:.1f} kB"

    def pct(part, whole):
        return f"{100 * part / whole:.2f}%" if whole else "n/a"

    gate = med("gate-noop")

    def diff(d):
        return f"+{d:.2f}" if d >= 0 else f"{d:.2f} (noise)"

    def over(id, base="gate-noop"):
        return f"{diff(med(id) - med(base))} | {med(id, 'cpu'):.2f} | {diff(med(id, 'cpu') - med(base, 'cpu'))}"

    out = []
    w = out.append
    w(BEGIN)
    w(f"""## Model images: `MlopsPackage` and `MlopsPush`

Generated by `tests/Benchmarks/run-image-benchmarks.sh` on {env['DATE_UTC']} (commit {env['COMMIT']}). That
script rewrites only the text between the `image-benchmarks` markers; do not edit it by hand.

What packaging the churn model (`pipelines/churn`) into a container image costs, and what a push sends, against
Debian's `docker-registry` {env['REGISTRY_VERSION']} on 127.0.0.1. The base is a .NET runtime image made
on the spot with umoci from this machine's own `dotnet` (as the image tests make theirs), pushed to that
registry; every build runs with `-nodeReuse:false`, so each timing includes MSBuild's start.
""")
    if noisy:
        w(f"""**Caution: the machine was busy during this run** (1-minute load average {min(loads):.2f} to {max(loads):.2f} on {nproc} cores
at the start of the measurements; other engineers build and test on it, and the benchmark's own builds count
too). Wall times are inflated and scattered by waiting for a core; the CPU times (user + system) are less
affected. The bytes pushed do not depend on load.
""")
    w(f"""### Times

Medians over {rounds} round(s), in seconds, of one run per round, or {noop_runs} for each no-op build; the range of the wall
times over all runs is in parentheses. "Over the no-op" is the median minus that of `dotnet build -t:MlopsGate`
with everything up to date, the fixed cost of any `dotnet build` of this project (MSBuild's start, evaluation,
the up-to-date checks of the model's steps), which every `MlopsPackage` and `MlopsPush` build also pays: what
packaging or pushing adds.

| Build | Wall | Wall over the no-op | CPU user+sys | CPU over the no-op |
|---|---|---|---|---|
| No-op `dotnet build -t:MlopsGate` (model up to date) | {gate:.2f} ({span('gate-noop')}) | — | {med('gate-noop', 'cpu'):.2f} | — |
| **Cold package**: `-t:MlopsPackage`, empty image cache, base pulled from the registry | **{med('package-cold'):.2f}** ({span('package-cold')}) | {over('package-cold')} |
| **Warm no-op package**: the same again (`MlopsPackage: up to date`) | **{med('package-noop'):.2f}** ({span('package-noop')}) | {over('package-noop')} |
| **Model-only rebuild**: `-t:MlopsPackage -p:MlopsSeed=N`, the model retrained with seed N just before (not timed) | **{med('package-model'):.2f}** ({span('package-model')}) | {over('package-model')} |
| First push, `-t:MlopsPush` to a new repository | {med('push-first'):.2f} ({span('push-first')}) | {over('push-first')} |
| Unchanged second push | {med('push-unchanged'):.2f} ({span('push-unchanged')}) | {over('push-unchanged')} |
| Push after the model-only rebuild | {med('push-model'):.2f} ({span('push-model')}) | {over('push-model')} |
""")
    if peer_measured:
        pg = med("peer-publish")

        def peer_over(id):
            return over(id, "peer-publish")

        w(f"""Peer, measured in the same rounds: the .NET SDK's own container builder (`Microsoft.NET.Build.Containers`, part of SDK
{env['DOTNET_VERSION']}) on a trivial ASP.NET Core app ([`images/webapp`](../tests/Benchmarks/images/webapp/), one `MapGet`), on top of the
same base from the same registry. Here "over the no-op" is measured against a plain `dotnet publish` of that
app with everything up to date, its fixed cost.

| Build | Wall | Wall over the no-op | CPU user+sys | CPU over the no-op |
|---|---|---|---|---|
| No-op `dotnet publish` (app up to date) | {pg:.2f} ({span('peer-publish')}) | — | {med('peer-publish', 'cpu'):.2f} | — |
| **Cold**: `-t:PublishContainer` to a local archive (`ContainerArchiveOutputPath`), empty layer store | **{med('peer-cold'):.2f}** ({span('peer-cold')}) | {peer_over('peer-cold')} |
| **Warm**: the same again (base layer in its store) | **{med('peer-warm'):.2f}** ({span('peer-warm')}) | {peer_over('peer-warm')} |
| Push: `-t:PublishContainer -p:ContainerRegistry=…` to a new repository | {med('peer-push'):.2f} ({span('peer-push')}) | {peer_over('peer-push')} |
| Push again, app unchanged | {med('peer-push-again'):.2f} ({span('peer-push-again')}) | {peer_over('peer-push-again')} |

The two are not the same work: MlopsPackage lays out the serving host (a {mb(app_layers[0]['size'] if app_layers else 0)} app layer) and the
model and writes both an OCI layout folder and `image.tar`; the peer's app layer is the trivial app
({mb(load('peer.cold.0.json')['layers'][-1]['size'])}), and it writes one archive. Asked again with nothing changed, the SDK's
`PublishContainer` builds the image again (it has no up-to-date check), where `MlopsPackage` answers "up to
date" from a fingerprint.
""")
    else:
        w(f"""No peer was measured in this run: {env['PEER_STATUS']}
""")

    w(f"""No `docker build` was measured: there is no Docker daemon on this machine (nor any other container engine),
which is the point of packaging without one.
""")

    # Per round: on a busy machine the load moves between rounds, and a median can land on a loaded round.
    ids = [("gate-noop", "No-op `-t:MlopsGate`"), ("package-cold", "Cold package"), ("package-noop", "Warm no-op package"),
           ("package-model", "Model-only rebuild"), ("push-first", "First push"), ("push-unchanged", "Unchanged push"),
           ("push-model", "Push after the model-only change")]
    if peer_measured:
        ids += [("peer-publish", "Peer: no-op publish"), ("peer-cold", "Peer: cold"), ("peer-warm", "Peer: warm"),
                ("peer-push", "Peer: push"), ("peer-push-again", "Peer: push again")]

    def cell(id, k):
        rs = [r for r in of(id) if r["round"] == k]
        if not rs:
            return "—"
        wall = statistics.median(r["wall"] for r in rs)
        cpu = statistics.median(r["cpu"] for r in rs)
        load1 = statistics.median(r["load1"] for r in rs)
        return f"{wall:.2f} ({cpu:.2f}; {load1:.1f})"

    if rounds > 1:
        note = ""
        if med("package-model") > med("package-cold"):
            note = ("In this run the model-only rebuild's median is above the cold package's; the table gives every round\n"
                    "with the load it ran at.\n\n")
        w(f"""Per round: wall seconds (CPU user+sys seconds; 1-minute load average when it started), the median of the
runs for the no-op builds.

{note}| Build | """ + " | ".join(f"Round {k + 1}" for k in range(rounds)) + " |\n|---|" + "---|" * rounds)
        for id, label in ids:
            w(f"| {label} | " + " | ".join(cell(id, k) for k in range(rounds)) + " |")
        w("")

    def push_row(label, pushes, expected):
        p = pushes[0]
        same = all((q["blobs_uploaded"], q["bytes_uploaded"]) == (p["blobs_uploaded"], p["bytes_uploaded"]) for q in pushes)
        by_round = " / ".join(f"{q['bytes_uploaded']:,}" for q in pushes)
        spread = "" if same else f" (rounds: {by_round})"
        return (f"| {label} | {p['blobs_uploaded']} | {p['blobs_mounted']} | {p['blobs_skipped']} | "
                f"**{p['bytes_uploaded']:,}**{spread} | {expected} |")

    m_image = model_images[0]
    m_model = [l for l in m_image["layers"] if l["role"] == "model"][0]
    expected_model_bytes = m_model["size"] + m_image["config_size"]
    mp = model_pushes[0]
    model_push_ok = all(q["blobs_uploaded"] == 2 and q["bytes_uploaded"] == [l for l in mi["layers"] if l["role"] == "model"][0]["size"] + mi["config_size"]
                        for q, mi in zip(model_pushes, model_images))
    unchanged_ok = all(q["blobs_uploaded"] == 0 and q["bytes_uploaded"] == 0 for q in unchanged_pushes)
    first_expected = (app_layers[0]["size"] if app_layers else 0) + (model_layers[0]["size"] if model_layers else 0) + image["config_size"]
    first_ok = all(q["bytes_uploaded"] == first_expected and q["blobs_mounted"] == len(base_layers) for q in first_pushes)
    w(f"""### Bytes pushed

From `push.json` after each push (first round; the same in every round unless noted). Blobs are layers and the
config; the manifest is sent too, but is not a blob.

| Push | Blobs uploaded | Mounted from the base's repository | Already there | Bytes uploaded | Expected |
|---|---|---|---|---|---|
{push_row('First push of the image', first_pushes, f"app + model layers + config = {first_expected:,} bytes, base mounted: {'as expected' if first_ok else '**not as expected**'}")}
{push_row('Second push, unchanged', unchanged_pushes, f"nothing: {'as expected' if unchanged_ok else '**not as expected**'}")}
{push_row('After a model-only change', model_pushes, f"model layer + config{', in round 1' if rounds > 1 else ''}: {m_model['size']:,} + {m_image['config_size']:,} = {expected_model_bytes:,}{' (each round has its own seed, so its own model size)' if rounds > 1 else ''}: {('as expected in every round' if rounds > 1 else 'as expected') if model_push_ok else '**not as expected**'}")}

After a model-only change a push sends **{mp['bytes_uploaded']:,} bytes**, {pct(mp['bytes_uploaded'], m_image['layers_bytes'] + m_image['config_size'])} of the
image's {m_image['layers_bytes'] + m_image['config_size']:,} bytes of layers and config; the model layer alone is {pct(m_model['size'], m_image['layers_bytes'])} of the layers.
The base and app layers of the rebuilt image were {'identical to' if same_lower else '**not** identical to'} the cold build's in every round, and the model layer {'differed' if model_changed else '**did not** differ'}.
""")
    if peer_measured:
        pp, pa = load("peer-push.0.json"), load("peer-push-again.0.json")
        warm_digests_differ = sum(1 for k in range(rounds) if load(f"peer.cold.{k}.json")["digest"] != load(f"peer.warm.{k}.json")["digest"])

        def bytes_of(p):
            return f"{p['layers_uploaded_bytes']:,} bytes" if p["layers_uploaded_bytes"] is not None else "size unknown"

        w(f"""The SDK's container builder reports no byte counts; from its log and its layer store: the first push uploaded
{pp['layers_uploaded']} layer(s) ({bytes_of(pp)}) and the config and mounted {pp['layers_mounted']}; pushing the unchanged app again
uploaded {pa['layers_uploaded']} layer(s) ({bytes_of(pa)}) and the config, with {pa['layers_already_there']} already there. Its app layer is not reproducible:
the cold and warm archives of the same unchanged app had different digests in {warm_digests_differ} of {rounds} round(s), so
every push sends the app layer again.
""")

    w(f"""### The image

`churn:1.0.0`, digest `{image['digest']}`; {('the cold build gave this same digest in all ' + str(rounds) + ' rounds (reproducible)') if reproducible and rounds > 1 else ('one round, so reproducibility was not checked' if reproducible else '**the cold build gave different digests** across rounds: ' + ', '.join(f'`{d}`' for d in cold_digests))}.
The base is made anew by every run of the script (umoci records the time), so the digest differs from run to
run. The image's time is the commit time of the temporary repository's `HEAD` ({image['created']}).

| Layer | Compressed size | Share of the layers |
|---|---|---|""")
    for layer in image["layers"]:
        w(f"| {layer['role']} `{layer['digest'][:19]}…` | {layer['size']:,} bytes ({mb(layer['size'])}) | {pct(layer['size'], image['layers_bytes'])} |")
    w(f"""| all layers | {image['layers_bytes']:,} bytes ({mb(image['layers_bytes'])}) | 100% |

Config {image['config_size']:,} bytes, manifest {image['manifest_size']:,} bytes; `bin/mlops/image/image.tar` is {image['tar_bytes']:,} bytes. The
base here holds only the .NET and ASP.NET Core runtimes (no OS libraries, which this benchmark does not run), so
it is smaller than `mcr.microsoft.com/dotnet/aspnet:10.0`, and the model layer's share of a real image is smaller
still.

### Machine

| | |
|---|---|
| CPU | {env['CPU_MODEL']} |
| Cores (`nproc`) | {nproc} |
| Memory | {env['MEMORY']} |
| OS | {env['OS_NAME'] or 'unknown'}, {env['KERNEL']} |
| `dotnet --version` | {env['DOTNET_VERSION']} (runtimes: Microsoft.NETCore.App {env['RUNTIME_VERSION']}, Microsoft.AspNetCore.App {env['ASPNET_VERSION']}) |
| BuildMlops tools | {env['TOOLS_SOURCE']}; Release build checked |
| Registry | Debian `docker-registry` {env['REGISTRY_VERSION']}, plain HTTP on 127.0.0.1, filesystem storage in the temporary directory |
| Base image | made with umoci {env['UMOCI_VERSION']}, pushed with skopeo {env['SKOPEO_VERSION']}: {mb(base_layers[0]['size']) if base_layers else '?'} in {len(base_layers)} layer(s) |
| Load average (1/5/15 min) | {env['LOAD_BEFORE']} before, {env['LOAD_AFTER']} after; 1 min at the start of each timed build: {min(loads):.2f} to {max(loads):.2f} |
| Time spent measuring | {int(env['MEASURE_SECONDS']) // 60} min {int(env['MEASURE_SECONDS']) % 60} s |

### How it was measured

- The project: `pipelines/churn` (project file, data, `mlops.lock.json`) copied to `<tmp>/churn`, its two `Import`
  lines pointed at this repository's `src/BuildMlops.Sdk/Sdk/` by absolute path, made a git repository with one commit
  (committer date {env['COMMIT_DATE']}) so that the image takes its time and revision from `HEAD`;
  `SOURCE_DATE_EPOCH` unset. Its `.mlops/` (image cache `.mlops/cache/images`, run cache) is its own.
- Every build: `dotnet build <tmp>/churn/churn.csproj -nodeReuse:false -tl:off -nologo
  -p:MlopsToolsPath=<tools>/ -p:MlopsBaseImage={env['BASE_REF']} -p:MlopsInsecureRegistries={env['REGISTRY']}
  -p:MlopsImageRegistry={env['REGISTRY']}` plus the target, timed by `/usr/bin/time` (wall, user, system).
  `MlopsToolsPath` points at a private copy of the tools, so builds in the repository during the run cannot
  change what is measured.
- The model was trained once before the rounds (`-t:MlopsGate`, not timed). Each round, in this order:
  `-t:MlopsGate` twice (not timed: puts the default-seed model back from the run cache, then lets the stat cache
  record the restored files), the no-op `-t:MlopsGate` ({noop_runs} timed runs), `rm -rf .mlops/cache/images
  bin/mlops/image` (not timed; the stat cache `obj/mlops/image-hashes.json` stays), the cold `-t:MlopsPackage`,
  the warm `-t:MlopsPackage` ({noop_runs} runs), `-t:MlopsPush -p:MlopsImageRepository=bench/churn-r<round>` twice
  (`push.json` deleted before each), `-t:MlopsGate -p:MlopsSeed=N` (not timed: retrains), `-t:MlopsPackage
  -p:MlopsSeed=N` and `-t:MlopsPush -p:MlopsSeed=N` to the same repository{', then the peer' if peer_measured else ''}. The script checks the
  logs: the cold build pulled the base and built the image, the warm one said `up to date`, the model-only
  rebuild built without pulling.
- Model-only change: a new `MlopsSeed` each round, the next one from {env['SEED_START']} (skipping the default, {env['DEFAULT_SEED']}) whose
  model passes the project's gates (AUC ≥ 0.83, accuracy ≥ 0.78); the seed also reshuffles the training/test
  split, and many seeds fail the gates. Used: {', '.join(seeds)}{'; failed the gates (tried, not timed): ' + ', '.join(failed_seeds) if failed_seeds else ''}.""")
    if peer_measured:
        w(f"""- The peer: `images/webapp` copied to `<tmp>/webapp` and published once before the rounds; each round, the no-op
  publish ({noop_runs} runs), the cold and the warm archive, and the two pushes. Every peer command:
  `dotnet publish <tmp>/webapp/webapp.csproj -nodeReuse:false -tl:off -nologo -p:ContainerBaseImage={env['BASE_REF']}
  -p:ContainerRepository=peer/webapp -p:ContainerImageTag=1.0.0 -p:ContainerRuntimeIdentifier=linux-x64`, with
  `DOTNET_CONTAINER_INSECURE_REGISTRIES={env['REGISTRY']}` and `XDG_CACHE_HOME=<tmp>/peer-cache` (its layer store is
  `$XDG_CACHE_HOME/dotnet/Containers`, emptied before the cold build); `-t:PublishContainer
  -p:ContainerArchiveOutputPath=<tmp>/peer-out/webapp.tar.gz` for cold and warm, `-t:PublishContainer
  -p:ContainerRegistry={env['REGISTRY']} -p:ContainerRepository=peer/webapp-r<round>` twice for the pushes.""")
    w(f"""- The base: `umoci init`, `umoci new`, `umoci unpack --rootless`; this machine's `dotnet` muxer, `host/`,
  `shared/Microsoft.NETCore.App` and `shared/Microsoft.AspNetCore.App` copied into `rootfs/usr/share/dotnet`,
  `/etc/passwd` and `/etc/group` with the `app` user (1654); `umoci repack`; `umoci config` with the .NET images'
  user, working directory, port and environment; `skopeo copy oci:<layout>:10.0
  docker://{env['BASE_REF']} --dest-tls-verify=false`.
""")
    w(END)
    # The registry's port changes from run to run.
    text_section = ("\n".join(out) + "\n").replace(env["REGISTRY"], "127.0.0.1:<port>")

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
        new = "".join(lines[:begins[0]]) + text_section + "".join(lines[ends[0] + 1:])
    else:
        prefix = text if text == "" or text.endswith("\n") else text + "\n"
        new = prefix + ("\n" if prefix else "") + text_section
    tmp_path = doc_path + ".image-benchmarks.tmp"
    with open(tmp_path, "w", encoding="utf-8", newline="") as f:
        f.write(new)
    if os.path.exists(doc_path):
        os.chmod(tmp_path, os.stat(doc_path).st_mode & 0o7777)
    os.replace(tmp_path, doc_path)

    print(f"no-op build {gate:.2f} s; cold package {med('package-cold'):.2f} s, warm no-op {med('package-noop'):.2f} s, "
          f"model-only rebuild {med('package-model'):.2f} s (medians over {rounds} round(s))")
    print(f"pushed bytes: first {first_pushes[0]['bytes_uploaded']:,}, unchanged {unchanged_pushes[0]['bytes_uploaded']:,}, "
          f"model-only {mp['bytes_uploaded']:,} ({mp['blobs_uploaded']} blobs) of {m_image['layers_bytes'] + m_image['config_size']:,}; "
          f"image {image['digest'][:19]}…, {image['layers_bytes']:,} bytes of layers, model layer {pct(m_model['size'], m_image['layers_bytes'])}")
    if peer_measured:
        print(f"peer (SDK PublishContainer, trivial app): publish no-op {med('peer-publish'):.2f} s, cold {med('peer-cold'):.2f} s, "
              f"warm {med('peer-warm'):.2f} s, push {med('peer-push'):.2f} s")
    else:
        print(f"peer: not measured ({env['PEER_STATUS']})")
    if not (first_ok and unchanged_ok and model_push_ok and same_lower and model_changed and reproducible):
        print("warning: some push or layer result was not as expected; see the section")
    if noisy:
        print(f"warning: load average up to {max(loads):.2f} on {nproc} cores during the run; the timings are noisy")
    return 0


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    command, args = argv[1], argv[2:]
    if command == "free-port" and not args:
        return free_port()
    if command == "release" and args:
        return release(args)
    if command == "image-facts" and len(args) == 2:
        return image_facts(*args)
    if command == "archive" and len(args) == 2:
        return archive(*args)
    if command == "peer-push" and len(args) == 3:
        return peer_push(*args)
    if command == "section" and not args:
        return section()
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
