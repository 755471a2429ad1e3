from django.apps import AppConfig


class KudosConfig(AppConfig):
    name = "accord.kudos"
    label = "kudos"

    def ready(self) -> None:
        from accord.orgs import panels as page
        from accord.orgs.signals import organisation_created

        from . import panels
        from .actions import schedule_new_organisation

        page.register(
            "home", key="kudos", template="kudos/_home_panel.html", order=50, build=panels.home_panel
        )
        page.register(
            "person", key="kudos", template="kudos/_person_panel.html", order=50, build=panels.person_panel
        )
        page.register(
            "team", key="kudos", template="kudos/_team_panel.html", order=50, build=panels.team_panel
        )
        organisation_created.connect(schedule_new_organisation, dispatch_uid="kudos_schedule")
