from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "accord.goals"
    label = "goals"

    def ready(self) -> None:
        from accord.orgs import panels as page

        from . import panels

        page.register(
            "home", key="goals", template="goals/_home_panel.html", order=20, build=panels.home_panel
        )
        page.register(
            "person", key="goals", template="goals/_person_panel.html", order=20, build=panels.person_panel
        )
        page.register_waiting(key="goals", order=50, build=panels.waiting)
