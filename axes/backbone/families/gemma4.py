"""Gemma 4 (``configuration_gemma4.py`` Gemma4TextConfig, ``modeling_gemma4.py``).

A Gemma 3 block (sandwich norms, per-head q/k norms, GeGLU, tied embeddings; local/global
from ``layer_types``, default five sliding layers then one full, the last layer forced full)
with what Gemma 4 adds:

- full-attention layers have their own head width, ``global_head_dim`` (default 512), and with
  ``attention_k_eq_v`` their own K/V heads (``num_global_key_value_heads``) and no ``v_proj``
  (V is the key projection's output). A config saved by transformers 5 writes these as
  ``per_layer_config`` (``{"05": {"head_dim": 512}, ...}``) instead; ``v_norm`` has no weight;
- the last ``num_kv_shared_layers`` layers reuse the K/V of the last earlier layer of their
  type: no ``k_proj`` / ``v_proj`` / ``k_norm``, and no KV cache of their own;
  ``use_double_wide_mlp`` doubles their MLP width;
- per-layer embeddings (PLE, ``hidden_size_per_layer_input``, default 256; 0 turns them off):
  ``embed_tokens_per_layer`` (``vocab_size_per_layer_input`` x num_layers x PLE width),
  ``per_layer_model_projection`` and its norm, and in every layer a gate, a projection and a
  norm;
- ``enable_moe_block``: every layer runs the dense MLP and ``num_experts`` experts
  (``moe_intermediate_size``, ``top_k_experts`` a token) side by side, with a router that has a
  scale per hidden unit and per expert, and three more norms.

``gemma4`` (Gemma4ForConditionalGeneration) nests the same text model in ``text_config``;
without ``vision_config`` / ``audio_config`` it is that model and its lm_head. Its vision and
audio towers are not mirrored: a config with them is marked estimated.

Gemma 4 Unified (``modeling_gemma4_unified.py``): ``gemma4_unified_text`` is the same text
model without PLE or the MoE block (its config has neither; 262,144 positions by default).
``gemma4_unified`` (Gemma4UnifiedForConditionalGeneration, what AutoModelForCausalLM builds)
adds encoder-free embedders when their configs are set: Gemma4UnifiedVisionEmbedder (LayerNorm
over the raw (patch_size x pooling_kernel_size)^2 x 3 merged patch, ``patch_dense`` to
mm_embed_dim with bias, LayerNorm, a factorized position table mm_posemb_size x 2 x
mm_embed_dim, LayerNorm, then ``embedding_projection`` output_proj_dims -> text hidden) and the
audio Gemma4UnifiedMultimodalEmbedder (``embedding_projection`` audio_embed_dim -> text
hidden); their pre-projection norms have no weight. ``gemma4_unified_assistant``
(Gemma4UnifiedAssistantForCausalLM) runs the text model with every layer reusing the target's
K/V (num_kv_shared_layers set to num_hidden_layers when 0), plus ``pre_projection`` (2 x
backbone_hidden_size -> hidden), ``post_projection`` (back) and, with use_ordered_embeddings,
``centroids`` (hidden -> num_centroids). Both wrappers tie the lm_head by their own top-level
flag.
"""

from __future__ import annotations

from typing import Any

