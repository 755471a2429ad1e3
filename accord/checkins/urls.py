from django.urls import path

from . import views

urlpatterns = [
    path("checkins/", views.home, name="checkins"),
    path("checkins/ask-me-at/", views.prompt_time, name="checkins_prompt_time"),
    path("checkins/digest/", views.digest, name="checkins_digest"),
    path("checkins/team/<int:team_id>/", views.team, name="checkins_team"),
    path("checkins/team/<int:team_id>/settings/", views.team_settings, name="checkins_team_settings"),
    path(
        "checkins/blockers/<int:pk>/acknowledge/",
        views.blocker_acknowledge,
        name="checkins_blocker_acknowledge",
    ),
    path("checkins/blockers/<int:pk>/resolve/", views.blocker_resolve, name="checkins_blocker_resolve"),
]
