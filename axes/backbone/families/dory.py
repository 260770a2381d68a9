"""NVIDIA Nemotron-Labs Dory (dory): a looped normalized transformer (nGPT), its middle layers
run ``n_recurrent_loops`` times per token.

``modeling_dory.py``:
- DoryAttention (AfmoeAttention): q/k/v/o with ``attention_bias``, an output ``gate_proj``
  (hidden -> heads x head_dim, no bias), and two learned vectors of heads x head_dim
  (``sqk``, ``s_gate``); its q/k/sub norms are L2 norms without weights. ``layer_types``
  (default: full attention every fourth layer, sliding elsewhere; ``sliding_window`` 1024).
- DoryMLP: a SwiGLU of ``intermediate_size`` with ``mlp_bias`` and two scale vectors of that
  width (``suv_gate``, ``suv_up``).
- DoryDecoderLayer: four weightless L2 norms and two residual rates (``lambda_1``,
  ``lambda_2``, hidden each). DoryModel: the token table and a weightless final norm;
  DoryLMHead: ``lm_head`` (tied with ``tie_word_embeddings``) and a ``logit_scale`` (vocab)
  that is never tied.

Released config.json files (and ``DoryConfig.to_dict``) list attention and MLP as separate
blocks: ``layer_types`` alternates a layer type with "mlp" and the layer counts are doubled;
configuration_dory.py halves them back, and so does this reader.

The layers run ``n_input_layers`` once, the next ``n_recurrent_layers`` ``n_recurrent_loops``
times, the last ``n_output_layers`` once. With ``recurrent_kv_cache_mode`` "per_loop" (the
default) every run caches its own K/V (the model appends copies of the recurrent layers'
cache layers); with "last_loop" one cache per recurrent layer, written by the last loop, is
read by the earlier ones. The engine's layer pattern lists the runs: the parameters sit on
the first run of each layer, every run has its FLOPs (``reused_weights``) and, per the mode,
its KV cache (``kv_uncached``: the runs that hold none).
"""

from __future__ import annotations

