"""HRM-Text (hrm_text): two stacks of decoder layers run recurrently, H_cycles x (L_cycles + 1)
passes of one stack per token.

``modeling_hrm_text.py``: HrmTextModel holds ``embed_tokens``, ``z_L_init`` (hidden, the low
stack's initial state) and two HrmTextStack (``L_module``, ``H_module``) of
``num_layers_per_stack`` HrmTextDecoderLayer each: HrmTextAttention (multi-head: q/k/v/o and
an output ``gate_proj`` hidden -> heads x head_dim, all with ``attention_bias``; head_dim
default 128) and a SwiGLU with ``mlp_bias``; its RMSNorms (two per layer, one per stack) have
no weight. HrmTextForCausalLM adds an untied ``lm_head``.

Each of the H_cycles runs the L stack L_cycles times, then the H stack once; every run of a
layer caches its own K/V (``slot = (h x (L_cycles + 1) + l) x num_layers_per_stack + layer``),
which is why configuration_hrm_text.py rewrites ``num_hidden_layers`` to
``num_layers_per_stack × H_cycles × (L_cycles + 1)`` and keeps the real count in
``num_layers_per_stack`` (a config without it holds the real count in num_hidden_layers). The
engine's layer pattern is those runs in that order: the parameters sit on the first run of each
layer, every run has its KV cache and its FLOPs (``reused_weights``).
"""

from __future__ import annotations

from axes.backbone.errors import ConfigError
from axes.backbone.families._common import (
    MAX_LAYERS,
    build,
    header,
    read_core,
    read_rope,
    uniform_layers,
)
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("hrm_text",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "hrm_text")
    core = read_core(
        view, family="hrm", tie_default=False, head_dim_default=128, max_pos_default=2048
    )
    read_rope(view, core)
    h_cycles = view.int("H_cycles", default=2)
    l_cycles = view.int("L_cycles", default=3)
    per_stack = view.int("num_layers_per_stack", default=None)
    if per_stack is None:  # HrmTextConfig.__post_init__: num_hidden_layers is the real count
        per_stack = core["num_layers"]
    runs = per_stack * h_cycles * (l_cycles + 1)
    if runs > MAX_LAYERS:
        raise ConfigError(
            f"num_layers_per_stack × H_cycles × (L_cycles + 1) is {runs:,} layer runs, over the "
            f"{MAX_LAYERS:,} layers any real model has; fix the values in config.json.",
            key="H_cycles",
        )
    h, heads, hd = core["hidden_size"], core["num_attention_heads"], core["head_dim"]
    width = core["intermediate_size"]
    core.update(num_layers=runs, num_kv_heads=heads)  # HrmTextAttention: one K/V head a head
    bias = view.bool("attention_bias", default=False)
    mlp_bias = view.bool("mlp_bias", default=False)
    # q/k/v/o and the output gate, then the SwiGLU: one layer's parameters and matmul weights
    attention_weights = 5 * h * heads * hd
    attention = attention_weights + (4 * heads * hd + h if bias else 0)
    mlp_weights = 3 * h * width
    mlp = mlp_weights + (2 * width + h if mlp_bias else 0)
    # the first run of the L stack and of the H stack (the first high cycle's) hold the weights
    own = set(range(per_stack)) | set(range(l_cycles * per_stack, (l_cycles + 1) * per_stack))
    extras: list[tuple[int | None, str, int, int]] = [(None, "other", h, 0)]  # z_L_init
    for i in range(runs):
        if i not in own:
            extras.append((i, "attention", -attention, -attention_weights))
            extras.append((i, "dense_mlp", -mlp, -mlp_weights))
    view.notes.append(
        f"HRM-Text's two stacks of {per_stack} layers run {h_cycles * (l_cycles + 1)} times "
        f"per token in all (H_cycles {h_cycles} × (L_cycles {l_cycles} + 1)): the layer "
        f"pattern lists the {runs} layer runs, each with its own KV cache and FLOPs; the "
        "parameters are counted once"
    )
    return build(
        {**core, **head},
        uniform_layers(runs, "attention", "mlp"),
        qkv_bias=bias,
        o_bias=bias,
        mlp_bias=mlp_bias,
        attention_gate="full",
        attention_extra=heads * hd if bias else 0,  # gate_proj's bias
        norm_type="nonparametric_rmsnorm",
        outer_norms=0,
        layer_extras=extras,
        reused_weights=(runs - 2 * per_stack) * (attention_weights + mlp_weights),
    )
