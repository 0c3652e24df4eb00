from django.urls import path

from kmatrix.boardpapers import views, views_editing

app_name = "boardpapers"
P = "networks/<slug:slug>/board-papers/"
R = P + "<int:pk>/"
urlpatterns = [
    path("board-papers/", views.mine, name="mine"),
    path(P, views.papers, name="papers"),
    path(P + "new/", views.paper_create, name="paper_create"),
    path(R, views.paper, name="paper"),
    path(R + "edit/", views.paper_edit, name="paper_edit"),
    path(R + "paper.<str:fmt>", views.export, name="export"),
    path(R + "draft/", views.draft, name="draft"),
    path(R + "draft/<int:run_pk>/", views.run, name="run"),
    path(R + "draft/<int:run_pk>/progress/", views.run_progress, name="run_progress"),
    path(R + "status/", views.status, name="status"),
    path(R + "comments/", views.comment, name="comment"),
    path(R + "publish/", views.publish, name="publish"),
    path(R + "sections/<int:section_pk>/figures/<int:number>.svg", views.figure, name="figure"),
    path(R + "sections/<int:section_pk>/edit/", views_editing.section_edit, name="section_edit"),
    path(
        R + "sections/<int:section_pk>/new-draft/",
        views_editing.section_choose,
        name="section_choose",
    ),
    path(R + "versions/", views_editing.versions, name="versions"),
    path(R + "versions/compare/", views_editing.compare, name="compare"),
    path(R + "versions/<int:number>/", views_editing.version, name="version"),
]
