"""Typed measurement failures. Each carries a short ``code`` and a message a user can act on."""

from __future__ import annotations


class ProfilerError(Exception):
    """A measurement that cannot run; ``str(error)`` is the user-facing message."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class OutOfMemory(ProfilerError):
    code = "out_of_memory"


class ArchitectureNotSupported(ProfilerError):
    code = "architecture_not_supported"


class PickleCheckpointRefused(ProfilerError):
    code = "pickle_refused"


class RemoteCodeRefused(ProfilerError):
    code = "remote_code_refused"


class UnsafeCheckpointPath(ProfilerError):
    code = "unsafe_path"


class InvalidRequest(ProfilerError):
    code = "invalid_request"


class DeviceUnavailable(ProfilerError):
    code = "device_unavailable"


ERROR_TYPES: dict[str, type[ProfilerError]] = {
    cls.code: cls
    for cls in (
        ProfilerError,
        OutOfMemory,
        ArchitectureNotSupported,
        PickleCheckpointRefused,
        RemoteCodeRefused,
        UnsafeCheckpointPath,
        InvalidRequest,
        DeviceUnavailable,
    )
}


def error_from_dict(data: dict[str, str]) -> ProfilerError:
    cls = ERROR_TYPES.get(data.get("code", ""), ProfilerError)
    return cls(data.get("message", "the measurement failed"))
