"""Size limits and parsers for artifact bytes, shared by Hub fetches, folders and uploads.

Pure: no Django, no network. Parsing the bytes is kept apart from fetching them (the pattern of
``huggingface_hub``'s ``_parse_safetensors_header``), so a range request, a local file and a test
fixture all go through the same checks.
"""

from __future__ import annotations

import hashlib
import json
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from axes.jsonfile import constants_note, model_json_loads

CARD_MAX_BYTES = 1024 * 1024  # README.md beyond 1 MiB is truncated with a note
TEXT_MAX_BYTES = 1024 * 1024  # chat_template.jinja
JSON_MAX_BYTES = 32 * 1024 * 1024  # configs are tiny; big MoE safetensors indexes reach ~10 MB
SAFETENSORS_HEADER_MAX_BYTES = 25_000_000  # same cap as huggingface_hub's parser
SAFETENSORS_MAX_TENSORS = 100_000  # per file; real shards hold hundreds to a few thousand
SAFETENSORS_MAX_SHARDS = 256  # headers read per revision; DeepSeek-V3 has 163 shards

# Repo files we read, by name, with their Artifact kind and byte limit.
KNOWN_FILES: dict[str, tuple[str, int]] = {
    "config.json": ("config", JSON_MAX_BYTES),
    "generation_config.json": ("generation_config", JSON_MAX_BYTES),
    "tokenizer_config.json": ("tokenizer_config", JSON_MAX_BYTES),
    "chat_template.jinja": ("chat_template", TEXT_MAX_BYTES),
    "README.md": ("card", CARD_MAX_BYTES),
    "model.safetensors.index.json": ("safetensors_index", JSON_MAX_BYTES),
    # NVIDIA ModelOpt checkpoints (nvidia/*-FP8) state their quantization here, not in config.json
    "hf_quant_config.json": ("quant_config", JSON_MAX_BYTES),
}


class ArtifactInvalid(ValueError):
    """Artifact content that cannot be used; the message names the file and the position."""


@dataclass
class FileText:
    """One fetched or read file: its text (maybe truncated), parsed JSON and visible note."""

    name: str
    kind: str
    text: str
    size_bytes: int
    sha256: str
    truncated: bool = False
    note: str = ""
    data: Any = None


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def json_error_message(name: str, exc: json.JSONDecodeError) -> str:
    return f"{name} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."


def json_parse(text: str | bytes, name: str, *, constants: list[str] | None = None) -> Any:
    """``json.loads`` for untrusted files, raising ``ArtifactInvalid`` with a readable message.

    What Python's parser accepts but a JSON column (SQLite ``JSON_VALID``, PostgreSQL
    ``jsonb``) does not: ``NaN`` and ``Infinity`` are read as null and listed in ``constants``
    (real configs carry them: Nemotron-H's ``time_step_limit``), or refused when ``constants``
    is None; floats that overflow to ``inf`` are refused (``axes.jsonfile``). Deep nesting
    (``RecursionError``) and integers over Python's digit limit become a message, not a 500.
    """
    try:
        return model_json_loads(text, constants=constants)
    except json.JSONDecodeError as exc:
        raise ArtifactInvalid(json_error_message(name, exc)) from exc
    except RecursionError as exc:
        raise ArtifactInvalid(f"{name} is nested too deeply to be a model file.") from exc
    except ValueError as exc:  # NaN/Infinity (when refused), 1e400, a 5,000-digit integer
        raise ArtifactInvalid(f"{name} is not usable JSON: {exc}.") from exc


