from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kmatrix.networks import models as m


class MembershipRoleInline(admin.TabularInline[m.MembershipRole, m.Membership]):
    model = m.MembershipRole
    extra = 1


class WorkstreamMemberInline(admin.TabularInline[m.WorkstreamMember, m.Workstream]):
    model = m.WorkstreamMember
    extra = 1
    autocomplete_fields = ["person"]


class ThemeInline(admin.TabularInline[m.Theme, m.ThemeFramework]):
    model = m.Theme
    extra = 1
    prepopulated_fields = {"slug": ("name",)}


class NetworkOrganisationInline(admin.TabularInline[m.NetworkOrganisation, m.Network]):
    model = m.NetworkOrganisation
    extra = 1
    autocomplete_fields = ["organisation"]


class AdoptedThemeInline(admin.TabularInline[m.AdoptedTheme, m.Network]):
    model = m.AdoptedTheme
    extra = 1


@admin.register(m.Network)
class NetworkAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "region", "visibility"]
    search_fields = ["name", "short_name"]
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ["linked_networks"]
    inlines = [NetworkOrganisationInline, AdoptedThemeInline]


@admin.register(m.Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "ods_code", "sector", "region"]
    list_filter = ["sector"]
    search_fields = ["name", "ods_code"]


@admin.register(m.Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["full_name", "job_title", "organisation", "visibility"]
    list_filter = ["visibility"]
    search_fields = ["full_name", "email", "job_title"]
    autocomplete_fields = ["organisation", "user"]
    filter_horizontal = ["restricted_to"]


@admin.register(m.Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = [
        "person",
        "network",
        "organisation",
        "committed_days_per_month",
        "joined_on",
        "left_on",
    ]
    list_filter = ["network"]
    search_fields = ["person__full_name", "network__name"]
    autocomplete_fields = ["person", "organisation"]
    inlines = [MembershipRoleInline]


@admin.register(m.ThemeFramework)
class ThemeFrameworkAdmin(SimpleHistoryAdmin):
    list_display = ["name"]
    prepopulated_fields = {"slug": ("name",)}
    inlines = [ThemeInline]


@admin.register(m.Workstream)
class WorkstreamAdmin(SimpleHistoryAdmin):
    list_display = ["name", "network", "theme", "visibility"]
    list_filter = ["network"]
    search_fields = ["name"]
    inlines = [WorkstreamMemberInline]


@admin.register(m.Group)
class GroupAdmin(SimpleHistoryAdmin):
    list_display = ["name", "network", "kind", "cadence", "visibility"]
    list_filter = ["network", "kind"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ["chair"]
    filter_horizontal = ["members"]


@admin.register(m.Invitation)
class InvitationAdmin(admin.ModelAdmin[m.Invitation]):
    list_display = ["email", "network", "role", "created_at", "expires_at", "accepted_at"]
    list_filter = ["network"]
    readonly_fields = ["token_hash"]
