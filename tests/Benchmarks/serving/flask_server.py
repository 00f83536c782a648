#!/usr/bin/python3
"""The peer of the serving benchmark: a model served the way the lean-MLOps guides recommend, Flask
and scikit-learn, trained at start-up on the same data as pipelines/churn.

    /usr/bin/python3 flask_server.py --data pipelines/churn/data/wa_churn.csv \
        [--schema pipelines/churn/bin/mlops/schema.json] [--port 8081]

Run it with Debian's python3 (python3-flask, python3-sklearn); pandas is not needed. The model is the
scikit-learn equivalent of the churn project's FastTree binary model with its default settings:

- the same rows for training and test as BuildMlops (its seeded 80/20 split, reproduced below, as
  tests/Benchmarks/PlainMlNetChurn does);
- the same features: the schema's numeric and text columns when --schema is given (the project's
  bin/mlops/schema.json), else numeric = every non-missing cell parses as a number;
- missing numbers (NA, empty, ...) replaced by the training mean, text one-hot encoded (unknown
  categories ignored), as BuildMlops does;
- gradient-boosted trees with FastTree's defaults: 100 trees of at most 20 leaves, learning rate
  0.2, at least 10 rows per leaf.

It prints `rows <n>, train <n>, test <n>, auc <auc>, accuracy <acc>` (test split), then serves

    POST /predict   one JSON record, or a list of records (every feature; the label and unknown
                    fields are ignored) -> {"predictions": [{"label": ..., "probability": ...}]}
    GET  /ready     200 {"status": "ready"} (the model is trained before the server starts)

with Flask's own server, threaded, as the guides do: app.run(host="127.0.0.1", port=..., threaded=True).
Flask's per-request access log is switched off, as mlops-serve logs nothing per request.
"""
import argparse
import csv
import json
import logging
import math
import sys

import numpy as np
from flask import Flask, jsonify, request
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

SEED = 42
TEST_FRACTION = 0.2
# BuildMlops's default MlopsMissingValues (src/BuildMlops.Sdk/Sdk/Sdk.props), plus the empty cell.
MISSING = {"", "NA", "N/A", "NaN", "null", "NULL"}
MASK64 = (1 << 64) - 1


def split(row_count, test_fraction, seed):
    """BuildMlops's seeded split (src/BuildMlops.Training/Data/DataSplit.cs): a Fisher-Yates shuffle
    driven by SplitMix64; the first round(n * fraction) shuffled rows (half away from zero) are the test rows."""
    order = list(range(row_count))
    state = seed & MASK64
    for i in range(row_count - 1, 0, -1):
        state = (state + 0x9E3779B97F4A7C15) & MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        z ^= z >> 31
        j = z % (i + 1)
        order[i], order[j] = order[j], order[i]
    test_count = int(math.floor(row_count * test_fraction + 0.5))
    return sorted(order[test_count:]), sorted(order[:test_count])


def number(cell):
    cell = cell.strip()
    return math.nan if cell in MISSING else float(cell)


def load(data_path, schema_path, label):
    with open(data_path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [row for row in reader if row]
    if label not in header:
        raise SystemExit(f"{data_path}: no column {label!r}")
    if schema_path:
        with open(schema_path, encoding="utf-8") as f:
            schema = json.load(f)
        features = [c for c in schema["columns"] if c.get("role") == "feature"]
        numeric = [c["name"] for c in features if c["type"] == "numeric"]
        text = [c["name"] for c in features if c["type"] == "text"]
        unknown = [name for name in numeric + text if name not in header]
        if unknown:
            raise SystemExit(f"{schema_path}: columns not in {data_path}: {', '.join(unknown)}")
    else:
        numeric, text = [], []
        for index, name in enumerate(header):
            if name == label:
                continue
            cells = [row[index].strip() for row in rows]
            try:
                [float(cell) for cell in cells if cell not in MISSING]
                numeric.append(name)
            except ValueError:
                text.append(name)
    return header, rows, numeric, text


def matrix(records, numeric, text):
    """Records (dicts) as the 2-D object array the pipeline takes: numeric columns first, then text."""
    out = np.empty((len(records), len(numeric) + len(text)), dtype=object)
    for i, record in enumerate(records):
        for j, name in enumerate(numeric):
            value = record[name]
            out[i, j] = math.nan if value is None else float(value)
        for j, name in enumerate(text, start=len(numeric)):
            value = record[name]
            out[i, j] = "" if value is None else str(value).strip()
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="the training CSV (quoted, with a header)")
    parser.add_argument("--schema", help="BuildMlops's schema.json, for the feature columns and their types")
    parser.add_argument("--label", default="churn")
    parser.add_argument("--positive-class", default="Yes")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    args = parser.parse_args()

    header, rows, numeric, text = load(args.data, args.schema, args.label)
    position = {name: i for i, name in enumerate(header)}
    records = []
    for row in rows:
        record = {name: number(row[position[name]]) for name in numeric}
        record.update({name: row[position[name]] for name in text})
        records.append(record)
    y = np.array([row[position[args.label]].strip() == args.positive_class for row in rows], dtype=int)
    negative = sorted({row[position[args.label]].strip() for row in rows} - {args.positive_class})
    negative_class = negative[0] if len(negative) == 1 else "not " + args.positive_class

    train_rows, test_rows = split(len(rows), TEST_FRACTION, SEED)
    x_all = matrix(records, numeric, text)
    model = Pipeline([
        ("features", ColumnTransformer([
            ("numeric", SimpleImputer(strategy="mean"), list(range(len(numeric)))),
            ("text", OneHotEncoder(handle_unknown="ignore"), list(range(len(numeric), len(numeric) + len(text)))),
        ])),
        ("trees", GradientBoostingClassifier(n_estimators=100, max_leaf_nodes=20, learning_rate=0.2,
                                             min_samples_leaf=10, random_state=SEED)),
    ])
    model.fit(x_all[train_rows], y[train_rows])
    probability = model.predict_proba(x_all[test_rows])[:, 1]
    auc = roc_auc_score(y[test_rows], probability)
    accuracy = accuracy_score(y[test_rows], probability >= 0.5)
    print(f"rows {len(rows)}, train {len(train_rows)}, test {len(test_rows)}, auc {auc:.6f}, accuracy {accuracy:.6f}", flush=True)
    print(f"numeric: {' '.join(numeric)}; text: {' '.join(text)}", flush=True)

    app = Flask(__name__)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    @app.get("/ready")
    def ready():
        return jsonify(status="ready")

    @app.post("/predict")
    def predict():
        payload = request.get_json()
        batch = payload if isinstance(payload, list) else [payload]
        try:
            x = matrix(batch, numeric, text)
        except (KeyError, TypeError, ValueError) as error:
            return jsonify(error=f"bad record: {error!r}"), 400
        p = model.predict_proba(x)[:, 1]
        return jsonify(predictions=[
            {"label": args.positive_class if value >= 0.5 else negative_class, "probability": float(value)} for value in p])

    app.run(host=args.host, port=args.port, threaded=True)


if __name__ == "__main__":
    sys.exit(main())
