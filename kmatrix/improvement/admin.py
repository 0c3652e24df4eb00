from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kmatrix.improvement import models


class ItemInline(admin.TabularInline[models.ChecklistItem, models.ChecklistSection]):
    model = models.ChecklistItem
    extra = 0
    fields = ["code", "question", "position"]


@admin.register(models.Checklist)
class ChecklistAdmin(admin.ModelAdmin[models.Checklist]):
    list_display = ["name", "version", "network", "is_illustrative"]
    list_filter = ["network"]


@admin.register(models.ChecklistSection)
class SectionAdmin(admin.ModelAdmin[models.ChecklistSection]):
    list_display = ["title", "checklist", "theme", "position"]
    inlines = [ItemInline]


@admin.register(models.Locality)
class LocalityAdmin(admin.ModelAdmin[models.Locality]):
    list_display = ["name", "kind", "network"]
    filter_horizontal = ["organisations"]


@admin.register(models.Assessment)
class AssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "status", "visibility"]
    list_filter = ["network", "status"]


@admin.register(models.Gap)
class GapAdmin(admin.ModelAdmin[models.Gap]):
    list_display = ["__str__", "rating", "status", "theme"]
    list_filter = ["network", "status"]


class ActionInline(admin.TabularInline[models.PlanAction, models.ImprovementPlan]):
    model = models.PlanAction
    extra = 0


@admin.register(models.ImprovementPlan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ["title", "network", "theme", "status", "rag"]
    list_filter = ["network", "status", "rag"]
    search_fields = ["title"]
    inlines = [ActionInline]


@admin.register(models.ProgressUpdate)
class UpdateAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "status", "due_on", "rag"]
    list_filter = ["status"]


@admin.register(models.TimeLog)
class TimeLogAdmin(admin.ModelAdmin[models.TimeLog]):
    list_display = ["person", "network", "month", "days"]
    list_filter = ["network"]
