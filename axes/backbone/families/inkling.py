"""Thinking Machines' Inkling (inkling_text), Inkling-2 (inkling2_text) and Inkling-2 Loop
(inkling2_loop_text): attention layers with short convolutions and a learned relative position
bias, sliding-window and full layers with their own heads, MoE feed-forwards.

``modeling_inkling.py`` (InklingForCausalLM):
- InklingNormedEmbedding: the token table and an RMSNorm(hidden) on its output; the final norm;
  an untied ``lm_head`` of ``vocab_size`` rows (``_tied_weights_keys`` is empty: the checkpoint
  holds separate ``embed`` / ``unembed`` tensors, whatever ``tie_word_embeddings`` says).
- InklingAttention: a ``hybrid_sliding`` layer has ``swa_num_attention_heads``,
  ``swa_num_key_value_heads`` and ``swa_head_dim``, a ``hybrid`` layer the plain ones; q/k/v/o
  without bias, ``r_proj`` (hidden -> heads x ``d_rel``), depthwise causal convolutions on K
  and V (``conv_kernel_size`` taps a channel, no bias), q/k RMSNorm(head_dim), and the relative
  bias bank ``proj`` (d_rel x extent; the extent is ``sliding_window_size`` in a sliding layer,
  ``rel_extent`` in a full one).
- InklingDecoderLayer: two RMSNorms and two more depthwise convolutions (hidden wide) after
  the attention and after the MLP. ``mlp_layer_types`` "sparse" (the default): InklingMoE, a
  router scoring the routed and the shared experts (``(n_routed + n_shared) x hidden`` and a
  ``global_scale``), the routed experts and ``n_shared_experts`` shared experts of
  ``moe_intermediate_size``; "dense": a SwiGLU of ``intermediate_size`` with a ``global_scale``.

``modeling_inkling2.py`` (Inkling2ForCausalLM), the same attention kinds reworked:
- q: a linear and a learned per-head scale before an L2 clip; k / v: a linear and a
  convolution (sliding layers: depthwise, as above; full layers: ``static_weight`` taps plus
  taps projected from the layer input, hidden -> K/V heads x ``conv_kernel_size``); an output
  gate (hidden -> heads x head_dim) before o; ``sink_proj`` (hidden -> heads); the relative
  bias's own linear (hidden -> heads x d_rel), a per-head scale and the bank.
- Block attention residuals: a learned query (hidden) mixes the earlier blocks'
  outputs before the attention (three queries in a full layer, for q, k and v; none in layer
  0), before the MLP and before the final norm (``final_input``). A sliding layer has two
  RMSNorms, a full layer four (q, k and v inputs, post-attention). Every layer is MoE
  (router ``n_routed_experts x hidden``, no shared expert); the ``lm_head`` has
  ``unpadded_vocab_size`` rows.
- Inkling-2 Loop: layers ``loop_layer_index_start`` to ``loop_layer_index_end - 1`` run
  ``loop_num_passes`` times per token, each pass caching its own K/V and conv states (the
  model appends copies of those cache layers); looped layers hold four message gates (2 x
  hidden -> ``loop_gate_rank``, then rank -> hidden twice), run from the second pass on, and
  the model a ``message_input`` query bank (looped layers x 4 x hidden).

Every layer caches four conv states of ``conv_kernel_size`` inputs (K, V, after the
attention, after the MLP), in fp32: ``fp32_conv_state``. The engine's attention figures read
a sliding layer's K/V heads and head_dim from ``num_kv_heads`` / ``head_dim`` and a full
layer's from ``global_num_kv_heads`` / ``global_head_dim``; every parameter beyond q/k/v/o and
the plain MoE is counted here, layer by layer, in ``layer_extras``.
"""

from __future__ import annotations

from typing import Any

from axes.backbone.errors import ConfigError
from axes.backbone.families._common import MAX_LAYERS, build, default_note, header, read_core
from axes.backbone.layers import LayerSpec
from axes.backbone.params import attention_params, mlp_params, moe_layer_params
from axes.backbone.spec import ArchSpec, ConfigView, _as_int

MODEL_TYPES = ("inkling_text", "inkling2_text", "inkling2_loop_text")

# configuration_inkling*.py defaults: (inkling_text, inkling2_text, inkling2_loop_text)
_DEFAULTS: dict[str, dict[str, Any]] = {
    "inkling_text": {
        "swa_heads": 64,
        "swa_kv": 16,
        "window": 512,
        "max_pos": 131072,
        "experts": 256,
        "top_k": 6,
        "moe_width": 3072,
    },
    "inkling2_text": {
        "swa_heads": 48,
        "swa_kv": 8,
        "window": 1024,
        "max_pos": 1048576,
        "experts": 384,
        "top_k": 8,
        "moe_width": 2304,
    },
    "inkling2_loop_text": {
        "swa_heads": 24,
        "swa_kv": 8,
        "window": 1024,
        "max_pos": 1048576,
        "experts": 128,
        "top_k": 8,
        "moe_width": 1152,
    },
}

