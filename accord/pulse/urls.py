from django.urls import include, path

from . import views

urlpatterns = [
    path("pulse/", views.home, name="pulse_home"),
    path("pulse/answer/<int:round_id>/", views.answer, name="pulse_answer"),
    path("pulse/answer/<int:round_id>/thanks/", views.thanks, name="pulse_thanks"),
    path("pulse/feedback/", views.feedback, name="pulse_feedback"),
    path("pulse/feedback/<uuid:comment_id>/reply/", views.author_reply, name="pulse_author_reply"),
    path("pulse/programs/", views.programs, name="pulse_programs"),
    path("pulse/programs/new/", views.program_edit, name="pulse_program_new"),
    path("pulse/programs/<int:pk>/edit/", views.program_edit, name="pulse_program_edit"),
    path("pulse/programs/<int:pk>/open-now/", views.program_open_now, name="pulse_program_open_now"),
    path("pulse/questions/", views.questions, name="pulse_questions"),
    path("pulse/settings/", views.settings, name="pulse_settings"),
    path("", include("accord.pulse.results.urls")),
]
