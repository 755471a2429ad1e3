from django.urls import include, path

from accord.api import api

urlpatterns = [
    path("api/", api.urls),
    path("", include("accord.orgs.urls")),
    path("", include("accord.accounts.urls")),
    path("", include("accord.pulse.urls")),
    path("", include("accord.goals.urls")),
    path("", include("accord.checkins.urls")),
    path("", include("accord.meetings.urls")),
    path("", include("accord.kudos.urls")),
    path("", include("accord.rhythm.urls")),
    path("", include("accord.handoffs.urls")),
    path("", include("accord.connect.urls")),
    path("", include("accord.plans.urls")),
    path("", include("accord.operations.urls")),
    path("", include("accord.search.urls")),
]

# Error pages in the site's layout (accord/lib/errors.py); a 500 renders templates/500.html.
handler404 = "accord.lib.errors.page_not_found"
handler403 = "accord.lib.errors.permission_denied"
