from django.urls import path

from kmatrix.programmes import views

app_name = "programmes"
# The fixed words (new, funding) come before <pslug>: no programme may take one as its slug.
P = "networks/<slug:slug>/programmes/"
ONE = P + "<slug:pslug>/"
urlpatterns = [
    path(P, views.by_theme, name="by_theme"),
    path(P + "new/", views.programme_create, name="programme_create"),
    path(P + "funding/", views.funding, name="funding"),
    path(ONE, views.programme, name="programme"),
    path(ONE + "edit/", views.programme_edit, name="programme_edit"),
    path(ONE + "awards/new/", views.award_create, name="award_create"),
    path(ONE + "awards/<int:pk>/edit/", views.award_edit, name="award_edit"),
    path(
        ONE + "awards/<int:pk>/allocations/new/", views.allocation_create, name="allocation_create"
    ),
    path(
        ONE + "awards/<int:pk>/allocations/<int:allocation_pk>/delete/",
        views.allocation_delete,
        name="allocation_delete",
    ),
    path(ONE + "milestones/new/", views.milestone_create, name="milestone_create"),
    path(ONE + "milestones/<int:pk>/edit/", views.milestone_edit, name="milestone_edit"),
    path(ONE + "updates/new/", views.update_create, name="update_create"),
    path(ONE + "links/new/", views.link_create, name="link_create"),
    path(ONE + "links/new-plan/", views.plan_link_create, name="plan_link_create"),
    path(ONE + "links/<int:pk>/delete/", views.link_delete, name="link_delete"),
    path(
        "networks/<slug:slug>/plans/<int:plan_pk>/programmes/",
        views.plan_programmes,
        name="plan_programmes",
    ),
]
