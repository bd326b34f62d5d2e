from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bridgeway.core.forms import add_validation_error
from bridgeway.core.shortcuts import submit
from bridgeway.funding import exchange, queries, services
from bridgeway.funding.codes import Indicator
from bridgeway.funding.forms import (
    FinancePeopleForm,
    FunderForm,
    ImportForm,
    MappingForm,
    ProfileForm,
    RatesForm,
    RecordForm,
    ResilienceForm,
    ThresholdForm,
)
from bridgeway.orgs.codes import OrgType, country_name
from bridgeway.orgs.queries import memberships_of


def _year(request, default: int | None = None) -> int:
    fallback = default or timezone.localdate().year - 1
    try:
        year = int(request.GET.get("year", fallback))
    except ValueError:
        return fallback
    return year if 1990 <= year <= 2100 else fallback


@login_required
def home(request):
    orgs = queries.finance_orgs(request.user)
    networks = queries.coordinated_networks(request.user)
    if not orgs and not networks:
        raise Http404
    if len(orgs) == 1 and not networks:
        return redirect("funding:org", orgs[0].pk)
    return render(request, "funding/home.html", {"orgs": orgs, "networks": networks,
                                                 "may_import_rates": queries.may_import_rates(request.user)})


def _record_data(d: dict) -> services.RecordData:
    return services.RecordData(
        title=d["title"], funder_type=d["funder_type"], currency=d["currency"],
        funder_id=d["funder"], funder_country=d["funder_country"], purpose=d["purpose"],
        restricted=d["restricted"], amount_awarded=d["amount_awarded"], starts_on=d["starts_on"],
        ends_on=d["ends_on"], status=d["status"], paid_late=d["paid_late"],
        late_days=d["late_days"], delegated_state_work=d["delegated_state_work"],
        shared_with_network=d["shared_with_network"], received=d["received"])


@login_required
def org(request, pk):
    org = queries.finance_org_for_user(request.user, pk)
    years = queries.years_of(org)
    year = _year(request, years[0] if years else None)
    results = queries.indicators_of(org, year)
    records = list(queries.records_of(org))
    return render(request, "funding/org.html", {
        "org": org, "records": records, "year": year, "years": years or [year],
        "results": results, "resilience": queries.resilience_of(org),
        "profile": queries.profile_of(org),
        "may_manage": queries.may_manage_finance_people(request.user, org)})


@login_required
def record_add(request, pk):
    org = queries.finance_org_for_user(request.user, pk)
    form = RecordForm(request.POST or None, funders=queries.funder_search(limit=500))
    if request.method == "POST":
        def write(d):
            record, warnings = services.record_add(actor=request.user, org=org, data=_record_data(d))
            for w in warnings:
                messages.warning(request, w)
        return submit(request, form, write, success=_("Funding record added."),
                      then=lambda: redirect("funding:org", org.pk),
                      rerender=lambda f: render(request, "funding/record_form.html",
                                                {"form": f, "org": org}, status=400))
    return render(request, "funding/record_form.html", {"form": form, "org": org})


@login_required
def record(request, pk):
    rec = queries.record_for_user(request.user, pk)
    editable = queries.may_see_funding(request.user, rec.organisation)
    if not editable:  # a coordinator the member shared the record with: read only
        return render(request, "funding/record.html", {"record": rec})
    initial = {name: getattr(rec, name) for name in (
        "title", "funder_type", "funder_country", "purpose", "restricted", "currency",
        "amount_awarded", "starts_on", "ends_on", "status", "paid_late", "late_days",
        "delegated_state_work", "shared_with_network")}
    initial["funder"] = rec.funder_id
    initial["received"] = "\n".join(f"{r.year} {r.amount}" for r in rec.receipts.all())
    form = RecordForm(request.POST or None, initial=initial,
                      funders=queries.funder_search(limit=500))
    if request.method == "POST":
        def write(d):
            for w in services.record_edit(actor=request.user, record=rec, data=_record_data(d)):
                messages.warning(request, w)
        return submit(request, form, write, success=_("Funding record saved."),
                      then=lambda: redirect("funding:org", rec.organisation_id),
                      rerender=lambda f: render(request, "funding/record_form.html",
                                                {"form": f, "org": rec.organisation, "record": rec},
                                                status=400))
    return render(request, "funding/record_form.html", {"form": form, "org": rec.organisation,
                                                        "record": rec})


