from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from accord.orgs.models import Role

from .factories import PASSWORD, OrgFactory, PersonFactory, TeamFactory


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tasks run in-process in tests; tests/lib/test_worker.py drives the real database queue and worker.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "http://testserver"
    # Tests move the clock by hours or days between two requests of one signed-in client; only the idle
    # timeout's own tests (tests/accounts/test_sessions.py) set a real limit.
    settings.SESSION_IDLE_MINUTES = 60 * 24 * 365


@pytest.fixture
def org(db):
    return OrgFactory(name="Acme", slug="acme")


@pytest.fixture
def other_org(db):
    return OrgFactory(name="Globex", slug="globex")


@pytest.fixture
def team(org):
    return TeamFactory(org=org, name="Engineering")


@pytest.fixture
def admin(org, team):
    return PersonFactory(org=org, team=team, name="Ada Admin", email="ada@acme.test", role=Role.ADMIN)


@pytest.fixture
def owner(org, team):
    return PersonFactory(org=org, team=team, name="Olu Owner", email="olu@acme.test", role=Role.OWNER)


@pytest.fixture
def manager(org, team):
    return PersonFactory(org=org, team=team, name="Maya Manager", email="maya@acme.test")


@pytest.fixture
def member(org, team, manager):
    return PersonFactory(org=org, team=team, manager=manager, name="Milo Member", email="milo@acme.test")


@pytest.fixture
def outsider(other_org):
    team = TeamFactory(org=other_org, name="Sales")
    return PersonFactory(org=other_org, team=team, name="Otto Outsider", email="otto@globex.test")


@pytest.fixture
def registry():
    """The scheduler's job registry, restored after the test; every app's jobs are registered first, so
    restoring keeps them all (tests that register a job of their own leave nothing behind)."""
    from accord.lib import jobs

    jobs.load_jobs()
    saved = list(jobs.REGISTRY)
    yield jobs.REGISTRY
    jobs.REGISTRY[:] = saved


@pytest.fixture
def api(db):
    """Api(person): a JSON client signed in with a personal API token of `person` (tests/api_client.py)."""
    from .api_client import Api

    return Api


@pytest.fixture
def member_api(api, member):
    return api(member)


@pytest.fixture
def manager_api(api, manager, member):
    return api(manager)


@pytest.fixture
def admin_api(api, admin):
    return api(admin)


def login(client, person):
    assert client.login(email=person.email, password=PASSWORD)
    return client


@pytest.fixture
def as_member(client, member):
    return login(client, member)


@pytest.fixture
def as_manager(client, manager, member):
    return login(client, manager)


@pytest.fixture
def as_admin(client, admin):
    return login(client, admin)


class _Inbox:
    def __init__(self):
        self.messages = []
        self.refuse: set[str] = set()  # addresses the server answers with a permanent 550

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        from email import message_from_bytes
        from email.policy import default

        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 OK"


@pytest.fixture
def smtp(settings):
    """A real SMTP server (aiosmtpd) on a free local port; Django sends to it over the socket."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:  # aiosmtpd needs a concrete port to check that it started
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    yield inbox
    controller.stop()


# --- Browser tests: Playwright driving Debian's Chromium (never a browser Playwright downloads) ---
CHROMIUM = os.environ.get("ACCORD_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"

# Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make around it
# are ordinary synchronous calls, so Django's guard against async contexts does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.skip(reason=f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def live(live_server, settings):
    # live_server is plain HTTP: secure-only cookies would never come back.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
    return live_server


@pytest.fixture
def shots():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
