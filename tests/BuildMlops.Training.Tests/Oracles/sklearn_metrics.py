"""Recomputes BuildMlops metrics with scikit-learn from predictions.csv, as the tests' oracle.

Usage: sklearn_metrics.py TASK PREDICTIONS_CSV POSITIVE_CLASS
Prints one JSON object with the metrics that metrics.json should hold.
"""
import csv
import json
import sys

import numpy as np
from sklearn import metrics


def main() -> None:
    task, path, positive = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if task == "binary":
        y_true = np.array([row["label"] == positive for row in rows], dtype=int)
        y_pred = np.array([row["predicted"] == positive for row in rows], dtype=int)
        proba = np.array([float(row["probability"]) for row in rows])
        result = {
            "auc": metrics.roc_auc_score(y_true, proba),
            "accuracy": metrics.accuracy_score(y_true, y_pred),
            "f1": metrics.f1_score(y_true, y_pred),
            "precision": metrics.precision_score(y_true, y_pred, zero_division=0),
            "recall": metrics.recall_score(y_true, y_pred),
            "log_loss": metrics.log_loss(y_true, proba, labels=[0, 1]),
        }
    elif task == "regression":
        y_true = np.array([float(row["label"]) for row in rows])
        y_pred = np.array([float(row["score"]) for row in rows])
        result = {
            "rmse": float(np.sqrt(metrics.mean_squared_error(y_true, y_pred))),
            "mae": metrics.mean_absolute_error(y_true, y_pred),
            "r2": metrics.r2_score(y_true, y_pred),
        }
    else:
        # scikit-learn expects probability columns in sorted label order.
        classes = sorted(name[2:] for name in rows[0].keys() if name.startswith("p:"))
        y_true = [row["label"] for row in rows]
        y_pred = [row["predicted"] for row in rows]
        proba = np.array([[float(row["p:" + name]) for name in classes] for row in rows])
        result = {
            "macro_accuracy": metrics.balanced_accuracy_score(y_true, y_pred),
            "micro_accuracy": metrics.accuracy_score(y_true, y_pred),
            "log_loss": metrics.log_loss(y_true, proba, labels=classes),
        }
    print(json.dumps({key: float(value) for key, value in result.items()}))


if __name__ == "__main__":
    main()
