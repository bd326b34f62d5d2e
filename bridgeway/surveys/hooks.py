"""Surveys' part in other apps' registries: its menu entry and its deadline reminders."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bridgeway.core.registry import register_menu
from bridgeway.notifications.registry import register_reminder_source
from bridgeway.protection.sealing import register_sealed
from bridgeway.surveys.models import Submission
from bridgeway.surveys.queries import surveys_menu_rows
from bridgeway.surveys.services import remind_deadlines


@register_menu(55)
def _menu(user) -> list[tuple]:
    rows = surveys_menu_rows(user)
    if rows is False:
        return []
    entry = (reverse("surveys:list"), _("Surveys"), "surveys")
    return [entry if rows is True else (*entry, rows)]


register_reminder_source("surveys.deadlines", remind_deadlines)


register_sealed(Submission)  # each submission's own data key (sealed free text): key rotation
