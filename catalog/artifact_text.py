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

from axes.backbone.safetensors import DTYPE_BITS
from axes.jsonfile import JsonTooDeep, constants_note, json_type_name, model_json_loads
from axes.textfile import decode_note, text_decode

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
    # a second note the first does not say: the unreadable byte of a card also cut at its
    # limit, or of a config whose NaN were read as null (the CLI says both, axes.analysis)
    extra_notes: tuple[str, ...] = ()

    @property
    def notes(self) -> list[str]:
        """Every note about the file, the one its artifact shows first."""
        return [n for n in (self.note, *self.extra_notes) if n]


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def json_error_message(name: str, exc: json.JSONDecodeError) -> str:
    return f"{name} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."


def json_parse(
    text: str | bytes, name: str, *, constants: list[str] | None = None, huge_ints: bool = False
) -> Any:
    """``json.loads`` for untrusted files, raising ``ArtifactInvalid`` with a readable message.

    What Python's parser accepts but a JSON column (SQLite ``JSON_VALID``, PostgreSQL
    ``jsonb``) does not: ``NaN`` and ``Infinity`` are read as null and listed in ``constants``
    (real configs carry them: Nemotron-H's ``time_step_limit``), or refused when ``constants``
    is None; floats that overflow to ``inf``, and integers past a float's range unless
    ``huge_ints``, are refused (``axes.jsonfile``). Deep nesting
    (``JsonTooDeep``) and integers over Python's digit limit become a message, not a 500.
    """
    try:
        return model_json_loads(text, constants=constants, huge_ints=huge_ints)
    except json.JSONDecodeError as exc:
        raise ArtifactInvalid(json_error_message(name, exc)) from exc
    except JsonTooDeep as exc:
        raise ArtifactInvalid(f"{name} is nested too deeply to be a model file.") from exc
    except ValueError as exc:  # NaN/Infinity (when refused), 1e400, 1 and 400 zeros, 5,000 digits
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
    # a byte-order mark (Windows editors save one) is no part of the text: kept, it made
    # config.json "not valid JSON" and hid a card's YAML front matter. Fetched or uploaded, a
    # file is decoded the same way (axes.textfile), and bytes it cannot read are named.
    text, problem = text_decode(text_bytes, cut=truncated)
    decoded = decode_note(name, problem) if problem is not None else ""
    if truncated:
        note = f"{name} is {total:,} bytes; only the first {limit:,} bytes are kept."
    else:
        note = decoded
    data: Any = None
    if name.endswith(".json"):
        constants: list[str] = []
        try:
            data = json_parse(text, name, constants=constants)
        except ArtifactInvalid as exc:
            # unreadable bytes are the likelier reason (a UTF-16 file without its mark)
            note = decoded or str(exc)
        else:
            note = constants_note(name, constants) or note
            if not isinstance(data, dict):
                note = f"{name} holds a JSON {json_type_name(data)}, not an object."
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
        extra_notes=(decoded,) if decoded and note != decoded else (),
    )


# Bits per element of the whole-byte safetensors dtypes (the engine's table of safetensors'
# ``Dtype``). Any other name (the sub-byte F4 / F6_*, whose packing writers differ on, a dtype
# added later) is kept, its byte length unchecked (the analysis notes a dtype it cannot size).
SAFETENSORS_DTYPE_BITS = {name: bits for name, bits in DTYPE_BITS.items() if bits % 8 == 0}


def _whole_number(value: Any) -> bool:
    return type(value) is int and value >= 0


