"""compressed-tensors' ``config_groups`` placed on the model's linears: which scheme stores
each linear, as compressed-tensors matches them (``compressed_tensors.utils.match``).

A module in ``ignore`` is left as it is; otherwise a scheme whose target names it (exactly,
then by an ``re:`` pattern, ``re.match`` against the module name) wins over one that targets
its class (``"Linear"``: every nn.Linear, which most routers are not in transformers 5). A
checkpoint with attention in W8A8 and the MLP in W4A16, or its routers and lm_head left out,
is sized scheme by scheme.

The engine knows each layer's linears by component (``params``: attention, Mamba-2 and Gated
DeltaNet mixers, MLP, routed and shared experts, routers, lm_head) and, for the families in
``_NAMES``, their module names as transformers builds them and checkpoints hold them
(``model.layers.3.self_attn.q_proj``, ``...mlp.experts.0.down_proj``, ``...mlp.gate``; an
image-text model's text layers under ``model.language_model.layers``, Llama 4's under
``language_model.model.layers``). ``tests/test_quant_targets_families.py`` holds each
family's names to ``named_modules()`` on the meta device.
Rules that read no layer's name (``Linear``, ``lm_head``) place any family's linears. Where
the engine cannot place them (another class name as a target, names it does not know, linear
weights beyond these components), ``place_schemes`` says why and the caller sizes the
checkpoint by its first scheme, as before. One case between the two: a family whose routed
experts are fused 3D tensors with no settled quantized layout (the Granite MoE families) has
every other linear placed, and its experts too where the rules give each name they go by the
same scheme; where a rule tells those names apart, only the experts are sized by the first
scheme, with a note saying so.
"""

from __future__ import annotations

import re
from functools import lru_cache
from re import _constants as sre_constants
from re import _parser as sre_parser
from typing import Any

from axes.backbone.layers import SHORT_CONV, LayerSpec
from axes.backbone.params import ParamCount, expert_params, mixer_params
from axes.backbone.spec import ArchSpec

# ((module name,) or (), weights, output rows, matrices) of one linear of a layer (the routed
# experts: all of them); () where the engine does not know the module's name
Leaf = tuple[tuple[str, ...], int, int, int]
# (ignore, targets per scheme, (older prefix, today's prefix) pairs: the spellings a re:
# pattern may be written in)
Rules = tuple[tuple[str, ...], tuple[tuple[str, ...], ...], tuple[tuple[str, str], ...]]

