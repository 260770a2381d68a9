"""bench/bench_floor.py's straight-line report must stay identical to the engine's: it is the
floor the engine's speed is compared with, and it drifted twice when new report keys landed
(the bench then printed "the report has moved on" and timed a different report). No timing here.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from axes.backbone import analyze_config

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO.parent / "shared" / "hub" / "meta-llama--Llama-3.2-1B" / "config.json"


@pytest.mark.skipif(not CONFIG.is_file(), reason=f"no shared hub data at {CONFIG}")
def test_the_floor_builds_the_engines_report() -> None:
    spec = importlib.util.spec_from_file_location("bench_floor", REPO / "bench" / "bench_floor.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    config = json.loads(CONFIG.read_text(encoding="utf-8"))
    engine, floor = analyze_config(config), bench.floor(config)
    for section in engine:
        assert bench._dump(floor.get(section)) == bench._dump(engine[section]), section
    assert bench._dump(floor) == bench._dump(engine)
