from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "accord.checkins"
    label = "checkins"

    def ready(self) -> None:
        from accord.orgs import panels as page
        from accord.orgs.signals import organisation_created

        from . import panels
        from .actions import schedule_new_organisation

        page.register(
            "home", key="checkins", template="checkins/_home_panel.html", order=30, build=panels.home_panel
        )
        page.register(
            "person",
            key="checkins",
            template="checkins/_person_panel.html",
            order=30,
            build=panels.person_panel,
        )
        page.register_waiting(key="checkins", order=20, build=panels.waiting)
        organisation_created.connect(schedule_new_organisation, dispatch_uid="checkins_schedule")
