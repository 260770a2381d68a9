"""RWKV-4, XGLM, the ModernBERT decoder and gpt-sw3 against transformers: tiny variants built on
the meta device and counted parameter by parameter, as in test_backbone_reference.py, with the
KV cache each built attention module holds per token and, for RWKV, the recurrent state a real
forward pass of a tiny model keeps.

Marker ``reference`` (imports torch + transformers).
"""

from __future__ import annotations

from typing import Any

import pytest

from axes.backbone import analyze_config
from axes.backbone.errors import ConfigError

pytestmark = pytest.mark.reference

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
from transformers import CONFIG_MAPPING, AutoConfig, AutoModelForCausalLM  # noqa: E402

from tests.test_backbone_reference import TOKENS, _build  # noqa: E402

RWKV_SMALL = {"vocab_size": 512, "hidden_size": 64, "num_hidden_layers": 3, **TOKENS}
RWKV: list[tuple[str, dict[str, Any]]] = [
    ("defaults", {}),
    ("tied", {"tie_word_embeddings": True}),
    ("narrow-time-mix-wide-ffn", {"attention_hidden_size": 48, "intermediate_size": 200}),
    ("one-layer-no-rescale", {"num_hidden_layers": 1, "rescale_every": 0}),
]


def _totals(model: Any, cfg: Any, report: dict[str, Any], layers: str) -> None:
    """Total, breakdown, per-layer sum (parameters under ``layers``) and exactness."""
    total = sum(p.numel() for p in model.parameters())
    params = report["params"]
    assert report["estimated"] is False, report["notes"]
    assert params["total"] == total, params["breakdown"]
    assert params["active"] == total
    assert sum(params["breakdown"].values()) == total
    in_layers = sum(p.numel() for n, p in model.named_parameters() if layers in n)
    assert sum(params["per_layer"]) == in_layers


@pytest.mark.parametrize("name,extra", RWKV, ids=[v[0] for v in RWKV])
def test_rwkv_counts_time_mix_and_channel_mix_as_transformers_builds_them(
    name: str, extra: dict
) -> None:
    cfg = AutoConfig.for_model("rwkv", **{**RWKV_SMALL, **extra})
    model = _build(cfg)
    report = analyze_config(cfg.to_dict())
    _totals(model, cfg, report, ".blocks.")
    bb = report["backbone"]
    assert bb["family_module"] == "rwkv"
    assert bb["decoder_type"] == "ssm"
    assert bb["attention"]["variant"] == "none"
    n = cfg.num_hidden_layers
    assert bb["layers"]["summary"] == f"{n} RWKV · {n} MLP"
    breakdown = report["params"]["breakdown"]
    time_mix = sum(p.numel() for n_, p in model.named_parameters() if ".attention." in n_)
    channel_mix = sum(p.numel() for n_, p in model.named_parameters() if ".feed_forward." in n_)
    assert breakdown["ssm"] == time_mix
    assert breakdown["dense_mlp"] == channel_mix
    assert breakdown["attention"] == 0
    assert (model.head.weight is model.rwkv.embeddings.weight) == cfg.tie_word_embeddings
    assert report["memory"]["kv_bytes_per_token"] == 0
    # five (batch, hidden, layers) tensors: two token-shift inputs in the model's dtype (bf16
    # in the engine's figure), the WKV numerator, denominator and maximum in fp32
    h = cfg.hidden_size
    assert report["memory"]["state_bytes_per_sequence"] == n * h * (2 * 2 + 3 * 4)
    assert any(
        note.startswith("the recurrent state per sequence is what modeling_rwkv.py")
        for note in report["notes"]
    )