_PLAIN_ATTENTION = frozenset(("attention", "sliding_attention"))
_GATED = ("gate_proj", "up_proj", "down_proj")
# transformers' module names per family, as a checkpoint names them (routed experts one
# module each: ``experts.0.gate_proj``, which transformers 5 reads into one fused tensor):
# "attention" (prefix of q/k/v/o_proj; "qkv": one fused projection), "mlp" (prefix of the
# dense MLP: gate/up/down_proj, "gate_up" fused: gate_up_proj and down_proj, or the names of
# those two; up/down_proj where it is not gated), "experts" (prefix and "expert_mats" of one
# routed expert), "router" ("router_linear": an nn.Linear in transformers 5, see below),
# "shared" (prefix of the shared expert; "shared_gate_up" as "gate_up"), "fused_experts" (the
# module names fused 3D experts go by, see _FUSED_3D), and the linears of the other token
# mixers ("mamba2", "gated_deltanet").
# compressed-tensors matches a class target ("Linear") against the classes of a module's MRO
# (compressed_tensors.utils.match._match_class), on the model transformers builds: in
# transformers 5 most routers are a ``*TopKRouter`` nn.Module holding the weight as a
# Parameter, which "Linear" does not take (nor leave out); "router_linear" marks the families
# whose router is an nn.Linear (Llama4Router subclasses it; Hunyuan's gate.wg, AFMoE's
# router.gate are one). tests/test_quant_targets_families.py reads each class off a build.
_LLAMA = {"experts": "mlp.experts.0.", "expert_mats": _GATED, "router": "mlp.gate"}
# the Granite MoE families' fused 3D experts (_FUSED_3D) by every name a rule may meet them
# under: transformers 5's ``block_sparse_moe.experts`` (GraniteMoe*Experts: gate_up_proj,
# down_proj); the checkpoint's ``input_linear`` / ``output_linear`` (transformers 4's
# ParallelExperts; llm-compressor granite4.py's 3D GraniteMoeHybridParallelExpertsLinear); and
# beneath those a linear per expert ``{j}`` (first and last), as llm-compressor's
# LinearExperts2D (input_linear.{j}) and granite4.py's ModList (input_linear.experts.{j})
# hold them
_GRANITE_EXPERTS = (
    "block_sparse_moe.experts",
    "block_sparse_moe.input_linear",
    "block_sparse_moe.output_linear",
    "block_sparse_moe.input_linear.{j}",
    "block_sparse_moe.output_linear.{j}",
    "block_sparse_moe.input_linear.experts.{j}",
    "block_sparse_moe.output_linear.experts.{j}",
)
# modeling_granitemoe.py: Llama's self_attn, ``block_sparse_moe`` (router: a Linear
# ``router.layer`` in the checkpoint, GraniteMoeTopKRouter in transformers 5:
# conversion_mapping.py granitemoe); granitemoeshared adds ``shared_mlp`` (input_linear: gate
# and up in one matrix, output_linear)
_GRANITE_MOE = {"router": "block_sparse_moe.router.layer", "fused_experts": _GRANITE_EXPERTS}
_GRANITE_SHARED = {
    "shared": "shared_mlp.",
    "shared_gate_up": ("input_linear", "output_linear"),
}
_QWEN3_5 = {
    **_LLAMA,
    "shared": "mlp.shared_expert.",
    "gated_deltanet": "linear_attn.",
    "deltanet_split": True,
}
_NAMES: dict[str, dict[str, Any]] = {
    **dict.fromkeys(
        (
            "llama",
            "mistral",
            "ministral",
            "ministral3",
            "mistral3",
            "qwen2",
            "qwen3",
            "qwen3_moe",
            "smollm3",
            "granite",
            "gemma",
            "gemma2",
            "gemma3",
            "gemma3_text",
            "olmo2",
            "olmo3",
            "cohere",
            "cohere2",
            # the same names in transformers 5 and in their checkpoints (no conversion_mapping
            # renames; the MoE ones read experts.N.gate_proj as qwen2_moe does)
            "apertus",
            "arcee",
            "bitnet",
            "cwm",
            "diffllama",
            "ernie4_5",
            "exaone4",
            "granite_swa",
            "helium",
            "hunyuan_v1_dense",
            "hyperclovax",
            "internlm3",
            "iquestcoder",
            "jais2",
            "minicpm3",
            "nemotron",
            "olmo",
            "seed_oss",
            "stablelm",
            "vaultgemma",
            "youtu",
            "olmoe",
            "flex_olmo",
            "mellum",
        ),
        _LLAMA,
    ),
    "qwen2_moe": {**_LLAMA, "shared": "mlp.shared_expert."},
    # modeling_qwen3_next.py: Qwen3NextGatedDeltaNet (linear_attn.in_proj_qkvz, in_proj_ba,
    # out_proj) or gated self_attn, each layer's MLP a Qwen2-MoE block
    "qwen3_next": {**_LLAMA, "shared": "mlp.shared_expert.", "gated_deltanet": "linear_attn."},
    **dict.fromkeys(
        (
            "deepseek_v2",
            "deepseek_v3",
            "kimi_k2",
            "glm4_moe",
            "glm4_moe_lite",
            "dots1",
            "exaone_moe",
            "sarvam_mla",
            "solar_open",
            "cohere2_moe",
            "axk1",
        ),
        # kimi_k2 (not in transformers) is read as deepseek_v3: DeepseekV3TopkRouter
        {**_LLAMA, "shared": "mlp.shared_experts."},
    ),
    # MixtralSparseMoeBlock: block_sparse_moe.gate and experts' w1 (gate), w3 (up), w2 (down)
    "mixtral": {
        "experts": "block_sparse_moe.experts.0.",
        "expert_mats": ("w1", "w3", "w2"),
        "router": "block_sparse_moe.gate",
    },
    # modeling_llama4.py: the MLP and MoE are feed_forward (router, shared_expert); the
    # experts, one 3D tensor in transformers, are saved by llm-compressor as a Llama4TextMLP
    # each (SequentialLlama4TextExperts: feed_forward.experts.N.gate_proj / up / down)
    **dict.fromkeys(
        ("llama4", "llama4_text"),
        {
            "mlp": "feed_forward.",
            "experts": "feed_forward.experts.0.",
            "expert_mats": _GATED,
            "router": "feed_forward.router",
            "router_linear": True,
            "shared": "feed_forward.shared_expert.",
            # Llama4ForConditionalGeneration keeps language_model.model.layers and
            # language_model.lm_head (transformers 5 too)
            "vision_layers": "language_model.model.layers.",
            "renamed": (
                ("model.language_model.", "language_model.model."),
                ("language_model.lm_head", "lm_head"),
            ),
        },
    ),
    # modeling_qwen3_5.py: Qwen3-Next's blocks, the DeltaNet's projections split; the
    # image-text checkpoints' model.language_model is the text model's model. (its
    # conversion_mapping PrefixChange)
    **dict.fromkeys(("qwen3_5", "qwen3_5_moe"), _QWEN3_5),
    **dict.fromkeys(
        ("qwen3_5_text", "qwen3_5_moe_text"),
        {**_QWEN3_5, "renamed": (("model.language_model.", "model."),)},
    ),
    # modeling_phi3.py Phi3Attention.qkv_proj, Phi3MLP.gate_up_proj: one matrix each;
    # modeling_glm4.py Glm4MLP.gate_up_proj likewise
    "phi3": {"qkv": "self_attn.qkv_proj", "gate_up": True},
    "glm4": {"gate_up": True},
    # modeling_phi.py PhiAttention.dense, PhiMLP fc1 / fc2; modeling_starcoder2.py c_fc / c_proj
    "phi": {"attention_mats": ("q_proj", "k_proj", "v_proj", "dense"), "up_down": ("fc1", "fc2")},
    "starcoder2": {"up_down": ("c_fc", "c_proj")},
    # modeling_bamba.py: Mamba-2 mixer ``mamba``, attention, a ``feed_forward`` MLP
    "bamba": {"mlp": "feed_forward.", "mamba2": "mamba."},
    # modeling_jamba.py: Mamba-1 mixer ``mamba`` (in_proj, x_proj, dt_proj, out_proj) or
    # attention; a ``feed_forward`` SwiGLU or MoE (JambaSparseMoeBlock: router, experts.N.*)
    "jamba": {
        "mlp": "feed_forward.",
        "experts": "feed_forward.experts.0.",
        "expert_mats": _GATED,
        "router": "feed_forward.router",
        "mamba": "mamba.",
    },
    # modeling_lfm2.py: Lfm2ShortConv ``conv`` (in_proj, out_proj) or attention with
    # ``out_proj``; the SwiGLU ``feed_forward`` w1 (gate), w3 (up), w2 (down); LFM2-MoE's
    # experts likewise (conversion_mapping.py lfm2_moe: feed_forward.experts.N.w1 / w3 / w2)
    **dict.fromkeys(
        ("lfm2", "lfm2_moe"),
        {
            "attention_mats": ("q_proj", "k_proj", "v_proj", "out_proj"),
            "mlp": "feed_forward.",
            "mlp_mats": ("w1", "w3", "w2"),
            "experts": "feed_forward.experts.0.",
            "expert_mats": ("w1", "w3", "w2"),
            "router": "feed_forward.gate",
            "short_conv": "conv.",
        },
    ),
    # modeling_minimax.py: Mixtral's MoE names in the checkpoint (conversion_mapping.py maps
    # minimax to mixtral's renames); Lightning Attention in ``self_attn``: qkv_proj,
    # output_gate, out_proj
    "minimax": {
        "experts": "block_sparse_moe.experts.0.",
        "expert_mats": ("w1", "w3", "w2"),
        "router": "block_sparse_moe.gate",
        "lightning": "self_attn.",
    },
    # modeling_hunyuan_v1_moe.py HunYuanMoEV1Moe: router ``gate.wg``, experts, ``shared_mlp``
    "hunyuan_v1_moe": {
        "experts": "mlp.experts.0.",
        "expert_mats": _GATED,
        "router": "mlp.gate.wg",
        "router_linear": True,
        "shared": "mlp.shared_mlp.",
    },
    # modeling_ernie4_5_moe.py: router ``mlp.gate``, experts, ``mlp.shared_experts``
    "ernie4_5_moe": {**_LLAMA, "shared": "mlp.shared_experts."},
    # modeling_afmoe.py: attention with a ``gate_proj`` on its output; AfmoeSparseMoeBlock:
    # ``router.gate``, experts, ``shared_experts``
    "afmoe": {
        **_LLAMA,
        "router": "mlp.router.gate",
        "router_linear": True,
        "shared": "mlp.shared_experts.",
        "attention_gate": "gate_proj",
    },
    # modeling_beam.py: attention with a ``gate_proj`` on its output (its per-head
    # ``gate_bias`` a parameter, no linear); BeamMoE: router ``mlp.gate`` (BeamTopKRouter, no
    # nn.Linear), experts, no shared expert
    "beam": {**_LLAMA, "attention_gate": "gate_proj"},
    # modeling_granitemoehybrid.py GraniteMoeHybridDecoderLayer: Mamba-2 ``mamba`` (in_proj,
    # out_proj) or attention, ``shared_mlp`` (input_linear: gate and up in one matrix,
    # output_linear) in every layer: a dense Granite 4 (num_local_experts 0) has only it, a
    # MoE one beside ``block_sparse_moe`` (as granitemoe's, _GRANITE_MOE)
    "granitemoehybrid": {
        **_GRANITE_MOE,
        **_GRANITE_SHARED,
        "mlp": "shared_mlp.",
        "gate_up": ("input_linear", "output_linear"),
        "mamba2": "mamba.",
    },
    "granitemoe": _GRANITE_MOE,
    **dict.fromkeys(("granitemoeshared", "granitemoe_swa"), {**_GRANITE_MOE, **_GRANITE_SHARED}),
    # modeling_nemotron_h.py: each layer has one block, its ``mixer``: Mamba-2 (in_proj,
    # out_proj), attention, an MLP (up_proj, down_proj) or a MoE (experts' up/down_proj,
    # gate, shared_experts); the checkpoint's ``backbone.`` is transformers 5's ``model.``
    # (conversion_mapping.py: WeightRenaming("backbone.", "model."))
    "nemotron_h": {
        "renamed": (("backbone.", "model."),),
        "attention": "mixer.",
        "mlp": "mixer.",
        "experts": "mixer.experts.0.",
        "expert_mats": ("up_proj", "down_proj"),
        "router": "mixer.gate",
        "shared": "mixer.shared_experts.",
        "mamba2": "mixer.",
    },
}
# a linear of each vision tower (``VisionSpec.kind``) as transformers names it, now and
# before 4.52: a tower is taken to be quantized when neither name is left out
_VISION_NAMES: dict[str, tuple[str, str]] = {
    "siglip": (  # gemma3
        "model.vision_tower.vision_model.encoder.layers.0.self_attn.q_proj",
        "vision_tower.vision_model.encoder.layers.0.self_attn.q_proj",
    ),
    "pixtral": (  # mistral3
        "model.vision_tower.transformer.layers.0.attention.q_proj",
        "vision_tower.transformer.layers.0.attention.q_proj",
    ),
    "qwen3_5": ("model.visual.blocks.0.attn.qkv", "visual.blocks.0.attn.qkv"),
    "mllama": (
        "model.vision_model.transformer.layers.0.self_attn.q_proj",
        "vision_model.transformer.layers.0.self_attn.q_proj",
    ),
    "llama4": (
        "model.vision_model.model.layers.0.self_attn.q_proj",
        "vision_model.model.layers.0.self_attn.q_proj",
    ),
}
_UNKNOWN = -2  # a rule the engine cannot evaluate on a module (another class name)

