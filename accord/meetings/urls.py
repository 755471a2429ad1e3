from django.urls import path

from . import views

urlpatterns = [
    path("one-on-ones/", views.one_on_ones, name="one_on_ones"),
    path("one-on-ones/new/", views.series_new, name="one_on_one_new"),
    path("one-on-ones/calendar-link/", views.feed_new, name="one_on_one_feed_new"),
    path("one-on-ones/<int:series_id>/", views.series_detail, name="one_on_one"),
    path("one-on-ones/<int:series_id>/edit/", views.series_edit, name="one_on_one_edit"),
    path("one-on-ones/<int:series_id>/end/", views.series_end, name="one_on_one_end"),
    path("one-on-ones/meeting/<int:meeting_id>/", views.meeting_detail, name="one_on_one_meeting"),
    path("one-on-ones/meeting/<int:meeting_id>/agenda/", views.agenda_add, name="one_on_one_agenda_add"),
    path("one-on-ones/meeting/<int:meeting_id>/actions/", views.action_add, name="one_on_one_action_add"),
    path("one-on-ones/meeting/<int:meeting_id>/note/", views.note_save, name="one_on_one_note"),
    path("one-on-ones/agenda/<int:item_id>/tick/", views.agenda_tick, name="one_on_one_agenda_tick"),
    path("one-on-ones/actions/<int:item_id>/tick/", views.action_tick, name="one_on_one_action_tick"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
