"""The bytes of a model repo's text file (a card, a config, a chat template) as text, the same
way wherever they come from: the Hub, an upload through the page, a local folder.

- A byte-order mark names the encoding and is no part of the text: UTF-8 (Windows editors
  write one), UTF-16 and UTF-32 (Notepad's "Unicode", PowerShell's ``>``).
- Without one the text is UTF-8, as the Hub serves it and transformers reads it.
- Bytes that cannot be read in that encoding (a card saved as Latin-1 or Windows-1252) are
  kept as U+FFFD, and the problem is returned so the caller can say which byte, where: the
  rest of the file is still read, whether it was fetched or uploaded. (An upload refused such a
  card while the Hub's copy was read with the bytes replaced and nothing said.)

Pure: no Django.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import Any

# Longest first: UTF-32 LE's mark starts with UTF-16 LE's.
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)


@dataclass(frozen=True)
class DecodeProblem:
    """The first byte that could not be read: ``position`` counts from the file's start."""

    encoding: str  # "UTF-8", "UTF-16", "UTF-32": what the file was read as
    position: int
    byte: int


def text_decode(raw: bytes, *, cut: bool = False) -> tuple[str, DecodeProblem | None]:
    """``raw`` as text, and the first byte it could not read (None when all were read).
    ``cut``: ``raw`` is the start of a longer file, so a character split at its end is
    dropped, not a problem."""
    codec, label, skip = "utf-8", "UTF-8", 0
    for mark, name, said in _BOMS:
        if raw.startswith(mark):
            codec, label, skip = name, said, len(mark)
            break
    body = raw[skip:]
    decoder = codecs.getincrementaldecoder(codec)("strict")
    try:
        return decoder.decode(body, final=not cut), None
    except UnicodeDecodeError as exc:
        problem = DecodeProblem(label, skip + exc.start, body[exc.start])
    text = codecs.getincrementaldecoder(codec)("replace").decode(body, final=not cut)
    return text, problem


def decode_note(name: str, problem: DecodeProblem) -> str:
    """The note for a file whose unreadable bytes are shown as U+FFFD (catalog/notes_l10n.py
    repeats it, to show it in the page's language)."""
    return (
        f"{name} is not all {problem.encoding} text: byte 0x{problem.byte:02X} at position "
        f"{problem.position:,} and any other unreadable bytes are shown as \ufffd; save the file "
        f"as UTF-8 to read them"
    )


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def lone_surrogates_replace(data: Any) -> Any:
    """``data`` (parsed JSON or YAML: dicts, lists, strings, numbers) with every lone surrogate
    in its strings and keys as U+FFFD. JSON's ``"\\ud800"`` and YAML's ``"\\udc00"`` escapes
    parse to one, which is no character: UTF-8 cannot hold it, and a model page or comparison
    showing one was a 500. (Pairs that make a character are joined by the parsers.) Nesting is
    bounded by the parsers' own limits (JSON_MAX_DEPTH, CARD_YAML_MAX_DEPTH)."""
    if isinstance(data, str):
        return _LONE_SURROGATE.sub("\ufffd", data)
    if isinstance(data, dict):
        return {lone_surrogates_replace(k): lone_surrogates_replace(v) for k, v in data.items()}
    if isinstance(data, list):
        return [lone_surrogates_replace(v) for v in data]
    return data


def lone_surrogate_find(data: Any) -> tuple[list[str | int], bool] | None:
    """Where the first lone surrogate in ``data`` (parsed JSON) is, in document order: the keys
    and indexes down to the string that holds it, and whether that string is a key (the path's
    last item) rather than a value. None when there is none. For a request, which must say
    where (a ``rows`` value holding one was stored, and every page showing it was a 500)."""
    if isinstance(data, str):
        return ([], False) if _LONE_SURROGATE.search(data) else None
    if isinstance(data, dict):
        for key, value in data.items():
            if _LONE_SURROGATE.search(key):
                return [key], True
            found = lone_surrogate_find(value)
            if found is not None:
                return [key, *found[0]], found[1]
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found = lone_surrogate_find(value)
            if found is not None:
                return [index, *found[0]], found[1]
    return None
