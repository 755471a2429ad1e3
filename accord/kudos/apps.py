from django.apps import AppConfig


class KudosConfig(AppConfig):
    name = "accord.kudos"
    label = "kudos"
