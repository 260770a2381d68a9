"""The only module that imports ``huggingface_hub``.

Every call passes the endpoint, the token and the timeout from settings explicitly (never from
import-time environment), retries what is worth retrying (429 after the wait the Hub asks for,
5xx and timeouts with exponential backoff) and turns every failure into a ``HubError`` subclass
whose message a user can act on. Only metadata and small text files are fetched: safetensors
*headers* through HTTP range requests, never weights.
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Self, TypeVar

import httpx2
from django.conf import settings
from huggingface_hub import HfApi, hf_hub_url
from huggingface_hub.errors import (
    GatedRepoError,
    HfHubHTTPError,
    OfflineModeIsEnabled,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
    SafetensorsParsingError,
)
from huggingface_hub.hf_api import ExpandModelProperty_T
from huggingface_hub.utils import get_session, hf_raise_for_status, parse_ratelimit_headers

from axes.textfile import lone_surrogates_replace

from .artifact_text import (
    KNOWN_FILES,
    ArtifactInvalid,
    FileText,
    file_text_build,
    safetensors_header_check,
)
from .error_detail import CATALOG_DETAILS, Detail, detail, detail_render
from .ids import _

logger = logging.getLogger(__name__)
T = TypeVar("T")
MODEL_INFORMATION = "the model information"  # what ``_call`` reads, when it is not a file

# The model_info fields we ask for, kept to those the installed client knows (``expand`` values
# it does not list would be rejected by the Hub with a 400).
WANTED_EXPAND = (
    "sha",
    "safetensors",
    "cardData",
    "config",
    "gated",
    "private",
    "tags",
    "pipeline_tag",
    "library_name",
    "baseModels",
    "siblings",
    "lastModified",
)
SUPPORTED_EXPAND: tuple[str, ...] = tuple(
    name for name in WANTED_EXPAND if name in typing.get_args(ExpandModelProperty_T)
)


# ---------------------------------------------------------------------------------------------
# Errors: one class per thing the user can do something about.


class HubError(Exception):
    """A Hub failure with a message for the user; ``code`` is stable for the UI and tests.
    ``detail`` (``catalog.error_detail``) is the message's key and parameters, for a page that
    shows it later in its own language."""

    code = "hub_error"

    def __init__(self, message: str, *, detail: Detail | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    @classmethod
    def of(cls, key: str, **params: Any) -> Self:
        """The error for the template ``key`` (CATALOG_DETAILS), its message written in the
        active language."""
        found = detail(key, **params)
        message = detail_render(found, CATALOG_DETAILS)
        if message is None:  # a programming error: the template and its parameters disagree
            raise ValueError(f"cannot render {found!r}")
        return cls(message, detail=found)


class RepoNotFound(HubError):
    code = "repo_not_found"


class GatedRepo(HubError):
    code = "gated_repo"


class RevisionNotFound(HubError):
    code = "revision_not_found"


class RateLimited(HubError):
    code = "rate_limited"


class HubServerError(HubError):
    code = "server_error"


class HubTimeout(HubError):
    code = "timeout"


class HubUnreachable(HubError):
    code = "unreachable"


def _offline_hint() -> str:
    return _(
        "Browse the models already in the catalog (the list on the home page), or upload the "
        "model's config.json under “Upload a config.json”."
    )


def command_line_message(exc: Exception) -> str:
    """An ingestion error for a terminal: the page's way out (the home page's list, the upload
    form) becomes the command line's (load_demo, ingest --dir); no class names."""
    message = str(exc)
    cli = _(  # in the language of the message it completes (the terminal's: manage.py)
        "From the command line: `python manage.py load_demo` loads the bundled demo catalog; "
        "`python manage.py ingest --dir PATH` reads a local folder."
    )
    page = _offline_hint()
    if page in message:
        return message.replace(page, cli)
    if getattr(exc, "code", "") in ("unreachable", "timeout"):
        return f"{message} {cli}"
    return message


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def _api() -> HfApi:
    # token=False stops the client from reading a token saved on this machine: only
    # settings.HF_TOKEN is ever sent.
    return HfApi(endpoint=settings.HF_ENDPOINT, token=settings.HF_TOKEN or False)


def _token() -> str | bool:
    return settings.HF_TOKEN or False


def _page_url(repo_id: str) -> str:
    return f"{settings.HF_ENDPOINT}/{repo_id}"


