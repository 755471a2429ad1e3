"""The sign-in throttle: atomic, per account and client, with waits that double, and never a way for
a guesser to keep a known browser (or everyone behind one proxy) out."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accord.accounts.models import Throttle
from accord.accounts.throttle import KNOWN_COOKIE, forget_old
from accord.orgs.tasks import housekeep_org
from tests.concurrency import at_once
from tests.factories import PASSWORD, PersonFactory

from .hashers import CountingMD5Hasher

WRONG = "wrong wrong wrong"
REFUSED = "Too many attempts; try again in"


def sign_in(client, email, password, **meta):
    return client.post(reverse("login"), {"email": email, "password": password}, **meta)


def signed_in(response) -> bool:
    return response.status_code == 302


def refused(response) -> bool:
    return REFUSED in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_passwords_make_at_most_the_limit_of_password_checks(member, settings):
    # Threads each with their own connection, on SQLite (file, WAL) and on PostgreSQL alike.
    settings.PASSWORD_HASHERS = ["tests.accounts.hashers.CountingMD5Hasher"]
    settings.LOGIN_FAILURE_LIMIT = 5
    CountingMD5Hasher.checks = 0
    results = at_once(lambda: sign_in(Client(), member.email, WRONG).status_code, 14)
    assert results == [200] * 14
    assert CountingMD5Hasher.checks == 5


def test_a_known_client_signs_in_while_strangers_are_throttled(member):
    owner = Client()
    assert signed_in(sign_in(owner, member.email, PASSWORD))
    assert KNOWN_COOKIE in owner.cookies
    owner.post(reverse("logout"))  # signing out keeps the browser known

    stranger = Client()
    for _ in range(30):
        sign_in(stranger, member.email, WRONG)
    assert refused(sign_in(stranger, member.email, PASSWORD))
    # Another stranger (same address here) is held back too: the account is being guessed at.
    assert refused(sign_in(Client(), member.email, PASSWORD))
    # A forged or foreign cookie is no pass.
    forger = Client()
    forger.cookies[KNOWN_COOKIE] = owner.cookies[KNOWN_COOKIE].value[:-3] + "abc"
    assert refused(sign_in(forger, member.email, PASSWORD))

    assert signed_in(sign_in(owner, member.email, PASSWORD))
    owner.post(reverse("logout"))
    # The known browser is not a free pass either: its own wrong passwords count against it.
    for _ in range(5):
        assert not refused(sign_in(owner, member.email, WRONG))
    assert refused(sign_in(owner, member.email, PASSWORD))


def test_waits_double_and_a_success_clears_the_clients_streak(client, member):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(5):
            assert not refused(sign_in(client, member.email, WRONG))
        response = sign_in(client, member.email, PASSWORD)
        assert f"{REFUSED} 1 minute, or reset your password." in response.content.decode()
        clock.shift(dt.timedelta(seconds=61))
        sign_in(client, member.email, WRONG)
        response = sign_in(client, member.email, PASSWORD)
        assert "try again in 2 minutes, or reset your password." in response.content.decode()
        clock.shift(dt.timedelta(seconds=121))
        assert signed_in(sign_in(client, member.email, PASSWORD))
        client.post(reverse("logout"))
    # The client's own streak is gone; the shared counters keep the failures but not the success.
    counts = {re.sub("[0-9a-f]{32}", "ACCOUNT", t.key): t.count for t in Throttle.objects.all()}
    assert counts == {"in:ACCOUNT:strangers": 6, "in:ip:127.0.0.1": 6}


def test_failures_from_one_address_across_accounts_do_not_lock_out_others_there(member):
    # Behind one reverse proxy everyone shares an address: 20 bad sign-ins must not close the install.
    attacker = Client()
    for i in range(25):
        sign_in(attacker, f"guess{i}@acme.test", WRONG)
    assert signed_in(sign_in(Client(), member.email, PASSWORD))


def test_spraying_from_one_address_slows_only_its_unknown_clients(member, manager, settings):
    settings.LOGIN_ADDRESS_LIMIT = 10
    known = Client()
    assert signed_in(sign_in(known, member.email, PASSWORD))
    known.post(reverse("logout"))
    attacker = Client()
    for i in range(10):
        assert not refused(sign_in(attacker, f"guess{i}@acme.test", WRONG))
    assert refused(sign_in(attacker, "guess-next@acme.test", WRONG))
    assert refused(sign_in(Client(), manager.email, PASSWORD))  # a first sign-in from there waits
    assert signed_in(sign_in(known, member.email, PASSWORD))  # a known browser does not
    # Elsewhere nobody notices.
    assert signed_in(sign_in(Client(), manager.email, PASSWORD, REMOTE_ADDR="198.51.100.9"))


def test_behind_a_trusted_proxy_each_real_client_has_its_own_streak(member, settings):
    settings.ACCORD_TRUSTED_PROXIES = ["10.0.0.0/8"]
    first = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    second = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.8"}
    for _ in range(5):
        sign_in(Client(), member.email, WRONG, **first)
    assert refused(sign_in(Client(), member.email, PASSWORD, **first))
    assert signed_in(sign_in(Client(), member.email, PASSWORD, **second))


def test_a_spoofed_forwarded_for_does_not_buy_more_guesses(member):
    # Not from a trusted proxy, so the header is ignored and every guess counts against the real peer.
    guesser = Client()
    for i in range(5):
        sign_in(guesser, member.email, WRONG, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
    assert refused(sign_in(guesser, member.email, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.99"))


def test_a_completed_reset_marks_the_browser_known(member, django_capture_on_commit_callbacks):
    from django.core import mail

    owner_elsewhere = Client()
    for _ in range(30):
        sign_in(Client(), member.email, WRONG)
    assert refused(sign_in(owner_elsewhere, member.email, PASSWORD))
    owner_elsewhere.post(reverse("password_reset"), {"email": member.email})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[-1].body).group(1)
    form_page = owner_elsewhere.get(link, follow=True)
    done = owner_elsewhere.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "brand new secret 42", "new_password2": "brand new secret 42"},
    )
    assert done["Location"] == reverse("password_reset_complete")
    assert signed_in(sign_in(owner_elsewhere, member.email, "brand new secret 42"))


# --- password reset requests --------------------------------------------------------------------


def ask_reset(client, email, **meta):
    return client.post(reverse("password_reset"), {"email": email}, **meta)


def test_reset_mails_to_one_address_are_limited_and_the_page_says_the_same(client, member, mailoutbox):
    pages = [ask_reset(client, member.email)["Location"] for _ in range(5)]
    pages += [ask_reset(client, "nobody@nowhere.test")["Location"] for _ in range(5)]
    assert pages == [reverse("password_reset_done")] * 10
    assert [m.to for m in mailoutbox] == [[member.email]] * 3
    # Another address is not held back by the first one's limit.
    other = PersonFactory(org=member.org, email="nia@acme.test")
    ask_reset(client, other.email)
    assert [m.to for m in mailoutbox][-1] == ["nia@acme.test"]


def test_reset_mails_asked_for_by_one_client_are_limited(org, mailoutbox, settings):
    settings.PASSWORD_RESET_LIMIT_PER_CLIENT = 4
    people = [PersonFactory(org=org, email=f"p{i}@acme.test") for i in range(6)]
    for person in people:
        assert ask_reset(Client(), person.email)["Location"] == reverse("password_reset_done")
    assert len(mailoutbox) == 4
    ask_reset(Client(), people[5].email, REMOTE_ADDR="198.51.100.9")
    assert [m.to for m in mailoutbox][-1] == ["p5@acme.test"]
    assert len(mailoutbox) == 5


# --- housekeeping -------------------------------------------------------------------------------


def test_housekeeping_forgets_spent_throttles_and_keeps_live_ones(org):
    now = timezone.now()
    old, day = now - dt.timedelta(days=2), dt.timedelta(days=1)
    Throttle.objects.create(key="spent", count=9, started_at=old, touched_at=old, blocked_until=old + day)
    Throttle.objects.create(key="waiting", count=30, started_at=old, touched_at=now, blocked_until=now + day)
    Throttle.objects.create(key="recent", count=2, started_at=now, touched_at=now)
    assert housekeep_org.call(org_id=org.id) == {"invitations": 0, "throttles": 1}
    assert sorted(Throttle.objects.values_list("key", flat=True)) == ["recent", "waiting"]
    assert forget_old(now) == 0