def test_rwkv_state_is_what_a_forward_pass_keeps() -> None:
    """A real (CPU, bf16) forward pass of a tiny RWKV with use_cache: its state tensors' bytes
    for one sequence are the engine's state_bytes_per_sequence."""
    cfg = AutoConfig.for_model("rwkv", **{**RWKV_SMALL, "hidden_size": 16, "vocab_size": 64})
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(cfg).to(torch.bfloat16).eval()
    with torch.no_grad():
        out = model(torch.tensor([[3, 4, 5]]), use_cache=True)
    state = out.state
    assert len(state) == 5
    assert [s.dtype for s in state] == [torch.bfloat16] * 2 + [torch.float32] * 3
    kept = sum(s.numel() * s.element_size() for s in state)
    report = analyze_config(cfg.to_dict())
    assert report["memory"]["state_bytes_per_sequence"] == kept


def test_rwkv_facts_read_as_an_attention_free_model() -> None:
    """No attention fact and no head size; the recurrence and its width stated, positions
    carried by the mixers, and context_length as RwkvConfig's max_position_embeddings."""
    from axes.backbone.facts import backbone_facts

    config = AutoConfig.for_model("rwkv", **RWKV_SMALL, attention_hidden_size=48).to_dict()
    report = analyze_config(config)
    facts = {f.kind: f for f in backbone_facts(config, report)}
    assert "backbone.attention" not in facts
    assert facts["backbone.context_length"].value == 1024
    assert facts["backbone.context_length"].evidence.text == "context_length = 1024"
    assert "head_dim" not in facts["backbone.hidden_size"].value
    assert facts["backbone.ssm"].value == {"type": "RWKV", "width": 48}
    # model_type first: it decides which recurrence this is (RWKV, not Gated DeltaNet or KDA)
    assert facts["backbone.ssm"].evidence.text == 'model_type = "rwkv"; attention_hidden_size = 48'
    assert facts["backbone.positional"].value["type"] == "none"
    assert facts["backbone.ffn"].value == {
        "activation": "relu2",
        "gated": False,
        "intermediate_size": 256,
    }
    assert facts["backbone.decoder_type"].value == "ssm"


XGLM_SMALL = {
    "vocab_size": 512,
    "d_model": 64,
    "num_layers": 3,
    "attention_heads": 4,
    "ffn_dim": 96,
}
XGLM: list[tuple[str, dict[str, Any]]] = [
    ("defaults", {}),
    ("untied-unscaled", {"tie_word_embeddings": False, "scale_embedding": False}),
    ("cross-attention", {"add_cross_attention": True}),
]


@pytest.mark.parametrize("name,extra", XGLM, ids=[v[0] for v in XGLM])
def test_xglm_matches_transformers(name: str, extra: dict) -> None:
    cfg = AutoConfig.for_model("xglm", **{**XGLM_SMALL, **TOKENS, **extra})
    model = _build(cfg)
    report = analyze_config(cfg.to_dict())
    _totals(model, cfg, report, ".layers.")
    bb = report["backbone"]
    assert bb["family_module"] == "xglm"
    assert bb["layers"]["summary"] == "3 MHA · 3 MLP"
    assert bb["positional"]["type"] == "sinusoidal"
    kv = sum(
        layer.self_attn.k_proj.out_features + layer.self_attn.v_proj.out_features
        for layer in model.model.layers
    )
    assert report["memory"]["kv_bytes_per_token"] == kv * 2
    cross = any(n.startswith("add_cross_attention is true") for n in report["notes"])
    assert cross == bool(extra.get("add_cross_attention"))


MBD_SMALL = {
    "vocab_size": 512,
    "hidden_size": 64,
    "num_hidden_layers": 5,
    "num_attention_heads": 4,
    "intermediate_size": 96,
    "pad_token_id": 0,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "cls_token_id": 1,
    "sep_token_id": 2,
}
MBD: list[tuple[str, dict[str, Any], str]] = [
    ("defaults", {}, "2 full + 3 sliding · 5 MLP"),
    (
        "biases-untied-every-2",
        {
            "norm_bias": True,
            "attention_bias": True,
            "mlp_bias": True,
            "classifier_bias": True,
            "decoder_bias": False,
            "tie_word_embeddings": False,
            "global_attn_every_n_layers": 2,
            "local_attention": 64,
        },
        "3 full + 2 sliding · 5 MLP",
    ),
    (
        "layer-types",
        {"layer_types": ["sliding_attention"] * 4 + ["full_attention"]},
        "4 sliding + 1 full · 5 MLP",
    ),
]


