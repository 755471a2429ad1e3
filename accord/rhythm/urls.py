from django.urls import path

from . import views

urlpatterns = [
    path("time/", views.reach_now, name="rhythm_reach"),
    path("time/map/", views.team_map, name="rhythm_map"),
    path("time/meetings/", views.meetings, name="rhythm_meetings"),
    path("time/meetings/new/", views.meeting_new, name="rhythm_meeting_new"),
    path("time/meetings/<int:meeting_id>/", views.meeting_detail, name="rhythm_meeting"),
    path("time/meetings/<int:meeting_id>/edit/", views.meeting_edit, name="rhythm_meeting_edit"),
    path("time/meetings/<int:meeting_id>/calendar.ics", views.meeting_ics, name="rhythm_meeting_ics"),
    path("teams/<int:pk>/charter/", views.charter, name="rhythm_charter"),
    path("teams/<int:pk>/charter/edit/", views.charter_edit, name="rhythm_charter_edit"),
    path("teams/<int:pk>/charter/acknowledge/", views.charter_ack, name="rhythm_charter_ack"),
]
