"""Forms for time given and the time report's range of months."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from kmatrix.core.access import Viewer
from kmatrix.improvement import work
from kmatrix.improvement.models import ImprovementPlan, TimeLog
from kmatrix.networks.models import Network


class MonthField(forms.CharField):
    """A month typed as ``2025-03``; cleans to the first day of the month."""

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        if isinstance(value, date):
            return work.month_start(value)
        text = (super().to_python(value) or "")[:20]
        if not text:
            return None
        try:
            return work.parse_month(text)
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid") from None

    def prepare_value(self, value: Any) -> Any:
        return value.strftime("%Y-%m") if isinstance(value, date) else value


class TimeLogForm(forms.Form):
    month = MonthField(help_text="Year and month, for example 2025-03", label="Month")
    days = forms.DecimalField(
        max_digits=4,
        decimal_places=1,
        label="Days given",
        help_text="Whole or half days, for example 1 or 0.5",
        error_messages={
            "required": "Enter the days you gave.",
            "invalid": "Enter the days as a number, for example 1.5.",
            "max_decimal_places": "Enter the days to one decimal place at most, for example 0.5.",
            "max_digits": "Enter at most 31 days: no month has more.",
            "max_whole_digits": "Enter at most 31 days: no month has more.",
        },
    )
    plan = forms.ModelChoiceField(
        queryset=ImprovementPlan.objects.none(),
        required=False,
        label="Plan",
        help_text="The plan you worked on, if one",
        empty_label="No plan in particular",
        error_messages={"invalid_choice": "Choose a plan of this network."},
    )
    note = forms.CharField(max_length=300, required=False, label="Note")

    def __init__(
        self, *args: Any, viewer: Viewer, network: Network, today: date | None = None, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.today = today or timezone.localdate()
        plan_field = self.fields["plan"]
        assert isinstance(plan_field, forms.ModelChoiceField)
        plan_field.queryset = work.loggable_plans(viewer, network).only("pk", "title")
        if not self.is_bound and "month" not in self.initial:
            self.initial["month"] = work.month_start(self.today)

    def clean_month(self) -> date:
        month: date = self.cleaned_data["month"]
        if month > work.month_start(self.today):
            raise ValidationError("The month cannot be in the future: log time once it is given.")
        return month

    def clean_days(self) -> Decimal:
        days: Decimal = self.cleaned_data["days"]
        if days <= 0:
            raise ValidationError("Enter more than 0 days.")
        if days > 31:
            raise ValidationError("Enter at most 31 days: no month has more.")
        return days

    @classmethod
    def initial_for(cls, log: TimeLog) -> dict[str, Any]:
        return {"month": log.month, "days": log.days, "plan": log.plan_id, "note": log.note}


class ReportRangeForm(forms.Form):
    """The months of the time report (a GET form: blank means the last 12 months)."""

    start = MonthField(required=False, label="From", help_text="For example 2025-01")
    end = MonthField(required=False, label="To", help_text="For example 2025-12")

    def __init__(self, *args: Any, today: date | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.today = today or timezone.localdate()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            data["start"], data["end"] = work.report_range(
                data.get("start"), data.get("end"), self.today
            )
        except ValidationError as exc:
            names = {"from": "start", "to": "end"}
            for key, messages in exc.message_dict.items():
                self.add_error(names.get(key, key), messages)
        return data
