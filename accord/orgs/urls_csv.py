from django.urls import path

from . import views_csv

urlpatterns = [
    path("people/import/", views_csv.people_import, name="people_import"),
    path("people/export.csv", views_csv.people_export, name="people_export"),
]