def _retry_wait_s(response: httpx2.Response | None) -> float | None:
    """Seconds the Hub asks us to wait: the RateLimit header's ``t``, else ``Retry-After``
    (seconds, or an HTTP date)."""
    if response is None:
        return None
    info = parse_ratelimit_headers(response.headers)
    if info is not None:
        return float(info.reset_in_seconds)
    raw = (response.headers.get("Retry-After") or "").strip()
    if raw.isdigit():
        return float(raw)
    if raw:  # an HTTP date (RFC 9110 allows either): it was read as no wait at all
        try:
            until = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, OverflowError):  # OverflowError: a year past 9999
            return None
        if until.tzinfo is None:
            until = until.replace(tzinfo=UTC)
        return max(0.0, (until - datetime.now(UTC)).total_seconds())
    return None


# Who is told when a call waits out a 429 (seconds), and when the wait is over: an ingest job's
# row, so that its page says why nothing moves instead of "Reading the model information" for a
# minute or more, and goes back to what it was doing once the call is retried.
_rate_limit_wait: ContextVar[tuple[Callable[[float], None], Callable[[], None] | None] | None] = (
    ContextVar("hub_rate_limit_wait", default=None)
)


@contextmanager
def rate_limit_waits_told(
    callback: Callable[[float], None], done: Callable[[], None] | None = None
) -> Iterator[None]:
    """Within the block, ``callback(seconds)`` before each wait the Hub's 429 asks for, and
    ``done()`` when that wait is over, before the call is tried again."""
    token = _rate_limit_wait.set((callback, done))
    try:
        yield
    finally:
        _rate_limit_wait.reset(token)


def _call(what: str, repo_id: str, revision: str | None, fn: Callable[[], T]) -> T:
    """Run ``fn`` with retries, mapping every client failure to a ``HubError``."""
    # what was being read: a file name, or the model information (said in the page's language)
    what_param: Any = detail("hub.model_information") if what == MODEL_INFORMATION else what
    max_retries = int(_setting("HF_MAX_RETRIES", 3))
    backoff_s = float(_setting("HF_BACKOFF_BASE_S", 1.0))
    max_wait_s = float(_setting("HF_RATELIMIT_MAX_WAIT_S", 60.0))
    rev = revision or "main"
    attempt = 0
    while True:
        try:
            return fn()
        except RemoteEntryNotFoundError:
            raise  # a missing optional file: the caller decides
        except GatedRepoError as exc:
            raise GatedRepo.of("hub.gated", id=repo_id, url=_page_url(repo_id)) from exc
        except RevisionNotFoundError as exc:
            raise RevisionNotFound.of(
                "hub.revision_not_found", id=repo_id, rev=rev, url=_page_url(repo_id)
            ) from exc
        except RepositoryNotFoundError as exc:
            raise RepoNotFound.of("hub.repo_not_found", id=repo_id) from exc
        except HfHubHTTPError as exc:
            status = exc.response.status_code if exc.response is not None else None
            if status in (401, 403):
                raise GatedRepo.of(
                    "hub.access_refused", id=repo_id, status=status, url=_page_url(repo_id)
                ) from exc
            if status == 429:
                wait_s = _retry_wait_s(exc.response)
                if attempt < max_retries and (wait_s is None or wait_s <= max_wait_s):
                    sleep_s = wait_s if wait_s is not None else backoff_s * 2**attempt
                    logger.warning("Hub rate limit on %s; waiting %.1fs", what, sleep_s)
                    told = _rate_limit_wait.get()
                    if told is not None:
                        told[0](sleep_s)
                    attempt += 1
                    time.sleep(sleep_s)
                    if told is not None and told[1] is not None:
                        told[1]()
                    continue
                after = (
                    detail("hub.try_again_in", s=int(wait_s))
                    if wait_s is not None
                    else detail("hub.try_again_in_a_minute")
                )
                raise RateLimited.of(
                    "hub.rate_limited", what=what_param, id=repo_id, n=attempt, after=after
                ) from exc
            if status is not None and status >= 500:
                if attempt < max_retries:
                    time.sleep(backoff_s * 2**attempt)
                    attempt += 1
                    continue
                raise HubServerError.of(
                    "hub.server_error", status=status, what=what_param, id=repo_id, n=attempt + 1
                ) from exc
            raise HubError.of(
                "hub.http_refused", what=what_param, id=repo_id, status=status
            ) from exc
        except httpx2.TimeoutException as exc:
            if attempt < max_retries:
                time.sleep(backoff_s * 2**attempt)
                attempt += 1
                continue
            raise HubTimeout.of(
                "hub.timeout", s=settings.HF_TIMEOUT_S, what=what_param, id=repo_id, n=attempt + 1
            ) from exc
        except (httpx2.ConnectError, httpx2.NetworkError, OfflineModeIsEnabled) as exc:
            raise HubUnreachable.of("hub.unreachable", url=settings.HF_ENDPOINT) from exc
        except (httpx2.RemoteProtocolError, httpx2.TransportError) as exc:
            if attempt < max_retries:
                time.sleep(backoff_s * 2**attempt)
                attempt += 1
                continue
            raise HubServerError.of(
                "hub.connection_broke", what=what_param, id=repo_id, error=str(exc)
            ) from exc


