"""NVIDIA Nemotron-H and Nemotron 3 (hybrid Mamba-2 / attention / MLP / MoE blocks).

``modeling_nemotron_h.py``: every block is one RMSNorm plus exactly one mixer, chosen by
``hybrid_override_pattern`` (M = Mamba-2, * = attention, - = MLP, E = MoE;
configuration_nemotron_h.py ``_pattern_to_list``) or ``layers_block_type``.
- Mamba-2 (NemotronHMamba2Mixer): intermediate = mamba_num_heads * mamba_head_dim;
  conv_dim = intermediate + 2 * n_groups * ssm_state_size; ``in_proj`` hidden ->
  intermediate + conv_dim + heads (bias = use_bias); depthwise ``conv1d`` (bias =
  use_conv_bias); ``dt_bias``, ``A_log``, ``D`` (heads each); gated RMSNorm (intermediate);
  ``out_proj`` (bias = use_bias).
- attention (NemotronHAttention): q/k/v/o without bias, head_dim from ``head_dim`` (128).
- MLP (NemotronHMLP): up/down only (ReLU^2), bias = mlp_bias.
- MoE (NemotronHMoE): router ``gate.weight`` (E x hidden; the correction bias is a buffer),
  experts up/down of ``moe_intermediate_size`` (input ``moe_latent_size`` when set, with
  ``fc1_latent_proj``/``fc2_latent_proj``), one shared up/down MLP of
  ``moe_shared_expert_intermediate_size``.
- NemotronHForCausalLM: ``_tied_weights_keys`` is empty, so the lm_head is its own weight
  whatever tie_word_embeddings says.
"""

from __future__ import annotations

from axes.backbone.errors import ConfigError
from axes.backbone.families._common import build, header, read_core
from axes.backbone.layers import NEMOTRON_BLOCK_TYPES, NEMOTRON_PATTERN, LayerSpec
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("nemotron_h",)


def read_pattern(view: ConfigView) -> list[LayerSpec] | None:
    pattern = view.raw_get("hybrid_override_pattern", field_name="layer_types")
    if isinstance(pattern, str):
        bad = sorted(set(pattern) - set(NEMOTRON_PATTERN))
        if bad:
            raise ConfigError(
                f"hybrid_override_pattern has unknown block letters {bad}; expected M, *, -, E",
                key="hybrid_override_pattern",
            )
        return [NEMOTRON_PATTERN[c] for c in pattern]
    types = view.list("layers_block_type", "layer_types", field_name="layer_types")
    if types is not None:
        try:
            return [NEMOTRON_BLOCK_TYPES[str(t)] for t in types]
        except KeyError as exc:
            raise ConfigError(
                f"unknown Nemotron-H block type {exc.args[0]!r}", key="layers_block_type"
            ) from exc
    return None


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "nemotron_h")
    layers = read_pattern(view)
    if layers is None:
        raise ConfigError(
            "a nemotron_h config needs hybrid_override_pattern or layers_block_type to say "
            "which block is Mamba, attention, MLP or MoE",
            key="hybrid_override_pattern",
        )
    if not view.has("num_hidden_layers"):
        view.raw = {**view.raw, "num_hidden_layers": len(layers)}
    core = read_core(
        view, family="nemotron_h", tie_default=False, head_dim_default=128, max_pos_default=4096
    )
    if core["num_layers"] != len(layers):
        view.notes.append(
            f"num_hidden_layers = {core['num_layers']} but the block pattern has {len(layers)} "
            "blocks; transformers uses the pattern"
        )
        core["num_layers"] = len(layers)
    if core["tied_embeddings"]:
        view.notes.append(
            "tie_word_embeddings is true, but modeling_nemotron_h.py ties no weights: the "
            "lm_head is counted apart from the input embedding"
        )
    core["tied_embeddings"] = False  # _tied_weights_keys = {}
    core["hidden_act"] = view.raw_get("mlp_hidden_act", default="relu2", field_name="hidden_act")
    hd = view.int("head_dim", default=None)
    core["head_dim"] = hd if hd is not None else 128  # configuration_nemotron_h.py default
    mamba_heads = view.int("mamba_num_heads", default=128, field_name="ssm_num_heads")
    mamba_hd = view.int("mamba_head_dim", default=64, field_name="ssm_head_dim")
    mtp_layers = view.int("num_nextn_predict_layers", default=0, field_name="mtp_layers")
    mtp_types = (
        (view.list("mtp_layers_block_type") or ["full_attention", "moe"]) if mtp_layers else []
    )
    moe: dict = {}
    if any(layer.ffn == "moe" for layer in set(layers)) or any(t == "moe" for t in mtp_types):
        # transformers' MoE defaults apply only where there are MoE blocks: a dense
        # Nemotron-H (8B, 56B) has no experts, and its spec says so (the compare diff reads it)
        moe = {
            "num_experts": view.int(
                "n_routed_experts", "num_local_experts", default=8, field_name="num_experts"
            ),
            "experts_per_token": view.int(
                "num_experts_per_tok", default=2, field_name="experts_per_token"
            ),
            "moe_intermediate_size": view.int(
                "moe_intermediate_size", default=7688, field_name="moe_intermediate_size"
            ),
            "num_shared_experts": 1,
            "shared_expert_intermediate_size": view.int(
                "moe_shared_expert_intermediate_size", default=7688
            ),
            "expert_gated": False,
            "shared_expert_gated": False,
            "moe_latent_size": view.int("moe_latent_size", default=None),
            "router_scoring": "sigmoid",
            "norm_topk_prob": view.bool("norm_topk_prob", default=True),
        }
    use_bias = view.bool("use_bias", default=False)  # the Mamba-2 in_proj and out_proj
    return build(
        {**core, **head},
        layers,
        ffn_gated=False,
        mlp_bias=view.bool("mlp_bias", default=False),
        norms_per_layer=1,
        positional="none",
        **moe,
        ssm_version=2,
        ssm_state_size=view.int("ssm_state_size", default=128, field_name="ssm_state_size"),
        ssm_num_heads=mamba_heads,
        ssm_head_dim=mamba_hd,
        ssm_n_groups=view.int("n_groups", default=8, field_name="ssm_n_groups"),
        ssm_conv_kernel=view.int("conv_kernel", default=4),
        ssm_intermediate_size=mamba_heads * mamba_hd,
        ssm_bias=use_bias,
        ssm_out_bias=use_bias,
        ssm_conv_bias=view.bool("use_conv_bias", default=True),
        mtp_layers=mtp_layers,
        mtp_block_types=[str(t) for t in mtp_types],
    )
