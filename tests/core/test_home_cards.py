"""Issue 18 (session 29): the home page writes each queue's card in Python (orgs.views._queue_card)
instead of the template's loop over the items. Its HTML must stay what the template wrote:
compared here with the old card template for items that need escaping, every urgency, a detail
with and without a due date (a date and a time with its zone), a full queue ("See all 99+"),
a short one ("Open the list"), one without a list and a failed one, in English and Ukrainian."""

import datetime as dt

import pytest
from django.template import engines
from django.utils import timezone, translation

from bridgeway.core.queues import SOON, URGENT, QueueItem
from bridgeway.orgs.views import _queue_card, _queue_words

# The card as core/home.html wrote it before session 29.
OLD_CARD = """{% load i18n %}<section class="card queue" id="queue-{{ queue.key }}" aria-labelledby="queue-{{ queue.key }}-title">
    <h3 id="queue-{{ queue.key }}-title">{{ queue.title }}{% if not queue.failed %} <span class="count">({{ queue.count_label }})</span>{% endif %}</h3>
    {% if queue.failed %}
    <p class="muted">{% translate "This list could not be loaded just now. Try again later; the rest of the page is up to date." %}</p>
    {% else %}
    <ul class="queue-items">
      {% for item in queue.items %}
      <li>
        <a href="{{ item.url }}">{{ item.label }}</a>
        {% if item.urgency == 2 %}<span class="tag tag-urgent">{% translate "Urgent" %}</span>{% elif item.urgency == 1 %}<span class="tag tag-soon">{% translate "Soon" %}</span>{% endif %}
        {% if item.detail or item.due %}<br><span class="muted">{{ item.detail }}{% if item.detail and item.due %} · {% endif %}{% if item.due %}{% translate "due" %} <time datetime="{{ item.due|date:'c' }}">{{ item.due|due }}</time>{% endif %}</span>{% endif %}
      </li>
      {% endfor %}
    </ul>
    {% if queue.more and queue.count > queue.items|length %}<p><a href="{{ queue.more }}">{% blocktranslate with n=queue.count_label %}See all {{ n }}{% endblocktranslate %}</a></p>{% elif queue.more %}<p><a href="{{ queue.more }}">{% translate "Open the list" %}</a></p>{% endif %}
    {% endif %}
  </section>"""

ITEMS = [
    QueueItem(label='REF-1 <b>&"x"', url="/cases/1/?a=1&b=2", urgency=URGENT,
              due=dt.date(2026, 12, 1), detail="overdue <i>"),
    QueueItem(label="REF-2", url="/cases/2/", urgency=SOON,
              due=dt.datetime(2026, 12, 7, 21, 30, tzinfo=dt.UTC), detail="from Org & Co"),
    QueueItem(label="REF-3", url="/cases/3/", detail="opened 1.12.2026"),
    QueueItem(label="REF-4", url="/cases/4/", due=dt.date(2026, 12, 9)),
    QueueItem(label="REF-5", url="/cases/5/"),
]


def queue(**kwargs):
    base = {"key": "cases.tasks", "title": "Your tasks <due> this week", "count": 120,
            "count_label": "99+", "items": ITEMS, "failed": False, "more": "/cases/tasks/"}
    return base | kwargs


@pytest.mark.parametrize("lang", ["en", "uk"])
@pytest.mark.parametrize("case", ["full", "short", "no list", "failed", "empty"])
def test_queue_cards_are_the_templates_cards(lang, case):
    q = {"full": queue(), "short": queue(count=5, count_label="5"),
         "no list": queue(more=""), "failed": queue(failed=True, items=[]),
         "empty": queue(items=[], count=0, count_label="0")}[case]
    with translation.override(lang), timezone.override("Europe/Chisinau"):
        expected = engines["django"].from_string(OLD_CARD).render({"queue": q})
        assert str(_queue_card(q, _queue_words())) == expected
    if case == "full":
        assert "REF-1 &lt;b&gt;&amp;&quot;x&quot;" in expected
        assert 'datetime="2026-12-07T23:30:00+02:00"' in expected  # the person's zone
