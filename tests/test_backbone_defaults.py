"""A config.json that omits a key is built by transformers with its config class's default; the
engine must count the same model. For a representative set of families, each defaulted key
is dropped in turn from a small config (4 layers, half the heads and half the width of the
class defaults, so a default derived from other keys differs from a fixed one), the result is
built on the meta device and its parameter count compared with the engine's total. The same
config with every default written out (``config.to_dict()``) must give the engine the same KV
cache, layer mix and FLOPs as the one with the key omitted.

Marker ``reference`` (imports torch + transformers). Builds are cached by their filled config.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from functools import cache
from typing import Any

import pytest

from axes.backbone import ConfigError, analyze_config
from axes.backbone.families._defaults import INTERMEDIATE_SIZE, NUM_KV_HEADS

pytestmark = pytest.mark.reference

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
from transformers import AutoModelForCausalLM  # noqa: E402
from transformers.models.auto.configuration_auto import CONFIG_MAPPING  # noqa: E402

# the families the engine fixed defaults for (qwen2 / mixtral / mistral / gemma /
# starcoder2 / stablelm num_key_value_heads; llama / qwen3 / olmo2 / phi3 / granitemoe ...
# intermediate_size; mamba2 n_groups; bailing_hybrid moe_intermediate_size; longcat_flash
# ffn_hidden_size; apertus hidden_act) and the common ones
FAMILIES = (
    "llama",
    "mistral",
    "qwen2",
    "qwen3",
    "qwen3_moe",
    "mixtral",
    "deepseek_v3",
    "gemma",
    "gemma3_text",
    "gpt_oss",
    "nemotron_h",
    "granitemoe",
    "mamba2",
    "olmo2",
    "phi3",
    "starcoder2",
    "stablelm",
    "exaone4",
    "apertus",
    "bailing_hybrid",
    "longcat_flash",
)
LAYERS = 4
# kept: the sizes the engine refuses a config.json without (ConfigError, tested below; for
# longcat_flash num_layers, for nemotron_h the block list whose length is the layer count),
# and the bookkeeping keys that build no parameter
_KEPT = {
    "hidden_size",
    "num_hidden_layers",
    "num_layers",
    "layers_block_type",
    "vocab_size",
    "num_attention_heads",
    "initializer_range",
    "use_cache",
    "pad_token_id",
    "bos_token_id",
    "eos_token_id",
    "output_router_logits",
    "router_aux_loss_coef",
    "router_jitter_noise",
    "pretraining_tp",
    "dtype",
}


def _shrink(d: dict[str, Any]) -> dict[str, Any]:
    n = d.get("num_hidden_layers")
    if isinstance(n, int) and n > LAYERS:
        d["num_hidden_layers"] = LAYERS
        for k, v in list(d.items()):
            if k != "num_hidden_layers" and isinstance(v, list | str) and len(v) == n:
                d[k] = v[:LAYERS]  # layer_types, hybrid_override_pattern, mlp_only_layers ...
    heads = d.get("num_attention_heads")
    if isinstance(heads, int) and heads % 2 == 0 and d.get("hidden_size", 1) % 2 == 0:
        d["num_attention_heads"] = heads // 2
        d["hidden_size"] //= 2  # the same head width, half the heads
        kv = d.get("num_key_value_heads")
        if isinstance(kv, int) and (heads // 2) % kv:
            d["num_key_value_heads"] = heads // 2
    return d


@cache
def _small(mt: str) -> str:
    return json.dumps(_shrink(CONFIG_MAPPING[mt]().to_dict()), default=str)


def _defaulted(mt: str) -> list[str]:
    fields = dataclasses.fields(CONFIG_MAPPING[mt])
    has_default = {
        f.name
        for f in fields
        if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
    }
    small = json.loads(_small(mt))
    return [
        k
        for k in small
        if k in has_default and k not in _KEPT and "dropout" not in k and not k.endswith("_id")
    ]


CASES = [(mt, key) for mt in FAMILIES for key in _defaulted(mt)]


@cache
def _meta_total(filled: str) -> int:
    cfg = CONFIG_MAPPING[json.loads(filled)["model_type"]](**json.loads(filled))
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(cfg)
    return sum(p.numel() for p in model.parameters())


def _figures(report: dict[str, Any]) -> dict[str, Any]:
    memory, backbone = report["memory"], report["backbone"]
    return {
        "total": report["params"]["total"],
        "kv_bytes_per_token": memory["kv_bytes_per_token"],
        "kv_bytes_per_token_sliding": memory["kv_bytes_per_token_sliding"],
        "kv_bytes": memory["kv_bytes"]["bytes"],
        "state_bytes": memory["state_bytes_per_sequence"],
        "layers": backbone["layers"]["summary"],
        "sliding_window": backbone["attention"]["sliding_window"],
        "context_length": backbone["context_length"],
        "flops_per_token": report["compute"]["flops_per_token"],
    }


def test_the_small_configs_match_transformers():
    """The base every dropped key is compared against: each small config, whole, counts as
    transformers builds it (else a mismatch below would say nothing about defaults)."""
    for mt in FAMILIES:
        small = json.loads(_small(mt))
        assert analyze_config(small)["params"]["total"] == _meta_total(_small(mt)), mt


@pytest.mark.parametrize(("model_type", "key"), CASES, ids=[f"{m}-{k}" for m, k in CASES])
def test_an_omitted_key_takes_the_config_class_default(model_type, key):
    config = json.loads(_small(model_type))
    config.pop(key)
    try:
        filled = CONFIG_MAPPING[model_type](**copy.deepcopy(config)).to_dict()
    except Exception as exc:  # transformers itself refuses the config: nothing to mirror
        pytest.skip(f"transformers refuses {model_type} without {key}: {exc}"[:200])
    expected = _meta_total(json.dumps(filled, default=str))
    explicit_config = json.loads(json.dumps(filled, default=str))
    try:
        report = analyze_config(config)
    except ConfigError:
        # a fixed K/V head default that does not divide the heads (Qwen2Config's 32 under
        # 16 heads): transformers builds k_proj / v_proj but no whole query group per K/V
        # head, a model whose attention cannot run. The engine refuses it, as it refuses the
        # same config with the default written out.
        assert key == "num_key_value_heads"
        with pytest.raises(ConfigError):
            analyze_config(explicit_config)
        return
    assert report["params"]["total"] == expected
    assert _figures(report) == _figures(analyze_config(explicit_config))


def test_qwen2_without_num_key_value_heads_has_32_kv_heads_and_says_so():
    """Qwen2Config's num_key_value_heads default is 32, not num_attention_heads."""
    config = json.loads(_small("qwen2"))  # 16 heads of 128
    config.pop("num_key_value_heads")
    config["num_attention_heads"] = 64
    config["hidden_size"] = 64 * 128
    report = analyze_config(config)
    assert report["backbone"]["attention"]["num_kv_heads"] == 32
    assert report["backbone"]["attention"]["variant"] == "GQA"
    assert (
        "no num_key_value_heads in config.json: transformers' qwen2 default, 32, is used"
        in (report["notes"])
    )
    assert report["params"]["total"] == _meta_total(
        json.dumps(CONFIG_MAPPING["qwen2"](**copy.deepcopy(config)).to_dict(), default=str)
    )


