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
import re
import sys
from collections.abc import Callable
from typing import Any

from axes.textfile import decode_note, lone_surrogates_replace, text_decode

# a \u escape of a surrogate (D800-DFFF): only then is the parsed document walked for lone ones
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")


class JsonNotANumber(ValueError):
    """``NaN``, ``Infinity`` or ``-Infinity`` where they are refused (no JSON has them)."""

    def __init__(self, token: str) -> None:
        self.token = token
        super().__init__(f"{token} is not a JSON number")


class JsonNumberTooLarge(ValueError):
    """A number past a float's range: ``token`` as written (``1e400``) when ``digits`` is None;
    a number too long to show (an integer, a 5,000-digit decimal) has its first 12 characters
    in ``token`` and its count of digits in ``digits``; with ``token`` empty, an integer of
    over ``digits`` digits (Python's limit)."""

    def __init__(self, token: str, digits: int | None = None) -> None:
        self.token = token
        self.digits = digits
        if digits is None:
            shown = token
        elif token:
            shown = f"{token}… ({digits} digits)"
        else:
            shown = f"an integer of over {digits:,} digits"
        super().__init__(f"{shown} is too large for a number")


# a number written longer than this is shown cut, with its digit count (as an integer is): a
# 5,000-digit decimal was echoed whole in the refusal
SHOWN_NUMBER_MAX = 24


def _finite(token: str) -> float:
    value = float(token)
    if not math.isfinite(value):
        if len(token) > SHOWN_NUMBER_MAX:  # "111111111111… (5001 digits)", not 5,002 characters
            mantissa = re.split("[eE]", token, maxsplit=1)[0]
            raise JsonNumberTooLarge(token[:12], sum(c.isdigit() for c in mantissa))
        raise JsonNumberTooLarge(token)  # 1e400 as written
    return value


# Real model files nest a few levels (config -> text_config -> rope_scaling; a safetensors
# header: tensor -> shape). Python's parser stops only at its recursion limit (~1,000 levels at
# the top of a stack), and what is parsed deeper than the stack that stores or renders it
# allows (a config nested 900 deep) failed later, in Django's JSON column (a 500 on upload).
JSON_MAX_DEPTH = 64


class JsonTooDeep(ValueError):
    """The document nests arrays and objects deeper than ``JSON_MAX_DEPTH``."""