Parts = dict[str, list[int]]  # component -> [params, matmul weights]


def _add(parts: Parts, component: str, params: int, weights: int = 0) -> None:
    cell = parts.setdefault(component, [0, 0])
    cell[0] += params
    cell[1] += weights


def _positive(view: ConfigView, names: tuple[str, ...], default: int) -> int:
    value = view.int(*names, default=default)
    if value <= 0:
        path = view.path(*names) or names[0]
        raise ConfigError(f"{path} must be positive, not {value}", key=path)
    return value


def _sliding_flags(view: ConfigView, n: int, version: int) -> list[bool]:
    """True for a ``hybrid_sliding`` layer. ``layer_types`` when given (any other string is a
    full layer, as the modeling code tests for "hybrid_sliding" only); else Inkling's
    ``local_layer_ids``, else every layer but each sixth."""
    types = view.list("layer_types", field_name="layer_types")
    if types is not None:
        if len(types) < n or not all(isinstance(t, str) for t in types[:n]):
            raise ConfigError(
                "layer_types must give hybrid or hybrid_sliding for every layer",
                key=view.path("layer_types") or "layer_types",
            )
        return [t == "hybrid_sliding" for t in types[:n]]
    if version == 1:
        ids = view.list("local_layer_ids", field_name="layer_types")
        if ids is not None:
            if not all(type(i) is int for i in ids):
                raise ConfigError(
                    "local_layer_ids must list layer indices",
                    key=view.path("local_layer_ids") or "local_layer_ids",
                )
            local = set(ids)
            return [i in local for i in range(n)]
    return [(i + 1) % 6 != 0 for i in range(n)]


def _dense_flags(view: ConfigView, n: int) -> list[bool]:
    """Inkling: True for a dense MLP layer (``mlp_layer_types`` "dense", else the first
    ``dense_mlp_idx`` layers)."""
    kinds = view.list("mlp_layer_types", field_name="mlp_layer_types")
    if kinds is not None:
        if len(kinds) < n or not all(isinstance(k, str) for k in kinds[:n]):
            raise ConfigError(
                "mlp_layer_types must give dense or sparse for every layer",
                key=view.path("mlp_layer_types") or "mlp_layer_types",
            )
        return [k != "sparse" for k in kinds[:n]]
    first = view.int("dense_mlp_idx", default=0)
    return [i < first for i in range(n)]