def test_qwen2_with_an_explicit_null_num_key_value_heads_has_as_many_as_the_heads():
    """Only an absent key takes the default 32: Qwen2Config.__post_init__ turns a null into
    num_attention_heads. Many config classes do not (MistralConfig refuses a null), so the
    engine says what it counted."""
    config = json.loads(_small("qwen2"))
    config["num_key_value_heads"] = None
    report = analyze_config(config)
    heads = config["num_attention_heads"]
    assert report["backbone"]["attention"]["num_kv_heads"] == heads
    assert [n for n in report["notes"] if "num_key_value_heads" in n] == [
        f"num_key_value_heads is null: counted with as many K/V heads as query heads ({heads}), "
        "as LlamaConfig and Qwen2Config read it; many config classes refuse a null there or "
        "build no model from it"
    ]
    assert report["params"]["total"] == _meta_total(
        json.dumps(CONFIG_MAPPING["qwen2"](**copy.deepcopy(config)).to_dict(), default=str)
    )


def test_a_defaulted_kv_head_count_that_does_not_divide_the_heads_is_refused_by_name():
    """Qwen2.5-7B's 28 heads without num_key_value_heads: transformers' default 32 leaves no
    whole group per K/V head; the engine refuses and says the 32 is the class default."""
    config = json.loads(_small("qwen2"))
    config.pop("num_key_value_heads")
    config["num_attention_heads"] = 28
    config["hidden_size"] = 28 * 128
    with pytest.raises(ConfigError) as err:
        analyze_config(config)
    assert "config.json has no num_key_value_heads, and 32 is its config class's default" in (
        str(err.value)
    )


def test_llama_without_intermediate_size_uses_11008_not_four_times_hidden():
    config = json.loads(_small("llama"))
    config.pop("intermediate_size")
    report = analyze_config(config)
    assert report["backbone"]["intermediate_size"] == 11008
    assert "no intermediate_size: assumed 4 × hidden_size" not in report["notes"]
    assert (
        "no intermediate_size in config.json: transformers' llama default, 11,008, is used"
        in (report["notes"])
    )


