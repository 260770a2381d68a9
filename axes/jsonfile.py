"""Model JSON files as they are written in the wild: Python's ``json.dumps`` writes ``NaN`` and
``Infinity`` (Nemotron-H's ``time_step_limit`` is ``[0.0, Infinity]``), which JSON, SQLite's
``JSON_VALID`` and PostgreSQL's ``jsonb`` do not allow.

``model_json_loads(text, constants=[])`` reads those constants as ``null`` and lists them, so a
real config stays usable and the caller can say what was changed; without ``constants`` they
are refused. A float that overflows to ``inf`` (``1e400``), or an integer past a float's range
(310 digits), is refused either way: no real file has one, and what is computed from it (in
floats) would be. Pure: no Django.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any


def _finite(token: str) -> float:
    value = float(token)
    if not math.isfinite(value):
        raise ValueError(f"{token} is too large for a number")
    return value


def _in_float_range(token: str) -> int:
    value = int(token)  # past sys.get_int_max_str_digits(): ValueError, naming the digits
    if len(token) > 300 and abs(value) > sys.float_info.max:
        digits = len(token.lstrip("-"))
        raise ValueError(f"{token[:12]}… ({digits} digits) is too large for a number")
    return value


def model_json_loads(
    text: str | bytes, *, constants: list[str] | None = None, huge_ints: bool = False
) -> Any:
    """``json.loads`` with ``NaN``/``Infinity``/``-Infinity`` read as null (each appended to
    ``constants``) or, when ``constants`` is None, refused with ``ValueError``; an integer past
    a float's range refused too, unless ``huge_ints`` (a safetensors header: its sizes are
    checked against the bytes they span, and the check made its parse ~70% slower)."""

    def constant(token: str) -> None:
        if constants is None:
            raise ValueError(f"{token} is not a JSON number")
        constants.append(token)
        return None

    parse_int = int if huge_ints else _in_float_range
    return json.loads(text, parse_constant=constant, parse_float=_finite, parse_int=parse_int)


def json_type_name(value: Any) -> str:
    """JSON's own name for a parsed value's type ("array", not Python's "list"), for messages
    about a file that holds the wrong kind of value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def constants_note(name: str, constants: list[str]) -> str:
    """The note for a file whose non-JSON constants were read as null ("" when none were)."""
    if not constants:
        return ""
    found = ", ".join(sorted(set(constants)))
    return (
        f"{name} holds {found} (not JSON numbers; Python's json writes them): "
        f"read as null ({len(constants)} value{'s' if len(constants) != 1 else ''})."
    )
