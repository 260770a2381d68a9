"""``analyze_config``: config.json (+ optional checkpoint metadata) -> one JSON-ready report."""

from __future__ import annotations

from typing import Any

from axes.backbone.compute import compute_report
from axes.backbone.layers import (
    LINEAR_ATTENTION_LABELS,
    SHARED_MAMBA,
    SHARED_MAMBA2,
    SHORT_CONV,
    layer_section,
    linear_attention_label,
    pattern_dicts,
)
from axes.backbone.memory import kv_dtype_bytes, memory_report
from axes.backbone.params import count_params, params_report, routed_expert_bias_params
from axes.backbone.quant_targets import place_schemes
from axes.backbone.quantization import (
    ASSUMED_DTYPE,
    DTYPE_BYTES,
    format_bytes,
    stored_basis_fields,
    stored_bytes,
)
from axes.backbone.safetensors import checkpoint_report
from axes.backbone.spec import (
    MAX_TOTAL_PARAMS,
    PARALLEL_HYBRID,
    SLIDING_MLA_FIELDS,
    ArchSpec,
    invalid_counts,
    normalize,
)

DEFAULT_CONTEXT = 8192
ANALYZER_VERSION = 1


def analyze_config(
    config: dict[str, Any],
    *,
    safetensors_index: dict[str, Any] | None = None,
    safetensors_headers: dict[str, dict[str, Any]] | None = None,
    model_info: dict[str, Any] | None = None,
    context_len: int | None = None,
    batch: int = 1,
    kv_dtype: str = "bf16",
) -> dict[str, Any]:
    """The backbone report. Raises ``ConfigError`` (typed, user-facing) on malformed configs;
    unknown model types give an ``estimated`` report."""
    spec = normalize(config)
    dtype_bytes = kv_dtype_bytes(kv_dtype)
    if batch < 1:
        raise ValueError("batch must be at least 1")
    native = spec.max_position_embeddings
    context = int(context_len or min(native or DEFAULT_CONTEXT, DEFAULT_CONTEXT))
    if context < 1:
        raise ValueError("context_len must be at least 1")
    count = count_params(spec)
    total = count.total
    params = params_report(spec, count, total=total)
    # the expert matrices MXFP4 packs; their biases (gpt_oss) stay at 16 bits
    expert_total = count.breakdown["routed_experts"] - routed_expert_bias_params(spec, count)
    linear = count.linear_weight_params
    quant = spec.quantization
    placed = None
    quant_notes: list[str] = []
    if quant is not None and "schemes" in quant:  # compressed-tensors: scheme by targets
        placed, why, vision = place_schemes(spec, count)
        if why and placed is not None:
            quant_notes.append(
                f"compressed-tensors config_groups placed on this model's linears but its routed "
                f"experts ({why}): the experts are sized by the first scheme"
            )
        elif why:
            quant_notes.append(
                f"compressed-tensors config_groups not placed on this model's linears ({why}): "
                "the stored weights are sized by the first scheme over every decoder linear"
            )
        if vision:
            quant_notes.append(
                "the vision tower's linears are counted at 16 bits, though a config_groups "
                "target matches them"
            )
    stored, basis = stored_bytes(
        total_params=total,
        quantizable_params=linear,
        expert_params=expert_total,
        dtype=spec.stored_dtype,
        quantization=quant,
        placed=placed,
    )
    fp8, int4 = format_bytes(total_params=total, quantizable_params=linear)
    memory = memory_report(
        spec,
        total_params=total,
        stored_bytes=stored,
        stored_basis=basis,
        stored_basis_fields=stored_basis_fields(
            total_params=total, dtype=spec.stored_dtype, quantization=quant, placed=placed
        ),
        fp8_bytes=fp8,
        int4_bytes=int4,
        context_len=context,
        batch=batch,
        kv_dtype=kv_dtype,
    )
    # negative sizes are refused as they are read; what is left to catch is a total past any
    # real model, or an active count above the total (one chained comparison on the hot path)
    if not 0 <= params["active"] <= total <= MAX_TOTAL_PARAMS:
        raise invalid_counts(total=total, active=params["active"])
    compute = compute_report(
        spec,
        count,
        active_excluding_input_embedding=params["active_excluding_input_embedding"],
        context_len=context,
        kv_dtype=kv_dtype,
        kv_dtype_bytes=dtype_bytes,
        kv_bytes=memory["kv_bytes"]["bytes"] // batch,  # memory's KV is for the whole batch
        state_bytes=memory["state_bytes_per_sequence"],
        placed=placed,
    )
    notes = list(spec.notes)
    if quant_notes:
        notes += quant_notes
    if native and context > native:
        notes.append(
            f"context {context:,} is past the model's {native:,} positions "
            "(max_position_embeddings): the KV and FLOPs figures at it are arithmetic only"
        )
    if spec.kv_lora_rank:
        notes.append(
            "KV for MLA counts the cached latent (kv_lora_rank + qk_rope_head_dim); "
            "transformers' own cache stores decompressed K/V and is larger"
        )
    if spec.index_topk and spec.compressed_attention is None and spec.sliding_mla:
        # dots3.note: only the indexed MLA layers carry the indexer and its cached key; the
        # sliding MLA layers attend to their window (modeling_dots3_note.py)
        indexed = spec.mixer_counts.get("mla", 0) - len(spec.index_shared_layers or ())
        notes.append(
            f"DeepSeek Sparse Attention in the {indexed:,} indexed layers: each of their queries "
            f"attends to the {spec.index_topk:,} tokens its indexer picks, and the KV cache holds "
            f"the indexer's key too ({spec.index_head_dim:,} per token and indexed layer); the "
            f"{spec.mixer_counts.get('sliding_attention', 0):,} sliding MLA layers have no "
            "indexer and attend to their window; a decode step reads every indexer key but only "
            "the picked tokens' latents"
        )
    elif spec.index_topk and spec.compressed_attention is None:
        notes.append(
            f"DeepSeek Sparse Attention: each query attends to the {spec.index_topk:,} tokens "
            f"its indexer picks; the KV cache holds the indexer's key too ({spec.index_head_dim:,} "
            "per token and layer), and a decode step reads every indexer key but only those "
            "tokens' latents"
        )
    linear = spec.mixer_counts.get("linear_attention")
    if linear and spec.linear_attention_kind not in LINEAR_ATTENTION_LABELS:
        notes.append(
            f"the recurrent state of the {linear} linear-attention layers is not counted in "
            "state_bytes_per_sequence: its layout is known only for Gated DeltaNet and Lightning "
            "Attention"
        )
    if count.vision_not_built:
        notes.append(
            f"the vision tower and projector (~{count.vision_not_built:,} params) ship in the "
            "checkpoint, but AutoModelForCausalLM builds the text model only, which the total "
            f"counts; the image-text model (AutoModelForImageTextToText) has "
            f"{total + count.vision_not_built:,}"
        )
    if spec.mtp_layers:
        notes.append(
            f"{spec.mtp_layers} MTP module(s) ship in the checkpoint "
            f"(~{count.mtp_params:,} params) but transformers does not build them"
        )
    checkpoint = checkpoint_report(
        spec,
        count,
        safetensors_index=safetensors_index,
        safetensors_headers=safetensors_headers,
        model_info=model_info,
    )
    for dtype, seen in ((checkpoint or {}).get("unknown_dtypes") or {}).items():
        notes.append(
            f"unknown safetensors dtype {dtype!r} ({seen['tensors']:,} tensors, the first "
            f"{seen['first']}): safetensors defines no such dtype, so its bytes per element and "
            f"any packing are unknown; each of its {seen['elements']:,} elements is counted as "
            "one number"
        )
    # one list of per-layer dicts for both the backbone section and the spec: nothing mutates
    # a report in place (pages and facts only read it), and building it twice cost ~1.5 us
    pattern = pattern_dicts(spec.layers)
    return {
        "analyzer_version": ANALYZER_VERSION,
        "params": params,
        "memory": memory,
        "compute": compute,
        "backbone": backbone_section(spec, pattern=pattern),
        "spec": spec.to_dict(layer_pattern=pattern),
        "checkpoint": checkpoint,
        "estimated": spec.estimated,
        "notes": notes,
    }


