"""Forms of the web pages. Validation messages say what to do next."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from axes.exercise import MAX_ROW_CHARS

MAX_UPLOAD_BYTES = 2 * 1024 * 1024  # config.json and cards are kilobytes; refuse anything huge


class PasteForm(forms.Form):
    model_id = forms.CharField(
        label=_("Model ID or Hub URL"),
        max_length=500,
        widget=forms.TextInput(
            attrs={
                "placeholder": "meta-llama/Llama-3.1-8B",
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "off",
            }
        ),
    )

    def clean_model_id(self) -> str:
        from catalog.ids import InvalidModelId, model_ref_parse

        text = self.cleaned_data["model_id"]
        try:
            ref = model_ref_parse(text)
        except InvalidModelId as exc:
            raise ValidationError(str(exc)) from exc
        self.cleaned_data["revision"] = ref.revision
        return ref.repo_id


def _read_bytes(upload: object | None, what: str) -> bytes | None:
    """The uploaded file's bytes, decoded later as a file fetched from the Hub is
    (``catalog.artifact_text.file_text_build``): a byte-order mark names the encoding, and a
    card with bytes that are not UTF-8 is read with a note naming the first (it was refused
    here, while the same card from the Hub was read)."""
    if upload is None:
        return None
    size = getattr(upload, "size", 0) or 0
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("%(what)s is larger than 2 MiB; upload the file itself, not the weights.")
            % {"what": what}
        )
    return upload.read()  # type: ignore[attr-defined]


_FILE_INPUT = forms.FileInput(attrs={"class": "file-input"})


class UploadForm(forms.Form):
    repo_id = forms.CharField(
        label=_("Name for this model (org/name)"),
        max_length=193,
        initial="local/my-model",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    # home.html puts a button in the page's language beside each (the browser's own control
    # speaks the browser's language: "Choose File" on a Korean page); the input stays the
    # control, out of sight, so the picker opens from the keyboard and without JavaScript
    config = forms.FileField(label=_("config.json (required)"), widget=_FILE_INPUT)
    card = forms.FileField(
        label=_("README.md model card (optional)"), required=False, widget=_FILE_INPUT
    )
    generation_config = forms.FileField(
        label=_("generation_config.json (optional)"), required=False, widget=_FILE_INPUT
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.FileInput):
                # home.html: named by the field's label and then the button's words, each once
                # (aria-labelledby replaces the two <label for>s), so voice control finds the
                # field by the button it sees ("click Choose a file", WCAG 2.5.3); described by
                # the chosen file's name that app.js writes
                auto_id = self[name].auto_id
                field.widget.attrs["aria-labelledby"] = f"{auto_id}-label {auto_id}-button"
                field.widget.attrs["aria-describedby"] = f"{auto_id}-name"

    def clean_repo_id(self) -> str:
        from catalog.ids import InvalidModelId, repo_id_validate

        value = self.cleaned_data["repo_id"].strip()
        try:
            repo_id_validate(value)
        except InvalidModelId as exc:
            raise ValidationError(str(exc)) from exc
        if "/" not in value:
            raise ValidationError(_("Use the form org/name, for example local/my-model."))
        from catalog.models import Revision
        from catalog.services import catalog_source

        # An anonymous upload becomes the model's latest revision: under the name of a model
        # fetched from the Hub or bundled, it would rewrite that page for every visitor.
        source = catalog_source(value)
        if source is not None:
            name = value.split("/", 1)[1]
            if source == Revision.Source.BUNDLED:
                message = _(
                    "%(repo)s is already in the catalog, from the bundled demo catalog; upload "
                    "your files under another name, for example local/%(name)s."
                )
            else:
                message = _(
                    "%(repo)s is already in the catalog from the Hub; upload your files under "
                    "another name, for example local/%(name)s."
                )
            raise ValidationError(message % {"repo": value, "name": name})
        return value

    def clean_config(self) -> bytes:
        raw = _read_bytes(self.cleaned_data.get("config"), "config.json")
        if not raw or not raw.strip().removeprefix(b"\xef\xbb\xbf").strip():
            raise ValidationError(_("config.json is empty."))
        return raw

    def clean_card(self) -> bytes | None:
        return _read_bytes(self.cleaned_data.get("card"), "README.md")

    def clean_generation_config(self) -> bytes | None:
        return _read_bytes(self.cleaned_data.get("generation_config"), "generation_config.json")


class ExerciseForm(forms.Form):
    """The four rows. Over-long rows are cut (and the page says so) rather than refused, so
    autosave never loses what was typed."""

    model_name = forms.CharField(label=_("Model"), max_length=200, required=False)
    backbone = forms.CharField(required=False, widget=forms.Textarea)
    post_training = forms.CharField(required=False, widget=forms.Textarea)
    inference = forms.CharField(required=False, widget=forms.Textarea)
    product = forms.CharField(required=False, widget=forms.Textarea)

    max_row_chars = MAX_ROW_CHARS
