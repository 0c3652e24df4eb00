from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kmatrix.boardpapers.models import BoardPaper, PaperDistribution, PaperSection


class SectionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = PaperSection
    fields = ("position", "title", "kind", "origin", "in_paper", "revision")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(BoardPaper)
class BoardPaperAdmin(SimpleHistoryAdmin):
    list_display = ("title", "network", "period_from", "period_to", "status", "version")
    list_filter = ("status", "network")
    search_fields = ("title",)
    inlines = (SectionInline,)


@admin.register(PaperDistribution)
class PaperDistributionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("paper", "name", "email", "organisation", "sent_at")
    readonly_fields = ("paper", "person", "name", "email", "organisation", "sent_at", "sent_by")
