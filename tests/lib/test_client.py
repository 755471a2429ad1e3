"""The client's address: X-Forwarded-For is believed only as far as our own proxies vouch for it."""

import pytest
from django.test import RequestFactory

from accord.lib.client import client_ip


def ip(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))


@pytest.fixture
def proxies(settings):
    settings.ACCORD_TRUSTED_PROXIES = ["10.0.0.0/8", "192.168.1.1", "fd00::/8"]


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.ACCORD_TRUSTED_PROXIES = []
    assert ip("203.0.113.5", "198.51.100.7") == "203.0.113.5"


def test_a_spoofed_header_from_an_untrusted_peer_is_ignored(proxies):
    assert ip("203.0.113.5", "10.0.0.3, 198.51.100.7") == "203.0.113.5"


def test_the_header_is_walked_from_the_right_to_the_first_untrusted_hop(proxies):
    # The client wrote "6.6.6.6" itself; our proxies appended the rest.
    assert ip("10.0.0.2", "6.6.6.6, 198.51.100.7, 192.168.1.1") == "198.51.100.7"
    assert ip("10.0.0.2", "198.51.100.7") == "198.51.100.7"


def test_when_every_hop_is_ours_the_leftmost_is_the_client(proxies):
    assert ip("10.0.0.2", "10.1.2.3, 192.168.1.1") == "10.1.2.3"
    assert ip("10.0.0.2") == "10.0.0.2"


def test_an_unreadable_hop_ends_the_walk_at_the_last_trusted_address(proxies):
    assert ip("10.0.0.2", "198.51.100.7, not-an-address") == "10.0.0.2"
    assert ip("10.0.0.2", "198.51.100.7, , 10.0.0.9") == "10.0.0.9"


def test_ports_brackets_and_mapped_addresses(proxies):
    assert ip("10.0.0.2", "198.51.100.7:4711") == "198.51.100.7"
    assert ip("10.0.0.2", "[2001:db8::1]:443") == "2001:db8::1"
    assert ip("fd00::2", "2001:db8::1") == "2001:db8::1"
    assert ip("::ffff:10.0.0.2", "198.51.100.7") == "198.51.100.7"


def test_an_unreadable_peer_gives_no_address(proxies):
    assert ip("") is None
