"""Statistics of contacts: by channel, topic, outcome, language, hour of day and week, and the
time to the first answer. An organisation sees its own counts; a network sees its members'
aggregates only, each count from 1 to K-1 shown as "<K" (small-cell suppression, the k the
dashboards use) through the shared chart helper."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.core.charts import bar_chart
from bridgeway.core.smallcells import shown_count
from bridgeway.helpline.codes import Channel, Outcome, Source, topic_labels
from bridgeway.helpline.models import Contact
from bridgeway.orgs.codes import language_name
from bridgeway.orgs.models import NetworkMembership, Organisation

# As the statistics dashboards (stats.dashboard.K_DEFAULT, CTDC's k).
K = 11


def scope(org: Organisation) -> list[int]:
    if not org.is_network:
        return [org.pk]
    return list(NetworkMembership.objects.filter(network=org).values_list("member_id", flat=True))


def figures(org: Organisation, *, days: int = 90, now: datetime | None = None) -> dict[str, Any]:
    """Counts for the last `days` days, as (label, count) rows per dimension, plus the median
    hours to a first answer of web-form submissions."""
    now = now or timezone.now()
    qs = Contact.objects.filter(organisation_id__in=scope(org),
                                started_at__gte=now - timedelta(days=days),
                                started_at__lte=now).exclude(status="discarded")
    k = K if org.is_network else 0

    def grouped(field: str, labels: dict) -> list[tuple[str, int]]:
        rows = qs.values(field).annotate(n=Count("pk")).order_by("-n", field)
        return [(str(labels.get(r[field], r[field] or _("Not recorded"))), r["n"]) for r in rows]

    topics: Counter[str] = Counter()
    hours: Counter[int] = Counter()
    weeks: Counter[str] = Counter()
    waits: list[float] = []
    for row in qs.values("topics", "started_at", "first_answered_at", "source", "created_at"):
        topics.update(row["topics"] or [])
        local = timezone.localtime(row["started_at"])
        hours[local.hour] += 1
        iso = local.isocalendar()
        weeks[f"{iso.year}-W{iso.week:02d}"] += 1
        if row["source"] == Source.WEB_FORM and row["first_answered_at"]:
            waits.append((row["first_answered_at"] - row["created_at"]).total_seconds() / 3600)
    labels = topic_labels()
    total = qs.count()
    answered = len(waits)
    return {
        "total": total, "k": k, "days": days,
        "channel": grouped("channel", dict(Channel.choices)),
        "outcome": grouped("outcome", dict(Outcome.choices)),
        "language": [(language_name(code) if code != _("Not recorded") else code, n)
                     for code, n in grouped("language", {})],
        "topic": [(str(labels.get(code, code)), n) for code, n in topics.most_common()],
        "hour": [(f"{h:02d}:00", hours[h]) for h in range(24) if hours[h]],
        "week": sorted(weeks.items()),
        "answered": answered,
        # A median of fewer than k waits could single out one person's contact.
        "median_hours_to_answer": (round(median(waits), 1)
                                   if waits and (not k or answered >= k) else None),
    }


def charts(org: Organisation, data: dict[str, Any]) -> list[dict]:
    k = data["k"]
    titles = [("channel", _("Contacts by channel")), ("topic", _("Contacts by topic")),
              ("outcome", _("Contacts by outcome")), ("language", _("Contacts by language")),
              ("hour", _("Contacts by hour of day")), ("week", _("Contacts by week"))]
    return [bar_chart(f"helpline-{key}", title, data[key], unit=_("Contacts"),
                      empty=_("No contacts in this period."), suppress_below=k)
            for key, title in titles]


def total_shown(data: dict[str, Any]) -> int | str:
    k, n = data["k"], data["total"]
    return shown_count(n, k)
