"""Fallback for model types the engine does not know: a Llama-style decoder reading.

Everything is marked ``estimated``: attention is counted as q/k/v/o (with biases where
``attention_bias`` / ``use_bias`` / ``bias`` says so), the FFN as SwiGLU unless ``hidden_act``
names an activation that released decoders use in a plain up/down MLP (then two matrices),
MoE from the usual keys (``num_local_experts`` / ``num_experts`` / ``n_routed_experts``,
``num_experts_per_tok``, ``moe_intermediate_size``, shared experts), and ``layer_types`` /
``attn_type_list`` (MiniMax: 0 = linear "lightning" attention, 1 = softmax) for the per-layer
mix, with ``sliding_window`` on the sliding layers (none: full attention). A wrong key type is a
ConfigError; a missing optional key is a note.
"""

from __future__ import annotations

from axes.backbone.errors import ConfigError
from axes.backbone.families._common import (
    build,
    header,
    layer_types_mixers,
    read_core,
    read_rope,
    sliding_window,
    unwindowed,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES: tuple[str, ...] = ()


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "unknown")
    if head["model_type"] == "blt" and not view.has(*_HIDDEN_KEYS):
        # configuration_blt.py / modeling_blt.py: no one stack a Llama-style reading could
        # stand for, so no estimate either
        raise ConfigError(
            "model_type 'blt' (Byte Latent Transformer) is four transformers in one model: an "
            "entropy patcher, a local encoder and a local decoder that run on every byte, and a "
            "global transformer that runs once per patch, joined by cross-attention "
            "(patcher_config, encoder_config, global_config, decoder_config). The engine "
            "describes one decoder stack and cannot count this model.",
            key="model_type",
        )
    if view.has("emb_dim") and not view.has(*_HIDDEN_KEYS):
        # configuration_xlm.py / configuration_flaubert.py: emb_dim, n_layers, n_heads. The
        # refusal said "no hidden_size", as if the width were missing; it is there, in a
        # family whose model (modeling_xlm.py XLMWithLMHeadModel: a post-LN masked-LM encoder
        # unless causal, language embeddings, an optional adaptive softmax) the engine has no
        # reading of
        raise ConfigError(
            f"model_type {head['model_type']!r} is an XLM model (emb_dim, n_layers, n_heads): "
            "a transformer trained as a masked language model, with language "
            "embeddings and an optional adaptive-softmax head (modeling_xlm.py), which the "
            "engine does not count. Analyze a decoder-only model instead.",
            key="model_type",
        )
    split = [k for k in _SPLIT_LAYER_KEYS if view.has(k)]
    encoder_decoder = view.raw.get("is_encoder_decoder") is True
    if encoder_decoder or (split and not view.has(*_LAYER_KEYS)):
        # BART, Whisper, Marian, Pegasus, ProphetNet, TrOCR, MusicGen ...: their depth is
        # an encoder's and a decoder's (whose layers also attend to the encoder), not one
        # stack's; it said "config.json has no num_hidden_layers". T5 (mt5, umt5, longt5,
        # switch_transformers) writes its encoder's depth as num_layers: counted as one
        # decoder-only stack, its figures were half a model's.
        keys = ", ".join(split) if split else "is_encoder_decoder: true"
        raise ConfigError(
            f"config.json describes an encoder-decoder model or its decoder ({keys}), not "
            "one decoder-only stack with num_hidden_layers; the engine counts decoder-only "
            "models and cannot count this one.",
            key=split[0] if split else "is_encoder_decoder",
        )
    _per_layer_widths(view)
    core = read_core(view, family="generic", tie_default=False)
    read_rope(view, core)
    n = core["num_layers"]
    mixers = layer_types_mixers(view, n)
    attn_types = view.list("attn_type_list", field_name="layer_types")
    if mixers is None and attn_types is not None and len(attn_types) >= n:
        mixers = ["attention" if t == 1 else "linear_attention" for t in attn_types[:n]]
    if mixers is None:
        mixers = ["attention"] * n
    window = sliding_window(view, None)
    mixers = unwindowed(view, mixers, window=window)
    experts = view.int(
        "num_local_experts",
        "num_experts",
        "n_routed_experts",
        "moe_num_experts",
        default=0,
        field_name="num_experts",
    )
    first_dense = view.int("first_k_dense_replace", default=0, field_name="first_k_dense")
    moe_inter = view.int(
        "moe_intermediate_size",
        default=core["intermediate_size"],
        field_name="moe_intermediate_size",
    )
    shared_n = view.int("n_shared_experts", "num_shared_experts", default=0)
    shared_inter = view.int(
        "shared_intermediate_size", "shared_expert_intermediate_size", default=moe_inter * shared_n
    )
    layers = layers_from(
        mixers, ["moe" if experts and i >= first_dense else "mlp" for i in range(len(mixers))]
    )
    gated = core["hidden_act"] not in _PLAIN_MLP_ACTIVATIONS
    bias = view.bool("attention_bias", "use_bias", "bias", default=False)
    spec = build(
        {**core, **head},
        layers,
        ffn_gated=gated,
        qkv_bias=bias,
        o_bias=bias,
        mlp_bias=view.bool("mlp_bias", "use_bias", "bias", default=False),
        num_experts=experts,
        experts_per_token=view.int(
            "num_experts_per_tok", "moe_top_k", "top_k", default=0, field_name="experts_per_token"
        ),
        moe_intermediate_size=moe_inter if experts else None,
        num_shared_experts=shared_n if shared_inter else 0,
        shared_expert_intermediate_size=shared_inter,
        first_k_dense=first_dense,
        sliding_window=window if "sliding_attention" in mixers else None,
        linear_num_key_heads=core["num_attention_heads"],
        linear_num_value_heads=core["num_attention_heads"],
        linear_key_head_dim=core["head_dim"],
        linear_value_head_dim=core["head_dim"],
        linear_attention_kind="softmax_like",
        linear_conv_kernel=0,
        estimated=True,
    )
    if gated:
        spec.notes.append(
            f"model_type {head['model_type']!r} is not one of the families the engine mirrors "
            "exactly; counted as a Llama-style decoder (q/k/v/o, SwiGLU, RMSNorm), so every "
            "figure is an estimate"
        )
    else:
        spec.notes.append(
            f"model_type {head['model_type']!r} is not one of the families the engine mirrors "
            "exactly; counted as a Llama-style decoder (q/k/v/o, RMSNorm) with a plain up/down "
            f"MLP, as hidden_act {core['hidden_act']!r} suggests, so every figure is an estimate"
        )
    if "linear_attention" in mixers:
        spec.notes.append(
            "linear-attention layers are counted like softmax attention (q/k/v/o); their "
            "extra gates and norms are not modelled"
        )
    return spec


