from django.contrib import admin

from .models import Artifact, CatalogModel, Exercise, IngestJob, Revision


class RevisionInline(admin.TabularInline):
    model = Revision
    fields = ("sha", "source", "fetched_at", "analysis_version")
    readonly_fields = fields
    extra = 0
    show_change_link = True


class ArtifactInline(admin.TabularInline):
    model = Artifact
    fields = ("name", "kind", "size_bytes", "truncated", "note")
    readonly_fields = fields
    extra = 0
    show_change_link = True


@admin.register(CatalogModel)
class CatalogModelAdmin(admin.ModelAdmin):
    list_display = ("repo_id", "kind", "display_name", "latest_revision", "updated_at")
    list_filter = ("kind",)
    search_fields = ("repo_id", "display_name")
    raw_id_fields = ("latest_revision",)
    inlines = [RevisionInline]


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ("model", "sha", "source", "fetched_at", "analysis_version")
    list_filter = ("source",)
    search_fields = ("model__repo_id", "sha")
    list_select_related = ("model",)
    raw_id_fields = ("model",)
    inlines = [ArtifactInline]


@admin.register(Artifact)
class ArtifactAdmin(admin.ModelAdmin):
    list_display = ("revision", "name", "kind", "size_bytes", "truncated")
    list_filter = ("kind", "truncated")
    search_fields = ("name", "revision__model__repo_id")
    list_select_related = ("revision__model",)
    raw_id_fields = ("revision",)


@admin.register(IngestJob)
class IngestJobAdmin(admin.ModelAdmin):
    list_display = (
        "repo_id",
        "requested_revision",
        "status",
        "stage",
        "progress_pct",
        "created_at",
    )
    list_filter = ("status",)
    search_fields = ("repo_id",)
    raw_id_fields = ("revision",)


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    list_display = ("id", "model_name", "model", "language", "updated_at")
    list_filter = ("language",)
    search_fields = ("model_name", "model__repo_id")
    list_select_related = ("model",)
    raw_id_fields = ("model",)
    readonly_fields = ("session_key", "created_at", "updated_at")
