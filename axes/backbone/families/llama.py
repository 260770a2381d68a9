"""Dense GQA decoders with the Llama block: llama, mistral, qwen2, qwen3, smollm3 and kin.

Block (``modeling_llama.py`` LlamaDecoderLayer): input RMSNorm, q/k/v/o projections,
post-attention RMSNorm, SwiGLU MLP (gate/up/down). Differences, each from its modeling file:
- llama: ``attention_bias`` on q/k/v *and* o_proj; ``mlp_bias`` on the three MLP linears;
  full attention in every layer (modeling_llama.py reads neither layer_types nor sliding_window).
- mistral (``modeling_mistral.py``): no biases; ``sliding_window`` (MistralConfig default 4096,
  null: none) applies to every layer; layer_types is not read.
- qwen2 (``modeling_qwen2.py``): q/k/v biases always, o_proj never; sliding window only with
  ``use_sliding_window``, on the layers ``layer_types`` marks sliding_attention (default: from
  layer ``max_window_layers`` on, configuration_qwen2.py).
- qwen3 (``modeling_qwen3.py``): per-head q_norm/k_norm (head_dim each); head_dim default 128;
  sliding layers as qwen2.
- smollm3 (``modeling_smollm3.py``): tied embeddings by default; ``no_rope_layers`` marks NoPE
  layers (no parameters, but a positional fact); a layer slides only with ``use_sliding_window``
  and ``layer_types`` (default: the NoPE layers, configuration_smollm3.py) marking it.
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
- granite (``modeling_granite.py``): the llama block; the embedding/residual/attention/logits
  multipliers are scalars, not parameters.
- internlm3, exaone, iquestcoder: transformers builds them with ``LlamaForCausalLM`` from their
  own config classes (internlm3: ``qkv_bias`` / ``bias`` are aliases of ``attention_bias`` /
  ``mlp_bias``, head_dim default 128; exaone: ``num_layers``, ``layer_norm_epsilon``,
  ``activation_function`` aliases; iquestcoder: head_dim default 128).
- ernie4_5 (``modeling_ernie4_5.py``): ``use_bias`` on q/k/v/o and the three MLP linears; tied
  embeddings and head_dim 128 by default.
- glm (``modeling_glm.py``): q/k/v bias with ``attention_bias`` (default true), o_proj never;
  gate and up fused into one ``gate_up_proj`` (the same count); head_dim default 128.
- hunyuan_v1_dense (``modeling_hunyuan_v1_dense.py``): ``attention_bias`` on q/k/v/o; per-head
  ``query_layernorm`` / ``key_layernorm`` (head_dim each).
- seed_oss, helium, arcee, apertus and the types above, like llama, read neither layer_types
  nor sliding_window.
- ministral3 (``modeling_ministral3.py``): the mistral block (no biases, ``sliding_window`` on
  every layer; configuration_ministral3.py default null), head_dim default 128.
- cwm (``modeling_cwm.py``): q/k/v/o without bias (the config has no attention_bias), the Llama
  MLP with ``mlp_bias``; head_dim default 128; ``layer_types`` (configuration_cwm.py default:
  full when ``i % 4 == 0``, else sliding, ``sliding_window`` 8192).
- granite_swa (``modeling_granite_swa.py``): the granite block plus a learned sink logit per
  head in every attention; ``layer_types`` (default: full when ``i % 4 == 0``, else sliding,
  ``sliding_window`` 128); tied embeddings by default.
- hyperclovax (``modeling_hyperclovax.py``): the granite block plus, with ``use_post_norm``
  (default true), post_norm1 / post_norm2 after the attention and the MLP (4 norms a layer).
- bitnet (``modeling_bitnet.py``): ``attention_bias`` on q/k/v/o, a gated MLP without bias;
  ``attn_sub_norm`` (hidden) before o_proj and ``ffn_sub_norm`` (intermediate) before
  down_proj in every layer.
- diffllama (``modeling_diffllama.py``): ``attention_bias`` on q/k/v/o; the differential
  attention's lambda_q1/k1/q2/k2 (head_dim each); its groupnorm has no weight.
- jais2 (``modeling_jais2.py``): ``attention_bias`` on q/k/v/o, up/down MLP (ReLU^2) with
  ``mlp_bias`` (both default true), LayerNorms with bias.
- nanochat (``modeling_nanochat.py``): ``attention_bias`` on q/k/v/o; fc1/fc2 MLP (ReLU^2)
  without bias; every norm (input, post-attention, q/k, final) is an RMS norm without weight.
- apertus1p5_text (``modeling_apertus1p5.py`` Apertus1p5TextForCausalLM): the apertus block;
  ``output_vocab_size`` (when set) is the lm_head's width.
- emu3_text_model (``modeling_emu3.py`` Emu3TextModel, the text model of the ``emu3`` wrapper,
  families/emu3.py): the llama block (``attention_bias``, ``mlp_bias``).
"""