def file_text_build(
    *, name: str, raw: bytes, size_bytes: int | None = None, limit_bytes: int | None = None
) -> FileText:
    """Decode ``raw`` (possibly a prefix of the file), apply the limit and parse JSON files.

    A card over its limit is kept truncated with a note; a JSON file over its limit is refused
    (half a JSON document is useless) with a note; JSON that does not parse keeps its text and
    says where it breaks.
    """
    kind, default_limit = KNOWN_FILES.get(name, ("other", TEXT_MAX_BYTES))
    limit = default_limit if limit_bytes is None else limit_bytes
    total = len(raw) if size_bytes is None else size_bytes
    digest = sha256_hex(raw) if total == len(raw) else ""
    text_bytes = raw[:limit]
    truncated = total > limit or len(raw) > limit
    note = ""
    if truncated and name.endswith(".json"):
        return FileText(
            name=name,
            kind=kind,
            text="",
            size_bytes=total,
            sha256=digest,
            truncated=True,
            note=f"{name} is {total:,} bytes, over the {limit:,}-byte limit: not read.",
        )
    text = text_bytes.decode("utf-8", errors="replace")
    if truncated:
        note = f"{name} is {total:,} bytes; only the first {limit:,} bytes are kept."
    data: Any = None
    if name.endswith(".json"):
        constants: list[str] = []
        try:
            data = json_parse(text, name, constants=constants)
        except ArtifactInvalid as exc:
            note = str(exc)
        else:
            note = constants_note(name, constants)
            if not isinstance(data, dict):
                kind_name = "null" if data is None else type(data).__name__
                note = f"{name} holds a JSON {kind_name}, not an object."
                data = None
            elif "\\u0000" in json.dumps(data):
                # PostgreSQL's jsonb refuses U+0000 (the save would be a 500); no real config
                # has one.
                note = f"{name} holds a NUL character (\\u0000), which no model file has."
                data = None
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")  # PostgreSQL text columns refuse NUL bytes
    return FileText(
        name=name,
        kind=kind,
        text=text,
        size_bytes=total,
        sha256=digest,
        truncated=truncated,
        note=note,
        data=data,
    )


def safetensors_header_check(header: dict[str, Any], name: str) -> dict[str, Any]:
    """Refuse headers with an absurd tensor count; return the header otherwise."""
    tensors = len(header) - (1 if "__metadata__" in header else 0)
    if tensors > SAFETENSORS_MAX_TENSORS:
        raise ArtifactInvalid(
            f"{name} declares {tensors:,} tensors, over the limit of {SAFETENSORS_MAX_TENSORS:,}."
        )
    return header


def safetensors_header_from_bytes(prefix: bytes, name: str) -> dict[str, Any]:
    """Parse a safetensors header from the first bytes of the file (8-byte length + JSON)."""
    if len(prefix) < 8:
        raise ArtifactInvalid(f"{name} is too small to be a safetensors file.")
    (header_bytes,) = struct.unpack("<Q", prefix[:8])
    if header_bytes > SAFETENSORS_HEADER_MAX_BYTES:
        raise ArtifactInvalid(
            f"{name} has a {header_bytes:,}-byte header, over the "
            f"{SAFETENSORS_HEADER_MAX_BYTES:,}-byte limit."
        )
    body = prefix[8 : 8 + header_bytes]
    if len(body) < header_bytes:
        raise ArtifactInvalid(f"{name} ends inside its header.")
    try:
        header = json_parse(body.decode("utf-8"), f"{name} header")
    except UnicodeDecodeError as exc:
        raise ArtifactInvalid(f"{name} header is not JSON: {exc}") from exc
    if not isinstance(header, dict):
        raise ArtifactInvalid(f"{name} header is not a JSON object.")
    if "\\u0000" in json.dumps(header):  # jsonb (PostgreSQL) refuses U+0000
        raise ArtifactInvalid(f"{name} header holds a NUL character (\\u0000).")
    return safetensors_header_check(header, name)


def safetensors_header_from_file(path: Path) -> dict[str, Any]:
    """Read only the header of a local safetensors file, never the weights."""
    with path.open("rb") as fh:
        head = fh.read(8)
        if len(head) < 8:
            raise ArtifactInvalid(f"{path.name} is too small to be a safetensors file.")
        (header_bytes,) = struct.unpack("<Q", head)
        if header_bytes > SAFETENSORS_HEADER_MAX_BYTES:
            raise ArtifactInvalid(
                f"{path.name} has a {header_bytes:,}-byte header, over the "
                f"{SAFETENSORS_HEADER_MAX_BYTES:,}-byte limit."
            )
        return safetensors_header_from_bytes(head + fh.read(header_bytes), path.name)
