from django.apps import AppConfig


class PulseConfig(AppConfig):
    name = "accord.pulse"
    label = "pulse"

    def ready(self) -> None:
        from accord.orgs import panels as page

        from . import panels

        page.register_waiting(key="pulse", order=10, build=panels.waiting)
