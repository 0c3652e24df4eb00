"""Addresses of checklists, localities, assessments, the gap register and the heatmap."""

from django.urls import URLPattern, path

from kmatrix.improvement import views_assessments as views

N = "networks/<slug:slug>/"
A = N + "assessments/<int:pk>/"
urlpatterns: list[URLPattern] = [
    path(N + "checklists/", views.checklist_list, name="checklists"),
    path(N + "checklists/import/", views.checklist_import, name="checklist_import"),
    path(N + "checklists/<int:pk>/", views.checklist_detail, name="checklist"),
    path(N + "localities/", views.locality_list, name="localities"),
    path(N + "localities/<int:pk>/edit/", views.locality_edit, name="locality_edit"),
    path(N + "assessments/", views.assessment_list, name="assessments"),
    path(N + "assessments/new/", views.assessment_new, name="assessment_new"),
    path(A, views.assessment_detail, name="assessment"),
    path(A + "complete/", views.assessment_complete, name="assessment_complete"),
    path(A + "compare/", views.assessment_compare, name="assessment_compare"),
    path(A + "files/", views.rating_file, name="rating_file"),
    path(N + "evidence-files/<int:pk>/", views.evidence_file, name="evidence_file"),
    path(N + "gaps/", views.gap_register, name="gap_register"),
    path(N + "heatmap/", views.heatmap, name="heatmap"),
]
