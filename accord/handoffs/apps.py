from django.apps import AppConfig


class HandoffsConfig(AppConfig):
    name = "accord.handoffs"
    label = "handoffs"

    def ready(self) -> None:
        from accord.orgs import panels as page

        from . import panels

        page.register(
            "home", key="handoffs", template="handoffs/_home_panel.html", order=70, build=panels.home_panel
        )
        page.register(
            "team", key="handoffs", template="handoffs/_team_panel.html", order=70, build=panels.team_panel
        )
        page.register_waiting(key="handoffs", order=30, build=panels.waiting)
