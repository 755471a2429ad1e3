"""Chains are saved whole or not at all; handoffs carry every open item with exactly one owner."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accord.handoffs.actions import (
    AlreadyWritten,
    ItemIn,
    ShiftIn,
    acknowledge,
    update_item,
    write_handoff,
)
from accord.handoffs.models import Chain, Entry, Handoff, Item, Shift, ShiftMember, Status
from tests.factories import PersonFactory
from tests.factories.handoffs import WEDNESDAY, make_chain

from .conftest import rows, utc

pytestmark = pytest.mark.django_db

# Wednesday 14 Jan 2026, 13:50 UTC: ten minutes before Kraków (05:00–14:00 UTC) ends.
KRAKOW_END = utc(2026, 1, 14, 13, 50)


def test_a_gapped_chain_says_which_hours_are_uncovered_and_saves_nothing(org, team, manager, crew):
    shifts = rows(crew)
    shifts[1] = ShiftIn("Kraków", "Europe/Warsaw", dt.time(7), dt.time(15), "12345", people=shifts[1].people)
    with pytest.raises(ValidationError) as exc:
        make_chain(org, team, manager, shifts)
    assert exc.value.message_dict["shifts"] == [
        "Uncovered: 05:00–06:00 UTC between Manila and Kraków on Mon–Fri, 14 Jan 2026 – 27 Mar 2026, "
        "26 Oct 2026 – 14 Jan 2027 (112 dates)."
    ]
    assert Chain.objects.count() == 0 and Shift.objects.count() == 0


def test_bad_shift_rows_are_reported_per_field(org, team, manager, crew):
    shifts = rows(crew)
    shifts[0] = ShiftIn("Manila", "Asia/Manilla", dt.time(22), dt.time(6), "12345", people=[])
    shifts[2] = ShiftIn("manila", "America/Bogota", dt.time(8), dt.time(16), "", people=shifts[2].people)
    with pytest.raises(ValidationError) as exc:
        make_chain(org, team, manager, shifts, name="", ack_within=0)
    errors = exc.value.message_dict
    assert errors["shifts.0.timezone"] == [
        "“Asia/Manilla” is not a known IANA time zone (for example Asia/Manila)."
    ]
    assert errors["shifts.0.end"][0].startswith("This shift ends (06:00) before it starts (22:00).")
    assert errors["shifts.0.people"] == [
        "Each shift needs at least one person to write and receive handoffs."
    ]
    assert errors["shifts.2.name"] == ["Two shifts of one chain cannot share a name."]
    assert errors["shifts.2.days"] == [
        "Working days must be one or more distinct ISO weekdays, 1 (Mon) to 7 (Sun)."
    ]
    assert errors["name"] and errors["ack_within"]
    assert Chain.objects.count() == 0


def test_only_the_teams_managers_and_admins_set_up_a_chain(org, team, crew, member):
    with pytest.raises(PermissionDenied):
        make_chain(org, team, member, rows(crew), name="X")


def test_an_overnight_shift_is_allowed_when_marked(org, team, manager, crew):
    two = [
        ShiftIn("Day", "Europe/London", dt.time(6), dt.time(18), "1234567", people=[crew["Kraków"][0].pk]),
        ShiftIn(
            "Night",
            "Europe/London",
            dt.time(18),
            dt.time(6),
            "1234567",
            overnight=True,
            people=[crew["Bogotá"][0].pk],
        ),
    ]
    chain = make_chain(org, team, manager, two, name="Round the clock")
    night = Shift.objects.get(chain=chain, name="Night")
    assert night.overnight and night.hours.span(WEDNESDAY) == (utc(2026, 1, 14, 18), utc(2026, 1, 15, 6))


def new(title, owner, **kw):
    return ItemIn(item_id=None, title=title, owner_id=owner.pk if owner else None, **kw)


def test_an_item_without_an_owner_is_refused_and_nothing_is_saved(chain, shifts, crew):
    writer = crew["Kraków"][0]
    with pytest.raises(ValidationError) as exc:
        write_handoff(
            chain,
            writer,
            from_shift=shifts["Kraków"],
            items=[new("Refund stuck", crew["Bogotá"][0]), new("DNS change", None)],
            now=KRAKOW_END,
        )
    assert exc.value.message_dict == {
        "items.1.owner": ["Every item needs exactly one owner: choose who has it now."]
    }
    assert Handoff.objects.count() == 0 and Item.objects.count() == 0


def test_the_database_itself_refuses_an_item_without_an_owner(chain):
    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.create(org=chain.org, chain=chain, title="Orphan", owner=None)


def test_links_must_be_web_addresses(chain, shifts, crew):
    with pytest.raises(ValidationError) as exc:
        write_handoff(
            chain,
            crew["Kraków"][0],
            from_shift=shifts["Kraków"],
            items=[new("X", crew["Bogotá"][0], links=["https://ok.example/1", "javascript:alert(1)"])],
            now=KRAKOW_END,
        )
    assert exc.value.message_dict == {
        "items.0.links": ["“javascript:alert(1)” is not a web address (it should start with https://)."]
    }


def test_items_carry_over_with_one_owner_and_count_their_shifts(chain, shifts, crew):
    krakow, bogota, manila = crew["Kraków"][0], crew["Bogotá"][0], crew["Manila"][0]
    first = write_handoff(
        chain,
        krakow,
        from_shift=shifts["Kraków"],
        items=[new("Refund stuck", bogota, next_step="Check with billing"), new("DNS", bogota)],
        urgent="Payments slow",
        now=KRAKOW_END,
    )
    assert (first.to_shift.name, first.receiving_starts_at, first.ack_due_at) == (
        "Bogotá",
        utc(2026, 1, 14, 13),
        utc(2026, 1, 14, 14, 20),  # written after Bogotá began: due 30 min later
    )
    refund, dns = Item.objects.order_by("id")
    # Bogotá re-assigns the refund to Manila, closes DNS, and adds nothing: both travel in its note.
    second = write_handoff(
        chain,
        bogota,
        from_shift=shifts["Bogotá"],
        now=utc(2026, 1, 14, 20, 55),
        items=[
            ItemIn(refund.pk, "", manila.pk, Status.WAITING, "Billing to confirm"),
            ItemIn(dns.pk, "", bogota.pk, Status.CLOSED),
        ],
    )
    assert second.to_shift.name == "Manila" and second.receiving_starts_at == utc(2026, 1, 14, 21)
    refund.refresh_from_db()
    dns.refresh_from_db()
    assert (refund.owner_id, refund.status, refund.carried, refund.closed_at) == (
        manila.pk,
        "waiting",
        1,
        None,
    )
    assert dns.closed_at == utc(2026, 1, 14, 20, 55)
    # Manila lists nothing: the open refund is carried anyway, unchanged; the closed DNS item is not.
    third = write_handoff(chain, manila, from_shift=shifts["Manila"], items=[], now=utc(2026, 1, 15, 4, 50))
    refund.refresh_from_db()
    assert refund.carried == 2 and refund.owner_id == manila.pk
    assert [(e.title, e.carried) for e in Entry.objects.filter(handoff=third)] == [("Refund stuck", 2)]
    assert [e.title for e in Entry.objects.filter(handoff=second)] == ["Refund stuck", "DNS"]


def test_only_the_outgoing_shift_writes_and_only_once(chain, shifts, crew):
    with pytest.raises(PermissionDenied):
        write_handoff(chain, crew["Bogotá"][0], from_shift=shifts["Kraków"], items=[], now=KRAKOW_END)
    write_handoff(chain, crew["Kraków"][0], from_shift=shifts["Kraków"], items=[], now=KRAKOW_END)
    with pytest.raises(AlreadyWritten, match="already written by Zofia Nowak"):
        write_handoff(chain, crew["Kraków"][1], from_shift=shifts["Kraków"], items=[], now=KRAKOW_END)


def test_a_shift_long_over_cannot_be_handed_off(chain, shifts, crew):
    with pytest.raises(ValidationError) as exc:  # Saturday: Kraków last worked Friday
        write_handoff(
            chain, crew["Kraków"][0], from_shift=shifts["Kraków"], items=[], now=utc(2026, 1, 17, 12)
        )
    assert list(exc.value.message_dict) == ["from_shift"]


def test_reassigning_never_leaves_an_item_without_owner(chain, shifts, crew, member):
    write_handoff(
        chain,
        crew["Kraków"][0],
        from_shift=shifts["Kraków"],
        items=[new("A", crew["Bogotá"][0])],
        now=KRAKOW_END,
    )
    item = Item.objects.get()
    with pytest.raises(ValidationError) as exc:
        update_item(item, crew["Bogotá"][0], {"owner_id": None})
    assert exc.value.message_dict == {"owner": ["Every item needs exactly one owner: choose who has it now."]}
    update_item(item, crew["Bogotá"][0], {"owner_id": crew["Manila"][1].pk, "status": "closed"})
    item.refresh_from_db()
    assert item.owner_id == crew["Manila"][1].pk and item.closed_at is not None
    outsider_of_chain = PersonFactory(org=chain.org)
    with pytest.raises(PermissionDenied):
        update_item(item, outsider_of_chain, {"status": "open"})


def test_acknowledging_is_for_the_receiving_shift_and_managers(chain, shifts, crew, manager):
    handoff = write_handoff(chain, crew["Kraków"][0], from_shift=shifts["Kraków"], items=[], now=KRAKOW_END)
    with pytest.raises(PermissionDenied):
        acknowledge(handoff, crew["Manila"][0])
    acknowledge(handoff, crew["Bogotá"][1], now=utc(2026, 1, 14, 14, 5))
    acknowledge(handoff, manager, now=utc(2026, 1, 14, 14, 6))  # a second click changes nothing
    handoff.refresh_from_db()
    assert (handoff.acknowledged_by_id, handoff.acknowledged_at, handoff.next_step_at) == (
        crew["Bogotá"][1].pk,
        utc(2026, 1, 14, 14, 5),
        None,
    )
    assert handoff.time_to_ack == dt.timedelta(minutes=15)  # from 13:50, when it was written
    assert not handoff.late


def test_shift_members_keep_their_order(chain, crew):
    manila = Shift.objects.get(chain=chain, name="Manila")
    assert list(ShiftMember.objects.filter(shift=manila).values_list("person__name", flat=True)) == [
        "Maria Santos",
        "Paolo Reyes",
    ]