# why config_groups cannot be placed on the engine's linears (the report's note quotes one;
# catalog.notes_l10n translates each, and a test keeps the two lists together)
NO_TARGETS = "a config group without targets"
COSTLY_PATTERN = "an re: pattern that could take very long to match"
UNKNOWN_LINEARS = "linear weights beyond attention, MLP and experts"
UNKNOWN_NAMES = "layers whose module names the engine does not know"
OTHER_CLASS = "a target or ignore entry that is a class name other than Linear"
FUSED_EXPERTS = "routed experts in fused 3D tensors, whose quantized layout is not settled"
WHY_NOT_PLACED = (
    NO_TARGETS,
    COSTLY_PATTERN,
    UNKNOWN_LINEARS,
    UNKNOWN_NAMES,
    OTHER_CLASS,
    FUSED_EXPERTS,
)
# families whose checkpoints hold the routed experts as 3D tensors, not one linear each
# (GraniteMoE: block_sparse_moe.input_linear / output_linear, experts x out x in, read by
# conversion_mapping.py granitemoe; gpt_oss: mlp.experts.gate_up_proj / down_proj, gate and
# up interleaved, with biases). compressed-tensors quantizes nn.Linear modules; llm-compressor
# has saved these experts 3D (granite4's GraniteMoeHybridParallelExpertsLinear) and one linear
# each (its linearized MoE modules), and a packed 3D layout is still a proposal (its pull
# request 3200): which module names a re: pattern meets is not settled. Where the engine
# names the family's other linears and the experts' names ("fused_experts": the Granite MoE
# families), each scheme is placed on the rest, and the experts too where the rules give every
# one of their names the same scheme (none names them: "Linear" and a re:.*router ignore
# place them as any linear); where the rules tell their names apart, the experts alone are
# sized by the first scheme. Elsewhere (gpt_oss) a config that names modules is sized by its
# first scheme
_FUSED_3D = frozenset(
    ("granitemoe", "granitemoeshared", "granitemoe_swa", "granitemoehybrid", "gpt_oss")
)


