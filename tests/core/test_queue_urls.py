"""The home queues' links are reversed once per queue (core.queues.url_maker): each link must be
exactly what reverse() gives, whatever the ids."""

import uuid

from django.urls import reverse

from bridgeway.core.queues import url_maker


def test_uuid_links_are_those_reverse_gives():
    url = url_maker("cases:detail")
    ids = [uuid.uuid4() for _ in range(5)]
    assert [url(pk) for pk in ids] == [reverse("cases:detail", args=[pk]) for pk in ids]


def test_two_integer_arguments_even_when_they_repeat():
    url = url_maker("surveys:submission")
    args = [(1, 2), (11, 1), (2, 2), (123, 45)]
    assert [url(*a) for a in args] == [reverse("surveys:submission", args=a) for a in args]


def test_an_ambiguous_first_link_falls_back_to_reverse():
    # "1" occurs twice in /surveys/1/submissions/1/: the pieces cannot be told apart.
    url = url_maker("surveys:submission")
    args = [(1, 1), (7, 8), (8, 7)]
    assert [url(*a) for a in args] == [reverse("surveys:submission", args=a) for a in args]


def test_other_kinds_of_argument_are_reversed_each_time():
    url = url_maker("surveys:detail")
    assert url(3) == reverse("surveys:detail", args=[3])
    assert url("4") == reverse("surveys:detail", args=["4"])
