import pytest

from bridgeway.protection.services import subject_create


@pytest.fixture
def subject_a(cast):
    return subject_create(org=cast.org_a, actor=cast.caseworker_a, display_name="Олена Коваленко")


@pytest.fixture
def subject_b(cast):
    return subject_create(org=cast.org_b, actor=cast.caseworker_b, display_name="Maria Ionescu")