def _is_class(target: str) -> bool:
    """A plain target without a dot is a class name (``Linear``), unless it is a top-level
    module the engine names (``lm_head``)."""
    return "." not in target and target != "lm_head" and not target.startswith("re:")


_REPEATS = tuple(
    getattr(sre_constants, op)
    for op in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
    if hasattr(sre_constants, op)
)
_MAX_REPEATS = 4  # ".*self_attn.*", "model.layers.\\d+.mlp.experts.\\d+.*": two or three


def _costly(pattern: str) -> bool:
    """Whether ``re.match`` of ``pattern`` could backtrack for long on a module name: a
    repetition inside a repetition (``(.+)+x``: 2**n ways on n characters), alternatives
    inside one (``(a|.)*x``), or more than ``_MAX_REPEATS`` repetitions (``.*.*.*...x``).
    The patterns come from whoever wrote config.json; the ones compressed-tensors' recipes
    write (``re:.*mlp.gate$``) are none of these."""
    repeats = 0

    def walk(sub: Any, in_repeat: bool) -> bool:
        nonlocal repeats
        for op, av in sub:
            if op in _REPEATS:
                if av[1] > 1:
                    if in_repeat:
                        return True
                    repeats += 1
                if walk(av[2], in_repeat or av[1] > 1):
                    return True
            elif op is sre_constants.BRANCH and in_repeat:
                return True
            elif any(walk(s, in_repeat) for s in _subpatterns(av)):
                return True
        return repeats > _MAX_REPEATS

    return walk(sre_parser.parse(pattern), False)


def _subpatterns(av: Any) -> list[Any]:
    if isinstance(av, sre_parser.SubPattern):
        return [av]
    if isinstance(av, tuple | list):
        return [s for item in av for s in _subpatterns(item)]
    return []


# module names as transformers spelled them before 4.52, which moved an image-text model's
# text layers from language_model.model.layers to model.language_model.layers: an exact name
# in that spelling is read in today's (a family's "renamed" in _NAMES replaces these)
_OLD_PREFIXES = (
    ("language_model.model.", "model.language_model."),
    ("language_model.lm_head", "lm_head"),
)


def _current(target: str, renamed: tuple[tuple[str, str], ...]) -> str:
    if not target.startswith("re:"):
        for old, new in renamed:
            if target.startswith(old):
                return new + target[len(old) :]
    return target


@lru_cache(maxsize=256)
def _rules(
    ignore: tuple[str, ...],
    groups: tuple[tuple[str, ...], ...],
    renamed: tuple[tuple[str, str], ...],
) -> Rules | str:
    """``ignore`` and each scheme's targets with exact names in today's spelling (``re:``
    patterns are matched against both, see ``_scheme_of``), or why they cannot be placed (a
    scheme without targets, a pattern too costly to match); once per config (parsing the
    patterns to judge their cost is most of a placement's time)."""
    groups = tuple(tuple(_current(t, renamed) for t in targets) for targets in groups)
    if not all(groups):
        return NO_TARGETS
    ignore = tuple(_current(t, renamed) for t in ignore)
    if any(t.startswith("re:") and _costly(t[3:]) for t in (*ignore, *sum(groups, ()))):
        return COSTLY_PATTERN
    return ignore, groups, renamed


