"""dots3 Note (``dots3_note_text`` and its wrapper ``dots3_note``, ``modeling_dots3_note.py``):
MLA in every layer, DSA-indexed on the full layers and sliding-window MLA of other sizes on the
rest, with a DeepSeek-V3-style MoE.

- Layers (configuration_dots3_note.py): ``layer_types`` ("indexed_attention",
  "full_attention" or "sliding_attention"), else full on layers 0 and 1 and every
  ``i % 4 == 1``, sliding elsewhere (``use_sliding_window`` false: none slides); the full
  layers are "indexed_attention" unless ``use_dsa`` is false (``use_dsa`` defaults to true
  when the config has no ``per_layer_config``, and then also renames the other kind).
- Dots3NoteTextAttention reads its layer's config (``per_layer_config``: a sparse map from
  layer index to overrides; without it, the sliding layers get the ``swa_*`` keys, default 64
  heads, q_lora_rank 1024, kv_lora_rank 1024, head_dim 256, qk_nope_head_dim 192, v_head_dim
  128, qk_rope_head_dim head_dim - qk_nope_head_dim): the DeepSeek-V3 MLA (``q_a_proj`` /
  ``kv_a_proj_with_mqa`` / ``o_proj`` with ``attention_bias``, ``q_a_layernorm``,
  ``kv_a_layernorm``, ``q_b_proj``, ``kv_b_proj``), plus ``k_rope_only_layernorm`` (an RMSNorm
  of qk_rope_head_dim) and ``g_proj`` (hidden -> heads, a sigmoid gate per head); an
  "indexed_attention" layer adds Dots3NoteTextIndexer (DeepSeek-V3.2's indexer: ``wq_b``
  q_lora_rank -> index_n_heads x index_head_dim, ``wk`` hidden -> index_head_dim, ``k_norm`` a
  LayerNorm, ``weights_proj`` hidden -> index_n_heads), whose key is cached beside the latent.
- FFN: ``mlp_layer_types`` ("dense" / "sparse"), else sparse from ``first_k_dense_replace``
  (default 1) on, every ``moe_layer_freq``-th layer (an int, or a list of 0/1 per layer).
  Dense: a SwiGLU of ``intermediate_size`` (no biases: Dots3NoteTextMLP ignores mlp_bias).
  Sparse (Dots3NoteTextMoE): router ``gate.weight`` (n_routed_experts x hidden, float32;
  ``e_score_correction_bias`` is a buffer), fused experts of ``moe_intermediate_size``, and
  one SwiGLU of ``shared_experts_intermediate_size x n_shared_experts``.
- The checkpoint's ``mtp.*`` modules are dropped on load (_keys_to_ignore_on_load_unexpected):
  not counted. ``dots3_note``'s vision and audio encoders are not built by
  AutoModelForCausalLM (Dots3NoteForCausalLM is the text model): not counted.
"""

from __future__ import annotations

from typing import Any

