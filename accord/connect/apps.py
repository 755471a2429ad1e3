from django.apps import AppConfig


class ConnectConfig(AppConfig):
    name = "accord.connect"
    label = "connect"

    def ready(self) -> None:
        from accord.orgs import panels as page

        from . import panels

        page.register(
            "home", key="connect", template="connect/_home_panel.html", order=80, build=panels.home_panel
        )
        page.register(
            "person",
            key="connect",
            template="connect/_person_panel.html",
            order=80,
            build=panels.person_panel,
        )
