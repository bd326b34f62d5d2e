"""The public self-referral form, one stable address per organisation (/help/<address>/) and
one per network, which routes to a member by country and language. No account, no cookie (no
CSRF token, no session, no message framework), no JavaScript needed for the basic path, no
third-party asset. The defences run cheapest first, so a flood is refused before its body is
read: the rate limit, the size limit, the honeypot, the signed time trap, the proof-of-work;
then the answers are checked and the daily quota holds the surplus for moderation."""

from __future__ import annotations

import logging
from typing import Any

from altcha_django.forms import AltchaField
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from bridgeway.core.forms import add_validation_error
from bridgeway.helpline import abuse, queries, services
from bridgeway.helpline.codes import FormField, HeldReason
from bridgeway.helpline.models import HelplineSettings
from bridgeway.orgs.codes import country_name, language_name
from bridgeway.orgs.models import Organisation

log = logging.getLogger(__name__)
HONEYPOT = "website"
_REACH_CHANNELS = [
    ("phone", _lazy("A phone call")), ("sms", _lazy("SMS")), ("whatsapp", "WhatsApp"),
    ("signal", "Signal"), ("telegram", "Telegram"), ("email", _lazy("E-mail")),
    ("other", _lazy("Another way (say which above)")),
]
_YES_NO = [("yes", _lazy("Yes")), ("no", _lazy("No"))]
_BEHALF = [("self", _lazy("For myself")), ("other", _lazy("For someone else"))]


def _interface_languages() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


def form_languages(conf) -> list[tuple[str, str]]:
    codes = [code for code, _name in settings.LANGUAGES]
    codes += [c for c in conf.form_languages if c not in codes]
    return [(c, dict(settings.LANGUAGES).get(c) or language_name(c)) for c in codes]


class PublicForm(forms.Form):
    def __init__(self, *args, conf, lang: str, countries: list[str] | None = None,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        own = conf.form_labels or {}

        def label(name: str) -> str:
            return own.get(name, {}).get(lang) or str(FormField(name).label)

        limit = {FormField.WHAT_HAPPENED: services.ANSWER_LIMIT}
        for name in conf.form_fields:
            if name == FormField.WHAT_HAPPENED:
                field: forms.Field = forms.CharField(
                    widget=forms.Textarea(attrs={"rows": 6}), strip=False,
                    max_length=limit[name])
            elif name == FormField.REACH_CHANNEL:
                field = forms.ChoiceField(choices=[("", "—"), *_REACH_CHANNELS])
            elif name == FormField.MAY_LEAVE_MESSAGE:
                field = forms.ChoiceField(choices=_YES_NO, widget=forms.RadioSelect)
            elif name == FormField.ON_BEHALF:
                field = forms.ChoiceField(choices=_BEHALF, widget=forms.RadioSelect)
            elif name == FormField.LANGUAGE:
                field = forms.ChoiceField(choices=[("", "—"), *form_languages(conf)])
            else:
                field = forms.CharField(max_length=services.SHORT_LIMIT, strip=False)
            field.required = False
            field.label = label(name)
            self.fields[name] = field
        if countries is not None:
            self.fields["country"] = forms.ChoiceField(
                label=_("Country where help is needed"),
                choices=[("", "—"), *[(c, country_name(c)) for c in countries]])
        self.fields[HONEYPOT] = forms.CharField(
            label=_("Leave this field empty"), required=False, max_length=200,
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))
        self.fields["ts"] = forms.CharField(widget=forms.HiddenInput, max_length=200,
                                            required=False)
        self.fields["altcha"] = AltchaField(required=False, auto="onload",
                                            label=_("Automatic check against abuse"))

    def answers(self) -> dict[str, str]:
        return {name: value for name, value in self.cleaned_data.items()
                if name in FormField.values and value}


