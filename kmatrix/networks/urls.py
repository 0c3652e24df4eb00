from django.urls import path

from kmatrix.networks import views
from kmatrix.networks import views_directory as directory

app_name = "networks"
urlpatterns = [
    path("welcome/", views.public, name="public"),
    path("networks/", views.mine, name="mine"),
    path("networks/new/", views.network_create, name="network_create"),
    path("networks/<slug:slug>/", views.home, name="home"),
    path("networks/<slug:slug>/edit/", views.network_edit, name="network_edit"),
    path("networks/<slug:slug>/themes/", views.themes_edit, name="themes_edit"),
    path("networks/<slug:slug>/members/", views.members, name="members"),
    path("networks/<slug:slug>/members/new/", views.membership_create, name="membership_create"),
    path(
        "networks/<slug:slug>/members/<int:pk>/edit/", views.membership_edit, name="membership_edit"
    ),
    path(
        "networks/<slug:slug>/members/<int:pk>/letter.<str:fmt>",
        views.membership_letter,
        name="membership_letter",
    ),
    path(
        "networks/<slug:slug>/members/<int:pk>/letter/send/",
        views.membership_letter_send,
        name="membership_letter_send",
    ),
    path("networks/<slug:slug>/invite/", views.invite, name="invite"),
    path(
        "networks/<slug:slug>/workstreams/new/", views.workstream_create, name="workstream_create"
    ),
    path("networks/<slug:slug>/workstreams/<int:pk>/", views.workstream, name="workstream"),
    path(
        "networks/<slug:slug>/workstreams/<int:pk>/edit/",
        views.workstream_edit,
        name="workstream_edit",
    ),
    path("networks/<slug:slug>/groups/new/", views.group_create, name="group_create"),
    path("networks/<slug:slug>/groups/<slug:group_slug>/", views.group, name="group"),
    path(
        "networks/<slug:slug>/groups/<slug:group_slug>/edit/", views.group_edit, name="group_edit"
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("organisations/", directory.organisations, name="organisations"),
    path("organisations/export.csv", directory.organisations_export, name="organisations_export"),
    path("organisations/new/", directory.organisation_create, name="organisation_create"),
    path(
        "organisations/ods/<str:code>/", directory.organisation_by_ods, name="organisation_by_ods"
    ),
    path("organisations/<int:pk>/", directory.organisation, name="organisation"),
    path("organisations/<int:pk>/edit/", directory.organisation_edit, name="organisation_edit"),
    path("people/", directory.people, name="people"),
    path("people/export.csv", directory.people_export, name="people_export"),
    path("people/new/", directory.person_create, name="person_create"),
    path("people/<int:pk>/", directory.person, name="person"),
    path("people/<int:pk>/edit/", directory.person_edit, name="person_edit"),
]
