"""Forms of the supervision pages, drawn by core/jinja2/core/forms.html."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from kmatrix.networks.forms import AcceptInvitationForm
from kmatrix.networks.models import Group, Organisation, Person
from kmatrix.supervision.choices import (
    CheckKind,
    CheckStatus,
    InvoiceStatus,
    Modality,
    Mode,
    Profession,
    ProfessionalBody,
    ServiceRoleKind,
    SupervisorKind,
    SupervisorStatus,
)
from kmatrix.supervision.models import SupervisionService, Supervisor, VettingCheck
from kmatrix.supervision.queries import TIMES_OF_DAY, SessionFilters, member_providers
from kmatrix.supervision.times import at_london, parse_month

DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time"})
ANY = [("", "Any")]
DEFAULT_WINDOW = timedelta(weeks=8)  # what the session search shows without dates
NEGATIVE_FEE = "A fee cannot be negative."


class ServiceForm(forms.ModelForm[SupervisionService]):
    required_checks = forms.MultipleChoiceField(
        choices=CheckKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Checks a supervisor needs, all valid, to be booked",
    )

    class Meta:
        model = SupervisionService
        fields = [
            "name",
            "description",
            "contact_email",
            "sponsor_group",
            "programme",
            "notice_hours",
            "reminder_days",
            "offer_hours",
            "open_for_applications",
            "required_checks",
        ]

    def __init__(
        self, *args: Any, network_id: int, programmes: QuerySet[Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        groups = Group.objects.filter(network_id=network_id).order_by("name")
        self.fields["sponsor_group"].queryset = groups  # type: ignore[attr-defined]
        # Only the network's programmes the editor may read are offered (and accepted).
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]
        self.fields["notice_hours"].max_value = 24 * 14  # type: ignore[attr-defined]
        self.fields["reminder_days"].max_value = 365  # type: ignore[attr-defined]
        self.fields["offer_hours"].max_value = 24 * 7  # type: ignore[attr-defined]


class RoleForm(forms.Form):
    person = forms.ModelChoiceField(queryset=Person.objects.none(), label="Who")
    role = forms.ChoiceField(choices=ServiceRoleKind.choices, widget=forms.RadioSelect)
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label="Provider they lead for",
        help_text="Only for a provider lead",
    )

    def __init__(self, *args: Any, service: SupervisionService, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = Person.objects.filter(memberships__network_id=service.network_id).order_by(
            "full_name"
        )
        self.fields["person"].queryset = people  # type: ignore[attr-defined]
        self.fields["organisation"].queryset = member_providers(service)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role") == ServiceRoleKind.PROVIDER_LEAD and not data.get("organisation"):
            self.add_error("organisation", "Choose the provider they lead for.")
        return data


class ProfileFields(forms.Form):
    """What a supervisor offers: shared by registration, the project manager's form and the
    supervisor's own."""

    profession = forms.ChoiceField(choices=Profession.choices)
    modalities = forms.MultipleChoiceField(
        choices=Modality.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Modalities you supervise in",
    )
    professional_body = forms.ChoiceField(
        choices=[("", "Choose a body"), *ProfessionalBody.choices], required=False
    )
    registration_number = forms.CharField(max_length=40, required=False)
    experience_years = forms.IntegerField(
        min_value=0, max_value=60, required=False, label="Years of experience as a supervisor"
    )
    languages = forms.CharField(
        max_length=200, required=False, help_text="For example: English, Urdu"
    )
    offers_virtual = forms.BooleanField(
        required=False, initial=True, label="I offer virtual supervision"
    )
    offers_in_person = forms.BooleanField(required=False, label="I offer supervision in person")
    in_person_area = forms.CharField(
        max_length=200, required=False, label="Where you meet in person", help_text="A town or site"
    )
    about = forms.CharField(widget=forms.Textarea, required=False, label="About your supervision")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("offers_virtual") or data.get("offers_in_person")):
            self.add_error("offers_virtual", "Offer virtual supervision, in person, or both.")
        return data

    def profile(self) -> dict[str, Any]:
        names = [n for n in ProfileFields.base_fields if n != "modalities"]
        return {name: self.cleaned_data[name] for name in names}