def _page(request, conf, form, lang, *, status=200, refusal: str = "") -> HttpResponse:
    response = render(request, "helpline/public/form.html", {
        "conf": conf, "org": conf.organisation, "form": form, "lang": lang,
        "languages": form_languages(conf), "refusal": refusal,
        "intro": (conf.form_intro or {}).get(lang, ""),
        "quick_exit": settings.HELPLINE_QUICK_EXIT_URL,
        "visible_fields": [f for f in form if f.name not in (HONEYPOT, "ts", "altcha")],
        "honeypot": form[HONEYPOT], "altcha": form["altcha"]}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _plain(message: str, status: int) -> HttpResponse:
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def _fresh(make, form: PublicForm, slug: str) -> PublicForm:
    """The same answers on a new page: a new time token and a new challenge (never the
    honeypot's or the old proof's value)."""
    initial = {name: form.data.get(name) for name in form.fields
               if name not in ("altcha", HONEYPOT, "ts")}
    initial["ts"] = abuse.time_token(slug)
    return make(initial=initial)


def _too_many(limit: str) -> HttpResponse:
    if limit == "hour":
        return _plain(_("Too many messages were sent from your connection in the last hour. "
                        "Please wait an hour and try again, or call us."), 429)
    return _plain(_("Too many messages were sent today from your connection without the "
                    "automatic check. Turn on JavaScript, or try again tomorrow."), 429)


def refuse_early(request, slug: str) -> HttpResponse | None:
    """Cheapest first. An address this process already found over a limit is refused from
    memory (before its body is read, for the hourly limit); the shared cache is asked once,
    last, only for a post no cheaper check refused."""
    if abuse.known_over(request, "hour"):
        return _too_many("hour")
    try:
        size = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        size = 0
    if size > settings.HELPLINE_MAX_BODY:
        return _plain(_("The message is too long to be sent."), 413)
    try:
        abuse.check_time_token(request.POST.get("ts", ""), slug)
    except abuse.TimeTrap as trap:
        if trap.reason != "fast":  # a person who was quick gets the form back, below
            return _plain(_("The page was too old or changed on the way. Please go back, "
                            "reload the page and send your message again."), 400)
    proof = bool(request.POST.get("altcha"))
    if not proof and abuse.known_over(request, "no_proof"):
        return _too_many("no_proof")
    over = abuse.limits_over(request, proof=proof)
    if over:
        return _too_many("hour" if "hour" in over else "no_proof")
    return None


# The ALTCHA widget (altcha-django's vendored copy, altcha 3) solves in Web Workers it starts
# from a blob: URL of its own script, and puts its stylesheet in one <style> element (its hash
# below, for the pinned version). Only this page allows those two; nothing else is loosened.
ALTCHA_STYLE_HASH = "'sha256-ZgqGuQlekW98cv0XQjYUGCLTvc3q5MkU+2SkqlFGoTM='"
PUBLIC_FORM_CSP: dict[str, Any] = {**settings.SECURE_CSP, "worker-src": [CSP.SELF, "blob:"],
                   "style-src": [CSP.SELF, ALTCHA_STYLE_HASH]}


@csp_override(PUBLIC_FORM_CSP)
@csrf_exempt  # no cookie, so no CSRF token: the time trap and the proof-of-work stand in
@require_http_methods(["GET", "POST"])
def form(request, slug):
    try:
        return _form(request, slug)
    except abuse.CACHE_DOWN as exc:
        return unavailable(exc)


def unavailable(exc: BaseException) -> HttpResponse:
    """The shared cache (Redis) that counts the rate limits and the spent proofs-of-work does
    not answer: without it the flood defences cannot hold, so nothing is accepted (fail
    closed) — but with a plain 503 a person can act on, not a server error."""
    log.error("helpline public form: rate-limit cache unavailable (%s)", type(exc).__name__)
    response = _plain(_("The form cannot take messages right now. Please try again in a "
                        "few minutes, or call us."), 503)
    response["Retry-After"] = "120"
    return response


def _form(request, slug):
    if request.method == "POST" and not getattr(request, "helpline_checked", False):
        # Cheapest first: a flood is refused before any database read, and before its body is
        # read when the address is known over its limit or the body too large. Usually done
        # already by PublicFormGuardMiddleware, before the rest of the middleware stack.
        refused = refuse_early(request, slug)
        if refused is not None:
            return refused
    conf = queries.public_settings(slug)
    if conf is None or not conf.form_enabled:
        raise Http404
    known = dict(form_languages(conf))
    lang = request.GET.get("lang") or request.POST.get("lang") or ""
    if lang not in known:
        lang = translation.get_language() or settings.LANGUAGE_CODE
        lang = lang if lang in known else settings.LANGUAGE_CODE
    if lang in _interface_languages():
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
    network = conf.organisation.is_network
    countries = queries.network_countries(conf.organisation) if network else None

    def make(data=None, initial=None):
        return PublicForm(data, conf=conf, lang=lang, countries=countries, initial=initial)

    if request.method == "GET":
        return _page(request, conf, make(initial={"ts": abuse.time_token(slug),
                                                  "language": lang}), lang)

    form = make(request.POST)
    if request.POST.get(HONEYPOT):
        return _page(request, conf, _fresh(make, form, slug), lang, status=400, refusal=_(
            "The message could not be sent: the field “Leave this field empty” was filled in. "
            "Clear it and send again."))
    try:
        abuse.check_time_token(request.POST.get("ts", ""), slug)
    except abuse.TimeTrap:  # only "fast" is left: the others were refused above
        return _page(request, conf, _fresh(make, form, slug), lang, status=400, refusal=_(
            "That was faster than a person can write. Please check your message and send it "
            "again."))
    proof = bool(request.POST.get("altcha"))
    if not form.is_valid():
        if "altcha" in form.errors:
            return _page(request, conf, _fresh(make, form, slug), lang, status=400, refusal=" ".join(
                form.errors["altcha"]))
        return _page(request, conf, form, lang, status=400)

    org = conf.organisation
    if network:
        org = queries.route_for_network(conf.organisation, country=form.cleaned_data["country"],
                                        language=form.cleaned_data.get("language") or lang)
        if org is None:
            form.add_error("country", _("Choose the country where help is needed."))
            return _page(request, conf, form, lang, status=400)
    try:
        contact = services.public_submission(
            org=org, answers=form.answers(), language=form.cleaned_data.get("language") or lang,
            held_reason="" if proof else HeldReason.NO_PROOF, conf=conf)
    except ValidationError as exc:
        add_validation_error(form, exc)
        return _page(request, conf, form, lang, status=400)
    abuse.count(request, proof=proof)
    return _sent(request, conf, lang, held=bool(contact.held_reason),
                 routed=org if network else None)


# The "sent" page holds nothing of the message: it is the same for every person who wrote
# through one form in one language with the same outcome (sent, or held; the member it was
# routed to). Kept rendered in each process while its settings object is the one in use
# (queries.public_settings replaces it on a change), so a valid submission renders no template.
_sent_pages: dict[tuple, tuple[HelplineSettings, bytes]] = {}


def _sent(request, conf: HelplineSettings, lang: str, *, held: bool,
          routed: Organisation | None) -> HttpResponse:
    key = (request.path, lang, translation.get_language(), held,
           routed.pk if routed else None)
    kept = _sent_pages.get(key)
    if kept is not None and kept[0] is conf:
        response = HttpResponse(kept[1])
    else:
        response = render(request, "helpline/public/sent.html", {
            "conf": conf, "org": conf.organisation, "lang": lang, "held": held,
            "routed": routed, "quick_exit": settings.HELPLINE_QUICK_EXIT_URL,
            "languages": form_languages(conf), "intro": (conf.form_intro or {}).get(lang, "")})
        if len(_sent_pages) > 1000:
            _sent_pages.clear()
        _sent_pages[key] = (conf, response.content)
    response["Cache-Control"] = "no-store"
    return response
