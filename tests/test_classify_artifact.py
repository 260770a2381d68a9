"""The committed classifier artifact is reproducible from our own training statements, and it
is plain JSON (never a pickle)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "axes" / "classify" / "data" / "model.json"
TRAIN = ROOT / "axes" / "classify" / "data" / "train.jsonl"


def test_retraining_reproduces_the_committed_model_byte_for_byte(tmp_path):
    out = tmp_path / "model.json"
    subprocess.run(
        [sys.executable, "-m", "axes.classify.train", "--out", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert out.read_bytes() == MODEL.read_bytes(), "run `make classifier` and commit the result"


def test_artifact_is_json_trained_on_our_statements_only():
    model = json.loads(MODEL.read_text())
    assert isinstance(model, dict)
    statements = [json.loads(line) for line in TRAIN.read_text().splitlines() if line.strip()]
    assert len(statements) >= 400
    # Our own statements carry no gold-set card name: nothing from ../shared is in training.
    assert not any("card" in s for s in statements)


def test_no_training_statement_is_copied_from_the_dev_gold_set():
    from tests.conftest import shared_path

    gold = {
        json.loads(line)["text"].strip().lower()
        for line in shared_path("axes/gold-dev.jsonl").read_text().splitlines()
        if line.strip()
    }
    ours = [
        json.loads(line)["text"].strip().lower()
        for line in TRAIN.read_text().splitlines()
        if line.strip()
    ]
    assert not [text for text in ours if text in gold]
