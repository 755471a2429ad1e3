from django.apps import AppConfig


class HandoffsConfig(AppConfig):
    name = "accord.handoffs"
    label = "handoffs"