@pytest.mark.parametrize("name,extra,summary", MBD, ids=[v[0] for v in MBD])
def test_modernbert_decoder_matches_transformers(name: str, extra: dict, summary: str) -> None:
    cfg = AutoConfig.for_model("modernbert-decoder", **{**MBD_SMALL, **extra})
    model = _build(cfg)
    report = analyze_config(cfg.to_dict())
    _totals(model, cfg, report, ".layers.")
    bb = report["backbone"]
    assert bb["family_module"] == "modernbert_decoder"
    assert bb["layers"]["summary"] == summary
    assert report["spec"]["sliding_window"] == cfg.sliding_window
    kv = sum(
        layer.attn.k_proj.out_features + layer.attn.v_proj.out_features
        for layer in model.model.layers
    )
    assert report["memory"]["kv_bytes_per_token"] == kv * 2
    tied = model.decoder.weight is model.model.embeddings.tok_embeddings.weight
    assert tied == cfg.tie_word_embeddings


def test_gpt_sw3_is_gpt2_under_its_own_model_type() -> None:
    """transformers maps gpt-sw3 to GPT2Config / GPT2LMHeadModel: a config.json that says
    model_type gpt-sw3 is counted exactly as GPT-2."""
    cfg = CONFIG_MAPPING["gpt-sw3"](vocab_size=512, n_embd=64, n_layer=3, n_head=4)
    model = _build(cfg)
    config = {**cfg.to_dict(), "model_type": "gpt-sw3"}
    report = analyze_config(config)
    _totals(model, cfg, report, ".h.")
    assert report["backbone"]["family_module"] == "gpt2"
    assert report["backbone"]["family"] == "gpt-sw3"


@pytest.mark.parametrize("model_type", ["rwkv", "xglm", "modernbert-decoder", "gpt-sw3"])
def test_garbled_keys_are_refused_by_name_or_read(model_type: str) -> None:
    """The default config is read exactly; each of its keys dropped or set to null, 0, -1, a
    string, a list or a dict: the engine reads it or raises ConfigError, never another
    exception."""
    config = CONFIG_MAPPING[model_type]().to_dict()
    config["model_type"] = model_type
    assert analyze_config(config)["estimated"] is False
    for key in list(config):
        if key == "model_type":
            continue
        for value in (None, 0, -1, "x", [1], {"a": 1}, "__drop__"):
            bad = dict(config)
            if value == "__drop__":
                bad.pop(key)
            else:
                bad[key] = value
            try:
                analyze_config(bad)
            except ConfigError:
                pass


def test_blt_is_refused_with_what_it_is() -> None:
    """The Byte Latent Transformer's config nests four transformers and names no hidden_size
    at the top: the engine says what the model is and that it cannot count it (it said
    'config.json has no hidden_size'), naming model_type."""
    config = CONFIG_MAPPING["blt"]().to_dict()
    with pytest.raises(ConfigError, match="Byte Latent Transformer") as caught:
        analyze_config(config)
    assert caught.value.key == "model_type"
    assert "global transformer that runs once per patch" in str(caught.value)


@pytest.mark.parametrize("model_type", ["xlm", "flaubert"])
def test_xlm_is_refused_with_what_it_is(model_type) -> None:
    """XLMConfig (and Flaubert's, its subclass) names its width emb_dim: the refusal said
    'config.json has no hidden_size / n_embd / ...', as if the width were missing."""
    from catalog.notes_l10n import note_match

    config = CONFIG_MAPPING[model_type]().to_dict()
    assert "emb_dim" in config and "hidden_size" not in config
    with pytest.raises(ConfigError, match="is an XLM model") as caught:
        analyze_config(config)
    assert caught.value.key == "model_type"
    assert "has no hidden_size" not in str(caught.value)
    assert note_match(str(caught.value)) is not None


