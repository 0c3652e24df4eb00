"""Addresses of the workstream dashboard, "my work" and time given (under app "improvement")."""

from django.urls import URLPattern, path

from kmatrix.improvement import views_work as views

N = "networks/<slug:slug>/"
urlpatterns: list[URLPattern] = [
    path("my-work/", views.my_work, name="my_work"),
    path(N + "workstreams/<int:workstream_pk>/dashboard/", views.dashboard, name="dashboard"),
    path(N + "time/", views.time, name="time"),
    path(N + "time/report/", views.time_report, name="time_report"),
    path(N + "time/<int:pk>/edit/", views.time_edit, name="time_edit"),
    path(N + "time/<int:pk>/delete/", views.time_delete, name="time_delete"),
]
