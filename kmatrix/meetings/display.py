"""Pieces of the action tables drawn in Python rather than as template macros: a tracker page
has fifty rows, and a macro call, a ``reverse()`` and a locale date format in every row cost
more than the rest of the page (the indicators pages found the same)."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from kmatrix.meetings.models import Action

COLOURS = {
    "open": "nhsuk-tag--blue",
    "in_progress": "nhsuk-tag--yellow",
    "done": "nhsuk-tag--green",
    "dropped": "nhsuk-tag--grey",
}
# The tags' HTML, made once: the labels are the model's own, so there is nothing to escape
# per row.
TAGS = {
    status: format_html('<strong class="nhsuk-tag {}">{}</strong>', COLOURS[status], label)
    for status, label in Action._meta.get_field("status").flatchoices
}
OVERDUE = mark_safe(' <strong class="nhsuk-tag nhsuk-tag--red">Overdue</strong>')


def status_tags(action: Action, overdue: bool = False) -> SafeString:
    """The NHS.UK tags for an action's status, and "Overdue" when it is."""
    tags = TAGS[action.status]
    return SafeString(tags + OVERDUE) if overdue else tags


def day(value: date | None, empty: str = "No date") -> str:
    """9 June 2023, the NHS way, without a locale lookup per row."""
    return f"{value.day} {value:%B %Y}" if value else empty


class Links:
    """Addresses of actions and meetings, each network's meeting base reversed once."""

    def __init__(self) -> None:
        self.actions = reverse("meetings:tracker")
        self.meeting_bases: dict[str, str] = {}

    def action(self, action: Action) -> str:
        return f"{self.actions}{action.pk}/"

    def meeting(self, action: Action) -> str:
        slug = action.meeting.network.slug
        if slug not in self.meeting_bases:
            self.meeting_bases[slug] = reverse("meetings:network_meetings", args=[slug])
        return f"{self.meeting_bases[slug]}{action.meeting_id}/"
