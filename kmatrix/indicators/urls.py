from django.urls import path

from kmatrix.indicators import views

app_name = "indicators"
# The fixed words (import, review, organisation) come before <code>: an indicator cannot be
# given one of them as its code and still be reached.
P = "networks/<slug:slug>/indicators/"
urlpatterns = [
    path(P, views.overview, name="overview"),
    path(P + "import/", views.upload, name="upload"),
    path(P + "import/<int:batch_pk>/", views.batch, name="batch"),
    path(P + "import/<int:batch_pk>/progress/", views.batch_progress, name="batch_progress"),
    path(P + "review/", views.review, name="review"),
    path(P + "organisation/<int:pk>/", views.organisation, name="organisation"),
    path(
        P + "organisation/<int:pk>/charts/", views.organisation_charts, name="organisation_charts"
    ),
    path(P + "<slug:code>/", views.indicator, name="indicator"),
    path(P + "<slug:code>/charts/", views.indicator_charts, name="indicator_charts"),
    path(P + "<slug:code>/<int:org_pk>/", views.chart, name="chart"),
    path(P + "<slug:code>/<int:org_pk>/settings/", views.chart_settings, name="chart_settings"),
    path(P + "<slug:code>/<int:org_pk>/notes/", views.annotation_add, name="annotation_add"),
    path(
        P + "<slug:code>/<int:org_pk>/notes/<int:pk>/delete/",
        views.annotation_delete,
        name="annotation_delete",
    ),
]
