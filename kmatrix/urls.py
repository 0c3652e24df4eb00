from django.contrib import admin
from django.urls import include, path

from kmatrix.api import api

urlpatterns = [
    path("", include("kmatrix.core.urls")),
    path("", include("kmatrix.networks.urls")),
    path("", include("kmatrix.indicators.urls")),
    path("", include("kmatrix.improvement.urls")),
    path("", include("kmatrix.library.urls")),
    path("", include("kmatrix.programmes.urls")),
    path("", include("kmatrix.meetings.urls")),
    path("", include("kmatrix.supervision.urls")),
    path("", include("kmatrix.boardpapers.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

handler404 = "kmatrix.core.views.not_found"
handler403 = "kmatrix.core.views.forbidden"
handler500 = "kmatrix.core.views.server_error"
