from __future__ import annotations

import re
from typing import Any

from django import forms
from django.urls import reverse

from kmatrix.boardpapers.audience import audience_viewer
from kmatrix.boardpapers.models import BoardPaper, PaperSection, SectionKind
from kmatrix.core.models import User
from kmatrix.library import queries as library_queries
from kmatrix.library.models import Resource
from kmatrix.networks.models import Group, Membership, Network, Organisation

AUDIENCE_ALL = ""
# "/library/12/", "https://site/library/12/" or "12": the resource's number.
RESOURCE_REFERENCE = re.compile(r"^(?:.*/library/)?(\d+)/?$")


def resource_path(pk: int) -> str:
    return reverse("library:resource", args=[pk])


class ReviewerField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.person.full_name} ({obj.email})"


class PaperForm(forms.ModelForm[BoardPaper]):
    """A paper's details. The audience is the Boards of every member organisation, or of one."""

    audience_organisation = forms.ChoiceField(
        label="Audience",
        required=False,
        help_text="Who the paper is for. A paper for one member's Board may also report that "
        "organisation's own records.",
    )
    reviewers = ReviewerField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Members of the network who read, comment on and edit the paper before it is "
        "published",
    )
    joint_groups = forms.ModelMultipleChoiceField(
        queryset=Group.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Joint meetings",
        help_text="Groups reported under Joint meetings rather than Professional networks",
    )

    appendices = forms.CharField(
        label="Appendices from the library",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One a line, in order (numbered 1, 2, 3…): the address of a library resource, "
        "for example /library/12/, or its number. Each must be one the paper's audience may "
        "read. Appendices that are not in the library can be typed into the Appendices section.",
    )

    class Meta:
        model = BoardPaper
        fields = ["title", "period_from", "period_to", "paper_date", "author"]
        widgets = {
            "period_from": forms.DateInput(attrs={"type": "date"}),
            "period_to": forms.DateInput(attrs={"type": "date"}),
            "paper_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.network = network
        members = Organisation.objects.filter(
            network_links__network=network, network_links__is_member=True
        ).order_by("name")
        self.organisations = {str(o.pk): o for o in members}
        self.fields["audience_organisation"].choices = [  # type: ignore[attr-defined]
            (AUDIENCE_ALL, "The Boards of every member organisation"),
            *((pk, f"The Board of {o.name}") for pk, o in self.organisations.items()),
        ]
        people = Membership.objects.active().filter(network=network, person__user__isnull=False)
        field = self.fields["reviewers"]
        assert isinstance(field, ReviewerField)
        field.queryset = User.objects.filter(person__memberships__in=people).distinct()
        self.fields["joint_groups"].queryset = network.groups.filter(  # type: ignore[attr-defined]
            kind__in=[Group.Kind.FORUM, Group.Kind.PROFESSIONAL_NETWORK]
        ).order_by("name")
        if self.instance.pk:
            self.initial["audience_organisation"] = str(
                self.instance.audience_organisation_id or ""
            )
            self.initial["reviewers"] = list(self.instance.reviewers.all())
            self.initial["joint_groups"] = list(self.instance.joint_groups.all())
            self.initial["appendices"] = "\n".join(
                resource_path(a.resource_id) for a in self.instance.appendices.all()
            )
            if not self.instance.editable:
                for name in ("period_from", "period_to", "audience_organisation"):
                    self.fields[name].disabled = True

    def clean_audience_organisation(self) -> Organisation | None:
        chosen = self.cleaned_data.get("audience_organisation") or AUDIENCE_ALL
        if chosen == AUDIENCE_ALL:
            return None
        return self.organisations[chosen]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("period_from"), data.get("period_to")
        if first and last and last < first:
            self.add_error("period_to", "The end of the period must be on or after its start.")
        if "appendices" in data and "audience_organisation" in data:
            data["appendices"] = self._resources(data["appendices"], data["audience_organisation"])
        return data

    def _resources(self, text: str, organisation: Organisation | None) -> list[Resource]:
        """The library resources the lines name, in order, each one the audience may read."""
        lines = [line.strip() for line in str(text).splitlines() if line.strip()]
        numbers: list[int] = []
        for line in lines:
            match = RESOURCE_REFERENCE.search(line)
            if match is None:
                self.add_error("appendices", f"“{line}” is not a library address or number.")
            else:
                numbers.append(int(match[1]))
        audience = audience_viewer(self.network.pk, organisation.pk if organisation else None)
        readable = library_queries.resource_readable(audience).filter(pk__in=numbers)
        found = {r.pk: r for r in readable}
        for number in numbers:
            if number not in found:
                self.add_error(
                    "appendices",
                    f"Library resource {number} is not one the paper's audience may read "
                    "(it does not exist, is not published, or is restricted).",
                )
        return [found[n] for n in dict.fromkeys(numbers) if n in found]

    def details(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "period_from": data["period_from"],
            "period_to": data["period_to"],
            "paper_date": data["paper_date"],
            "author": data["author"],
            "audience_organisation": data["audience_organisation"],
            "reviewers": data["reviewers"],
            "joint_groups": data["joint_groups"],
            "appendices": data["appendices"],
        }


class SectionForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(
        label="Text",
        required=False,
        widget=forms.Textarea,
        help_text="Markdown. A line [[figure 2]] places the section's second table or chart; "
        "[1] marks a statement's source.",
    )
    items = forms.CharField(
        label="Entries",
        required=False,
        widget=forms.Textarea,
        help_text="One entry a line, in order; they are lettered or numbered for you.",
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, section: PaperSection, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if section.kind == SectionKind.TEXT:
            del self.fields["items"]
        elif section.kind == SectionKind.LETTERED:
            self.fields["items"].label = "Recommendations"
            self.fields["items"].help_text = "One a line, in order; they are lettered a, b, c…"
        else:
            self.fields["items"].label = "Appendices"
            self.fields[
                "items"
            ].help_text = "One title a line, in order; they are numbered 1, 2, 3…"

    def item_list(self) -> list[str]:
        return str(self.cleaned_data.get("items") or "").splitlines()


def section_initial(section: PaperSection) -> dict[str, Any]:
    return {
        "title": section.title,
        "body": section.body,
        "items": "\n".join(str(i) for i in section.items),
        "revision": section.revision,
    }


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment", widget=forms.Textarea, max_length=10_000, help_text="Markdown"
    )
    section = forms.ChoiceField(label="About", required=False)

    def __init__(self, *args: Any, sections: list[PaperSection], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sections = {str(s.pk): s for s in sections}
        self.fields["section"].choices = [  # type: ignore[attr-defined]
            ("", "The paper as a whole"),
            *((pk, s.title) for pk, s in self.sections.items()),
        ]

    def chosen_section(self) -> PaperSection | None:
        return self.sections.get(self.cleaned_data.get("section") or "")
