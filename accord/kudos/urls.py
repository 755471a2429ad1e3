from django.urls import path

from . import views

urlpatterns = [
    path("kudos/", views.feed, name="kudos"),
    path("kudos/give/", views.give, name="kudos_give"),
    path("kudos/<int:pk>/react/", views.react, name="kudos_react"),
    path("kudos/team/<int:team_id>/", views.team, name="kudos_team"),
    path("kudos/my-team/", views.recognition, name="kudos_recognition"),
    path("kudos/values/", views.values, name="kudos_values"),
    path("kudos/values/<int:pk>/", views.value_edit, name="kudos_value_edit"),
    path("kudos/settings/", views.preferences, name="kudos_settings"),
]