def _matches(spellings: tuple[str, ...], target: str) -> bool:
    """An exact target (already in today's spelling) names ``spellings[0]``; a pattern may be
    written in any of the module's spellings."""
    if target.startswith("re:"):
        return any(re.match(target[3:], name) is not None for name in spellings)
    return target == spellings[0]


@lru_cache(maxsize=8192)
def _scheme_of(rules: Rules, name: str, linear: bool = True) -> int | None:
    """The index of the scheme that stores linear ``name``, None when it stays as it is,
    ``_UNKNOWN`` when a class target other than Linear could decide it. "Linear" neither
    targets nor leaves out a module that is not an nn.Linear (``linear`` False: a
    ``*TopKRouter`` holding its weight as a Parameter, see _NAMES). A pattern is matched
    against the name as today's transformers spells it and as the checkpoint's may
    (``backbone.layers.0.mixer.in_proj`` for ``model.layers.0.mixer.in_proj``): written in
    the older spelling, an anchored one matched nothing and left its modules out silently."""
    ignore, groups, renamed = rules
    spellings = (name, *(old + name[len(new) :] for old, new in renamed if name.startswith(new)))
    for target in ignore:
        if target == "Linear":
            if linear:
                return None
        elif _matches(spellings, target):
            return None
        elif _is_class(target):
            return _UNKNOWN
    for regex in (False, True):  # exact names first, then re: patterns
        for i, targets in enumerate(groups):
            for target in targets:
                if target.startswith("re:") is regex and not _is_class(target):
                    if _matches(spellings, target):
                        return i
    for i, targets in enumerate(groups):
        for target in targets:
            if target == "Linear":
                if linear:
                    return i
            elif _is_class(target):
                return _UNKNOWN
    return None


def _pair_leaves(
    prefix: str,
    h: int,
    width: int,
    gated: bool,
    fused: bool | tuple[str, str] | None,
    up_down: tuple[str, str] = ("up_proj", "down_proj"),
    mats: tuple[str, ...] = _GATED,
) -> list[Leaf]:
    """An MLP's linears, ``width`` wide: ``mats`` (gate/up/down_proj; LFM2's w1/w3/w2;
    ``fused``: gate and up in one matrix, gate_up_proj and down_proj as phi3's, or the two
    names given: Granite's input_linear and output_linear) or, not gated, ``up_down``
    (up/down_proj; GPT-2 style c_fc/c_proj, fc1/fc2)."""
    if not gated:
        up, down = up_down
        return [((prefix + up,), h * width, width, 1), ((prefix + down,), h * width, h, 1)]
    if fused:
        gate_up, down = fused if isinstance(fused, tuple) else ("gate_up_proj", "down_proj")
        return [
            ((prefix + gate_up,), 2 * h * width, 2 * width, 1),
            ((prefix + down,), h * width, h, 1),
        ]
    gate, up, down = mats
    return [
        ((prefix + gate,), h * width, width, 1),
        ((prefix + up,), h * width, width, 1),
        ((prefix + down,), h * width, h, 1),
    ]