class RegistrationForm(ProfileFields, AcceptInvitationForm):
    """What an external supervisor offers, and the account's name, email and password (the
    password fields and their checks are the invitation form's)."""

    full_name = forms.CharField(max_length=200, label="Full name")
    email = forms.EmailField(label="Email address", help_text="We send a link to confirm it")
    field_order = ["full_name", "email", "password1", "password2"]


class SupervisorForm(ProfileFields):
    """The project manager's form: who, what kind, and the fee."""

    full_name = forms.CharField(
        max_length=200,
        required=False,
        label="Full name",
        help_text="For someone not yet in the directory",
    )
    email = forms.EmailField(
        required=False,
        label="Email address",
        help_text="Someone already in the directory is found by it",
    )
    kind = forms.ChoiceField(choices=SupervisorKind.choices, widget=forms.RadioSelect)
    provider = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        help_text="Internal: the provider they work for. Retired and returned: the one they left",
    )
    rate = forms.DecimalField(
        label="Fee per session (£)", max_digits=8, decimal_places=2, min_value=Decimal("0")
    )
    field_order = ["full_name", "email", "kind", "provider", "rate"]

    def __init__(
        self, *args: Any, service: SupervisionService, editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = member_providers(service)  # type: ignore[attr-defined]
        self.fields["rate"].error_messages["min_value"] = NEGATIVE_FEE
        if editing:
            del self.fields["full_name"], self.fields["email"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "email" in self.fields and not data.get("email"):
            self.add_error("email", "Give their email address.")
        new = data.get("email") and not Person.objects.filter(email__iexact=data["email"]).exists()
        if "full_name" in self.fields and new and not data.get("full_name"):
            self.add_error("full_name", "Give their name: they are not in the directory yet.")
        if data.get("kind") == SupervisorKind.INTERNAL and not data.get("provider"):
            self.add_error("provider", "Choose the provider they work for.")
        return data


def supervisor_initial(supervisor: Supervisor) -> dict[str, Any]:
    names = [*ProfileFields.base_fields, "kind", "provider", "rate"]
    initial = {n: getattr(supervisor, n) for n in names if n != "modalities"}
    initial["provider"] = supervisor.provider_id
    initial["modalities"] = [m.modality for m in supervisor.modalities.all()]
    return initial


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=SupervisorStatus.choices)


class CheckForm(forms.ModelForm[VettingCheck]):
    class Meta:
        model = VettingCheck
        fields = ["status", "reference", "checked_on", "expires_on", "notes"]
        widgets = {"checked_on": DATE, "expires_on": DATE, "status": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = CheckStatus.choices  # type: ignore[attr-defined]


class SlotForm(forms.Form):
    day = forms.DateField(widget=DATE, label="Date")
    start = forms.TimeField(widget=TIME, label="Start time (UK time)")
    duration_minutes = forms.IntegerField(
        min_value=15, max_value=240, initial=60, label="Length in minutes"
    )
    mode = forms.ChoiceField(choices=Mode.choices, widget=forms.RadioSelect, initial=Mode.VIRTUAL)
    capacity = forms.IntegerField(
        min_value=1,
        max_value=12,
        initial=1,
        label="Places",
        help_text="1 for individual supervision, 2 to 12 for a group",
    )
    location = forms.CharField(
        max_length=200,
        required=False,
        help_text="In person: the address. Virtual: the platform, such as Microsoft Teams",
    )
    joining_link = forms.URLField(
        required=False,
        assume_scheme="https",
        help_text="Virtual: the call's address, sent only to people booked",
    )
    rate = forms.DecimalField(
        required=False,
        label="Fee for the session (£)",
        help_text="Leave blank for the supervisor's usual fee",
        max_digits=8,
        decimal_places=2,
        min_value=Decimal("0"),
    )

    def __init__(self, *args: Any, fee: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rate"].error_messages["min_value"] = NEGATIVE_FEE
        if not fee:
            del self.fields["rate"]

    def starts_at(self) -> datetime | None:
        day, start = self.cleaned_data.get("day"), self.cleaned_data.get("start")
        if day is None or start is None:
            return None
        return at_london(day, start)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("day") and data.get("start") and self.starts_at() is None:
            self.add_error("start", "That time does not exist that day: the clocks go forward.")
        return data


class AvailabilityForm(forms.Form):
    weekday = forms.TypedChoiceField(
        coerce=int,
        label="Day of the week",
        choices=[
            (0, "Monday"),
            (1, "Tuesday"),
            (2, "Wednesday"),
            (3, "Thursday"),
            (4, "Friday"),
            (5, "Saturday"),
            (6, "Sunday"),
        ],
    )
    start = forms.TimeField(
        widget=TIME,
        label="Start time (UK time)",
        help_text="The same time all year, summer and winter",
    )
    duration_minutes = forms.IntegerField(
        min_value=15, max_value=240, initial=60, label="Length in minutes"
    )
    every_weeks = forms.TypedChoiceField(
        coerce=int,
        choices=[(1, "Every week"), (2, "Every two weeks")],
        widget=forms.RadioSelect,
        initial=1,
        label="Repeats",
    )
    first_day = forms.DateField(widget=DATE, label="From")
    last_day = forms.DateField(widget=DATE, label="Until", help_text="Up to a year ahead")
    mode = forms.ChoiceField(choices=Mode.choices, widget=forms.RadioSelect, initial=Mode.VIRTUAL)
    capacity = forms.IntegerField(min_value=1, max_value=12, initial=1, label="Places")
    location = forms.CharField(max_length=200, required=False)
    joining_link = forms.URLField(required=False, assume_scheme="https")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_day"), data.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", "The last day must be on or after the first.")
        return data


class BookingForm(forms.Form):
    profession = forms.ChoiceField(
        choices=[("", "Choose your profession"), *Profession.choices],
        label="Your profession",
        help_text="Counted against your provider's need for supervision",
    )
    focus = forms.CharField(
        widget=forms.Textarea,
        required=False,
        max_length=2000,
        label="What you would like to bring",
        help_text="Shared with the supervisor",
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        max_length=300, required=False, label="Reason", help_text="Shared with the supervisor"
    )


class MoveForm(forms.Form):
    slot = forms.TypedChoiceField(coerce=int, label="Move to", widget=forms.RadioSelect)

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = choices  # type: ignore[attr-defined]


class RunForm(forms.Form):
    month = forms.CharField(label="Month", help_text="For example 2026-03", max_length=10)

    def clean_month(self) -> date:
        found = parse_month(self.cleaned_data["month"])
        if found is None:
            raise ValidationError("Give a month as year and month, for example 2026-03.")
        return found


class InvoiceForm(forms.Form):
    status = forms.ChoiceField(choices=InvoiceStatus.choices)
    paid_on = forms.DateField(widget=DATE, required=False, label="Date paid")


class NeedForm(forms.Form):
    """A provider's need for one year: one number per profession (blank: none recorded)."""

    def __init__(self, *args: Any, current: dict[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for value, label in Profession.choices:
            self.fields[value] = forms.IntegerField(
                min_value=0,
                max_value=100_000,
                required=False,
                label=label,
                initial=current.get(value),
            )

    def needs(self) -> dict[str, int | None]:
        return {value: self.cleaned_data.get(value) for value, _label in Profession.choices}


class SearchForm(forms.Form):
    modality = forms.ChoiceField(choices=ANY + Modality.choices, required=False)
    profession = forms.ChoiceField(
        choices=ANY + Profession.choices, required=False, label="Supervisor's profession"
    )
    mode = forms.ChoiceField(
        choices=ANY + Mode.choices, required=False, label="Virtual or in person"
    )
    size = forms.ChoiceField(
        choices=[*ANY, ("individual", "Individual"), ("group", "Group")],
        required=False,
        label="Individual or group",
    )
    time_of_day = forms.ChoiceField(
        choices=ANY + [(k, v[0]) for k, v in TIMES_OF_DAY.items()],
        required=False,
        label="Time of day",
    )
    first_day = forms.DateField(
        widget=DATE, required=False, label="From", help_text="Without dates: the next eight weeks"
    )
    last_day = forms.DateField(widget=DATE, required=False, label="Until")
    with_places = forms.BooleanField(required=False, label="Only sessions with a free place")

    def filters(self) -> SessionFilters:
        """What to search for; with no dates given, the next eight weeks."""
        data = self.cleaned_data if self.is_valid() else {}
        found = SessionFilters(**{k: data.get(k) or v for k, v in vars(SessionFilters()).items()})
        if found.first_day is None and found.last_day is None:
            today = timezone.localdate()
            found = replace(found, first_day=today, last_day=today + DEFAULT_WINDOW)
        return found
