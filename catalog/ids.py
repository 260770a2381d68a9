"""Repo-ID and revision validation, done before any request leaves the process.

What a user pastes is either a repo ID (``org/name``, or a legacy single-part ID such as
``gpt2``; ``org/name@revision`` names a revision, as ``hf://`` paths do), an ``hf://`` path
to a model (huggingface_hub's file-system form: ``hf://org/name``, ``hf://models/org/name``,
optionally ``@<revision>``; ``hf://datasets/...``, ``hf://spaces/...`` and paths to a file
are refused) or a Hub URL (``https://huggingface.co/org/name``, optionally
``/tree/<revision>`` or ``/commit/<sha>``; the Hub writes no ``@<revision>`` in a URL), on
huggingface.co or on the configured ``HF_ENDPOINT`` host. Everything else is refused with
``InvalidModelId`` whose message says what a valid ID looks like. The rules mirror the Hub's
own (``huggingface_hub.utils._validators.validate_repo_id``) but ASCII-only and stricter:
no ``--`` or ``..``, no part that starts or ends with ``.`` or ``-``, 1-96 characters a part.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

MAX_PART_CHARS = 96
MAX_REVISION_CHARS = 200
MAX_INPUT_CHARS = 500

_PART_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,96}$")
# Branch and tag names (git check-ref-format, simplified) or a commit sha. Slashes are allowed
# for names such as ``refs/pr/1``.
_REVISION_RE = re.compile(r"^[A-Za-z0-9_.\-/]{1,200}$")
_HUB_HOSTS = {"huggingface.co", "www.huggingface.co", "hf.co"}
_REFUSED_PREFIXES = {"datasets", "spaces", "buckets", "collections", "docs", "api", "models"}
# huggingface_hub's hf:// type prefixes that name no model (``hf://models/`` is a model)
_HF_PATH_NOT_MODELS = {"datasets", "spaces", "buckets", "kernels"}
# revisions an hf:// path writes with their '/' (any other '/' in a revision is %2F)
_HF_SPECIAL_REF_RE = re.compile(r"^refs/(?:convert/[\w.-]+|pr/\d+)")


def _(message: str, **params: object) -> str:
    """``message`` in the active language (Django's catalogs, ko and de), ``%(name)s`` filled
    in. Outside a configured Django (a plain script) the English text."""
    try:
        from django.utils.translation import gettext

        message = gettext(message)
    except Exception:  # settings not configured: English
        pass
    return message % params if params else message


def _valid_id_help() -> str:
    return _(
        "A valid model ID looks like 'org/name' (for example 'meta-llama/Llama-3.1-8B'): "
        "letters, digits, '-', '_' and '.', at most 96 characters on each side of the '/', or "
        "a Hub URL such as https://huggingface.co/org/name."
    )


class InvalidModelId(ValueError):
    """The text is not a Hub model ID or model URL. The message says what a valid one is."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"{reason} {_valid_id_help()}")


class InvalidRevision(InvalidModelId):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        help_text = _(
            "A revision is a branch or tag name (such as 'main' or 'refs/pr/1') or a commit "
            "sha: letters, digits, '-', '_', '.', '/', at most 200 characters."
        )
        ValueError.__init__(self, f"{reason} {help_text}")


@dataclass(frozen=True, slots=True)
class ModelRef:
    repo_id: str
    revision: str | None = None


def _check_ascii(text: str) -> None:
    if any(ch in text for ch in "\r\n\t\x00"):
        raise InvalidModelId(_("The model ID contains a line break or control character."))
    if not text.isascii():
        # named, with its code point: what a paste brings along is often invisible (a zero-width
        # space) or looks like ASCII (a non-breaking hyphen, a full-width letter)
        char = next(ch for ch in text if not ch.isascii())
        code = f"{ord(char):04X}"
        name = f" {unicodedata.name(char, '')}".rstrip()
        if not char.isprintable():
            raise InvalidModelId(
                _(
                    "The model ID contains an invisible character (U+%(code)s%(name)s): delete "
                    "it, or type the ID again.",
                    code=code,
                    name=name,
                )
            )
        raise InvalidModelId(
            _(
                "The model ID contains '%(char)s' (U+%(code)s%(name)s), which is not ASCII: "
                "type it again as a plain letter, digit, '-', '_' or '.'.",
                char=char,
                code=code,
                name=name,
            )
        )
    if not text.isprintable():
        raise InvalidModelId(_("The model ID contains control characters."))


def _invisible_or_space(ch: str) -> bool:
    return unicodedata.category(ch) == "Cf" or (ch.isspace() and ch not in "\r\n")


def _strip_invisible(text: str) -> str:
    """``text`` without the invisible format characters (Unicode category Cf: zero-width
    space, byte-order mark, direction marks) and spaces a copy from a web page or a chat
    brings at its ends; inside an ID they are still refused, by name (a line break too)."""
    start, end = 0, len(text)
    while start < end and _invisible_or_space(text[start]):
        start += 1
    while end > start and _invisible_or_space(text[end - 1]):
        end -= 1
    return text[start:end]


# quotes an ID is copied with: from code (from_pretrained("org/name")), Markdown (`org/name`),
# a chat's autocorrected quotes, an e-mail's <URL>
_QUOTE_PAIRS = {'"': '"', "'": "'", "`": "`", "<": ">", "\u201c": "\u201d", "\u2018": "\u2019"}


def _unquote(text: str) -> str:
    """``text`` without one pair of quotes around it (and the spaces inside them)."""
    if len(text) >= 2 and _QUOTE_PAIRS.get(text[0]) == text[-1]:
        inner = text[1:-1]
        if text[0] not in inner and text[-1] not in inner:  # "<script>...</script>" stays
            return inner.strip()
    return text


def _check_part(part: str) -> None:
    if not part:
        raise InvalidModelId(_("The model ID has an empty part."))
    if len(part) > MAX_PART_CHARS:
        raise InvalidModelId(
            _("'%(part)s...' is longer than %(n)s characters.", part=part[:40], n=MAX_PART_CHARS)
        )
    if not _PART_RE.match(part):
        raise InvalidModelId(
            _("'%(part)s' contains characters a Hub model ID cannot have.", part=part)
        )
    if "--" in part or ".." in part:
        raise InvalidModelId(_("'%(part)s' contains '--' or '..'.", part=part))
    if part[0] in ".-" or part[-1] in ".-":
        raise InvalidModelId(_("'%(part)s' starts or ends with '.' or '-'.", part=part))
    if part.endswith(".git"):
        raise InvalidModelId(_("'%(part)s' ends with '.git'.", part=part))


def repo_id_validate(repo_id: str) -> str:
    """Return ``repo_id`` unchanged if it is a valid Hub model ID; raise ``InvalidModelId``."""
    if not isinstance(repo_id, str) or not repo_id.strip():
        raise InvalidModelId(_("The model ID is empty."))
    if len(repo_id) > 2 * MAX_PART_CHARS + 1:
        raise InvalidModelId(_("The model ID is too long."))
    _check_ascii(repo_id)
    parts = repo_id.split("/")
    if len(parts) > 2:
        raise InvalidModelId(_("'%(id)s' has more than one '/'.", id=repo_id))
    if parts[0] in _REFUSED_PREFIXES and len(parts) == 2:
        raise InvalidModelId(_("'%(prefix)s/...' is not a model repository.", prefix=parts[0]))
    for part in parts:
        _check_part(part)
    return repo_id


def revision_validate(revision: str) -> str:
    """Return ``revision`` unchanged if it is a plausible branch, tag or sha; else raise."""
    if not isinstance(revision, str) or not revision:
        raise InvalidRevision(_("The revision is empty."))
    if len(revision) > MAX_REVISION_CHARS:
        raise InvalidRevision(_("The revision is too long."))
    if any(ch in revision for ch in "\r\n\t\x00") or not revision.isascii():
        raise InvalidRevision(_("The revision contains control or non-ASCII characters."))
    if not _REVISION_RE.match(revision):
        raise InvalidRevision(
            _("The revision '%(rev)s' contains characters it cannot have.", rev=revision)
        )
    if (
        ".." in revision
        or "//" in revision
        or revision.startswith(("/", "-", "."))
        or revision.endswith(("/", ".", ".lock"))
        or "/." in revision
    ):
        raise InvalidRevision(
            _("The revision '%(rev)s' is not a valid branch, tag or sha.", rev=revision)
        )
    return revision


def _endpoint_hosts(endpoint: str | None) -> set[str]:
    hosts = set(_HUB_HOSTS)
    if endpoint is None:
        try:
            from django.conf import settings

            endpoint = settings.HF_ENDPOINT
        except Exception:  # outside Django: only the public Hub hosts
            endpoint = None
    if endpoint:
        netloc = urlsplit(endpoint).netloc.lower()
        if netloc:
            hosts.add(netloc)
    return hosts


def _hf_path_parse(path: str) -> tuple[str, str | None]:
    """What follows ``hf://`` -> (repo ID, revision or None), as huggingface_hub's
    ``parse_hf_uri`` reads a model path: ``[models/]<id>[@<revision>]``; a revision with a
    '/' is %2F-encoded except ``refs/pr/<n>`` and ``refs/convert/<name>``."""
    first = path.split("/", 1)[0]
    if first in _HF_PATH_NOT_MODELS:
        raise InvalidModelId(
            _(
                "'hf://%(prefix)s/...' is not a model; an hf:// model path looks like "
                "hf://org/name or hf://org/name@revision.",
                prefix=first,
            )
        )
    if first == "models":
        path = path.split("/", 1)[1] if "/" in path else ""
    repo_id, at, rest = path.partition("@")
    file_path = ""
    revision: str | None = None
    if at:
        special = _HF_SPECIAL_REF_RE.match(rest)
        if special:
            revision, file_path = special.group(), rest[special.end() :].removeprefix("/")
        else:
            revision, _slash, file_path = rest.partition("/")
        revision = unquote(revision)
    elif repo_id.count("/") > 1:
        file_path = repo_id.split("/", 2)[2]
        repo_id = "/".join(repo_id.split("/", 2)[:2])
    if file_path.strip("/"):
        raise InvalidModelId(
            _(
                "The hf:// path names a file in the repository; paste the repository itself "
                "(hf://org/name or hf://org/name@revision)."
            )
        )
    if repo_id.endswith("/") and "/" in repo_id[:-1]:
        repo_id = repo_id[:-1]
    return repo_id, revision


# the Hub's SSH clone address (it read as a revision "hf.co:org/name" before)
_GIT_SSH_RE = re.compile(r"^git@(?P<host>[^:/@]+):(?P<path>[^@:]+)$", re.I)
# what follows org/name in the path of a Hub page (the URL branch says which are accepted)
_HUB_PAGE_SEGMENTS = ("tree", "blob", "resolve", "commit", "discussions", "files")


def _is_hub_page_path(raw: str) -> bool:
    """``org/name/tree/<rev>`` and the like: the path of a Hub URL without its host, read as
    that URL (it was "has more than one '/'", which did not say what to paste instead)."""
    segments = raw.split("/")
    return (
        "://" not in raw
        and len(segments) >= 4
        and segments[2] in _HUB_PAGE_SEGMENTS
        and all(segments[:2])  # x//tree/main names no repository
        and "." not in segments[0]  # gitlab.com/org/tree/main: a host (_is_host_path)
    )


def _is_host_path(raw: str) -> bool:
    """``gitlab.com/org/name`` and the like: a URL copied without its scheme, whose host is
    said to be not the Hub (a Hub organization has no '.' in its name; it was read as the
    repository "gitlab.com/org" at a revision)."""
    segments = raw.split("/")
    return "://" not in raw and len(segments) >= 3 and "." in segments[0] and "@" not in raw


def model_ref_parse(
    text: str, *, revision: str | None = None, endpoint: str | None = None
) -> ModelRef:
    """Parse what a user typed (ID or Hub URL) into a validated ``ModelRef``.

    ``revision`` given explicitly wins over one found in a ``/tree/<rev>`` URL.
    """
    if not isinstance(text, str):
        raise InvalidModelId(_("The model ID must be text."))
    if len(text) > MAX_INPUT_CHARS:
        raise InvalidModelId(_("The model ID is too long."))
    text = _unquote(_strip_invisible(text))
    _check_ascii(text.strip())  # also refuses embedded newlines before stripping
    if any(ch in text for ch in "\r\n"):
        raise InvalidModelId(_("The model ID contains a line break."))
    raw = text.strip()
    url_revision: str | None = None
    if raw[:5].lower() == "hf://":
        repo_id, url_revision = _hf_path_parse(raw[5:])
    elif (
        "://" in raw
        or raw.lower().startswith(tuple(f"{h}/" for h in _HUB_HOSTS))
        or _is_hub_page_path(raw)
        or _is_host_path(raw)
    ):
        if _is_hub_page_path(raw):  # org/name/tree/main: a Hub URL's path, copied without host
            raw = "https://huggingface.co/" + raw
        elif "://" not in raw:
            raw = "https://" + raw
        parts = urlsplit(raw)
        if parts.scheme not in ("http", "https"):
            raise InvalidModelId(
                _("Only http(s) Hub URLs are accepted, not '%(scheme)s:'.", scheme=parts.scheme)
            )
        if parts.username or parts.password:
            raise InvalidModelId(_("Hub URLs with a user name or password are refused."))
        host = parts.netloc.lower()
        if host not in _endpoint_hosts(endpoint):
            raise InvalidModelId(_("'%(host)s' is not the Hugging Face Hub.", host=parts.netloc))
        # A query or a fragment is never part of a model URL: it is dropped.
        path = parts.path
        segments = [s for s in path.split("/") if s != ""]
        if not segments:
            raise InvalidModelId(_("The URL names no model."))
        if segments[0] in _REFUSED_PREFIXES:
            raise InvalidModelId(
                _("'/%(prefix)s/' URLs are not model repositories.", prefix=segments[0])
            )
        if any(s in (".", "..") for s in segments):
            raise InvalidModelId(_("The URL path contains '.' or '..'."))
        if len(segments) >= 2 and segments[1] in ("tree", "blob", "resolve", "commit"):
            repo_segments = segments[:1]
            rest = segments[1:]
        else:
            repo_segments = segments[:2]
            rest = segments[2:]
        if rest:
            # Only /tree/<rev>, or /commit/<sha> (a commit of its history: that revision); a
            # '/' inside a revision is URL-encoded by the Hub (refs%2Fpr%2F1).
            if rest[0] not in ("tree", "commit") or len(rest) != 2:
                raise InvalidModelId(
                    _(
                        "Link to the model page or to its /tree/<revision> page, not to one of "
                        "its files or other pages."
                    )
                )
            url_revision = unquote(rest[1])
        if "@" in repo_segments[-1]:
            raise InvalidModelId(
                _(
                    "A Hub URL names a revision as /tree/<revision> (such as "
                    "https://huggingface.co/org/name/tree/main), not with '@'."
                )
            )
        repo_id = "/".join(repo_segments)
    else:
        ssh = _GIT_SSH_RE.match(raw)
        if ssh is not None:  # git@hf.co:org/name(.git), the clone address the Hub shows
            if ssh.group("host").lower() not in _HUB_HOSTS:
                raise InvalidModelId(
                    _("'%(host)s' is not the Hugging Face Hub.", host=ssh.group("host"))
                )
            raw = ssh.group("path").removesuffix(".git")
        elif "@" in raw:
            # org/name@revision, as huggingface_hub's file system (hf://) writes a revision
            raw, _at, url_revision = raw.partition("@")
        if raw.endswith("/") and "/" not in raw[:-1]:  # "org/": an organization, no model
            raise InvalidModelId(_("The model ID has an empty part."))
        repo_id = raw[:-1] if raw.endswith("/") else raw
    repo_id_validate(repo_id)
    chosen = revision if revision not in (None, "") else url_revision
    if chosen is not None:
        revision_validate(chosen)
    return ModelRef(repo_id=repo_id, revision=chosen)
