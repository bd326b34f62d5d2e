"""The client's address behind trusted reverse proxies (core.middleware.ClientAddressMiddleware):
the N-th entry from the right of X-Forwarded-For, never one the client wrote further left."""

import pytest
from django.test import RequestFactory

from bridgeway.core.middleware import ClientAddressMiddleware


def seen(settings, count, forwarded=None, remote="10.0.0.1"):
    settings.BRIDGEWAY_TRUSTED_PROXY_COUNT = count
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().get("/", **headers)
    return ClientAddressMiddleware(lambda r: r.META["REMOTE_ADDR"])(request)


@pytest.mark.parametrize(("count", "forwarded", "expected"), [
    (0, "203.0.113.7", "10.0.0.1"),  # no proxy trusted: the header is the client's word
    (1, "203.0.113.7", "203.0.113.7"),
    (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # a forged entry on the left
    (2, "198.51.100.1, 203.0.113.7, 10.1.1.1", "203.0.113.7"),  # two proxies
    (2, "203.0.113.7", "10.0.0.1"),  # fewer hops than proxies: not through them
    (1, "not-an-address", "10.0.0.1"),
    (1, " 2001:db8::1 ", "2001:db8::1"),
    (1, None, "10.0.0.1"),  # a local health check, straight to the server
])
def test_the_client_address(settings, count, forwarded, expected):
    assert seen(settings, count, forwarded) == expected
