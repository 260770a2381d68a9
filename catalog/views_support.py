"""What the pages show, read from a stored ``Revision.analysis``: headline numbers, the layer
strip, the memory curve, the roofline, and the plotly figures built from them.

Every function here reads the stored report defensively (``.get`` with defaults) because the
report grows over time and older revisions carry older shapes; a missing number shows as "—",
never as a server error.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.core.cache import cache
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from axes.facts import AXES, LABELS
from axes.taxonomy import AXIS_QUESTIONS, AXIS_TITLES
from catalog.i18n import component_label
from catalog.templatetags.mechanic import gpu_memory_h, tokens_h

REPO_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$")

# Context lengths offered in the selector and plotted on the memory curve (tokens).
CONTEXT_CHOICES: tuple[int, ...] = (4096, 8192, 32768, 131072, 1048576)
DEFAULT_CONTEXT = 32768

# Used when the engine's GPU table is not importable: memory in bytes, HBM bandwidth bytes/s.
FALLBACK_GPUS: dict[str, dict[str, float]] = {  # keys as axes.backbone.GPUS names them
    "RTX-4090": {"memory_bytes": 24e9, "bandwidth_bytes_per_s": 1008e9},
    "A100-80GB": {"memory_bytes": 80e9, "bandwidth_bytes_per_s": 2039e9},
    "H100-SXM": {"memory_bytes": 80e9, "bandwidth_bytes_per_s": 3350e9},
    "H200": {"memory_bytes": 141e9, "bandwidth_bytes_per_s": 4800e9},
}

# Block types of the layer strip, in legend order, with their CSS class.
BLOCK_TYPES: tuple[str, ...] = (
    "attention",
    "cross_attention",
    "sliding_attention",
    "mla",
    "linear_attention",
    "mamba",
    "short_conv",
    "moe",
    "dense_mlp",
    "other",
)


def block_titles() -> dict[str, str]:
    return {
        "attention": _("Attention"),
        # Mllama's layers that attend to the image, not to the text (the summary's
        # "8 cross-attention"); their K/V is cached per image, not per token
        "cross_attention": _("Cross-attention (to the image)"),
        "sliding_attention": _("Sliding-window attention"),
        "mla": _("MLA (latent attention)"),
        "linear_attention": _("Linear attention"),
        "mamba": _("Mamba / SSM"),
        "short_conv": _("Short convolution"),
        "moe": _("MoE"),
        "dense_mlp": _("Dense MLP"),
        "other": _("Other"),
    }


def axis_titles() -> dict[str, str]:
    return {label: _(AXIS_TITLES[label]) for label in LABELS}


def axis_questions() -> dict[str, str]:
    return {label: _(AXIS_QUESTIONS[label]) for label in LABELS}


# ---------------------------------------------------------------------------------------------
# Reading the stored report


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dict):  # {"value": n} or {"bf16": n}
        for key in ("value", "total", "bf16"):
            if key in value:
                return _num(value[key])
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def dig(data: Any, *path: str, default: Any = None) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return default
        data = data[key]
    return data


def gpu_table() -> dict[str, dict[str, Any]]:
    """{gpu key: {label, memory_bytes, bandwidth_bytes_per_s}} from ``axes.backbone.GPUS``
    (the keys the stored report uses in ``max_context_by_gpu`` and ``roofline``)."""
    try:
        from axes.backbone import GPUS
    except ImportError:
        GPUS = {}
    table: dict[str, dict[str, Any]] = {}
    for key, gpu in GPUS.items():
        memory = _num(getattr(gpu, "memory_bytes", None))
        if memory:
            table[str(key)] = {
                "label": str(getattr(gpu, "name", key)),
                "memory_bytes": memory,
                "bandwidth_bytes_per_s": _num(getattr(gpu, "bandwidth_bytes_per_s", None)) or 0.0,
            }
    if not table:
        table = {k: {"label": k, **v} for k, v in FALLBACK_GPUS.items()}
    return table


def gpu_default(table: dict[str, dict[str, Any]]) -> str:
    return next((k for k in ("H100-SXM", "H100 80GB") if k in table), next(iter(table)))


def flatten_numbers(data: Any, prefix: str = "") -> list[tuple[str, float]]:
    """Numeric leaves of a nested dict as (dotted name, value), in insertion order."""
    out: list[tuple[str, float]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, dict):
                out.extend(flatten_numbers(value, name))
            else:
                n = _num(value)
                if n is not None:
                    out.append((name, n))
    return out


def params_breakdown(analysis: dict[str, Any]) -> list[tuple[str, float]]:
    breakdown = dig(analysis, "params", "breakdown", default={})
    rows = [(name, value) for name, value in flatten_numbers(breakdown) if value > 0]
    # A nested breakdown may repeat a parent total; keep leaves only when names nest.
    names = {name for name, _v in rows}
    return [(n, v) for n, v in rows if not any(o.startswith(n + ".") for o in names)]


def roofline(analysis: dict[str, Any]) -> list[tuple[str, float]]:
    data = dig(analysis, "compute", "roofline", default={}) or {}
    out: list[tuple[str, float]] = []
    if isinstance(data, dict):
        for gpu, value in data.items():
            n = (
                _num(value)
                if not isinstance(value, dict)
                else _num(
                    value.get("decode_tokens_per_s", value.get("tokens_per_s", value.get("bf16")))
                )
            )
            if n is None and isinstance(value, dict):
                nums = [x for _k, x in flatten_numbers(value)]
                n = nums[0] if nums else None
            if n is not None:
                out.append((str(gpu), n))
    return out


def roofline_at(analysis: dict[str, Any], context_tokens: int) -> list[tuple[str, float]]:
    """The stored batch-1 decode roofline, moved to ``context_tokens``: the engine's bytes read
    per token (the weights a decode step reads, as stored, + KV at its context + the recurrent
    state) with the KV part taken at this context instead (sliding windows capped, as
    ``kv_bytes_at``). The stored one where the context is the engine's, or where the parts
    cannot be read."""
    stored = roofline(analysis)
    compute = analysis.get("compute") or {}
    at = _num(dig(compute, "flops_detail", "context"))
    decode = _num(compute.get("decode_bytes_per_token"))
    if not stored or at is None or decode is None or int(at) == context_tokens:
        return stored
    state = _num(dig(analysis, "memory", "state_bytes_per_sequence")) or 0.0
    kv_then, kv_now = kv_bytes_at(analysis, int(at)), kv_bytes_at(analysis, context_tokens)
    if kv_then is None or kv_now is None:
        return stored
    # kv_bytes_at includes the state; only the KV part moves with the context (analyses
    # before version 6 left the state out of the decode bytes: then it stays out here too)
    weights = decode - (kv_then - state)
    per_token = weights + (kv_now - state)
    gpus = gpu_table()
    out = []
    for gpu, value in stored:
        bandwidth = (gpus.get(gpu) or {}).get("bandwidth_bytes_per_s")
        out.append((gpu, bandwidth / per_token if bandwidth and per_token > 0 else value))
    return out


def roofline_unfit(
    analysis: dict[str, Any], roof: list[tuple[str, float]], context_tokens: int
) -> set[str]:
    """The GPUs of ``roof`` that cannot hold the model on one card: weights as stored plus one
    sequence's KV cache (and state) at ``context_tokens`` past the GPU's memory. Their
    roofline is a bound for a GPU of that bandwidth with enough memory, not a speed one of
    them reaches."""
    weights = weights_bytes(analysis, "stored") or weights_bytes(analysis, "bf16")
    if not weights:
        return set()
    need = weights + (kv_bytes_at(analysis, context_tokens) or 0.0)
    table = gpu_table()
    return {
        gpu
        for gpu, _rate in roof
        if (table.get(gpu) or {}).get("memory_bytes") and need > table[gpu]["memory_bytes"]
    }


def weights_bytes(analysis: dict[str, Any], dtype: str = "bf16") -> float | None:
    return _num(dig(analysis, "memory", "weights_bytes", dtype))


def _attention_layer_counts(analysis: dict[str, Any]) -> tuple[int, int]:
    """(full-length KV layers, sliding-window layers) from the stored layer pattern."""
    full = sliding = 0
    for entry in dig(analysis, "backbone", "layers", "pattern", default=[]) or []:
        blocks = _layer_blocks(entry)
        if "sliding_attention" in blocks:
            sliding += 1
        elif "attention" in blocks or "mla" in blocks:
            full += 1
    return full, sliding


def kv_bytes_at(analysis: dict[str, Any], context_tokens: int) -> float | None:
    """KV cache plus recurrent state for one sequence of ``context_tokens``, in bytes.

    ``memory.kv_bytes_per_token`` counts every attention layer at full length (its basis says
    so); sliding-window layers stop growing at the window (modeling_gpt_oss / modeling_gemma3
    keep only the last ``sliding_window`` keys), so their share is capped here: the engine's
    ``kv_bytes_per_token_sliding``, or for a report stored without it a share by layer count
    (equal per-layer KV width). Mamba / linear-attention state is constant per sequence.
    """
    memory = analysis.get("memory") or {}
    state = _num(memory.get("state_bytes_per_sequence")) or 0.0
    stored = memory.get("kv_bytes")
    if isinstance(stored, dict) and _num(stored.get("context")) == context_tokens:
        exact = _num(stored.get("bytes"))
        if exact is not None and int(_num(stored.get("batch")) or 1) == 1:
            return exact + state
    per_token = _num(memory.get("kv_bytes_per_token"))
    if per_token is None:
        return state or None
    window = _num(dig(analysis, "backbone", "attention", "sliding_window"))
    sliding_share = _num(memory.get("kv_bytes_per_token_sliding"))
    if window and sliding_share is not None:  # the engine's split (Gemma 4's widths differ)
        kv = (per_token - sliding_share) * context_tokens
        return kv + sliding_share * min(context_tokens, window) + state
    full, sliding = _attention_layer_counts(analysis)
    if window and sliding and full + sliding:
        per_layer = per_token / (full + sliding)
        kv = per_layer * (full * context_tokens + sliding * min(context_tokens, window))
        return kv + state
    return per_token * context_tokens + state


def context_length(analysis: dict[str, Any]) -> int | None:
    value = _num(dig(analysis, "backbone", "context_length"))
    return int(value) if value else None


def context_choices(analysis: dict[str, Any]) -> list[int]:
    native = context_length(analysis)
    choices = set(CONTEXT_CHOICES)
    if native:
        choices = {c for c in choices if c <= native} | {native}
    return sorted(choices)


# ---------------------------------------------------------------------------------------------
# Layer strip


_BLOCK_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("mla", re.compile(r"\bmla\b|latent", re.I)),
    ("sliding_attention", re.compile(r"slid|local|swa|chunk", re.I)),
    ("linear_attention", re.compile(r"linear|delta|lightning", re.I)),
    ("mamba", re.compile(r"mamba|ssm|^m$", re.I)),
    ("short_conv", re.compile(r"conv", re.I)),  # LFM2's gated short convolutions
    ("moe", re.compile(r"moe|expert|^e$", re.I)),
    ("dense_mlp", re.compile(r"mlp|dense|ffn|^-$", re.I)),
    ("attention", re.compile(r"attn|attention|full|global|^\*$", re.I)),
)


@lru_cache(maxsize=512)
def _block_type(token: str) -> str:
    # Memoized: a pattern repeats a handful of tokens over up to ~120 layers, and each miss
    # runs every block regex.
    token = token.strip()
    for block, pattern in _BLOCK_PATTERNS:
        if pattern.search(token):
            return block
    return "other"


def _layer_blocks(entry: Any) -> list[str]:
    """One layer of the stored pattern -> its block types (mixer first, then FFN)."""
    if isinstance(entry, dict):
        parts = [entry.get(k) for k in ("mixer", "attention", "block", "type", "ffn", "mlp")]
        # a mixer may name two blocks side by side (Falcon-H1's "attention+mamba2")
        blocks = [
            _block_type(piece)
            for p in parts
            if isinstance(p, str) and p
            for piece in re.split(r"[+/,]| and ", p)
            if piece.strip()
        ]
    elif isinstance(entry, list | tuple):
        blocks = [_block_type(str(p)) for p in entry]
    else:
        blocks = [_block_type(p) for p in re.split(r"[+/,]| and ", str(entry)) if p.strip()]
    seen: list[str] = []
    for block in blocks:
        if block not in seen:
            seen.append(block)
    return seen or ["other"]


@dataclass
class LayerStrip:
    layers: list[list[str]]  # per layer, its block types
    counts: list[tuple[str, str, int]]  # (block, title, layers containing it)
    summary: str
    titles: dict[str, str]
    # some layers run several times per token (Inkling-2 Loop, Dory, HRM-Text): a cell is one
    # run of a layer, not a distinct layer, and the strip says so
    looped: bool = False

    @property
    def cells(self) -> list[dict[str, Any]]:
        # Tooltips built here, not with a template tag per cell: a 118-layer strip would
        # otherwise cost a translation lookup per layer per request.
        template = (
            _("Layer run %(index)s: %(blocks)s")
            if self.looped
            else _("Layer %(index)s: %(blocks)s")
        )
        return [
            {
                "index": i,
                "blocks": layer,
                "title": template
                % {"index": i, "blocks": " + ".join(self.titles[b] for b in layer)},
            }
            for i, layer in enumerate(self.layers)
        ]

    @property
    def legend(self) -> list[tuple[str, str]]:
        return [(block, title) for block, title, _n in self.counts]


def layer_strip(analysis: dict[str, Any]) -> LayerStrip | None:
    layers_info = dig(analysis, "backbone", "layers", default={}) or {}
    pattern = layers_info.get("pattern") if isinstance(layers_info, dict) else None
    if isinstance(pattern, str):
        pattern = (
            list(pattern)
            if " " not in pattern and "," not in pattern
            else re.split(r"[,\s]+", pattern.strip())
        )
    if not isinstance(pattern, list) or not pattern:
        return None
    layers = [_layer_blocks(entry) for entry in pattern]
    # Mllama lists its cross-attention layers by index beside a pattern that calls every layer
    # "attention": the strip shows them as their own kind, as the summary beside it counts them
    cross = dig(analysis, "spec", "cross_attention_layers") or dig(
        analysis, "backbone", "attention", "cross_attention_layers"
    )
    if isinstance(cross, list):
        for index in cross:
            if type(index) is int and 0 <= index < len(layers) and "attention" in layers[index]:
                layers[index] = [
                    "cross_attention" if b == "attention" else b for b in layers[index]
                ]
    titles = block_titles()
    kind = dig(analysis, "spec", "linear_attention_kind")
    if kind:
        # which linear attention, as the summary beside the strip names it ("21 Kimi Delta
        # Attention + 6 MLA"): the legend and each layer's tooltip say it too
        from axes.backbone.layers import LINEAR_ATTENTION_LABELS

        label = LINEAR_ATTENTION_LABELS.get(kind) if isinstance(kind, str) else None
        if label:
            titles["linear_attention"] = _("Linear attention (%(kind)s)") % {"kind": label}
    if dig(analysis, "spec", "sliding_mla"):
        # dots3.note: its sliding layers are MLA blocks of their own sizes, as the summary
        # beside the strip says ("13 MLA + 33 sliding MLA"), not GQA-style sliding attention
        titles["sliding_attention"] = _("Sliding-window MLA")
    counts = [
        (block, titles[block], sum(1 for layer in layers if block in layer))
        for block in BLOCK_TYPES
    ]
    counts = [c for c in counts if c[2]]
    summary = layers_info.get("summary") if isinstance(layers_info, dict) else None
    if not isinstance(summary, str) or not summary:
        summary = ", ".join(f"{n} × {title}" for _b, title, n in counts)
    # the engine counts a looped layer's later runs as reused weights (their FLOPs, not their
    # parameters), and lists every run in the pattern
    reused = _num(dig(analysis, "spec", "reused_weights"))
    return LayerStrip(
        layers=layers, counts=counts, summary=summary, titles=titles, looped=bool(reused)
    )


# ---------------------------------------------------------------------------------------------
# Facts


def facts_grouped(facts: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {label: [] for label in LABELS}
    for fact in facts:
        if isinstance(fact, dict) and fact.get("axis") in grouped:
            grouped[fact["axis"]].append(fact)
    return grouped


# A card table's rows of one kind shown as one table from this many rows on
TABLE_ROWS_GROUPED = 3


def table_rows_grouped(facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Facts in order, with each run of card table rows of one kind under one header (a
    benchmark table's 21 "Evaluation" rows) as one item ``{"rows": [fact, ...], ...first
    fact}``: one table under its column names, not 21 facts that each repeat the header."""
    out: list[dict[str, Any]] = []
    run: list[dict[str, Any]] = []

    def key(fact: dict[str, Any]) -> tuple[str, str] | None:
        header = (fact.get("extra") or {}).get("table_header")
        evidence = fact.get("evidence") or {}
        if not header or evidence.get("source") != "README.md" or fact.get("extra", {}).get("flag"):
            return None
        return str(fact.get("kind")), str(header)

    def flush() -> None:
        if len(run) >= TABLE_ROWS_GROUPED:
            # the badge shows the least sure row's confidence
            lowest = min(float(f.get("confidence") or 0) for f in run)
            out.append({**run[0], "rows": list(run), "confidence": lowest})
        else:
            out.extend(run)
        run.clear()

    for fact in facts:
        if run and key(fact) != key(run[0]):
            flush()
        if key(fact) is None:
            out.append(fact)
        else:
            run.append(fact)
    flush()
    return out