def _mixer_leaves(spec: ArchSpec, mixer: str | None, names: dict[str, Any] | None) -> list[Leaf]:
    """The linears of one layer's token mixer with the family's module ``names`` (None:
    unknown)."""
    _, _, weights = mixer_params(spec, mixer)
    if not weights:
        return []
    h, nh = spec.hidden_size, spec.num_attention_heads
    leaves: list[Leaf] = []
    if (
        names
        and mixer in _PLAIN_ATTENTION
        and not (spec.v_head_dim is not None or spec.attention_kv_shared)
        and (not spec.fused_qkv or "qkv" in names)
    ):
        kv, hd = spec.attention_dims(mixer)
        q_out = nh * hd * (2 if spec.attention_output_gate else 1)
        at = names.get("attention", "self_attn.")
        q, k, v, o = names.get("attention_mats", ("q_proj", "k_proj", "v_proj", "o_proj"))
        if spec.fused_qkv:  # modeling_phi3.py qkv_proj: q, k and v rows in one matrix
            leaves = [((names["qkv"],), h * (q_out + 2 * kv * hd), q_out + 2 * kv * hd, 1)]
        else:
            leaves = [
                ((at + q,), h * q_out, q_out, 1),
                ((at + k,), h * kv * hd, kv * hd, 1),
            ]
            if not (spec.global_k_eq_v and mixer == "attention"):
                leaves.append(((at + v,), h * kv * hd, kv * hd, 1))
        leaves.append(((at + o,), (spec.o_proj_in or nh * hd) * h, h, 1))
        if spec.attention_gate == "full" and "attention_gate" in names:
            # modeling_afmoe.py AfmoeAttention.gate_proj: hidden -> heads x head_dim
            leaves.append(((at + names["attention_gate"],), h * nh * hd, nh * hd, 1))
    elif names and mixer == "mla" and not spec.mla_q_gate:
        # modeling_deepseek_v3.py DeepseekV3Attention
        nope, rope = spec.qk_nope_head_dim or 0, spec.qk_rope_head_dim or 0
        v, kv_rank, q_rank = spec.v_head_dim or 0, spec.kv_lora_rank or 0, spec.q_lora_rank
        q_out = nh * (nope + rope)
        if q_rank:
            leaves = [
                (("self_attn.q_a_proj",), h * q_rank, q_rank, 1),
                (("self_attn.q_b_proj",), q_rank * q_out, q_out, 1),
            ]
        else:
            leaves = [(("self_attn.q_proj",), h * q_out, q_out, 1)]
        leaves += [
            (("self_attn.kv_a_proj_with_mqa",), h * (kv_rank + rope), kv_rank + rope, 1),
            (("self_attn.kv_b_proj",), kv_rank * nh * (nope + v), nh * (nope + v), 1),
            (("self_attn.o_proj",), nh * v * h, h, 1),
        ]
    elif names and mixer == "mamba2" and "mamba2" in names:
        # modeling_mamba2.py Mamba2Mixer: in_proj (hidden -> x, z, B, C, dt), out_proj
        i, at = spec.ssm_intermediate_size or 0, names["mamba2"]
        proj = 2 * i + 2 * (spec.ssm_n_groups or 0) * (spec.ssm_state_size or 0)
        proj += spec.ssm_num_heads or 0
        leaves = [((at + "in_proj",), h * proj, proj, 1), ((at + "out_proj",), i * h, h, 1)]
    elif names and mixer == "mamba" and "mamba" in names:
        # modeling_jamba.py JambaMambaMixer: in_proj (hidden -> x, z), x_proj (-> dt, B, C),
        # dt_proj (time_step_rank -> intermediate), out_proj
        i, at = spec.ssm_intermediate_size or 0, names["mamba"]
        r, n = spec.ssm_time_step_rank or 0, spec.ssm_state_size or 0
        leaves = [
            ((at + "in_proj",), h * 2 * i, 2 * i, 1),
            ((at + "x_proj",), i * (r + 2 * n), r + 2 * n, 1),
            ((at + "dt_proj",), r * i, i, 1),
            ((at + "out_proj",), i * h, h, 1),
        ]
    elif names and mixer == SHORT_CONV and "short_conv" in names:
        # modeling_lfm2.py Lfm2ShortConv: in_proj (hidden -> B, C, x), out_proj
        at = names["short_conv"]
        leaves = [((at + "in_proj",), 3 * h * h, 3 * h, 1), ((at + "out_proj",), h * h, h, 1)]
    elif (
        names
        and mixer == "linear_attention"
        and spec.linear_attention_kind == "lightning"
        and "lightning" in names
    ):
        # modeling_minimax.py MiniMaxLightningAttention: qkv_proj, output_gate, out_proj
        width, at = nh * spec.head_dim, names["lightning"]
        leaves = [
            ((at + "qkv_proj",), h * 3 * width, 3 * width, 1),
            ((at + "output_gate",), h * width, width, 1),
            ((at + "out_proj",), width * h, h, 1),
        ]
    elif (
        names
        and mixer == "linear_attention"
        and spec.linear_attention_kind == "gated_deltanet"
        and "gated_deltanet" in names
    ):
        # modeling_qwen3_next.py Qwen3NextGatedDeltaNet: in_proj_qkvz, in_proj_ba, out_proj;
        # modeling_qwen3_5.py splits them (in_proj_qkv, in_proj_z, in_proj_b, in_proj_a)
        nv, at = spec.linear_num_value_heads or 0, names["gated_deltanet"]
        kd = (spec.linear_num_key_heads or 0) * (spec.linear_key_head_dim or 0)
        vd = nv * (spec.linear_value_head_dim or 0)
        if names.get("deltanet_split"):
            leaves = [
                ((at + "in_proj_qkv",), h * (2 * kd + vd), 2 * kd + vd, 1),
                ((at + "in_proj_z",), h * vd, vd, 1),
                ((at + "in_proj_b",), h * nv, nv, 1),
                ((at + "in_proj_a",), h * nv, nv, 1),
            ]
        else:
            leaves = [
                ((at + "in_proj_qkvz",), h * (2 * kd + 2 * vd), 2 * kd + 2 * vd, 1),
                ((at + "in_proj_ba",), h * 2 * nv, 2 * nv, 1),
            ]
        leaves.append(((at + "out_proj",), vd * h, h, 1))
    if sum(leaf[1] for leaf in leaves) == weights:  # no gates, indexers or extra heads
        return leaves
    return [((), weights, 0, 0)]


