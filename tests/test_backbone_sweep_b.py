"""MoE and MLA corner cases a sweep of the model types against transformers found: tiny
variants built on the meta device and counted parameter by parameter (total, and active as
total minus the (E - k) / E share of each layer's routed experts), as in
test_backbone_reference.py.

Marker ``reference`` (imports torch + transformers); each build is a few milliseconds.
"""

from __future__ import annotations

from typing import Any

import pytest

from axes.backbone import analyze_config

pytestmark = pytest.mark.reference

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
from transformers import AutoConfig  # noqa: E402

from tests.test_backbone_reference import SMALL, _build, _experts, _routed_expert_numel  # noqa: E402

MLA = {
    "q_lora_rank": 32,
    "kv_lora_rank": 16,
    "qk_nope_head_dim": 8,
    "qk_rope_head_dim": 8,
    "v_head_dim": 8,
}
DS_EXPERTS = {"n_routed_experts": 8, "num_experts_per_tok": 2, "moe_intermediate_size": 32}
EXPERTS = {"num_experts": 8, "num_experts_per_tok": 2, "moe_intermediate_size": 32}
DELTANET = {
    "head_dim": 16,
    "linear_num_key_heads": 2,
    "linear_num_value_heads": 4,
    "linear_key_head_dim": 8,
    "linear_value_head_dim": 12,
}

VARIANTS: list[tuple[str, str, dict[str, Any]]] = [
    # modeling_deepseek_v2.py DeepseekV2MLP: gate/up/down take mlp_bias (dense and shared)
    ("deepseek_v2-mlp-bias", "deepseek_v2", {**DS_EXPERTS, **MLA, "mlp_bias": True}),
    (
        "deepseek_v2-mlp-bias-dense-first-no-q-lora",
        "deepseek_v2",
        {**DS_EXPERTS, **MLA, "mlp_bias": True, "first_k_dense_replace": 2, "q_lora_rank": None},
    ),
    # DeepseekV2Moe builds its shared expert at n_shared_experts 0: a width-0 MLP whose
    # down_proj bias remains
    (
        "deepseek_v2-no-shared-mlp-bias",
        "deepseek_v2",
        {**DS_EXPERTS, **MLA, "mlp_bias": True, "n_shared_experts": 0},
    ),
    ("deepseek_v2-no-shared", "deepseek_v2", {**DS_EXPERTS, **MLA, "n_shared_experts": 0}),
    # shared_expert_gate (hidden -> 1) is built even when the shared expert has width 0
    # (configuration_qwen4_exp.py refuses width 0)
    (
        "qwen2_moe-no-shared",
        "qwen2_moe",
        {**EXPERTS, "shared_expert_intermediate_size": 0},
    ),
    (
        "qwen2_moe-no-shared-step2-tied",
        "qwen2_moe",
        {
            **EXPERTS,
            "shared_expert_intermediate_size": 0,
            "decoder_sparse_step": 2,
            "tie_word_embeddings": True,
        },
    ),
    (
        "qwen3_next-no-shared",
        "qwen3_next",
        {**EXPERTS, **DELTANET, "shared_expert_intermediate_size": 0},
    ),
    (
        "qwen3_5_moe_text-no-shared",
        "qwen3_5_moe_text",
        {**EXPERTS, **DELTANET, "shared_expert_intermediate_size": 0},
    ),
    # modeling_hy_v3.py HYV3MLP: ``intermediate_size or config.intermediate_size``, so a shared
    # expert of width 0 is built as a dense MLP of intermediate_size
    ("hy_v3-no-shared", "hy_v3", {**EXPERTS, "head_dim": 16, "num_shared_experts": 0}),
    (
        "hy_v3-no-shared-mlp-bias-tied",
        "hy_v3",
        {
            **EXPERTS,
            "head_dim": 16,
            "num_shared_experts": 0,
            "mlp_bias": True,
            "tie_word_embeddings": True,
        },
    ),
]


@pytest.mark.parametrize("name,model_type,extra", VARIANTS, ids=[v[0] for v in VARIANTS])
def test_variant_matches_transformers(name: str, model_type: str, extra: dict[str, Any]) -> None:
    cfg = AutoConfig.for_model(model_type, **{**SMALL, **extra})
    model = _build(cfg)
    total = sum(p.numel() for p in model.parameters())
    e, k = _experts(cfg)
    routed = _routed_expert_numel(model)
    active = total - sum(n * (e - k) // e for n in routed.values()) if e else total
    report = analyze_config(cfg.to_dict())
    params = report["params"]
    assert report["estimated"] is False, report["notes"]
    assert params["total"] == total, params["breakdown"]
    assert params["active"] == active
    assert sum(params["breakdown"].values()) == total
