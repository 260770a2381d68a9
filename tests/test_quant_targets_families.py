"""compressed-tensors ``config_groups`` placed on the linears of families beyond Llama's names.

A checkpoint whose schemes target ``re:`` patterns was sized by its first scheme, with a note,
for every family the engine had no module names for (phi3's fused qkv_proj / gate_up_proj,
Nemotron-H's ``mixer`` blocks, Qwen3-Next's Gated DeltaNet ``linear_attn``). Here each family is
built by transformers on the meta device, its linears are read from ``named_modules()`` (the
routed experts, one fused tensor in transformers 5, split back into the per-expert linears a
checkpoint holds), each linear is given the scheme compressed-tensors' matching gives it, and
its tensors are written as compressed-tensors lays them out; the estimate is held to their bytes.

Marker ``reference`` (imports torch + transformers).
"""

from __future__ import annotations

import re
from functools import partial
from math import prod
from typing import Any

import pytest

from axes.backbone.report import analyze_config

pytestmark = pytest.mark.reference

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
from transformers import AutoConfig, AutoModelForCausalLM  # noqa: E402

BYTES = {"BF16": 2, "I32": 4, "I64": 8, "F8_E4M3": 1}
TOKENS = {"pad_token_id": 0, "bos_token_id": 1, "eos_token_id": 2}
# every linear's input a multiple of 128 (the W4A16 group)
SMALL = {
    "vocab_size": 512,
    "hidden_size": 128,
    "num_hidden_layers": 4,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "head_dim": 32,
    "intermediate_size": 256,
    "tie_word_embeddings": False,
    **TOKENS,
}
# Qwen3-Next and Qwen 3.5 MoE: a Gated DeltaNet layer before each full-attention one, MoE MLPs
GATED_DELTANET_MOE = {
    "num_experts": 4,
    "num_experts_per_tok": 2,
    "moe_intermediate_size": 128,
    "shared_expert_intermediate_size": 128,
    "layer_types": ["linear_attention", "full_attention"] * 2,
    "linear_num_key_heads": 2,
    "linear_num_value_heads": 4,
    "linear_key_head_dim": 32,
    "linear_value_head_dim": 32,
}
GRANITE4_MAMBA = {
    "layer_types": ["mamba", "attention", "mamba", "mamba"],
    "mamba_n_heads": 8,
    "mamba_d_head": 32,
    "mamba_d_state": 16,
    "mamba_n_groups": 2,
}
FAMILIES = [
    ("phi3", {}),
    (
        "qwen3_next",
        {
            **GATED_DELTANET_MOE,
            "mlp_only_layers": [2],
        },
    ),
    (
        "nemotron_h",
        {
            "num_hidden_layers": None,
            "hybrid_override_pattern": "M-*EM",
            "mamba_num_heads": 4,
            "mamba_head_dim": 32,
            "n_groups": 2,
            "ssm_state_size": 16,
            "n_routed_experts": 4,
            "moe_intermediate_size": 128,
            "moe_shared_expert_intermediate_size": 128,
            "num_experts_per_tok": 2,
        },
    ),
    ("olmoe", {"num_experts": 4, "num_experts_per_tok": 2}),
    (
        "qwen3_5_moe_text",
        {
            **GATED_DELTANET_MOE,
        },
    ),
    (
        "bamba",
        {
            "mamba_n_heads": 8,
            "mamba_d_head": 32,
            "mamba_d_state": 16,
            "mamba_n_groups": 2,
            "attn_layer_indices": [1],
        },
    ),
    ("glm4", {}),
    # a dense Granite 4.0-H (granite-4.0-h-micro: num_local_experts 0): Mamba-2 and attention
    # layers, each with only its shared_mlp (input_linear, output_linear)
    (
        "granitemoehybrid",
        {
            **GRANITE4_MAMBA,
            "num_local_experts": 0,
            "shared_intermediate_size": 256,
        },
    ),
    ("phi", {}),
    ("starcoder2", {}),
    (
        "llama4_text",
        {
            "num_local_experts": 4,
            "num_experts_per_tok": 1,
            "intermediate_size_mlp": 256,
            "interleave_moe_layer_step": 2,
        },
    ),
    (
        "dots1",
        {
            "n_routed_experts": 4,
            "n_shared_experts": 1,
            "num_experts_per_tok": 2,
            "moe_intermediate_size": 128,
            "first_k_dense_replace": 1,
        },
    ),
    # Mamba-1 and attention layers, dense and MoE feed-forwards
    (
        "jamba",
        {
            "num_experts": 4,
            "num_experts_per_tok": 2,
            "attn_layer_period": 2,
            "attn_layer_offset": 1,
            "mamba_d_state": 16,
        },
    ),
    ("lfm2", {"full_attn_idxs": [1, 3]}),
    (
        "lfm2_moe",
        {
            "num_experts": 4,
            "num_experts_per_tok": 2,
            "moe_intermediate_size": 128,
            "num_dense_layers": 1,
            "layer_types": ["conv", "full_attention", "conv", "full_attention"],
        },
    ),
    ("minimax", {"num_local_experts": 4, "num_experts_per_tok": 2}),
    ("hunyuan_v1_moe", {"num_experts": 4, "moe_topk": 2}),
    (
        "ernie4_5_moe",
        {
            "moe_num_experts": 4,
            "moe_k": 2,
            "moe_intermediate_size": 128,
            "moe_num_shared_experts": 1,
        },
    ),
    (
        "afmoe",
        {
            "num_experts": 4,
            "num_experts_per_tok": 2,
            "moe_intermediate_size": 128,
            "num_shared_experts": 1,
        },
    ),
    (
        "beam",
        {
            "num_experts": 4,
            "num_experts_per_tok": 2,
            "moe_intermediate_size": 128,
            "n_group": 2,
            "topk_group": 1,
        },
    ),
]
# checkpoints whose routed experts are w1 (gate), w3 (up), w2 (down), and Mixtral's
# block_sparse_moe for transformers 5's mlp (conversion_mapping.py: mixtral, which minimax
# shares, and lfm2_moe)
W1_W3_W2 = ("mixtral", "minimax", "lfm2_moe")
BLOCK_SPARSE_MOE = ("mixtral", "minimax")
GRANITE_MOE = ("granitemoe", "granitemoeshared", "granitemoe_swa", "granitemoehybrid")
_W = {"gate_proj": "w1", "up_proj": "w3", "down_proj": "w2"}


