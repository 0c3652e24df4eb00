"""Addresses of plans, their actions, measures, updates and outcomes, and the summaries."""

from django.urls import URLPattern, path

from kmatrix.improvement import views_plans as views
from kmatrix.improvement import views_updates

N = "networks/<slug:slug>/"
P = N + "plans/<int:pk>/"
urlpatterns: list[URLPattern] = [
    path(N + "plans/", views.plan_list, name="plans"),
    path(N + "plans/new/", views.plan_new, name="plan_new"),
    path(P, views.plan_detail, name="plan"),
    path(P + "edit/", views.plan_edit, name="plan_edit"),
    path(P + "submit/", views.plan_submit, name="plan_submit"),
    path(P + "review/", views.plan_review, name="plan_review"),
    path(P + "finish/", views.plan_finish, name="plan_finish"),
    path(P + "actions/new/", views.action_edit, name="action_new"),
    path(P + "actions/<int:action_pk>/", views.action_edit, name="action_edit"),
    path(P + "actions/<int:action_pk>/delete/", views.action_delete, name="action_delete"),
    path(P + "measures/new/", views.measure_new, name="measure_new"),
    path(P + "measures/<int:measure_pk>/delete/", views.measure_delete, name="measure_delete"),
    path(P + "updates/new/", views_updates.update_edit, name="update_new"),
    path(P + "updates/<int:update_pk>/", views_updates.update_edit, name="update_edit"),
    path(P + "updates/<int:update_pk>/review/", views_updates.update_review, name="update_review"),
    path(P + "outcomes/new/", views_updates.outcome_new, name="outcome_new"),
    path(P + "checks/<int:check_pk>/", views_updates.check_record, name="check_record"),
    path(N + "updates/", views.update_list, name="updates"),
    path(N + "themes/<int:theme_pk>/summary/", views.theme_summary, name="theme_summary"),
    path(N + "evidence/", views.evidence, name="evidence"),
]
