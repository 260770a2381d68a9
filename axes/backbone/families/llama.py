"""Dense GQA decoders with the Llama block: llama, mistral, qwen2, qwen3, smollm3.

Block (``modeling_llama.py`` LlamaDecoderLayer): input RMSNorm, q/k/v/o projections,
post-attention RMSNorm, SwiGLU MLP (gate/up/down). Differences, each from its modeling file:
- llama: ``attention_bias`` on q/k/v *and* o_proj; ``mlp_bias`` on the three MLP linears.
- mistral (``modeling_mistral.py``): no biases; ``sliding_window`` applies to every layer.
- qwen2 (``modeling_qwen2.py``): q/k/v biases always, o_proj never; sliding window only with
  ``use_sliding_window`` and from layer ``max_window_layers`` on (configuration_qwen2.py).
- qwen3 (``modeling_qwen3.py``): per-head q_norm/k_norm (head_dim each); head_dim default 128.
- smollm3 (``modeling_smollm3.py``): tied embeddings by default; ``no_rope_layers`` marks NoPE
  layers (no parameters, but a positional fact).
- ministral (``modeling_ministral.py``): no biases; sliding/full per layer from ``layer_types``
  (configuration_ministral.py default: every layer sliding when ``sliding_window`` is set).
- seed_oss (``modeling_seed_oss.py``): q/k/v bias with ``attention_bias`` (default true), o_proj
  bias with ``attention_out_bias``, ``mlp_bias``; head_dim default 128.
- helium (``modeling_helium.py``): q/k/v bias with ``attention_bias``, o_proj (hidden -> hidden)
  never; ``mlp_bias``; head_dim default 128.
- arcee (``modeling_arcee.py``): ``up_proj``/``down_proj`` only (ReLU^2, no gate), with
  ``mlp_bias``; ``attention_bias`` on q/k/v/o.
- apertus (``modeling_apertus.py``): up/down MLP without bias (xIELU, whose alpha_p/alpha_n are
  learned: counted with the MLP); per-head q_norm/k_norm; ``attention_bias`` on q/k/v/o;
  ``attention_layernorm`` / ``feedforward_layernorm`` (the two pre-norms).
"""

from __future__ import annotations

from axes.backbone.families._common import attention_mixers, build, header, read_core, read_rope
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = (
    "llama",
    "mistral",
    "qwen2",
    "qwen3",
    "smollm3",
    "ministral",
    "seed_oss",
    "helium",
    "arcee",
    "apertus",
)
_HEAD_DIM_128 = ("qwen3", "seed_oss", "helium")


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "llama")
    mt = head["model_type"]
    core = read_core(
        view,
        family=mt,
        tie_default=(mt == "smollm3"),
        head_dim_default=128 if mt in _HEAD_DIM_128 else None,
    )
    read_rope(view, core)
    n = core["num_layers"]
    extra: dict = {}
    bias = view.bool("attention_bias", default=mt == "seed_oss", field_name="attention_bias")
    if mt == "llama":
        extra.update(qkv_bias=bias, o_bias=bias, mlp_bias=view.bool("mlp_bias", default=False))
    elif mt == "smollm3":
        extra.update(qkv_bias=bias, o_bias=bias, mlp_bias=view.bool("mlp_bias", default=False))
    elif mt == "qwen2":
        extra.update(qkv_bias=True, o_bias=False)
    elif mt == "qwen3":
        extra.update(qkv_bias=bias, o_bias=bias, qk_norm="per_head")
    elif mt == "seed_oss":
        extra.update(
            qkv_bias=bias,
            o_bias=view.bool("attention_out_bias", default=False),
            mlp_bias=view.bool("mlp_bias", default=False),
        )
    elif mt == "helium":
        extra.update(qkv_bias=bias, mlp_bias=view.bool("mlp_bias", default=False))
    elif mt == "arcee":
        extra.update(
            qkv_bias=bias,
            o_bias=bias,
            mlp_bias=view.bool("mlp_bias", default=False),
            ffn_gated=False,
        )
    elif mt == "apertus":
        extra.update(qkv_bias=bias, o_bias=bias, qk_norm="per_head", ffn_gated=False)

    window = view.int("sliding_window", default=None, field_name="sliding_window")
    if mt in ("mistral", "ministral"):
        mixers = attention_mixers(view, n, default_sliding=window is not None)
    elif mt in ("qwen2", "qwen3"):
        use = view.bool("use_sliding_window", default=False)
        start = view.int("max_window_layers", default=28)
        if not use:
            window = None
        if view.has("layer_types"):
            mixers = attention_mixers(view, n)
        else:
            mixers = [
                "sliding_attention" if window is not None and i >= start else "attention"
                for i in range(n)
            ]
    elif mt == "smollm3":
        mixers = attention_mixers(view, n)
        nope = view.list("no_rope_layers", field_name="no_rope_layers")
        if nope is None:
            interval = view.int("no_rope_layer_interval", default=4)
            nope = [int((i + 1) % interval != 0) for i in range(n)]
        extra["nope_layers"] = sum(1 for x in nope[:n] if not x)  # 1 = uses RoPE
        if extra["nope_layers"]:
            extra["positional"] = "rope+nope"
    else:
        mixers = attention_mixers(view, n)
    if "sliding_attention" not in mixers:
        window = None
    layers = layers_from(mixers, "mlp")
    return build({**core, **head}, layers, sliding_window=window, **extra)
