from django.apps import AppConfig


class ConnectConfig(AppConfig):
    name = "accord.connect"
    label = "connect"
