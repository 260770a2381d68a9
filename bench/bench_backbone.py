"""Analytic engine vs transformers on the meta device, on every config in ../shared/hub.

    .venv/bin/python bench/bench_backbone.py [--repeat 200] [--meta-repeat 3]

Prints, per config, the median time of ``axes.backbone.analyze_config`` and of building the
model with ``AutoModelForCausalLM.from_config`` under ``torch.device("meta")`` (plus counting
its parameters), their ratio (target >= 1000x) and whether the totals agree; then the wall time
of ``manage.py analyze PATH --json`` as a separate process. Method after nanoGPT ``bench.py``:
a burn-in call, then the median of repeated timings.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = Path(os.environ.get("MECHANIC_SHARED_DIR", REPO.parent / "shared"))


def _median_s(fn, repeat: int) -> float:
    fn()  # burn-in: imports, caches
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="analytic timings per config")
    parser.add_argument("--meta-repeat", type=int, default=3, help="meta builds per config")
    args = parser.parse_args()

    import torch
    from transformers import AutoConfig, AutoModelForCausalLM
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING
    from transformers.utils import logging as hf_logging

    from axes.backbone import analyze_config

    hf_logging.set_verbosity_error()
    hub = SHARED / "hub"
    dirs = sorted(p for p in hub.iterdir() if (p / "config.json").is_file())
    print(f"{'config':44s} {'analytic':>11s} {'meta build':>11s} {'ratio':>9s}  totals")
    ratios = []
    for d in dirs:
        config = json.loads((d / "config.json").read_text(encoding="utf-8"))
        analytic_s = _median_s(lambda c=config: analyze_config(c), args.repeat)
        total = analyze_config(config)["params"]["total"]
        mt = config.get("model_type")
        if mt not in CONFIG_MAPPING:
            print(
                f"{d.name[:44]:44s} {analytic_s * 1e3:9.3f}ms {'-':>11s} {'-':>9s}  "
                f"transformers has no {mt!r} (estimated fallback)"
            )
            continue
        kwargs = {k: v for k, v in config.items() if k not in ("model_type", "auto_map")}
        counted: dict[str, int] = {}

        def build(kwargs=kwargs, mt=mt, counted=counted) -> None:
            cfg = AutoConfig.for_model(mt, **kwargs)
            with torch.device("meta"):
                model = AutoModelForCausalLM.from_config(cfg, trust_remote_code=False)
            counted["total"] = sum(p.numel() for p in model.parameters())

        meta_s = _median_s(build, args.meta_repeat)
        ratio = meta_s / analytic_s
        ratios.append(ratio)
        match = "match" if counted["total"] == total else f"DIFF {counted['total'] - total:+,}"
        print(
            f"{d.name[:44]:44s} {analytic_s * 1e3:9.3f}ms {meta_s * 1e3:9.1f}ms "
            f"{ratio:8.0f}x  {match}"
        )
    if ratios:
        print(
            f"median ratio {statistics.median(ratios):,.0f}x, min {min(ratios):,.0f}x "
            f"(target >= 1000x)"
        )
    target = (
        next(d for d in dirs if d.name == "meta-llama--Llama-3.1-8B")
        if any(d.name == "meta-llama--Llama-3.1-8B" for d in dirs)
        else dirs[0]
    )
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "1")}
    walls = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "manage.py", "analyze", str(target), "--json"],
            cwd=REPO,
            env=env,
            check=True,
            capture_output=True,
        )
        walls.append(time.perf_counter() - start)
    print(
        f"manage.py analyze {target.name} --json: median wall {statistics.median(walls):.3f}s "
        "(process start, Django setup, analysis, JSON)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
