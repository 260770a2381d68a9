"""The "measure" form of the model page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from profiler.models import MeasurementRun
from profiler.services import RUN_LIMITS


class MeasureForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Mode"), choices=MeasurementRun.Mode.choices, initial=MeasurementRun.Mode.SYNTHETIC
    )
    dtype = forms.ChoiceField(
        label=_("dtype"),
        choices=MeasurementRun.Dtype.choices,
        initial=MeasurementRun.Dtype.BFLOAT16,
    )
    device = forms.ChoiceField(
        label=_("Device"), choices=MeasurementRun.Device.choices, initial=MeasurementRun.Device.CUDA
    )
    batch = forms.IntegerField(
        label=_("Batch"),
        initial=1,
        min_value=RUN_LIMITS["batch"][0],
        max_value=RUN_LIMITS["batch"][1],
    )
    prompt_len = forms.IntegerField(
        label=_("Prompt length (tokens)"),
        initial=128,
        min_value=RUN_LIMITS["prompt_len"][0],
        max_value=RUN_LIMITS["prompt_len"][1],
    )
    new_tokens = forms.IntegerField(
        label=_("Generated tokens"),
        initial=64,
        min_value=RUN_LIMITS["new_tokens"][0],
        max_value=RUN_LIMITS["new_tokens"][1],
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        # labels without a colon ("모드:", "Modus:"), as the app's other forms write them
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        from django.conf import settings

        # where the workers are: cuda under docker compose, cpu for `make run` (Makefile)
        self.fields["device"].initial = settings.PROFILER_DEFAULT_DEVICE
