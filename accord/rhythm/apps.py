from django.apps import AppConfig


class RhythmConfig(AppConfig):
    name = "accord.rhythm"
    label = "rhythm"

    def ready(self) -> None:
        from accord.orgs import panels as page

        from . import panels

        page.register(
            "home", key="rhythm", template="rhythm/_home_panel.html", order=60, build=panels.home_panel
        )
