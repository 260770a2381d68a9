"""IBM Bamba: Mamba-2 layers with a few attention layers, a dense SwiGLU in every layer.

``configuration_bamba.py``: layer i is attention when ``i in attn_layer_indices``, else
Mamba-2; ``mamba_d_head`` "auto" is mamba_expand * hidden // mamba_n_heads; RoPE is partial
(``partial_rotary_factor`` hard-coded to 0.5). ``modeling_bamba.py``:
- BambaMixer: the Mamba-2 mixer of ``modeling_mamba2.py`` (intermediate = mamba_expand *
  hidden; conv_dim = intermediate + 2 * n_groups * state; ``in_proj`` and ``out_proj`` bias =
  mamba_proj_bias; conv bias = mamba_conv_bias; dt_bias/A_log/D per head; gated RMSNorm);
- attention: q/k/v/o with ``attention_bias``; head_dim = hidden // heads;
- BambaMLP: gate/up/down of ``intermediate_size`` with ``mlp_bias``; ``input_layernorm`` and
  ``pre_ff_layernorm`` in every layer.
"""

from __future__ import annotations

from typing import Any

from axes.backbone.families._common import build, header, layer_indices, read_core, read_rope
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("bamba",)


def mamba2_fields(view: ConfigView, hidden: int, *, intermediate: int | None = None) -> dict:
    """The ``mamba_*`` keys Bamba, Granite 4 and Falcon-H1 share (their configuration_*.py
    defaults), as ArchSpec SSM fields. ``intermediate``: the mixer width when the family sets
    it otherwise (Falcon-H1 ``mamba_d_ssm``), else mamba_expand * hidden."""
    if intermediate is None:
        intermediate = view.int("mamba_expand", default=2) * hidden
    heads = view.int("mamba_n_heads", default=128, field_name="ssm_num_heads")
    head_dim: Any = view.raw_get("mamba_d_head", default="auto")
    if head_dim == "auto":
        head_dim = intermediate // heads if heads else 0
    else:
        head_dim = view.int("mamba_d_head", field_name="ssm_head_dim")
    proj_bias = view.bool("mamba_proj_bias", default=False)
    return {
        "ssm_version": 2,
        "ssm_state_size": view.int("mamba_d_state", default=256, field_name="ssm_state_size"),
        "ssm_num_heads": heads,
        "ssm_head_dim": head_dim,
        "ssm_n_groups": view.int("mamba_n_groups", default=1, field_name="ssm_n_groups"),
        "ssm_conv_kernel": view.int("mamba_d_conv", default=4),
        "ssm_intermediate_size": intermediate,
        "ssm_bias": proj_bias,
        "ssm_out_bias": proj_bias,  # Falcon-H1 overrides it (projectors_bias)
        "ssm_conv_bias": view.bool("mamba_conv_bias", default=True),
    }


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "bamba")
    core = read_core(view, family="bamba", tie_default=False, max_pos_default=262144)
    read_rope(view, core)
    n = core["num_layers"]
    attn = layer_indices(view, "attn_layer_indices", field_name="layer_types")
    mixers = ["attention" if i in attn else "mamba2" for i in range(n)]
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    return build(
        {**core, **head},
        layers_from(mixers, "mlp"),
        qkv_bias=bias,
        o_bias=bias,
        mlp_bias=view.bool("mlp_bias", default=False),
        partial_rotary_factor=0.5,  # configuration_bamba.py: hard-coded for BC
        **mamba2_fields(view, core["hidden_size"]),
    )