def axis_panels(facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    grouped = facts_grouped(facts)
    titles, questions = axis_titles(), axis_questions()
    return [
        {
            "axis": label,
            "title": titles[label],
            "question": questions[label],
            "facts": table_rows_grouped([f for f in grouped[label] if not _guess(f)]),
            # a card line the classifier placed under 50% confidence is a guess: listed apart,
            # folded, as the CLI lists it, so that noise does not read as a fact
            "guesses": [f for f in grouped[label] if _guess(f)],
            "count": len(grouped[label]),
        }
        for label in LABELS
    ]


def _guess(fact: dict[str, Any]) -> bool:
    return bool((fact.get("extra") or {}).get("low_confidence"))


def contradictions(analysis: dict[str, Any]) -> list[dict[str, Any]]:
    stored = analysis.get("contradictions")
    if isinstance(stored, list) and stored:
        return [c for c in stored if isinstance(c, dict)]
    return [
        f
        for f in analysis.get("facts") or []
        if isinstance(f, dict) and (f.get("extra") or {}).get("flag") == "contradiction"
    ]


# ---------------------------------------------------------------------------------------------
# Charts. Figures are built with plotly.graph_objects and cached by content, because building
# and validating a figure costs milliseconds and pages are read far more often than written.

_PALETTE = ("#2f6fb0", "#d9822b", "#3d9970", "#b03a6f", "#7a5cc2", "#8c6d1f", "#4a8f9f")
CHART_CACHE_S = 60 * 60


def plotly_separators() -> str:
    """Plotly's ``separators`` (decimal mark, then thousands mark) in the page's language, so a
    chart's ticks read like the table under it (de: "2,5" and "1.024")."""
    from django.utils.formats import get_format

    return f"{get_format('DECIMAL_SEPARATOR')}{get_format('THOUSAND_SEPARATOR')}"


# Words a chart title keeps on one line: app.js breaks a long title at the space nearest its
# middle on a phone, which tore the Korean memory chart's "KV cache" in two ("... + KV" over
# "cache 대 컨텍스트"). A no-break space holds them together (it is no " " to break at).
_TITLE_GLUED = re.compile(r"\b(KV) (cache)\b|\b(batch) (\d)")


def _title_glued(title: str) -> str:
    return _TITLE_GLUED.sub(lambda m: "\u00a0".join(g for g in m.groups() if g), title)


def _layout(title: str, xaxis: str, yaxis: str, **extra: Any) -> dict[str, Any]:
    title = _title_glued(title)
    return {
        "separators": plotly_separators(),
        "xaxis": {"title": {"text": xaxis}},
        "yaxis": {"title": {"text": yaxis}},
        "margin": {"l": 70, "r": 20, "t": 96, "b": 70},
        "height": 360,
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": "system-ui, sans-serif", "size": 12},
        # between the title and the plot: below the plot it ran into rotated tick labels and
        # the x-axis title
        "title": {"text": title, "font": {"size": 15}, "y": 0.97, "yanchor": "top"},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "xanchor": "left"},
        **extra,
    }


