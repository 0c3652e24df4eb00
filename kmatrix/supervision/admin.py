"""The Django admin for supervision: the service and its roles are edited here; everything
whose rules live in the service functions (vetting, sessions, bookings, payments) is shown
read-only, because a change made here would skip them (a check would not re-clear its
supervisor, a booking would not take its place)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from kmatrix.supervision import models as m


class ServiceRoleInline(admin.TabularInline[m.ServiceRole, m.SupervisionService]):
    model = m.ServiceRole
    extra = 1
    autocomplete_fields = ["person"]


@admin.register(m.SupervisionService)
class SupervisionServiceAdmin(SimpleHistoryAdmin):
    list_display = ["name", "network", "contact_email", "open_for_applications"]
    inlines = [ServiceRoleInline]


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    """Shown, not changed: use the service's pages, which keep its rules."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(m.Supervisor)
class SupervisorAdmin(ReadOnly):
    list_display = ["person", "service", "kind", "profession", "status", "cleared_until"]
    list_filter = ["status", "kind", "profession"]
    search_fields = ["person__full_name", "person__email"]


@admin.register(m.VettingCheck)
class VettingCheckAdmin(ReadOnly):
    list_display = ["supervisor", "kind", "status", "checked_on", "expires_on"]
    list_filter = ["kind", "status"]


@admin.register(m.Slot)
class SlotAdmin(ReadOnly):
    list_display = ["supervisor", "starts_at", "mode", "capacity", "taken", "status"]
    list_filter = ["status", "mode"]
    date_hierarchy = "starts_at"


@admin.register(m.Booking)
class BookingAdmin(ReadOnly):
    list_display = ["person", "slot", "organisation", "status", "attendance"]
    list_filter = ["status", "attendance"]


@admin.register(m.PaymentRun)
class PaymentRunAdmin(ReadOnly):
    list_display = ["service", "month", "status", "sessions", "total"]


@admin.register(m.Statement)
class StatementAdmin(ReadOnly):
    list_display = ["number", "supervisor", "sessions", "total", "status", "paid_on"]
    list_filter = ["status"]
