from django.urls import path

from . import views

urlpatterns = [
    path("plans/", views.plans, name="plans"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/lingering/", views.plans_lingering, name="plans_lingering"),
    path("plans/settings/", views.plans_settings, name="plans_settings"),
    path("plans/<int:pk>/", views.plan, name="plan"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/milestones/", views.plan_milestone_add, name="plan_milestone_add"),
    path("plans/<int:pk>/acknowledge/", views.plan_acknowledge, name="plan_acknowledge"),
    path("plans/<int:pk>/entries/", views.plan_entry, name="plan_entry"),
    path("plans/<int:pk>/extend/", views.plan_extend, name="plan_extend"),
    path("plans/<int:pk>/close/", views.plan_close, name="plan_close"),
    path("plans/milestones/<int:pk>/", views.plan_milestone, name="plan_milestone"),
    path("plans/milestones/<int:pk>/outcome/", views.plan_milestone_outcome, name="plan_milestone_outcome"),
    path(
        "plans/milestones/<int:pk>/feedback/", views.plan_milestone_feedback, name="plan_milestone_feedback"
    ),
]