def _ffn_leaves(
    spec: ArchSpec, layer: LayerSpec, names: dict[str, Any] | None
) -> tuple[list[Leaf], list[Leaf], list[Leaf]]:
    """(the routed experts of one layer's FFN, its other linears that
    ``linear_weight_params`` counts, its router) with the family's module ``names`` (None:
    unknown)."""
    h = spec.hidden_size
    leaves: list[Leaf] = []
    experts: list[Leaf] = []
    router: list[Leaf] = []
    ffn = layer.ffn
    if ffn == "mlp" or (ffn == "moe" and (spec.moe_beside_mlp or spec.shortcut_moe)):
        width = spec.intermediate_size
        if names and not spec.mlp_extra_weights:
            gated, fused = spec.ffn_gated, names.get("gate_up")
            up_down = names.get("up_down", ("up_proj", "down_proj"))
            mats = names.get("mlp_mats", _GATED)
            prefix = names.get("mlp", "mlp.")
            leaves += _pair_leaves(prefix, h, width, gated, fused, up_down, mats)
        else:
            mats = 3 if spec.ffn_gated else 2
            leaves.append(((), mats * h * width + spec.mlp_extra_weights, 0, 0))
    if ffn != "moe":
        return experts, leaves, router
    e, width = spec.num_experts, spec.moe_intermediate_size or 0
    mats = (names or {}).get("expert_mats", ())
    if (
        names
        and len(mats) == (3 if spec.expert_gated else 2)
        and not (spec.expert_bias or spec.moe_latent_size or spec.zero_experts)
    ):
        prefix = names["experts"]
        experts = [
            ((prefix + m,), e * h * width, e * (h if i == len(mats) - 1 else width), e)
            for i, m in enumerate(mats)
        ]
    else:
        experts = [((), e * expert_params(spec), 0, 0)]
    shared = spec.shared_expert_intermediate_size
    prefix = (names or {}).get("shared")
    if shared:
        if prefix and not spec.mlp_bias:
            fused = (names or {}).get("shared_gate_up")
            leaves += _pair_leaves(prefix, h, shared, spec.shared_expert_gated, fused)
        else:
            leaves.append(((), (3 if spec.shared_expert_gated else 2) * h * shared, 0, 0))
    if spec.shared_expert_gate:  # modeling_qwen2_moe.py shared_expert_gate: hidden -> 1
        leaves.append((("mlp.shared_expert_gate",) if prefix else (), h, 1, 1))
    if (
        names
        and "router" in names
        and spec.router_params is None
        and not (spec.moe_beside_mlp or spec.zero_experts)
    ):
        # a router bias (gpt_oss), or a score-correction bias beside its weight (ernie4_5_moe
        # moe_statics, afmoe expert_bias), stays at 16 bits with the other non-linear params
        router.append(((names["router"],), e * h, e, 1))
    return experts, leaves, router


Placed = list[tuple[dict[str, Any], int, int, int, int]]


def place_schemes(spec: ArchSpec, count: ParamCount) -> tuple[Placed | None, str | None, bool]:
    """Each weight scheme of a compressed-tensors config with the (weights, output rows,
    matrices, routed-expert weights among them) of the linears it stores, in
    ``spec.quantization["schemes"]`` order; or None and why not (the caller sizes the
    checkpoint by its first scheme). Placed with a why (``FUSED_EXPERTS``): every linear is
    placed but the fused 3D routed experts, whose names the rules tell apart: the first
    scheme stores them. Third: whether a
    scheme would store the vision tower's linears too (the engine counts them at 16 bits: it
    does not know their split)."""
    q = spec.quantization or {}
    schemes = q["schemes"]
    names = _NAMES.get(spec.model_type)
    rules = _rules(
        tuple(q.get("ignore") or ()),
        tuple(tuple(s["targets"] or ()) for s in schemes),
        (names or {}).get("renamed") or _OLD_PREFIXES,
    )
    if isinstance(rules, str):
        return None, rules, False
    prefix = "model.layers."
    if spec.vision:
        prefix = (names or {}).get("vision_layers") or "model.language_model.layers."
    # a named family's fused 3D experts (_FUSED_3D): placed apart from its other linears,
    # layer by layer under each of their names (_place_fused)
    fused_names = (names or {}).get("fused_experts", ()) if spec.num_experts else ()
    fused = (0, 0, 0)  # one layer's fused experts: weights, output rows and matrices
    router_linear = bool((names or {}).get("router_linear"))
    per_kind: dict[LayerSpec, list[Leaf]] = {}
    routed: dict[LayerSpec, int] = {}  # the routed experts lead each kind's leaves
    linears: dict[LayerSpec, tuple[bool, ...]] = {}  # whether each leaf is an nn.Linear
    counted = 0
    for layer, n in spec.block_counts.items():
        experts, ffn, router = _ffn_leaves(spec, layer, names)
        leaves = _mixer_leaves(spec, layer.mixer, names) + ffn
        counted += sum(leaf[1] for leaf in experts + leaves) * n
        if fused_names and experts:
            # (experts, 2 x width, hidden) and (experts, hidden, width): a matrix each, an
            # output row per expert's row
            e, width = spec.num_experts, spec.moe_intermediate_size or 0
            rows = e * ((2 if spec.expert_gated else 1) * width + spec.hidden_size)
            fused = (sum(leaf[1] for leaf in experts), rows, 2 * e)
            experts = []
        per_kind[layer] = experts + leaves + router  # routers: not among linear_weight_params
        routed[layer] = len(experts)
        linears[layer] = (True,) * (len(experts) + len(leaves)) + (router_linear,) * len(router)
    if counted != count.linear_weight_params:
        return None, UNKNOWN_LINEARS, False
    fused_at: tuple[tuple[int | None, int], ...] | str = ()
    if fused[0]:
        last = spec.num_experts - 1
        spellings = tuple(dict.fromkeys(n.format(j=j) for n in fused_names for j in (0, last)))
        moe = tuple(i for i, layer in enumerate(spec.layers) if layer.ffn == "moe")
        fused_at = _place_fused(rules, spellings, moe, prefix)
        if fused_at == OTHER_CLASS:
            return None, OTHER_CLASS, False
    leaf_names = tuple(
        (k, tuple(zip((leaf[0] for leaf in leaves), linears[k], strict=True)))
        for k, leaves in per_kind.items()
    )
    placed_layers = _assign(rules, tuple(spec.layers), leaf_names, prefix)
    if isinstance(placed_layers, str):
        if placed_layers == UNKNOWN_NAMES and spec.model_type in _FUSED_3D and spec.num_experts:
            return None, FUSED_EXPERTS, False
        return None, placed_layers, False
    acc = [[0, 0, 0, 0] for _ in schemes]  # weights, rows, matrices, routed-expert weights
    for layer, leaves in per_kind.items():
        for j, ((_, weights, rows, mats), layers_per_scheme) in enumerate(
            zip(leaves, placed_layers[layer], strict=True)
        ):
            for where, n in layers_per_scheme:
                slot = acc[where]
                slot[0] += weights * n
                slot[1] += rows * n
                slot[2] += mats * n
                if j < routed[layer]:
                    slot[3] += weights * n
    why = None
    if isinstance(fused_at, str):  # FUSED_EXPERTS: every MoE layer's in the first scheme
        first = next(i for i, s in enumerate(schemes) if s["bits"] is not None)
        fused_at = ((first, sum(1 for layer in spec.layers if layer.ffn == "moe")),)
        why = FUSED_EXPERTS
    for where, n in fused_at:
        if where is not None:
            slot = acc[where]
            slot[0] += fused[0] * n
            slot[1] += fused[1] * n
            slot[2] += fused[2] * n
            slot[3] += fused[0] * n
    lm_head = count.breakdown["lm_head"] - (spec.vocab_size if spec.lm_head_bias else 0)
    if lm_head and not spec.tied_embeddings:
        where = _place(rules, ("lm_head",), "")
        if isinstance(where, str):
            return None, where, False
        if where is not None:
            acc[where][0] += lm_head
            acc[where][1] += spec.lm_head_vocab or spec.vocab_size
            acc[where][2] += 1
    placed: Placed = [(s, *a) for s, a in zip(schemes, acc, strict=True) if s["bits"] is not None]
    tower = _VISION_NAMES.get(spec.vision.kind, ()) if spec.vision else ()
    vision = bool(count.breakdown["vision"] and tower) and all(
        _scheme_of(rules, n) not in (None, _UNKNOWN) for n in tower
    )
    return placed, why, vision


