from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from kmatrix.core.access import Visibility
from kmatrix.networks.models import (
    AdoptedTheme,
    Group,
    Membership,
    Network,
    Organisation,
    Person,
    Role,
    Theme,
)

DATE = forms.DateInput(attrs={"type": "date"})


class NetworkForm(forms.ModelForm[Network]):
    class Meta:
        model = Network
        fields = [
            "name", "short_name", "slug", "kind", "purpose", "region", "cadence", "cadence_note",
            "visibility", "letter_signatory", "letter_template",
        ]  # fmt: skip
        help_texts = {"slug": "Used in web addresses: lower-case letters, digits and hyphens"}


class OrganisationForm(forms.ModelForm[Organisation]):
    website = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = ["name", "ods_code", "sector", "region", "website", "description"]

    def clean_ods_code(self) -> str:
        code: str = self.cleaned_data.get("ods_code", "").strip().upper()
        clash = Organisation.objects.filter(ods_code=code).exclude(pk=self.instance.pk)
        if code and clash.exists():
            raise ValidationError(f"{code} is already the ODS code of {clash.first()}.")
        return code


class PersonForm(forms.ModelForm[Person]):
    class Meta:
        model = Person
        fields = [
            "full_name",
            "job_title",
            "organisation",
            "email",
            "phone",
            "contact_visibility",
            "visibility",
        ]
        labels = {"visibility": "Who may see this entry"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")  # type: ignore[attr-defined]

    def clean_email(self) -> str:
        email: str = self.cleaned_data.get("email", "").strip().lower()
        if (
            email
            and Person.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists()
        ):
            raise ValidationError("Someone in the directory already has this email address.")
        return email


class MembershipForm(forms.ModelForm[Membership]):
    roles = forms.MultipleChoiceField(
        choices=Role.choices, widget=forms.CheckboxSelectMultiple, label="Roles"
    )

    class Meta:
        model = Membership
        fields = [
            "person",
            "organisation",
            "committed_days_per_month",
            "line_manager_agreed_on",
            "letter_sent_on",
            "joined_on",
            "left_on",
        ]
        widgets = dict.fromkeys(
            ["line_manager_agreed_on", "letter_sent_on", "joined_on", "left_on"], DATE
        )

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.network = network
        self.fields["person"].queryset = Person.objects.order_by("full_name")  # type: ignore[attr-defined]
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["person"].disabled = True
            self.initial["roles"] = self.instance.role_values
        else:
            self.initial.setdefault("roles", [Role.MEMBER])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        person = data.get("person")
        duplicate = Membership.objects.filter(person=person, network=self.network)
        if person and not self.instance.pk and duplicate.exists():
            self.add_error("person", f"{person} is already a member of {self.network}.")
        return data

    def validate_unique(self) -> None:
        # The network is not a form field; clean() checks the one uniqueness rule that needs it.
        pass


class InvitationForm(forms.Form):
    full_name = forms.CharField(max_length=200, label="Full name")
    email = forms.EmailField(label="Email address")
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.order_by("name"), label="Organisation they represent"
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER, widget=forms.RadioSelect)


class AcceptInvitationForm(forms.Form):
    password1 = forms.CharField(
        label="Choose a password",
        widget=forms.PasswordInput,
        help_text="At least 8 characters, not only numbers",
    )
    password2 = forms.CharField(label="Type the password again", widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        from django.contrib.auth.password_validation import validate_password

        data = super().clean() or {}
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", "The two passwords are different.")
        elif one:
            try:
                validate_password(one)
            except ValidationError as error:
                self.add_error("password1", error)
        return data


class WorkstreamForm(forms.Form):
    name = forms.CharField(max_length=200)
    theme = forms.ModelChoiceField(queryset=Theme.objects.none(), label="Adopted theme")
    description = forms.CharField(widget=forms.Textarea, required=False, help_text="Markdown")
    visibility = forms.ChoiceField(choices=Visibility.choices, initial=Visibility.NETWORK)
    leads = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    members = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = Theme.objects.filter(  # type: ignore[attr-defined]
            adoptions__network=network
        ).order_by("adoptions__position")
        people = Person.objects.filter(memberships__network=network).order_by("full_name")
        self.fields["leads"].queryset = people  # type: ignore[attr-defined]
        self.fields["members"].queryset = people  # type: ignore[attr-defined]


class GroupForm(forms.ModelForm[Group]):
    class Meta:
        model = Group
        fields = [
            "name",
            "slug",
            "kind",
            "purpose",
            "theme",
            "chair",
            "cadence",
            "cadence_note",
            "visibility",
            "members",
        ]
        widgets = {"members": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.network = network
        self.network = network
        people = Person.objects.filter(memberships__network=network).order_by("full_name")
        self.fields["chair"].queryset = people  # type: ignore[attr-defined]
        self.fields["members"].queryset = people  # type: ignore[attr-defined]
        self.fields["theme"].queryset = Theme.objects.filter(  # type: ignore[attr-defined]
            adoptions__network=network
        ).order_by("adoptions__position")

    def clean_slug(self) -> str:
        # The network is not a form field, so the model's (network, slug) constraint is skipped
        # by the form's own checks; without this a clash would fail at the database.
        slug: str = self.cleaned_data.get("slug", "")
        clash = Group.objects.filter(network=self.network, slug=slug).exclude(pk=self.instance.pk)
        if slug and clash.exists():
            raise ValidationError("Another group in this network already uses this web address.")
        return slug


class ThemeAdoptionForm(forms.Form):
    """One row per theme in the catalogue: not adopted, active or deferred, and its position."""

    NOT_ADOPTED = ""

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        adopted = {a.theme_id: a for a in network.adopted_themes.all()}
        self.rows: list[tuple[Theme, str, str]] = []
        choices = [(self.NOT_ADOPTED, "Not adopted"), *AdoptedTheme.Status.choices]
        for theme in Theme.objects.select_related("framework").order_by(
            "framework__name", "position"
        ):
            current = adopted.get(theme.pk)
            status_name, position_name = f"status_{theme.pk}", f"position_{theme.pk}"
            self.fields[status_name] = forms.ChoiceField(
                choices=choices,
                required=False,
                label=f"{theme.name} ({theme.framework.name})",
                initial=current.status if current else self.NOT_ADOPTED,
            )
            self.fields[position_name] = forms.IntegerField(
                min_value=1,
                max_value=99,
                required=False,
                label=f"Order of {theme.name}",
                initial=current.position if current else None,
            )
            self.rows.append((theme, status_name, position_name))

    def adoptions(self) -> list[tuple[int, str]]:
        chosen = []
        for theme, status_name, position_name in self.rows:
            status = self.cleaned_data.get(status_name)
            if status:
                position = self.cleaned_data.get(position_name) or 99
                chosen.append((position, theme.pk, status))
        return [(theme_id, status) for _pos, theme_id, status in sorted(chosen)]
