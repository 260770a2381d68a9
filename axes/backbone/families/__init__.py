"""One module per model family: how that family's config.json maps onto an ArchSpec.

Each module exposes ``MODEL_TYPES`` and ``read(view) -> ArchSpec``, mirroring the installed
transformers ``configuration_<family>.py`` defaults and ``modeling_<family>.py`` shapes.
Unknown model types go to ``generic`` (estimated, never a crash).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from axes.backbone.families import (
    afmoe,
    aria_text,
    axk,
    bamba,
    bloom,
    cohere,
    cohere2_moe,
    cpmant,
    ctrl,
    dbrx,
    deepseek,
    deepseek_v4,
    doge,
    dory,
    dots1,
    dots3_note,
    emu3,
    ernie4_5_moe,
    exaone4,
    falcon,
    falcon_h1,
    flint,
    fuyu,
    gemma,
    gemma3n,
    gemma4,
    generic,
    glm4,
    glm4_moe,
    gpt2,
    gpt_bigcode,
    gpt_neo,
    gpt_neox,
    gpt_oss,
    gptj,
    granitemoe,
    granitemoehybrid,
    hrm,
    hunyuan_v1_moe,
    hy_v3,
    inkling,
    jamba,
    jetmoe,
    kimi_linear,
    kolibri1,
    laguna,
    lfm2,
    llama,
    llama4,
    longcat_flash,
    mamba,
    mimo_v2_flash,
    minimax,
    minimax_m2,
    minimax_m3,
    mistral3,
    mixtral,
    mllama,
    moshi,
    mpt,
    nemotron,
    nemotron_h,
    olmo2,
    olmo_hybrid,
    olmoe,
    opt,
    phi,
    phi3,
    phimoe,
    qwen2_moe,
    qwen3_moe,
    qwen3_next,
    qwen4_exp,
    recurrent_gemma,
    stablelm,
    starcoder2,
    xlstm,
    zamba,
    zaya,
)

FAMILY_MODULES: tuple[ModuleType, ...] = (
    llama,
    mixtral,
    qwen3_moe,
    qwen3_next,
    qwen4_exp,
    deepseek,
    gemma,
    gemma4,
    gemma3n,
    phi3,
    gpt2,
    gpt_bigcode,
    gpt_oss,
    nemotron_h,
    mamba,
    granitemoe,
    olmo2,
    phi,
    gpt_neox,
    falcon,
    bloom,
    opt,
    gptj,
    hrm,
    inkling,
    dory,
    gpt_neo,
    mpt,
    starcoder2,
    stablelm,
    xlstm,
    cohere,
    glm4,
    exaone4,
    qwen2_moe,
    olmoe,
    phimoe,
    jamba,
    granitemoehybrid,
    bamba,
    falcon_h1,
    glm4_moe,
    minimax_m2,
    minimax_m3,
    ernie4_5_moe,
    hunyuan_v1_moe,
    hy_v3,
    llama4,
    minimax,
    nemotron,
    dbrx,
    lfm2,
    cohere2_moe,
    olmo_hybrid,
    mistral3,
    recurrent_gemma,
    jetmoe,
    kimi_linear,
    zamba,
    afmoe,
    dots1,
    axk,
    laguna,
    doge,
    emu3,
    kolibri1,
    ctrl,
    zaya,
    mimo_v2_flash,
    longcat_flash,
    deepseek_v4,
    flint,
    aria_text,
    dots3_note,
    fuyu,
    moshi,
    mllama,
    cpmant,
)

REGISTRY: dict[str, ModuleType] = {
    mt: module for module in FAMILY_MODULES for mt in module.MODEL_TYPES
}

# architectures[0] -> model_type, for configs whose model_type is a remote-code alias
ARCHITECTURE_ALIASES: dict[str, str] = {
    "DeepseekV3ForCausalLM": "deepseek_v3",
    "DeepseekV2ForCausalLM": "deepseek_v2",
    "DeepseekV32ForCausalLM": "deepseek_v32",
    "NemotronHForCausalLM": "nemotron_h",
    "MiniMaxM1ForCausalLM": "minimax_m1",
    "MiniMaxText01ForCausalLM": "minimax_m1",
}


def family_for(model_type: str, config: dict[str, Any]) -> ModuleType:
    if model_type in REGISTRY:
        return REGISTRY[model_type]
    archs = config.get("architectures") or []
    if isinstance(archs, list):
        for arch in archs:
            alias = ARCHITECTURE_ALIASES.get(str(arch))
            if alias:
                return REGISTRY[alias]
    return generic


def supported_model_types() -> list[str]:
    return sorted(REGISTRY)
