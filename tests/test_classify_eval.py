"""The eval CLI on gold-dev: prints the metrics, and guards the cross-validated-by-card figures.

Thresholds are the figures reached when this was written minus a small margin (regression
guard): shipped model 0.908 macro-F1 / 0.846 kind accuracy; 6-fold by-card CV 0.899 / 0.838;
leave-one-card-out CV 0.900 / 0.846 (not run here: over 2 minutes).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from axes.eval import score

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MECHANIC_SHARED_DIR", ROOT.parent / "shared"))
GOLD = SHARED / "axes" / "gold-dev.jsonl"
CARDS = SHARED / "axes" / "cards"
needs_gold = pytest.mark.skipif(not GOLD.is_file(), reason="shared gold-dev not present")


def _eval(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "axes.eval", str(GOLD), "--cards", str(CARDS), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )


@needs_gold
def test_eval_prints_report_for_shipped_model() -> None:
    out = _eval().stdout
    for needle in (
        "precision",
        "recall",
        "backbone",
        "post_training",
        "inference",
        "product",
        "context",
        "axis macro-F1 (5 labels)",
        "kind accuracy",
        "confusion",
    ):
        assert needle in out
    result = json.loads(_eval("--json").stdout)
    assert result["n"] == 408
    assert result["macro_f1"] >= 0.87
    assert result["kind_accuracy"] >= 0.80


@needs_gold
def test_cross_validated_by_card() -> None:
    result = json.loads(_eval("--cv-by-card", "--folds", "6", "--json").stdout)
    assert result["mode"] == "cv-by-card"
    assert result["macro_f1"] >= 0.86
    assert result["kind_accuracy"] >= 0.80
    assert sum(sum(row.values()) for row in result["confusion"].values()) == 408


def test_score_arithmetic() -> None:
    gold = ["backbone", "backbone", "context", "none"]
    pred = ["backbone", "context", "context", "none"]
    result = score(
        gold,
        pred,
        ["backbone.moe", "backbone.layers", "context.license", "none"],
        ["backbone.moe", "context.license", "context.license", "none"],
    )
    assert result["per_axis"]["backbone"] == {
        "precision": 1.0,
        "recall": 0.5,
        "f1": 2 / 3,
        "support": 2,
    }
    assert result["per_axis"]["context"]["precision"] == 0.5
    assert result["kind_accuracy"] == 0.75
    assert result["confusion"]["backbone"]["context"] == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot be read (No such file or directory)"),
        ("", "holds no statements"),
        ("nope\n", ":1: not JSON"),
        ('{"text": "x"}\n', ":1: each line needs 'text' and 'kind' strings"),
        ('{"text": "x", "kind": "backbone.family", "axis": "galaxy"}\n', "unknown axis label"),
    ],
    ids=["missing", "empty", "not-json", "no-kind", "unknown-axis"],
)
def test_bad_gold_files_are_a_one_line_error(tmp_path, capsys, content, message):
    from axes.eval import main

    gold = tmp_path / "gold.jsonl"
    if content is not None:
        gold.write_text(content, encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        main([str(gold)])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_model_path_that_is_no_file_is_said_as_such(tmp_path, capsys):
    from axes.eval import main

    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"text": "It has 32 layers.", "kind": "backbone.layers"}\n')
    with pytest.raises(SystemExit) as exited:
        main([str(gold), "--model", str(tmp_path / "none.json")])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "none.json is not a file: pass a trained model.json" in err
    assert "make classifier" not in err  # the bundled model's remedy, not this one's
