"""Real models' shapes (their widths, heads, experts and vocabularies; 2-8 layers to stay
small) built by transformers on the meta device, against the engine: the held-out kind of
check the issue asks for, on families whose real configs are not in ../shared/hub.

Marker ``reference`` (imports torch + transformers), like test_backbone_reference.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from axes.backbone import analyze_config

pytestmark = pytest.mark.reference

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
from transformers import AutoConfig  # noqa: E402

from tests.test_backbone_reference import _build  # noqa: E402

CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "mistral-nemo": (
        "mistral",
        dict(
            hidden_size=5120,
            num_attention_heads=32,
            num_key_value_heads=8,
            head_dim=128,
            intermediate_size=14336,
            vocab_size=131072,
            num_hidden_layers=2,
            sliding_window=None,
        ),
    ),
    "qwen2.5-72b": (
        "qwen2",
        dict(
            hidden_size=8192,
            num_attention_heads=64,
            num_key_value_heads=8,
            intermediate_size=29568,
            vocab_size=152064,
            num_hidden_layers=2,
            tie_word_embeddings=False,
        ),
    ),
    "gemma-2-9b": (
        "gemma2",
        dict(
            hidden_size=3584,
            num_attention_heads=16,
            num_key_value_heads=8,
            head_dim=256,
            intermediate_size=14336,
            vocab_size=256000,
            num_hidden_layers=2,
        ),
    ),
    "deepseek-v2-lite": (
        "deepseek_v2",
        dict(
            hidden_size=2048,
            num_attention_heads=16,
            num_key_value_heads=16,
            q_lora_rank=None,
            kv_lora_rank=512,
            qk_nope_head_dim=128,
            qk_rope_head_dim=64,
            v_head_dim=128,
            intermediate_size=10944,
            moe_intermediate_size=1408,
            n_routed_experts=64,
            n_shared_experts=2,
            num_experts_per_tok=6,
            first_k_dense_replace=1,
            vocab_size=102400,
            num_hidden_layers=3,
        ),
    ),
    "mixtral-8x22b": (
        "mixtral",
        dict(
            hidden_size=6144,
            num_attention_heads=48,
            num_key_value_heads=8,
            intermediate_size=16384,
            num_local_experts=8,
            num_experts_per_tok=2,
            vocab_size=32768,
            num_hidden_layers=2,
        ),
    ),
    "phi-3.5-moe": (
        "phimoe",
        dict(
            hidden_size=4096,
            num_attention_heads=32,
            num_key_value_heads=8,
            intermediate_size=6400,
            num_local_experts=16,
            num_experts_per_tok=2,
            vocab_size=32064,
            num_hidden_layers=2,
        ),
    ),
    "qwen1.5-moe": (
        "qwen2_moe",
        dict(
            hidden_size=2048,
            num_attention_heads=16,
            num_key_value_heads=16,
            intermediate_size=5632,
            moe_intermediate_size=1408,
            shared_expert_intermediate_size=5632,
            num_experts=60,
            num_experts_per_tok=4,
            vocab_size=151936,
            num_hidden_layers=2,
        ),
    ),
    "phi-2": (
        "phi",
        dict(
            hidden_size=2560,
            num_attention_heads=32,
            intermediate_size=10240,
            vocab_size=51200,
            num_hidden_layers=2,
            partial_rotary_factor=0.4,
        ),
    ),
    "pythia-1b": (
        "gpt_neox",
        dict(
            hidden_size=2048,
            num_attention_heads=8,
            intermediate_size=8192,
            vocab_size=50304,
            num_hidden_layers=2,
            rotary_pct=0.25,
            use_parallel_residual=True,
        ),
    ),
    "falcon-7b": (
        "falcon",
        dict(
            hidden_size=4544,
            num_attention_heads=71,
            vocab_size=65024,
            num_hidden_layers=2,
            multi_query=True,
            parallel_attn=True,
            bias=False,
        ),
    ),
    "starcoder2-7b": (
        "starcoder2",
        dict(
            hidden_size=4608,
            num_attention_heads=36,
            num_key_value_heads=4,
            intermediate_size=18432,
            vocab_size=49152,
            num_hidden_layers=2,
            use_bias=True,
        ),
    ),
    "olmoe-1b-7b": (
        "olmoe",
        dict(
            hidden_size=2048,
            num_attention_heads=16,
            num_key_value_heads=16,
            intermediate_size=1024,
            num_experts=64,
            num_experts_per_tok=8,
            vocab_size=50304,
            num_hidden_layers=2,
        ),
    ),
    "granite-3.0-moe": (
        "granitemoe",
        dict(
            hidden_size=1024,
            num_attention_heads=16,
            num_key_value_heads=8,
            intermediate_size=512,
            num_local_experts=32,
            num_experts_per_tok=8,
            vocab_size=49155,
            num_hidden_layers=2,
        ),
    ),
    "jamba-mini": (
        "jamba",
        dict(
            hidden_size=1024,
            num_attention_heads=8,
            num_key_value_heads=2,
            intermediate_size=2048,
            num_experts=4,
            num_experts_per_tok=2,
            vocab_size=1000,
            num_hidden_layers=8,
            attn_layer_period=4,
            attn_layer_offset=2,
            expert_layer_period=2,
            expert_layer_offset=1,
            use_mamba_kernels=False,
        ),
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_real_shapes_match_the_meta_build(name: str) -> None:
    model_type, shape = CASES[name]
    cfg = AutoConfig.for_model(model_type, **shape)
    model = _build(cfg)
    total = sum(p.numel() for p in model.parameters())
    report = analyze_config(cfg.to_dict())
    assert report["estimated"] is False
    assert report["params"]["total"] == total, report["params"]["breakdown"]
    assert sum(report["params"]["breakdown"].values()) == total
