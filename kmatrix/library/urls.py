from django.urls import path

from kmatrix.library import views, views_outward

app_name = "library"
R = "library/<int:pk>/"
urlpatterns = [
    path("search/", views_outward.search_page, name="search"),
    path("matrix/", views_outward.matrix_page, name="matrix"),
    path("library/", views.catalogue, name="catalogue"),
    path("library/new/", views.resource_create, name="resource_create"),
    path("library/review/", views.review_queue, name="review"),
    path("library/export.csv", views_outward.export_csv, name="export_csv"),
    path("library/export.json", views_outward.export_json, name="export_json"),
    path("library/positive-practice.atom", views_outward.practice_feed, name="feed"),
    path(R, views.resource, name="resource"),
    path(R + "edit/", views.resource_edit, name="resource_edit"),
    path(R + "submit/", views.resource_submit, name="resource_submit"),
    path(R + "publish/", views.resource_publish, name="resource_publish"),
    path(R + "return/", views.resource_return, name="resource_return"),
    path(R + "withdraw/", views.resource_withdraw, name="resource_withdraw"),
    path(R + "still-current/", views.resource_still_current, name="resource_still_current"),
    path(R + "files/new/", views.file_create, name="file_create"),
    path(R + "files/status/", views.files_status, name="files_status"),
    path(R + "files/<int:file_pk>/new/", views.file_version_create, name="file_version_create"),
    path(
        R + "files/<int:file_pk>/<int:number>/download/",
        views.file_download,
        name="file_download",
    ),
]
