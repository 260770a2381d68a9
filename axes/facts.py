"""The one record every extractor emits.

A fact sits on exactly one axis (or on ``context``), has a kind from ``axes.taxonomy`` and
carries its evidence: where it came from (``source``: an artifact name such as ``config.json``
or ``README.md``), where in that source (``locator``: a config key path such as
``text_config.num_key_value_heads`` or a line range such as ``L12-L13``), and the quoted text.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

AXES: tuple[str, ...] = ("backbone", "post_training", "inference", "product")
LABELS: tuple[str, ...] = AXES + ("context",)


@dataclass(frozen=True, slots=True)
class Evidence:
    source: str  # "config.json", "README.md", "generation_config.json", "card_metadata", ...
    locator: str  # config key path, "L12" / "L12-L14", "chars 10-42", ...
    text: str  # the exact quoted text or "key = value"

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Fact:
    axis: str  # one of LABELS
    kind: str  # "axis.kind" from the taxonomy, e.g. "backbone.attention"
    value: Any  # JSON-serializable: a number, a string or a small dict
    evidence: Evidence
    confidence: float = 1.0  # 0..1; rules on config keys are 1.0
    extractor: str = "rules"  # which extractor produced it: "config", "card_rules", "card_model"
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. {"flag": "contradiction"}

    def __post_init__(self) -> None:
        if self.axis not in LABELS:
            raise ValueError(f"unknown axis {self.axis!r}")
        if not self.kind.startswith(self.axis + "."):
            raise ValueError(f"kind {self.kind!r} is not on axis {self.axis!r}")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "axis": self.axis,
            "kind": self.kind,
            "value": self.value,
            "confidence": round(float(self.confidence), 4),
            "extractor": self.extractor,
            "evidence": self.evidence.to_dict(),
        }
        if self.extra:
            out["extra"] = dict(self.extra)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fact:
        return cls(
            axis=data["axis"],
            kind=data["kind"],
            value=data.get("value"),
            evidence=Evidence(**data["evidence"]),
            confidence=float(data.get("confidence", 1.0)),
            extractor=data.get("extractor", "rules"),
            extra=dict(data.get("extra") or {}),
        )
