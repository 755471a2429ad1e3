from django.urls import include, path

from accord.lib import views_picker

from . import views, views_chart, views_mail

urlpatterns = [
    path("", views.home, name="home"),
    path("people/", views.directory, name="directory"),
    path("people/new/", views.person_new, name="person_new"),
    path("people/pick/", views_picker.person_pick, name="person_pick"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/invite/", views.person_invite, name="person_invite"),
    path("teams/", views.teams, name="teams"),
    path("teams/new/", views.team_edit, name="team_new"),
    path("teams/pick/", views_picker.team_pick, name="team_pick"),
    path("teams/chart/", views_chart.org_chart, name="org_chart"),
    path("teams/chart/<int:pk>/", views_chart.org_chart, name="org_chart_team"),
    path("teams/<int:pk>/", views.team_detail, name="team"),
    path("teams/<int:pk>/edit/", views.team_edit, name="team_edit"),
    path("orgs/switch/", views.switch_org, name="switch_org"),
    path("people/mail/failed/", views_mail.failed_mail_list, name="failed_mail"),
    path("people/mail/failed/<uuid:mail_id>/retry/", views_mail.failed_mail_retry, name="failed_mail_retry"),
    path("", include("accord.orgs.urls_csv")),
]
