"""Analytic engine vs transformers on the meta device, on every config in ../shared/hub.

    .venv/bin/python bench/bench_backbone.py [--repeat 2000] [--meta-repeat 7] [--rounds 5]
                                             [--cli-repeat 5] [--only SUBSTRING]

Per config: the median time of one ``axes.backbone.analyze_config(config)`` call (the full
report, from the config dict, every call: nothing is cached between calls) and of building the
model with ``AutoModelForCausalLM.from_config`` under ``torch.device("meta")`` plus counting
its parameters; their ratio (target >= 1000x) and whether the two totals agree. A second
column times what the meta build itself answers, the parameter total alone
(``count_params(normalize(config)).total``), with its own ratio: the like-for-like comparison,
printed beside the full report's, never instead of it. Then both medians over the configs and
their ratio (the figure the issue asks for), the min and median per-config ratios, and the
wall time of ``manage.py analyze PATH --json`` as a separate process (median of
``--cli-repeat`` runs).

Method (after nanoGPT ``bench.py`` and ``timeit``): both sides are warmed up first (imports,
the transformers modeling module, allocator), then timed in ``--rounds`` interleaved rounds
(engine calls, then meta builds) so that load from other processes falls on both sides alike;
each call is timed on its own with ``time.perf_counter_ns`` and the median over all rounds is
reported. The meta build gets fewer repetitions (it is ~1000x slower). The garbage collector
stays on (as in production) and is emptied before each timed block.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = Path(os.environ.get("MECHANIC_SHARED_DIR", REPO.parent / "shared"))
CLI_TARGET = "meta-llama--Llama-3.1-8B"


def _time_calls_ns(fn: Callable[[], object], repeat: int) -> list[int]:
    """``repeat`` individual timings of ``fn()`` in nanoseconds."""
    clock = time.perf_counter_ns
    out = []
    gc.collect()
    for _ in range(repeat):
        start = clock()
        fn()
        out.append(clock() - start)
    return out


def _fmt_ns(ns: float) -> str:
    if ns >= 1e6:
        return f"{ns / 1e6:8.1f} ms"
    return f"{ns / 1e3:8.1f} us"


def _cli_wall_s(target: Path, repeat: int) -> list[float]:
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "1")}
    # an installed app has its .pyc files; with PYTHONDONTWRITEBYTECODE (set in some shells
    # and containers) every run would compile the sources again, which is not what users see
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cmd = [sys.executable, "manage.py", "analyze", str(target), "--json"]
    subprocess.run(cmd, cwd=REPO, env=env, check=True, capture_output=True)  # warm-up (.pyc)
    walls = []
    for _ in range(repeat):
        start = time.perf_counter_ns()
        subprocess.run(cmd, cwd=REPO, env=env, check=True, capture_output=True)
        walls.append((time.perf_counter_ns() - start) / 1e9)
    return walls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2000, help="engine calls per config")
    parser.add_argument("--meta-repeat", type=int, default=7, help="meta builds per config")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved timing rounds")
    parser.add_argument("--cli-repeat", type=int, default=5, help="manage.py analyze runs")
    parser.add_argument("--only", default="", help="only configs whose name contains this")
    args = parser.parse_args()
    rounds = max(1, args.rounds)

    import torch
    from transformers import AutoConfig, AutoModelForCausalLM
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING
    from transformers.utils import logging as hf_logging

    from axes.backbone import analyze_config, normalize
    from axes.backbone.params import count_params

    hf_logging.set_verbosity_error()
    hub = SHARED / "hub"
    dirs = sorted(p for p in hub.iterdir() if (p / "config.json").is_file() and args.only in p.name)
    print(
        f"engine: {args.repeat} calls/config, meta build: {args.meta_repeat} builds/config, "
        f"{rounds} interleaved rounds; medians of single-call perf_counter_ns timings"
    )
    print(
        f"{'config':44s} {'engine':>11s} {'count only':>11s} {'meta build':>11s} "
        f"{'ratio':>9s} {'count':>9s}  totals"
    )
    ratios: dict[str, float] = {}
    count_ratios: dict[str, float] = {}
    medians: dict[str, tuple[float, float, float]] = {}  # config: engine, count only, meta build
    for d in dirs:
        config = json.loads((d / "config.json").read_text(encoding="utf-8"))

        def engine(config: dict = config) -> object:
            return analyze_config(config)

        def count_only(config: dict = config) -> int:
            return count_params(normalize(config)).total

        for _ in range(50):  # warm-up
            engine()
            count_only()
        total = analyze_config(config)["params"]["total"]
        assert count_only() == total
        mt = config.get("model_type")
        if mt not in CONFIG_MAPPING:
            engine_ns = _time_calls_ns(engine, args.repeat)
            report = analyze_config(config)
            how = "estimated fallback" if report["estimated"] else "exact, checked in its tests"
            print(
                f"{d.name[:44]:44s} {_fmt_ns(statistics.median(engine_ns))} {'-':>11s} "
                f"{'-':>11s} {'-':>9s} {'-':>9s}  transformers has no {mt!r} to build "
                f"(engine: {how})"
            )
            continue
        kwargs = {k: v for k, v in config.items() if k not in ("model_type", "auto_map")}
        counted: dict[str, int] = {}

        def build(kwargs: dict = kwargs, mt: str = mt, counted: dict = counted) -> None:
            cfg = AutoConfig.for_model(mt, **kwargs)
            with torch.device("meta"):
                model = AutoModelForCausalLM.from_config(cfg, trust_remote_code=False)
            counted["total"] = sum(p.numel() for p in model.parameters())

        build()  # warm-up: imports the modeling module, fills transformers' caches
        engine_ns: list[int] = []
        count_ns: list[int] = []
        meta_ns: list[int] = []
        per_round = max(1, args.repeat // rounds)
        meta_rounds = [
            args.meta_repeat // rounds + (i < args.meta_repeat % rounds) for i in range(rounds)
        ]
        for i in range(rounds):
            engine_ns += _time_calls_ns(engine, per_round)
            count_ns += _time_calls_ns(count_only, per_round)
            if meta_rounds[i]:
                meta_ns += _time_calls_ns(build, meta_rounds[i])
        engine_med = statistics.median(engine_ns)
        meta_med = statistics.median(meta_ns)
        count_med = statistics.median(count_ns)
        ratio = meta_med / engine_med
        ratios[d.name] = ratio
        medians[d.name] = (engine_med, count_med, meta_med)
        count_ratios[d.name] = meta_med / count_med
        match = "match" if counted["total"] == total else f"DIFF {counted['total'] - total:+,}"
        print(
            f"{d.name[:44]:44s} {_fmt_ns(engine_med)} {_fmt_ns(count_med)} {_fmt_ns(meta_med)} "
            f"{ratio:8.0f}x {count_ratios[d.name]:8.0f}x  {match}",
            flush=True,
        )
    if medians:
        # the issue's own figure: both medians over the configs, and their ratio
        engine_all, count_all, meta_all = (
            statistics.median(m[i] for m in medians.values()) for i in range(3)
        )
        print(
            f"medians over {len(medians)} configs: engine {_fmt_ns(engine_all).strip()}, "
            f"count only {_fmt_ns(count_all).strip()}, meta build {_fmt_ns(meta_all).strip()}; "
            f"ratio of the medians: full report {meta_all / engine_all:,.0f}x, "
            f"count only {meta_all / count_all:,.0f}x"
        )
    for label, table in (("full report", ratios), ("count only", count_ratios)):
        if not table:
            continue
        worst = min(table, key=table.__getitem__)
        below = sorted(name for name, r in table.items() if r < 1000)
        print(
            f"{label} ratio over {len(table)} configs: min {table[worst]:,.0f}x ({worst}), "
            f"median {statistics.median(table.values()):,.0f}x (target >= 1000x for every "
            f"config; below: {', '.join(below) if below else 'none'})"
        )
    target = hub / CLI_TARGET if (hub / CLI_TARGET).is_dir() else (dirs[0] if dirs else None)
    if target is not None and args.cli_repeat > 0:
        walls = _cli_wall_s(target, args.cli_repeat)
        print(
            f"manage.py analyze {target.name} --json: median wall "
            f"{statistics.median(walls):.3f}s over {len(walls)} runs "
            f"(min {min(walls):.3f}s, max {max(walls):.3f}s; process start, analysis, JSON: "
            "a folder is answered before Django is imported)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