def _figure_template() -> dict[str, Any]:
    """The default plotly template, as ``go.Figure().to_json()`` embeds it in every figure."""
    global _TEMPLATE
    if _TEMPLATE is None:
        import plotly.graph_objects as go

        _TEMPLATE = go.Figure().to_dict()["layout"]["template"]
    return _TEMPLATE


_TEMPLATE: dict[str, Any] | None = None


def _figure_json(data: list[dict[str, Any]], layout: dict[str, Any]) -> str:
    """A figure as plain dicts, serialized by plotly without building graph objects.

    Same JSON as building it with ``plotly.graph_objects`` and calling ``to_json()`` (pinned in
    tests/test_views_perf.py), at a fraction of the cost: validating a figure through the
    graph objects costs ~10 ms a chart, and with 1,000 models most page views build new ones.
    """
    import plotly.io as pio

    return pio.to_json(
        {"data": data, "layout": {"template": _figure_template(), **layout}}, validate=False
    )


def _cached_figure(kind: str, inputs: Any, build: Any) -> str:
    """Content-addressed: the key hashes the chart's own inputs and the language, so a
    re-analyzed revision never shows a stale chart."""
    digest = hashlib.sha1(
        json.dumps([kind, inputs, get_language()], default=str).encode(), usedforsecurity=False
    ).hexdigest()
    key = f"chart:{kind}:{digest}"
    cached = cache.get(key)
    if cached is None:
        cached = build()
        cache.set(key, cached, CHART_CACHE_S)
    return cached


