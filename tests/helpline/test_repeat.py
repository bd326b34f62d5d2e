"""A caller who agrees to give a number, handle or e-mail is recognised next time, within the
organisation only."""

import pytest
from django.urls import reverse

from bridgeway.helpline.models import Contact, ReachIndex
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_this_number_contacted_you_three_times_before(cast, record):
    earlier = [record(reach=fmt, reach_kind="phone")
               for fmt in ("+373 69 123 456", "+37369123456", "0037369123456")]
    latest = record(reach="+373-69-123-456", reach_kind="phone")
    page = signed_in(cast.caseworker_a).get(reverse("helpline:detail", args=[latest.pk]))
    assert "This caller contacted you 3 times before" in page.content.decode()
    for c in earlier:
        assert reverse("helpline:detail", args=[c.pk]).encode() in page.content


def test_never_across_organisations(cast, record):
    record(reach="+37369123456", reach_kind="phone")
    theirs = record(org=cast.org_b, actor=cast.caseworker_b, reach="+37369123456",
                    reach_kind="phone")
    page = signed_in(cast.caseworker_b).get(reverse("helpline:detail", args=[theirs.pk]))
    assert "contacted you" not in page.content.decode()
    digests = set(ReachIndex.objects.values_list("digest", flat=True))
    assert len(digests) == 2  # keyed per organisation: the same number, unrelated digests


def test_the_number_is_stored_only_encrypted_and_as_a_digest(cast, record):
    contact = record(reach="Someone@Example.org", reach_kind="email")
    raw = Contact.objects.filter(pk=contact.pk).values_list("reach", flat=True).get()
    assert b"example" not in bytes(raw).lower()
    assert Contact.objects.get(pk=contact.pk).reach == "someone@example.org"
    assert "example" not in ReachIndex.objects.get().digest


def test_handles_match_with_or_without_the_at_sign(cast, record):
    record(channel="telegram", reach="@Anna_K", reach_kind="handle")
    second = record(channel="telegram", reach="anna_k", reach_kind="handle")
    page = signed_in(cast.caseworker_a).get(reverse("helpline:detail", args=[second.pk]))
    assert "This caller contacted you 1 time before" in page.content.decode()