@lru_cache(maxsize=256)
def _assign(
    rules: Rules,
    layers: tuple[LayerSpec, ...],
    names: tuple[tuple[LayerSpec, tuple[tuple[tuple[str, ...], bool], ...]], ...],
    layers_prefix: str,
) -> dict[LayerSpec, list[tuple[tuple[int, int], ...]]] | str:
    """Per kind of layer and leaf (``names``: its module names and whether it is an
    nn.Linear), how many of ``layers`` each scheme stores it in ((scheme, layers) pairs;
    left-out leaves absent), the names evaluated layer by layer (an ``ignore`` entry may name
    one layer's module); or why a leaf cannot be placed."""
    leaves = dict(names)
    counts: dict[LayerSpec, list[dict[int, int]]] = {
        layer: [{} for _ in leaf_names] for layer, leaf_names in names
    }
    for i, layer in enumerate(layers):
        prefix = f"{layers_prefix}{i}."
        for slot, (leaf_names, linear) in zip(counts[layer], leaves[layer], strict=True):
            where = _place(rules, leaf_names, prefix, linear)
            if isinstance(where, str):
                return where
            if where is not None:
                slot[where] = slot.get(where, 0) + 1
    return {layer: [tuple(slot.items()) for slot in slots] for layer, slots in counts.items()}


@lru_cache(maxsize=256)
def _place_fused(
    rules: Rules, spellings: tuple[str, ...], layers: tuple[int, ...], layers_prefix: str
) -> tuple[tuple[int | None, int], ...] | str:
    """How many of ``layers`` each scheme (None: none) stores fused 3D experts in, their
    names given in each ``spellings`` a checkpoint or transformers may give them (see
    _GRANITE_EXPERTS); ``FUSED_EXPERTS`` where a layer's names get different schemes (a rule
    names some of them: which ones the checkpoint's modules are is not settled), or
    ``OTHER_CLASS``."""
    counts: dict[int | None, int] = {}
    for i in layers:
        prefix = f"{layers_prefix}{i}."
        found = {_scheme_of(rules, prefix + name) for name in spellings}
        if _UNKNOWN in found:
            return OTHER_CLASS
        if len(found) > 1:
            return FUSED_EXPERTS
        (where,) = found
        counts[where] = counts.get(where, 0) + 1
    return tuple(counts.items())


def active_placement(placed: Placed, inactive: int, routed: int) -> Placed:
    """``placed`` for the weights one decode step reads: each scheme's routed experts less
    the share a token skips (``inactive`` of ``routed``), its rows and matrices in step."""
    if not inactive or not routed:
        return placed
    out: Placed = []
    for q, weights, rows, mats, experts in placed:
        kept = weights - experts * inactive // routed
        share = kept / weights if weights else 1
        out.append((q, kept, int(rows * share), int(mats * share), experts))
    return out


def _place(
    rules: Rules, names: tuple[str, ...], prefix: str, linear: bool = True
) -> int | None | str:
    """The scheme of one leaf (None: left as it is; ``linear`` False: a module "Linear" does
    not take), or why it cannot be placed."""
    if not names:
        # module names unknown: only rules that cannot name a layer's module place it
        # (class names, and exact names outside the layers, such as lm_head)
        ignore, groups, _ = rules
        if any(
            t.startswith("re:") or t.startswith(prefix)
            for t in (*ignore, *(t for g in groups for t in g))
        ):
            return UNKNOWN_NAMES  # see _NAMES
        found = _scheme_of(rules, "?")
    else:
        found = _scheme_of(rules, prefix + names[0], linear)
    if found == _UNKNOWN:
        return OTHER_CLASS
    return found
