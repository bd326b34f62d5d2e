"""Messages that work both inside the platform (translated) and in the standalone encoder, which
runs on an organisation's own computer without Django configured (then in English)."""

from __future__ import annotations


def _(message: str) -> str:
    from django.conf import settings

    if not settings.configured:
        return message
    from django.utils.translation import gettext

    return gettext(message)
