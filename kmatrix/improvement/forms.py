"""Forms of the checklist, assessment, plan, update and outcome pages.

Plain forms, not model forms: a model form writes into its instance while it checks, and the
services need the record as saved (its ``version``) to detect a concurrent edit.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from kmatrix.core.access import Viewer, Visibility, visible
from kmatrix.improvement import checklists
from kmatrix.improvement import plans as rules
from kmatrix.improvement.models import (
    Checklist,
    Gap,
    ImprovementPlan,
    ItemRating,
    Locality,
    PlanAction,
    PlanMeasure,
    PlanReview,
    ProgressUpdate,
    Rag,
    Rating,
    SustainabilityCheck,
)
from kmatrix.indicators import queries as indicator_queries
from kmatrix.networks.models import Network, Organisation, Person, Theme, Workstream

Plan = ImprovementPlan
BLANK = [("", "Not rated yet")]
TEXT = forms.Textarea


def _choice(queryset: QuerySet[Any], label: str, *, required: bool = False, **kw: Any) -> Any:
    return forms.ModelChoiceField(
        queryset=queryset,
        required=required,
        label=label,
        error_messages={"invalid_choice": f"Choose a {label.lower()} from the list."},
        **kw,
    )


def network_organisations(network: Network) -> QuerySet[Organisation]:
    return Organisation.objects.filter(network_links__network=network).order_by("name", "pk")


def network_people(viewer: Viewer, network: Network) -> QuerySet[Person]:
    members = visible(viewer, Person.objects.filter(memberships__network=network))
    return members.distinct().order_by("full_name", "pk")


# --- Checklists and localities -------------------------------------------------------------


class ChecklistImportForm(forms.Form):
    upload = forms.FileField(
        label="Checklist file",
        help_text="YAML (.yaml or .yml) or CSV (.csv), UTF-8, at most 2 MB",
        error_messages={"required": "Choose the checklist file to import."},
    )
    file_format = forms.ChoiceField(
        label="Format",
        choices=[("auto", "From the file name"), ("yaml", "YAML"), ("csv", "CSV")],
        initial="auto",
    )
    name = forms.CharField(
        max_length=200, required=False, label="Name", help_text="CSV only: the checklist's name"
    )
    slug = forms.SlugField(
        max_length=60, required=False, label="Short name", help_text="CSV only, e.g. sdg-checklist"
    )
    version = forms.CharField(
        max_length=20, required=False, label="Version", help_text="CSV only, e.g. 1.0"
    )

    def format(self) -> str:
        chosen = str(self.cleaned_data["file_format"])
        return (
            checklists.format_for(self.cleaned_data["upload"].name) if chosen == "auto" else chosen
        )


class LocalityForm(forms.Form):
    name = forms.CharField(
        max_length=200,
        label="Name",
        help_text="e.g. Derbyshire",
        error_messages={"required": "Enter the locality's name."},
    )
    kind = forms.ChoiceField(choices=Locality.Kind.choices, label="Kind of place")
    organisations = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label="Organisations in it",
        widget=forms.CheckboxSelectMultiple,
        error_messages=dict.fromkeys(
            ["invalid_choice", "invalid_pk_value"], "Choose organisations of this network."
        ),
    )

    def __init__(self, *args: Any, network: Network, **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = self.fields["organisations"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = network_organisations(network)

    @classmethod
    def initial_for(cls, locality: Locality) -> dict[str, Any]:
        return {
            "name": locality.name,
            "kind": locality.kind,
            "organisations": [o.pk for o in locality.organisations.all()],
        }


# --- Assessments ---------------------------------------------------------------------------


class AssessmentStartForm(forms.Form):
    checklist = _choice(Checklist.objects.none(), "Checklist", required=True)
    locality = _choice(Locality.objects.none(), "Locality", empty_label="Not a locality")
    organisation = _choice(
        Organisation.objects.none(), "Organisation", empty_label="Not one organisation"
    )
    assessed_on = forms.DateField(
        label="Date of the assessment",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a real date, for example 2025-03-31."},
    )
    visibility = forms.ChoiceField(
        choices=Visibility.choices, initial=Visibility.NETWORK, label="Who may read it"
    )
    summary = forms.CharField(widget=TEXT, required=False, label="Summary")

    def __init__(self, *args: Any, viewer: Viewer, network: Network, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self._set("checklist", visible(viewer, Checklist.objects.filter(network=network)))
        self._set("locality", Locality.objects.filter(network=network).order_by("name"))
        self._set("organisation", network_organisations(network))

    def _set(self, name: str, queryset: QuerySet[Any]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = queryset

    def clean_assessed_on(self) -> date:
        day: date = self.cleaned_data["assessed_on"]
        if day > timezone.localdate():
            raise ValidationError("An assessment records what is there: not a future date.")
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and (data.get("locality") is None) == (data.get("organisation") is None):
            self.add_error("locality", "Choose a locality or an organisation (one of them).")
        return data


class RatingsForm(forms.Form):
    """One rating, evidence, current provision and planned developments per item."""

    def __init__(self, *args: Any, ratings: list[ItemRating], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.rows = ratings
        for row in ratings:
            key = row.item_id
            self.fields[f"rating_{key}"] = forms.ChoiceField(
                choices=BLANK + list(Rating.choices),
                required=False,
                label=f"{row.item.code} rating",
                initial=row.rating,
            )
            for name, label in (
                ("evidence", "Evidence"),
                ("current_provision", "Current provision"),
                ("planned_developments", "Planned developments or reconfiguration"),
            ):
                self.fields[f"{name}_{key}"] = forms.CharField(
                    widget=forms.Textarea(attrs={"rows": 2}),
                    required=False,
                    label=f"{label} ({row.item.code})",
                    initial=getattr(row, name),
                )

    def field_names(self, row: ItemRating) -> list[str]:
        key = row.item_id
        return [
            f"rating_{key}",
            f"evidence_{key}",
            f"current_provision_{key}",
            f"planned_developments_{key}",
        ]


class EvidenceUploadForm(forms.Form):
    file = forms.FileField(label="Evidence file", help_text="At most 20 MB")


# --- Plans ---------------------------------------------------------------------------------


class GapChoices(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.item.code} {obj.item.question[:80]} ({obj.locality or obj.organisation})"


class MeasureChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.indicator.name}, {obj.organisation.name}"


class PlanForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(max_length=200, label="Title")
    theme = _choice(Theme.objects.none(), "Theme", required=True)
    workstream = _choice(Workstream.objects.none(), "Workstream", empty_label="No workstream")
    locality = _choice(Locality.objects.none(), "Locality", empty_label="No locality")
    organisation = _choice(
        Organisation.objects.none(), "Organisation", empty_label="No organisation"
    )
    aim = forms.CharField(
        widget=TEXT, required=False, label="Aim", help_text="What the plan will achieve, by when"
    )
    gaps = GapChoices(
        queryset=Gap.objects.none(),
        required=False,
        label="Gaps it addresses",
        widget=forms.CheckboxSelectMultiple,
    )
    baseline = forms.CharField(
        widget=TEXT, required=False, label="Baseline", help_text="Where things stand at the start"
    )
    method = forms.ChoiceField(
        choices=[("", "Not chosen yet"), *Plan.Method.choices], required=False, label="Method"
    )
    method_other = forms.CharField(max_length=200, required=False, label="Other method")
    lead = _choice(Person.objects.none(), "Lead", empty_label="No lead yet")
    team = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(),
        required=False,
        label="Team",
        widget=forms.CheckboxSelectMultiple,
    )
    rag = forms.ChoiceField(
        choices=[("", "Not rated"), *Rag.choices], required=False, label="RAG rating"
    )
    update_every_months = forms.TypedChoiceField(
        choices=[(1, "Monthly"), (2, "Every two months"), (3, "Quarterly")],
        coerce=int,
        initial=1,
        label="Progress updates",
    )
    visibility = forms.ChoiceField(
        choices=Visibility.choices, initial=Visibility.NETWORK, label="Who may read it"
    )
    shared_with_partners = forms.BooleanField(
        required=False,
        label="Share with partner networks",
        help_text="Members of networks linked to this one may read it once it is published "
        "(plans readable by the whole network only)",
    )

    def __init__(
        self, *args: Any, viewer: Viewer, network: Network, plan: Plan | None = None, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        themes = Theme.objects.filter(adoptions__network=network).order_by("adoptions__position")
        self._set("theme", themes)
        self._set("workstream", visible(viewer, Workstream.objects.filter(network=network)))
        self._set("locality", Locality.objects.filter(network=network).order_by("name"))
        self._set("organisation", network_organisations(network))
        people = network_people(viewer, network)
        self._set("lead", people)
        self._set("team", people)
        gaps = visible(viewer, Gap.objects.filter(network=network, status=Gap.Status.OPEN))
        if plan is not None:
            gaps = gaps | visible(viewer, plan.gaps.all())
        self._set("gaps", gaps.select_related("item", "locality", "organisation").distinct())

    def _set(self, name: str, queryset: QuerySet[Any]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = queryset

    @classmethod
    def initial_for(cls, plan: Plan) -> dict[str, Any]:
        values: dict[str, Any] = {
            name: getattr(plan, name)
            for name in (
                "title",
                "aim",
                "baseline",
                "method",
                "method_other",
                "rag",
                "update_every_months",
                "visibility",
                "shared_with_partners",
                "version",
            )
        }
        for name in ("theme", "workstream", "locality", "organisation", "lead"):
            values[name] = getattr(plan, f"{name}_id")
        values["team"] = [p.pk for p in plan.team.all()]
        values["gaps"] = [g.pk for g in plan.gaps.all()]
        return values

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in ("version", "gaps", "team"):
            data.pop(name, None)
        return data


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("published", "Publish the plan"), ("returned", "Return it with comments")],
        widget=forms.RadioSelect,
        label="Your decision",
        error_messages={"required": "Choose to publish the plan or return it."},
    )
    comment = forms.CharField(
        widget=TEXT,
        required=False,
        label="Comments",
        help_text="Needed when you return the plan: say what should change",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("decision") == PlanReview.Decision.RETURNED
            and not (data.get("comment") or "").strip()
        ):
            self.add_error("comment", "Say what needs to change before you return the plan.")
        return data


class FinishForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        choices=[(s.value, s.label) for s in Plan.FINISHED],
        widget=forms.RadioSelect,
        label="The plan is now",
    )


class ActionForm(forms.Form):
    title = forms.CharField(max_length=200, label="Action")
    is_milestone = forms.BooleanField(required=False, label="This is a milestone")
    owner = _choice(Person.objects.none(), "Owner", empty_label="Nobody yet")
    due_on = forms.DateField(
        required=False,
        label="Due",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a real date, for example 2025-03-31."},
    )
    status = forms.ChoiceField(choices=PlanAction.Status.choices, label="Status")

    def __init__(self, *args: Any, viewer: Viewer, network: Network, **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = self.fields["owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = network_people(viewer, network)


class MeasureForm(forms.Form):
    indicator = _choice(PlanMeasure.objects.none(), "Indicator", required=True)
    organisation = _choice(Organisation.objects.none(), "Organisation", required=True)

    def __init__(self, *args: Any, viewer: Viewer, network: Network, **kw: Any) -> None:
        super().__init__(*args, **kw)
        indicator = self.fields["indicator"]
        assert isinstance(indicator, forms.ModelChoiceField)
        indicator.queryset = indicator_queries.indicators_for(viewer, network)
        organisation = self.fields["organisation"]
        assert isinstance(organisation, forms.ModelChoiceField)
        organisation.queryset = network_organisations(network)


# --- Progress updates ----------------------------------------------------------------------


def open_periods(plan: Plan, today: date) -> list[date]:
    """The periods an update may be written for: started, and not submitted yet."""
    first = rules.first_period(plan)
    if first is None:
        return []
    step = max(plan.update_every_months, 1)
    periods, period = [], first
    while period <= rules.month_start(today):
        periods.append(period)
        period = rules.add_months(period, step)
    return periods


class UpdateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    period = forms.TypedChoiceField(choices=[], coerce=date.fromisoformat, label="Period")
    progress = forms.CharField(widget=TEXT, required=False, label="Progress")
    next_steps = forms.CharField(widget=TEXT, required=False, label="Next steps")
    risks = forms.CharField(widget=TEXT, required=False, label="Risks and issues")
    help_needed = forms.CharField(widget=TEXT, required=False, label="Help asked of the network")
    rag = forms.ChoiceField(
        choices=[("", "Not rated yet"), *Rag.choices], required=False, label="RAG rating"
    )

    def __init__(
        self,
        *args: Any,
        plan: Plan,
        measures: list[PlanMeasure],
        periods: list[date],
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        period = self.fields["period"]
        assert isinstance(period, forms.TypedChoiceField)
        period.choices = [(p.isoformat(), f"{p:%B %Y}") for p in periods]
        self.measures = measures
        for m in measures:
            label = f"{m.indicator.name}, {m.organisation.name}"
            self.fields[f"measure_{m.pk}_value"] = forms.CharField(
                required=False, label=f"{label}: value", max_length=40
            )
            if m.indicator.numerator_definition:
                self.fields[f"measure_{m.pk}_numerator"] = forms.CharField(
                    required=False,
                    label=f"{label}: numerator",
                    max_length=40,
                    help_text=m.indicator.numerator_definition,
                )
                self.fields[f"measure_{m.pk}_denominator"] = forms.CharField(
                    required=False,
                    label=f"{label}: denominator",
                    max_length=40,
                    help_text=m.indicator.denominator_definition,
                )

    @classmethod
    def initial_for(cls, update: ProgressUpdate) -> dict[str, Any]:
        values: dict[str, Any] = {
            name: getattr(update, name)
            for name in ("progress", "next_steps", "risks", "help_needed", "rag", "version")
        }
        values["period"] = update.period.isoformat()
        for row in update.measures.all():
            for name in ("value", "numerator", "denominator"):
                number = getattr(row, name)
                values[f"measure_{row.measure_id}_{name}"] = "" if number is None else f"{number:g}"
        return values

    def values(self) -> dict[int, Any]:
        from kmatrix.improvement.services import MeasureValue

        return {
            m.pk: MeasureValue(
                self.cleaned_data.get(f"measure_{m.pk}_value") or None,
                self.cleaned_data.get(f"measure_{m.pk}_numerator") or None,
                self.cleaned_data.get(f"measure_{m.pk}_denominator") or None,
            )
            for m in self.measures
        }


class UpdateReviewForm(forms.Form):
    feedback = forms.CharField(widget=TEXT, required=False, label="Feedback to the team")
    in_summary = forms.BooleanField(
        required=False, label="Include this update in the theme summary for the network"
    )


# --- Outcomes ------------------------------------------------------------------------------


class OutcomeForm(forms.Form):
    summary = forms.CharField(widget=TEXT, label="What changed")
    evidence = forms.CharField(widget=TEXT, required=False, label="Evidence")
    measure = MeasureChoice(
        queryset=PlanMeasure.objects.none(),
        required=False,
        label="Measure",
        empty_label="No measure",
        help_text="The series whose SPC chart shows the improvement",
    )
    recorded_on = forms.DateField(
        label="Recorded on",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a real date, for example 2025-03-31."},
    )
    file = forms.FileField(required=False, label="Evidence file", help_text="At most 20 MB")

    def __init__(self, *args: Any, plan: Plan, **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = self.fields["measure"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = plan.measures.select_related("indicator", "organisation")
        if not self.is_bound:
            self.initial.setdefault("recorded_on", timezone.localdate())

    def clean_recorded_on(self) -> date:
        day: date = self.cleaned_data["recorded_on"]
        if day > timezone.localdate():
            raise ValidationError("An outcome is recorded once it has happened: not a future date.")
        return day


class CheckForm(forms.Form):
    checked_on = forms.DateField(
        label="Checked on",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a real date, for example 2025-03-31."},
    )
    result = forms.ChoiceField(choices=SustainabilityCheck.Result.choices, label="Result")
    note = forms.CharField(widget=TEXT, required=False, label="Note")