@pytest.mark.parametrize(
    "key", ["hidden_size", "num_hidden_layers", "vocab_size", "num_attention_heads"]
)
def test_the_engine_still_refuses_a_config_without_the_model_size(key):
    """The sizes that make the model are never guessed from a class default; the refusal
    names the missing key (num_attention_heads: not 'must be positive ..., not 0')."""
    config = json.loads(_small("llama"))
    config.pop(key)
    with pytest.raises(ConfigError, match=f"config.json has no {key}"):
        analyze_config(config)


def test_gemma3_without_vision_config_counts_the_default_siglip_tower():
    """Gemma3Config builds SiglipVisionConfig() when vision_config is absent, and
    Gemma3ForConditionalGeneration builds that tower: the engine counts it, and says so."""
    config = CONFIG_MAPPING["gemma3"]().to_dict()
    config["text_config"] = _shrink(config["text_config"])
    config.pop("vision_config")
    filled = CONFIG_MAPPING["gemma3"](**copy.deepcopy(config)).to_dict()
    report = analyze_config(config)
    assert report["params"]["total"] == _meta_total(json.dumps(filled, default=str))
    assert report["params"]["breakdown"]["vision"] > 0
    assert (
        "config.json has no vision_config: transformers builds Gemma 3's default vision tower "
        "(a SigLIP of 12 layers, hidden size 768), counted as such"
    ) in report["notes"]


def _text_config_class(model_type: str):
    cls = CONFIG_MAPPING[model_type]
    sub = getattr(cls(), "text_config", None)
    return type(sub) if sub is not None else cls


@pytest.mark.parametrize(
    ("table", "key"),
    [(INTERMEDIATE_SIZE, "intermediate_size"), (NUM_KV_HEADS, "num_key_value_heads")],
    ids=["intermediate_size", "num_key_value_heads"],
)
def test_every_tabled_default_is_the_installed_config_class_default(table, key):
    """families/_defaults.py against transformers' dataclasses (a transformers upgrade that
    changes a default fails here, not silently in a count)."""
    field = {"longcat_flash": "ffn_hidden_size"}
    wrong = {}
    for model_type, value in table.items():
        if model_type not in CONFIG_MAPPING:  # a text type reached only through its wrapper
            continue
        name = field.get(model_type, key) if key == "intermediate_size" else key
        defaults = {f.name: f.default for f in dataclasses.fields(_text_config_class(model_type))}
        if defaults.get(name) != value:
            wrong[model_type] = (value, defaults.get(name))
    assert not wrong


@pytest.mark.parametrize("model_type", ["zamba", "zamba2"])
def test_zamba_without_intermediate_size_counts_its_config_class_default(model_type):
    """ZambaConfig's intermediate_size defaults to 14,848 (read from the table, noted);
    Zamba2Config's to 4 × hidden_size, which is no assumption (no note). Both used to raise a
    ValueError from a note that was not there to remove."""
    config = json.loads(_small(model_type))
    if model_type == "zamba":  # two hybrid layers (4 and 10): transformers ties their blocks
        config = {"model_type": "zamba", "num_hidden_layers": 12, "hidden_size": 512}
        config.update(vocab_size=1000, num_attention_heads=16)
    config.pop("intermediate_size", None)
    filled = CONFIG_MAPPING[model_type](**copy.deepcopy(config)).to_dict()
    report = analyze_config(config)
    assert report["params"]["total"] == _meta_total(json.dumps(filled, default=str))
    width = [n for n in report["notes"] if "intermediate_size" in n]
    if model_type == "zamba":
        assert width == [
            "no intermediate_size in config.json: transformers' zamba default, 14,848, is used"
        ]
    else:
        assert width == []


def test_xlstm_with_intermediate_size_counts_as_built_and_says_it_is_unread():
    """xLSTMConfig has no intermediate_size (its width is ffn_proj_factor × hidden_size):
    a config.json that sets one used to raise a ValueError; it counts as transformers builds
    it, with a note that the key is not read."""
    config = json.loads(_small("xlstm"))
    config["intermediate_size"] = 12345
    filled = CONFIG_MAPPING["xlstm"](**copy.deepcopy(config)).to_dict()
    report = analyze_config(config)
    assert report["params"]["total"] == _meta_total(json.dumps(filled, default=str))
    assert (
        "intermediate_size is set, but modeling_xlstm.py does not read it: the feed-forward "
        "width is ffn_proj_factor × hidden_size, rounded up to ffn_round_up_to_multiple_of"
    ) in report["notes"]


