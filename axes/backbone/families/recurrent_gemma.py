"""RecurrentGemma (Griffin: ``configuration_recurrent_gemma.py``, ``modeling_recurrent_gemma.py``).

Every layer is ``temporal_pre_norm``, a temporal block, ``channel_pre_norm`` and a GeGLU MLP
(gate/up/down with biases, ``intermediate_size // 2`` wide); the norms are Gemma RMSNorms
(a weight, no bias), and the embedding is tied by default. The temporal block follows
``block_types`` (default recurrent, recurrent, attention), repeated over the layers
(``layers_block_type``: ``(block_types * 100)[:num_hidden_layers]``; an entry other than
"recurrent" is attention):

- recurrent (RecurrentGemmaRecurrentBlock): ``linear_y`` and ``linear_x`` (hidden ->
  ``lru_width``, default hidden_size), a depthwise ``conv_1d`` of ``conv1d_width`` (default 4),
  the RG-LRU (``recurrent_param`` per unit; input and recurrence gates, block-diagonal: one
  (lru_width / heads)^2 weight and a bias per head each) and ``linear_out`` back, all with
  biases. Its state per sequence: the RG-LRU's ``lru_width`` values in fp32 and the conv's last
  ``conv1d_width - 1`` inputs in the model's dtype;
- attention (RecurrentGemmaAttention): local attention over ``attention_window_size`` tokens
  (``sliding_window`` is its alias), q/k/v with ``attention_bias``, ``o_proj`` always with a
  bias, ``num_key_value_heads`` (default: every head), head_dim ``head_dim`` or hidden //
  heads, RoPE on ``partial_rotary_factor`` (default 0.5) of it.

The config class has no max_position_embeddings: nothing in the model bounds the context.
"""

from __future__ import annotations

from axes.backbone.errors import ConfigError
from axes.backbone.families._common import (
    build,
    header,
    read_core,
    read_rope,
    unread_layer_types,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("recurrent_gemma",)
_NO_WIDTH = "no intermediate_size: assumed 4 × hidden_size"
_REPEATS = 100  # RecurrentGemmaConfig.layers_block_type: block_types * 100


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "recurrent_gemma")
    noted = len(view.notes)
    core = read_core(view, family="recurrent_gemma", tie_default=True)
    if _NO_WIDTH in view.notes[noted:]:  # the config class default, 3 x 2560
        view.notes.remove(_NO_WIDTH)
        core["intermediate_size"] = 3 * 2560
    core["intermediate_size"] //= 2  # RecurrentGemmaMlp: config.intermediate_size // 2
    read_rope(view, core)
    if core.get("partial_rotary_factor") is None:
        core["partial_rotary_factor"] = 0.5  # RecurrentGemmaConfig.__post_init__
    n, heads = core["num_layers"], core["num_attention_heads"]

    mixers = _mixers(view, n)
    unread_layer_types(view, mixers, module="recurrent_gemma")
    window = view.int(
        "sliding_window", "attention_window_size", default=2048, field_name="sliding_window"
    )

    lru = view.int("lru_width", default=core["hidden_size"], field_name="linear_value_head_dim")
    if "linear_attention" in mixers and (not heads or lru % heads):
        where = view.path("lru_width") or "lru_width"
        raise ConfigError(
            f"{where} ({lru:,}) is not a multiple of num_attention_heads ({heads:,}): the "
            "RG-LRU splits it into one block per head, and transformers cannot run such a "
            "model. Fix it in config.json.",
            key=where,
        )
    conv = view.int("conv1d_width", default=4, field_name="linear_conv_kernel")
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    return build(
        {**core, **head},
        layers_from(mixers, "mlp"),
        qkv_bias=bias,
        o_bias=True,
        mlp_bias=True,
        sliding_window=window if "sliding_attention" in mixers else None,
        linear_attention_kind="rg_lru",
        linear_num_value_heads=heads,
        linear_value_head_dim=lru // heads if heads else 0,
        linear_conv_kernel=conv,
    )


def _mixers(view: ConfigView, n: int) -> list[str]:
    """RecurrentGemmaConfig.layers_block_type: block_types repeated, "recurrent" a recurrent
    block, anything else local attention."""
    types = view.list("block_types", field_name="layer_types")
    if types is None:
        types = ["recurrent", "recurrent", "attention"]
    if len(types) * _REPEATS < n:
        where = view.path("block_types") or "block_types"
        raise ConfigError(
            f"{where} ({len(types):,} entries, repeated at most {_REPEATS:,} times as "
            f"transformers does) does not cover the model's {n:,} layers; fix it in config.json.",
            key=where,
        )
    return [
        "linear_attention" if t == "recurrent" else "sliding_attention"
        for t in (types * _REPEATS)[:n]
    ]
