"""DBRX (``dbrx``): fused Wqkv with clip_qkv, a 16-expert fine-grained MoE in every layer,
attention and FFN settings nested in ``attn_config`` / ``ffn_config``.

``modeling_dbrx.py``: ``wte`` (untied: DbrxConfig refuses ``tie_word_embeddings``); per block
``norm_1`` / ``norm_2`` (LayerNorm without bias); ``Wqkv`` hidden -> hidden + 2 * kv_n_heads *
head_dim and ``out_proj`` hidden -> hidden, no biases, head_dim = d_model // n_heads;
``clip_qkv`` clamps the fused projection's output (no parameter); the FFN is ``router.layer``
(E x hidden, no bias) and ``experts.mlp`` ``w1`` / ``v1`` / ``w2`` (E * ffn_hidden_size x
hidden each: a gated GLU expert); ``norm_f``; ``lm_head``. Full attention in every layer.

configuration_dbrx.py: ``d_model`` / ``n_heads`` / ``n_layers`` / ``max_seq_len`` are the
top-level names (2048 / 16 / 24 / 2048 by default); ``attn_config``: ``kv_n_heads`` (default 1),
``clip_qkv``, ``rope_theta``; ``ffn_config``: ``ffn_hidden_size`` (3584), ``moe_num_experts``
(4), ``moe_top_k`` (1), ``ffn_act_fn`` ({"name": "silu"}). DBRX's checkpoints set RoPE's base
in ``attn_config.rope_theta`` (500000), the positional fact quoted here; transformers'
DbrxRotaryEmbedding reads the top-level ``rope_parameters`` instead.
"""

from __future__ import annotations

from typing import Any

from axes.backbone.errors import ConfigError
from axes.backbone.families._common import (
    NO_WIDTH,
    build,
    header,
    read_core,
    read_rope,
    uniform_attention,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("dbrx",)


def _nested(view: ConfigView, key: str) -> ConfigView:
    """``attn_config`` / ``ffn_config`` as a view of its own (absent or null: the defaults)."""
    value = view.raw.get(key)
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise ConfigError(f"{key} must be a JSON object, not {type(value).__name__}", key=key)
    return ConfigView(value)


def _merge(view: ConfigView, sub: ConfigView, key: str) -> None:
    """The nested view's sources, quoted under their parent key, and its notes."""
    for name, path in sub.sources.items():
        view.sources[name] = f"{key}.{path}"
    view.notes.extend(sub.notes)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "dbrx")
    attn, ffn = _nested(view, "attn_config"), _nested(view, "ffn_config")
    noted = len(view.notes)
    seq_len = view.has("max_seq_len")  # DbrxConfig's name for max_position_embeddings
    core = read_core(
        view,
        family="dbrx",
        tie_default=False,
        max_pos_default=None if seq_len else 2048,
        max_pos_key="max_seq_len",
    )
    if NO_WIDTH in view.notes[noted:]:  # the width is ffn_config's, read below
        view.notes.remove(NO_WIDTH)
    if seq_len:
        core["max_position_embeddings"] = view.int(
            "max_seq_len", field_name="max_position_embeddings"
        )
    heads = core["num_attention_heads"]
    core["head_dim"] = core["hidden_size"] // heads if heads else 0
    kv = core["num_kv_heads"] = attn.int("kv_n_heads", default=1, field_name="num_kv_heads")
    if kv and heads % kv:
        raise ConfigError(
            f"num_attention_heads ({heads}) is not a multiple of num_key_value_heads ({kv})",
            key="attn_config.kv_n_heads",
        )
    view.sources.pop("num_kv_heads", None)
    core["intermediate_size"] = ffn.int(
        "ffn_hidden_size", default=3584, field_name="intermediate_size"
    )
    experts = ffn.int("moe_num_experts", default=4, field_name="num_experts")
    top_k = ffn.int("moe_top_k", default=1, field_name="experts_per_token")
    act: Any = ffn.raw_get("ffn_act_fn", field_name="hidden_act")
    core["hidden_act"] = str(act.get("name", "silu")) if isinstance(act, dict) else "silu"
    read_rope(view, core)
    theta = attn.float("rope_theta", field_name="rope_theta")
    if theta is not None:
        core["rope_theta"] = theta
    _merge(view, attn, "attn_config")
    _merge(view, ffn, "ffn_config")
    mixers = uniform_attention(view, core["num_layers"], module="dbrx")
    return build(
        {**core, **head},
        layers_from(mixers, "moe"),
        fused_qkv=True,
        norm_type="layernorm",
        num_experts=experts,
        experts_per_token=top_k,
        moe_intermediate_size=core["intermediate_size"],
        router_scoring="softmax",
    )