class JsonDuplicateKey(ValueError):
    """One object names a key twice (``json.loads`` keeps the last silently)."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"the key {key!r} appears twice in one object")


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise JsonDuplicateKey(key)
        data[key] = value
    return data


def _too_long(token: str) -> JsonNumberTooLarge:
    return JsonNumberTooLarge(token[:12], len(token.lstrip("-")))


def _in_float_range(token: str) -> int:
    try:
        value = int(token)
    except ValueError as exc:  # past sys.get_int_max_str_digits() (4,300 digits)
        raise _too_long(token) from exc
    if len(token) > 300 and abs(value) > sys.float_info.max:
        raise _too_long(token)
    return value


def _depth_check(data: Any) -> None:
    """Raise ``JsonTooDeep`` when ``data`` nests deeper than ``JSON_MAX_DEPTH``: a level at a
    time, so the walk cannot hit the recursion limit (~0.1 s for a 100,000-tensor header)."""
    level = [data]
    depth = 1
    while level:
        if depth > JSON_MAX_DEPTH:
            raise JsonTooDeep(f"nested deeper than {JSON_MAX_DEPTH} levels")
        deeper = []
        for value in level:
            for child in value.values() if type(value) is dict else value:
                if type(child) is dict or type(child) is list:
                    deeper.append(child)
        level = deeper
        depth += 1


def model_json_loads(
    text: str,
    *,
    constants: list[str] | None = None,
    huge_ints: bool = False,
    unique_keys: bool = False,
    keep_lone_surrogates: bool = False,
) -> Any:
    """``json.loads`` of decoded text (axes.textfile) with ``NaN``/``Infinity``/``-Infinity``
    read as null (each appended to ``constants``) or, when ``constants`` is None, refused with
    ``JsonNotANumber``; a number past a float's range refused with ``JsonNumberTooLarge``, an
    integer unless ``huge_ints`` (a safetensors header: its sizes are checked against the
    bytes they span, and the check made its parse ~70% slower). Nesting deeper than
    ``JSON_MAX_DEPTH`` raises ``JsonTooDeep``; with ``unique_keys``, a key named twice in one
    object raises ``JsonDuplicateKey`` (a request, whose sender meant one of the two: real
    model files are read as ``json.loads`` and transformers read them). A lone surrogate
    escape (``"\\ud800"``, no character) is read as U+FFFD, unless ``keep_lone_surrogates``
    (a request: the API refuses one, naming where it is)."""

    def constant(token: str) -> None:
        if constants is None:
            raise JsonNotANumber(token)
        constants.append(token)
        return None

    parse_int = int if huge_ints else _in_float_range
    try:
        data = json.loads(
            text,
            parse_constant=constant,
            parse_float=_finite,
            parse_int=parse_int,
            object_pairs_hook=_unique_pairs if unique_keys else None,
        )
    except RecursionError as exc:
        raise JsonTooDeep("nested too deeply") from exc
    except ValueError as exc:
        too_large = _int_limit_error(exc)  # int()'s digit limit (huge_ints)
        if too_large is None:
            raise
        raise too_large from exc
    if isinstance(data, dict | list):
        _depth_check(data)
    if not keep_lone_surrogates and SURROGATE_ESCAPE.search(text):
        data = lone_surrogates_replace(data)  # "\ud800" is no character (a 500 on the page)
    return data


def _int_limit_error(exc: ValueError) -> JsonNumberTooLarge | None:
    """Python's int() refusing an integer over its digit limit (4,300 digits), as the refusal
    this module says it with; None for any other ValueError."""
    if "integer string conversion" not in str(exc):
        return None
    return JsonNumberTooLarge("", sys.get_int_max_str_digits())


class JsonFileRefused(ValueError):
    """A model's JSON file that cannot be used, in words naming the file (each caller raises
    its own error with them)."""


def json_file_loads(name: str, raw: bytes, loads: Callable[[str], Any]) -> tuple[Any, str | None]:
    """A model's JSON file (``name``, its bytes ``raw``) decoded as the Hub's and an upload's
    files are (axes.textfile: a byte-order mark names UTF-8, UTF-16 or UTF-32) and parsed by
    the caller's ``loads``: ``manage.py analyze`` reads with ``model_json_loads``, the profiler
    with ``json.loads`` as transformers does (NaN and Infinity are numbers to the model).
    Returns the data and the note on unreadable bytes (None when every byte read), which the
    caller keeps beside its own notes. ``JsonFileRefused`` says why the file is unusable:
    unreadable bytes when the JSON then does not parse (the likelier reason), nesting too deep,
    a number too large. A ``json.JSONDecodeError`` of text that decoded cleanly is raised as it
    is, for the caller to word (line and column, or the whole path)."""
    text, problem = text_decode(raw)
    try:
        data = loads(text)
    except json.JSONDecodeError as exc:
        if problem is not None:
            raise JsonFileRefused(decode_note(name, problem)) from exc
        raise
    except (RecursionError, JsonTooDeep) as exc:  # 100,000 nested brackets
        raise JsonFileRefused(f"{name} is nested too deeply to be a model file") from exc
    except ValueError as exc:  # 1e400, or an integer over Python's digit limit (4,300 digits)
        if not isinstance(exc, JsonNumberTooLarge):
            exc = _int_limit_error(exc) or exc  # json.loads's int()
        raise JsonFileRefused(f"{name} is not usable JSON: {exc}") from exc
    return data, None if problem is None else decode_note(name, problem)


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
