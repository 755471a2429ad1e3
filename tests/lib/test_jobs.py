"""The scheduler's claim-due-row loop: no double runs, nothing lost when a run dies."""

import datetime as dt
import threading

import pytest
from django.db import connection

from accord.lib import jobs
from accord.lib.tz import UTC
from accord.orgs.jobs import org_housekeeping
from accord.orgs.models import Organisation
from tests.concurrency import at_once
from tests.factories import OrgFactory

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_due_rows_are_handled_once_and_moved_forward(registry):
    jobs.load_jobs()
    due = OrgFactory(next_housekeeping_at=NOW - dt.timedelta(minutes=1))
    later = OrgFactory(next_housekeeping_at=NOW + dt.timedelta(hours=1))
    assert jobs.tick(NOW)["org housekeeping"] == 1
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.next_housekeeping_at == NOW + dt.timedelta(days=1)
    assert later.next_housekeeping_at == NOW + dt.timedelta(hours=1)
    # A second tick at the same moment finds nothing due.
    assert jobs.tick(NOW)["org housekeeping"] == 0


@pytest.mark.django_db
def test_a_claim_succeeds_only_for_the_due_time_that_was_seen():
    org = OrgFactory(next_housekeeping_at=NOW)
    new = NOW + dt.timedelta(days=1)
    assert jobs.claim(Organisation, org.pk, "next_housekeeping_at", NOW, new) is True
    # A second scheduler that read the same due time loses the race.
    assert jobs.claim(Organisation, org.pk, "next_housekeeping_at", NOW, new) is False


@pytest.mark.django_db
def test_a_crash_mid_run_loses_nothing(registry):
    calls = []

    def explode(org, now):
        calls.append(org.pk)
        raise RuntimeError("worker machine lost power")

    registry[:] = [jobs.Periodic("boom", Organisation, "next_housekeeping_at", explode)]
    org = OrgFactory(next_housekeeping_at=NOW - dt.timedelta(minutes=5))
    with pytest.raises(RuntimeError):
        jobs.tick(NOW)
    org.refresh_from_db()
    assert org.next_housekeeping_at == NOW - dt.timedelta(minutes=5)  # still due
    registry[:] = [jobs.Periodic("ok", Organisation, "next_housekeeping_at", org_housekeeping)]
    assert jobs.tick(NOW) == {"ok": 1}
    assert calls == [org.pk]


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_never_handle_a_row_twice(registry):
    handled: list[int] = []
    lock = threading.Lock()

    def record(org, now):
        with lock:
            handled.append(org.pk)
        return now + dt.timedelta(days=1)

    registry[:] = [jobs.Periodic("record", Organisation, "next_housekeeping_at", record)]
    orgs = [OrgFactory(next_housekeeping_at=NOW - dt.timedelta(seconds=i)) for i in range(30)]
    at_once(lambda: jobs.tick(NOW), 2)
    assert sorted(handled) == sorted(o.pk for o in orgs)


@pytest.mark.django_db
def test_an_idle_tick_is_one_query_over_every_kind(registry, django_assert_num_queries):
    assert len(registry) >= 3  # every app's kinds: the one query spans them all
    OrgFactory(next_housekeeping_at=NOW + dt.timedelta(hours=1))  # rows exist, none due yet
    with django_assert_num_queries(1):
        counts = jobs.tick(NOW)
    assert set(counts) == {k.name for k in registry}
    assert set(counts.values()) == {0}


@pytest.mark.django_db
def test_only_kinds_with_something_due_run_their_loop(registry, django_assert_num_queries):
    due = OrgFactory(next_housekeeping_at=NOW - dt.timedelta(minutes=1))
    quiet = [
        jobs.Periodic(k.name, k.model, k.field, k.handle) for k in registry if k.name != "org housekeeping"
    ]
    with django_assert_num_queries(1):  # nothing due among the others
        jobs.tick(NOW - dt.timedelta(hours=1))
    counts = jobs.tick(NOW)
    assert counts["org housekeeping"] == 1
    assert all(counts[k.name] == 0 for k in quiet)
    due.refresh_from_db()
    assert due.next_housekeeping_at == NOW + dt.timedelta(days=1)


@pytest.mark.django_db
def test_no_kinds_registered_means_no_query(registry, django_assert_num_queries):
    registry[:] = []
    with django_assert_num_queries(0):
        assert jobs.tick(NOW) == {}


@pytest.mark.django_db
def test_the_idle_query_reads_indexes_only(registry):
    """Every arm of the one idle query is answered from an index, never by scanning its table."""
    from django.utils import timezone

    sql = jobs.due_sql()
    params = [connection.ops.adapt_datetimefield_value(timezone.now())]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = [row[-1] for row in cursor.fetchall()]
            # "SCAN mins" reads the few rows of the union itself; every table must be a SEARCH.
            assert [line for line in plan if line.startswith("SCAN") and line != "SCAN mins"] == [], plan
            searches = [line for line in plan if line.startswith("SEARCH") and "INDEX" in line]
            assert len(searches) == len(registry), plan
        else:
            # Tiny test tables would make any planner prefer a sequential scan: forbid it, and the
            # plan must still be there, from the indexes alone.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Seq Scan" not in plan, plan
