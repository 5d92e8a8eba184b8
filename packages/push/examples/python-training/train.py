#!/usr/bin/env python3
"""A training loop that shows up in Prometheus while it runs, with no Python dependency.

Each epoch it rewrites a metrics file (the JSON format `tessera-push` reads) under a temporary name
and renames it over the old one, so a reader never sees half a file. Run it under the wrapper, which
pushes the file every --interval together with the run's own metrics (start time, duration, exit
code, peak memory, CPU time) and pushes once more when the script exits:

    tessera-push exec --job bert_finetune --label model=bert-base \\
        --metrics-file /tmp/metrics.json --interval 30s -- python3 train.py

The wrapper tells the script where to write in TESSERA_METRICS_FILE. EPOCHS, EPOCH_SECONDS and
FAIL_AT_EPOCH make the simulation longer, shorter or fail.
"""
import json
import os
import sys
import time

BATCH_SIZE = 32
BATCHES_PER_EPOCH = 250


def write_metrics(path, metrics):
    """Writes the file atomically: a temporary file in the same directory, then a rename."""
    temporary = f"{path}.tmp"
    with open(temporary, "w", encoding="utf-8") as file:
        json.dump({"metrics": metrics}, file)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)


def main():
    path = os.environ.get("TESSERA_METRICS_FILE", "metrics.json")
    epochs = int(os.environ.get("EPOCHS", "5"))
    epoch_seconds = float(os.environ.get("EPOCH_SECONDS", "2"))
    fail_at_epoch = int(os.environ.get("FAIL_AT_EPOCH", "0"))
    samples = 0
    loss = 2.5
    for epoch in range(1, epochs + 1):
        started = time.monotonic()
        for _ in range(BATCHES_PER_EPOCH):  # the "training"
            time.sleep(epoch_seconds / BATCHES_PER_EPOCH)
            loss *= 0.999
            samples += BATCH_SIZE
        if epoch == fail_at_epoch:
            print(f"loss diverged at epoch {epoch}", file=sys.stderr)
            return 1
        seconds = time.monotonic() - started
        write_metrics(path, [
            {"name": "bert_finetune_epoch", "type": "gauge", "help": "Epochs completed by this run.", "value": epoch},
            {"name": "bert_finetune_loss", "type": "gauge", "help": "Mean loss over the last epoch.",
             "samples": [{"labels": {"split": "train"}, "value": loss}, {"labels": {"split": "validation"}, "value": loss * 1.08}]},
            {"name": "bert_finetune_accuracy_ratio", "type": "gauge", "help": "Validation accuracy after the last epoch.", "value": 1 - loss / 3},
            {"name": "bert_finetune_samples_total", "type": "counter", "help": "Training samples processed by this run.", "value": samples},
            {"name": "bert_finetune_samples_per_second", "type": "gauge", "help": "Training samples per second over the last epoch.",
             "value": BATCH_SIZE * BATCHES_PER_EPOCH / seconds},
        ])
        print(f"epoch {epoch}: loss {loss:.4f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