# ---------------------------------------------------------------------------------------------
# model_info


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "to_dict"):
        return _jsonable(value.to_dict())
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def hub_model_info(*, repo_id: str, revision: str | None = None) -> dict[str, Any]:
    """The model_info subset we store, with ``sha`` resolved for ``revision`` (default main)."""

    def fetch() -> Any:
        return _api().model_info(
            repo_id,
            revision=revision,
            expand=list(SUPPORTED_EXPAND),  # type: ignore[arg-type]
            timeout=settings.HF_TIMEOUT_S,
        )

    info = _call(MODEL_INFORMATION, repo_id, revision, fetch)
    safetensors = getattr(info, "safetensors", None)
    siblings = getattr(info, "siblings", None)
    out: dict[str, Any] = {
        "id": info.id,
        "sha": info.sha,
        "gated": _jsonable(getattr(info, "gated", None)),
        "private": getattr(info, "private", None),
        "tags": list(getattr(info, "tags", None) or []),
        "pipeline_tag": getattr(info, "pipeline_tag", None),
        "library_name": getattr(info, "library_name", None),
        "base_models": _jsonable(getattr(info, "base_models", None)),
        "card_data": _jsonable(getattr(info, "card_data", None)),
        "config": _jsonable(getattr(info, "config", None)),
        "last_modified": _jsonable(getattr(info, "last_modified", None)),
        "safetensors": (
            {"parameters": dict(safetensors.parameters), "total": int(safetensors.total)}
            if safetensors
            else None
        ),
        "siblings": [s.rfilename for s in siblings] if siblings is not None else None,
    }
    if not out["sha"]:
        raise HubError.of("hub.no_sha", id=repo_id)
    # a "\ud800" escape in the Hub's JSON (a tag, the card's metadata) is no character: a page
    # showing it was a 500
    return lone_surrogates_replace(out)


# ---------------------------------------------------------------------------------------------
# Files


def hub_file_fetch(
    *, repo_id: str, sha: str, filename: str, limit_bytes: int | None = None
) -> FileText | None:
    """One small file pinned to ``sha``; ``None`` when the repo has no such file.

    At most ``limit_bytes`` (default: the file's limit in ``KNOWN_FILES``) are transferred: a
    range request, and the body is read as a stream and cut there even if the server ignores
    the range.
    """
    limit = limit_bytes if limit_bytes is not None else KNOWN_FILES.get(filename, ("", 1 << 20))[1]
    url = hf_hub_url(repo_id, filename, revision=sha, endpoint=settings.HF_ENDPOINT)
    headers = {"Accept-Encoding": "identity", "Range": f"bytes=0-{limit}"}
    if settings.HF_TOKEN:
        headers["Authorization"] = f"Bearer {settings.HF_TOKEN}"

    def fetch() -> tuple[bytes, int | None]:
        with get_session().stream(
            "GET", url, headers=headers, timeout=settings.HF_TIMEOUT_S
        ) as response:
            if response.status_code >= 400:
                response.read()
                hf_raise_for_status(response)
            chunks: list[bytes] = []
            received = 0
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                received += len(chunk)
                if received > limit:
                    break
            size = _total_size(response)
            return b"".join(chunks), size

    try:
        raw, size = _call(filename, repo_id, sha, fetch)
    except RemoteEntryNotFoundError:
        return None
    return file_text_build(name=filename, raw=raw, size_bytes=size, limit_bytes=limit)


def _total_size(response: httpx2.Response) -> int | None:
    content_range = response.headers.get("Content-Range", "")
    if "/" in content_range:
        total = content_range.rsplit("/", 1)[1]
        if total.isdigit():
            return int(total)
    length = response.headers.get("Content-Length")
    if response.status_code == 200 and length and length.isdigit():
        return int(length)
    return None


def _call_entry(what: str, repo_id: str, sha: str, fn: Callable[[], T]) -> T | None:
    try:
        return _call(what, repo_id, sha, fn)
    except RemoteEntryNotFoundError:
        return None


