"""Measure one model folder: parameters, memory, prefill latency and decode tokens/s.

    python -m profiler.bench PATH --device cpu|cuda --dtype bfloat16|float16|float32 \\
        --batch 1 --prompt-len 128 --new-tokens 64 --json \\
        [--mode auto|synthetic|checkpoint|sliced] [--iters N] [--warmup N] [--compile] \\
        [--cache auto|static|dynamic]

PATH is a folder with config.json. Mode ``auto`` loads the checkpoint when *.safetensors files
are present (safetensors only; pickle-only folders are refused) and otherwise builds random
weights of the same shapes (``synthetic``). ``sliced`` builds a few layers and extrapolates
(labelled ``"extrapolated": true``). A progress bar goes to stderr; with --json the result is
one JSON object on stdout. A failure prints ``{"error": {"code", "message"}}`` and exits 2.
The readable summary is in the terminal's language (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), as
``manage.py profile --wait`` prints it (``axes.l10n``).

Decode tokens/s is batch x (new_tokens - 1) / the time of the new_tokens - 1 decode steps: the
first new token comes out of the prefill, which is timed apart (prefill_ms). Each timed run is
bracketed by torch.cuda.synchronize() on CUDA; the median of --iters runs after --warmup
untimed ones is reported (--compile needs a warm-up: compilation happens there).

Pure: torch and transformers, never Django, so it runs on any machine with the profiler extra.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from typing import Any

from axes.l10n import Words, environment_language
from profiler.core.errors import ProfilerError
from profiler.core.measure import CACHES, DEVICES, MODES, BenchOptions, bench_run

__all__ = ["BenchOptions", "bench_run", "main"]


def parser_build() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m profiler.bench", description=__doc__.split("\n\n")[0]
    )
    p.add_argument("path", help="a folder with config.json (and optionally *.safetensors)")
    p.add_argument("--device", choices=DEVICES, default="cpu", help="where to run (default: cpu)")
    p.add_argument(
        "--dtype",
        choices=("bfloat16", "float16", "float32"),
        default="bfloat16",
        help="weights and activations dtype (default: bfloat16)",
    )
    p.add_argument("--batch", type=int, default=1, help="sequences per step (default: 1)")
    p.add_argument(
        "--prompt-len", type=int, default=128, help="prompt tokens, timed as prefill (default: 128)"
    )
    p.add_argument(
        "--new-tokens",
        type=int,
        default=64,
        help="tokens generated one at a time, timed as decode (default: 64)",
    )
    p.add_argument(
        "--mode",
        choices=MODES,
        default="auto",
        help="checkpoint: the folder's safetensors weights; synthetic: random weights of the "
        "real shapes; sliced: build a few layers and extrapolate; auto (default): checkpoint "
        "when *.safetensors are there, else synthetic",
    )
    p.add_argument(
        "--iters",
        type=int,
        default=3,
        help="timed repetitions; the median is reported (default: 3)",
    )
    p.add_argument("--warmup", type=int, default=1, help="untimed repetitions first (default: 1)")
    p.add_argument(
        "--slice-layers",
        type=int,
        default=2,
        help="with --mode sliced: build this many layers and twice as many (default: 2)",
    )
    p.add_argument(
        "--compile",
        action="store_true",
        help="torch.compile the decode step (CUDA only; needs --warmup 1 or more)",
    )
    p.add_argument(
        "--cache",
        choices=CACHES,
        default="auto",
        help="KV cache of the timed loop: static (preallocated, what --compile needs) or dynamic; "
        "auto (default): static on cuda, dynamic on cpu",
    )
    p.add_argument("--json", action="store_true", help="print the result as one JSON line")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    return p


def progress_bar(stream: Any = sys.stderr, width: int = 30) -> Callable[[str, float], None]:
    def show(stage: str, pct: float) -> None:
        filled = int(width * min(max(pct, 0.0), 100.0) / 100)
        end = "\n" if pct >= 100 else ""
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {pct:5.1f}% {stage:<10}{end}")
        stream.flush()

    return show


def _signed_percent(fraction: float, decimals: int, words: Words) -> str:
    """+3.2% (de +3,2%): a residual as the run page writes it."""
    return f"{fraction:+.{decimals}%}".replace(".", words.point)


def _weights_lines(result: dict[str, Any], words: Words) -> list[str]:
    """On CUDA the memory the load allocated, checked against the estimate; on CPU nothing
    measures it, and the weights are counted from the loaded tensors, with no tolerance."""
    _ = words.gettext
    num = words.number
    res = result.get("residuals") or {}
    estimate = result.get("weights_bytes_estimate")
    counted = result.get("weights_bytes_counted")
    allocated = result.get("weights_bytes_allocated")
    lines = []
    if allocated is not None:
        line = f"weights_bytes_allocated={num(allocated)} " + _(
            "(torch.cuda.memory_allocated after load"
        )
        if res.get("memory_fraction") is not None and estimate:
            line += _("; estimate %(estimate)s, %(residual)s, tolerance ±%(tolerance)s") % {
                "estimate": num(estimate),
                "residual": _signed_percent(res["memory_fraction"], 1, words),
                "tolerance": f"{res['memory_tolerance']:.1%}".replace(".", words.point),
            }
        lines.append(line + ")")
    if counted is not None:
        lines.append(
            f"weights_bytes_counted={num(counted)} "
            + _("(numel × element size of the loaded tensors: a count, not a memory measurement")
            + (_("; estimate %(estimate)s") % {"estimate": num(estimate)} if estimate else "")
            + ")"
        )
    return lines


def _peak_lines(result: dict[str, Any], words: Words) -> list[str]:
    """The peak memory the run measured, as the run page shows it: on CUDA the most torch
    allocated over prefill and decode, against weights + KV; on CPU the process's peak
    resident memory (weights, activations, Python and its libraries), which nothing estimates."""
    _ = words.gettext
    peak = result.get("peak_allocated_bytes")
    if peak is not None:
        res = result.get("residuals") or {}
        line = f"peak_allocated_bytes={words.number(peak)} " + _("(torch.cuda.max_memory_allocated")
        if res.get("peak_fraction") is not None and res.get("peak_estimate_bytes"):
            line += _("; estimate weights + KV %(estimate)s, %(residual)s") % {
                "estimate": words.number(res["peak_estimate_bytes"]),
                "residual": _signed_percent(res["peak_fraction"], 1, words),
            }
        return [line + ")"]
    rss = result.get("peak_rss_bytes")
    if rss is None:
        return []
    line = f"peak_rss_bytes={words.number(rss)} " + _(
        "(the process's peak resident memory, not estimated"
    )
    if result.get("extrapolated"):
        line += _("; of the few layers built, not of the whole model")
    return [line + ")"]


def result_summary(result: dict[str, Any], words: Words | None = None) -> str:
    """The human summary of one result (``--json`` prints the whole of it), in English or in
    ``words``' language (``manage.py profile --wait`` and this module's main pass the
    terminal's): the figures' names as the JSON keys, their explanations and notes
    translated, numbers grouped as the pages group them."""
    words = words or Words()
    _ = words.gettext
    num = words.number
    d = result["decode_tokens_per_s"]
    estimate = result.get("params_estimate")
    lines = [
        f"mode={result['mode']} device={result['device']} dtype={result['dtype']}",
        f"params_loaded={num(result['params_loaded'])} "
        + (
            _("(estimate %(estimate)s)") % {"estimate": num(estimate)}
            if isinstance(estimate, int)
            else _("(estimate none: see the notes)")
        ),
        *(
            [
                f"params_active_counted={num(result['params_active_counted'])} "
                + _("(estimate %(estimate)s)") % {"estimate": num(result["active_params_estimate"])}
            ]
            if isinstance(result.get("params_active_counted"), int)
            and isinstance(result.get("active_params_estimate"), int)
            else []
        ),
        *_weights_lines(result, words),
        *_peak_lines(result, words),
        f"prefill_ms={num(result['prefill_ms'], 2)}",
        f"decode_tokens_per_s median={num(d['median'], 2)} min={num(d['min'], 2)} "
        f"max={num(d['max'], 2)}",
    ]
    if result.get("roofline_fraction") is not None:
        lines.append(
            "roofline_fraction=" + f"{result['roofline_fraction']:.2%}".replace(".", words.point)
        )
    lines += [_("note: %(note)s") % {"note": words.note(n)} for n in result["notes"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parser_build().parse_args(argv)
    opts = BenchOptions(
        device=args.device,
        dtype=args.dtype,
        batch=args.batch,
        prompt_len=args.prompt_len,
        new_tokens=args.new_tokens,
        mode=args.mode,
        iters=args.iters,
        warmup=args.warmup,
        slice_layers=args.slice_layers,
        compile=args.compile,
        cache=args.cache,
    )
    progress = None if args.no_progress else progress_bar()
    try:
        result = bench_run(args.path, opts, progress)
    except ProfilerError as exc:
        if args.json:
            print(json.dumps({"error": exc.as_dict()}))
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    words = Words(environment_language(os.environ))  # the terminal's language, as manage.py's
    print(json.dumps(result) if args.json else result_summary(result, words))
    return 0


if __name__ == "__main__":
    sys.exit(main())