def chart_params(series: list[tuple[str, list[tuple[str, float]]]]) -> str:
    # billions, or millions when no bar reaches a billion: a 34M model's bars on a billions
    # axis read 0.005, 0.01, 0.015
    largest = max((v for _label, rows in series for _n, v in rows), default=0)
    scale, unit = (
        (1e9, _("billion parameters")) if largest >= 1e9 else (1e6, _("million parameters"))
    )

    def build() -> str:
        data = [
            {
                "marker": {"color": _PALETTE[i % len(_PALETTE)]},
                "name": label,
                "orientation": "h",
                "x": [v / scale for _n, v in rows],
                "y": [component_label(n) for n, _v in rows],
                "type": "bar",
            }
            for i, (label, rows) in enumerate(series)
        ]
        layout = _layout(_("Parameters by component"), unit, "", barmode="group")
        layout["yaxis"].update({"autorange": "reversed", "automargin": True})
        return _figure_json(data, layout)

    return _cached_figure("params", series, build)


_DASHES = ("solid", "dash", "dot", "dashdot")


def chart_memory(
    series: list[tuple[str, list[tuple[int, float]]]],
    gpu: str,
    gpu_bytes: float,
    chosen: int | None = None,
) -> str:
    """Memory vs context per model, the GPU's capacity as a dashed line, and ``chosen`` (the
    page's context) as a dotted vertical line. The y axis starts at 0, so a capacity far
    below the curves sits above the x ticks, not on them."""

    def build() -> str:
        data = _context_lines(series, 1024**3)
        capacity_gib = gpu_bytes / 1024**3
        # What fig.add_hline(..., annotation_position="top left") adds (plotly/shapeannotation.py)
        layout = {
            "shapes": [
                {
                    "line": {"color": "#c0392b", "dash": "dash"},
                    "type": "line",
                    "x0": 0,
                    "x1": 1,
                    "xref": "x domain",
                    "y0": capacity_gib,
                    "y1": capacity_gib,
                    "yref": "y",
                }
            ],
            "annotations": [
                {
                    "showarrow": False,
                    "text": _("%(gpu)s capacity") % {"gpu": gpu},
                    "x": 0,
                    "xanchor": "left",
                    "xref": "x domain",
                    "y": capacity_gib,
                    "yanchor": "bottom",
                    "yref": "y",
                }
            ],
            **_layout(
                _("Weights (as stored) + KV cache vs context, one sequence"),
                _("context length (tokens)"),
                "GiB",
            ),
        }
        layout["yaxis"]["rangemode"] = "tozero"
        peak = max((y for trace in data for y in trace["y"]), default=0)
        if peak and peak * 8 < capacity_gib:
            # a small model under a big GPU: a line at the capacity would set the y axis and
            # flatten every curve onto 0; the capacity is said in a corner instead
            layout["shapes"] = []
            layout["annotations"] = [
                {
                    "showarrow": False,
                    "text": _("%(gpu)s capacity (%(size)s) is far above these curves")
                    % {"gpu": gpu, "size": gpu_memory_h(gpu_bytes)},
                    "x": 0,
                    "xanchor": "left",
                    "xref": "x domain",
                    "y": 1,
                    "yanchor": "bottom",
                    "yref": "y domain",
                }
            ]
        _context_axis(layout, series, chosen)
        return _figure_json(data, layout)

    return _cached_figure("memory", [series, gpu, gpu_bytes, chosen], build)


