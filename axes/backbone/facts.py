"""Axis-1 facts from config.json and the backbone report, each quoting the config key it
rests on (``Evidence(source="config.json", locator="text_config.num_key_value_heads",
text="num_key_value_heads = 8")``)."""

from __future__ import annotations

import json
from typing import Any

from axes.backbone.errors import BackboneError
from axes.backbone.families._common import CLASS_DEFAULT
from axes.backbone.layers import LINEAR_ATTENTION_LABELS
from axes.backbone.spec import normalize
from axes.facts import Evidence, Fact
from axes.readable import (
    ACTIVE_CONVENTION,
    NO_POSITIONS,
    NO_POSITIONS_LINEAR,
    PARAMS_BASIS,
    RELATIVE_BIAS,
    SINUSOIDAL,
)

# the vision tower's name, as its model card says it, for the engine's kind id (VisionSpec.kind):
# "vision: mllama" read like a raw id on the page
VISION_NAMES = {
    "siglip": "SigLIP",
    "llama4": "Llama 4 ViT",
    "pixtral": "Pixtral ViT",
    "qwen3_5": "Qwen3.5 ViT",
    "gemma4_unified": "Gemma 4 patch embedder",
    "mllama": "Mllama ViT",
    "fuyu": "Fuyu patch projection",
    "phi4_multimodal": "SigLIP",
    "got_ocr2": "SAM ViT",
}
# the audio encoder's name for the engine's kind id (AudioSpec.kind)
AUDIO_NAMES = {"phi4_multimodal": "Conformer"}

SOURCE = "config.json"
EXTRACTOR = "config"


def assumed_dtype_text(dtype: str) -> str:
    """The evidence for a dtype config.json does not name (``weights_format``'s
    ``assumed_dtype``): the engine's default, said as such."""
    return f"no torch_dtype: the unquantized tensors taken as {dtype} (the engine's default)"


def _value_at(config: dict[str, Any], path: str) -> Any:
    node: Any = config
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _quote(config: dict[str, Any], paths: list[str]) -> tuple[str, str]:
    """(locator, text) for one or more key paths that exist in the config."""
    found = [p for p in paths if p and _value_at(config, p) is not None]
    if not found:
        found = ["model_type"] if "model_type" in config else []
    texts = []
    for p in found:
        v = _value_at(config, p)
        rendered = json.dumps(v, ensure_ascii=False, default=str)
        if len(rendered) > 160:
            rendered = rendered[:157] + "..."
        texts.append(f"{p.rsplit('.', 1)[-1]} = {rendered}")
    return ",".join(found) or "(config.json)", "; ".join(texts) or "(no key)"


