import ipaddress
import time

from django.conf import settings
from django.utils import translation


class ClientAddressMiddleware:
    """Behind a reverse proxy every request comes from the proxy's own address, so the limits
    kept per network address (the public help form's, login throttling) would count everyone
    as one client: one flood would shut the form for every person who needs it. With
    `BRIDGEWAY_TRUSTED_PROXY_COUNT` = N (the proxies in front of the server, usually 1), the
    client's address is the N-th from the right in `X-Forwarded-For`: the one the outermost
    trusted proxy saw connect. Entries further left are whatever the client wrote and are
    ignored. A request with fewer entries than that (one that did not pass through the
    proxies, e.g. a local health check) or with an entry that is not an address keeps the
    connection's address. First in MIDDLEWARE, so everything after sees the client's address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = settings.BRIDGEWAY_TRUSTED_PROXY_COUNT
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") if count > 0 else ""
        if forwarded:
            hops = forwarded.split(",")
            if len(hops) >= count:
                try:
                    request.META["REMOTE_ADDR"] = str(ipaddress.ip_address(hops[-count].strip()))
                except ValueError:
                    pass
        return self.get_response(request)


class UserLanguageMiddleware:
    """A signed-in user's saved language wins over the browser's and the cookie's."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.codes = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        user = getattr(request, "user", None)
        lang = getattr(user, "preferred_language", "") if user and user.is_authenticated else ""
        if lang in self.codes:
            translation.activate(lang)
            request.LANGUAGE_CODE = lang
        return self.get_response(request)


class IdleTimeoutMiddleware:
    """Sessions end after SESSION_COOKIE_AGE without a request. Saving a session pushes its expiry
    forward; doing that on every request (SESSION_SAVE_EVERY_REQUEST) costs a database write per
    page, so the session is saved at most once a minute (`TOUCH_EVERY`) unless something in it
    changed. The timeout never gets longer for it: at worst a session ends a minute early.

    Sits after SessionMiddleware, so on the way out it marks the session before it is saved."""

    TOUCH_EVERY = 60
    KEY = "_bridgeway_touched"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or (session.session_key is None and not session.modified):
            return response  # no session (anonymous): none is created
        touched = session.get(self.KEY, 0)
        if session.is_empty():
            return response  # just signed out
        now = int(time.time())
        if session.modified or not isinstance(touched, int) or \
                not 0 <= now - touched < self.TOUCH_EVERY:
            session[self.KEY] = now
        return response
