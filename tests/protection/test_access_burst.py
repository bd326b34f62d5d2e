"""The access log's burst flag: more than BRIDGEWAY_ACCESS_BURST distinct people read by one
person within BRIDGEWAY_ACCESS_BURST_MINUTES marks the reads "many_subjects" — however many
times the same people were re-read in between (the check reads the newest entries first and
only then, if it must, the whole window)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bridgeway.orgs.queries import active_memberships
from bridgeway.protection import access
from bridgeway.protection.models import AccessLogEntry
from bridgeway.protection.services import subject_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(cast):
    return [subject_create(org=cast.org_a, actor=cast.caseworker_a, display_name=f"Person {i}")
            for i in range(5)]


def read_earlier(user, subject, *, minutes, times=1):
    at = timezone.now() - timedelta(minutes=minutes)
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(at=at - timedelta(seconds=i), user=user, subject=subject,
                       organisation_id=subject.organisation_id, screen="test", via="ui")
        for i in range(times))


def flags_of_now(user, subject):
    access.record(user, [subject], screen="test", via="ui")
    return AccessLogEntry.objects.filter(user=user, subject=subject).latest("at").flags


def test_many_distinct_people_in_the_window_is_a_burst(cast, people, settings):
    settings.BRIDGEWAY_ACCESS_BURST = 3
    user = cast.caseworker_a
    for minutes, person in zip((4, 3, 2), people[:3], strict=True):
        read_earlier(user, person, minutes=minutes)
    assert flags_of_now(user, people[0]) == []  # 3 distinct people: not more than 3
    assert flags_of_now(user, people[3]) == ["many_subjects"]  # the fourth
    # Reading people already counted again is still within a burst.
    assert flags_of_now(user, people[1]) == ["many_subjects"]


def test_reads_outside_the_window_do_not_count(cast, people, settings):
    settings.BRIDGEWAY_ACCESS_BURST = 3
    settings.BRIDGEWAY_ACCESS_BURST_MINUTES = 10
    user = cast.caseworker_a
    read_earlier(user, people[0], minutes=30)
    read_earlier(user, people[1], minutes=11)
    read_earlier(user, people[2], minutes=5)
    assert flags_of_now(user, people[3]) == []
    # Another person's reads are theirs.
    for person in people:
        read_earlier(cast.supervisor_a, person, minutes=1)
    assert flags_of_now(user, people[4]) == []


def test_a_burst_hidden_behind_many_rereads_is_still_found(cast, people, settings):
    # The newest entries are all re-reads of one person, more than the check reads first: the
    # other people read earlier in the window must still be counted.
    settings.BRIDGEWAY_ACCESS_BURST = 3
    user = cast.caseworker_a
    read_earlier(user, people[1], minutes=8)
    read_earlier(user, people[2], minutes=7)
    read_earlier(user, people[0], minutes=1, times=60)
    assert flags_of_now(user, people[0]) == []  # 3 distinct
    assert flags_of_now(user, people[3]) == ["many_subjects"]


def test_many_rereads_of_few_people_are_not_a_burst(cast, people, settings):
    settings.BRIDGEWAY_ACCESS_BURST = 3
    user = cast.caseworker_a
    read_earlier(user, people[0], minutes=2, times=60)
    read_earlier(user, people[1], minutes=1, times=60)
    read_earlier(user, people[4], minutes=20, times=5)  # outside the window
    assert flags_of_now(user, people[2]) == []
    assert flags_of_now(user, people[0]) == []


def test_one_request_with_more_people_than_the_limit_is_a_burst(cast, people, settings):
    settings.BRIDGEWAY_ACCESS_BURST = 3
    user = cast.caseworker_a
    access.record(user, people[:4], screen="test", via="ui")
    assert all(e.flags == ["many_subjects"]
               for e in AccessLogEntry.objects.filter(user=user))


def test_reading_the_same_people_again_checks_the_window_in_one_statement(cast, people, settings,
                                                                          django_assert_num_queries):
    # A page read again (the same people, many times in the window): the burst check reads the
    # window once, then the entries are written. The flag is still right.
    settings.BRIDGEWAY_ACCESS_BURST = 3
    user = cast.caseworker_a
    read_earlier(user, people[0], minutes=2, times=60)
    read_earlier(user, people[1], minutes=1, times=60)
    active_memberships(user)  # read once per request by the middleware
    with django_assert_num_queries(2):  # the burst check, the insert
        access.record(user, people[:2], screen="test", via="ui")
    assert set(AccessLogEntry.objects.filter(user=user).latest("at").flags) == set()
    read_earlier(user, people[2], minutes=3)
    read_earlier(user, people[3], minutes=4)
    assert flags_of_now(user, people[0]) == ["many_subjects"]  # four distinct people