def _context_lines(series: list[tuple[str, list[tuple[int, float]]]], scale: float) -> list[Any]:
    """One line per model over context, its values divided by ``scale``; a dash per model too:
    two models with the same curve (DeepSeek-V3 and R1) stay visible, the later one dashed."""
    return [
        {
            "line": {"color": _PALETTE[i % len(_PALETTE)], "dash": _DASHES[i % len(_DASHES)]},
            "mode": "lines+markers",
            "name": label,
            "x": [c for c, _b in points],
            "y": [b / scale for _c, b in points],
            "type": "scatter",
        }
        for i, (label, points) in enumerate(series)
    ]


def _context_axis(
    layout: dict[str, Any], series: list[tuple[str, list[tuple[int, float]]]], chosen: int | None
) -> None:
    """The log context axis of the memory and cache charts, and ``chosen`` (the page's
    context) as a dotted vertical line."""
    if chosen:
        layout["shapes"].append(
            {
                "line": {"color": "#555", "dash": "dot"},
                "type": "line",
                "x0": chosen,
                "x1": chosen,
                "xref": "x",
                "y0": 0,
                "y1": 1,
                "yref": "y domain",
            }
        )
    layout["xaxis"]["type"] = "log"
    # ticks at the plotted context lengths, written as configs write them (8K, 128K): the
    # default log ticks read "9 1000 2 3 4 ..."
    ticks = memory_ticks(sorted({c for _label, points in series for c, _b in points}), chosen)
    layout["xaxis"]["tickvals"] = ticks
    layout["xaxis"]["ticktext"] = [tokens_h(c) for c in ticks]


