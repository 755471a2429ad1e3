from django.urls import include, path

urlpatterns = [
    path("", include("accord.orgs.urls")),
    path("", include("accord.accounts.urls")),
]
