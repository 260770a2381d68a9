"""JetMoE: a mixture of attention heads (MoA) and a sparse MoE MLP in every layer.

``configuration_jetmoe.py``: ``num_attention_heads`` is ``num_key_value_heads x
num_experts_per_tok`` unless config.json sets it (``__post_init__``), the head width is ``kv_channels`` (alias
``head_dim``); defaults: 8 experts, top-2, tied embeddings. ``modeling_jetmoe.py``:
- JetMoeAttention: ``kv_proj`` (hidden -> 2 x kv_heads x kv_channels, no bias) shared by all
  heads, and JetMoeMoA, whose experts are the query and output projections: ``input_linear``
  (E, kv_heads x kv_channels, hidden), ``output_linear`` (E, hidden, kv_heads x kv_channels),
  a router (hidden -> E, no bias) and an output ``bias`` (hidden). Each token runs top_k of
  them, so it attends with kv_heads x top_k query heads;
- JetMoeMoE: ``input_linear`` (E, 2 x intermediate, hidden), ``output_linear`` (E, hidden,
  intermediate), a router and an output ``bias`` (hidden);
- ``input_layernorm``, ``post_attention_layernorm`` and the final norm are RMSNorms; RoPE.
"""

from __future__ import annotations

from axes.backbone.families._common import build, header, read_core, read_rope, uniform_attention
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("jetmoe",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "jetmoe")
    core = read_core(view, family="jetmoe", tie_default=True, max_pos_default=4096)
    read_rope(view, core)
    n = core["num_layers"]
    experts = view.int("num_local_experts", default=8, field_name="num_experts")
    top_k = view.int("num_experts_per_tok", default=2, field_name="experts_per_token")
    if not view.has("num_key_value_heads"):
        core["num_kv_heads"] = 16  # JetMoeConfig's default
    if not view.has("kv_channels", "head_dim"):
        core["head_dim"] = 128
    if not view.has("num_attention_heads"):  # JetMoeConfig.__post_init__'s value
        core["num_attention_heads"] = core["num_kv_heads"] * top_k
    return build(
        {**core, **head},
        layers_from(uniform_attention(view, n, module="jetmoe"), "moe"),
        num_experts=experts,
        experts_per_token=top_k,
        moe_intermediate_size=core["intermediate_size"],
        router_scoring="softmax",
        attention_experts=experts,
        moe_output_bias=True,
    )
