"""``manage.py analyze PATH``: the offline, local case of the analyze command, framework-free.

``catalog/management/commands/analyze.py`` (the Django command) and ``manage.py`` share this
module. ``manage.py analyze PATH`` with PATH a folder (or a .json config file) is answered by
:func:`fast_main` before Django is imported at all: a path needs no settings, no database and
no app registry, and
``django.setup()`` alone costs more than half a second. Model IDs, ``--help`` and Django's own
options (``--verbosity``, ``--settings``, ...) go through the Django command as before; the
output, the messages and the exit status are the same either way.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import unicodedata
from pathlib import Path
from typing import Any, NoReturn, TextIO

from axes.card_columns import facts_with_model_column
from axes.l10n import Words, environment_language
from axes.readable import (
    bytes_scaled,
    card_quote_text,
    decoder_text,
    fact_value_text,
    is_card_quote,
    metadata_key,
)

KV_DTYPES = ("bf16", "fp16", "fp8", "fp32")


class CliError(Exception):
    """A user-facing error: printed as ``CommandError: <message>``, exit status 1; with
    ``--json`` also as :func:`error_document` on stdout. ``code`` is stable for scripts."""

    def __init__(self, message: str, *, code: str = "invalid_input") -> None:
        super().__init__(message)
        self.code = code


# What ``--json`` prints on stdout when the command fails (exit status 1, or 2 for a malformed
# option), beside the readable ``CommandError:`` line on stderr: a script that pipes stdout
# into jq gets one JSON document either way. The codes are listed in ``JSON_ERROR_HELP``.
JSON_ERROR_HELP = (
    'a failure prints {"error": {"code": ..., "message": ...}} instead, and exits non-zero '
    "(codes: usage, invalid_option, invalid_input, not_found, no_config, invalid_config, "
    "backbone_not_analyzed, invalid_model_id, not_in_catalog, database_not_ready, "
    "internal_error)"
)


def printable(text: object) -> str:
    """``text`` as valid UTF-8 can carry it: a path's undecodable bytes (a folder named
    b"bad\\xff", which Python reads as the lone surrogate U+DCFF) written as ``\\xff``, any
    other lone surrogate as ``\\udXXX``. Without this a failure naming such a path wrote a raw
    0xFF byte into a --json document (invalid UTF-8), or crashed writing it under
    PYTHONIOENCODING=utf-8."""
    text = str(text)
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that no undecodable byte stands for
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def json_asked(argv: list[str]) -> bool:
    """Whether ``argv`` (a command's arguments, before its options are parsed) asks for
    ``--json``, abbreviated as argparse accepts it (``--js``) too; not after ``--``."""
    for arg in argv:
        if arg == "--":
            return False
        if len(arg) >= 3 and "--json".startswith(arg):
            return True
    return False


def error_document(code: str, message: str, **extra: Any) -> str:
    """The one JSON line a failed ``--json`` command prints on stdout: ``{..extra, "error":
    {"code", "message"}}`` (``manage.py profile`` adds its ``run`` and ``status``). The message
    is always valid UTF-8 (:func:`printable`)."""
    error = {"code": code, "message": printable(message)}
    return json.dumps({**extra, "error": error}, ensure_ascii=False)


def _state_parts(detail: dict, words: Words | None = None) -> str:
    """ " (SSM / recurrent state fp32, conv state bf16)": the parts a model has, each in its
    dtype (Inkling has conv state only, in fp32)."""
    _ = (words or Words()).gettext
    parts = []
    if detail.get("ssm_bytes"):
        parts.append(_("SSM / recurrent state fp32"))
    if detail.get("conv_bytes"):
        parts.append(_("conv state %(dtype)s") % {"dtype": detail.get("conv_dtype")})
    return f" ({', '.join(parts)})" if parts else ""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from axes.backbone.gpus import GPU_KEYS

    parser.add_argument(
        "target",
        help="a folder with config.json (an org--name folder names the model), the path of "
        "a config.json (its folder is read) or of any other .json config file (that file "
        "alone), or a catalog model ID (org/name, a legacy ID such as gpt2, or a Hub URL)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help=f"print the full JSON report on stdout; {JSON_ERROR_HELP}",
    )
    parser.add_argument(
        "--context",
        type=int,
        default=None,
        metavar="TOKENS",
        help="context length for the KV-cache and FLOPs figures (default: the model's context "
        "window, at most 8192)",
    )
    parser.add_argument(
        "--batch",
        type=int,
        default=1,
        metavar="N",
        help="sequences in the batch, for the KV cache and the largest context (default: 1; "
        "the decode roofline stays at batch 1)",
    )
    parser.add_argument(
        "--kv-dtype",
        default="bf16",
        choices=list(KV_DTYPES),
        help="KV-cache dtype for the 'KV @' and largest-context figures (default: bf16)",
    )
    parser.add_argument(
        "--gpu",
        default=None,
        metavar="GPU",
        help=f"GPU for the summary's largest context and roofline (default: H100-SXM; one of "
        f"{', '.join(GPU_KEYS)})",
    )


MAX_BATCH = 1_000_000
MAX_CONTEXT = 100_000_000


def command_words() -> Words:
    """The words of the language the terminal asks for (LANGUAGE, LC_ALL, LC_MESSAGES, LANG),
    on the fast path and through the Django command alike."""
    return Words(environment_language(os.environ))


def check_options(
    *, context: int | None, batch: int, gpu: str | None, words: Words | None = None
) -> str | None:
    """Validate the numeric options; return the GPU's table key (``None``: the default)."""
    words = words or Words()
    _ = words.gettext
    if not 1 <= batch <= MAX_BATCH:
        raise CliError(
            _("--batch must be from 1 to %(max)s") % {"max": words.number(MAX_BATCH)},
            code="invalid_option",
        )
    if context is not None and not 1 <= context <= MAX_CONTEXT:
        raise CliError(
            _("--context must be from 1 to %(max)s tokens") % {"max": words.number(MAX_CONTEXT)},
            code="invalid_option",
        )
    if not gpu:
        return None
    from axes.backbone import gpu_get

    try:
        return gpu_get(gpu).key
    except KeyError as exc:
        from axes.backbone.gpus import GPUS

        raise CliError(
            _("unknown GPU %(gpu)s; choose one of: %(choices)s")
            % {"gpu": repr(gpu), "choices": ", ".join(GPUS)},
            code="invalid_option",
        ) from exc


def analyze_folder(
    path: Path, *, context: int | None, batch: int, kv_dtype: str, words: Words | None = None
) -> dict[str, Any]:
    """The full analysis of a folder shaped like a Hub repo (``org--name`` names the model)."""
    from axes.analysis import ArtifactError, artifacts_from_dir

    words = words or Words()
    try:
        arts = artifacts_from_dir(path)
    except ArtifactError as exc:  # it names the file; say which folder
        raise CliError(f"{path}: {words.note(exc)}", code="invalid_config") from exc
    if arts.config is None:
        raise CliError(
            words.gettext("%(path)s has no config.json; point at a model folder.") % {"path": path},
            code="no_config",
        )
    return _analyzed(
        arts, path / "config.json", context=context, batch=batch, kv_dtype=kv_dtype, words=words
    )


def analyze_config_file(
    path: Path, *, context: int | None, batch: int, kv_dtype: str, words: Words | None = None
) -> dict[str, Any]:
    """The analysis of one .json file read as the model's config.json; its folder's other
    files are not read (they belong to config.json: a folder may hold several configs)."""
    from axes.analysis import ArtifactError, artifacts_from_config_file

    words = words or Words()
    try:
        arts = artifacts_from_config_file(path)
    except ArtifactError as exc:  # it names the file; say which folder
        raise CliError(f"{path.parent}: {words.note(exc)}", code="invalid_config") from exc
    arts.notes.append(
        f"{path.name} is read as the model's config.json; the other files of its folder (card, "
        "generation and tokenizer config, safetensors index) are read only for a file named "
        "config.json"
    )
    return _analyzed(arts, path, context=context, batch=batch, kv_dtype=kv_dtype, words=words)


def _analyzed(
    arts: Any, config_path: Path, *, context: int | None, batch: int, kv_dtype: str, words: Words
) -> dict[str, Any]:
    """``analyze_artifacts`` with its refusals as CliError, naming ``config_path`` when the
    backbone could not be derived."""
    from axes.analysis import analyze_artifacts

    try:
        result = analyze_artifacts(arts, context_len=context, batch=batch, kv_dtype=kv_dtype)
    except ValueError as exc:
        raise CliError(words.note(exc), code="invalid_config") from exc
    if result.get("params") is None:
        raise CliError(
            f"{config_path}: {words.note(result.get('backbone_error'))}",
            code="backbone_not_analyzed",
        )
    return result


def analyze_path(
    path: Path, *, context: int | None, batch: int, kv_dtype: str, words: Words | None = None
) -> dict[str, Any]:
    """A folder (``analyze_folder``) or a .json config file (``analyze_config_file``)."""
    analyze = analyze_folder if path.is_dir() else analyze_config_file
    return analyze(path, context=context, batch=batch, kv_dtype=kv_dtype, words=words)


def render(
    result: dict[str, Any], *, as_json: bool, gpu_key: str | None, words: Words | None = None
) -> str:
    """The report: the JSON document as the engine wrote it (keys and values in English, for
    scripts), or the readable summary in ``words``' language."""
    if as_json:
        return json.dumps(_printable_strings(result), indent=2, default=str)
    return render_summary(result, gpu_key=gpu_key, words=words)


def _printable_strings(value: Any) -> Any:
    """``value`` with every string as :func:`printable` writes it: a folder named b"bad\\xff"
    (the report's repo_id) reads ``bad\\xff`` in the document, as in its failure lines, not
    as the lone-surrogate escape ``\\udcff`` that strict JSON parsers refuse."""
    if isinstance(value, str):
        return printable(value) if not value.isascii() else value
    if isinstance(value, dict):
        return {_printable_strings(k): _printable_strings(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_printable_strings(v) for v in value]
    return value


def target_path(target: str) -> Path | None:
    """The local path a PATH names: a folder, the folder a ``config.json`` path is in, or any
    other ``.json`` file (read alone, as the config); None for anything else (a model ID, a
    missing path, a file that is no .json)."""
    if not target.strip():
        return None
    path = Path(target)
    if path.is_dir():
        return path
    if path.suffix.lower() == ".json" and path.is_file():
        return path.parent if path.name == "config.json" else path
    return None


def not_a_target(target: str, words: Words | None = None) -> CliError | None:
    """Why a TARGET that names a local file is not one the command reads (a file that is no
    .json; a .json path written as a path that does not exist); None when it may be a
    model ID."""
    _ = (words or Words()).gettext
    path = Path(target)
    hint = _(
        "Pass a folder that holds config.json, the path of a .json config file, or a model ID "
        "such as meta-llama/Llama-3.1-8B."
    )
    said = {"target": repr(target), "hint": hint}
    if path.is_file() and path.suffix.lower() != ".json":
        return CliError(_("%(target)s is a file but not a .json config file. %(hint)s") % said)
    if target.startswith(("/", ".", "~")) or (  # written as a path: no model ID
        path.suffix.lower() == ".json" and target.count("/") != 1
    ):
        if path.exists():
            return CliError(_("%(target)s is not a folder or a .json file. %(hint)s") % said)
        if path.suffix.lower() == ".json":
            message = _("%(target)s is not a folder or a .json file (no such file). %(hint)s")
        else:
            message = _(
                "%(target)s is not a folder or a .json file (no such folder or file). %(hint)s"
            )
        return CliError(message % said, code="not_found")
    return None


class _ParseError(Exception):
    pass


class _QuietParser(argparse.ArgumentParser):
    """Raises instead of printing and exiting, so that the Django command reports the error."""

    def error(self, message: str) -> NoReturn:
        raise _ParseError(message)


def fast_main(
    argv: list[str], *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int | None:
    """``manage.py analyze ARGV`` for a folder, without Django. Returns the exit status, or
    ``None`` when the Django command must answer (a model ID, ``--help``, Django's options)."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    if any(a in ("-h", "--help") for a in argv):
        return None
    parser = _QuietParser(prog="manage.py analyze", add_help=False)
    add_arguments(parser)
    try:
        options, unknown = parser.parse_known_args(argv)
    except _ParseError:  # a malformed option: Django's parser says so, in its words
        return None
    words = command_words()
    path = target_path(options.target)
    refused = not_a_target(options.target, words) if path is None and not unknown else None
    if refused is not None:  # a path the command does not read: no need for Django to say so
        return _failed(refused, as_json=options.json, stdout=stdout, stderr=stderr)
    if unknown or path is None:
        return None
    try:
        gpu_key = check_options(
            context=options.context, batch=options.batch, gpu=options.gpu, words=words
        )
        result = analyze_path(
            path,
            context=options.context,
            batch=options.batch,
            kv_dtype=options.kv_dtype,
            words=words,
        )
    except CliError as exc:
        return _failed(exc, as_json=options.json, stdout=stdout, stderr=stderr)
    except Exception as exc:  # a bug: the traceback stays, and --json still says it
        if options.json:
            stdout.write(error_document("internal_error", f"{type(exc).__name__}: {exc}") + "\n")
            stdout.flush()  # before the traceback on stderr
        raise
    # a folder's undecodable bytes (its name is the report's repo_id) written as \xff, as the
    # failure lines write them: a report, readable or JSON, is then always valid UTF-8
    said = printable(render(result, as_json=options.json, gpu_key=gpu_key, words=words))
    stdout.write(said + "\n")
    return 0


def _failed(exc: CliError, *, as_json: bool, stdout: TextIO, stderr: TextIO) -> int:
    """Exit status 1 with the reason on stderr, as Django's CommandError says it; with
    ``--json`` the reason is also the JSON document on stdout."""
    if as_json:
        stdout.write(error_document(exc.code, str(exc)) + "\n")
    stderr.write(f"CommandError: {printable(exc)}\n")
    return 1


def _fmt_bytes(n: Any, words: Words | None = None) -> str:
    """Binary units, as the web pages write the same figures (``bytes_h``): 14.96 GiB of
    weights, 1.00 GiB of KV cache (de 14,96 GiB). It wrote decimal MB and GB beside the pages'
    MiB and GiB (a KV cache of 1.07 GB here was 1.00 GiB there). A GPU's capacity alone is
    decimal GB, as its vendor (and the pages) state it."""
    if not isinstance(n, int | float):
        return "-"
    scaled, unit = bytes_scaled(n)
    return f"{int(n)} B" if unit == "B" else f"{(words or Words()).number(scaled, 2)} {unit}"


def _exact_bytes(n: Any, words: Words | None = None) -> str:
    """ " (131,072 B)": the exact count beside a figure in KiB or more."""
    return f" ({(words or Words()).number(n)} B)" if isinstance(n, int) and n >= 1024 else ""


def _bytes_per_param(value: Any, words: Words) -> str:
    """2 -> "2", 0.5 -> "0.5" (de "0,5"): bytes per parameter as the engine writes them."""
    return f"{value:g}".replace(".", words.point) if isinstance(value, int | float) else "-"


def weights_basis_text(fields: Any, words: Words | None = None) -> str | None:
    """A weights row's basis (``memory.weights_basis_fields``, the engine's
    ``axes.backbone.quantization.stored_basis_fields``) in ``words``' language, its figures
    grouped in it: "671,026,404,352 params × 2 B (bf16)" (de "671.026.404.352 Parameter × 2 B
    (bf16)"); None for fields this reader does not know (an analysis stored before they were
    written: the English basis is shown as the engine wrote it)."""
    if not isinstance(fields, dict):
        return None
    words = words or Words()
    _ = words.gettext
    fmt = fields.get("format")
    block = fields.get("block_size")
    block_text = (
        "×".join(str(v) for v in block)
        if isinstance(block, list) and block and all(isinstance(v, int) for v in block)
        else "-"
    )
    if fmt == "every_param":
        return _("every parameter at %(bytes)s B") % {
            "bytes": _bytes_per_param(fields.get("bytes_per_param"), words)
        }
    if fmt == "fp8_block_checkpoint":
        return _(
            "a block-wise FP8 checkpoint: decoder linears at 1 B + an fp32 scale per %(block)s "
            "block; embeddings, lm_head, norms, routers and biases at 16 bits"
        ) % {"block": block_text}
    if fmt == "awq_int4_checkpoint":
        return _(
            "an AWQ int4 g128 checkpoint: decoder linears at 4 bits + an fp16 scale and a 4-bit "
            "zero per 128 inputs; embeddings, lm_head, norms, routers and biases at 16 bits"
        )
    if fmt == "unquantized":
        return _("%(params)s params × %(bytes)s B (%(dtype)s)") % {
            "params": words.integer(fields.get("params")),
            "bytes": _bytes_per_param(fields.get("bytes_per_param"), words),
            "dtype": fields.get("dtype"),
        }
    fixed = {
        "fp8_per_tensor": _("fp8 decoder linears (per-tensor scales) + bf16 rest"),
        "fp8_block": _("fp8 decoder linears + fp32 block scales + bf16 rest"),
        "mxfp4": _("MXFP4 experts (4.25 bits) + bf16 rest"),
        "bnb_4bit_double_quant": _(
            "4-bit decoder linears + 8-bit absmax per 64 (double quant: fp32 per 256 absmax) + "
            "16-bit rest"
        ),
        "bnb_4bit": _("4-bit decoder linears + fp32 absmax per 64 + 16-bit rest"),
        "bnb_int8": _("int8 decoder linears (a scale per row) + 16-bit rest"),
    }
    if fmt in fixed:
        return fixed[fmt]
    if fmt == "group_quantized":
        group = fields.get("group_size")
        said = {"bits": fields.get("bits"), "n": words.integer(group)}
        if group is None:
            return (
                _(
                    "int%(bits)s packed decoder linears + fp16 scales/zeros per output channel + "
                    "16-bit rest"
                )
                % said
            )
        return (
            _(
                "int%(bits)s packed decoder linears + fp16 scales/zeros per group of %(n)s + "
                "16-bit rest"
            )
            % said
        )
    if fmt == "placed_schemes":
        schemes = [
            _("%(label)s on %(n)s params")
            % {"label": s.get("label"), "n": words.integer(s.get("params"))}
            for s in fields.get("schemes") or []
            if isinstance(s, dict)
        ]
        return _("%(schemes)s (config_groups by targets, with their scales) + 16-bit rest") % {
            "schemes": " + ".join(schemes) or _("no linear quantized")
        }
    if fmt == "scheme":
        per = fields.get("values_per_scale")
        said = {
            "label": fields.get("label"),
            "scale": fields.get("scale"),
            "n": words.integer(per),
            "strategy": fields.get("strategy"),
        }
        if per and fields.get("zero_point"):
            text = _(
                "%(label)s decoder linears + a %(scale)s scale per %(n)s values and a zero "
                "point + 16-bit rest"
            )
        elif per:
            text = _("%(label)s decoder linears + a %(scale)s scale per %(n)s values + 16-bit rest")
        else:
            text = _("%(label)s decoder linears + %(strategy)s scales (a few bytes) + 16-bit rest")
        return text % said
    if fmt == "unknown_method":
        return _("unknown method %(method)s: counted at %(bytes)s B/param") % {
            "method": fields.get("method"),
            "bytes": _bytes_per_param(fields.get("bytes_per_param"), words),
        }
    return None


def _gpu_memory_bytes(gpu_key: str) -> int | None:
    from axes.backbone import gpu_get

    try:
        return gpu_get(gpu_key).memory_bytes  # the vendor's decimal bytes
    except (KeyError, ValueError):
        return None


def _fmt_max_context(
    tokens: Any,
    memory: int | None,
    *,
    fixed_bytes: Any = None,
    batch: int = 1,
    words: Words | None = None,
) -> str:
    """0: nothing fits on a GPU of ``memory`` bytes. ``fixed_bytes`` (weights as stored plus
    the batch's recurrent state) tells whether that is the weights, or the KV cache of the
    batch leaving no room."""
    words = words or Words()
    _ = words.gettext
    if tokens is None:
        return _("unbounded")
    if tokens == 0:
        if memory is None:
            return _("does not fit (weights exceed the GPU's memory)")
        gb = f"{memory / 1e9:g}".replace(".", words.point)
        if isinstance(fixed_bytes, int | float) and fixed_bytes < memory:
            return _(
                "does not fit (the weights fit in %(gb)s GB, a batch of %(batch)s does not)"
            ) % {"gb": gb, "batch": words.number(batch)}
        return _("does not fit (weights exceed %(gb)s GB)") % {"gb": gb}
    return words.integer(tokens)


def _past_window(tokens: Any, window: Any, words: Words | None = None) -> str:
    """Where memory holds more tokens than the model reads, say that the figure is memory."""
    words = words or Words()
    if isinstance(tokens, int) and isinstance(window, int) and tokens > window:
        return words.gettext(" (memory only: the model reads at most %(n)s)") % {
            "n": words.number(window)
        }
    return ""


def _display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: Korean (and other wide) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _ljust(text: str, width: int) -> str:
    return text + " " * max(0, width - _display_width(text))


def render_summary(
    result: dict[str, Any], *, gpu_key: str | None = None, words: Words | None = None
) -> str:
    """The readable report in ``words``' language (English by default): labels and sentences
    translated, numbers grouped as the pages group them, the engine's notes translated where
    the web app has their template; technical terms (GQA, MoE, KV, bf16, the fact kinds and
    config keys) as written."""
    from axes.backbone.layers import LINEAR_ATTENTION_LABELS

    words = words or Words()
    _ = words.gettext
    num = words.number
    lines: list[str] = [_("Model: %(model)s") % {"model": result.get("repo_id") or "-"}]
    if result.get("params") is None:
        reason = result.get("backbone_error") or _("no config")
        lines.append(_("Backbone: not analyzed (%(reason)s)") % {"reason": words.note(reason)})
    else:
        p, m, c, b = result["params"], result["memory"], result["compute"], result["backbone"]
        gpus = list(m["max_context_by_gpu"])
        gpu = gpu_key if gpu_key in gpus else "H100-SXM"
        memory = _gpu_memory_bytes(gpu)
        stored = m["weights_bytes"]["stored"]
        weights_exceed = memory is not None and isinstance(stored, int | float) and stored > memory
        context = m["kv_bytes"]["context"]
        batch, kv_dtype = m["kv_bytes"]["batch"], m["kv_bytes"]["kv_dtype"]
        bases = m.get("weights_basis") or {"stored": m["weights_bytes"].get("stored_basis")}
        fields = m.get("weights_basis_fields") or {}

        def _basis(fmt: str) -> str:
            # in the terminal's language from the engine's fields; the English line where an
            # analysis stored before them has none
            text = weights_basis_text(fields.get(fmt), words) or bases.get(fmt)
            return f" ({text})" if text else ""

        native = b["context_length"]
        past_native = (
            _(" (past the model's %(n)s positions: arithmetic only)") % {"n": num(native)}
            if isinstance(native, int) and context > native
            else ""
        )
        spec = result.get("spec") or {}
        state_unknown = (
            b["attention"]["linear"]
            and spec.get("linear_attention_kind") not in LINEAR_ATTENTION_LABELS
        )
        at = {"context": num(context), "batch": num(batch), "dtype": kv_dtype, "gpu": gpu}
        flops = f"{c['flops_per_token']:.3e}".replace(".", words.point)
        roofline = c["roofline"].get(gpu)
        rows = [
            (
                _("family"),
                f"{b['family']} ({decoder_text(b['decoder_type'])})"
                + (_(" [estimated]") if result.get("estimated") else ""),
            ),
            (
                _("layers"),
                f"{b['layers']['num_layers']}: {words.layer_summary(b['layers']['summary'])}",
            ),
            (
                _("attention"),
                _("%(variant)s, %(heads)s heads, %(kv_heads)s KV heads, head_dim %(head_dim)s")
                % {
                    "variant": b["attention"]["variant"],
                    "heads": b["attention"]["num_attention_heads"],
                    "kv_heads": b["attention"]["num_kv_heads"],
                    "head_dim": b["attention"]["head_dim"],
                }
                if b["attention"]["variant"] != "none"
                else _("none (no attention layers: no heads, no KV cache)"),
            ),
            (_("params total"), words.integer(p["total"])),
            (_("params active"), words.integer(p["active"])),
            (_("active w/o input emb."), words.integer(p["active_excluding_input_embedding"])),
            *(
                (
                    _("weights stored")
                    if fmt == "stored"
                    else _("weights %(format)s") % {"format": fmt},
                    _fmt_bytes(m["weights_bytes"].get(fmt), words) + _basis(fmt),
                )
                for fmt in ("bf16", "fp8", "int4", "stored")
            ),
            (
                _("KV / token (bf16)"),
                _("none (no layer caches keys and values)")
                if not m["kv_bytes_per_token"]
                else _fmt_bytes(m["kv_bytes_per_token"], words)
                + _exact_bytes(m["kv_bytes_per_token"], words)
                + (
                    _(
                        " (every layer at full length; sliding layers stop at their window, so "
                        "the KV at a long context is less than this × tokens)"
                    )
                    if b["attention"]["sliding"]
                    else ""
                ),
            ),
            (
                _("KV @ %(context)s × %(batch)s (%(dtype)s)") % at,
                _fmt_bytes(m["kv_bytes"]["bytes"], words) + past_native,
            ),
            (
                _("state / sequence"),
                _("not counted (the layout of this linear attention's state is unknown)")
                if state_unknown
                else _("none (no recurrent layer)")
                if not m["state_bytes_per_sequence"]
                else _fmt_bytes(m["state_bytes_per_sequence"], words)
                + _state_parts(m["state_bytes_detail"], words),
            ),
            (_("context (native)"), words.integer(b["context_length"])),
            (
                _("max context %(gpu)s (batch %(batch)s, KV %(dtype)s)") % at,
                _fmt_max_context(
                    m["max_context_by_gpu"].get(gpu),
                    memory,
                    fixed_bytes=stored + m["state_bytes_per_sequence"] * batch,
                    batch=batch,
                    words=words,
                )
                + _past_window(m["max_context_by_gpu"].get(gpu), b["context_length"], words),
            ),
            (
                _("FLOPs / token @ %(context)s") % at,
                _(
                    "%(flops)s (forward pass: 2 × active matmul weights + attention at position "
                    "%(context)s)"
                )
                % {**at, "flops": flops}
                + past_native,
            ),
            (
                _("decode roofline %(gpu)s") % at,
                (
                    _(
                        "%(rate)s tok/s (batch 1, context %(context)s, KV %(dtype)s, weights as "
                        "stored: the input embedding as one row, the lm_head whole; the weights "
                        "do not fit on one GPU: a bound for a GPU of this bandwidth and enough "
                        "memory)"
                    )
                    if weights_exceed
                    else _(
                        "%(rate)s tok/s (batch 1, context %(context)s, KV %(dtype)s, weights as "
                        "stored: the input embedding as one row, the lm_head whole)"
                    )
                )
                % {
                    **at,
                    # a rate as the engine rounds it (1226.82), in the language's decimals
                    "rate": str(roofline).replace(".", words.point)
                    if isinstance(roofline, int | float)
                    else roofline,
                },
            ),
        ]
        width = max(_display_width(k) for k, _v in rows)
        lines += [f"  {_ljust(k, width)}  {v}" for k, v in rows]
        ck = result.get("checkpoint")
        if ck and ck.get("stored_total") is not None:
            lines.append(
                (
                    _("Checkpoint: stored %(stored)s vs analytic %(analytic)s (explained)")
                    if ck["explained"]
                    else _("Checkpoint: stored %(stored)s vs analytic %(analytic)s (NOT explained)")
                )
                % {
                    "stored": words.integer(ck["stored_total"]),
                    "analytic": words.integer(ck["analytic_total"]),
                }
            )
            for e in ck["explanations"]:
                lines.append(f"  {words.integer(e['params']):>18}  {words.note(e['reason'])}")
    # notes qualify the figures above: before the (long) facts list, not after it
    for note in result.get("notes") or []:
        lines.append(_("note: %(note)s") % {"note": words.note(note)})
    # a row of a family's table (a column per model) reads as this model's cell
    facts = facts_with_model_column(
        [f for f in result.get("facts") or [] if isinstance(f, dict)],
        str(result.get("repo_id") or ""),
        decoder_type=(result.get("backbone") or {}).get("decoder_type"),
    )
    # a card line the learned model placed with little confidence is a guess: listed apart,
    # with its confidence, so that noise does not read as a fact
    sure = [f for f in facts if not (f.get("extra") or {}).get("low_confidence")]
    guesses = [f for f in facts if (f.get("extra") or {}).get("low_confidence")]
    titles = (
        (_("Facts (%(n)s):"), sure),
        (_("Guesses, card lines under %(percent)s confidence (%(n)s):"), guesses),
    )
    for title, group in titles:
        if not group:
            continue
        lines.append(title % {"n": num(len(group)), "percent": "50%"})
        for f in group:
            # words, not JSON: "32 blocks: 32 GQA · 32 MLP", "hidden_size: 4096 · head_dim: 128"
            value = fact_value_text(str(f["kind"]), f["value"], words)
            if is_card_quote(f):  # the card's words, without its Markdown (as the page shows)
                value = card_quote_text(f)
            elif key := metadata_key(f):  # "library_name: transformers", not "transformers"
                value = f"{key}: {value}"
            if isinstance(f["value"], str):  # a card quote: cut at a word, never mid-word
                value = _cut(value, 120, " ")
            sureness = "" if group is sure else f"{f.get('confidence', 0):.0%} "
            evidence = f["evidence"]
            lines.append(
                f"  {f['kind']:<28} {sureness}{value}  "
                f"[{evidence['source']}: {_cut(str(evidence['locator']), 60, ',')}]"
            )
    return "\n".join(lines)


def _cut(text: str, limit: int, sep: str) -> str:
    """``text`` up to ``limit`` characters, cut after a whole ``sep``-separated part."""
    if len(text) <= limit:
        return text
    head = text[:limit].rsplit(sep, 1)[0]
    if len(head) < limit // 2:  # one long word (a URL): cut inside it rather than lose the line
        head = text[:limit]
    return head.rstrip(sep + " ") + " …"
