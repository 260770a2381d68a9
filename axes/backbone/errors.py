"""Typed errors of the backbone engine. Messages are shown to users: say what to do next."""

from __future__ import annotations


class BackboneError(ValueError):
    """Base class: anything the engine refuses to analyze."""


class ConfigError(BackboneError):
    """config.json is missing a key the engine cannot do without, or holds a wrong type.

    ``key`` is the config key path (``text_config.hidden_size``) so the UI can point at it.
    """

    def __init__(self, message: str, *, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key
