"""A loopback Hugging Face Hub for tests: the real ``huggingface_hub`` client talks to it.

It serves repos read from ``/work/shared/hub`` (folder ``org--name`` -> repo ``org/name``) and
repos a test builds (with tiny real safetensors files), on the routes the installed client
calls (read from huggingface_hub 2.4's ``hf_api.py`` / ``file_download.py`` / ``utils/_http.py``):

- ``GET /api/models/{repo_id}`` and ``/api/models/{repo_id}/revision/{rev}`` (``?expand=...``)
- ``GET /api/models/{repo_id}/tree/{rev}``
- ``HEAD``/``GET /{repo_id}/resolve/{rev}/{path}`` with ``X-Repo-Commit``, ``ETag``,
  ``Content-Length`` and ``Range`` -> ``206`` + ``Content-Range``
- errors as the Hub sends them: ``X-Error-Code`` RepoNotFound / RevisionNotFound /
  EntryNotFound / GatedRepo (401 without a token, 403 with a token that is not allowed)

Faults a test switches on: ``429`` with RateLimit headers (or Retry-After), ``500``/``503``,
a stalled response, ``401``/``403``, a dropped connection, and a slow one (``slow``: the body
sent at ``bytes_per_s``, as a large shard comes over a real link; ``body_bytes`` counts what was
written before the client went away; with ``hold``, an Event, the body stops after its first
slice until the test sets it). Every request is recorded.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

SKIP_SHARED_FILES = {"SOURCE.txt"}


def _sha1(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def commit_sha(files: dict[str, bytes], parent: str = "") -> str:
    digest = hashlib.sha1(parent.encode())
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + _sha1(files[name]).encode())
    return digest.hexdigest()


def safetensors_bytes(tensors: dict[str, tuple[str, tuple[int, ...]]]) -> bytes:
    """A real safetensors file (``safetensors.numpy.save``) of zero tensors."""
    import numpy as np
    from safetensors.numpy import save

    np_dtypes = {"F32": np.float32, "F16": np.float16, "I64": np.int64, "I8": np.int8}
    arrays = {name: np.zeros(shape, dtype=np_dtypes[dt]) for name, (dt, shape) in tensors.items()}
    return save(arrays, metadata={"format": "pt"})


def _safetensors_counts(files: dict[str, bytes]) -> dict[str, Any] | None:
    """What the Hub reports as ``safetensors``: parameter counts by dtype, and the total."""
    import struct

    params: dict[str, int] = {}
    for name, data in files.items():
        if not name.endswith(".safetensors") or len(data) < 8:
            continue
        (n,) = struct.unpack("<Q", data[:8])
        try:
            header = json.loads(data[8 : 8 + n])
            found: dict[str, int] = {}
            for key, info in header.items():
                if key == "__metadata__":
                    continue
                count = 1
                for dim in info["shape"]:
                    count *= int(dim)
                found[info["dtype"]] = found.get(info["dtype"], 0) + count
        except (ValueError, TypeError, KeyError, AttributeError):
            continue  # a deliberately broken file: the Hub just reports no counts for it
        for dtype, count in found.items():
            params[dtype] = params.get(dtype, 0) + count
    if not params:
        return None
    return {"parameters": params, "total": sum(params.values())}


def _card_data(readme: bytes | None) -> dict[str, Any] | None:
    if not readme:
        return None
    import yaml

    text = readme.decode("utf-8", errors="replace")
    match = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    if not match:
        return None
    try:
        data = yaml.safe_load(match.group(1))
    except (yaml.YAMLError, RecursionError):  # a card nested thousands deep: no cardData
        return None
    return data if isinstance(data, dict) else None


@dataclass
class FakeRepo:
    repo_id: str
    commits: dict[str, dict[str, bytes]] = field(default_factory=dict)  # sha -> files
    refs: dict[str, str] = field(default_factory=dict)  # branch/tag -> sha
    gated: bool = False
    pipeline_tag: str | None = "text-generation"
    library_name: str | None = "transformers"
    tags: list[str] = field(default_factory=lambda: ["transformers", "safetensors"])
    base_models: dict[str, Any] | None = None

    def resolve(self, rev: str) -> tuple[str, dict[str, bytes]] | None:
        sha = self.refs.get(rev, rev)
        files = self.commits.get(sha)
        return (sha, files) if files is not None else None


@dataclass
class Fault:
    kind: str  # "429", "429-retry-after", "500", "503", "stall", "401", "403", "drop", "slow"
    path_contains: str = ""
    times: int | None = 1  # None: every matching request
    wait_s: int = 1  # for 429: the RateLimit ``t`` / Retry-After seconds
    retry_after: str | None = None  # for 429-retry-after: the header as written (an HTTP date)
    stall_s: float = 30.0
    bytes_per_s: int = 4 * 1024 * 1024  # for slow: the body's pace
    hold: threading.Event | None = None  # for slow: the rest of the body waits until it is set


@dataclass
class RequestRecord:
    method: str
    path: str
    headers: dict[str, str]
    status: int = 0
    body_bytes: int = 0


class LoopbackHub:
    def __init__(self, shared_dir: Path | None = None) -> None:
        self.shared_dir = shared_dir
        self.repos: dict[str, FakeRepo] = {}
        self.faults: list[Fault] = []
        self.requests: list[RequestRecord] = []
        self.valid_tokens: set[str] = {"hf_test_allowed"}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> LoopbackHub:
        hub = self

        class Handler(_Handler):
            server_hub = hub

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def reset(self) -> None:
        """Forget test repos, faults and the request log; let stalled handlers go."""
        self._stop.set()
        with self._lock:
            self.repos.clear()
            self.faults.clear()
            self.requests.clear()
        self._stop = threading.Event()

    # -- repos -----------------------------------------------------------------------------
    def add_repo(
        self, repo_id: str, files: dict[str, bytes | str], *, gated: bool = False, **kw: Any
    ) -> FakeRepo:
        blobs = {k: v.encode() if isinstance(v, str) else v for k, v in files.items()}
        sha = commit_sha(blobs)
        repo = FakeRepo(repo_id=repo_id, commits={sha: blobs}, refs={"main": sha}, gated=gated)
        for key, value in kw.items():
            setattr(repo, key, value)
        with self._lock:
            self.repos[repo_id] = repo
        return repo

    def commit(self, repo_id: str, files: dict[str, bytes | str], *, branch: str = "main") -> str:
        """Push a new commit on ``branch``: the previous files updated with ``files``."""
        repo = self.repo(repo_id)
        assert repo is not None, repo_id
        parent = repo.refs[branch]
        blobs = dict(repo.commits[parent])
        blobs.update({k: v.encode() if isinstance(v, str) else v for k, v in files.items()})
        sha = commit_sha(blobs, parent)
        with self._lock:
            repo.commits[sha] = blobs
            repo.refs[branch] = sha
        return sha

    def repo(self, repo_id: str) -> FakeRepo | None:
        with self._lock:
            if repo_id in self.repos:
                return self.repos[repo_id]
        if self.shared_dir is None or "/" not in repo_id:
            return None
        folder = self.shared_dir / repo_id.replace("/", "--", 1)
        if not folder.is_dir() or ".." in repo_id:
            return None
        files = {
            p.name: p.read_bytes()
            for p in sorted(folder.iterdir())
            if p.is_file() and p.name not in SKIP_SHARED_FILES
        }
        repo = FakeRepo(repo_id=repo_id)
        sha = commit_sha(files)
        repo.commits[sha] = files
        repo.refs["main"] = sha
        with self._lock:
            self.repos.setdefault(repo_id, repo)
            return self.repos[repo_id]

    # -- faults and log --------------------------------------------------------------------
    def fault(self, kind: str, path_contains: str = "", times: int | None = 1, **kw: Any) -> Fault:
        f = Fault(kind=kind, path_contains=path_contains, times=times, **kw)
        with self._lock:
            self.faults.append(f)
        return f

    def take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for f in self.faults:
                if f.path_contains in path and (f.times is None or f.times > 0):
                    if f.times is not None:
                        f.times -= 1
                    return f
        return None

    def record(self, rec: RequestRecord) -> None:
        with self._lock:
            self.requests.append(rec)

    def paths(self, contains: str = "") -> list[str]:
        with self._lock:
            return [r.path for r in self.requests if contains in r.path]


class _Handler(BaseHTTPRequestHandler):
    server_hub: LoopbackHub
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    # -- plumbing --------------------------------------------------------------------------
    def _send(
        self,
        status: int,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        *,
        head: bool = False,
        content_length: int | None = None,
    ) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header(
            "Content-Length", str(len(body) if content_length is None else content_length)
        )
        self.end_headers()
        self._rec.status = status
        if head or not body:
            return
        slow = self._slow
        if slow is None:
            self.wfile.write(body)
            self._rec.body_bytes = len(body)
            return
        # A slow link: a slice every 1/16 s; stops when the client hangs up (or the hub stops)
        step = max(1, slow.bytes_per_s // 16)
        for start in range(0, len(body), step):
            try:
                self.wfile.write(body[start : start + step])
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True
                return
            self._rec.body_bytes = min(len(body), start + step)
            while slow.hold is not None and not slow.hold.is_set():
                if self.server_hub._stop.wait(1 / 16):
                    self.close_connection = True
                    return
            if self.server_hub._stop.wait(1 / 16):
                self.close_connection = True
                return

    def _error(self, status: int, code: str | None, message: str, *, head: bool = False) -> None:
        headers = {"Content-Type": "application/json"}
        if code:
            headers["X-Error-Code"] = code
        headers["X-Error-Message"] = message
        self._send(status, json.dumps({"error": message}).encode(), headers, head=head)

    def _authorized(self) -> bool | None:
        auth = self.headers.get("Authorization", "")
        if not auth:
            return None
        token = auth.removeprefix("Bearer ").strip()
        return token in self.server_hub.valid_tokens

    # -- entry points ----------------------------------------------------------------------
    def do_GET(self) -> None:
        self._dispatch(head=False)

    def do_HEAD(self) -> None:
        self._dispatch(head=True)

    def _dispatch(self, *, head: bool) -> None:
        hub = self.server_hub
        self._rec = RequestRecord(
            method=self.command, path=self.path, headers={k: v for k, v in self.headers.items()}
        )
        hub.record(self._rec)
        self._slow: Fault | None = None
        fault = hub.take_fault(self.path)
        if fault is not None and self._apply_fault(fault, head=head):
            return
        split = urlsplit(self.path)
        path, query = split.path, parse_qs(split.query)
        if path.startswith("/api/models/"):
            self._api_models(path[len("/api/models/") :], query, head=head)
        elif "/resolve/" in path:
            self._resolve(path, head=head)
        else:
            self._error(404, None, "Not Found", head=head)

    def _apply_fault(self, fault: Fault, *, head: bool) -> bool:
        kind = fault.kind
        if kind == "slow":  # served, slowly (see _send)
            self._slow = fault
            return False
        if kind == "stall":
            self.server_hub._stop.wait(fault.stall_s)
            self.close_connection = True
            return True
        if kind == "drop":
            self.close_connection = True
            return True
        if kind == "429":
            headers = {
                "RateLimit": f'"api";r=0;t={fault.wait_s}',
                "RateLimit-Policy": '"fixed window";"api";q=500;w=300',
                "Content-Type": "application/json",
            }
            self._send(429, b'{"error":"rate limited"}', headers, head=head)
            return True
        if kind == "429-retry-after":
            retry_after = fault.retry_after or str(fault.wait_s)
            headers = {"Retry-After": retry_after, "Content-Type": "application/json"}
            self._send(429, b'{"error":"rate limited"}', headers, head=head)
            return True
        if kind in ("500", "502", "503"):
            self._error(int(kind), None, "Internal Error", head=head)
            return True
        if kind in ("401", "403"):
            self._error(int(kind), "GatedRepo", "Access to this model is restricted.", head=head)
            return True
        raise AssertionError(f"unknown fault {kind}")

    # -- routes ----------------------------------------------------------------------------
    def _split_repo(self, rest: str, marker: str) -> tuple[str, str | None, str]:
        """'org/name/<marker>/<rev>/<tail>' -> (repo_id, rev, tail)."""
        if f"/{marker}/" in f"/{rest}":
            before, after = f"/{rest}".split(f"/{marker}/", 1)
            rev, _, tail = after.partition("/")
            return before.lstrip("/"), unquote(rev), unquote(tail)
        return rest.strip("/"), None, ""

    def _api_models(self, rest: str, query: dict[str, list[str]], *, head: bool) -> None:
        hub = self.server_hub
        if "/tree/" in f"/{rest}":
            repo_id, rev, _ = self._split_repo(rest, "tree")
            kind = "tree"
        else:
            repo_id, rev, _ = self._split_repo(rest, "revision")
            kind = "info"
        repo = hub.repo(unquote(repo_id))
        if repo is None:
            self._error(404, "RepoNotFound", "Repository not found", head=head)
            return
        resolved = repo.resolve(rev or "main")
        if resolved is None:
            self._error(404, "RevisionNotFound", f"Invalid rev id: {rev}", head=head)
            return
        sha, files = resolved
        if kind == "tree":
            body = [
                {"type": "file", "oid": _sha1(data), "size": len(data), "path": name}
                for name, data in sorted(files.items())
            ]
            self._send(200, json.dumps(body).encode(), {"Content-Type": "application/json"})
            return
        config = {}
        if "config.json" in files:
            try:
                full = json.loads(files["config.json"])
                config = {k: full[k] for k in ("architectures", "model_type") if k in full}
            except json.JSONDecodeError:
                config = {}
        info: dict[str, Any] = {
            "_id": _sha1(repo.repo_id.encode())[:24],
            "id": repo.repo_id,
            "modelId": repo.repo_id,
            "author": repo.repo_id.split("/")[0],
            "sha": sha,
            "lastModified": datetime(2025, 1, 1, tzinfo=UTC).isoformat().replace("+00:00", "Z"),
            "private": False,
            "gated": "manual" if repo.gated else False,
            "disabled": False,
            "tags": repo.tags,
            "pipeline_tag": repo.pipeline_tag,
            "library_name": repo.library_name,
            "cardData": _card_data(files.get("README.md")),
            "config": config,
            "safetensors": _safetensors_counts(files),
            "baseModels": repo.base_models,
            "siblings": [{"rfilename": name} for name in sorted(files)],
        }
        expand = query.get("expand") or query.get("expand[]")
        if expand:
            info = {k: v for k, v in info.items() if k in set(expand) | {"_id", "id"}}
        info = {k: v for k, v in info.items() if v is not None}
        self._send(200, json.dumps(info).encode(), {"Content-Type": "application/json"}, head=head)

    def _resolve(self, path: str, *, head: bool) -> None:
        hub = self.server_hub
        repo_id, rev, filename = self._split_repo(path.lstrip("/"), "resolve")
        repo = hub.repo(unquote(repo_id))
        if repo is None:
            self._error(404, "RepoNotFound", "Repository not found", head=head)
            return
        if repo.gated:
            allowed = self._authorized()
            if allowed is None:
                self._error(401, "GatedRepo", "Access to this model is restricted.", head=head)
                return
            if allowed is False:
                self._error(403, "GatedRepo", "Your token is not allowed.", head=head)
                return
        resolved = repo.resolve(rev or "main")
        if resolved is None:
            self._error(404, "RevisionNotFound", f"Invalid rev id: {rev}", head=head)
            return
        sha, files = resolved
        if filename not in files:
            self._error(404, "EntryNotFound", f"{filename} does not exist", head=head)
            return
        data = files[filename]
        headers = {
            "X-Repo-Commit": sha,
            "ETag": f'"{_sha1(data)}"',
            "Accept-Ranges": "bytes",
            "Content-Type": "application/octet-stream",
        }
        range_header = self.headers.get("Range")
        if range_header:
            match = re.fullmatch(r"bytes=(\d+)-(\d*)", range_header.strip())
            if not match:
                self._error(416, None, "Bad range", head=head)
                return
            start = int(match.group(1))
            end = int(match.group(2)) if match.group(2) else len(data) - 1
            end = min(end, len(data) - 1)
            if start >= len(data) and len(data) > 0:
                headers["Content-Range"] = f"bytes */{len(data)}"
                self._send(416, b"", headers, head=head)
                return
            body = data[start : end + 1]
            headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
            self._send(206, body, headers, head=head)
            return
        self._send(200, data, headers, head=head, content_length=len(data))


def free_port_url() -> str:
    """A loopback URL on which nothing listens (for the "Hub unreachable" case)."""
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    time.sleep(0.01)
    return f"http://127.0.0.1:{port}"
