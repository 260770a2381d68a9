"""One model's full four-axis analysis from its artifacts: the backbone report plus every fact.

This is the single entry point that the CLI (`manage.py analyze`), the ingestion service
(stored per revision in ``Revision.analysis``) and the web pages use. Pure: no Django, no
torch, no network.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ANALYSIS_VERSION = 1  # bump when the output changes so stored analyses are recomputed


@dataclass
class Artifacts:
    """What describes one model revision. Every part is optional except, usually, config."""

    repo_id: str | None = None
    config: dict[str, Any] | None = None
    generation_config: dict[str, Any] | None = None
    tokenizer_config: dict[str, Any] | None = None
    chat_template: str | None = None  # chat_template.jinja, or tokenizer_config["chat_template"]
    card: str | None = None  # README.md raw text (YAML front matter + Markdown)
    safetensors_index: dict[str, Any] | None = None  # model.safetensors.index.json
    safetensors_headers: dict[str, dict[str, Any]] = field(default_factory=dict)  # file -> header
    model_info: dict[str, Any] | None = None  # Hub model_info subset (safetensors counts, ...)
    extra_facts: list[dict[str, Any]] = field(default_factory=list)  # bundled, sourced facts


class ArtifactError(ValueError):
    """An artifact that cannot be read: says which file and where."""


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ArtifactError(
            f"{path.name} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from exc
    except UnicodeDecodeError as exc:
        raise ArtifactError(f"{path.name} is not UTF-8 text: {exc}") from exc
    if not isinstance(data, dict):
        raise ArtifactError(f"{path.name} must hold a JSON object, not {type(data).__name__}")
    return data


def artifacts_from_dir(path: str | Path, *, repo_id: str | None = None) -> Artifacts:
    """Read a local folder shaped like a Hub repo. Missing files are simply absent."""
    root = Path(path)
    if not root.is_dir():
        raise ArtifactError(f"{root} is not a folder")
    if repo_id is None:
        parts = root.resolve().parts[-2:]
        repo_id = "/".join(parts) if len(parts) == 2 else root.name
    arts = Artifacts(repo_id=repo_id)
    for name, attr in (
        ("config.json", "config"),
        ("generation_config.json", "generation_config"),
        ("tokenizer_config.json", "tokenizer_config"),
        ("model.safetensors.index.json", "safetensors_index"),
    ):
        if (root / name).is_file():
            setattr(arts, attr, _read_json(root / name))
    if (root / "chat_template.jinja").is_file():
        arts.chat_template = (root / "chat_template.jinja").read_text(encoding="utf-8")
    elif arts.tokenizer_config and isinstance(arts.tokenizer_config.get("chat_template"), str):
        arts.chat_template = arts.tokenizer_config["chat_template"]
    if (root / "README.md").is_file():
        arts.card = (root / "README.md").read_text(encoding="utf-8", errors="replace")
    return arts
