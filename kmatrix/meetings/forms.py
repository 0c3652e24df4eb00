"""Forms for meetings, agendas, attendance, decisions and actions. Times are UK wall-clock
times (Europe/London); the model checks they exist on the day."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from kmatrix.meetings.models import (
    Action,
    ActionStatus,
    AttendanceStatus,
    Decision,
    Meeting,
)
from kmatrix.networks.models import Group, Network, Person, Theme

DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def network_people(network: Network) -> QuerySet[Person]:
    """The network's active members, for choosing presenters, attendees and owners."""
    return (
        Person.objects.filter(memberships__network=network, memberships__left_on__isnull=True)
        .select_related("organisation")
        .order_by("full_name")
    )


class MeetingForm(forms.ModelForm[Meeting]):
    join_url = forms.URLField(
        label="Link to join",
        required=False,
        assume_scheme="https",
        help_text="For a meeting held online",
    )

    class Meta:
        model = Meeting
        fields = [
            "title",
            "date",
            "date_precision",
            "start_time",
            "end_time",
            "location",
            "is_virtual",
            "join_url",
            "status",
            "visibility",
        ]
        widgets = {"date": DATE, "start_time": TIME, "end_time": TIME}
        labels = {"visibility": "Who may see this meeting"}
        help_texts = {
            "date_precision": "Month only for a meeting whose day is not recorded",
        }

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.network = network


class ScheduleForm(forms.Form):
    first = forms.DateField(label="First meeting", widget=DATE)
    until = forms.DateField(label="Schedule until", widget=DATE, help_text="The last possible date")
    start_time = forms.TimeField(label="Starts at (UK time)", widget=TIME)
    end_time = forms.TimeField(label="Ends at (UK time)", widget=TIME)
    title = forms.CharField(
        max_length=200, required=False, help_text="Leave empty for the group's name"
    )
    location = forms.CharField(label="Place", max_length=300, required=False)
    is_virtual = forms.BooleanField(label="Held online", required=False)
    join_url = forms.URLField(label="Link to join", required=False, assume_scheme="https")
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class AgendaItemForm(forms.Form):
    title = forms.CharField(max_length=300)
    presenter = forms.ModelChoiceField(queryset=Person.objects.none(), required=False)
    presenter_note = forms.CharField(
        label="Presented by (in words)",
        max_length=200,
        required=False,
        help_text="When the presenter is not in the directory, for example: the lead clinician",
    )
    notes = forms.CharField(
        label="What was discussed", widget=forms.Textarea, required=False, help_text="Markdown"
    )
    programme: forms.ModelChoiceField[Any] = forms.ModelChoiceField(queryset=None, required=False)
    resources: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label="Papers from the library",
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="The network's published library resources you may read; hold Ctrl (or "
        "Command) to choose more than one",
    )
    papers = forms.CharField(
        label="Other papers",
        widget=forms.Textarea,
        required=False,
        help_text="Papers not in the library, one a line: the title, then a space, a vertical "
        "bar and a space, then its address, for example: "
        "Draft work programme | https://example.org/paper.pdf",
    )

    def __init__(
        self,
        *args: Any,
        network: Network,
        programmes: QuerySet[Any],
        resources: QuerySet[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["presenter"].queryset = network_people(network)
        fields["programme"].queryset = programmes
        # Only the library resources the editor may read are offered (and accepted).
        fields["resources"].queryset = resources

    def clean_papers(self) -> list[tuple[str, str]]:
        papers = []
        validate = forms.URLField(assume_scheme="https")
        for number, line in enumerate(self.cleaned_data.get("papers", "").splitlines(), start=1):
            if not line.strip():
                continue
            title, _, address = (part.strip() for part in line.partition(" | "))
            if not title:
                raise ValidationError(f"Line {number} has an address but no title.")
            try:
                url = validate.clean(address) if address else ""
            except ValidationError:
                raise ValidationError(f"Line {number}: “{address}” is not a web address.") from None
            papers.append((title[:300], url))
        return papers


class AttendanceForm(forms.Form):
    """One choice per person: present, apologies, absent or not recorded."""

    note = forms.CharField(
        label="Note on attendance", max_length=300, required=False, help_text="For example: quorate"
    )

    def __init__(
        self, *args: Any, people: list[Person], current: dict[int, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "Not recorded"), *AttendanceStatus.choices]
        self.people = people
        for person in people:
            org = f", {person.organisation.name}" if person.organisation else ""
            self.fields[f"person_{person.pk}"] = forms.ChoiceField(
                label=f"{person.full_name}{org}",
                choices=choices,
                required=False,
                initial=current.get(person.pk, ""),
            )

    def records(self) -> list[tuple[Person, str, str]]:
        return [
            (p, self.cleaned_data[f"person_{p.pk}"], "")
            for p in self.people
            if self.cleaned_data.get(f"person_{p.pk}")
        ]


class MinutesForm(forms.ModelForm[Meeting]):
    class Meta:
        model = Meeting
        fields = ["minutes", "status"]


class DecisionForm(forms.Form):
    number = forms.IntegerField(
        min_value=1, max_value=999, required=False, help_text="Leave empty for the next number"
    )
    text = forms.CharField(label="Decision", widget=forms.Textarea, help_text="What was decided")
    themes = forms.ModelMultipleChoiceField(
        queryset=Theme.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    programmes: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    indicators: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    plans: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label="Improvement plans",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        network: Network,
        programmes: QuerySet[Any],
        indicators: QuerySet[Any],
        plans: QuerySet[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["themes"].queryset = Theme.objects.filter(adoptions__network=network).order_by(
            "adoptions__position"
        )
        fields["programmes"].queryset = programmes
        fields["indicators"].queryset = indicators
        # Only the plans the editor may read are offered (and accepted).
        fields["plans"].queryset = plans

    def links(self) -> list[Any]:
        data = self.cleaned_data
        return [*data["themes"], *data["programmes"], *data["indicators"], *data["plans"]]


class ActionForm(forms.ModelForm[Action]):
    class Meta:
        model = Action
        fields = [
            "title",
            "description",
            "decision",
            "owner",
            "owner_group",
            "due_on",
            "status",
            "closed_on",
            "result",
        ]
        widgets = {"due_on": DATE, "closed_on": DATE}

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.meeting = meeting
        fields: dict[str, Any] = self.fields
        fields["decision"].queryset = Decision.objects.filter(meeting=meeting).order_by("number")
        fields["decision"].label_from_instance = lambda d: f"{d.reference}: {d.text[:80]}"
        fields["owner"].queryset = network_people(meeting.network)
        fields["owner_group"].queryset = Group.objects.filter(network=meeting.network).order_by(
            "name"
        )


class ActionProgressForm(forms.Form):
    status = forms.ChoiceField(choices=ActionStatus.choices)
    closed_on = forms.DateField(
        label="Done or dropped on",
        widget=DATE,
        required=False,
        help_text="Leave empty for today when you mark it done or dropped",
    )
    result = forms.CharField(
        label="What came of it", widget=forms.Textarea, required=False, help_text="Markdown"
    )


class TrackerFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            ("open", "Open or in progress"),
            ("overdue", "Overdue"),
            ("closed", "Done or dropped"),
            ("all", "All"),
        ],
        required=False,
    )
    network: forms.ModelChoiceField[Network] = forms.ModelChoiceField(
        queryset=None, required=False, to_field_name="slug", empty_label="All networks"
    )
    q = forms.CharField(label="Search", max_length=200, required=False)

    def __init__(self, *args: Any, networks: QuerySet[Network], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = networks  # type: ignore[attr-defined]
