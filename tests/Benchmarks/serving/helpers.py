#!/usr/bin/python3
"""Helpers of tests/Benchmarks/run-serving-benchmarks.sh (run with /usr/bin/python3):

    helpers.py free-port                         a free TCP port on 127.0.0.1, chosen by the kernel
    helpers.py body <csv> <schema.json> <row>    the request body: data row <row> (1 = first after the
                                                 header) as one JSON record, every feature, no label
    helpers.py release <dll>...                  Release or Debug, from each assembly's DebuggableAttribute;
                                                 exits 1 unless every one is Release
    helpers.py same-split <predictions.csv>      checks that the Flask server's split (flask_server.split)
                                                 tests the rows the churn model was evaluated on
    helpers.py wrk <wrk output>                  requests/s, p50 ms, p99 ms, requests, seconds, non-2xx,
                                                 socket errors, timeouts: one tab-separated line
    helpers.py section                           writes the serving-benchmarks section of the document
                                                 (settings and paths from the environment; see the script)
"""
import csv
import json
import os
import re
import statistics
import sys

sys.dont_write_bytecode = True  # importing flask_server must leave no __pycache__ in the repository

BEGIN, END = "<!-- serving-benchmarks:begin -->", "<!-- serving-benchmarks:end -->"
MISSING = {"", "NA", "N/A", "NaN", "null", "NULL"}


def free_port():
    import socket
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])


