from django.urls import path

from . import views

urlpatterns = [
    path("goals/", views.goals, name="goals"),
    path("goals/new/", views.goal_edit, name="goal_new"),
    path("goals/<int:pk>/", views.goal_detail, name="goal"),
    path("goals/<int:pk>/edit/", views.goal_edit, name="goal_edit"),
    path("goals/<int:pk>/key-results/", views.key_result_new, name="goal_key_result_new"),
    path("key-results/<int:pk>/progress/", views.key_result_progress, name="key_result_progress"),
    path("commitments/", views.commitments, name="commitments"),
    path("commitments/new/", views.commitment_new, name="commitment_new"),
    path("commitments/<int:pk>/status/", views.commitment_status, name="commitment_status"),
]
