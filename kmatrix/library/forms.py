from __future__ import annotations

from typing import Any

from django import forms

from kmatrix.core.access import Viewer, visible
from kmatrix.library.files import ALLOWED_HINT
from kmatrix.library.models import Resource
from kmatrix.networks.models import Network, Person, Theme

DATE = forms.DateInput(attrs={"type": "date"})


class ResourceForm(forms.ModelForm[Resource]):
    network = forms.ModelChoiceField(queryset=Network.objects.none(), label="Network")
    link = forms.URLField(required=False, assume_scheme="https", max_length=500)

    class Meta:
        model = Resource
        fields = [
            "network", "kind", "title", "summary", "body", "themes", "organisation", "contact",
            "resource_date", "link", "licence", "visibility", "shared_with_partners", "review_on",
        ]  # fmt: skip
        widgets = {
            "themes": forms.CheckboxSelectMultiple,
            "resource_date": DATE,
            "review_on": DATE,
            "summary": forms.Textarea,
        }
        labels = {"visibility": "Who may read it once published", "body": "Description"}
        help_texts = {
            "body": "Markdown: headings, lists, links and tables. HTML is not kept.",
            "visibility": "Restricted: only you (and administrators).",
        }

    def __init__(self, *args: Any, viewer: Viewer, networks: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        network_field: Any = self.fields["network"]
        network_field.queryset = networks
        if self.instance.pk:
            del self.fields["network"]
            network_ids = [self.instance.network_id]
        else:
            network_ids = list(networks.values_list("pk", flat=True))
        themes: Any = self.fields["themes"]
        themes.queryset = (
            Theme.objects.filter(adoptions__network_id__in=network_ids)
            .distinct()
            .order_by("framework__name", "position")
        )
        contact: Any = self.fields["contact"]
        contact.queryset = visible(
            viewer, Person.objects.filter(memberships__network_id__in=network_ids)
        ).distinct()


class UploadForm(forms.Form):
    upload = forms.FileField(label="File", help_text=ALLOWED_HINT)
    title = forms.CharField(
        required=False, max_length=200, help_text="Leave blank to use the file's name"
    )


class VersionForm(forms.Form):
    upload = forms.FileField(label="The new version", help_text=ALLOWED_HINT)


class ReturnForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea,
        max_length=2000,
        label="What should the author change?",
        help_text="The author is emailed this note with a link to the resource.",
    )
