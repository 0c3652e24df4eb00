"""Forms for programmes and their funding. Amounts and financial years are read by money.py and
years.py, so the form, the API and the services refuse the same things with the same words."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from kmatrix.networks.models import Group, Network, Organisation, Person, Theme
from kmatrix.programmes import money, years
from kmatrix.programmes.models import (
    FundingAward,
    Milestone,
    Programme,
    ProgrammeUpdate,
)

DATE = forms.DateInput(attrs={"type": "date"})


class MoneyField(forms.CharField):
    """Pounds as people type them (£1,355,640 or 133000.50): a Decimal, or a clear error."""

    def __init__(self, *args: Any, allow_zero: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("help_text", "In pounds, for example 133000 or £1,355,640")
        self.allow_zero = allow_zero
        super().__init__(*args, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return money.pounds(value).removeprefix("£")
        return value

    def clean(self, value: Any) -> Decimal | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return money.parse(text, allow_zero=self.allow_zero)
        except money.AmountError as error:
            raise ValidationError(str(error)) from None


class FinancialYearField(forms.CharField):
    """A financial year written 2022/23; its starting year as a number."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", "For example 2022/23 (April 2022 to March 2023)")
        super().__init__(*args, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        return years.label(value) if isinstance(value, int) else value

    def clean(self, value: Any) -> int | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return years.parse(text)
        except years.FinancialYearError as error:
            raise ValidationError(str(error)) from None


def network_organisations(network: Network) -> QuerySet[Organisation]:
    return Organisation.objects.filter(network_links__network=network).order_by("name")


class ProgrammeForm(forms.ModelForm[Programme]):
    class Meta:
        model = Programme
        fields = [
            "name",
            "slug",
            "theme",
            "status",
            "sponsor",
            "lead_organisation",
            "partners",
            "lead",
            "starts_on",
            "ends_on",
            "summary",
            "description",
            "visibility",
        ]
        widgets = {"starts_on": DATE, "ends_on": DATE, "partners": forms.CheckboxSelectMultiple}
        labels = {"visibility": "Who may see this programme"}

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.network = network
        fields: dict[str, Any] = self.fields
        fields["theme"].queryset = Theme.objects.filter(adoptions__network=network).order_by(
            "adoptions__position"
        )
        fields["sponsor"].queryset = Group.objects.filter(network=network).order_by("name")
        organisations = network_organisations(network)
        fields["lead_organisation"].queryset = organisations
        fields["partners"].queryset = organisations
        fields["lead"].queryset = Person.objects.filter(
            memberships__network=network, memberships__left_on__isnull=True
        ).order_by("full_name")


class AwardForm(forms.ModelForm[FundingAward]):
    amount = MoneyField(
        label="Amount (£)",
        required=False,
        help_text="Exact, in pounds, for example 1355640; leave empty when no exact figure "
        "is known and say how it was stated below",
    )
    first_year = FinancialYearField(label="First financial year", required=False)
    last_year = FinancialYearField(
        label="Last financial year",
        required=False,
        help_text="For funding over several years, for example 2023/24; empty for one year",
    )

    class Meta:
        model = FundingAward
        fields = [
            "funder",
            "funder_note",
            "amount",
            "amount_note",
            "first_year",
            "last_year",
            "term_years",
            "status",
            "secured_on",
            "notes",
        ]
        widgets = {"secured_on": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["funder"].queryset = Organisation.objects.order_by("name")  # type: ignore[attr-defined]


class AllocationForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        help_text="Who receives it; leave empty for an element kept for a purpose",
    )
    purpose = forms.CharField(max_length=200, help_text="For example: recruitment element")
    amount = MoneyField(label="Amount (£)")
    notes = forms.CharField(widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = network_organisations(network)  # type: ignore[attr-defined]


class MilestoneForm(forms.ModelForm[Milestone]):
    class Meta:
        model = Milestone
        fields = ["title", "status", "on", "precision", "when_note"]
        widgets = {"on": DATE}


class UpdateForm(forms.ModelForm[ProgrammeUpdate]):
    class Meta:
        model = ProgrammeUpdate
        fields = ["on", "text", "source"]
        widgets = {"on": DATE}


class LinkForm(forms.Form):
    indicator: forms.ModelChoiceField[Any] = forms.ModelChoiceField(queryset=None)
    note = forms.CharField(max_length=200, required=False)

    def __init__(self, *args: Any, indicators: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators  # type: ignore[attr-defined]


class PlanLinkForm(forms.Form):
    plan: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Improvement plan", queryset=None
    )
    note = forms.CharField(max_length=200, required=False)

    def __init__(self, *args: Any, plans: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the network's plans the editor may read are offered (and accepted).
        self.fields["plan"].queryset = plans  # type: ignore[attr-defined]