def _tensor_check(tensor: str, info: Any, name: str) -> tuple[int, int] | None:
    """(begin, end) of one header entry's data, after checking its dtype, shape and offsets
    as the safetensors format defines them; ArtifactInvalid naming the tensor otherwise."""
    where = f"{name}: tensor {tensor!r}"
    if not isinstance(info, dict):
        raise ArtifactInvalid(f"{where} is {type(info).__name__}, not an entry with a dtype.")
    dtype, shape, offsets = info.get("dtype"), info.get("shape"), info.get("data_offsets")
    if not isinstance(dtype, str) or not dtype:
        raise ArtifactInvalid(f"{where} has the dtype {dtype!r}, not a name such as BF16.")
    if not isinstance(shape, list) or not all(_whole_number(d) for d in shape):
        raise ArtifactInvalid(f"{where} has the shape {shape!r}, not a list of sizes.")
    if offsets is None:
        return None  # a header given without offsets (a test fixture, a summary)
    if (
        not isinstance(offsets, list | tuple)
        or len(offsets) != 2
        or not all(_whole_number(o) for o in offsets)
        or offsets[0] > offsets[1]
    ):
        raise ArtifactInvalid(f"{where} has the data_offsets {offsets!r}, not [begin, end].")
    begin, end = int(offsets[0]), int(offsets[1])
    bits = SAFETENSORS_DTYPE_BITS.get(dtype)
    if bits is not None:
        elements = 1
        for d in shape:
            elements *= d
        expected = elements * bits // 8
        if end - begin != expected:
            raise ArtifactInvalid(
                f"{where} is {dtype} {shape} ({expected:,} bytes) but its data_offsets span "
                f"{end - begin:,} bytes."
            )
    return begin, end


def safetensors_header_check(
    header: dict[str, Any], name: str, *, data_bytes: int | None = None
) -> dict[str, Any]:
    """Return the header if it is one the safetensors format allows, else ArtifactInvalid.

    Refused: an absurd tensor count; an entry that is no ``{dtype, shape, data_offsets}``
    (a shape of strings, negative sizes, offsets that are no ``[begin, end]``); offsets whose
    span is not the tensor's size in its dtype; two tensors over the same bytes; and, with
    ``data_bytes`` (the file's size after its header), data past the end of the file. The
    parameter counts read from a header are only as good as these."""
    tensors = len(header) - (1 if "__metadata__" in header else 0)
    if tensors > SAFETENSORS_MAX_TENSORS:
        raise ArtifactInvalid(
            f"{name} declares {tensors:,} tensors, over the limit of {SAFETENSORS_MAX_TENSORS:,}."
        )
    metadata = header.get("__metadata__")
    if metadata is not None and not isinstance(metadata, dict):
        raise ArtifactInvalid(f"{name}: __metadata__ is {type(metadata).__name__}, not an object.")
    spans: list[tuple[int, int, str]] = []
    for tensor, info in header.items():
        if tensor == "__metadata__":
            continue
        span = _tensor_check(tensor, info, name)
        if span is not None and span[1] > span[0]:
            spans.append((span[0], span[1], tensor))
    spans.sort()
    for (_, end, first), (begin, _, second) in zip(spans, spans[1:], strict=False):
        if begin < end:
            raise ArtifactInvalid(
                f"{name}: tensors {first!r} and {second!r} overlap (bytes {begin:,} to {end:,})."
            )
    if data_bytes is not None and spans and spans[-1][1] > data_bytes:
        raise ArtifactInvalid(
            f"{name}: tensor {spans[-1][2]!r} ends at byte {spans[-1][1]:,} of the data, but "
            f"the file holds {data_bytes:,} bytes after its header (truncated?)."
        )
    return header


def safetensors_header_from_bytes(
    prefix: bytes, name: str, *, file_bytes: int | None = None
) -> dict[str, Any]:
    """Parse a safetensors header from the first bytes of the file (8-byte length + JSON);
    ``file_bytes``, the whole file's size, lets the check see data past its end."""
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
        # its sizes are checked against the data they span below (safetensors_header_check)
        header = json_parse(body.decode("utf-8"), f"{name} header", huge_ints=True)
    except UnicodeDecodeError as exc:
        raise ArtifactInvalid(f"{name} header is not JSON: {exc}") from exc
    if not isinstance(header, dict):
        raise ArtifactInvalid(f"{name} header is not a JSON object.")
    if "\\u0000" in json.dumps(header):  # jsonb (PostgreSQL) refuses U+0000
        raise ArtifactInvalid(f"{name} header holds a NUL character (\\u0000).")
    data_bytes = None if file_bytes is None else file_bytes - 8 - header_bytes
    return safetensors_header_check(header, name, data_bytes=data_bytes)


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
        return safetensors_header_from_bytes(
            head + fh.read(header_bytes), path.name, file_bytes=path.stat().st_size
        )
