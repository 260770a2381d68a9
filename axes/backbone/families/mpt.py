"""MPT (mosaicml/mpt-7b, mpt-30b and their instruct / chat / storywriter tunes): ALiBi, a fused
q/k/v and no biases anywhere, as transformers' MptForCausalLM builds it.

``modeling_mpt.py``: ``wte`` (vocab x d_model), no position table; per block ``norm_1`` /
``norm_2`` (LayerNorm whose bias is removed: a weight only), ``Wqkv`` (d_model -> 3 * d_model)
and ``out_proj`` without bias, MLP ``up_proj`` / ``down_proj`` over 4 * d_model (fixed) without
bias, exact GELU; final ``norm_f`` (weight only); lm_head tied by default. Multi-head only
(head size d_model // n_heads). ALiBi always, built for ``max_seq_len`` keys (default 2048), so
no longer sequence fits: that is the context length. MosaicML's own code reads more keys than
transformers does: ``expansion_ratio``, ``no_bias: false``, ``attn_config.attn_type``
(multi-query / grouped), ``attn_config.qk_ln`` and ``attn_config.alibi: false`` change nothing
transformers builds; a config that sets one is counted as transformers builds it, noted.
"""

from __future__ import annotations

import json
from typing import Any

from axes.backbone.families._common import (
    build,
    default_note,
    header,
    read_core,
    uniform_attention,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("mpt",)

# (key path, the value transformers' MptForCausalLM is built as, whatever the config says)
_UNREAD: tuple[tuple[str, Any], ...] = (
    ("expansion_ratio", 4),
    ("no_bias", True),
    ("attn_config.attn_type", "multihead_attention"),
    ("attn_config.qk_ln", False),
    ("attn_config.alibi", True),
)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "mpt")
    core = read_core(view, family="mpt", tie_default=True)
    hidden, heads = core["hidden_size"], core["num_attention_heads"]
    for key in ("num_kv_heads", "head_dim", "intermediate_size"):
        view.sources.pop(key, None)  # read_core's aliases: modeling_mpt.py reads none
    view.notes[:] = [n for n in view.notes if "intermediate_size" not in n]
    max_seq = view.int("max_seq_len", default=None, field_name="max_position_embeddings")
    if max_seq is None:
        max_seq = 2048
        default_note(view, "max_seq_len", max_seq)
    core.update(
        num_kv_heads=heads,
        head_dim=hidden // heads if heads else 0,
        intermediate_size=4 * hidden,
        hidden_act="gelu",  # MptMLP: nn.GELU(approximate="none")
        max_position_embeddings=max_seq,
        rope_theta=None,
        rope_scaling=None,
    )
    attn = view.raw_get("attn_config")
    attn = attn if isinstance(attn, dict) else {}
    if "alibi" in attn:
        view.sources["positional"] = "attn_config.alibi"
    for path, built in _UNREAD:
        value = attn.get(path.split(".", 1)[1]) if "." in path else view.raw_get(path)
        if value is not None and value != built:
            view.notes.append(
                f"{path} = {json.dumps(value)} is not read by modeling_mpt.py; counted as "
                "transformers builds the model"
            )
    return build(
        {**core, **head},
        layers_from(uniform_attention(view, core["num_layers"], module="mpt"), "mlp"),
        ffn_gated=False,
        fused_qkv=True,
        norm_type="layernorm",
        norm_bias=False,
        positional="alibi",
    )
