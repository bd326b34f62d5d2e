"""The cast of every permission test (ENGINEERING.md): caseworker and supervisor of org A,
caseworker of org B, an agency point of contact, a network coordinator and an outsider; plus the
org admin and DPO of A and a platform administrator."""

import time
from dataclasses import dataclass

import pytest
from django.test import Client
from rest_framework.test import APIClient

from bridgeway.accounts.models import User
from bridgeway.accounts.services import api_token_create
from bridgeway.core import prepared
from bridgeway.orgs.models import Membership, NetworkMembership, Organisation
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, with_totp

# A prepared queryset builder (core.prepared) that reads the clock fails its first test.
prepared.strict()


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """A request in another language leaves that language active in the thread (the locale
    middleware does not switch back); code called directly by the next test would speak it.
    Every test starts in the default language."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_kek_ids():
    """Organisations' own key ids kept per process (protection.services.kek_id_for) belong to
    one test: ids are reused between tests."""
    from bridgeway.protection import services

    services.forget_kek_ids()
    yield
    services.forget_kek_ids()


@pytest.fixture(autouse=True)
def _fresh_menu_cache():
    """The menu's kept counts (core.queues) belong to one test: ids are reused between tests."""
    from bridgeway.core import queues

    queues._menu_cache.clear()
    yield
    queues._menu_cache.clear()


@dataclass
class Cast:
    org_a: Organisation
    org_b: Organisation
    police: Organisation
    network: Organisation
    hidden: Organisation
    caseworker_a: User
    supervisor_a: User
    admin_a: User
    dpo_a: User
    caseworker_b: User
    admin_b: User
    agency_poc: User
    coordinator: User
    outsider: User
    platform_admin: User


def _member(org, role, **kw) -> User:
    m = MembershipFactory(organisation=org, role=role, **kw)
    if role in {"caseworker", "supervisor", "dpo", "org_admin", "agency_poc"}:
        with_totp(m.user)
    return m.user


@pytest.fixture
def cast(db) -> Cast:
    org_a = OrganisationFactory(name="Org A", country="MD")
    org_b = OrganisationFactory(name="Org B", country="RO")
    police = OrganisationFactory(name="Police unit", org_type="LawEnforcement")
    network = OrganisationFactory(name="The Network", org_type="CSONetwork", country="RO")
    hidden = OrganisationFactory(name="Hidden CSO", listed_in_directory=False)
    NetworkMembership.objects.create(network=network, member=org_a)
    NetworkMembership.objects.create(network=network, member=hidden)
    admin = UserFactory(is_superuser=True, is_staff=True)
    with_totp(admin)
    return Cast(
        org_a=org_a, org_b=org_b, police=police, network=network, hidden=hidden,
        caseworker_a=_member(org_a, "caseworker"),
        supervisor_a=_member(org_a, "supervisor"),
        admin_a=_member(org_a, "org_admin"),
        dpo_a=_member(org_a, "dpo"),
        caseworker_b=_member(org_b, "caseworker"),
        admin_b=_member(org_b, "org_admin"),
        agency_poc=_member(police, "agency_poc"),
        coordinator=_member(network, "network_coordinator"),
        outsider=UserFactory(),
        platform_admin=admin,
    )


def signed_in(user: User, *, reauthenticated: bool = True) -> Client:
    """A client logged in as `user`, as if they had just passed password and MFA."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if reauthenticated:
        session = client.session
        session["account_authentication_methods"] = [
            {"method": "password", "at": time.time(), "reauthenticated": True}]
        session["account_authentication_methods_user"] = str(user.pk)
        session.save()
    return client


def api(user: User) -> APIClient:
    """An API client that authenticates as `user` with a fresh token."""
    _token, secret = api_token_create(user=user, name="t")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


@pytest.fixture
def as_user():
    return signed_in


def memberships_count() -> int:
    return Membership.objects.count()
