"""One model's full four-axis analysis from its artifacts: the backbone report plus every fact.

This is the single entry point that the CLI (`manage.py analyze`), the ingestion service
(stored per revision in ``Revision.analysis``) and the web pages use. Pure: no Django, no
torch, no network.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from axes.facts import Evidence, Fact
from axes.jsonfile import (
    JsonFileRefused,
    constants_note,
    json_file_loads,
    json_type_name,
    model_json_loads,
)
from axes.textfile import decode_note, text_decode

ANALYSIS_VERSION = 25  # bump when the output changes so stored analyses are recomputed


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
    quant_config: dict[str, Any] | None = None  # hf_quant_config.json (NVIDIA ModelOpt)
    safetensors_headers: dict[str, dict[str, Any]] = field(default_factory=dict)  # file -> header
    model_info: dict[str, Any] | None = None  # Hub model_info subset (safetensors counts, ...)
    extra_facts: list[dict[str, Any]] = field(default_factory=list)  # bundled, sourced facts
    notes: list[str] = field(default_factory=list)  # what reading the files changed or dropped


class ArtifactError(ValueError):
    """An artifact that cannot be read: says which file and where."""


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:  # unreadable (permissions), a folder named like the file, a loop
        raise ArtifactError(f"{path.name} cannot be read: {exc.strerror or exc}") from exc


def _read_json(path: Path, notes: list[str]) -> dict[str, Any]:
    # decoded as the Hub's and an upload's files are (axes.jsonfile.json_file_loads)
    constants: list[str] = []
    try:
        data, decode_problem = json_file_loads(
            path.name, _read_bytes(path), lambda text: model_json_loads(text, constants=constants)
        )
    except json.JSONDecodeError as exc:
        raise ArtifactError(
            f"{path.name} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from exc
    except JsonFileRefused as exc:
        raise ArtifactError(str(exc)) from exc
    if not isinstance(data, dict):
        raise ArtifactError(
            f"{path.name} must hold a JSON object, not a JSON {json_type_name(data)}"
        )
    if constants:
        notes.append(constants_note(path.name, constants))
    if decode_problem is not None:
        notes.append(decode_problem)
    return data


def _read_text(path: Path, notes: list[str]) -> str:
    # as the Hub's and an upload's files are read (a byte-order mark names the encoding)
    text, problem = text_decode(_read_bytes(path))
    if problem is not None:
        notes.append(decode_note(path.name, problem))
    return text


def folder_repo_id_named(path: str | Path) -> str | None:
    """The model ID a folder's own name carries, or None when it carries none:
    ``org--name`` (the layout of ../shared/hub and of downloads named after the repo) is
    ``org/name``; a Hugging Face cache snapshot (``models--org--name/snapshots/<sha>``) is the
    model it caches."""
    root = Path(path).resolve()
    for part in (root.name, root.parent.parent.name if root.parent.name == "snapshots" else ""):
        if part.startswith("models--") and part.count("--") >= 2:
            return part[len("models--") :].replace("--", "/", 1)
    if "--" in root.name:
        return root.name.replace("--", "/", 1)
    return None


def folder_repo_id(path: str | Path) -> str:
    """The model ID a local folder stands for: the one its name carries
    (``folder_repo_id_named``), else the last two path parts (``.../org/name``)."""
    named = folder_repo_id_named(path)
    if named is not None:
        return named
    parts = Path(path).resolve().parts[-2:]
    return "/".join(parts) if len(parts) == 2 else Path(path).resolve().name


def artifacts_from_dir(path: str | Path, *, repo_id: str | None = None) -> Artifacts:
    """Read a local folder shaped like a Hub repo. Missing files are simply absent."""
    root = Path(path)
    if not root.is_dir():
        raise ArtifactError(f"{root} is not a folder")
    if repo_id is None:
        repo_id = folder_repo_id(root)
    arts = Artifacts(repo_id=repo_id)
    for name, attr in (
        ("config.json", "config"),
        ("generation_config.json", "generation_config"),
        ("tokenizer_config.json", "tokenizer_config"),
        ("model.safetensors.index.json", "safetensors_index"),
        ("hf_quant_config.json", "quant_config"),
    ):
        if (root / name).is_file():
            setattr(arts, attr, _read_json(root / name, arts.notes))
    if (root / "chat_template.jinja").is_file():
        arts.chat_template = _read_text(root / "chat_template.jinja", arts.notes)
    elif arts.tokenizer_config and isinstance(arts.tokenizer_config.get("chat_template"), str):
        arts.chat_template = arts.tokenizer_config["chat_template"]
    if (root / "README.md").is_file():
        arts.card = _read_text(root / "README.md", arts.notes)
    return arts


def artifacts_from_config_file(path: str | Path, *, repo_id: str | None = None) -> Artifacts:
    """A model config saved under any name (``llama-no-rope.json``): that file alone, read as
    config.json; the model ID is the file's stem (``org--name.json`` is ``org/name``)."""
    file = Path(path)
    if repo_id is None:
        stem = file.stem
        repo_id = stem.replace("--", "/", 1) if "--" in stem else stem
    arts = Artifacts(repo_id=repo_id)
    arts.config = _read_json(file, arts.notes)
    return arts


