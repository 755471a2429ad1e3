from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "accord.meetings"
    label = "meetings"

    def ready(self) -> None:
        from accord.orgs import panels as page

        from . import panels

        page.register(
            "home", key="meetings", template="meetings/_home_panel.html", order=40, build=panels.home_panel
        )
        page.register(
            "person",
            key="meetings",
            template="meetings/_person_panel.html",
            order=40,
            build=panels.person_panel,
        )
        page.register_waiting(key="meetings", order=40, build=panels.waiting)