@login_required
@require_POST
def record_delete(request, pk):
    rec = queries.record_for_editor(request.user, pk)
    org_pk = rec.organisation_id
    services.record_delete(actor=request.user, record=rec)
    messages.success(request, _("Funding record deleted."))
    return redirect("funding:org", org_pk)


@login_required
def resilience(request, pk):
    org = queries.finance_org_for_user(request.user, pk)
    year = _year(request)
    existing = queries.resilience_of(org).filter(year=year).first()
    initial = {"year": year, "currency": "EUR"}
    if existing:
        initial.update({n: getattr(existing, n) for n in (
            "currency", "expenditure", "reserves", "staff", "contracts_end_6m",
            "contracts_end_12m", "services_cut")})
        initial["needs"] = "\n".join(
            f"{n.description}; {n.cost if n.cost is not None else ''}; {'met' if n.met else 'not met'}"
            for n in existing.needs.all())
    form = ResilienceForm(request.POST or None, initial=initial)
    if request.method == "POST":
        def write(d):
            services.resilience_save(actor=request.user, org=org, data=services.ResilienceData(
                year=d["year"], currency=d["currency"], expenditure=d["expenditure"],
                reserves=d["reserves"], staff=d["staff"], contracts_end_6m=d["contracts_end_6m"],
                contracts_end_12m=d["contracts_end_12m"], services_cut=d["services_cut"],
                needs=[services.Need(desc, cost, met) for desc, cost, met in d["needs"]]))
        return submit(request, form, write, success=_("Resilience figures saved."),
                      then=lambda: redirect(
                          f"{_url('funding:org', org.pk)}?year={form.cleaned_data['year']}"),
                      rerender=lambda f: render(request, "funding/resilience.html",
                                                {"form": f, "org": org, "year": year}, status=400))
    return render(request, "funding/resilience.html", {"form": form, "org": org, "year": year})


def _url(name, *args):
    from django.urls import reverse

    return reverse(name, args=args)


@login_required
def settings(request, pk):
    org = queries.finance_org_for_user(request.user, pk)
    may_manage = queries.may_manage_finance_people(request.user, org)
    members = sorted({m.user_id: m.user for m in memberships_of(org)}.values(),
                     key=lambda u: u.full_name or u.email)
    people = FinancePeopleForm(
        request.POST if "users_form" in request.POST else None, members=members,
        initial={"users": [p.user_id for p in queries.finance_people(org)]})
    profile = queries.profile_of(org)
    profile_form = ProfileForm(request.POST if "profile_form" in request.POST else None,
                               initial={"org_identifier": profile.org_identifier if profile else ""})
    rerender = lambda f: render(request, "funding/settings.html", {  # noqa: E731
        "org": org, "people": people, "profile_form": profile_form, "may_manage": may_manage},
        status=400)
    if request.method == "POST" and "users_form" in request.POST:
        if not may_manage:
            raise PermissionDenied(_("Only the organisation's administrators choose its finance people."))
        return submit(request, people, lambda d: services.finance_people_set(
            actor=request.user, org=org, user_ids=d["users"]), success=_("Finance people saved."),
            then=lambda: redirect("funding:settings", org.pk), rerender=rerender)
    if request.method == "POST" and "profile_form" in request.POST:
        return submit(request, profile_form, lambda d: services.profile_set(
            actor=request.user, org=org, org_identifier=d["org_identifier"]),
            success=_("Org-id saved."), then=lambda: redirect("funding:settings", org.pk),
            rerender=rerender)
    return render(request, "funding/settings.html", {"org": org, "people": people,
                                                     "profile_form": profile_form,
                                                     "may_manage": may_manage})


@login_required
def funders(request):
    orgs = queries.finance_orgs(request.user)
    if not orgs and not queries.coordinated_networks(request.user):
        raise Http404
    q = request.GET.get("q", "")[:100]
    form = FunderForm(request.POST or None) if orgs else None
    if request.method == "POST" and form is not None:
        return submit(request, form, lambda d: services.funder_add(
            actor=request.user, org=orgs[0], name=d["name"], funder_type=d["funder_type"],
            country=d["country"], org_identifier=d["org_identifier"]),
            success=_("Funder added to the register."), then=lambda: redirect("funding:funders"),
            rerender=lambda f: render(request, "funding/funders.html", {
                "form": f, "funders": queries.funder_search(q), "q": q}, status=400))
    return render(request, "funding/funders.html", {"form": form, "q": q,
                                                    "funders": queries.funder_search(q)})