def read(view: ConfigView) -> ArchSpec:
    mt = str(view.raw.get("model_type") or view.text.get("model_type") or "inkling_text")
    kind = mt if mt in _DEFAULTS else "inkling_text"
    version = 1 if kind == "inkling_text" else 2
    d = _DEFAULTS[kind]
    head = header(view, kind)
    core = read_core(
        view, family="inkling", tie_default=False, head_dim_default=128, max_pos_default=None
    )
    if "max_position_embeddings" not in view.sources:
        if view.has("model_max_length"):
            core["max_position_embeddings"] = view.int(
                "model_max_length", field_name="max_position_embeddings"
            )
        else:
            core["max_position_embeddings"] = d["max_pos"]
            default_note(view, "max_position_embeddings", d["max_pos"])
    core["tied_embeddings"] = False  # _tied_weights_keys = {}: never tied
    n, h = core["num_layers"], core["hidden_size"]
    heads, kv, hd = core["num_attention_heads"], core["num_kv_heads"], core["head_dim"]
    for field, value in (("num_attention_heads", heads), ("num_kv_heads", kv), ("head_dim", hd)):
        if value <= 0:
            path = view.sources.get(field, field)
            raise ConfigError(
                f"{path} must be positive for a model with attention layers, not {value}",
                key=path,
            )
    swa_heads = _positive(view, ("swa_num_attention_heads",), d["swa_heads"])
    swa_kv = _positive(view, ("swa_num_key_value_heads",), d["swa_kv"])
    swa_hd = _positive(view, ("swa_head_dim",), 128)
    if swa_heads % swa_kv:
        raise ConfigError(
            f"swa_num_attention_heads ({swa_heads}) is not a multiple of "
            f"swa_num_key_value_heads ({swa_kv})",
            key="swa_num_key_value_heads",
        )
    window = _positive(view, ("sliding_window_size", "sliding_window"), d["window"])
    view.sources["sliding_window"] = view.path("sliding_window_size", "sliding_window") or (
        "sliding_window_size"
    )
    d_rel = view.int("d_rel", default=16)
    extent = view.int("rel_extent", default=1024)
    conv = _positive(view, ("conv_kernel_size", "sconv_kernel_size"), 4)
    experts = _positive(view, ("n_routed_experts", "num_local_experts"), d["experts"])
    top_k = _positive(view, ("num_experts_per_tok",), d["top_k"])
    if version == 1:
        # InklingTopkRouter slices scores[..., :-n_shared_experts]: at least one
        shared = _positive(view, ("n_shared_experts",), 2)
        moe_width = view.int("moe_intermediate_size", default=d["moe_width"])
        dense_width = view.int("intermediate_size", default=24576)
        if view.has("dense_intermediate_size"):  # configuration_inkling.py: checkpoint naming
            moe_width = dense_width
            dense_width = view.int("dense_intermediate_size")
        dense = _dense_flags(view, n)
        lm_rows = core["vocab_size"]
    else:
        shared = 0
        moe_width = view.int("moe_intermediate_size", "intermediate_size", default=d["moe_width"])
        dense_width = moe_width
        dense = [False] * n
        lm_rows = _positive(view, ("unpadded_vocab_size",), 200058)
        # the config class aliases intermediate_size to moe_intermediate_size: no dense width
        view.notes[:] = [x for x in view.notes if not x.startswith("no intermediate_size")]
    sliding = _sliding_flags(view, n, version)

    # looped layers (inkling2_loop_text): the pattern lists every run, as transformers caches
    loop_start = loop_end = 0
    passes = 1
    gate_rank = 0
    if kind == "inkling2_loop_text":
        loop = view.raw_get("loop_config")
        loop = loop if isinstance(loop, dict) else {}
        block = view.int("n_layers_per_attn_res_block", default=6)
        loop_start = _loop_int(view, loop, "loop_layer_index_start", "core_start", 6)
        loop_end = _loop_int(view, loop, "loop_layer_index_end", "core_end", 18)
        passes = _loop_int(view, loop, "loop_num_passes", "num_passes", 3)
        gate_rank = _loop_int(view, loop, "loop_gate_rank", "gate_rank", 64)
        if passes < 1 or loop_start <= 0 or loop_end > n or loop_end < loop_start:
            raise ConfigError(
                "loop_layer_index_start, loop_layer_index_end and loop_num_passes must name "
                f"looped layers after the first among the {n} layers, run at least once",
                key="loop_layer_index_start",
            )
        if block <= 0 or loop_start % block or loop_end % block:
            raise ConfigError(
                "loop_layer_index_start and loop_layer_index_end must be multiples of "
                "n_layers_per_attn_res_block",
                key="loop_layer_index_start",
            )
    looped = loop_end - loop_start
    count = n + (passes - 1) * looped
    if count > MAX_LAYERS:  # checked before the list of runs is built
        raise ConfigError(
            f"the looped layers make {count:,} layer runs, over the {MAX_LAYERS:,} "
            "layers any real model has; fix the values in config.json.",
            key="loop_num_passes",
        )
    runs = list(range(loop_start)) + list(range(loop_start, loop_end)) * passes
    runs += list(range(loop_end, n))

    layers = [
        LayerSpec("sliding_attention" if sliding[i] else "attention", "mlp" if dense[i] else "moe")
        for i in runs
    ]
    spec = build(
        {
            **core,
            **head,
            "num_layers": len(runs),
            "num_attention_heads": heads,
            "num_kv_heads": swa_kv,
            "head_dim": swa_hd,
            "intermediate_size": dense_width,
        },
        layers,
        global_num_kv_heads=kv,
        global_head_dim=hd,
        sliding_window=window,
        positional="relative_bias",  # a learned relative position bias, no RoPE
        norms_per_layer=0,
        outer_norms=0,
        lm_head_vocab=lm_rows,
        num_experts=experts,
        experts_per_token=top_k,
        moe_intermediate_size=moe_width,
        num_shared_experts=shared,
        shared_expert_intermediate_size=shared * moe_width,
        router_params=(experts + shared) * h,
        router_scoring="sigmoid",
        norm_topk_prob=True,
    )

    # the exact layers, then what the engine's base blocks (q/k/v/o, a plain MoE or SwiGLU)
    # already count: layer_extras hold the difference, component by component
    def layer_parts(i: int, *, messages: bool) -> Parts:
        s = sliding[i]
        nh, nkv, dim = (swa_heads, swa_kv, swa_hd) if s else (heads, kv, hd)
        bank = d_rel * (window if s else extent)
        q, kvw = nh * dim, nkv * dim
        parts: Parts = {}
        if version == 1:
            weights = 2 * h * q + 2 * h * kvw + h * nh * d_rel  # q, o, k, v, r_proj
            _add(parts, "attention", weights + 2 * kvw * conv + 2 * dim + bank, weights)
            _add(parts, "other", 2 * h * conv)  # attn_sconv, mlp_sconv
            _add(parts, "norms", 2 * h)
        else:
            # q, gate, o; k, v; sink_proj; the relative bias's linear
            weights = 3 * h * q + 2 * h * kvw + h * nh + h * nh * d_rel
            conv_params = 2 * kvw * conv  # depthwise taps, or the full layer's static taps
            if not s:
                weights += 2 * h * nkv * conv  # the full layer's dynamic tap projections
            extra = q + nh * d_rel + bank + conv_params  # q scale, rel scale, bank
            _add(parts, "attention", weights + extra, weights)
            queries = (1 if s else 3) if i > 0 else 0  # attention_input
            _add(parts, "other", 2 * h * conv + (queries + 1) * h)  # convs, mlp_input
            _add(parts, "norms", (2 if s else 4) * h)
            if messages:  # four Inkling2LoopMessageGate
                gates = 4 * (2 * h * gate_rank + 2 * gate_rank * h)
                _add(parts, "other", gates, gates)
        if dense[i]:
            _add(parts, "dense_mlp", 3 * h * dense_width + 1, 3 * h * dense_width)
        else:
            routed = experts * 3 * h * moe_width
            _add(parts, "routed_experts", routed, routed)
            _add(parts, "router", (experts + shared) * h + (1 if version == 1 else 0))
            if shared:
                _add(
                    parts, "shared_experts", 3 * h * shared * moe_width, 3 * h * shared * moe_width
                )
        return parts

    moe_base = moe_layer_params(spec)
    dense_base = mlp_params(spec, dense_width, gated=True, bias=False)
    bases: dict[LayerSpec, Parts] = {}
    for layer in set(layers):
        base: Parts = {}
        params, weights = attention_params(spec, layer.mixer)
        _add(base, "attention", params, weights)
        if layer.ffn == "mlp":
            _add(base, "dense_mlp", dense_base, 3 * h * dense_width)
        else:
            for component, value in moe_base.items():
                if value:
                    matmul = value if component in ("routed_experts", "shared_experts") else 0
                    _add(base, component, value, matmul)
        bases[layer] = base

    extras: list[tuple[int | None, str, int, int]] = []
    seen: set[int] = set()
    reused_weights = reused_inactive = 0
    per_expert = 3 * h * moe_width
    active_routed = min(top_k, experts) * per_expert
    for index, (i, layer) in enumerate(zip(runs, layers, strict=True)):
        first = i not in seen
        seen.add(i)
        own = layer_parts(i, messages=loop_start <= i < loop_end)
        target = own if first else {}
        base = bases[layer]
        for component in {*base, *target}:
            tp, tw = target.get(component, (0, 0))
            bp, bw = base.get(component, (0, 0))
            if tp != bp or tw != bw:
                extras.append((index, component, tp - bp, tw - bw))
        if not first:
            # a later pass: the layer's attention and message gates, the router, k experts
            ran = layer_parts(i, messages=True)
            reused_weights += sum(w for c, (_, w) in ran.items() if c != "routed_experts")
            reused_weights += ran["router"][0] + active_routed
            reused_inactive += (experts - min(top_k, experts)) * per_expert
        elif loop_start <= i < loop_end:
            # the first pass holds the message gates but does not run them
            gates = 4 * (2 * h * gate_rank + 2 * gate_rank * h)
            reused_weights -= gates
    extras.append((None, "norms", 2 * h, 0))  # embed_tokens.embed_norm, norm
    if version == 2:
        extras.append((None, "other", h + looped * 4 * h, 0))  # final_input, message_input

    kv_state = 0
    for i in runs:
        nkv, dim = (swa_kv, swa_hd) if sliding[i] else (kv, hd)
        kv_state += (2 * nkv * dim + 2 * h) * conv
    spec.layer_extras = extras
    spec.reused_weights = reused_weights
    spec.reused_inactive = reused_inactive
    spec.fp32_conv_state = kv_state
    if swa_heads != heads:
        view.notes.append(
            f"sliding-window layers have {swa_heads:,} query heads, full layers "
            f"{heads:,}: the parameters follow each layer; the attention FLOPs use the full "
            "layers' count throughout"
        )
    if passes > 1:
        view.notes.append(
            f"Inkling-2 Loop runs layers {loop_start}-{loop_end - 1} {passes} times per "
            f"token: the layer pattern lists the {len(runs)} layer runs, each with its own KV "
            "cache, conv states and FLOPs; the parameters are counted once"
        )
    return spec


def _loop_int(view: ConfigView, loop: dict[str, Any], key: str, nested: str, default: int) -> int:
    """A loop setting: ``loop_config.<nested>`` (checkpoints) wins over the flat key, as in
    configuration_inkling2_loop.py."""
    if loop.get(nested) is not None:
        return _as_int(loop[nested], f"loop_config.{nested}", view.notes)
    return view.int(key, default=default)
