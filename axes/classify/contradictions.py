"""Card versus config: statements in the card that the checkpoint's own config contradicts.

Checked: the native context length (card "128K" vs ``max_position_embeddings`` 8192), MoE vs
dense, and a stated total parameter count more than 15% away from the computed one. Each
contradiction is a Fact of its own, on the axis of the thing contradicted (backbone), with
``extra={"flag": "contradiction", ...}`` and the card's quoted text as evidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from axes.classify.predict import Prediction
from axes.classify.segment import Statement
from axes.classify.textre import bounded
from axes.facts import Evidence, Fact

PARAMS_TOLERANCE = 0.15
CONTEXT_TOLERANCE = 0.10
# bounded(): "128K 컨텍스트", "MoE이고" — a Korean particle ends an English term (textre.py)
_RUNTIME_EXTENSION = re.compile(
    r"yarn|rope[_ ]scaling|extrapolat|with rope|extend|확장|erweiter", re.I
)
_TOKENS = bounded(r"(\d+(?:[.,]\d+)?)\s*([kKmM])\b(?![a-z])|\b(\d{1,3}(?:,\d{3})+|\d{4,7})\b")
_SIZE = bounded(r"(?<![\w.-])(\d+(?:\.\d+)?)\s*(B|M|T|billion|million|trillion)\b")
_MOE_WORDS = bounded(r"mixture[- ]of[- ]experts|\bMoE\b|sparse|전문가 ?혼합|Expertenmischung", re.I)
_CONTEXT_WORDS = re.compile(r"context|sequence length|window|컨텍스트|문맥|Kontext", re.I)
_DENSE_WORDS = bounded(
    r"\bdense\b|밀집 ?(모델|구조|트랜스포머)|\bdichte[snm]? (Modell|Architektur)", re.I
)
_MOE_CONFIG_KEYS = ("num_local_experts", "n_routed_experts", "num_experts", "moe_num_experts")


def _find(data: Any, names: Iterable[str]) -> Any:
    """First value under any of ``names`` in a nested dict (depth-first), or None."""
    names = tuple(names)
    if isinstance(data, dict):
        for name in names:
            if data.get(name) is not None and not isinstance(data.get(name), dict | list):
                return data[name]
        for value in data.values():
            found = _find(value, names)
            if found is not None:
                return found
    return None


def config_context_length(
    config: dict[str, Any] | None, report: dict[str, Any] | None
) -> int | None:
    value = _find(report or {}, ("context_length", "max_position_embeddings"))
    if value is None and config:
        text = config.get("text_config") if isinstance(config.get("text_config"), dict) else {}
        for key in (
            "max_position_embeddings",
            "n_positions",
            "max_seq_len",
            "seq_length",
            "max_sequence_length",
        ):
            value = text.get(key) if text.get(key) is not None else config.get(key)
            if value is not None:
                break
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def config_is_moe(config: dict[str, Any] | None, report: dict[str, Any] | None) -> bool | None:
    decoder = _find(report or {}, ("decoder_type",))
    if isinstance(decoder, str):
        return "moe" in decoder
    if not config:
        return None
    text = config.get("text_config") if isinstance(config.get("text_config"), dict) else {}
    for key in _MOE_CONFIG_KEYS:
        value = text.get(key, config.get(key))
        if isinstance(value, int):
            return value > 1
    return False


def report_params_total(report: dict[str, Any] | None) -> int | None:
    # The backbone engine's report: {"params": {"total": ...}} (axes.backbone.report).
    params = (report or {}).get("params")
    if isinstance(params, dict) and isinstance(params.get("total"), int):
        return params["total"]
    value = _find(
        report or {}, ("params_total", "total_params", "total_parameters", "params_total_count")
    )
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _token_counts(text: str) -> list[int]:
    out = []
    for m in _TOKENS.finditer(text):
        if m.group(1):
            mult = 1024 if m.group(2).lower() == "k" else 1024 * 1024
            out.append(int(float(m.group(1).replace(",", "")) * mult))
        else:
            out.append(int(m.group(3).replace(",", "")))
    return out


def _sizes(text: str) -> list[float]:
    mult = {"b": 1e9, "billion": 1e9, "m": 1e6, "million": 1e6, "t": 1e12, "trillion": 1e12}
    return [float(m.group(1)) * mult[m.group(2).lower()] for m in _SIZE.finditer(text)]


def _close(a: float, b: float, tol: float) -> bool:
    return abs(a - b) <= tol * max(a, b)


def contradiction_facts(
    classified: list[tuple[Statement, Prediction]],
    *,
    config: dict[str, Any] | None,
    report: dict[str, Any] | None,
) -> list[Fact]:
    facts: list[Fact] = []
    native = config_context_length(config, report)
    is_moe = config_is_moe(config, report)
    params = report_params_total(report)

    def flag(st: Statement, kind: str, card_value: Any, config_value: Any, note: str) -> None:
        facts.append(
            Fact(
                "backbone",
                kind,
                {"card": card_value, "config": config_value},
                Evidence("README.md", st.locator, st.text),
                confidence=0.8,
                extractor="card_rules",
                extra={
                    "flag": "contradiction",
                    "card_value": card_value,
                    "config_value": config_value,
                    "note": note,
                },
            )
        )

    for st, pred in classified:
        text = st.context_text
        # A statement carries one label, but a backbone sentence often states several things
        # ("a 70B MoE with a 128K context"): every check runs on every backbone statement.
        on_backbone = pred.axis == "backbone"
        if (
            (
                pred.kind == "backbone.context_length"
                or (on_backbone and _CONTEXT_WORDS.search(text))
            )
            and native
            and not _RUNTIME_EXTENSION.search(text)
        ):
            counts = [c for c in _token_counts(st.text) if c >= 512]
            if counts and not any(
                _close(c, native, CONTEXT_TOLERANCE) or _close(c, native * 1.024, CONTEXT_TOLERANCE)
                for c in counts
            ):
                flag(
                    st,
                    "backbone.context_length",
                    max(counts),
                    native,
                    f"card states {max(counts):,} tokens of context; config max_position_embeddings is {native:,}",
                )
        if pred.axis == "backbone" and is_moe is not None:
            says_moe = bool(_MOE_WORDS.search(text))
            says_dense = bool(_DENSE_WORDS.search(text))
            if says_dense and not says_moe and is_moe:
                flag(
                    st,
                    "backbone.decoder_type",
                    "dense",
                    "moe",
                    "card says dense; config has experts",
                )
            elif says_moe and not says_dense and is_moe is False:
                flag(
                    st,
                    "backbone.decoder_type",
                    "moe",
                    "dense",
                    "card says mixture-of-experts; config has no experts",
                )
        if (pred.kind == "backbone.params_total" or on_backbone) and params:
            sizes = [s for s in _sizes(st.text) if s >= 1e6]
            if sizes and not any(_close(s, params, PARAMS_TOLERANCE) for s in sizes):
                flag(
                    st,
                    "backbone.params_total",
                    sizes[0],
                    params,
                    f"card states {sizes[0]:,.0f} parameters; computed total is {params:,}",
                )
    return facts
