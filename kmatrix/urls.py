from django.contrib import admin
from django.urls import include, path

from kmatrix.api import api

urlpatterns = [
    path("", include("kmatrix.core.urls")),
    path("", include("kmatrix.networks.urls")),
    path("", include("kmatrix.indicators.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

handler404 = "kmatrix.core.views.not_found"
handler403 = "kmatrix.core.views.forbidden"
handler500 = "kmatrix.core.views.server_error"