def hub_safetensors_header(*, repo_id: str, sha: str, filename: str) -> dict[str, Any] | None:
    """The JSON header of one safetensors file, read by range requests (never the weights).

    Returns the header in the file's own layout (``{tensor: {dtype, shape, data_offsets}}`` plus
    ``__metadata__``), ``None`` when the file is absent. Headers over 25 MB or with absurd tensor
    counts raise ``ArtifactInvalid``.
    """

    def fetch() -> Any:
        return _api().parse_safetensors_file_metadata(
            repo_id, filename, revision=sha, token=_token(), timeout=settings.HF_TIMEOUT_S
        )

    try:
        meta = _call_entry(filename, repo_id, sha, fetch)
    except SafetensorsParsingError as exc:
        raise ArtifactInvalid(str(exc)) from exc
    except (TypeError, AttributeError) as exc:
        # the client's parser indexes the header as it expects it: a header that is a list, or
        # an entry that is a string, fails there (a note, not the whole ingest's failure)
        raise ArtifactInvalid(
            f"{filename}: the header is not an object of {{dtype, shape, data_offsets}} "
            f"entries ({exc})."
        ) from exc
    if meta is None:
        return None
    header: dict[str, Any] = {}
    if meta.metadata:
        # the client passes __metadata__ on as the file has it: anything but an object is
        # refused by the check below with a note (dict() of a list was a TypeError that
        # failed the whole ingest as an unexpected error)
        metadata = meta.metadata
        header["__metadata__"] = dict(metadata) if isinstance(metadata, dict) else metadata
    for name, info in meta.tensors.items():
        header[name] = {
            "dtype": info.dtype,
            "shape": list(info.shape),
            "data_offsets": list(info.data_offsets),
        }
    return safetensors_header_check(header, filename)


@dataclass
class HubFetch:
    """Everything read from the Hub for one revision, before anything is stored."""

    repo_id: str
    sha: str
    model_info: dict[str, Any]
    files: list[FileText]
    safetensors_headers: dict[str, dict[str, Any]]
    notes: list[str]


# ---------------------------------------------------------------------------------------------
# Weights (profiler checkpoint mode only; added by the profiler engineer)


class WeightsRefused(HubError):
    """A checkpoint Mechanic will not download: pickle-only weights, or an unsafe shard name.
    ``code`` follows the profiler's (``pickle_refused``, ``unsafe_path``)."""

    def __init__(self, message: str, *, code: str, detail: Detail | None = None) -> None:
        super().__init__(message, detail=detail)
        self.code = code

    @classmethod
    def refused(cls, key: str, *, code: str, **params: Any) -> WeightsRefused:
        """The refusal for the template ``key``, written in the active language."""
        found = HubError.of(key, **params)
        return cls(found.message, code=code, detail=found.detail)


PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle")
SAFETENSORS_INDEX = "model.safetensors.index.json"


def _weights_name_check(repo_id: str, name: object, where: str) -> str:
    """``name`` if it is a plain relative ``.safetensors`` path, else WeightsRefused."""
    from pathlib import PurePosixPath

    where_param: Any = detail("hub.the_file_list") if where == "the file list" else where
    if not isinstance(name, str) or not name:
        raise WeightsRefused.refused(
            "hub.shard_not_a_name",
            code="unsafe_path",
            id=repo_id,
            where=where_param,
            name=repr(name),
        )
    parts = PurePosixPath(name).parts
    if (
        name.startswith("/")
        or "\\" in name
        or ":" in name
        or any(p in ("", ".", "..") or p.startswith(".") for p in parts)
    ):
        raise WeightsRefused.refused(
            "hub.shard_unsafe", code="unsafe_path", id=repo_id, where=where_param, name=repr(name)
        )
    return name


def _chunk_check_bar(chunk_check: Callable[[], None]) -> type[Any]:
    """The progress bar class ``hf_hub_download`` drives (its ``tqdm_class``): its ``update``
    (one per chunk the client reads: ``DOWNLOAD_CHUNK_SIZE``, 10 MiB, in huggingface_hub 2.4's
    ``http_get``) calls ``chunk_check``. An exception it raises leaves ``http_get`` (which
    retries network errors only) and ``_download_to_tmp_and_move`` deletes the partial file.
    Only on the thread that made the bar: hf_xet (1.8) calls ``update`` from its own thread and
    logs an exception raised there ("Python exception updating progress") instead of stopping,
    so there it is not called (the check after the file stops such a download). A subclass of
    the client's own tqdm: it has every method the client calls on a bar, and is as silent as
    the client's."""
    from huggingface_hub.utils import tqdm as hf_tqdm

    class ChunkCheckBar(hf_tqdm):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self._reader = threading.get_ident()
            super().__init__(*args, **kwargs)

        def update(self, n: float | None = 1) -> bool | None:
            if threading.get_ident() == self._reader:
                chunk_check()
            return super().update(n)

    return ChunkCheckBar