from axes.backbone.errors import ConfigError
from axes.backbone.families._common import (
    build,
    header,
    layer_types_mixers,
    read_core,
    read_rope,
    sliding_window,
)
from axes.backbone.families._wrapper import (
    has_text_config,
    read_text_model,
    top_level_tie,
    under,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView, VisionSpec

MODEL_TYPES = (
    "gemma4",
    "gemma4_text",
    "gemma4_unified_text",
    "gemma4_unified",
    "gemma4_unified_assistant",
)
MAX_POSITIONS = 131_072  # Gemma4TextConfig.max_position_embeddings
UNIFIED_POSITIONS = 262_144  # Gemma4UnifiedTextConfig.max_position_embeddings
_LAYER_OVERRIDES = frozenset({"head_dim", "num_key_value_heads"})
_UNIFIED_WRAPPERS = frozenset({"gemma4_unified", "gemma4_unified_assistant"})


def read(view: ConfigView) -> ArchSpec:
    mt = view.raw.get("model_type")
    if isinstance(mt, str) and mt in _UNIFIED_WRAPPERS:
        return _unified_wrapper(view, mt)
    head = header(view, "gemma4_text")
    unified = head["model_type"] == "gemma4_unified_text"
    core = read_core(
        view,
        family="gemma4",
        tie_default=True,
        head_dim_default=256,
        max_pos_default=UNIFIED_POSITIONS if unified else MAX_POSITIONS,
    )
    read_rope(view, core)
    n = core["num_layers"]
    notes: list[str] = []
    estimated = False
    mixers = layer_types_mixers(view, n)
    if mixers is None:  # Gemma4TextConfig.__post_init__: sliding unless (i + 1) % 6 == 0
        mixers = ["sliding_attention" if (i + 1) % 6 else "attention" for i in range(n)]
    if mixers and mixers[-1] != "attention":
        mixers[-1] = "attention"
        view.notes.append(
            "layer_types does not end with full_attention: transformers forces the last layer "
            "to full attention, and so does the engine"
        )
    window = sliding_and_full_window(view, mixers, model="Gemma 4")
    if window is not None and view.raw_get("use_bidirectional_attention") == "all":
        window = window // 2 + 1  # Gemma4TextConfig.__post_init__ (exclusive bounds)
        view.notes.append(
            f"use_bidirectional_attention is 'all': the sliding layers' window is "
            f"{window:,} tokens (sliding_window // 2 + 1), as transformers sets it"
        )

    k_eq_v = view.bool("attention_k_eq_v", default=False, field_name="global_k_eq_v")
    global_hd, global_kv, odd = _global_dims(view, mixers, k_eq_v)
    if odd:
        notes.append(odd)
        estimated = True

    shared = view.int("num_kv_shared_layers", default=0, field_name="kv_shared_layers")
    check_kv_sharing(view, mixers, shared)
    wide = shared and view.bool("use_double_wide_mlp", default=False)

    # Gemma 4 Unified builds neither PLE nor the MoE block
    ple = (
        0
        if unified
        else view.int("hidden_size_per_layer_input", default=256, field_name="per_layer_input_size")
    )
    ple_vocab = view.int("vocab_size_per_layer_input", default=262_144) if ple else 0

    extra: dict[str, Any] = {}
    moe = not unified and view.bool("enable_moe_block", default=False)
    if moe:
        experts = view.int("num_experts", field_name="num_experts")
        top_k = view.int("top_k_experts", field_name="experts_per_token")
        width = view.int("moe_intermediate_size", field_name="moe_intermediate_size")
        extra.update(
            num_experts=experts,
            experts_per_token=top_k,
            moe_intermediate_size=width,
            moe_beside_mlp=True,
            router_scoring="softmax",
            norm_topk_prob=True,
        )

    vision = view.raw.get("vision_config")
    audio = view.raw.get("audio_config")
    towers = " and ".join(
        f"{name}_config" for name, sub in (("vision", vision), ("audio", audio)) if sub is not None
    )
    if towers:
        estimated = True
        notes.append(
            f"the towers of {towers} are not counted: the engine mirrors Gemma 4's text "
            "model only, so the totals are low"
        )

    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    spec = build(
        {**core, **head},
        layers_from(mixers, "moe" if moe else "mlp"),
        qkv_bias=bias,
        o_bias=bias,
        sliding_window=window if "sliding_attention" in mixers else None,
        norms_per_layer=4,
        norm_placement="sandwich",
        qk_norm="per_head",
        global_head_dim=global_hd,
        global_num_kv_heads=global_kv,
        global_k_eq_v=k_eq_v and "attention" in mixers,
        kv_shared_layers=shared,
        kv_shared_mlp_factor=2 if wide else 1,
        per_layer_input_size=ple,
        per_layer_input_vocab=ple_vocab,
        estimated=estimated,
        **extra,
    )
    spec.notes.extend(notes)
    return spec


def _unified_wrapper(view: ConfigView, mt: str) -> ArchSpec:
    """Gemma4UnifiedForConditionalGeneration / Gemma4UnifiedAssistantForCausalLM: the text model
    of ``text_config`` and what each wrapper adds (see the module docstring)."""
    spec = read_text_model(view, "gemma4_unified_text")
    if not has_text_config(view):
        return spec  # the generic reading, estimated and noted
    spec.tied_embeddings = top_level_tie(view, default=True)
    h = spec.hidden_size
    if mt == "gemma4_unified":
        _unified_embedders(view, spec)
        return spec
    text = ConfigView(view.raw["text_config"])
    if not spec.kv_shared_layers:  # Gemma4UnifiedAssistantConfig.__post_init__
        spec.kv_shared_layers = spec.num_layers
        spec.kv_shared_mlp_factor = 2 if text.bool("use_double_wide_mlp", default=False) else 1
    if spec.kv_shared_layers == spec.num_layers:
        view.notes.append(
            "every layer of this assistant reads the K/V its target model cached: it holds no "
            "KV cache of its own"
        )
    backbone = view.int("backbone_hidden_size", default=3840)
    projections = 2 * backbone * h + h * backbone
    extras: list[tuple[int | None, str, int, int]] = [(None, "other", projections, projections)]
    if view.bool("use_ordered_embeddings", default=False):
        centroids = h * view.int("num_centroids", default=2048)
        extras.append((None, "other", centroids, centroids))
    spec.layer_extras = extras
    return spec


def _unified_embedders(view: ConfigView, spec: ArchSpec) -> None:
    """Gemma4UnifiedModel's embed_vision / embed_audio, built when vision_config /
    audio_config is set (a null or absent one builds none)."""
    vc, ac = view.raw.get("vision_config"), view.raw.get("audio_config")
    if not isinstance(vc, dict) and not isinstance(ac, dict):
        return
    vision = ConfigView(vc) if isinstance(vc, dict) else None
    audio = ConfigView(ac) if isinstance(ac, dict) else None
    fields: dict[str, int] = {}
    if vision is not None:
        view.sources["vision"] = "vision_config"
        with under("vision_config"):  # Gemma4UnifiedVisionConfig defaults
            fields.update(
                hidden_size=vision.int("mm_embed_dim", default=3840),
                patch_size=vision.int("patch_size", default=16)
                * vision.int("pooling_kernel_size", default=3),
                num_position_embeddings=vision.int("mm_posemb_size", default=1120),
                output_dim=vision.int("output_proj_dims", default=3840),
            )
    if audio is not None:
        with under("audio_config"):  # Gemma4UnifiedAudioConfig: audio_embed_dim 640
            fields["audio_embed_dim"] = audio.int(
                "audio_embed_dim", "hidden_size", "output_proj_dims", default=640
            )
    spec.vision = VisionSpec(
        kind="gemma4_unified",
        hidden_size=fields.get("hidden_size", 0),
        num_layers=0,
        intermediate_size=0,
        num_attention_heads=0,
        num_channels=3,
        image_size=0,  # any size: patches carry their own (x, y) positions
        patch_size=fields.get("patch_size", 0),
        use_head=False,
        projector="",
        num_position_embeddings=fields.get("num_position_embeddings", 0),
        output_dim=fields.get("output_dim", 0),
        audio_embed_dim=fields.get("audio_embed_dim", 0),
    )


def _global_dims(
    view: ConfigView, mixers: list[str], k_eq_v: bool
) -> tuple[int | None, int | None, str | None]:
    """(head_dim, K/V heads) of the full layers, and a note when ``per_layer_config`` says
    something the engine cannot mirror (counted with the first full layer's values)."""
    plc = view.raw_get("per_layer_config")
    if plc is None:
        # Gemma4TextConfig.__post_init__: global_head_dim (512) on every full layer, and
        # num_global_key_value_heads only with attention_k_eq_v
        hd = view.int("global_head_dim", default=512, field_name="global_head_dim")
        kv = view.int("num_global_key_value_heads", default=None) if k_eq_v else None
        if kv is not None:
            view.sources["global_num_kv_heads"] = view.path("num_global_key_value_heads") or ""
        return hd, kv, None
    where = view.path("per_layer_config") or "per_layer_config"
    view.sources["global_head_dim"] = where
    overrides: dict[int, dict[str, Any]] = {}
    for key, value in plc.items() if isinstance(plc, dict) else [(None, None)]:
        if not (isinstance(key, str) and key.isdigit() and isinstance(value, dict)):
            raise ConfigError(
                f"{where} must map layer indices to objects of settings, as transformers "
                "writes it; fix it in config.json.",
                key=where,
            )
        overrides[int(key)] = value
    full = [i for i, m in enumerate(mixers) if m == "attention"]
    first = overrides.get(full[0], {}) if full else {}
    uniform = all(overrides.get(i, {}) == first for i in full) and all(
        i in full or not value for i, value in overrides.items()
    )
    hd = ConfigView(first).int("head_dim", default=view.int("head_dim", default=256))
    kv = ConfigView(first).int("num_key_value_heads", default=None)
    if uniform and set(first) <= _LAYER_OVERRIDES:
        return hd, kv, None
    note = (
        f"{where} gives layers settings the engine does not mirror (only the same head_dim "
        "and num_key_value_heads on every full-attention layer); counted with the first full "
        "layer's"
    )
    return hd, kv, note


def sliding_and_full_window(view: ConfigView, mixers: list[str], *, model: str) -> int | None:
    """The sliding window of a model whose layers are sliding or full attention and nothing
    else (Gemma 4, Gemma 3n: configuration default 512). Another layer type, or a null window
    for sliding layers, is refused as transformers refuses it."""
    if set(mixers) - {"attention", "sliding_attention"}:
        raise ConfigError(
            f"layer_types names a layer that is neither sliding_attention nor full_attention, "
            f"the two {model} has. Fix layer_types in config.json.",
            key=view.path("layer_types") or "layer_types",
        )
    window = sliding_window(view, 512)
    if window is None and "sliding_attention" in mixers:
        raise ConfigError(
            f"sliding_window is null, but {model}'s sliding layers need a window (transformers "
            "refuses a null one). Set sliding_window in config.json.",
            key=view.path("sliding_window") or "sliding_window",
        )
    return window


def check_kv_sharing(
    view: ConfigView, mixers: list[str], shared: int, *, all_shared: bool = True
) -> None:
    """Gemma4TextConfig.kv_sharing_modes: the shared layers read the K/V of the last earlier
    layer of their type, so every type must occur before them. ``all_shared``: every layer
    may be shared (Gemma 4); Gemma3nTextConfig refuses that, no layer producing a cache."""
    n = len(mixers)
    where = view.path("num_kv_shared_layers") or "num_kv_shared_layers"
    if shared > n:
        raise ConfigError(
            f"{where} is {shared:,}, more than the model's {n:,} layers; fix it in config.json.",
            key=where,
        )
    if 0 < shared and (shared < n or not all_shared) and set(mixers[: n - shared]) != set(mixers):
        raise ConfigError(
            f"{where} is {shared:,}: a layer type of the last {shared:,} layers then has no "
            "earlier layer to take its K/V from (transformers refuses this config); fix "
            "num_kv_shared_layers or layer_types.",
            key=where,
        )
