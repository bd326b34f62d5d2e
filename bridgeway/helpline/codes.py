"""The helpline's stored code sets, with translated labels (the one label registry)."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bridgeway.cases.codes import Exploitation


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")
    SIGNAL = "signal", _("Signal")
    TELEGRAM = "telegram", _("Telegram")
    MESSENGER = "messenger", _("Other messenger")
    CHAT = "chat", _("Chat")
    EMAIL = "email", _("E-mail")
    WEB_FORM = "web_form", _("Web form")
    WALK_IN = "walk_in", _("Walk-in")


# How a first contact opened from a helpline contact records its channel (cases' own codes).
CASE_CHANNEL = {
    Channel.PHONE: "phone", Channel.SMS: "chat", Channel.WHATSAPP: "chat",
    Channel.SIGNAL: "chat", Channel.TELEGRAM: "chat", Channel.MESSENGER: "chat",
    Channel.CHAT: "chat", Channel.EMAIL: "email", Channel.WEB_FORM: "web",
    Channel.WALK_IN: "in_person",
}


class Direction(models.TextChoices):
    INCOMING = "in", pgettext_lazy("contact direction", "Incoming")
    OUTGOING = "out", pgettext_lazy("contact direction", "Outgoing")


class CallerType(models.TextChoices):
    PERSON = "person", _("The person concerned")
    RELATIVE = "relative", _("A relative or friend")
    PROFESSIONAL = "professional", _("A professional")
    PUBLIC = "public", _("A member of the public")
    AGENCY = "agency", _("An agency")


class Relation(models.TextChoices):
    SELF = "self", _("Is the person concerned")
    FAMILY = "family", _("Family member")
    PARTNER = "partner", _("Partner")
    FRIEND = "friend", _("Friend or acquaintance")
    EMPLOYER = "employer", _("Employer or co-worker")
    SUPPORT = "support", _("Social worker, teacher or other support")
    OFFICIAL = "official", _("Official")
    OTHER = "other", pgettext_lazy("relation", "Other")


class HelplineTopic(models.TextChoices):
    INFORMATION = "information", _("Information")
    LABOUR_RIGHTS = "labour_rights", _("Labour rights")
    MIGRATION_STATUS = "migration_status", _("Migration status")
    SAFETY = "safety", _("Safety")
    SHELTER = "shelter", _("Shelter")
    MEDICAL = "medical", _("Medical")
    LEGAL = "legal", _("Legal")
    OTHER = "other", pgettext_lazy("topic", "Other")


# The ILO/European Commission indicator dimensions (cases' identification uses the same ids).
ILO_DIMENSIONS = {
    "deceptive_recruitment": _("Deceptive recruitment"),
    "coercive_recruitment": _("Coercive recruitment"),
    "recruitment_abuse_of_vulnerability": _("Recruitment by abuse of vulnerability"),
    "exploitation": _("Exploitation"),
    "coercion_at_destination": _("Coercion at destination"),
    "abuse_of_vulnerability_at_destination": _("Abuse of vulnerability at destination"),
}


def topic_choices() -> list[tuple[Any, list[tuple[str, Any]]]]:
    """Every topic a contact can carry: helpline topics, exploitation types (prefixed "x:")
    and indicator dimensions (prefixed "ilo:"), grouped as a select shows them."""
    return [
        (_("Helpline topics"), list(HelplineTopic.choices)),
        (_("Types of exploitation"), [(f"x:{v}", lbl) for v, lbl in Exploitation.choices]),
        (_("Indicator dimensions"), [(f"ilo:{k}", lbl) for k, lbl in ILO_DIMENSIONS.items()]),
    ]


def topic_labels() -> dict[str, Any]:
    return {code: label for _group, items in topic_choices() for code, label in items}


class Urgency(models.TextChoices):
    LOW = "low", pgettext_lazy("urgency", "Low")
    NORMAL = "normal", pgettext_lazy("urgency", "Normal")
    HIGH = "high", pgettext_lazy("urgency", "High")
    EMERGENCY = "emergency", _("Emergency: danger now")


class Outcome(models.TextChoices):
    INFORMATION = "information", _("Information given")
    REFERRED_INTERNAL = "referred_internal", _("Referred internally")
    REFERRED_EXTERNAL = "referred_external", _("Referred externally")
    CASE_OPENED = "case_opened", _("Case opened")
    DROPPED = "dropped", _("Call dropped")
    PRANK = "prank", _("Prank or abuse")
    PENDING = "pending", _("Not answered yet")


class Status(models.TextChoices):
    NEW = "new", pgettext_lazy("contact status", "New")
    HELD = "held", _("Held for moderation")
    DONE = "done", pgettext_lazy("contact status", "Handled")
    DISCARDED = "discarded", _("Discarded")


class HeldReason(models.TextChoices):
    QUOTA = "quota", _("Over the daily quota")
    NO_PROOF = "no_proof", _("Sent without the automatic check (no JavaScript)")


class ReachKind(models.TextChoices):
    PHONE = "phone", _("Phone number")
    HANDLE = "handle", _("Messenger handle")
    EMAIL = "email", _("E-mail address")


class Source(models.TextChoices):
    OPERATOR = "operator", _("Recorded by an operator")
    WEB_FORM = "web_form", _("Public form")
    API = "api", _("API")
    IMPORT = "import", _("Call-log import")


class FormField(models.TextChoices):
    """What the public form can ask, each only if the organisation turns it on."""
    WHAT_HAPPENED = "what_happened", _("What happened, and how can we help?")
    REACH = "reach", _("How can we reach you safely? (phone, messenger or e-mail)")
    REACH_CHANNEL = "reach_channel", _("Which way should we answer?")
    SAFE_TIMES = "safe_times", _("When is it safe to contact you?")
    LANGUAGE = "language", _("Which language do you prefer?")
    MAY_LEAVE_MESSAGE = "may_leave_message", _("May we leave a message?")
    ON_BEHALF = "on_behalf", _("Are you writing for yourself or for someone else?")


DEFAULT_FORM_FIELDS = [FormField.WHAT_HAPPENED, FormField.REACH, FormField.REACH_CHANNEL,
                       FormField.SAFE_TIMES, FormField.LANGUAGE, FormField.MAY_LEAVE_MESSAGE]