def body(data_path, schema_path, row_number):
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    features = [c for c in schema["columns"] if c.get("role") == "feature"]
    with open(data_path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        for number, row in enumerate(reader, start=1):
            if number == row_number:
                break
        else:
            raise SystemExit(f"{data_path} has fewer than {row_number} data rows")
    cells = dict(zip(header, row))
    parts = []
    for column in features:
        name = column["name"]
        cell = cells[name].strip()
        if cell in MISSING:
            value = "null"
        elif column["type"] == "numeric":
            float(cell)  # a number as the CSV writes it, e.g. 29.85: JSON's number syntax
            if not re.fullmatch(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?", cell):
                raise SystemExit(f"{data_path} row {row_number}: {name} = {cell!r} is not a JSON number")
            value = cell
        else:
            value = json.dumps(cell, ensure_ascii=False)
        parts.append(f"{json.dumps(name)}:{value}")
    print("{" + ",".join(parts) + "}")


def release(paths):
    # DebuggableAttribute's blob (length 8, prolog 01 00, int32 DebuggingModes, no named arguments):
    # Release builds have IgnoreSymbolStoreSequencePoints (0x2), Debug builds add Default,
    # DisableOptimizations and EnableEditAndContinue (0x107).
    ok = True
    for path in paths:
        data = open(path, "rb").read()
        if b"\x08\x01\x00\x07\x01\x00\x00\x00\x00" in data:
            kind = "Debug"
        elif b"\x08\x01\x00\x02\x00\x00\x00\x00\x00" in data:
            kind = "Release"
        else:
            kind = "unknown"
        ok = ok and kind == "Release"
        print(f"{os.path.basename(path)}: {kind}")
    return 0 if ok else 1


def same_split(predictions_path):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from flask_server import SEED, TEST_FRACTION, split
    with open(predictions_path, newline="", encoding="utf-8") as f:
        lines = sorted(int(r["line"]) for r in csv.DictReader(f))
    data_rows = int(os.environ["DATA_ROWS"])
    _, test = split(data_rows, TEST_FRACTION, SEED)
    if [line - 2 for line in lines] != test:  # line 1 is the header
        print(f"the churn model's {len(lines)} test rows (predictions.csv) are not the {len(test)} rows flask_server.split tests")
        return 1
    print(f"the same {len(test):,} test rows")
    return 0


UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}
METRIC = {"": 1, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}


def parse_wrk(path):
    text = open(path, encoding="utf-8", errors="replace").read()

    def latency(percent):
        m = re.search(rf"^\s*{percent}%\s+([0-9.]+)(us|ms|s|m|h)\s*$", text, re.M)
        if not m:
            raise SystemExit(f"{path}: no {percent}% line (was wrk run with --latency?)")
        return float(m.group(1)) * UNITS_MS[m.group(2)]

    m = re.search(r"^Requests/sec:\s+([0-9.]+)", text, re.M)
    if not m:
        raise SystemExit(f"{path}: no Requests/sec line")
    rps = float(m.group(1))
    m = re.search(r"^\s*([0-9.]+)([kMGT]?) requests in ([0-9.]+)(us|ms|s|m|h),", text, re.M)
    if not m:
        raise SystemExit(f"{path}: no 'requests in' line")
    requests = float(m.group(1)) * METRIC[m.group(2)]
    seconds = float(m.group(3)) * UNITS_MS[m.group(4)] / 1000
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    non2xx = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    errors = sum(int(g) for g in m.groups()[:3]) if m else 0
    timeouts = int(m.group(4)) if m else 0
    return dict(rps=rps, p50=latency(50), p75=latency(75), p90=latency(90), p99=latency(99),
                requests=requests, seconds=seconds, non2xx=non2xx, errors=errors, timeouts=timeouts)


def wrk(path):
    r = parse_wrk(path)
    print("\t".join(f"{r[k]:.6g}" for k in ("rps", "p50", "p99", "requests", "seconds", "non2xx", "errors", "timeouts")))


# --- The document section ----------------------------------------------------------------------------

def ms(value):
    if value >= 100:
        return f"{value:,.0f} ms"
    if value >= 10:
        return f"{value:.1f} ms"
    return f"{value:.2f} ms"


def cpu(seconds):
    return f"{seconds * 1e6:,.0f} µs" if seconds < 0.001 else f"{seconds * 1e3:,.2f} ms"


def section():
    env = os.environ
    work, results, doc_path = env["WORK"], env["RESULTS"], env["DOC"]
    nproc = int(env["NPROC"])
    rounds = int(env["SERVE_ROUNDS"])
    threads, connections, seconds = int(env["SERVE_THREADS"]), int(env["SERVE_CONNECTIONS"]), int(env["SERVE_SECONDS"])
    rate, rate_connections, rate_seconds = int(env["SERVE_RATE"]), int(env["SERVE_RATE_CONNECTIONS"]), int(env["SERVE_RATE_SECONDS"])
    interval = float(env["RATE_INTERVAL_MS"])
    clk = int(env["CLK_TCK"])

    runs = []
    with open(os.path.join(results, "runs.tsv"), encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            r.update(parse_wrk(r["log"]))
            r["round"], r["position"] = int(r["round"]), int(r["position"])
            r["load1"] = float(r["load1"])
            r["cpu_per_request"] = int(r["server_ticks"]) / clk / r["requests"] if r["requests"] else float("nan")
            r["cpu_wait"] = int(r["server_runq_ns"]) / 1e9 / r["seconds"]  # seconds waiting for a CPU, per second
            runs.append(r)

    def of(id):
        return [r for r in runs if r["id"] == id]

    def med(rs, key):
        return statistics.median(r[key] for r in rs)

    def span(rs, key, fmt):
        values = [r[key] for r in rs]
        return f"{fmt(min(values))} to {fmt(max(values))}" if len(values) > 1 else "one round"

    ours, flask, paced, flask_paced = of("mlops-serve"), of("flask"), of("mlops-serve-paced"), of("flask-paced")
    ratio = med(ours, "rps") / med(flask, "rps")
    by_round = {r["round"]: r for r in flask}
    round_ratios = [r["rps"] / by_round[r["round"]]["rps"] for r in ours if r["round"] in by_round]
    throughput_ok = ratio >= 10
    paced_p99 = med(paced, "p99")
    paced_p50 = med(paced, "p50")
    paced_rps = med(paced, "rps")
    worst_p99 = max(r["p99"] for r in paced)
    rate_reached = paced_rps >= 0.9 * rate
    p99_ok = paced_p99 < 5 and rate_reached
    rounds_missed = sum(1 for r in paced if r["p99"] >= 5)
    loads = [r["load1"] for r in runs]
    noisy = max(loads) > nproc
    timeouts = sum(r["timeouts"] for r in runs)
    errors = sum(r["errors"] for r in runs)

    def fmt_rps(v):
        return f"{v:,.0f}"

    out = []
    w = out.append
    w(BEGIN)
    w(f"""## Serving: `mlops-serve` against Flask + scikit-learn

Generated by `tests/Benchmarks/run-serving-benchmarks.sh` on {env['DATE_UTC']} (commit {env['COMMIT']}). That
script rewrites only the text between the `serving-benchmarks` markers; do not edit it by hand.

Both servers serve the churn model (`pipelines/churn`) on 127.0.0.1 and answer `POST /predict` with one JSON
record per request, the same body for both. The peer is the recipe the lean-MLOps guides recommend: a
scikit-learn pipeline behind Flask's own threaded server
([`serving/flask_server.py`](../tests/Benchmarks/serving/flask_server.py)). Load comes from `wrk`
{env['WRK_VERSION']} on the same machine, so client and server share its {nproc} cores.
""")
    if noisy:
        w(f"""**Caution: the machine was busy during this run** (1-minute load average {min(loads):.2f} to {max(loads):.2f} on {nproc}
cores at the start of the measurements, the benchmark's own load included, the rest other work). The
order of the measurements rotates from round to round so that the load falls on both servers alike, and the
ratio compares servers measured in the same rounds; absolute numbers and latencies on an idle machine will
be better, and tighter.
""")
    w(f"""### Summary

Maximum throughput: `wrk -t{threads} -c{connections} -d{seconds}s --latency`, as fast as each server answers. Medians over
{rounds} round(s); the range over the rounds is in parentheses.

| Server | Requests/s | p50 latency | p99 latency | Server CPU per request | Requests/s, ratio to Flask |
|---|---|---|---|---|---|
| **mlops-serve** (ASP.NET Core, ML.NET FastTree) | **{fmt_rps(med(ours, 'rps'))}** ({span(ours, 'rps', fmt_rps)}) | {ms(med(ours, 'p50'))} | {ms(med(ours, 'p99'))} | {cpu(med(ours, 'cpu_per_request'))} | **{ratio:.1f}x** ({'rounds ' + f'{min(round_ratios):.1f}x to {max(round_ratios):.1f}x' if len(round_ratios) > 1 else 'one round'}) |
| Flask {env['FLASK_VERSION']} + scikit-learn {env['SKLEARN_VERSION']} (GradientBoostingClassifier) | {fmt_rps(med(flask, 'rps'))} ({span(flask, 'rps', fmt_rps)}) | {ms(med(flask, 'p50'))} | {ms(med(flask, 'p99'))} | {cpu(med(flask, 'cpu_per_request'))} | 1 |

Fixed rate, mlops-serve: scheduled at {rate:,} requests/s (evenly spaced, {rate_connections} connections, `-d{rate_seconds}s`), it served
**{paced_rps:,.0f} requests/s** with p50 {ms(med(paced, 'p50'))} and **p99 {ms(paced_p99)}** (medians over {len(paced)} round(s);
p99 {span(paced, 'p99', ms)}, server CPU {cpu(med(paced, 'cpu_per_request'))} per request).""")
    if flask_paced:
        fp = flask_paced[0]
        w(f"""Flask with the same pacing (one run): {fp['rps']:,.0f} requests/s, p50 {ms(fp['p50'])}, p99 {ms(fp['p99'])}{'' if fp['rps'] >= 0.9 * rate else f'; it cannot sustain {rate:,} requests/s'}.""")
    w("")
    rate_note = "" if rate_reached else f", **below the {rate:,} requested**"
    p99_detail = ("every round" if rounds_missed == 0 else f"missed in {rounds_missed} of {len(paced)} rounds")
    w(f"""| Aim | Measured | Result |
|---|---|---|
| Throughput at least 10x Flask's | {ratio:.1f}x | {'met' if throughput_ok else '**missed**'} |
| p99 under 5 ms at 1,000 requests/s | {ms(paced_p99)} at {paced_rps:,.0f} requests/s{rate_note} | {('met' if p99_ok else '**missed**') + f' ({p99_detail}; worst round {ms(worst_p99)})' if len(paced) > 1 else ('met' if p99_ok else '**missed**')} |
""")
    if not p99_ok:
        met = [r for r in paced if r["p99"] < 5]
        met_runs = "; ".join(f"{ms(r['p99'])} at {r['rps']:,.0f} requests/s" for r in met)
        met_text = f" {len(met)} of the {len(paced)} rounds met the aim ({met_runs})." if met else ""
        w(f"""*Where the time goes.* At the paced rate the median request took {ms(paced_p50)} and 90% took at most
{ms(med(paced, 'p90'))}: a prediction costs a fraction of a millisecond when the server has a core, while the
slowest 1% took {ms(paced_p99)} or more.{met_text} During the paced runs the
server's threads spent {med(paced, 'cpu_wait'):.2f} s per second (median; {span(paced, 'cpu_wait', lambda v: f'{v:.2f}')}) runnable but waiting for a
CPU, with the 1-minute load average at {min(r['load1'] for r in paced):.1f} to {max(r['load1'] for r in paced):.1f} on {nproc} cores. """ + (
            "On a machine this busy such stalls are expected whatever the server does, so this run cannot say "
            "whether mlops-serve meets the aim: rerun on an idle machine." if noisy else
            "The machine was not overloaded, so the stalls are the server's own (or wrk's) doing: profile them "
            "(garbage collections, thread-pool growth) before changing code.") + "\n")
    if timeouts or errors:
        w(f"""wrk counted {timeouts:,} timeout(s) (no answer within 2 s) and {errors:,} other socket error(s) over all runs; a
request that timed out has no latency, so the percentiles of those runs leave it out (per run in the table
below).
""")

    ours_auc, ours_acc = float(env["OURS_AUC"]), float(env["OURS_ACCURACY"])
    w(f"""### Models

| | mlops-serve | Flask |
|---|---|---|
| Model | ML.NET FastTree binary as the SDK trains it by default (100 trees of at most 20 leaves, learning rate 0.2, at least 10 rows per leaf); missing numbers replaced by the mean, text one-hot encoded; `pipelines/churn/bin/mlops/model.zip` from `dotnet build pipelines/churn` | scikit-learn `GradientBoostingClassifier(n_estimators=100, max_leaf_nodes=20, learning_rate=0.2, min_samples_leaf=10, random_state=42)` after a `ColumnTransformer` of `SimpleImputer(strategy="mean")` (numeric columns) and `OneHotEncoder(handle_unknown="ignore")` (text columns), in a `Pipeline`, trained when the server starts |
| Data | `pipelines/churn/data/wa_churn.csv`, {int(env['DATA_ROWS']):,} rows, the {env['NUMERIC_COUNT']} numeric and {env['TEXT_COUNT']} text feature columns of `schema.json` | the same file and columns |
| Training / test rows | {int(env['TRAIN_ROWS']):,} / {int(env['TEST_ROWS']):,} (BuildMlops's seeded split) | the same rows ({env['SPLIT_CHECK']}) |
| Test AUC | **{ours_auc:.4f}** (`metrics.json`) | **{float(env['FLASK_AUC']):.4f}** |
| Test accuracy | {ours_acc:.4f} | {float(env['FLASK_ACCURACY']):.4f} |
| Answer to the benchmark request | `{env['OURS_ANSWER']}` | `{env['FLASK_ANSWER']}` |

The two models are of the same kind and size and score alike on the same test rows, so the servers do
comparable work per prediction.

### Machine

| | |
|---|---|
| CPU | {env['CPU_MODEL']} |
| Cores (`nproc`) | {nproc} |
| Memory | {env['MEMORY']} |
| OS | {env['OS_NAME'] or 'unknown'}, {env['KERNEL']} |
| `dotnet --version` | {env['DOTNET_VERSION']} (runtimes: Microsoft.NETCore.App {env['RUNTIME_VERSION']}, Microsoft.AspNetCore.App {env['ASPNET_VERSION']}) |
| mlops-serve | {env['HOST_SOURCE']}; Release build checked ({env['RELEASE_CHECK']}); server GC {env['GC_SERVER']} |
| Flask side | `/usr/bin/python3` {env['PYTHON_VERSION']}, Flask {env['FLASK_VERSION']}, Werkzeug {env['WERKZEUG_VERSION']}, scikit-learn {env['SKLEARN_VERSION']}, NumPy {env['NUMPY_VERSION']} (Debian packages) |
| Load generator | `/usr/bin/wrk` {env['WRK_VERSION']} |
| Load average (1/5/15 min) | {env['LOAD_BEFORE']} before, {env['LOAD_AFTER']} after; 1 min at the start of each measurement: {min(loads):.2f} to {max(loads):.2f} |
| Time spent measuring | {int(env['MEASURE_SECONDS']) // 60} min {int(env['MEASURE_SECONDS']) % 60} s |

### How it was measured

- mlops-serve runs as in a model image:
  `dotnet <serve>/mlops-serve.dll --model-dir pipelines/churn/bin/mlops --urls http://127.0.0.1:<port>`, after
  `GET /ready` answered 200. Flask runs as `/usr/bin/python3 tests/Benchmarks/serving/flask_server.py --data
  pipelines/churn/data/wa_churn.csv --schema pipelines/churn/bin/mlops/schema.json --port <port>`, which
  trains, then calls `app.run(host="127.0.0.1", port=<port>, threaded=True)` with its request log off. Both
  listen on free ports the kernel picked; both are stopped when the script ends.
- The request: data row {env['BODY_ROW']} of `wa_churn.csv`, every feature with numbers as numbers, no label
  ({env['BODY_BYTES']} bytes), sent as `Content-Type: application/json` by
  [`serving/post.lua`](../tests/Benchmarks/serving/post.lua). Before measuring, the script checked with `curl`
  that both servers answer it with 200 (the answers are in the models table); wrk saw no non-2xx answer.
  The Flask server turns the record into a NumPy row; it builds no pandas DataFrame per request, as many
  guides do (Debian's scikit-learn does not pull in pandas), which would only add to its time.
- Each server got {env['SERVE_WARMUP']} s of the same load first, untimed.
- {rounds} round(s); in each, three wrk runs: mlops-serve and Flask at full speed and mlops-serve paced. The
  first run of round r is the r-th of these, so the order rotates and Flask goes first in some rounds. The
  summary gives medians over rounds; the ratio is that of the medians, and "rounds" the range of the ratio
  of the two servers in the same round.
- Full speed: `wrk -t{threads} -c{connections} -d{seconds}s --latency -s post.lua http://127.0.0.1:<port>/predict -- body.json`:
  {connections} keep-alive connections, each sending its next request when the last is answered.
- Paced: `wrk -t{threads} -c{rate_connections} -d{rate_seconds}s --latency -s paced.lua <url> -- body.json {rate} {threads}`. wrk 4.1 has no rate
  option, so [`serving/paced.lua`](../tests/Benchmarks/serving/paced.lua) uses its `delay()` hook: each of the
  {threads} threads sends on a fixed schedule, one request every {interval:g} ms ({threads} × 1000 / {rate:,}), the threads'
  schedules offset so that their requests interleave, and a connection that has its answer waits for its thread's next free
  slot. So requests arrive evenly spaced at {rate:,} per second as long as a connection is free at every
  slot; a server slower than that gets fewer (the schedule does not catch up in bursts: no
  coordinated-omission correction, as wrk2 would make). wrk times a request from its sending, so the wait
  for a slot is not in the latency. The first {rate_connections} requests go out together at the start.
- Latency percentiles are wrk's `--latency` distribution; "Server CPU per request" is the server process's
  user+system CPU time (`/proc/<pid>/stat`, all threads) over the run, divided by the requests wrk completed;
  it includes what the process spends besides requests (timers, threads waiting for work), so it is higher
  when the server is mostly idle, as in the paced runs. "Server waiting for a CPU" is the time the server's
  threads spent runnable but not running (the second field of `/proc/<pid>/task/<tid>/schedstat`, summed
  over its threads), per second of the run: how much the machine's other work, and wrk, held it back.
- The wrk client runs on the same {nproc} cores as the server it loads; at full speed it takes a good part of
  them, so the numbers are a floor for a server with the machine to itself.

| Round | Order | Run | Load (1 min) | Requests/s | p50 | p90 | p99 | Requests | Timeouts | Server CPU per request | Server waiting for a CPU |
|---|---|---|---|---|---|---|---|---|---|---|---|""")
    for r in sorted(runs, key=lambda r: (r["round"] if r["round"] >= 0 else rounds, r["position"])):
        round_label = "after the rounds" if r["round"] < 0 else str(r["round"] + 1)
        w(f"| {round_label} | {r['position'] + 1} | {r['id']} | {r['load1']:.2f} | {r['rps']:,.0f} | {ms(r['p50'])} | {ms(r['p90'])} | {ms(r['p99'])} | {r['requests']:,.0f} | {r['timeouts']:,} | {cpu(r['cpu_per_request'])} | {r['cpu_wait']:.2f} s/s |")
    w("")
    w(END)
    text_section = "\n".join(out) + "\n"

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
    tmp_path = doc_path + ".serving-benchmarks.tmp"
    with open(tmp_path, "w", encoding="utf-8", newline="") as f:
        f.write(new)
    if os.path.exists(doc_path):
        os.chmod(tmp_path, os.stat(doc_path).st_mode & 0o7777)
    os.replace(tmp_path, doc_path)

    print(f"mlops-serve {med(ours, 'rps'):,.0f} requests/s (p50 {ms(med(ours, 'p50'))}, p99 {ms(med(ours, 'p99'))}); "
          f"Flask {med(flask, 'rps'):,.0f} requests/s (p50 {ms(med(flask, 'p50'))}, p99 {ms(med(flask, 'p99'))}); "
          f"ratio {ratio:.1f}x (aim >= 10x: {'met' if throughput_ok else 'MISSED'})")
    print(f"paced at {rate:,}/s: mlops-serve {paced_rps:,.0f} requests/s, p50 {ms(med(paced, 'p50'))}, p99 {ms(paced_p99)} "
          f"(aim < 5 ms: {'met' if p99_ok else 'MISSED'})"
          + (f"; Flask paced: {flask_paced[0]['rps']:,.0f} requests/s, p99 {ms(flask_paced[0]['p99'])}" if flask_paced else ""))
    print(f"models: test AUC mlops {ours_auc:.4f}, Flask {float(env['FLASK_AUC']):.4f}")
    if noisy:
        print(f"warning: load average up to {max(loads):.2f} on {nproc} cores during the run; the numbers are noisy")


def main(argv):
    if len(argv) < 2:
        raise SystemExit(__doc__)
    command, args = argv[1], argv[2:]
    if command == "free-port" and not args:
        free_port()
    elif command == "body" and len(args) == 3:
        body(args[0], args[1], int(args[2]))
    elif command == "release" and args:
        return release(args)
    elif command == "same-split" and len(args) == 1:
        return same_split(args[0])
    elif command == "wrk" and len(args) == 1:
        wrk(args[0])
    elif command == "section" and not args:
        section()
    else:
        raise SystemExit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