def chart_cache(
    series: list[tuple[str, list[tuple[int, float]]]], chosen: int | None = None
) -> str:
    """KV cache and recurrent state per model against context, without the weights: beside
    weights of ~15 GiB on an 80 GB axis, Llama 3 8B's 1 GiB of KV at 8K and Nemotron-H's
    226 MiB drew one line. In GiB, or MiB when no curve reaches a GiB."""

    def build() -> str:
        peak = max((b for _label, points in series for _c, b in points), default=0)
        scale, unit = (1024**3, "GiB") if peak >= 1024**3 else (1024**2, "MiB")
        layout = {
            "shapes": [],
            **_layout(
                _("KV cache + recurrent state vs context, one sequence"),
                _("context length (tokens)"),
                unit,
            ),
        }
        layout["yaxis"]["rangemode"] = "tozero"
        _context_axis(layout, series, chosen)
        return _figure_json(_context_lines(series, scale), layout)

    return _cached_figure("cache", [series, chosen], build)


# On the log axis two ticks closer than this ratio print over each other ("128160K" for
# DeepSeek-V3's 131,072 and 163,840; 32K and Qwen3's 40K)
_TICK_MIN_RATIO = 1.5


def memory_ticks(contexts: list[int], chosen: int | None = None) -> list[int]:
    """The memory chart's labelled ticks: the page's context first, then the longest (a
    model's native context), then the powers of two that leave room for their labels. The
    curve keeps every point; only a crowded label goes."""
    kept: list[int] = []
    order = [c for c in (chosen, max(contexts, default=None)) if c in contexts]
    for c in [*order, *sorted(contexts)]:
        if c in kept:
            continue
        if all(max(c, k) / min(c, k) >= _TICK_MIN_RATIO for k in kept):
            kept.append(c)
    return sorted(kept)