_HIDDEN_KEYS = ("hidden_size", "n_embd", "d_model", "dim", "n_embed")
_LAYER_KEYS = ("num_hidden_layers", "n_layer", "num_layers", "n_layers")
_SPLIT_LAYER_KEYS = ("encoder_layers", "decoder_layers", "num_encoder_layers", "num_decoder_layers")

# Activations that released decoders use in a plain up/down MLP: GELU/ReLU (GPT-2, GPT-NeoX,
# Phi, OPT), squared ReLU (Nemotron, Persimmon, Arcee; BitNet's gated one is the exception) and
# Apertus's xIELU. SiLU/Swish is the gated SwiGLU of the Llama line, and gelu_pytorch_tanh is
# mostly Gemma's gated GeGLU (StarCoder 2's plain MLP is the exception), so both stay gated.
_PLAIN_MLP_ACTIVATIONS = frozenset(
    {"gelu", "gelu_new", "gelu_fast", "gelu_python", "quick_gelu", "relu", "relu2", "xielu"}
)


def _per_layer_widths(view: ConfigView) -> None:
    """An ``intermediate_size`` list (one FFN width per layer, as Gemma 3n writes it) is read
    as its mean width: the FFN parameters of a uniform stack at that width are the list's
    (within rounding), which is as far as a Llama-style reading goes."""
    widths = view.raw_get("intermediate_size")
    if not isinstance(widths, list):
        return
    where = view.path("intermediate_size") or "intermediate_size"
    if not widths or not all(type(w) is int and w >= 0 for w in widths):
        raise ConfigError(
            f"{where} must be an integer or a list of integers, one per layer; fix it in "
            "config.json.",
            key=where,
        )
    mean = round(sum(widths) / len(widths))
    if where.startswith("text_config."):
        view.raw = {**view.raw, "text_config": {**view.text, "intermediate_size": mean}}
    else:
        view.raw = {**view.raw, "intermediate_size": mean}
    view.notes.append(
        f"{where} lists a width per layer; counted at their mean, {mean:,}, in every layer"
    )
