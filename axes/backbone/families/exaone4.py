"""EXAONE 4.0: post-norm blocks with per-head QK-norm, local/global layers, NoPE on global.

``modeling_exaone4.py``: no input norm; ``post_attention_layernorm`` and
``post_feedforward_layernorm`` (RMSNorm, hidden each); q/k/v/o without bias; ``q_norm`` /
``k_norm`` RMSNorm(head_dim); SwiGLU without bias. Layers from ``layer_types``, else
configuration_exaone4.py's expansion of ``sliding_window_pattern`` (an int: every n-th layer
full; a string of L/G: that pattern repeated; no ``sliding_window``: every layer full). With a
sliding window, the full-attention layers apply no RoPE (Exaone4Attention: "global NoPE").
"""

from __future__ import annotations

from typing import Any

from axes.backbone.families._common import attention_mixers, build, header, read_core, read_rope
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("exaone4",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "exaone4")
    core = read_core(view, family="exaone4", tie_default=False, max_pos_default=2048)
    read_rope(view, core)
    n = core["num_layers"]
    window = view.int("sliding_window", default=None, field_name="sliding_window")
    if view.has("layer_types"):
        mixers = attention_mixers(view, n)
    elif window is None:
        mixers = ["attention"] * n
    else:
        pattern = view.raw_get("sliding_window_pattern", default=4, field_name="layer_types")
        if isinstance(pattern, str) and pattern and set(pattern) <= {"L", "G"}:
            mixers = [
                "sliding_attention" if pattern[i % len(pattern)] == "L" else "attention"
                for i in range(n)
            ]
            mixers[-1] = "attention"  # "the final layer always uses global attention"
        else:
            period = view.int("sliding_window_pattern", default=4, field_name="layer_types")
            mixers = [
                "sliding_attention" if period and (i + 1) % period else "attention"
                for i in range(n)
            ]
    extra: dict[str, Any] = {}
    if window is not None:
        full = mixers.count("attention")
        if full:
            extra.update(nope_layers=full, positional="rope+nope")
        if full == n:
            window = None
    return build(
        {**core, **head},
        layers_from(mixers, "mlp"),
        qk_norm="per_head",
        norm_placement="post",
        sliding_window=window,
        **extra,
    )