from __future__ import annotations

from axes.backbone.families._common import (
    attention_mixers,
    build,
    header,
    layer_types_mixers,
    read_core,
    read_rope,
    sliding_window,
    uniform_attention,
    unwindowed,
)
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
    "granite",
    "internlm3",
    "exaone",
    "iquestcoder",
    "ernie4_5",
    "glm",
    "hunyuan_v1_dense",
    "ministral3",
    "cwm",
    "granite_swa",
    "hyperclovax",
    "bitnet",
    "diffllama",
    "jais2",
    "nanochat",
    "apertus1p5_text",
    "emu3_text_model",
)
_HEAD_DIM_128 = (
    "qwen3",
    "seed_oss",
    "helium",
    "internlm3",
    "iquestcoder",
    "ernie4_5",
    "glm",
    "ministral3",
    "cwm",
)
# built by LlamaForCausalLM (attention_bias on q/k/v/o, mlp_bias), with their own config classes;
# granite_swa / hyperclovax: the granite block (itself the llama one) with one extra part each
_LLAMA_BLOCK = (
    "llama",
    "granite",
    "internlm3",
    "exaone",
    "iquestcoder",
    "granite_swa",
    "hyperclovax",
    "emu3_text_model",
)
# q/k/v/o with attention_bias, the MLP without a bias switch (bitnet: GemmaMLP; nanochat: fc1/fc2)
_QKVO_BIAS = ("bitnet", "diffllama", "nanochat")
# max_position_embeddings defaults of the configuration_<type>.py files
MAX_POSITIONS = {
    "llama": 2048,
    "mistral": 4096 * 32,
    "qwen2": 32768,
    "qwen3": 32768,
    "smollm3": 32768,
    "ministral": 4096 * 32,
    "seed_oss": 524288,
    "helium": 4096,
    "arcee": 4096,
    "apertus": 65536,
    "granite": 2048,
    "internlm3": 32768,
    "exaone": 4096,
    "iquestcoder": 131072,
    "ernie4_5": 131072,
    "glm": 131072,
    "hunyuan_v1_dense": 2048,
    "ministral3": 262144,
    "cwm": 131072,
    "granite_swa": 8192,
    "hyperclovax": 2048,
    "bitnet": 2048,
    "diffllama": 2048,
    "jais2": 8192,
    "nanochat": 2048,
    "apertus1p5_text": 65536,
    "emu3_text_model": 9216,
}
# modeling_<module>.py of the types whose module is not named after them
_MODULES = {"apertus1p5_text": "apertus1p5", "emu3_text_model": "emu3"}
# every fourth layer full (i % 4 == 0), the rest sliding: configuration_cwm.py and
# configuration_granite_swa.py defaults, with their sliding_window defaults
_EVERY_FOURTH_FULL = {"cwm": 8192, "granite_swa": 128}


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "llama")
    mt = head["model_type"]
    core = read_core(
        view,
        family=mt,
        tie_default=mt in ("smollm3", "ernie4_5", "granite_swa"),
        head_dim_default=128 if mt in _HEAD_DIM_128 else None,
        max_pos_default=MAX_POSITIONS.get(mt),
    )
    read_rope(view, core)
    n = core["num_layers"]
    extra: dict = {}
    bias = view.bool(
        "attention_bias",
        *(("qkv_bias",) if mt == "internlm3" else ()),
        default=mt in ("seed_oss", "glm"),
        field_name="attention_bias",
    )
    if mt in _LLAMA_BLOCK:
        mlp_bias = view.bool("mlp_bias", *(("bias",) if mt == "internlm3" else ()), default=False)
        extra.update(qkv_bias=bias, o_bias=bias, mlp_bias=mlp_bias)
        if mt == "granite_swa":
            extra["attention_sinks"] = True  # GraniteSWAAttention.sinks (num_attention_heads)
        elif mt == "hyperclovax" and view.bool("use_post_norm", default=True):
            extra.update(norms_per_layer=4, norm_placement="sandwich")
    elif mt == "ernie4_5":
        use_bias = view.bool("use_bias", default=False, field_name="attention_bias")
        extra.update(qkv_bias=use_bias, o_bias=use_bias, mlp_bias=use_bias)
    elif mt == "glm":
        extra.update(qkv_bias=bias, o_bias=False)
    elif mt == "hunyuan_v1_dense":
        extra.update(qkv_bias=bias, o_bias=bias, qk_norm="per_head")
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
        # modeling_helium.py HeliumAttention: o_proj = Linear(hidden_size, hidden_size), not
        # heads x head_dim -> hidden (the two differ when head_dim is set apart from hidden)
        q_width = core["num_attention_heads"] * core["head_dim"]
        if q_width != core["hidden_size"]:
            extra["o_proj_in"] = core["hidden_size"]
            # the attention output is heads x head_dim wide, o_proj takes hidden_size: the
            # model builds (and is counted so) but its forward pass fails on the matmul
            view.notes.append(
                f"num_attention_heads × head_dim ({q_width}) is not hidden_size "
                f"({core['hidden_size']}): modeling_helium.py builds o_proj from hidden_size, "
                "so the count follows it, but transformers cannot run a forward pass of this "
                "config"
            )
    elif mt == "arcee":
        extra.update(
            qkv_bias=bias,
            o_bias=bias,
            mlp_bias=view.bool("mlp_bias", default=False),
            ffn_gated=False,
        )
    elif mt in ("apertus", "apertus1p5_text"):
        if core["hidden_act"] is None:  # ApertusConfig: xielu, whose alpha_p/alpha_n are params
            core["hidden_act"] = "xielu"
        extra.update(qkv_bias=bias, o_bias=bias, qk_norm="per_head", ffn_gated=False)
        if mt == "apertus1p5_text":
            out = view.int("output_vocab_size", default=None, field_name="lm_head_vocab")
            if out and out != core["vocab_size"]:
                extra["lm_head_vocab"] = out
    elif mt in _QKVO_BIAS:
        extra.update(qkv_bias=bias, o_bias=bias)
        hd = core["head_dim"]
        if mt == "bitnet":  # attn_sub_norm (hidden), ffn_sub_norm (intermediate)
            extra.update(norms_per_layer=3, layer_extra_norms=core["intermediate_size"])
        elif mt == "diffllama":  # lambda_q1, lambda_k1, lambda_q2, lambda_k2
            extra["attention_extra"] = 4 * hd
        else:  # nanochat
            extra.update(ffn_gated=False, norm_type="nonparametric_rmsnorm")
    elif mt == "jais2":
        extra.update(
            qkv_bias=view.bool("attention_bias", default=True, field_name="attention_bias"),
            mlp_bias=view.bool("mlp_bias", default=True),
            ffn_gated=False,
            norm_type="layernorm",
            norm_bias=True,
        )
        extra["o_bias"] = extra["qkv_bias"]
    elif mt == "cwm":
        extra["mlp_bias"] = view.bool("mlp_bias", default=False)
    # ministral3: the mistral block, no biases

    window = None
    if mt == "mistral" or mt == "ministral3":
        window = sliding_window(view, 4096 if mt == "mistral" else None)
        mixers = uniform_attention(view, n, module=mt, sliding=window is not None)
    elif mt == "ministral":  # modeling_ministral.py reads layer_types
        window = view.int("sliding_window", default=None, field_name="sliding_window")
        mixers = attention_mixers(view, n, default_sliding=window is not None)
    elif mt in ("qwen2", "qwen3"):
        use = view.bool("use_sliding_window", default=False)
        start = view.int("max_window_layers", default=28)
        if use:
            window = sliding_window(view, 4096)
        mixers = layer_types_mixers(view, n) or [
            "sliding_attention" if window is not None and i >= start else "attention"
            for i in range(n)
        ]
        mixers = unwindowed(view, mixers, window=window, reason="null" if use else "disabled")
    elif mt == "smollm3":
        use = view.bool("use_sliding_window", default=False)
        if use:
            window = sliding_window(view, None)
        nope = view.list("no_rope_layers", field_name="no_rope_layers")
        if nope is None:
            interval = view.int("no_rope_layer_interval", default=4)
            nope = [int((i + 1) % interval != 0) for i in range(n)]
        mixers = layer_types_mixers(view, n) or [
            "sliding_attention" if window is not None and not rope else "attention"
            for rope in (nope + [1] * n)[:n]
        ]
        mixers = unwindowed(view, mixers, window=window, reason="null" if use else "disabled")
        extra["nope_layers"] = sum(1 for x in nope[:n] if not x)  # 1 = uses RoPE
        if extra["nope_layers"]:
            extra["positional"] = "rope+nope"
    elif mt in _EVERY_FOURTH_FULL:  # modeling_cwm.py / modeling_granite_swa.py read layer_types
        window = sliding_window(view, _EVERY_FOURTH_FULL[mt]) or None  # 0 is no window (cwm)
        mixers = layer_types_mixers(view, n) or [
            "attention" if i % 4 == 0 else "sliding_attention" for i in range(n)
        ]
        mixers = unwindowed(view, mixers, window=window)
    else:  # llama and the llama-built types, seed_oss, helium, arcee, apertus, ernie4_5, ...
        built_by_llama = mt in ("internlm3", "exaone", "iquestcoder")
        module = mt if mt == "llama" else _MODULES.get(mt, mt)
        mixers = uniform_attention(view, n, module="llama" if built_by_llama else module)
    if "sliding_attention" not in mixers:
        window = None
    layers = layers_from(mixers, "mlp")
    return build({**core, **head}, layers, sliding_window=window, **extra)