def _checkpoint_name(model_type: str, name: str) -> str:
    """A module's name in the checkpoint for its name in transformers 5."""
    if model_type in GRANITE_MOE:  # conversion_mapping.py granitemoe: router.layer
        name = re.sub(r"(block_sparse_moe\.router)$", r"\1.layer", name)
    if model_type in W1_W3_W2:
        name = re.sub(r"(experts\.\d+\.)(\w+_proj)$", lambda m: m[1] + _W[m[2]], name)
    if model_type in BLOCK_SPARSE_MOE:
        name = name.replace(".mlp.", ".block_sparse_moe.")
    return name


FP8_CHANNEL = {"num_bits": 8, "type": "float", "strategy": "channel", "symmetric": True}
INT4_G128 = {"num_bits": 4, "type": "int", "strategy": "group", "group_size": 128}
# llm-compressor's mixed recipe: attention and the sequence mixers' projections in W8A8 FP8,
# every other linear (MLP, experts, shared experts) in W4A16, routers and lm_head left out
QUANTIZATION = {
    "quant_method": "compressed-tensors",
    "format": "mixed-precision",
    "ignore": ["lm_head", "re:.*mlp\\.gate$", "re:.*mixer\\.gate$"],
    "config_groups": {
        "group_0": {
            "targets": ["re:.*\\.(q|k|v|o|qkv)_proj$", "re:.*\\.(in|out|x|dt)_proj.*"],
            "weights": FP8_CHANNEL,
            "format": "float-quantized",
        },
        "group_1": {"targets": ["Linear"], "weights": INT4_G128, "format": "pack-quantized"},
    },
}


def _config(model_type: str, extra: dict[str, Any]) -> dict[str, Any]:
    kwargs = {k: v for k, v in {**SMALL, **extra}.items() if v is not None}
    if model_type == "nemotron_h":
        kwargs.pop("num_hidden_layers", None)
    return AutoConfig.for_model(model_type, **kwargs).to_dict()