def decoder_type(spec: ArchSpec) -> str:
    mixers = spec.mixer_counts  # only mixers that occur (count >= 1)
    # Falcon-H1's attention+mamba2 blocks are both: a hybrid, in every layer
    # Zamba's hybrid layers run the shared attention block and a Mamba mixer
    parallel = PARALLEL_HYBRID in mixers or SHARED_MAMBA in mixers or SHARED_MAMBA2 in mixers
    has_attn = parallel or "attention" in mixers or "sliding_attention" in mixers or "mla" in mixers
    has_recurrent = (
        parallel
        or "mamba" in mixers
        or "mamba2" in mixers
        or "linear_attention" in mixers
        or SHORT_CONV in mixers  # LFM2: a conv state per sequence, as a Mamba layer
    )
    if has_recurrent and not has_attn:
        return "ssm"
    if has_recurrent:
        return "hybrid_moe" if spec.is_moe else "hybrid"
    return "moe" if spec.is_moe else "dense"


def backbone_section(
    spec: ArchSpec, *, pattern: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """``pattern``: ``pattern_dicts(spec.layers)`` when the caller already built it."""
    mixers = spec.mixer_counts  # only mixers that occur (count >= 1)
    variant = spec.attention_variant
    attention = {
        "variant": variant,
        "num_attention_heads": spec.num_attention_heads,
        "num_kv_heads": spec.num_kv_heads if variant != "none" else 0,
        "head_dim": spec.head_dim,
        "sliding": "sliding_attention" in mixers,
        "sliding_window": spec.sliding_window,
        "linear": "linear_attention" in mixers,
        "qk_norm": spec.qk_norm,
        "sinks": spec.attention_sinks,
        # qwen3_next's gate inside q_proj, a per-head gate (LFM3, Bailing Hybrid), or afmoe /
        # laguna's own gate linear
        "output_gate": bool(
            spec.attention_output_gate or spec.attention_head_gate or spec.attention_gate
        ),
        "qkv_bias": spec.qkv_bias,
        "kv_lora_rank": spec.kv_lora_rank,
        "q_lora_rank": spec.q_lora_rank,
        # DSA's top-k, or the tokens a block-sparse query attends to (Qwen4-Exp, MiniMax-M3)
        "sparse_top_k": spec.index_topk or spec.sparse_attended or None,
        # Gemma 4: the full layers' own head width and K/V heads, V read from K there, and
        # how many trailing layers reuse an earlier layer's K/V
        "global_head_dim": spec.global_head_dim,
        "global_num_kv_heads": spec.global_num_kv_heads,
        "global_k_eq_v": spec.global_k_eq_v,
        "kv_shared_layers": spec.kv_shared_layers,
        # Mllama: the layers that cross-attend to the image (their K/V cached per image)
        "cross_attention_layers": list(spec.cross_attention_layers)
        if spec.cross_attention_layers
        else None,
        # dots3.note: the sliding layers' own MLA sizes (the fields above are the indexed ones')
        "sliding_mla": dict(zip(SLIDING_MLA_FIELDS, spec.sliding_mla, strict=True))
        if spec.sliding_mla
        else None,
    }
    moe = None
    if spec.is_moe:
        moe = {
            "num_experts": spec.num_experts,
            "experts_per_token": spec.experts_per_token,
            "expert_intermediate_size": spec.moe_intermediate_size,
            "num_shared_experts": spec.num_shared_experts,
            "shared_expert_intermediate_size": spec.shared_expert_intermediate_size,
            "first_k_dense": spec.first_k_dense,
            "router_scoring": spec.router_scoring,
        }
    counts, summary = layer_section(
        spec.block_counts,
        attention_variant=variant,
        linear_label=linear_attention_label(spec.linear_attention_kind),
        kv_shared=spec.kv_shared_layers,
        moe_beside_mlp=spec.moe_beside_mlp or spec.shortcut_moe,
        compressed=spec.compressed_attention,
        cross=len(spec.cross_attention_layers or ()),
    )
    return {
        "family": spec.model_type,
        "family_module": spec.family,
        "decoder_type": decoder_type(spec),
        "attention": attention,
        "layers": {
            "num_layers": spec.num_layers,
            "counts": counts,
            "pattern": pattern_dicts(spec.layers) if pattern is None else pattern,
            "summary": summary,
        },
        "moe": moe,
        "hidden_size": spec.hidden_size,
        "intermediate_size": spec.intermediate_size,
        "vocab_size": spec.vocab_size,
        "tied_embeddings": spec.tied_embeddings,
        "context_length": spec.max_position_embeddings,
        "positional": {
            "type": spec.positional,
            "rope_theta": spec.rope_theta,
            "rope_scaling": spec.rope_scaling,
            # the sliding layers' own base, where the model has sliding layers and one differs
            "sliding_rope_theta": spec.sliding_rope_theta
            if spec.sliding_rope_theta != spec.rope_theta and "sliding_attention" in mixers
            else None,
            "partial_rotary_factor": spec.partial_rotary_factor,
            "nope_layers": spec.nope_layers,
        },
        "norm": {"type": spec.norm_type, "placement": spec.norm_placement, "eps": spec.norm_eps},
        "weights_format": {
            "stored_dtype": spec.stored_dtype,
            "quantization": spec.quantization,
            "bytes_per_param_unquantized": DTYPE_BYTES.get(spec.stored_dtype or ASSUMED_DTYPE, 2),
            # a quantized checkpoint without torch_dtype: the dtype its unquantized tensors are
            # sized in (not a config key)
            **(
                {"assumed_dtype": ASSUMED_DTYPE}
                if spec.quantization and not spec.stored_dtype
                else {}
            ),
        },
        "vision": None
        if spec.vision is None
        else {
            "kind": spec.vision.kind,
            "hidden_size": spec.vision.hidden_size,
            "num_layers": spec.vision.num_layers,
            "image_size": spec.vision.image_size,
            "patch_size": spec.vision.patch_size,
        },
        "audio": None
        if spec.audio is None
        else {
            "kind": spec.audio.kind,
            "hidden_size": spec.audio.hidden_size,
            "num_layers": spec.audio.num_layers,
        },
        "mtp_layers": spec.mtp_layers,
    }