def backbone_facts(config: dict[str, Any], report: dict[str, Any]) -> list[Fact]:
    """One fact per backbone kind the config supports. Confidence is 1.0 for exact families and
    0.6 for the generic fallback (``report["estimated"]``)."""
    try:
        spec = normalize(config)
    except BackboneError:
        return []
    src = spec.sources
    conf = 0.6 if report.get("estimated") else 1.0
    bb = report["backbone"]
    params = report["params"]
    facts: list[Fact] = []

    def add(kind: str, value: Any, paths: list[str | None], defaults: str = "") -> None:
        locator, text = _quote(config, [p for p in paths if p])
        if defaults:  # a value config.json lacks, its config class's default
            text = defaults if text == "(no key)" else f"{text}; {defaults}"
        facts.append(
            Fact(
                axis="backbone",
                kind=f"backbone.{kind}",
                value=value,
                evidence=Evidence(source=SOURCE, locator=locator, text=text),
                confidence=conf,
                extractor=EXTRACTOR,
            )
        )

    add(
        "family",
        {"model_type": spec.model_type, "architectures": spec.architectures},
        ["model_type", "architectures"],
    )
    pattern_key = src.get("layer_types")
    add(
        "decoder_type",
        bb["decoder_type"],
        [pattern_key, src.get("num_experts"), "model_type"]
        if pattern_key or src.get("num_experts")
        else ["model_type"],
    )
    add(
        "params_total",
        {"total": params["total"], "basis": PARAMS_BASIS},
        [src.get("hidden_size"), src.get("num_layers"), src.get("vocab_size")],
    )
    if spec.is_moe:
        add(
            "params_active",
            {
                "active": params["active"],
                "active_excluding_input_embedding": params["active_excluding_input_embedding"],
                "convention": ACTIVE_CONVENTION,
            },
            [src.get("num_experts"), src.get("experts_per_token")],
        )
    # the config's own layer count where it differs from the blocks listed (LongCat-Flash:
    # num_layers 28 decoder layers of two sublayers each, 56 blocks), so the fact reads
    # "56 blocks: ... · num_layers: 28" beside its evidence "num_layers = 28"
    declared = _value_at(config, src["num_layers"]) if src.get("num_layers") else None
    layers_value: dict[str, Any] = {
        "num_layers": declared if type(declared) is int and declared > 0 else spec.num_layers,
        "summary": bb["layers"]["summary"],
        "counts": bb["layers"]["counts"],
    }
    # Dory's config.json lists attention and MLP as separate layer_types entries, every other
    # one "mlp", and doubles its layer counts; configuration_dory.py halves them back (36
    # DoryDecoderLayers for num_hidden_layers 72), as axes/backbone/families/dory.py does
    types = _value_at(config, pattern_key) if pattern_key else None
    if (
        type(declared) is int
        and isinstance(types, list)
        and len(types) == declared
        and declared % 2 == 0
        and types[1::2] == ["mlp"] * (declared // 2)
    ):
        layers_value.update(num_layers=declared // 2, num_layers_listed=declared)
    if spec.reused_weights:  # looped layers (Inkling-2 Loop, Dory): the pattern lists each run
        layers_value["layer_runs"] = True
    add("layers", layers_value, [src.get("num_layers"), pattern_key])
    att = bb["attention"]
    # an FFN width and a head size only where the model has an FFN and attention: a Mamba's
    # config.json intermediate_size is its mixer's inner width (the SSM fact states it), not a
    # zero-width FFN, and it has no attention heads
    widths = {"hidden_size": spec.hidden_size}
    if spec.intermediate_size:
        widths["intermediate_size"] = spec.intermediate_size
    if att["variant"] != "none" and spec.head_dim:
        widths["head_dim"] = spec.head_dim
    # MLA: head_dim is qk_nope_head_dim + qk_rope_head_dim (a config's own head_dim key, 64 in
    # DeepseekV3Config, is not the attention's head size)
    head_paths = (
        ()
        if "head_dim" not in widths
        else (src.get("qk_nope_head_dim"), src.get("qk_rope_head_dim"))
        if att["variant"] == "MLA"
        else (src.get("head_dim"),)
    )
    add(
        "hidden_size",
        widths,
        [
            src.get("hidden_size"),
            src.get("intermediate_size") if "intermediate_size" in widths else None,
            *head_paths,
        ],
    )
    if att["variant"] != "none":
        add(
            "attention",
            {k: v for k, v in att.items() if v not in (None, False)}
            # JetMoE: the query and output projections are routed experts (JetMoeMoA), the
            # heads split over the experts_per_token chosen ones
            | ({"attention_experts": spec.attention_experts} if spec.attention_experts else {}),
            [
                src.get("num_attention_heads"),
                src.get("num_kv_heads"),
                src.get("num_experts") if spec.attention_experts else None,
                src.get("kv_lora_rank"),
                src.get("index_topk"),
                src.get("sliding_mla") if spec.sliding_mla else None,
                src.get("sliding_window"),
                pattern_key if att["sliding"] or att["linear"] else None,
            ],
        )
    pos = bb["positional"]
    if spec.positional == "learned":
        add(
            "positional",
            # the table's rows less OPT's offset of 2: the positions a token can have
            {
                "type": "learned",
                "positions": spec.max_position_embeddings or spec.learned_positions,
            },
            [src.get("max_position_embeddings")],
        )
    elif spec.positional == "alibi":  # falcon alibi: true, mpt attn_config.alibi; bloom always
        add("positional", {"type": "alibi"}, [src.get("positional") or "alibi"])
    elif spec.positional != "none" and (spec.rope_theta or spec.rope_scaling):
        # a base config.json lacks, its config class's default (Gemma 3's rope_theta and
        # rope_local_base_freq): quoted as such
        defaulted = "; ".join(
            f"{where.removesuffix(CLASS_DEFAULT)} = {pos[field]}{CLASS_DEFAULT}"
            for field in ("rope_theta", "sliding_rope_theta")
            if pos.get(field) and (where := src.get(field) or "").endswith(CLASS_DEFAULT)
        )
        add(
            "positional",
            {k: v for k, v in pos.items() if v not in (None, 0)},
            [
                src.get("rope_theta"),
                src.get("rope_scaling"),
                src.get("sliding_rope_theta") if pos.get("sliding_rope_theta") else None,
                src.get("partial_rotary_factor"),
                # the key the family read them from (Flint: layer_types' full layers)
                (src.get("nope_layers") or "no_rope_layers") if spec.nope_layers else None,
            ],
            defaulted,
        )
    elif spec.positional == "relative_bias":
        # CPM-Ant (modeling_cpmant.py CpmAntSegmentPositionEmbedding: bucketed distances) and
        # Inkling (a learned bias bank by distance, r_proj x proj): the order is in the scores
        prefix = "text_config." if isinstance(config.get("text_config"), dict) else ""
        add(
            "positional",
            {"type": "relative_bias", "why": RELATIVE_BIAS},
            [
                f"{prefix}{key}"
                for key in (
                    "position_bias_num_buckets",
                    "position_bias_max_distance",
                    "d_rel",
                    "rel_extent",
                )
            ],
        )
    elif spec.positional == "sinusoidal":
        # CTRL and XGLM: a fixed table (a buffer in modeling_ctrl.py / modeling_xglm.py), no
        # config key but the model type says so
        add("positional", {"type": "sinusoidal", "why": SINUSOIDAL}, ["model_type"])
    elif spec.positional == "none":
        # the mixers that carry the order, by their kind: Mamba / SSM ones (Zamba's and
        # Falcon-H1's hybrids hold a Mamba mixer), else linear attention (Kimi Linear's KDA)
        mixers = bb["layers"]["counts"]["mixer"]
        linear = "linear_attention" in mixers and not any("mamba" in m for m in mixers)
        add(
            "positional",
            {"type": "none", "why": NO_POSITIONS_LINEAR if linear else NO_POSITIONS},
            ["model_type"],
        )
    if spec.max_position_embeddings:
        add("context_length", spec.max_position_embeddings, [src.get("max_position_embeddings")])
    if spec.intermediate_size:
        add(
            "ffn",
            {
                "activation": spec.hidden_act,
                "gated": spec.ffn_gated,
                "intermediate_size": spec.intermediate_size,
            },
            [src.get("hidden_act"), src.get("intermediate_size")],
        )
    if spec.is_moe and bb["moe"]:
        add(
            "moe",
            bb["moe"],
            [
                src.get("num_experts"),
                src.get("experts_per_token"),
                src.get("moe_intermediate_size"),
                src.get("num_shared_experts"),
                src.get("first_k_dense"),
            ],
        )
    if spec.ssm_version or spec.linear_attention_kind in LINEAR_ATTENTION_LABELS:
        value = (
            {
                "type": f"Mamba-{spec.ssm_version}" if spec.ssm_version == 2 else "Mamba",
                "state_size": spec.ssm_state_size,
                # the mixer's inner width (expand x hidden_size; a Mamba config.json writes it
                # as intermediate_size, which configuration_mamba.py recomputes)
                "inner_size": spec.ssm_intermediate_size,
                "heads": spec.ssm_num_heads,
                "head_dim": spec.ssm_head_dim,
                "groups": spec.ssm_n_groups,
                "conv_kernel": spec.ssm_conv_kernel,
            }
            if spec.ssm_version
            else {
                "type": "Lightning Attention",
                "heads": spec.num_attention_heads,
                "head_dim": spec.head_dim,
            }
            if spec.linear_attention_kind == "lightning"
            else {
                "type": "RG-LRU",
                "width": (spec.linear_num_value_heads or 0) * (spec.linear_value_head_dim or 0),
                "blocks": spec.linear_num_value_heads,
                "conv_kernel": spec.linear_conv_kernel,
            }
            if spec.linear_attention_kind == "rg_lru"
            else {
                # RWKV-4's time-mix: one WKV recurrence per channel of attention_hidden_size
                "type": "RWKV",
                "width": spec.ssm_intermediate_size,
            }
            if spec.linear_attention_kind == "rwkv"
            else {
                # Gated DeltaNet, Kimi Delta Attention or mLSTM: heads and sizes alike
                "type": LINEAR_ATTENTION_LABELS[spec.linear_attention_kind],
                "key_heads": spec.linear_num_key_heads,
                "value_heads": spec.linear_num_value_heads,
                "key_head_dim": spec.linear_key_head_dim,
                "value_head_dim": spec.linear_value_head_dim,
                "conv_kernel": spec.linear_conv_kernel,
            }
        )
        add(
            "ssm",
            {k: v for k, v in value.items() if v is not None},
            [
                # which linear attention it is follows from the model type (modeling_qwen3_next.py
                # builds Gated DeltaNet, modeling_kimi_linear.py KDA): quoted first, so that a
                # claim of another mixer ("36 KDA layers") is shown what it contradicts
                "model_type" if spec.linear_attention_kind else None,
                src.get("ssm_state_size"),
                "intermediate_size" if spec.ssm_version and not spec.intermediate_size else None,
                src.get("ssm_num_heads"),
                src.get("ssm_n_groups"),
                "linear_num_value_heads"
                if spec.linear_attention_kind == "gated_deltanet"
                else None,
                # Kimi Linear writes them in linear_attn_config, Bailing Hybrid (and a Kimi
                # config.json without that dict) as linear_* keys; xLSTM as num_heads and the
                # q/k and v width factors
                *(
                    ("linear_attn_config", "linear_num_heads", "linear_head_dim")
                    if spec.linear_attention_kind == "kda"
                    else ("num_heads", "qk_dim_factor", "v_dim_factor")
                    if spec.linear_attention_kind == "mlstm"
                    else ()
                ),
                src.get("layer_types")
                if spec.linear_attention_kind in ("lightning", "rg_lru")
                else None,
                src.get("linear_value_head_dim")
                if spec.linear_attention_kind == "rg_lru"
                else None,
                src.get("ssm_intermediate_size") if spec.linear_attention_kind == "rwkv" else None,
            ],
        )
    add(
        "norm",
        {"type": spec.norm_type, "placement": spec.norm_placement, "eps": spec.norm_eps},
        [src.get("norm_eps")],
    )
    add(
        "embeddings",
        {"vocab_size": spec.vocab_size, "tied": spec.tied_embeddings},
        [src.get("vocab_size"), src.get("tied_embeddings")],
    )
    if spec.mtp_layers:
        add(
            "mtp",
            {
                "layers": spec.mtp_layers,
                "params": params["mtp"]["params"],
                "built_by_transformers": False,
            },
            [src.get("mtp_layers")],
        )
    if spec.vision:
        modality = {
            "vision": VISION_NAMES.get(spec.vision.kind, spec.vision.kind),
            "params": params["breakdown"]["vision"]
            or params.get("vision_not_built", {}).get("params", 0),
            "layers": spec.vision.num_layers,
        }
        keys = ["vision_config.model_type", "vision_config"]
        if spec.audio:  # Phi-4-multimodal: the audio encoder beside the vision tower
            modality.update(
                audio=AUDIO_NAMES.get(spec.audio.kind, spec.audio.kind),
                audio_params=params["breakdown"]["audio"],
                audio_layers=spec.audio.num_layers,
            )
            keys.append("audio_config")
        add("modality", modality, keys)
    fmt = bb["weights_format"]
    if fmt["stored_dtype"] or fmt["quantization"]:
        value = {
            "stored_dtype": fmt["stored_dtype"],
            "quantization": (fmt["quantization"] or {}).get("label"),
            # FP8's [128, 128]: "FP8 (block-wise 128×128), rest bf16" (axes.readable)
            "block_size": (fmt["quantization"] or {}).get("block_size"),
        }
        assumed = fmt.get("assumed_dtype")
        if assumed:  # gpt-oss: "MXFP4 (experts), rest bf16", as the stored weights' basis
            value["assumed_dtype"] = assumed
        add(
            "weights_format",
            value,
            [
                src.get("stored_dtype"),
                "quantization_config.quant_method" if spec.quantization else None,
            ],
            assumed_dtype_text(assumed) if assumed else "",
        )
    return facts
