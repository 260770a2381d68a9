"""StableLM (2 / 3B-4E1T / Zephyr): the Llama block with LayerNorm and partial RoPE.

``modeling_stablelm.py``: q/k/v with bias when ``use_qkv_bias``, o_proj (hidden -> hidden)
never; head_dim is hidden // heads (a ``head_dim`` key is not read); SwiGLU without bias;
``input_layernorm`` LayerNorm with bias, plus ``post_attention_layernorm`` unless
``use_parallel_residual``; final ``norm``; untied by default. ``qk_layernorm``:
StableLmLayerNormPerHead, a LayerNorm(head_dim) without bias for every q head and every k/v
head. RoPE on ``partial_rotary_factor`` of each head (configuration_stablelm.py default 0.25).
"""

from __future__ import annotations

from axes.backbone.families._common import build, header, read_core, read_rope, uniform_layers
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("stablelm",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "stablelm")
    core = read_core(view, family="stablelm", tie_default=False, max_pos_default=4096)
    read_rope(view, core)
    if core.get("partial_rotary_factor") is None:
        core["partial_rotary_factor"] = 0.25
    heads = core["num_attention_heads"]
    core["head_dim"] = core["hidden_size"] // heads if heads else 0
    parallel = view.bool("use_parallel_residual", default=False)
    qk = view.bool("qk_layernorm", default=False, field_name="qk_norm")
    return build(
        {**core, **head},
        uniform_layers(core["num_layers"], "attention", "mlp"),
        qkv_bias=view.bool("use_qkv_bias", default=False, field_name="qkv_bias"),
        qk_norm="every_head" if qk else None,
        norm_type="layernorm",
        norm_bias=True,
        norms_per_layer=1 if parallel else 2,
    )
