"""Pure state-space models: Mamba (and Falcon-Mamba, same parameters) and Mamba-2.

- Mamba (``modeling_mamba.py`` MambaMixer; ``modeling_falcon_mamba.py`` adds only
  parameter-free RMS norms): intermediate = ``intermediate_size`` when config.json gives
  it, else expand * hidden (configuration_mamba.py computes expand * hidden, then the
  config.json keys are set over it: tiiuae/falcon-mamba-7b has expand 16 and intermediate_size
  8,192, and MambaMixer reads config.intermediate_size); dt_rank = ceil(hidden / 16) when "auto". ``in_proj`` hidden -> 2*intermediate (bias =
  use_bias), depthwise ``conv1d`` (bias = use_conv_bias), ``x_proj`` intermediate ->
  dt_rank + 2*state (no bias), ``dt_proj`` dt_rank -> intermediate (bias), ``A_log``
  (intermediate x state), ``D`` (intermediate), ``out_proj`` (bias = use_bias).
- Mamba-2 (``modeling_mamba2.py`` Mamba2Mixer): intermediate = expand * hidden (= num_heads *
  head_dim); conv_dim = intermediate + 2 * n_groups * state; ``in_proj`` hidden ->
  intermediate + conv_dim + num_heads; ``dt_bias``/``A_log``/``D`` per head; gated RMSNorm
  (intermediate); ``out_proj``.
Each block: one RMSNorm + the mixer; final ``norm_f``; Mamba ties lm_head by default,
Mamba-2 does not.
"""

from __future__ import annotations

import math

from axes.backbone.families._common import (
    build,
    default_note,
    header,
    read_core,
    uniform_layers,
)
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("mamba", "falcon_mamba", "mamba2")


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "mamba")
    mt = head["model_type"]
    v2 = mt == "mamba2"
    core = read_core(view, family="mamba", tie_default=not v2)
    hidden = core["hidden_size"]
    expand = view.int("expand", default=2)
    inter = expand * hidden
    if not v2:  # Mamba2Mixer computes expand * hidden itself; MambaMixer reads the key
        inter = view.int("intermediate_size", default=inter, field_name="ssm_intermediate_size")
    core.update(
        num_attention_heads=0,
        num_kv_heads=0,
        head_dim=0,
        intermediate_size=0,
        max_position_embeddings=None,
    )
    view.notes[:] = [n for n in view.notes if "intermediate_size" not in n]
    use_bias = view.bool("use_bias", default=False)  # in_proj and out_proj
    rank = view.raw_get("time_step_rank", default="auto")
    # "auto" (the config classes' default) or a number: anything else is refused by its key
    rank = math.ceil(hidden / 16) if rank == "auto" else view.int("time_step_rank")
    extra = dict(
        ssm_version=2 if v2 else 1,
        ssm_state_size=view.int(
            "state_size", "ssm_state_size", default=128 if v2 else 16, field_name="ssm_state_size"
        ),
        ssm_conv_kernel=view.int("conv_kernel", "d_conv", default=4),
        ssm_intermediate_size=inter,
        ssm_time_step_rank=rank,
        ssm_bias=use_bias,
        ssm_out_bias=use_bias,
        ssm_conv_bias=view.bool("use_conv_bias", default=True),
    )
    if v2:
        heads = view.int("num_heads", default=128, field_name="ssm_num_heads")
        if not view.has("n_groups"):  # Mamba2Config: n_groups = 8
            default_note(view, "n_groups", 8)
        extra.update(
            ssm_num_heads=heads,
            ssm_head_dim=view.int("head_dim", default=64, field_name="ssm_head_dim"),
            ssm_n_groups=view.int("n_groups", default=8, field_name="ssm_n_groups"),
        )
    return build(
        {**core, **head},
        uniform_layers(core["num_layers"], "mamba2" if v2 else "mamba", None),
        norms_per_layer=1,
        positional="none",
        **extra,
    )
