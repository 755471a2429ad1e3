from django.urls import include, path

from accord.api import api

urlpatterns = [
    path("api/", api.urls),
    path("", include("accord.orgs.urls")),
    path("", include("accord.accounts.urls")),
    path("", include("accord.pulse.urls")),
]
