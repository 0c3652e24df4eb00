"""Forms of the indicator pages: chart settings, annotations, the review's periods, uploads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils import timezone

from kmatrix.indicators import periods
from kmatrix.indicators.charts import period_label
from kmatrix.indicators.models import Annotation, Indicator
from kmatrix.indicators.spc import SpcError, SpcSettings

PERIOD_HINT = "For example 2025-03, or 01/03/2025"


def _period(text: str, frequency: str) -> date:
    """A typed period, moved to the first day of its month, quarter or year."""
    try:
        day = periods.parse(text)
    except periods.PeriodError as error:
        raise forms.ValidationError(f"{error}.") from None
    if day > timezone.localdate():
        raise forms.ValidationError("The period is in the future.")
    return periods.start_of(day, frequency)


# --- Chart settings ------------------------------------------------------------------------


def _tri_state(value: str) -> bool | None:
    return {"on": True, "off": False}.get(value)


class SpcSettingsForm(forms.ModelForm[Indicator]):
    """How an indicator's charts are read. It applies to every organisation's chart."""

    run_length = forms.TypedChoiceField(
        label="Run length for shifts and trends",
        choices=[
            ("", "The preset's (6 for MDC, 7 for plot the dots)"),
            ("6", "6 points"),
            ("7", "7 points"),
        ],
        coerce=int,
        empty_value=None,
        required=False,
    )
    screen_outliers = forms.TypedChoiceField(
        label="Moving-range screening",
        choices=[
            ("", "The preset's (off for MDC, on for plot the dots)"),
            ("on", "On"),
            ("off", "Off"),
        ],
        coerce=_tri_state,
        empty_value=None,
        required=False,
    )
    baseline_points = forms.IntegerField(
        label="Baseline (points)",
        min_value=2,
        max_value=1000,
        required=False,
        help_text="Work out the mean and limits from the first points only; blank for all points",
    )

    class Meta:
        model = Indicator
        fields = [
            "spc_preset",
            "run_length",
            "screen_outliers",
            "baseline_points",
            "show_two_sigma",
        ]
        labels = {"spc_preset": "Preset", "show_two_sigma": "Show the two-sigma lines"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.screen_outliers is not None:
            self.initial["screen_outliers"] = "on" if self.instance.screen_outliers else "off"

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data
        try:
            SpcSettings(
                preset=data.get("spc_preset") or "mdc",
                direction=self.instance.direction,  # type: ignore[arg-type]
                run_length=data.get("run_length"),
                screen_outliers=data.get("screen_outliers"),
                baseline=data.get("baseline_points"),
            )
        except SpcError as error:
            message = str(error)
            if "run length" in message:
                self.add_error("run_length", message)
            elif "baseline" in message:
                self.add_error("baseline_points", message)
            else:
                self.add_error(None, message)
        return data


# --- Annotations ---------------------------------------------------------------------------


class AnnotationForm(forms.Form):
    period = forms.CharField(label="Period", max_length=20, help_text=PERIOD_HINT)
    text = forms.CharField(label="Note", max_length=200, help_text="For example: new policy")
    recalculate = forms.BooleanField(
        label="Recalculate the mean and limits from this period", required=False
    )
    everyone = forms.BooleanField(
        label="Show it on every organisation's chart of this indicator", required=False
    )

    def __init__(self, *args: Any, indicator: Indicator, series: Sequence[date], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.series = list(series)

    def clean_period(self) -> date:
        return _period(self.cleaned_data["period"], self.indicator.frequency)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        period = data.get("period")
        if data.get("recalculate") and isinstance(period, date) and period not in self.series[1:]:
            if len(self.series) < 2:
                message = "A recalculation needs a chart with at least two points."
            else:
                message = (
                    "A recalculation starts at a period of this chart after its first: "
                    f"{period_label(self.series[1], self.indicator.frequency)} to "
                    f"{period_label(self.series[-1], self.indicator.frequency)}."
                )
            self.add_error("period", message)
        return data

    def annotation(self, organisation_id: int) -> Annotation:
        data = self.cleaned_data
        return Annotation(
            indicator=self.indicator,
            organisation_id=None if data["everyone"] else organisation_id,
            period=data["period"],
            text=data["text"],
            recalculate=data["recalculate"],
        )


# --- Review -------------------------------------------------------------------------------


class ReviewForm(forms.Form):
    """Two periods of one indicator, side by side. Blank periods default to the latest period
    and the same month two years earlier (the restrictive-practice review's comparison)."""

    indicator = forms.ModelChoiceField(
        queryset=Indicator.objects.none(), to_field_name="code", empty_label=None
    )
    first = forms.CharField(
        label="Earlier period", max_length=20, required=False, help_text=PERIOD_HINT
    )
    second = forms.CharField(
        label="Later period", max_length=20, required=False, help_text="Blank for the latest"
    )

    def __init__(self, *args: Any, indicators: QuerySet[Indicator], ranges: Any, **kwargs: Any):
        """``ranges(indicator)`` gives the first and latest periods with data."""
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators  # type: ignore[attr-defined]
        self.ranges = ranges

    def _typed(self, name: str, frequency: str) -> date | None:
        text = (self.cleaned_data.get(name) or "").strip()
        if not text:
            return None
        try:
            return _period(text, frequency)
        except forms.ValidationError as error:
            self.add_error(name, error)
            return None

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        indicator = data.get("indicator")
        if indicator is None:
            return data
        earliest, latest = self.ranges(indicator)
        if earliest is None or latest is None:
            self.add_error("indicator", "There is no data for this indicator yet.")
            return data
        frequency = indicator.frequency
        second = self._typed("second", frequency) or latest
        # Two years before, or the first period with data when that is later.
        first = self._typed("first", frequency) or max(
            earliest, periods.add(second, "monthly", -24)
        )
        if self.errors:
            return data
        for name, period in (("first", first), ("second", second)):
            if not earliest <= period <= latest:
                self.add_error(
                    name,
                    f"There is no data for {period_label(period, frequency)}: this indicator has "
                    f"data from {period_label(earliest, frequency)} to "
                    f"{period_label(latest, frequency)}.",
                )
        if not self.errors and first >= second:
            self.add_error("first", "The earlier period must be before the later one.")
        data["first_period"], data["second_period"] = first, second
        return data


# --- Upload -------------------------------------------------------------------------------


FORMAT_CHOICES = [
    ("auto", "Work it out from the columns"),
    ("long", "Long: indicator_code, org_code, period, value (numerator, denominator, note)"),
    ("nhs-sickness", "NHS Digital monthly sickness absence CSV, as published"),
]


class UploadForm(forms.Form):
    upload = forms.FileField(label="File", help_text="A CSV or XLSX file")
    file_format = forms.ChoiceField(label="Format", choices=FORMAT_CHOICES, initial="auto")
    indicator_code = forms.ChoiceField(
        label="Indicator for the sickness absence rate",
        required=False,
        help_text="Only for NHS Digital's sickness absence files",
    )
    dry_run = forms.BooleanField(
        label="Dry run: show what would be new, changed and unchanged, and save nothing",
        required=False,
    )

    def __init__(self, *args: Any, codes: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator_code"].choices = [("", "Choose an indicator"), *codes]  # type: ignore[attr-defined]

    def clean_upload(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["upload"]
        name = (upload.name or "").lower()
        limit = settings.KMATRIX_MAX_UPLOAD_BYTES
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(
                f"The file is too large: the limit is {limit // (1024 * 1024)} MB."
            )
        head = upload.read(4096)
        upload.seek(0)
        if name.endswith(".xlsx"):
            if not head.startswith(b"PK\x03\x04"):
                raise forms.ValidationError("This file is not an XLSX workbook.")
        elif name.endswith(".csv"):
            if not _text(head):
                raise forms.ValidationError("This file is not a CSV file: save it as CSV or XLSX.")
        else:
            raise forms.ValidationError("Choose a CSV or XLSX file (ending .csv or .xlsx).")
        return upload

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("file_format") == "nhs-sickness" and not data.get("indicator_code"):
            self.add_error(
                "indicator_code", "Choose the indicator the sickness absence rate goes to."
            )
        return data


_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\r\x0c")


def _text(head: bytes) -> bool:
    if head.translate(None, _CONTROL) != head:
        return False
    # The first block may end part-way through a character.
    for encoding in ("utf-8", "cp1252"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError as error:
            if encoding == "utf-8" and error.start >= len(head) - 3:
                return True
            continue
        return True
    return False