def hub_download_safetensors(
    repo_id: str,
    revision: str,
    dest_dir: Any,
    *,
    stop_check: Callable[[], None] | None = None,
    chunk_check: Callable[[], None] | None = None,
) -> list[Any]:
    """Download config.json, the safetensors index and every *.safetensors shard of one
    revision into ``dest_dir``. Weights: only a GPU worker's checkpoint-mode run calls this.
    ``chunk_check`` is called between the chunks of every file (10 MiB each): it must be cheap
    (no database, no network), and may raise to stop the download (a run cancelled meanwhile),
    so a Stop takes effect within a file, not after a multi-GB shard. ``stop_check`` is called
    after every file and may raise too. Within a file only over plain HTTP: a file the Hub
    stores on Xet, downloaded through hf_xet, stops after the file (huggingface_hub has no
    way to abort it from outside), which is why the app turns Xet off by default
    (settings.PROFILER_HUB_DISABLE_XET).

    Never downloads pickle files (a repo that only has them is refused, code
    ``pickle_refused``). The index is fetched first and every shard name in it is checked (no
    absolute paths, no ``..``, and it must be a file the repo lists) before any shard path is
    built or requested; the profiler checks the index again before loading.
    """
    import json
    from pathlib import Path

    from huggingface_hub import hf_hub_download

    dest = Path(dest_dir)
    info = hub_model_info(repo_id=repo_id, revision=revision)
    siblings = [
        _weights_name_check(repo_id, n, "the file list")
        for n in info.get("siblings") or []
        if isinstance(n, str) and (n.endswith(".safetensors") or n == SAFETENSORS_INDEX)
    ]
    present = set(siblings)
    bar = _chunk_check_bar(chunk_check) if chunk_check is not None else None

    def download(name: str) -> Path:
        def fetch() -> str:
            return hf_hub_download(
                repo_id,
                name,
                revision=revision,
                local_dir=dest,
                endpoint=settings.HF_ENDPOINT,
                token=_token(),
                etag_timeout=settings.HF_TIMEOUT_S,
                tqdm_class=bar,
            )

        path = Path(_call(name, repo_id, revision, fetch))
        if stop_check is not None:
            stop_check()
        return path

    if not any(n.endswith(".safetensors") for n in present):
        pickles = [
            n for n in info.get("siblings") or [] if str(n).lower().endswith(PICKLE_SUFFIXES)
        ]
        if pickles:
            raise WeightsRefused.refused(
                "hub.pickle_only",
                code="pickle_refused",
                id=repo_id,
                rev=revision[:12],
                names=", ".join(sorted(pickles)[:3]),
            )
        raise WeightsRefused.refused(
            "hub.no_safetensors", code="pickle_refused", id=repo_id, rev=revision[:12]
        )

    paths = [download("config.json")]
    if SAFETENSORS_INDEX in present:
        index_path = download(SAFETENSORS_INDEX)
        paths.append(index_path)
        try:
            weight_map = json.loads(index_path.read_text(encoding="utf-8")).get("weight_map")
        except (ValueError, AttributeError) as exc:
            raise WeightsRefused.refused(
                "hub.index_invalid",
                code="unsafe_path",
                id=repo_id,
                index=SAFETENSORS_INDEX,
                error=str(exc),
            ) from exc
        if not isinstance(weight_map, dict) or not weight_map:
            raise WeightsRefused.refused(
                "hub.index_no_weight_map", code="unsafe_path", id=repo_id, index=SAFETENSORS_INDEX
            )
        shards = sorted(
            {_weights_name_check(repo_id, n, SAFETENSORS_INDEX) for n in weight_map.values()}
        )
        missing = [n for n in shards if n not in present]
        if missing:
            raise WeightsRefused.refused(
                "hub.shard_missing",
                code="unsafe_path",
                id=repo_id,
                index=SAFETENSORS_INDEX,
                name=repr(missing[0]),
            )
    else:
        shards = sorted(n for n in present if n.endswith(".safetensors"))
    for name in shards:
        paths.append(download(name))
    return paths