def chart_roofline(
    series: list[tuple[str, list[tuple[str, float]]]], unfit: list[set[str]] | None = None
) -> str:
    """Grouped bars of the batch-1 decode bound per GPU; ``unfit[i]``: the GPUs series i does
    not fit on (``roofline_unfit``), drawn hatched and faint with "does not fit" on the bar."""
    unfit = unfit or [set() for _ in series]

    def build() -> str:
        no_fit = _("does not fit")
        data = []
        for i, (label, rows) in enumerate(series):
            bad = unfit[i] if i < len(unfit) else set()
            trace: dict[str, Any] = {
                "marker": {"color": _PALETTE[i % len(_PALETTE)]},
                "name": label,
                "x": [g for g, _v in rows],
                "y": [v for _g, v in rows],
                "type": "bar",
            }
            if bad:
                trace["marker"]["pattern"] = {"shape": ["/" if g in bad else "" for g, _v in rows]}
                trace["marker"]["opacity"] = [0.45 if g in bad else 1.0 for g, _v in rows]
                trace["text"] = [no_fit if g in bad else "" for g, _v in rows]
                # Upright and at full size, from the bar's foot: written above a grouped bar
                # plotly shrank the words to the bar's width (unreadable, and two models'
                # labels ran together: "does not fitdoes not fit"); a short bar's words run
                # on past its top rather than shrink.
                trace["textposition"] = "inside"
                trace["insidetextanchor"] = "start"
                trace["textangle"] = -90
                trace["constraintext"] = "none"
                trace["cliponaxis"] = False
                trace["textfont"] = {"size": 11, "color": "#1f2937"}
            data.append(trace)
        layout = _layout(
            _("Decode roofline: memory-bound tokens/s, batch 1"),
            "GPU",
            _("tokens/s"),
            barmode="group",
            # app.js lays the bars across (GPUs down the side, each label written along its
            # bar) where upright bars would be too thin for their words: a phone, or many
            # models. Upright, two models' labels on a 390px screen ran into each other.
            meta={"narrow_bars": "across"},
        )
        return _figure_json(data, layout)

    return _cached_figure("roofline-across", [series, [sorted(u) for u in unfit]], build)


