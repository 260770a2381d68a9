"""IBM Granite 4.0 (granitemoehybrid): Mamba-2 / attention layers, MoE plus a shared MLP.

``modeling_granitemoehybrid.py`` GraniteMoeHybridDecoderLayer: each layer holds one mixer,
chosen by ``layer_types`` (configuration_granitemoehybrid.py: default all Mamba; "mamba" /
"linear_attention" is Mamba-2, "attention" / "full_attention" is attention), then
``block_sparse_moe`` (router E x hidden, fused experts of ``intermediate_size``) when
``num_local_experts > 0`` plus, always, ``shared_mlp`` (``input_linear`` hidden ->
2 * shared_intermediate_size, ``output_linear`` back, no bias). A dense Granite 4 (no experts)
is therefore a SwiGLU of ``shared_intermediate_size`` per layer.
- Mamba-2 (GraniteMoeHybridMambaLayer): the ``modeling_mamba2.py`` mixer (see bamba.py);
- attention: q/k/v/o with ``attention_bias``; RoPE only when ``position_embedding_type`` is
  "rope" (Granite 4.0-H uses none); scalar multipliers hold no parameters.
"""

from __future__ import annotations

from axes.backbone.errors import ConfigError
from axes.backbone.families._common import build, header, read_core, read_rope
from axes.backbone.families.bamba import mamba2_fields
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("granitemoehybrid",)

_MIXERS = {
    "mamba": "mamba2",
    "mamba2": "mamba2",
    "linear_attention": "mamba2",
    "attention": "attention",
    "full_attention": "attention",
}


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "granitemoehybrid")
    core = read_core(view, family="granitemoehybrid", tie_default=False, max_pos_default=2048)
    read_rope(view, core)
    n = core["num_layers"]
    types = view.list("layer_types", "layers_block_type", field_name="layer_types")
    if types is None:
        mixers = ["mamba2"] * n
    else:
        try:
            mixers = [_MIXERS[str(t)] for t in types[:n]]
        except KeyError as exc:
            raise ConfigError(
                f"unknown Granite 4 layer type {exc.args[0]!r}; expected mamba or attention",
                key="layer_types",
            ) from exc
    experts = view.int("num_local_experts", default=8, field_name="num_experts")
    shared = view.int("shared_intermediate_size", default=1024)
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    ffn: dict = {}
    if experts > 0:
        ffn = {
            "num_experts": experts,
            "experts_per_token": view.int(
                "num_experts_per_tok", default=2, field_name="experts_per_token"
            ),
            "moe_intermediate_size": core["intermediate_size"],
            "num_shared_experts": 1 if shared else 0,
            "shared_expert_intermediate_size": shared,
            "router_scoring": "softmax",
        }
    else:  # only the shared MLP: a dense SwiGLU of shared_intermediate_size
        core["intermediate_size"] = shared
        view.sources["intermediate_size"] = "shared_intermediate_size"
    rope = view.raw_get("position_embedding_type", default=None) == "rope"
    return build(
        {**core, **head},
        layers_from(mixers, "moe" if experts > 0 else "mlp"),
        qkv_bias=bias,
        o_bias=bias,
        positional="rope" if rope else "none",
        **ffn,
        **mamba2_fields(view, core["hidden_size"]),
    )
