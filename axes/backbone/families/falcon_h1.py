"""TII Falcon-H1: attention and a Mamba-2 mixer in parallel in every layer, then a SwiGLU.

``modeling_falcon_h1.py`` FalconH1DecoderLayer: ``input_layernorm``, then ``mamba`` and
``self_attn`` on the same normed input, their outputs summed into the residual; then
``pre_ff_layernorm`` and ``feed_forward``. The mup multipliers (``embedding_multiplier``,
``ssm_multipliers``, ``mlp_multipliers``, ``key_multiplier``...) scale activations and hold no
parameters (``mup_vector`` is a buffer).
- attention (FalconH1Attention): q/k/v/o, all with ``attention_bias``; head_dim =
  ``config.head_dim`` when set, else hidden // heads; RoPE;
- FalconH1Mixer: the ``modeling_mamba2.py`` mixer with intermediate = ``mamba_d_ssm``
  (configuration_falcon_h1.py default 1024; an explicit null means mamba_expand * hidden),
  ``in_proj`` bias = mamba_proj_bias, ``out_proj`` bias = ``projectors_bias``, conv bias =
  mamba_conv_bias, and the gated RMSNorm only when ``mamba_rms_norm`` (default false: an
  Identity);
- FalconH1MLP: gate/up/down of ``intermediate_size`` with ``mlp_bias``.
Caches: every layer keeps K/V (it has attention) and a Mamba-2 conv + SSM state.
"""

from __future__ import annotations

from axes.backbone.families._common import build, default_note, header, read_core, read_rope
from axes.backbone.families.bamba import mamba2_fields
from axes.backbone.layers import PARALLEL_HYBRID, layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("falcon_h1",)

MAMBA_D_SSM_DEFAULT = 1024  # configuration_falcon_h1.py


def _mamba_intermediate(view: ConfigView, hidden: int) -> int:
    """``mamba_d_ssm``; its class default when config.json lacks it; an explicit null is
    mamba_expand * hidden (``FalconH1Mixer.intermediate_size``)."""
    if view.has("mamba_d_ssm"):
        return view.int("mamba_d_ssm", field_name="ssm_intermediate_size")
    if "mamba_d_ssm" in view.raw or "mamba_d_ssm" in view.text:  # null: the expansion
        return view.int("mamba_expand", default=2) * hidden
    default_note(view, "mamba_d_ssm", MAMBA_D_SSM_DEFAULT)
    return MAMBA_D_SSM_DEFAULT


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "falcon_h1")
    core = read_core(view, family="falcon_h1", tie_default=False, max_pos_default=8192)
    read_rope(view, core)
    hidden = core["hidden_size"]
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    return build(
        {**core, **head},
        layers_from([PARALLEL_HYBRID] * core["num_layers"], "mlp"),
        qkv_bias=bias,
        o_bias=bias,
        mlp_bias=view.bool("mlp_bias", default=False),
        **{
            **mamba2_fields(view, hidden, intermediate=_mamba_intermediate(view, hidden)),
            "ssm_out_bias": view.bool("projectors_bias", default=False),
            "ssm_gated_norm": view.bool("mamba_rms_norm", default=False),
        },
    )