def cache_curve(analysis: dict[str, Any], contexts: list[int]) -> list[tuple[int, float]]:
    """KV cache plus recurrent state of one sequence at each context (no weights)."""
    return [(ctx, kv) for ctx in contexts if (kv := kv_bytes_at(analysis, ctx)) is not None]


def memory_curve(analysis: dict[str, Any], contexts: list[int]) -> list[tuple[int, float]]:
    weights = weights_bytes(analysis, "stored") or weights_bytes(analysis, "bf16") or 0.0
    out: list[tuple[int, float]] = []
    for ctx in contexts:
        kv = kv_bytes_at(analysis, ctx)
        if kv is not None or weights:
            out.append((ctx, weights + (kv or 0.0)))
    return out


def curve_contexts(analyses: list[dict[str, Any]], chosen: int | None = None) -> list[int]:
    """Powers of two from 1K up to the longest native context, that context itself (163,840
    is no power of two), and ``chosen`` (the page's context control) when given."""
    longest = max((context_length(a) or 0 for a in analyses), default=0) or 131072
    contexts = {c for c in (1024 * 2**i for i in range(0, 11)) if c <= max(longest, 4096)}
    contexts.add(max(longest, 4096))
    if chosen:
        contexts.add(chosen)
    return sorted(contexts)


def axes_order() -> tuple[str, ...]:
    return AXES
