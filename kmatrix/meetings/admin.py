from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from kmatrix.meetings import models as m


class AgendaItemInline(admin.TabularInline[m.AgendaItem, m.Meeting]):
    model = m.AgendaItem
    extra = 0
    fields = ["position", "title", "presenter_note", "programme"]


class DecisionInline(admin.StackedInline[m.Decision, m.Meeting]):
    model = m.Decision
    extra = 0


@admin.register(m.Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    """Back office: events of a programme (a learning event) are added here."""

    list_display = ["title", "date", "date_precision", "group", "programme", "status", "visibility"]
    list_filter = ["status", "network"]
    search_fields = ["title", "group__name"]
    autocomplete_fields = ["group"]
    filter_horizontal = ["restricted_to"]
    inlines = [AgendaItemInline, DecisionInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(m.Action)
class ActionAdmin(SimpleHistoryAdmin):
    list_display = ["title", "owner", "owner_group", "due_on", "status"]
    list_filter = ["status"]
    search_fields = ["title"]
    autocomplete_fields = ["owner", "owner_group"]
    raw_id_fields = ["meeting", "decision"]