def _linears(model: Any) -> tuple[dict[str, tuple[int, int]], set[str], set[str]]:
    """The checkpoint's linears, name -> (out, in), the names of the model's parameters
    they hold, and the routers among them that are no nn.Linear: nn.Linear modules, routers
    (a weight of experts x hidden) and each routed expert of an ``*Experts`` module's 3D
    tensors (gate_up_proj: gate_proj and up_proj)."""
    linears: dict[str, tuple[int, int]] = {}
    held: set[str] = set()
    routers: set[str] = set()
    hidden = model.config.get_text_config().hidden_size
    for name, module in model.named_modules():
        kind = type(module).__name__
        if getattr(module, "weight", None) is not None and not module.weight.numel():
            continue  # afmoe's shared_experts without shared experts: built zero wide
        if isinstance(module, torch.nn.Linear) or (
            kind.endswith(("Router", "TopkRouter")) and hasattr(module, "weight")
        ):
            linears[name] = tuple(module.weight.shape)
            held.add(f"{name}.weight")
            if not isinstance(module, torch.nn.Linear):  # a *TopKRouter's Parameter
                routers.add(name)
        elif kind.endswith("Experts"):
            for pname, p in module.named_parameters(recurse=False):
                if p.dim() != 3:
                    continue
                held.add(f"{name}.{pname}")
                # (experts, out, in), or (experts, in, out) as Llama 4 lays them out: the
                # input of gate/up is the hidden size, down's output is
                e, a, b = p.shape
                out, inp = (a, b) if (b if pname != "down_proj" else a) == hidden else (b, a)
                parts = ("gate_proj", "up_proj") if pname == "gate_up_proj" else (pname,)
                for j in range(e):
                    for part in parts:
                        linears[f"{name}.{j}.{part}"] = (out // len(parts), inp)
    return linears, held, routers


# the other way round: the experts and MLPs in W4A16 by re: patterns, every other linear
# (attention, the sequence mixers) in FP8 by class, routers and gates, lm_head and one
# layer's first linear (an exact name, added per family) left out
EXPERTS_FIRST = {
    "quant_method": "compressed-tensors",
    "format": "mixed-precision",
    "ignore": ["lm_head", "re:.*(gate|router|wg)$"],
    "config_groups": {
        "group_0": {
            "targets": ["re:.*experts.*", "re:.*\\.(mlp|feed_forward|shared_\\w+)\\..*"],
            "weights": INT4_G128,
            "format": "pack-quantized",
        },
        "group_1": {"targets": ["Linear"], "weights": FP8_CHANNEL, "format": "float-quantized"},
    },
}


def _scheme(name: str, q: dict[str, Any], linear: bool = True) -> str | None:
    """compressed-tensors' match: ignore, then exact names, then re: patterns, then Linear
    (``linear``: the module is an nn.Linear; compressed_tensors.utils.match._match_class
    reads the module's classes); the scheme's format."""
    if any(
        re.match(t[3:], name) if t.startswith("re:") else t == name or (linear and t == "Linear")
        for t in q["ignore"]
    ):
        return None
    groups = list(q["config_groups"].values())
    for g in groups:
        if any(t.startswith("re:") and re.match(t[3:], name) for t in g["targets"]):
            return g["format"]
    for g in groups:
        if linear and "Linear" in g["targets"]:
            return g["format"]
    return None


def _header(
    model: Any, q: dict[str, Any], model_type: str, experts: str | None = None
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """The checkpoint's tensors, each linear in the scheme compressed-tensors gives it under
    its checkpoint name (the routed experts' in the format ``experts``, where given); and
    ``q`` with one layer's first linear (not an expert) ignored by its exact name."""
    linears, held, routers = _linears(model)
    linears = {_checkpoint_name(model_type, n): shape for n, shape in linears.items()}
    routers = {_checkpoint_name(model_type, n) for n in routers}
    first = min(n for n in linears if n.startswith("model.layers.1.") and ".experts." not in n)
    q = {**q, "ignore": [*q["ignore"], first]}
    tensors: dict[str, dict[str, Any]] = {}
    for pname, p in model.named_parameters():
        if pname not in held:  # norms, embeddings, biases, convolutions, SSM parameters
            tensors[pname] = {"dtype": "BF16", "shape": list(p.shape)}
    for name, (out, inp) in linears.items():
        if experts and ".experts." in name:
            scheme = experts
        else:
            scheme = _scheme(name, q, linear=name not in routers)
        if scheme is None:
            parts = {"weight": ("BF16", [out, inp])}
        elif scheme == "float-quantized":
            parts = {"weight": ("F8_E4M3", [out, inp]), "weight_scale": ("BF16", [out, 1])}
        else:
            parts = {
                "weight_packed": ("I32", [out, inp * 4 // 32]),
                "weight_scale": ("BF16", [out, inp // 128]),
                "weight_shape": ("I64", [2]),
            }
        for suffix, (dtype, shape) in parts.items():
            tensors[f"{name}.{suffix}"] = {"dtype": dtype, "shape": shape}
    return {"model.safetensors": tensors}, q


# every linear in W4A16 by class, the lm_head left out: llm-compressor's W4A16 preset. In
# transformers 5 most routers are a *TopKRouter holding a Parameter, which "Linear" does not
# take; Llama 4's, Hunyuan's and AFMoE's are nn.Linear modules, which it does
LINEAR_W4A16 = {
    "quant_method": "compressed-tensors",
    "format": "pack-quantized",
    "ignore": ["lm_head"],
    "config_groups": {
        "group_0": {"targets": ["Linear"], "weights": INT4_G128, "format": "pack-quantized"}
    },
}
RECIPES = {
    "attention_fp8": QUANTIZATION,
    "experts_w4a16": EXPERTS_FIRST,
    "linear_w4a16": LINEAR_W4A16,
}
LABELS = {"pack-quantized": "int4 g128", "float-quantized": "FP8 per-channel"}


def _basis(headers: dict[str, dict[str, Any]], q: dict[str, Any]) -> str:
    """The stored bytes' basis for the header's quantized linears: per scheme (in
    config_groups order) the weights its tensors hold."""
    held = dict.fromkeys(LABELS, 0)
    for name, t in headers["model.safetensors"].items():
        if name.endswith(".weight_packed"):  # eight 4-bit values an int32
            held["pack-quantized"] += prod(t["shape"]) * 8
        elif t["dtype"] == "F8_E4M3":
            held["float-quantized"] += prod(t["shape"])
    words = [
        f"{LABELS[g['format']]} on {held[g['format']]:,} params"
        for g in q["config_groups"].values()
        if held[g["format"]]
    ]
    return " + ".join(words) + " (config_groups by targets, with their scales) + 16-bit rest"


@pytest.mark.parametrize("recipe", list(RECIPES))
@pytest.mark.parametrize("model_type,extra", FAMILIES, ids=[f[0] for f in FAMILIES])
def test_each_scheme_is_placed_on_the_families_linears(model_type, extra, recipe):
    """Each scheme sizes the weights its tensors hold, to the parameter: a router that is no
    nn.Linear (Jamba's, MiniMax's, Qwen's *TopKRouter) stays 16-bit under a "Linear" target;
    the engine counted it in the scheme."""
    config = _config(model_type, extra)
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(AutoConfig.for_model(**config))
    headers, q = _header(model, RECIPES[recipe], model_type)
    config["quantization_config"] = q
    report = analyze_config(config, safetensors_headers=headers)
    assert not any("config_groups" in n for n in report["notes"]), report["notes"]
    assert report["params"]["total"] == sum(p.numel() for p in model.parameters())
    assert report["memory"]["weights_bytes"]["stored_basis"] == _basis(headers, q)
    stored = report["memory"]["weights_bytes"]["stored"]
    on_disk = sum(
        prod(t["shape"]) * BYTES[t["dtype"]] for h in headers.values() for t in h.values()
    )
    # the W4A16 linears' weight_shape (16 B each) is the only thing left out
    assert abs(stored - on_disk) <= 0.002 * on_disk, (stored, on_disk)


def _variants() -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """The tiny variants the family tests build, of every family the engine names."""
    import importlib

    from axes.backbone.quant_targets import _NAMES

    out = []
    for module in (
        "reference",
        *(f"families_{f}" for f in ("moe", "moe2", "dense", "dense2", "recent", "mla")),
    ):
        tests = importlib.import_module(f"tests.test_backbone_{module}")
        small = getattr(tests, "SMALL", {})
        for rows in vars(tests).values():
            if not (isinstance(rows, list) and rows and isinstance(rows[0], tuple)):
                continue
            for row in rows:
                if len(row) >= 3 and isinstance(row[1], str) and isinstance(row[2], dict):
                    if row[1] in _NAMES:
                        out.append((row[0], row[1], small, row[2]))
    from tests.test_backbone_families_hybrid2 import LFM2_MOE, SMALL

    return out + [(name, "lfm2_moe", SMALL, extra) for name, extra, _ in LFM2_MOE]


VARIANTS = _variants()


@pytest.mark.parametrize("name,model_type,small,extra", VARIANTS, ids=[v[0] for v in VARIANTS])
def test_the_engines_module_names_are_transformers(name, model_type, small, extra):
    """Each linear the engine names is a module transformers builds, under that name, and
    a layer the engine names in full holds no other linear, each read under the name its
    checkpoint gives it (Mixtral's and MiniMax's block_sparse_moe.experts.N.w1, which
    transformers 5 reads into mlp.experts). A component the engine does not name ("?") falls
    back to the first scheme with a note. The engine's router is an nn.Linear ("Linear"
    takes it) where transformers 5 builds one, and not where it builds a *TopKRouter."""
    from axes.backbone.quant_targets import _NAMES, _ffn_leaves, _mixer_leaves
    from axes.backbone.spec import normalize

    kwargs = {**small, **extra}
    if model_type == "nemotron_h":
        kwargs.pop("num_hidden_layers", None)
    cfg = AutoConfig.for_model(model_type, **kwargs)
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(cfg)
    built: dict[int, set[str]] = {}
    linears, _, routers = _linears(model)
    not_linear = {_checkpoint_name(model_type, n) for n in routers}
    for module_name in map(partial(_checkpoint_name, model_type), linears):
        m = re.match(r"^model\.(?:language_model\.)?layers\.(\d+)\.(.+)$", module_name)
        if m and not re.search(r"experts\.[1-9]", m.group(2)):
            built.setdefault(int(m.group(1)), set()).add(m.group(2))
    spec = normalize(cfg.to_dict())
    names = _NAMES[spec.model_type]
    for i, layer in enumerate(spec.layers):
        experts, ffn, router = _ffn_leaves(spec, layer, names)
        leaves = experts + _mixer_leaves(spec, layer.mixer, names) + ffn + router
        named = {leaf[0][0] for leaf in leaves if leaf[0]}
        assert named <= built.get(i, set()), (i, named - built.get(i, set()))
        if all(leaf[0] for leaf in leaves):
            assert named == built.get(i, set()), (i, built.get(i, set()) - named)
        for leaf in router:
            module = f"model.layers.{i}.{leaf[0][0]}"
            assert (module not in not_linear) is bool(names.get("router_linear")), module


def test_llama_4s_own_module_names_place_its_schemes():
    """Llama4ForConditionalGeneration names its text layers language_model.model.layers (in
    transformers 5 too; Gemma 3's are model.language_model.layers): an exact ignore entry or
    an anchored re: pattern in that spelling left nothing out; the engine read Llama 4's
    layers under Gemma 3's prefix."""
    text = {
        **SMALL,
        "num_local_experts": 4,
        "num_experts_per_tok": 1,
        "intermediate_size_mlp": 256,
        "interleave_moe_layer_step": 2,
    }
    vision = {
        "hidden_size": 64,
        "num_hidden_layers": 1,
        "num_attention_heads": 2,
        "intermediate_size": 128,
        "image_size": 56,
        "patch_size": 14,
        "vision_output_dim": 64,
        "projector_input_dim": 64,
        "projector_output_dim": 64,
    }
    cfg = AutoConfig.for_model("llama4", text_config=text, vision_config=vision)
    with torch.device("meta"):
        model = transformers.AutoModelForImageTextToText.from_config(cfg)
    built = {n for n, _ in model.named_modules()}
    layer0 = "language_model.model.layers.0."
    assert f"{layer0}self_attn.q_proj" in built and "language_model.lm_head" in built
    config = cfg.to_dict()
    w4a16 = {
        "quant_method": "compressed-tensors",
        "format": "pack-quantized",
        "config_groups": {"group_0": {"targets": ["Linear"], "weights": INT4_G128}},
    }

    def stored(ignore: list[str]) -> int:
        quantization = {**w4a16, "ignore": ["re:.*vision_model.*", *ignore]}
        report = analyze_config({**config, "quantization_config": quantization})
        assert not any("config_groups" in n for n in report["notes"]), report["notes"]
        return report["memory"]["weights_bytes"]["stored"]

    quantized = stored([])
    assert stored([f"{layer0}self_attn.q_proj"]) > quantized
    assert stored([f"re:^{re.escape(layer0)}self_attn\\..*"]) > stored(
        [f"{layer0}self_attn.q_proj"]
    )
    assert stored(["language_model.lm_head"]) > quantized


def _image_text_variants() -> list[tuple[str, Any]]:
    from tests.test_backbone_families_multimodal import VARIANTS as MM
    from tests.test_backbone_families_multimodal import _config as mm_config

    return [(v[0], (v[1], v[2], v[3], v[4], mm_config)) for v in MM]


IMAGE_TEXT = _image_text_variants()


@pytest.mark.parametrize("name,case", IMAGE_TEXT, ids=[v[0] for v in IMAGE_TEXT])
def test_an_image_text_models_text_linears_are_named_as_it_builds_them(name, case):
    """The checkpoint of an image-text model is its ConditionalGeneration model's: the
    engine's names for its text linears (under its text layers' prefix) are modules
    AutoModelForImageTextToText builds."""
    from axes.backbone.quant_targets import _NAMES, _ffn_leaves, _mixer_leaves
    from axes.backbone.spec import normalize

    model_type, text, vision, top, mm_config = case
    cfg = mm_config(model_type, text, vision, top)
    with torch.device("meta"):
        model = transformers.AutoModelForImageTextToText.from_config(cfg)
    built = {n for n, _ in model.named_modules()} | set(_linears(model)[0])
    spec = normalize(cfg.to_dict())
    assert spec.vision is not None
    names = _NAMES.get(spec.model_type)
    if names is None:
        pytest.skip(f"no module names for {spec.model_type}")
    prefix = names.get("vision_layers") or "model.language_model.layers."
    modules = dict(model.named_modules())
    for i, layer in enumerate(spec.layers):
        experts, ffn, router = _ffn_leaves(spec, layer, names)
        leaves = experts + _mixer_leaves(spec, layer.mixer, names) + ffn + router
        for leaf in leaves:
            if leaf[0]:
                assert f"{prefix}{i}.{leaf[0][0]}" in built, (i, leaf[0][0])
        for leaf in router:  # an nn.Linear router ("Linear" takes it) or a *TopKRouter
            module = modules[f"{prefix}{i}.{leaf[0][0]}"]
            assert isinstance(module, torch.nn.Linear) is bool(names.get("router_linear"))


def test_gpt_oss_fused_experts_say_why_its_schemes_are_not_placed():
    """gpt-oss's checkpoints hold the routed experts as 3D tensors (as transformers 5 builds
    them: no linear per expert), where a re: pattern's modules are not settled, and the
    engine names none of its modules: the note names the fused experts, and the weights are
    sized by the first scheme."""
    from axes.backbone.quant_targets import FUSED_EXPERTS

    config = _config("gpt_oss", {"num_local_experts": 4, "num_experts_per_tok": 2})
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(AutoConfig.for_model(**config))
    experts = [m for n, m in model.named_modules() if n.endswith(".experts")]
    assert experts and all(
        p.dim() == 3
        for m in experts
        for name, p in m.named_parameters(recurse=False)
        if not name.endswith("_bias")  # experts x width
    )
    assert not any(re.search(r"experts\.\d+\.", n) for n, _ in model.named_modules())
    report = analyze_config({**config, "quantization_config": QUANTIZATION})
    notes = [n for n in report["notes"] if "config_groups" in n]
    assert notes == [
        f"compressed-tensors config_groups not placed on this model's linears ({FUSED_EXPERTS}): "
        "the stored weights are sized by the first scheme over every decoder linear"
    ], report["notes"]
    # the first scheme on every linear of the decoder layers, by class
    first = {**QUANTIZATION["config_groups"]["group_0"], "targets": ["Linear"]}
    by_class = {**QUANTIZATION, "ignore": ["lm_head"], "config_groups": {"group_0": first}}
    sized = analyze_config({**config, "quantization_config": by_class})
    assert not any("config_groups" in n for n in sized["notes"]), sized["notes"]
    stored = report["memory"]["weights_bytes"]["stored"]
    assert stored == sized["memory"]["weights_bytes"]["stored"]


GRANITE4_MOE = {
    **GRANITE4_MAMBA,
    "num_local_experts": 4,
    "num_experts_per_tok": 2,
    "shared_intermediate_size": 128,
}
# the Granite MoE families: fused 3D experts (block_sparse_moe.experts in transformers 5,
# input_linear / output_linear in their checkpoints), a TopKRouter, Llama's attention or
# Granite 4.0-H's Mamba-2, and a shared_mlp but in granitemoe
GRANITE = [
    ("granitemoehybrid", GRANITE4_MOE),
    ("granitemoe", {"num_local_experts": 4, "num_experts_per_tok": 2}),
    ("granitemoeshared", {"num_local_experts": 4, "shared_intermediate_size": 128}),
    ("granitemoe_swa", {"num_local_experts": 4, "shared_intermediate_size": 128}),
]
# the experts in W4A16 by a pattern that meets them under every name they go by, the router
# left out, every other linear in FP8 by class
EXPERTS_BY_NAME = {
    **EXPERTS_FIRST,
    "ignore": ["lm_head", "re:.*router"],
    "config_groups": {
        "group_0": {
            **EXPERTS_FIRST["config_groups"]["group_0"],
            "targets": ["re:.*block_sparse_moe\\.(experts|input_linear|output_linear)"],
        },
        "group_1": EXPERTS_FIRST["config_groups"]["group_1"],
    },
}
GRANITE_RECIPES = {**RECIPES, "experts_by_name": EXPERTS_BY_NAME}


@pytest.mark.parametrize("recipe", list(GRANITE_RECIPES))
@pytest.mark.parametrize("model_type,extra", GRANITE, ids=[g[0] for g in GRANITE])
def test_granite_moe_linears_are_placed_and_their_experts_where_the_rules_agree(
    model_type, extra, recipe
):
    """The Granite MoE families: attention (Granite 4.0-H: Mamba-2 in_proj / out_proj) and
    shared_mlp are placed scheme by scheme (GraniteMoE and GraniteMoEShared were sized by the
    first scheme, with a note). The fused 3D experts follow the rules where the rules give
    them one scheme under each name they go by: none of them names the experts (llm-
    compressor's mixed recipe, "Linear"), or one names them under all (experts_by_name).
    Granite 4.0-H's were sized by the first scheme whenever a rule was an re: pattern. Where
    a rule names some of them (re:.*experts.*: transformers 5's block_sparse_moe.experts, not
    the checkpoint's input_linear), only the experts are sized by the first scheme, and the
    note says so."""
    from axes.backbone.quant_targets import FUSED_EXPERTS

    config = _config(model_type, extra)
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(AutoConfig.for_model(**config))
    q = GRANITE_RECIPES[recipe]
    noted = recipe == "experts_w4a16"
    first = q["config_groups"]["group_0"]["format"] if noted else None
    headers, config["quantization_config"] = _header(model, q, model_type, first)
    report = analyze_config(config, safetensors_headers=headers)
    notes = [n for n in report["notes"] if "config_groups" in n]
    assert notes == noted * [
        "compressed-tensors config_groups placed on this model's linears but its routed "
        f"experts ({FUSED_EXPERTS}): the experts are sized by the first scheme"
    ], report["notes"]
    assert report["params"]["total"] == sum(p.numel() for p in model.parameters())
    assert report["memory"]["weights_bytes"]["stored_basis"] == _basis(headers, q)
    stored = report["memory"]["weights_bytes"]["stored"]
    on_disk = sum(
        prod(t["shape"]) * BYTES[t["dtype"]] for h in headers.values() for t in h.values()
    )
    assert abs(stored - on_disk) <= 0.002 * on_disk, (stored, on_disk)


def test_granite_experts_names_are_transformers_and_their_checkpoints():
    """The names the engine gives the fused experts: the module transformers 5 builds (its
    3D gate_up_proj and down_proj), and the checkpoint's that transformers 5 reads into it
    (conversion_mapping.py granitemoe: block_sparse_moe.input_linear.weight and
    output_linear.weight)."""
    from transformers.conversion_mapping import get_checkpoint_conversion_mapping

    from axes.backbone.quant_targets import _GRANITE_EXPERTS

    bases = [n for n in _GRANITE_EXPERTS if "{j}" not in n]
    config = _config("granitemoehybrid", GRANITE4_MOE)
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(AutoConfig.for_model(**config))
    modules = dict(model.named_modules())
    built = modules[f"model.layers.0.{bases[0]}"]
    assert {n: p.dim() for n, p in built.named_parameters()} == {"gate_up_proj": 3, "down_proj": 3}
    renamed = {
        source.replace("\\", "").removesuffix(".weight"): target
        for rename in get_checkpoint_conversion_mapping("granitemoe")
        for source, target in zip(rename.source_patterns, rename.target_patterns, strict=True)
    }
    assert {renamed[b] for b in bases[1:]} == {
        f"{bases[0]}.gate_up_proj",
        f"{bases[0]}.down_proj",
    }, renamed


@pytest.mark.parametrize(
    "ignore,noted",
    [
        # names none of the experts' modules: llm-compressor's usual router ignore
        ("re:.*router", False),
        # compressed-tensors' match_name: re.match, from the name's start (re.search would
        # find "experts" in model.layers.N.block_sparse_moe.experts)
        ("re:experts", False),
        # every name the experts go by, left out: they stay 16-bit, whichever it is
        ("re:.*block_sparse_moe\\.(experts|input_linear|output_linear)", False),
        # the checkpoint's names but not transformers 5's (and shared_mlp.input_linear)
        ("re:.*input_linear", True),
        # transformers 5's name but not the checkpoint's
        ("re:.*\\.experts$", True),
        # one layer's, by its checkpoint name
        ("model.layers.3.block_sparse_moe.output_linear", True),
        # llm-compressor's linear per expert beneath input_linear (LinearExperts2D)
        ("re:.*input_linear\\.\\d+$", True),
    ],
)
def test_granite_4s_experts_fall_back_only_where_a_rule_tells_their_names_apart(ignore, noted):
    """An ignore entry beside a W4A16 "Linear" target: the experts follow it where it gives
    each of their names (transformers 5's, the checkpoint's, one linear per expert) the same
    answer, matched as compressed-tensors matches (re.match); else they are sized by the
    first scheme, and the note says so. Any re: pattern made the experts fall back."""
    config = _config("granitemoehybrid", GRANITE4_MOE)
    quantization = {**LINEAR_W4A16, "ignore": ["lm_head", ignore]}
    report = analyze_config({**config, "quantization_config": quantization})
    notes = [n for n in report["notes"] if "config_groups" in n]
    assert len(notes) == noted, report["notes"]
    by_class = analyze_config({**config, "quantization_config": LINEAR_W4A16})
    stored = report["memory"]["weights_bytes"]["stored"]
    quantized = by_class["memory"]["weights_bytes"]["stored"]
    if ignore.startswith("re:.*block_sparse_moe"):  # the experts at 16 bits, not ~4.2
        layers, h, width = 4, SMALL["hidden_size"], SMALL["intermediate_size"]
        experts = layers * GRANITE4_MOE["num_local_experts"] * 3 * h * width
        assert stored > quantized + experts, (stored, quantized)
    elif ignore != "re:.*input_linear":  # shared_mlp.input_linear is left out there
        assert stored == quantized  # the experts in W4A16: the first scheme, or by class


def test_granite_4s_fused_experts_follow_a_rule_that_names_no_module():
    """With targets and ignore entries that name no layer's module (a class, lm_head), the
    fused experts are placed by them as every other linear, with no note; the routers,
    GraniteMoeHybridTopKRouter modules holding a Parameter, are no nn.Linear and stay
    16-bit."""
    config = _config("granitemoehybrid", GRANITE4_MOE)
    report = analyze_config({**config, "quantization_config": LINEAR_W4A16})
    assert not any("config_groups" in n for n in report["notes"]), report["notes"]
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(AutoConfig.for_model(**config))
    # every linear of the layers (experts and the rest) but the routers: W4A16
    linears, _, routers = _linears(model)
    assert routers == {f"model.layers.{i}.block_sparse_moe.router" for i in range(4)}
    quantized = sum(o * i for n, (o, i) in linears.items() if n not in {"lm_head", *routers})
    basis = report["memory"]["weights_bytes"]["stored_basis"]
    assert basis.startswith(f"int4 g128 on {quantized:,} params "), basis