from axes.backbone.errors import ConfigError
from axes.backbone.families._common import (
    MAX_LAYERS,
    build,
    default_note,
    header,
    read_core,
    read_rope,
    sliding_window,
    unwindowed,
)
from axes.backbone.layers import LAYER_TYPE_TO_MIXER, LayerSpec
from axes.backbone.params import attention_params, mlp_params
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("dory",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "dory")
    core = read_core(
        view, family="dory", tie_default=False, head_dim_default=256, max_pos_default=8192
    )
    read_rope(view, core)
    if not view.has("intermediate_size", "ffn_hidden_size", "n_inner", "ffn_dim"):
        core["intermediate_size"] = 7168  # configuration_dory.py default, not 4 x hidden
        view.notes[:] = [x for x in view.notes if not x.startswith("no intermediate_size")]
        default_note(view, "intermediate_size", 7168)
    n = core["num_layers"]
    n_in = view.int("n_input_layers", default=8)
    n_out = view.int("n_output_layers", default=8)
    n_rec = view.int("n_recurrent_layers", default=None)
    types = view.list("layer_types", field_name="layer_types")
    if types is not None and "mlp" in types:
        # configuration_dory.py: (attention, mlp) block pairs are one layer
        types = types[::2]
        n //= 2
        n_in //= 2
        n_out //= 2
        if n_rec is not None:
            n_rec //= 2
    if n_rec is None:
        n_rec = n - n_in - n_out
    if n_in + n_rec + n_out != n or n_rec < 0:
        raise ConfigError(
            "n_input_layers + n_recurrent_layers + n_output_layers must equal num_hidden_layers",
            key="n_recurrent_layers",
        )
    loops = view.int("n_recurrent_loops", default=2)
    if loops < 1:
        raise ConfigError(
            f"n_recurrent_loops must be at least 1, not {loops}", key="n_recurrent_loops"
        )
    mode = view.raw_get("recurrent_kv_cache_mode", default="per_loop")
    if mode not in ("per_loop", "last_loop"):
        raise ConfigError(
            f"recurrent_kv_cache_mode must be per_loop or last_loop, not {mode!r}",
            key="recurrent_kv_cache_mode",
        )
    if types is not None:
        if len(types) < n or not all(
            isinstance(t, str) and LAYER_TYPE_TO_MIXER.get(t) in ("attention", "sliding_attention")
            for t in types[:n]
        ):
            raise ConfigError(
                "layer_types must give full_attention or sliding_attention for every layer",
                key=view.path("layer_types") or "layer_types",
            )
        mixers = [LAYER_TYPE_TO_MIXER[t] for t in types[:n]]
    else:
        mixers = ["attention" if (i + 1) % 4 == 0 else "sliding_attention" for i in range(n)]
    window = sliding_window(view, 1024)
    mixers = unwindowed(view, mixers, window=window)  # DoryAttention: no window, full
    count = n + (loops - 1) * n_rec
    if count > MAX_LAYERS:  # checked before the list of runs is built
        raise ConfigError(
            f"n_recurrent_layers × n_recurrent_loops makes {count:,} layer runs, over the "
            f"{MAX_LAYERS:,} layers any real model has; fix the values in config.json.",
            key="n_recurrent_loops",
        )
    runs = list(range(n_in)) + list(range(n_in, n_in + n_rec)) * loops
    runs += list(range(n_in + n_rec, n))
    attention_bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    mlp_bias = view.bool("mlp_bias", default=False, field_name="mlp_bias")
    h, v = core["hidden_size"], core["vocab_size"]
    heads, hd = core["num_attention_heads"], core["head_dim"]
    width = core["intermediate_size"]
    core.update(num_layers=len(runs))
    spec = build(
        {**core, **head},
        [LayerSpec(mixers[i], "mlp") for i in runs],
        qkv_bias=attention_bias,
        o_bias=attention_bias,
        mlp_bias=mlp_bias,
        attention_gate="full",
        norm_type="nonparametric_rmsnorm",
        norms_per_layer=4,
        outer_norms=0,
        norm_placement="sandwich",
        sliding_window=window,
    )
    # sqk and s_gate; suv_gate and suv_up; lambda_1 and lambda_2
    attention, attention_weights = attention_params(spec, "attention")
    mlp = mlp_params(spec, width, gated=True, bias=mlp_bias)
    mlp_weights = 3 * h * width
    extras: list[tuple[int | None, str, int, int]] = [(None, "lm_head", v, 0)]  # logit_scale
    seen: set[int] = set()
    uncached: list[int] = []
    for index, i in enumerate(runs):
        if i in seen:
            extras.append((index, "attention", -attention, -attention_weights))
            extras.append((index, "dense_mlp", -mlp, -mlp_weights))
            continue
        seen.add(i)
        extras.append((index, "attention", 2 * heads * hd, 0))
        extras.append((index, "dense_mlp", 2 * width, 0))
        extras.append((index, "other", 2 * h, 0))
    if mode == "last_loop" and loops > 1:
        uncached = list(range(n_in, n_in + n_rec * (loops - 1)))
    spec.layer_extras = extras
    spec.reused_weights = (len(runs) - n) * (attention_weights + mlp_weights)
    spec.kv_uncached = uncached or None
    if loops > 1 and mode == "last_loop":
        view.notes.append(
            f"Dory runs its {n_rec} recurrent layers {loops} times per token: the layer "
            f"pattern lists the {len(runs)} layer runs, each with its FLOPs; the recurrent "
            "layers keep one KV cache each (recurrent_kv_cache_mode last_loop), written by the "
            "last loop and read by the earlier ones; the parameters are counted once"
        )
    elif loops > 1:
        view.notes.append(
            f"Dory runs its {n_rec} recurrent layers {loops} times per token: the layer "
            f"pattern lists the {len(runs)} layer runs, each with its own KV cache and FLOPs; "
            "the parameters are counted once"
        )
    return spec
