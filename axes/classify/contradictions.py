"""Card versus config: statements in the card that the checkpoint's own config contradicts.

Checked: the native context length (card "128K" vs ``max_position_embeddings`` 8192), MoE vs
dense, and a stated parameter count more than 15% away from the computed one. Each
contradiction is a Fact of its own, on the axis of the thing contradicted (backbone), with
``extra={"flag": "contradiction", ...}`` and the card's quoted text as evidence.

Like is compared with like: every number is first given a role from the words nearest to it
(or, in a table row, from its column header and the row's label). An activated-parameter count
is checked against the computed active count, a total against the total; a maximum generation
length ("max_new_tokens", "generation length is set to 32,768 tokens") is no context window and
is not checked; a token count ("14.8T tokens") is no parameter count.
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
# not inside a name: the "400M" of "Granite-3.1-1B-A400M" is no token count
_TOKENS = bounded(
    r"(?<![\w.-])(\d+(?:[.,]\d+)?)\s*([kKmM])\b(?![a-z])|\b(\d{1,3}(?:,\d{3})+|\d{4,7})\b"
)
_SIZE = bounded(r"(?<![\w.-])(\d+(?:\.\d+)?)\s*(B|M|T|billion|million|trillion)\b")
_MOE_WORDS = bounded(r"mixture[- ]of[- ]experts|\bMoE\b|sparse|전문가 ?혼합|Expertenmischung", re.I)
_CONTEXT_WORDS = re.compile(r"context|sequence length|window|컨텍스트|문맥|Kontext", re.I)
_DENSE_WORDS = bounded(
    r"\bdense\b|밀집 ?(모델|구조|트랜스포머)|\bdichte[snm]? (Modell|Architektur)", re.I
)
_MOE_CONFIG_KEYS = ("num_local_experts", "n_routed_experts", "num_experts", "moe_num_experts")
# What a number measures, read from the words beside it (or its table column's header).
_ACTIVE_WORDS = re.compile(r"activ|aktiv|활성", re.I)
_TOTAL_WORDS = re.compile(r"\btotal|gesamt|insgesamt|전체|총", re.I)
_PARAM_WORDS = re.compile(r"param|\bsize\b|größe|매개변수|파라미터|크기", re.I)
_GENERATION_WORDS = re.compile(
    r"generat|output|completion|response length|new[_ ]tokens|max[_ ]tokens|"
    r"Ausgabe|생성|출력",
    re.I,
)
# "Llama 3.1 8B", "Gemma 2 27B": a size right after a name and its version names a model (in
# a card, often another one: "same design as Llama 3.1 8B"), it states no count of this one
_NAMED_BEFORE = re.compile(r"[A-Za-z][A-Za-z-]*[ -]?v?\d+(?:\.\d+)*\s$")
_TOKEN_UNIT = re.compile(r"\s*(?:tokens?|Token|토큰)\b", re.I)
# how far (characters) a word may sit from a number and still say what the number is
_ROLE_REACH = 60
_DIGIT = re.compile(r"\d")
_GENERIC_ROLE = "param"  # "parameters" alone: a total unless "active" or "total" says more
_PARAMS_KINDS = ("backbone.params_total", "backbone.params_active")


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


def report_params_active(report: dict[str, Any] | None) -> int | None:
    """Parameters used per token (``params.active`` of the engine's report), or None."""
    params = (report or {}).get("params")
    if isinstance(params, dict) and isinstance(params.get("active"), int):
        return params["active"]
    value = _find(report or {}, ("params_active", "active_params", "active_parameters"))
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _token_count(m: re.Match[str]) -> int:
    if m.group(1):
        mult = 1024 if m.group(2).lower() == "k" else 1024 * 1024
        return int(float(m.group(1).replace(",", "")) * mult)
    return int(m.group(3).replace(",", ""))


def _size(m: re.Match[str]) -> int:
    mult = {"b": 10**9, "billion": 10**9, "m": 10**6, "million": 10**6}
    mult |= {"t": 10**12, "trillion": 10**12}
    return round(float(m.group(1)) * mult[m.group(2).lower()])


def _nearest(
    text: str, start: int, end: int, lo: int, hi: int, words: dict[str, re.Pattern[str]]
) -> str | None:
    """The role whose words sit closest to ``text[start:end]`` within ``text[lo:hi]`` (the
    span up to the neighbouring numbers), or None when no role word is in reach."""
    lo, hi = max(lo, start - _ROLE_REACH), min(hi, end + _ROLE_REACH)
    best: tuple[int, str] | None = None
    for role, pattern in words.items():
        for m in pattern.finditer(text, lo, hi):
            distance = start - m.end() if m.end() <= start else max(0, m.start() - end)
            if best is None or distance < best[0]:
                best = (distance, role)
    return best[1] if best else None


def _cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip().strip("|").split("|")]


