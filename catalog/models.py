"""Hub models, their revisions and the artifacts that describe them.

A ``CatalogModel`` is one repo (``org/name``) or one closed model family (``kind=closed``).
A ``Revision`` is one commit sha of it, from the Hub, an upload or the bundled demo catalog;
ingestion is idempotent per (model, sha). An ``Artifact`` is one file that describes the
revision (config, generation config, tokenizer config, card, safetensors index, a safetensors
header), stored as text plus its parsed JSON where it is JSON. Weights are never stored.

``Revision.analysis`` holds the derived four-axis analysis (the backbone report and the facts),
so pages render from stored data without re-classifying.
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalog.fields import OrderedJSONField

# Models as people read a list of them: any case ("google/gemma" beside "Google/Gemma-2"), the
# exact spelling breaking ties. PostgreSQL's collation and SQLite's bytes would each sort
# "repo_id" their own way (en_US: any case; C and SQLite: capitals first).
REPO_ORDER = [Lower("repo_id"), "repo_id"]


class CatalogModel(models.Model):
    class Kind(models.TextChoices):
        OPEN = "open", _("Open weights (Hub)")
        CLOSED = "closed", _("Closed (vendor documentation)")

    repo_id = models.CharField(max_length=200, unique=True)  # "org/name"
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OPEN)
    display_name = models.CharField(max_length=200, blank=True)
    summary = models.TextField(blank=True)  # one line for lists
    latest_revision = models.ForeignKey(
        "Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = REPO_ORDER

    def __str__(self) -> str:
        return self.repo_id

    @property
    def org(self) -> str:
        return self.repo_id.split("/", 1)[0]

    @property
    def name(self) -> str:
        return self.repo_id.split("/", 1)[-1]

    def get_absolute_url(self) -> str:
        return reverse("catalog:model", kwargs={"org": self.org, "name": self.name})


class Revision(models.Model):
    class Source(models.TextChoices):
        HUB = "hub", "Hugging Face Hub"
        UPLOAD = "upload", _("Upload")
        BUNDLED = "bundled", _("Bundled demo catalog")

    model = models.ForeignKey(CatalogModel, on_delete=models.CASCADE, related_name="revisions")
    sha = models.CharField(max_length=64)  # Hub commit sha, or a content hash for uploads
    source = models.CharField(max_length=10, choices=Source.choices)
    fetched_at = models.DateTimeField(auto_now_add=True)
    model_info = OrderedJSONField(default=dict, blank=True)  # model_info(expand=...) subset
    notes = OrderedJSONField(default=list, blank=True)  # visible notes: truncations, refusals
    analysis = OrderedJSONField(default=dict, blank=True)  # backbone report + facts, in order
    analysis_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-fetched_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["model", "sha"], name="revision_unique_model_sha")
        ]

    def __str__(self) -> str:
        return f"{self.model.repo_id}@{self.sha[:12]}"


class Artifact(models.Model):
    class Kind(models.TextChoices):
        CONFIG = "config", "config.json"
        GENERATION_CONFIG = "generation_config", "generation_config.json"
        TOKENIZER_CONFIG = "tokenizer_config", "tokenizer_config.json"
        CHAT_TEMPLATE = "chat_template", "chat_template.jinja"
        CARD = "card", "README.md (model card)"
        SAFETENSORS_INDEX = "safetensors_index", "model.safetensors.index.json"
        QUANT_CONFIG = "quant_config", "hf_quant_config.json"
        SAFETENSORS_HEADER = "safetensors_header", "safetensors header"
        VENDOR_DOC = "vendor_doc", "Vendor documentation (closed models)"

    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="artifacts")
    name = models.CharField(max_length=300)  # file name in the repo ("config.json", ...)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField(blank=True)  # raw text as fetched (possibly truncated)
    data = OrderedJSONField(null=True, blank=True)  # parsed JSON / YAML metadata
    size_bytes = models.BigIntegerField(default=0)  # original size before any truncation
    sha256 = models.CharField(max_length=64, blank=True)
    truncated = models.BooleanField(default=False)
    note = models.TextField(blank=True)  # why truncated / refused, shown to the user

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "name"], name="artifact_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.revision}:{self.name}"


class Exercise(models.Model):
    """One four-row exercise table filled in by one browser session (see /exercise/).

    Keyed by the Django session (database-backed, so it survives a server restart). ``rows``
    maps each axis to the user's free text; ``result`` holds the last ``axes.exercise`` check.
    """

    session_key = models.CharField(max_length=40, db_index=True)
    model_name = models.CharField(max_length=200, blank=True)  # free text as typed
    model = models.ForeignKey(
        CatalogModel, null=True, blank=True, on_delete=models.SET_NULL, related_name="exercises"
    )
    language = models.CharField(max_length=10, blank=True)
    rows = models.JSONField(default=dict, blank=True)  # {"backbone": "...", ...}
    result = OrderedJSONField(default=dict, blank=True)  # exercise_check() output
    # The page numbers its edits (``seq``, rising); a save carrying an edit no newer than the
    # one stored arrived late and is not written over it (see views_exercise._apply_form).
    rows_seq = models.BigIntegerField(default=0)
    # Every write bumps ``rows_rev`` and records which page made it (``rows_page``, a token
    # each page render gets). A page whose save is based on an older revision that another
    # page (another tab, another window) wrote over is refused and told, never written over
    # that other page's rows (see views_exercise._apply_form).
    rows_rev = models.PositiveIntegerField(default=0)
    rows_page = models.CharField(max_length=32, blank=True, default="")
    # A page opened without a table names the one its first save makes ("new:<token>"), so
    # saves sent before the first answer came back all reach that one table.
    client_token = models.CharField(max_length=32, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session_key", "client_token"],
                condition=~models.Q(client_token=""),
                name="exercise_one_table_per_page_token",
            )
        ]

    def __str__(self) -> str:
        return f"exercise {self.pk} ({self.model_name or 'no model'})"


class IngestJob(models.Model):
    """One asynchronous ingest, created before dispatch; the page polls its stage and progress.

    The row is the UI's source of truth (readthedocs' build pattern): the Celery task claims it
    with a conditional UPDATE, the ingest service moves ``stage``/``progress_pct`` along, and
    the task records success (``revision``) or a user-readable ``error``.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    repo_id = models.CharField(max_length=200)
    requested_revision = models.CharField(max_length=200, blank=True)  # "" = main
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=100, blank=True)  # "model_info", "files", "headers", ...
    progress_pct = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)  # user-facing message
    error_code = models.CharField(max_length=40, blank=True)  # HubError.code, "invalid_id", ...
    # The message's template key and parameters (catalog.error_detail): the page shows the
    # failure in its own language; None for rows stored before it existed, and for messages
    # that have no template (the page shows ``error`` then).
    error_detail = models.JSONField(null=True, blank=True)
    revision = models.ForeignKey(
        Revision, null=True, blank=True, on_delete=models.SET_NULL, related_name="ingest_jobs"
    )
    # No worker took the job: a thread of the web process runs it (the page says so)
    in_web_process = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"ingest {self.repo_id} ({self.status})"

    @property
    def is_done(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def error_text(self) -> str:
        """The failure in the active language, with its specifics (``error_detail``); the
        stored message where it has no template or no detail (an older row)."""
        from .error_detail import CATALOG_DETAILS, detail_render

        return detail_render(self.error_detail, CATALOG_DETAILS) or self.error
