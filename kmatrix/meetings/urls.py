from django.urls import path

from kmatrix.meetings import views, views_actions

app_name = "meetings"
N = "networks/<slug:slug>/"
G = N + "groups/<slug:group_slug>/meetings/"
M = N + "meetings/<int:pk>/"
urlpatterns = [
    path(N + "meetings/", views.network_meetings, name="network_meetings"),
    path(M, views.meeting, name="meeting"),
    path(M + "edit/", views.meeting_edit, name="meeting_edit"),
    path(M + "agenda/new/", views.agenda_item_create, name="agenda_item_create"),
    path(M + "agenda/<int:item_pk>/edit/", views.agenda_item_edit, name="agenda_item_edit"),
    path(M + "agenda/<int:item_pk>/delete/", views.agenda_item_delete, name="agenda_item_delete"),
    path(M + "attendance/", views.attendance, name="attendance"),
    path(M + "minutes/", views.minutes, name="minutes"),
    path(M + "decisions/new/", views.decision_create, name="decision_create"),
    path(M + "decisions/<int:number>/edit/", views.decision_edit, name="decision_edit"),
    path(M + "actions/new/", views.action_create, name="action_create"),
    path(G, views.group, name="group"),
    path(G + "section/", views.group_fragment, name="group_fragment"),
    path(G + "new/", views.meeting_create, name="meeting_create"),
    path(G + "schedule/", views.schedule, name="schedule"),
    path(G + "calendar.ics", views_actions.group_feed, name="group_feed"),
    path(
        N + "programmes/<slug:pslug>/decisions/",
        views.programme_decisions,
        name="programme_decisions",
    ),
    path(N + "plans/<int:plan_pk>/decisions/", views.plan_decisions, name="plan_decisions"),
    path("actions/", views_actions.tracker, name="tracker"),
    path("actions/mine/", views_actions.my_actions, name="mine"),
    path("actions/<int:pk>/", views_actions.action, name="action"),
    path("actions/<int:pk>/progress/", views_actions.action_progress, name="action_progress"),
    path("actions/<int:pk>/edit/", views_actions.action_edit, name="action_edit"),
    path("calendar/", views_actions.calendar, name="calendar"),
    path("calendar/reset/", views_actions.calendar_reset, name="calendar_reset"),
    path("calendar/<str:token>/meetings.ics", views_actions.person_feed, name="person_feed"),
    path(
        "calendar/<str:token>/groups/<int:group_pk>.ics",
        views_actions.group_feed_for,
        name="group_feed_for",
    ),
]
