from django.urls import path

from . import views

urlpatterns = [
    path("coffee/", views.coffee, name="coffee"),
    path("coffee/opt-in/", views.optin, name="coffee_optin"),
    path("coffee/chats/<int:group_id>/", views.intro, name="coffee_intro"),
    path("coffee/chats/<int:group_id>/met/", views.met, name="coffee_met"),
    path("coffee/rounds/<int:round_id>/", views.round_detail, name="coffee_round"),
    path("coffee/settings/", views.admin_settings, name="coffee_admin"),
    path("coffee/settings/run-now/", views.run_now, name="coffee_run_now"),
    path("working-with-me/", views.profiles, name="profiles"),
    path("working-with-me/edit/", views.profile_edit, name="profile_edit"),
    path("working-with-me/<int:person_id>/", views.profile, name="profile"),
]
