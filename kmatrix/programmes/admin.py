from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kmatrix.programmes import models as m


class AwardInline(admin.TabularInline[m.FundingAward, m.Programme]):
    model = m.FundingAward
    extra = 0
    autocomplete_fields = ["funder"]


class AllocationInline(admin.TabularInline[m.FundingAllocation, m.FundingAward]):
    model = m.FundingAllocation
    extra = 0


class MilestoneInline(admin.TabularInline[m.Milestone, m.Programme]):
    model = m.Milestone
    extra = 0


@admin.register(m.Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "network", "theme", "status", "visibility"]
    list_filter = ["status", "network"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ["lead_organisation", "lead", "sponsor"]
    filter_horizontal = ["partners", "restricted_to"]
    inlines = [AwardInline, MilestoneInline]


@admin.register(m.FundingAward)
class FundingAwardAdmin(SimpleHistoryAdmin):
    list_display = ["programme", "funder", "amount", "amount_note", "first_year", "status"]
    list_filter = ["status"]
    search_fields = ["programme__name", "funder__name"]
    autocomplete_fields = ["funder"]
    inlines = [AllocationInline]


@admin.register(m.FundingDrawdown)
class FundingDrawdownAdmin(SimpleHistoryAdmin):
    list_display = ["award", "amount", "drawn_on", "reference", "source", "reversed_at"]
    search_fields = ["reference"]