def _registered_model_types() -> list[str]:
    from axes.backbone import families

    return sorted({mt for module in families.FAMILY_MODULES for mt in module.MODEL_TYPES})


def _int_field_default(model_type: str, key: str) -> int | None:
    try:
        cls = _text_config_class(model_type)
    except Exception:  # a wrapper whose default instance transformers itself refuses
        cls = CONFIG_MAPPING[model_type]
    if not dataclasses.is_dataclass(cls):
        return None
    default = {f.name: f.default for f in dataclasses.fields(cls)}.get(key)
    return default if type(default) is int else None


# registered families whose config class has a fixed default the engine reads itself, not
# from families/_defaults.py (read_core's tabled default would be wrong or unused there)
READ_BY_THE_FAMILY = {
    "intermediate_size": {
        "beam": "beam.py sets BeamConfig's 20,480 (and its note) itself",
        "dory": "dory.py sets DoryConfig's 7,168 itself",
        "lfm2": "lfm2.py: 12,288 (or block_ff_dim), then block_auto_adjust_ff_dim shrinks it",
        "lfm2_moe": "lfm2.py sets Lfm2MoeConfig's 7,168 itself",
        "lfm3": "lfm2.py sets Lfm3Config's 7,680 itself",
        "modernbert-decoder": "modernbert_decoder.py sets 1,152 itself",
        "phi4_multimodal": "phi4_multimodal.py sets 8,192 (and its note) itself",
        "recurrent_gemma": "recurrent_gemma.py: 3 × 2,560, halved as RecurrentGemmaMlp does",
    },
    "num_key_value_heads": {
        "beam": "beam.py reads it with BeamConfig's 8",
        "deepseek_v4": "deepseek_v4.py sets 1 itself",
        "jetmoe": "jetmoe.py sets 16 itself and derives the query heads from it",
        "phi4_multimodal": "phi4_multimodal.py sets 8 (and its note) itself",
        "zamba": "zamba.py sets ZambaConfig's 16 itself (Zamba2's default is the heads)",
    },
}


@pytest.mark.parametrize(
    ("table", "key"),
    [(INTERMEDIATE_SIZE, "intermediate_size"), (NUM_KV_HEADS, "num_key_value_heads")],
    ids=["intermediate_size", "num_key_value_heads"],
)
def test_every_fixed_default_of_a_registered_family_is_tabled(table, key):
    """A registered model type whose config class gives ``key`` a fixed integer default is in
    families/_defaults.py, or its family reads the default itself (listed above, with why):
    else a config.json without the key would be counted with a guessed width or the heads."""
    missing = {}
    for model_type in _registered_model_types():
        if model_type not in CONFIG_MAPPING or model_type in table:
            continue
        if model_type in READ_BY_THE_FAMILY[key]:
            continue
        if getattr(_text_config_class(model_type), "model_type", None) in table:
            continue  # a wrapper: read_core finds its text config's type
        default = _int_field_default(model_type, key)
        if default is not None:
            missing[model_type] = default
    assert not missing, sorted(missing.items())


def _gemma3(**text: Any) -> dict[str, Any]:
    config = CONFIG_MAPPING["gemma3"]().to_dict()
    config["text_config"] = {**_shrink(config["text_config"]), **text}
    config["text_config"].pop("num_key_value_heads")
    config["vision_config"]["num_hidden_layers"] = 1
    return config


def test_a_wrappers_defaulted_key_is_named_under_text_config():
    """Gemma 3's text model without num_key_value_heads gets Gemma3TextConfig's 4: the note
    names the key where a user would add it, text_config.num_key_value_heads."""
    config = _gemma3(num_attention_heads=16, hidden_size=16 * 128, head_dim=128)
    filled = CONFIG_MAPPING["gemma3"](**copy.deepcopy(config)).to_dict()
    report = analyze_config(config)
    assert report["backbone"]["attention"]["num_kv_heads"] == 4
    assert report["params"]["total"] == _meta_total(json.dumps(filled, default=str))
    assert (
        "no text_config.num_key_value_heads in config.json: transformers' gemma3 default, 4, "
        "is used"
    ) in report["notes"]


def test_a_wrappers_defaulted_kv_heads_that_do_not_divide_are_refused_under_text_config():
    config = _gemma3(num_attention_heads=6, hidden_size=6 * 128, head_dim=128)
    with pytest.raises(ConfigError) as refused:
        analyze_config(config)
    assert refused.value.key == "text_config.num_key_value_heads"
    assert str(refused.value) == (
        "num_attention_heads (6) is not a multiple of text_config.num_key_value_heads (4): "
        "config.json has no text_config.num_key_value_heads, and 4 is its config class's "
        "default. Add the key to config.json."
    )