def analyze_artifacts(
    arts: Artifacts,
    *,
    context_len: int | None = None,
    batch: int = 1,
    kv_dtype: str = "bf16",
) -> dict[str, Any]:
    """The backbone report (``axes.backbone.analyze_config``) plus every fact, as one dict:
    ``params``, ``memory``, ``compute``, ``backbone``, ``checkpoint``, ``facts``, ``notes``.

    A missing or unreadable config.json is not fatal: the backbone sections are then None,
    ``backbone_error`` says why, and the classifier's facts are still returned.
    """
    from axes.backbone import analyze_config, backbone_facts
    from axes.backbone.errors import BackboneError

    out: dict[str, Any] = {
        "analysis_version": ANALYSIS_VERSION,
        "repo_id": arts.repo_id,
        "params": None,
        "memory": None,
        "compute": None,
        "backbone": None,
        "spec": None,
        "checkpoint": None,
        "estimated": None,
        "facts": [],
        "notes": list(arts.notes),
    }
    report: dict[str, Any] | None = None
    facts: list[Any] = []
    if arts.config is None:
        out["backbone_error"] = "no config.json: the backbone cannot be analyzed"
        out["notes"].append(out["backbone_error"])
    else:
        config, quant_note = _with_modelopt_quantization(arts.config, arts.quant_config)
        if quant_note:
            out["notes"].append(quant_note)
        try:
            report = analyze_config(
                config,
                safetensors_index=arts.safetensors_index,
                safetensors_headers=arts.safetensors_headers or None,
                model_info=arts.model_info,
                context_len=context_len,
                batch=batch,
                kv_dtype=kv_dtype,
            )
        except BackboneError as exc:
            out["backbone_error"] = str(exc)
            out["notes"].append(f"config.json could not be analyzed: {exc}")
        else:
            out.update({k: v for k, v in report.items() if k != "notes"})
            out["notes"].extend(report["notes"])
            facts.extend(_quant_evidence(backbone_facts(arts.config, report), quant_note, config))
    read_notes = len(arts.notes)
    facts.extend(_classifier_facts(arts, report))
    out["notes"].extend(arts.notes[read_notes:])  # the classifier's (a card cut short)
    facts.extend(_bundled_facts(arts))
    out["facts"] = [f.to_dict() if hasattr(f, "to_dict") else f for f in facts]
    return out


def _with_modelopt_quantization(
    config: dict[str, Any], quant: dict[str, Any] | None
) -> tuple[dict[str, Any], str]:
    """NVIDIA ModelOpt checkpoints (nvidia/*-FP8) state their quantization in
    hf_quant_config.json (``{"quantization": {"quant_algo": "FP8", "kv_cache_quant_algo":
    "FP8", "exclude_modules": [...]}}``) and not in config.json: without it the weights would
    be counted at bf16, twice their size. Returns the config the engine reads (config.json
    plus an equivalent ``quantization_config``) and a note; config.json wins when it has one."""
    section = quant.get("quantization") if isinstance(quant, dict) else None
    if not isinstance(section, dict) or "quantization_config" in config:
        return config, ""
    algo = section.get("quant_algo")
    if not isinstance(algo, str) or not algo:
        return config, ""
    excluded = section.get("exclude_modules")
    qc = {
        "quant_method": algo.lower(),
        "modules_to_not_convert": excluded if isinstance(excluded, list) else [],
        "source": "hf_quant_config.json",
    }
    if algo.upper() == "NVFP4":  # 4-bit values, an fp8 scale per group_size (16) values
        qc.update(quant_method="modelopt", quant_algo="NVFP4")
        if section.get("group_size") is not None:
            qc["group_size"] = section["group_size"]
    note = f"weights format from hf_quant_config.json (NVIDIA ModelOpt): {algo}"
    kv = section.get("kv_cache_quant_algo")
    if isinstance(kv, str) and kv:
        note += f"; the checkpoint is calibrated for a {kv} KV cache (kv_cache_quant_algo)"
    return {**config, "quantization_config": qc}, note


def _quant_evidence(facts: list[Fact], quant_note: str, config: dict[str, Any]) -> list[Fact]:
    """The weights-format fact quotes hf_quant_config.json when that is where the format came
    from (config.json has no quantization_config to quote)."""
    if not quant_note:
        return facts
    from axes.backbone.facts import assumed_dtype_text

    qc = config["quantization_config"]
    algo = qc.get("quant_algo") or qc["quant_method"]
    text = f"quant_algo = {json.dumps(algo.upper())}"

    def quoted(fact: Fact) -> Fact:
        assumed = fact.value.get("assumed_dtype") if isinstance(fact.value, dict) else None
        said = f"{text}; {assumed_dtype_text(assumed)}" if assumed else text
        evidence = Evidence(
            source="hf_quant_config.json", locator="quantization.quant_algo", text=said
        )
        return replace(fact, evidence=evidence)

    return [quoted(f) if f.kind == "backbone.weights_format" else f for f in facts]


def _classifier_facts(arts: Artifacts, report: dict[str, Any] | None) -> list[Any]:
    """Facts from the card, generation config and chat template (``axes.classify``)."""
    if not (arts.card or arts.generation_config or arts.chat_template or arts.tokenizer_config):
        # nothing for the classifier to read: don't import it (compiling its rules is most of
        # the start-up time of ``manage.py analyze`` on a folder that holds only config.json)
        return []
    from axes.classify import artifact_facts

    return list(artifact_facts(arts, report))


def _bundled_facts(arts: Artifacts) -> list[Fact]:
    """Facts of the bundled demo catalog: written by us from published sources, each with its
    link. They are sourced statements, so their evidence is the statement and the URL."""
    from axes.taxonomy import KINDS, axis_of

    out: list[Fact] = []
    for item in arts.extra_facts:
        kind = item.get("kind")
        text = str(item.get("text") or "").strip()
        if kind not in KINDS or not text:
            continue
        out.append(
            Fact(
                axis=axis_of(kind),
                kind=kind,
                value=text,
                evidence=Evidence(
                    source=str(item.get("source_url") or "bundled catalog"),
                    locator=str(item.get("locator") or "published source"),
                    text=text,
                ),
                confidence=1.0,
                extractor="bundled",
            )
        )
    return out