@pytest.mark.django_db
def test_rwkv_model_page_reads_as_an_attention_free_model(client, web_model) -> None:
    """The model page of an RWKV: the layer strip names the RWKV mixer, the state note is
    shown, and nothing speaks of attention heads or a KV cache that grows."""
    import html as html_lib

    from axes.backbone.facts import backbone_facts

    config = AutoConfig.for_model("rwkv", **RWKV_SMALL).to_dict()
    report = analyze_config(config)
    report["facts"] = [f.to_dict() for f in backbone_facts(config, report)]
    web_model("acme/rwkv-tiny", analysis=report, config=config)
    response = client.get("/models/acme/rwkv-tiny/", {"lang": "en"})
    assert response.status_code == 200
    page = html_lib.unescape(response.content.decode())
    figure = page.split('class="layer-strip"', 1)[1].split("</figure>", 1)[0]
    assert "Linear attention (RWKV)" in figure
    assert "3 RWKV · 3 MLP" in page
    assert "five hidden-size vectors per layer" in page
    assert "num_attention_heads" not in page


@pytest.mark.parametrize(
    "model_type,kwargs,key",
    [
        ("xglm", {"d_model": 65, "attention_heads": 4}, "attention_heads"),
        (
            "modernbert-decoder",
            {"hidden_size": 65, "num_attention_heads": 4},
            "num_attention_heads",
        ),
    ],
)
def test_heads_that_do_not_divide_the_width_are_refused_as_transformers_does(
    model_type: str, kwargs: dict, key: str
) -> None:
    """XGLMAttention and ModernBertDecoderAttention raise when the heads do not divide the
    hidden size; the engine refuses too, naming the heads' key."""
    config = {**CONFIG_MAPPING[model_type]().to_dict(), **kwargs}
    with pytest.raises(ConfigError, match="is not a multiple of") as caught:
        analyze_config(config)
    assert caught.value.key == key


@pytest.mark.parametrize(
    "model_type,keys",
    [
        ("bart", "encoder_layers, decoder_layers"),
        ("whisper", "encoder_layers, decoder_layers"),
        ("prophetnet", "num_encoder_layers, num_decoder_layers"),
        ("trocr", "decoder_layers"),
        ("musicgen", "is_encoder_decoder: true"),
    ],
)
def test_encoder_decoder_default_config_is_refused_with_what_it_is(
    model_type: str, keys: str
) -> None:
    """transformers builds a causal LM from these (the decoder, with cross-attention to an
    encoder), but their configs count an encoder's and a decoder's layers: the engine said
    'config.json has no num_hidden_layers / n_layer / ...', asking for a key no such config
    has; it now says what the model is and names the keys it read."""
    config = CONFIG_MAPPING[model_type]().to_dict()
    with pytest.raises(ConfigError, match="encoder-decoder model or its decoder") as caught:
        analyze_config(config)
    assert f"({keys})" in str(caught.value)
    assert caught.value.key == keys.split(",")[0].split(":")[0]


@pytest.mark.parametrize("model_type", ["t5", "mt5", "umt5", "longt5", "switch_transformers"])
def test_t5_style_encoder_decoder_with_num_layers_is_refused(model_type: str) -> None:
    """T5's config names its encoder's depth num_layers (and the decoder's
    num_decoder_layers): the engine read num_layers as one decoder-only stack and gave
    flan-t5 figures for half a model without cross-attention, with no word that they were."""
    config = CONFIG_MAPPING[model_type]().to_dict()
    assert config["is_encoder_decoder"] is True and "num_layers" in config
    with pytest.raises(ConfigError, match="encoder-decoder model or its decoder") as caught:
        analyze_config(config)
    assert "(num_decoder_layers)" in str(caught.value)
    assert caught.value.key == "num_decoder_layers"
