"""Checks on a model folder before anything is loaded: which mode it supports, and whether its
checkpoint files are safe to open. Pure Python (no torch).

Safety rules: weights are read from ``*.safetensors`` only (never unpickled); shard names from
``model.safetensors.index.json`` are validated before any path is built from them, so an index
cannot point outside the folder.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from axes.jsonfile import JsonFileRefused, json_file_loads  # pure: no Django, no torch
from profiler.core.errors import InvalidRequest, PickleCheckpointRefused, UnsafeCheckpointPath

PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle")
INDEX_NAME = "model.safetensors.index.json"
# A shard name is a relative POSIX path of plain segments ending in .safetensors.
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")


@dataclass(frozen=True)
class ModelFolder:
    root: Path
    config: dict[str, Any]
    shard_paths: tuple[Path, ...]  # validated safetensors files; empty: no checkpoint
    pickle_names: tuple[str, ...] = ()  # pickle checkpoints seen (never opened)
    notes: tuple[str, ...] = ()  # what reading the folder's files changed (unreadable bytes)

    @property
    def has_checkpoint(self) -> bool:
        return bool(self.shard_paths)


def shard_name_check(name: object) -> str:
    """Return ``name`` if it is a safe relative shard path, else raise UnsafeCheckpointPath."""
    if not isinstance(name, str) or not name:
        raise UnsafeCheckpointPath(f"{INDEX_NAME} names a shard that is not a string: {name!r}")
    if "\\" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise UnsafeCheckpointPath(
            f"{INDEX_NAME} names the shard {name!r}, which is an absolute path; shard names "
            "must be file names inside the model folder."
        )
    parts = PurePosixPath(name).parts
    if not name.endswith(".safetensors") or not parts:
        raise UnsafeCheckpointPath(
            f"{INDEX_NAME} names {name!r}, which is not a .safetensors file."
        )
    for part in parts:
        if part in (".", "..") or not _SEGMENT.match(part):
            raise UnsafeCheckpointPath(
                f"{INDEX_NAME} names the shard {name!r}: the segment {part!r} is not allowed "
                "(no '..', no hidden or unusual names)."
            )
    return name


def index_shard_names(index: dict[str, Any]) -> list[str]:
    weight_map = index.get("weight_map")
    if not isinstance(weight_map, dict) or not weight_map:
        raise UnsafeCheckpointPath(f"{INDEX_NAME} has no weight_map object.")
    return sorted({shard_name_check(name) for name in weight_map.values()})


def _json_read(
    path: Path, error: type[InvalidRequest | UnsafeCheckpointPath], notes: list[str]
) -> Any:
    """A folder's JSON file, decoded as ``manage.py analyze`` and an upload decode it
    (axes.jsonfile.json_file_loads: a byte-order mark names UTF-8, UTF-16 or UTF-32;
    unreadable bytes are named, in ``notes`` when the JSON still parses, else as the refusal)
    and parsed as transformers parses it (``json.loads``: NaN and Infinity are numbers to the
    model). A UTF-16 file was refused with the codec's message ("'utf-8' codec can't decode
    byte 0xff")."""
    try:
        raw = path.read_bytes()
    except OSError as exc:  # unreadable (permissions), a folder named like the file
        raise error(f"{path.name} cannot be read: {exc.strerror or exc}") from exc
    try:
        data, decode_problem = json_file_loads(path.name, raw, json.loads)
    except json.JSONDecodeError as exc:
        raise error(f"{path} is not valid JSON: {exc}") from exc
    except JsonFileRefused as exc:
        raise error(str(exc)) from exc
    if decode_problem is not None:
        notes.append(decode_problem)
    return data


def folder_inspect(path: str | Path) -> ModelFolder:
    """Read config.json and find the (validated) safetensors files of a model folder."""
    root = Path(path)
    if not root.is_dir():
        raise InvalidRequest(f"{root} is not a folder; pass a folder that holds config.json.")
    config_path = root / "config.json"
    if not config_path.is_file():
        raise InvalidRequest.of("no_config", folder=str(root))
    notes: list[str] = []
    config = _json_read(config_path, InvalidRequest, notes)
    if not isinstance(config, dict):
        raise InvalidRequest(f"{config_path} must hold a JSON object.")

    resolved_root = root.resolve()
    shard_paths: list[Path] = []
    index_path = root / INDEX_NAME
    if index_path.is_file():
        index = _json_read(index_path, UnsafeCheckpointPath, notes)
        for name in index_shard_names(index):
            shard = (resolved_root / name).resolve()
            # Belt and braces after the name check: symlinks must not lead outside either.
            if not shard.is_relative_to(resolved_root):
                raise UnsafeCheckpointPath.of("shard_escapes", name=repr(name))
            if not shard.is_file():
                raise InvalidRequest(f"{INDEX_NAME} names {name!r}, which is not in the folder.")
            shard_paths.append(shard)
    else:
        for shard in sorted(root.glob("*.safetensors")):
            if not shard.resolve().is_relative_to(resolved_root):
                raise UnsafeCheckpointPath(f"{shard.name} resolves outside the model folder.")
            shard_paths.append(shard)

    pickles = tuple(
        sorted(
            p.name for p in root.iterdir() if p.is_file() and p.suffix.lower() in PICKLE_SUFFIXES
        )
    )
    return ModelFolder(
        root=root,
        config=config,
        shard_paths=tuple(shard_paths),
        pickle_names=pickles,
        notes=tuple(notes),
    )


def pickle_refusal(folder: ModelFolder) -> PickleCheckpointRefused:
    return PickleCheckpointRefused.of("pickle_folder", names=", ".join(folder.pickle_names[:3]))