@login_required
def rates(request):
    may = queries.may_import_rates(request.user)
    if not may and not queries.may_use_funding(request.user):
        raise Http404
    form = RatesForm(request.POST or None, request.FILES or None) if may else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                n = services.rates_import(actor=request.user, content=form.cleaned_data["file"].read(),
                                          source=form.cleaned_data["source"])
            except ValidationError as exc:
                add_validation_error(form, exc)
            else:
                messages.success(request, _("%(n)s rates imported.") % {"n": n})
                return redirect("funding:rates")
        return render(request, "funding/rates.html", {"form": form, "rates": queries.rate_rows()},
                      status=400)
    return render(request, "funding/rates.html", {"form": form, "rates": queries.rate_rows()})


@login_required
def import_file(request, pk):
    org = queries.finance_org_for_user(request.user, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        upload = d["file"]
        content = upload.read()
        if d["kind"] == "ledger":
            report = exchange.ledger_import(actor=request.user, org=org, content=content,
                                            filename=upload.name, dry_run=d["dry_run"])
        else:
            report = exchange.grants_import(actor=request.user, org=org, content=content,
                                            filename=upload.name, dry_run=d["dry_run"])
        if report.ok and not d["dry_run"]:
            messages.success(request, _("%(n)s records imported.") % {"n": report.written})
            return redirect("funding:org", org.pk)
        status = 200 if report.ok else 400
    elif request.method == "POST":
        status = 400
    return render(request, "funding/import.html", {"form": form, "org": org, "report": report},
                  status=status)


@login_required
def export(request, pk, fmt):
    org = queries.finance_org_for_user(request.user, pk)
    body, content_type, filename = exchange.export(actor=request.user, org=org, fmt=fmt)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def network(request, pk):
    net = queries.network_for_user(request.user, pk)
    year = _year(request)
    country = request.GET.get("country", "")[:2]
    org_type = request.GET.get("org_type", "")[:40]
    view = queries.network_view(net, year, country=country, org_type=org_type)
    threshold_form = ThresholdForm(request.POST if "threshold_form" in request.POST else None,
                                   prefix="threshold")
    questions = queries.survey_questions(net)
    mapping_form = MappingForm(request.POST if "mapping_form" in request.POST else None,
                               prefix="mapping", questions=questions)
    mappings = list(queries.mappings_of(net))
    for m in mappings:
        m.label = dict(questions).get(m.question, m.question)  # type: ignore[attr-defined]
    ctx = {"net": net, "view": view, "year": year, "threshold_form": threshold_form,
           "mapping_form": mapping_form, "thresholds": queries.thresholds_of(net),
           "mappings": mappings, "shared": queries.shared_records(net),
           "country": country, "org_type": org_type, "country_label": country_name(country),
           "org_types": OrgType.choices, "indicator_labels": dict(Indicator.choices),
           # hundreds of rows in a large network: escaped here in one go, not cell by cell
           "below_rows": format_html_join(
               "\n", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} {}</td><td>{}</td></tr>",
               ((b["member"], b["label"], b["value"], b["direction"], b["threshold"],
                 b["source"]) for b in view.below))}
    rerender = lambda f: render(request, "funding/network.html", ctx, status=400)  # noqa: E731
    if request.method == "POST" and "threshold_form" in request.POST:
        return submit(request, threshold_form, lambda d: services.threshold_set(
            actor=request.user, network=net, indicator=d["indicator"], value=d["value"],
            direction=d["direction"]), success=_("Threshold saved."),
            then=lambda: redirect("funding:network", net.pk), rerender=rerender)
    if request.method == "POST" and "mapping_form" in request.POST:
        return submit(request, mapping_form, lambda d: services.mapping_set(
            actor=request.user, network=net, question=d["question"], indicator=d["indicator"]),
            success=_("Survey question mapped."), then=lambda: redirect("funding:network", net.pk),
            rerender=rerender)
    return render(request, "funding/network.html", ctx)