def _numbers_with_roles(
    st: Statement,
    finder: re.Pattern[str],
    words: dict[str, re.Pattern[str]],
    default: str | None,
) -> list[tuple[re.Match[str], str | None]]:
    """Each number ``finder`` matches in the statement, with its role: in a table row whose
    cells line up with the header, the role its column header and row label name (a number in
    a column that names none has no role); in prose, the role of the nearest role words, else
    ``default``."""
    if st.table_header:
        header, row = _cells(st.table_header), _cells(st.text)
        if len(header) == len(row):
            out = []
            for i, cell in enumerate(row):
                # the column's header and the row's label (its leading cells without numbers)
                label = "\n".join([header[i], *(c for c in row[:i] if not _DIGIT.search(c))])
                roles = [role for role, pattern in words.items() if pattern.search(label)]
                if len(roles) > 1:  # "#Activated Params": the qualifier wins over the noun
                    roles = [r for r in roles if r != _GENERIC_ROLE]
                role = roles[0] if len(roles) == 1 else None
                out += [(m, role) for m in finder.finditer(cell)]
            return out
    matches = list(finder.finditer(st.text))
    out = []
    for i, m in enumerate(matches):
        lo = matches[i - 1].end() if i else 0
        hi = matches[i + 1].start() if i + 1 < len(matches) else len(st.text)
        role = _nearest(st.text, m.start(), m.end(), lo, hi, words)
        out.append((m, role or default))
    return out


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
    active = report_params_active(report)
    if active is None and is_moe is False:
        active = params  # a dense model uses every parameter for every token
    computed = {"total": params, "active": active}

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
            # only numbers that measure the context window: not a maximum generation length
            says_generation = _GENERATION_WORDS.search(text) and not _CONTEXT_WORDS.search(text)
            counted = _numbers_with_roles(
                st,
                _TOKENS,
                {"context": _CONTEXT_WORDS, "generation": _GENERATION_WORDS},
                default="generation" if says_generation else "context",
            )
            counts = [_token_count(m) for m, role in counted if role == "context"]
            counts = [c for c in counts if c >= 512]
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
        if (pred.kind in _PARAMS_KINDS or on_backbone) and params:
            # a count "activated" per token is checked against the active count, the rest
            # against the total; "14.8T tokens" counts data, not parameters
            says_active = _ACTIVE_WORDS.search(text) and not _TOTAL_WORDS.search(text)
            default = "active" if says_active or pred.kind == "backbone.params_active" else "total"
            sized = [
                (m, role)
                for m, role in _numbers_with_roles(
                    st,
                    _SIZE,
                    {"active": _ACTIVE_WORDS, "total": _TOTAL_WORDS, _GENERIC_ROLE: _PARAM_WORDS},
                    default=default,
                )
                if not _TOKEN_UNIT.match(m.string, m.end())
                and not _NAMED_BEFORE.search(m.string, max(0, m.start() - 24), m.start())
            ]
            for role in ("total", "active"):
                reference = computed[role]
                sizes = [
                    _size(m)
                    for m, r in sized
                    # a bare "parameters" column or word means the total
                    if r == role or (r == _GENERIC_ROLE and role == "total")
                ]
                sizes = [size for size in sizes if size >= 1e6]
                if (
                    reference
                    and sizes
                    and not any(_close(size, reference, PARAMS_TOLERANCE) for size in sizes)
                ):
                    noun = "active parameters" if role == "active" else "parameters"
                    flag(
                        st,
                        f"backbone.params_{role}",
                        sizes[0],
                        reference,
                        f"card states {sizes[0]:,} {noun}; computed {role} is {reference:,}",
                    )
    return facts