from axes.backbone.errors import ConfigError
from axes.backbone.families._common import (
    build,
    header,
    per_layer_kinds,
    read_core,
    read_rope,
    sliding_window,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import SLIDING_MLA_FIELDS, ArchSpec, ConfigView

MODEL_TYPES = ("dots3_note_text", "dots3_note")

# configuration_dots3_note.py swa_* defaults (swa_qk_rope_head_dim: head_dim - qk_nope_head_dim)
_SWA_DEFAULTS = {
    "num_attention_heads": 64,
    "q_lora_rank": 1024,
    "kv_lora_rank": 1024,
    "head_dim": 256,
    "qk_nope_head_dim": 192,
    "v_head_dim": 128,
}
_KINDS = ("indexed_attention", "full_attention", "sliding_attention")


def _layer_types(view: ConfigView, n: int, *, use_dsa: bool | None) -> list[str]:
    """Each layer's type, as Dots3NoteTextConfig.__post_init__ derives it."""
    given = view.list("layer_types", field_name="layer_types")
    if given is not None and (
        len(given) < n or not all(type(t) is str and t in _KINDS for t in given[:n])
    ):
        view.notes.append("layer_types does not describe every layer; ignored")
        given = None
    if given is None:
        slide = view.bool("use_sliding_window", default=True)
        full = "full_attention" if use_dsa is False else "indexed_attention"
        kinds = [
            full if not slide or i < 2 or i % 4 == 1 else "sliding_attention" for i in range(n)
        ]
    else:
        kinds = list(given[:n])
    if use_dsa is not None:  # legacy checkpoints call the DSA layers "full_attention"
        old, new = ("full_attention", "indexed_attention")
        if not use_dsa:
            old, new = new, old
        kinds = [new if k == old else k for k in kinds]
    return kinds


def _ffn_kinds(view: ConfigView, n: int) -> list[str]:
    kinds = per_layer_kinds(view, n)
    if kinds is not None:
        return ["moe" if k == "sparse" else "mlp" for k in kinds]
    first = view.int("first_k_dense_replace", default=1, field_name="first_k_dense")
    freq: Any = view.raw_get("moe_layer_freq", default=1)
    if isinstance(freq, list):
        if len(freq) < n:  # configuration_dots3_note.py indexes it per layer
            where = view.path("moe_layer_freq") or "moe_layer_freq"
            raise ConfigError(
                f"{where} has {len(freq)} entries for {n} layers; transformers needs one per "
                "layer. Fix it in config.json.",
                key=where,
            )
        return ["moe" if i >= first and bool(freq[i]) else "mlp" for i in range(n)]
    freq = view.int("moe_layer_freq", default=1)
    return ["moe" if i >= first and freq and i % freq == 0 else "mlp" for i in range(n)]


def _overrides(view: ConfigView, n: int) -> dict[int, dict[str, Any]] | None:
    """``per_layer_config`` as {layer index: overrides}; None when the config has none."""
    raw = view.raw_get("per_layer_config")
    if raw is None:
        return None
    where = view.path("per_layer_config") or "per_layer_config"
    refusal = ConfigError(
        f"{where} must map layer indices to objects of settings, as transformers writes it; "
        "fix it in config.json.",
        key=where,
    )
    out: dict[int, dict[str, Any]] = {}
    if not isinstance(raw, dict):
        raise refusal
    for key, values in raw.items():
        try:
            index = int(key)
        except (TypeError, ValueError):
            raise refusal from None
        if not 0 <= index < n or not isinstance(values, dict):
            raise refusal  # transformers refuses it too
        out[index] = values
    return out


def _dims(view: ConfigView, values: dict[str, Any], base: tuple[int, ...], where: str) -> tuple:
    """A layer's MLA sizes: ``base`` with the layer's overrides (non-negative integers)."""
    out = list(base)
    for i, key in enumerate(SLIDING_MLA_FIELDS):
        v = values.get(key)
        if v is None:
            continue
        if type(v) is not int:
            raise ConfigError(
                f"{where}.{key} must be an integer, not {v!r}. Fix the value in config.json and "
                "retry.",
                key=where,
            )
        if v < 0:
            raise ConfigError(f"{where}.{key} must not be negative, not {v}", key=where)
        out[i] = v
    return tuple(out)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "dots3_note_text")
    core = read_core(
        view, family="dots3_note", tie_default=False, head_dim_default=256, max_pos_default=524288
    )
    read_rope(view, core)
    params = view.raw_get("rope_parameters")
    if core["rope_theta"] is None and isinstance(params, dict):
        inner = params.get("indexed_attention") or params.get("full_attention")
        if isinstance(inner, dict) and isinstance(inner.get("rope_theta"), (int, float)):
            core["rope_theta"] = float(inner["rope_theta"])
    n = core["num_layers"]
    overrides = _overrides(view, n)
    has_plc = overrides is not None
    use_dsa: bool | None = None
    if view.has("use_dsa"):
        use_dsa = view.bool("use_dsa")
    elif not has_plc:
        use_dsa = True
    kinds = _layer_types(view, n, use_dsa=use_dsa)
    heads = core["num_attention_heads"]
    if "q_lora_rank" in view.text or "q_lora_rank" in view.raw:
        q_lora = view.int("q_lora_rank", default=None, field_name="q_lora_rank")
    else:
        q_lora = 1024
    base = (
        heads,
        q_lora,
        view.int("kv_lora_rank", default=512, field_name="kv_lora_rank"),
        view.int("qk_nope_head_dim", default=128, field_name="qk_nope_head_dim"),
        view.int("qk_rope_head_dim", default=64, field_name="qk_rope_head_dim"),
        view.int("v_head_dim", default=128, field_name="v_head_dim"),
    )
    where = view.path("per_layer_config") or "per_layer_config"
    if overrides is None:  # the swa_* keys fill every sliding layer's config
        swa = {
            k: view.int(f"swa_{k}", default=d, field_name=f"swa_{k}")
            for k, d in _SWA_DEFAULTS.items()
        }
        swa["qk_rope_head_dim"] = view.int(
            "swa_qk_rope_head_dim",
            default=max(swa["head_dim"] - swa["qk_nope_head_dim"], 0),
            field_name="swa_qk_rope_head_dim",
        )
        overrides = {i: swa for i, k in enumerate(kinds) if k == "sliding_attention"}
    else:  # the sliding layers' own MLA sizes: quoted by the attention fact
        view.sources["sliding_mla"] = where
    per_layer = [_dims(view, overrides.get(i, {}), base, f"{where}.{i}") for i in range(n)]
    if any(d[1] is None for d in per_layer):
        # configuration_dots3_note.py refuses MLA queries without q_lora_rank
        raise ConfigError(
            "config.json has q_lora_rank: null (NaN and Infinity are read as null); the engine "
            "needs a number there to count parameters. Fix the value and retry.",
            key="q_lora_rank",
        )
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    # one size per kind: the first layer of the kind gives it, the others must agree
    sliding_idx = [i for i, k in enumerate(kinds) if k == "sliding_attention"]
    mla_idx = [i for i, k in enumerate(kinds) if k != "sliding_attention"]
    mla_dims = per_layer[mla_idx[0]] if mla_idx else base
    sliding_dims = per_layer[sliding_idx[0]] if sliding_idx else None
    uneven = any(per_layer[i] != mla_dims for i in mla_idx) or any(
        per_layer[i] != sliding_dims for i in sliding_idx
    )
    if uneven or any(
        "attention_bias" in overrides.get(i, {})
        or any(k.startswith("index_") for k in overrides.get(i, {}))
        for i in range(n)
    ):
        view.notes.append(
            f"{where} gives layers settings the engine does not mirror (only the same MLA sizes "
            "on every layer of a kind, and the global attention_bias and indexer sizes); "
            "counted with each kind's first layer's"
        )
    window = sliding_window(view, None)
    if window is None:  # Dots3NoteTextConfig: sliding_window_size, else 512
        window = view.int("sliding_window_size", default=512, field_name="sliding_window")
    mixers = ["sliding_attention" if k == "sliding_attention" else "mla" for k in kinds]
    if not window and sliding_idx:
        view.notes.append(
            f"{len(sliding_idx)} layers are marked sliding_attention, but there is no "
            "sliding_window: they are counted as full attention"
        )
    sparse: dict[str, Any] = {}
    indexed = [i for i, k in enumerate(kinds) if k == "indexed_attention"]
    if indexed:
        sparse = {
            "index_n_heads": view.int("index_n_heads", default=64, field_name="index_n_heads"),
            "index_head_dim": view.int("index_head_dim", default=128, field_name="index_head_dim"),
            "index_topk": view.int("index_topk", default=2048, field_name="index_topk"),
        }
        plain = [i for i, k in enumerate(kinds) if k == "full_attention"]
        if plain:
            sparse["index_shared_layers"] = plain
            view.notes.append(
                f"{len(plain)} full_attention layers build no DSA indexer and cache no indexer "
                "key; their attention FLOPs are counted as the indexed layers' (top-k tokens)"
            )
    if view.has("num_nextn_predict_layers", "num_mtp_layers"):
        view.notes.append(
            "the checkpoint's MTP modules (mtp.*) are dropped by transformers on load: not counted"
        )
    if head["model_type"] == "dots3_note" and (
        isinstance(view.raw.get("vision_config"), dict)
        or isinstance(view.raw.get("audio_config"), dict)
    ):
        view.notes.append(
            "the vision and audio encoders are not counted: AutoModelForCausalLM builds the "
            "text model only"
        )
    experts = view.int(
        "n_routed_experts", "num_local_experts", default=256, field_name="num_experts"
    )
    shared_n = view.int("n_shared_experts", default=1, field_name="num_shared_experts")
    shared_w = view.int(
        "shared_experts_intermediate_size",
        "moe_shared_expert_intermediate_size",
        default=1536,
        field_name="shared_expert_intermediate_size",
    )
    ffns = _ffn_kinds(view, n)
    h, q, kv, nope, rope, v = mla_dims
    extra: dict[str, Any] = {}
    if sliding_dims is not None:
        extra["sliding_mla"] = sliding_dims
        extra["sliding_window"] = window or None
    return build(
        {
            **core,
            **head,
            "num_attention_heads": h,
            "num_kv_heads": h,
            "head_dim": nope + rope,
            "num_layers": n,
        },
        layers_from(mixers, ffns),
        qkv_bias=bias,
        o_bias=bias,
        q_lora_rank=q,
        kv_lora_rank=kv,
        qk_nope_head_dim=nope,
        qk_rope_head_dim=rope,
        v_head_dim=v,
        attention_head_gate=True,
        mla_rope_norm=True,
        num_experts=experts,
        experts_per_token=view.int(
            "num_experts_per_tok", default=8, field_name="experts_per_token"
        ),
        moe_intermediate_size=view.int(
            "moe_intermediate_size", default=1536, field_name="moe_intermediate_size"
        ),
        num_shared_experts=shared_n,
        shared_expert_intermediate_size=shared_w * shared_n,
        first_k_dense=ffns.index("moe") if "moe" in ffns else n,
        router_scoring="sigmoid",
        norm_topk_prob=view.bool("norm_topk_prob", default=True),
        **sparse,
        **extra,
    )
