import csv
import io
from datetime import date

import openpyxl
import pytest

from bridgeway.cases.services import PersonData, case_open, case_update
from bridgeway.core.spreadsheets import safe_cell
from bridgeway.protection.models import AccessLogEntry, AuditEvent
from bridgeway.stats.models import StatRecord
from tests.stats.helpers import upload


def _case(cast, **data):
    case = case_open(org=cast.org_a, actor=cast.supervisor_a,
                     person=PersonData(first_name="=cmd|' /C calc'!A0", second_name="Popescu",
                                       age=16, gender="Feminine", citizenship="MD"),
                     opened_on=date(2024, 3, 1), exploitation_types=["SexualExploitation"])
    if data:
        case_update(case=case, actor=cast.supervisor_a, version=case.version, data=data, seen={})
    return case


def _rows(content: bytes, delimiter=","):
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=delimiter))


def _export(client, org, fmt, personal=False):
    data = {"organisation": org.pk, "format": fmt}
    if personal:
        data["include_personal"] = "on"
    return client.post(f"/stats/export/?organisation={org.pk}", data)


def test_htcds_export_import_round_trip(cast, as_user):
    _case(cast, control_methods=["DebtBondage", "PhysicalThreats"], exploitation_country="RO",
          recruitment_methods=["AtWork"], relationship_to_trafficker="FamilyMember")
    client = as_user(cast.supervisor_a)
    response = _export(client, cast.org_a, "htcds_csv")
    assert response.status_code == 200
    rows = _rows(response.content)
    assert "prs_FirstName" not in rows[0] and "Popescu" not in response.content.decode()
    imported = upload(client, cast.org_a, response.content, kind="htcds")
    assert imported.context["job"].report["problems"] == []
    record = StatRecord.objects.get()
    assert (record.year_of_registration, record.gender, record.citizenship) == (2024, "Female", "MD")
    assert record.age_band == "9-17" and record.is_child is True
    assert record.exploitation == ["SexualExploit"]
    assert set(record.means_of_control) == {"DebtBondage", "Threats"}
    assert record.country_of_exploitation == "RO" and record.recruitment_methods == ["AtWork"]
    assert record.recruiter_relations == ["Family"]


def test_htcds_xlsx_round_trip(cast, as_user):
    _case(cast)
    client = as_user(cast.supervisor_a)
    response = _export(client, cast.org_a, "htcds_xlsx")
    imported = upload(client, cast.org_a, response.content, kind="htcds", name="x.xlsx")
    assert imported.context["job"].report["problems"] == []
    assert StatRecord.objects.get().gender == "Female"


@pytest.mark.parametrize("gender_col,control_col,first_name_col,value", [
    ("prs_Gender", "vic_MethodsOfControl", "prs_FirstName", "DebtBondage"),  # Field names (.ods)
    ("Gender", "Methods of Control", "First Name", "Debt bondage"),  # the template's label row
    ("prs_Gender", "vic_Methods_of_Control", "prs_First_Name", "DebtBondage "),  # XLSForm
    ("prs_gender", "vic_MethodsOfControl", "prs_FirstName", "MethodsOfControlDebtBondage"),  # FD
])
def test_each_htcds_spelling_is_accepted(cast, as_user, gender_col, control_col, first_name_col,
                                         value):
    header = f"{first_name_col},{gender_col},{control_col},vic_TraffickinStatusDecisionMakingOrg"
    content = f"{header}\nAna,Feminine,{value},NGO\n".encode()
    response = upload(as_user(cast.supervisor_a), cast.org_a, content, kind="htcds")
    report = response.context["job"].report
    assert report["problems"] == []
    assert first_name_col in " ".join(report["notices"])  # dropped, and said so
    record = StatRecord.objects.get()
    assert record.gender == "Female" and record.means_of_control == ["DebtBondage"]


def test_htcds_template_with_label_row(cast, as_user):
    header = ",cas_CaseOwner,prs_FirstName,prs_Gender,prs_Birthdate,yearOfRegistration"
    labels = ",Case Owner,First Name,Gender,Birthdate,Year of Registration"
    content = f"{header}\n{labels}\n1,Someone,Ana,Masculine,2000-05-01,2020\n".encode()
    response = upload(as_user(cast.supervisor_a), cast.org_a, content, kind="htcds")
    assert response.context["job"].report["problems"] == []
    record = StatRecord.objects.get()
    assert record.age_band == "18-20" and record.gender == "Male"


def test_htcds_bad_date_named(cast, as_user):
    content = b"prs_Gender,prs_Birthdate\nFeminine,31/31/1999\n"
    response = upload(as_user(cast.supervisor_a), cast.org_a, content, kind="htcds")
    problems = response.context["job"].report["problems"]
    assert [(p["row"], p["column"]) for p in problems] == [(2, "prs_Birthdate")]
    assert StatRecord.objects.count() == 0


def test_formula_injection_escaped_in_csv_and_xlsx(cast, as_user):
    _case(cast)
    client = as_user(cast.supervisor_a)
    content = _export(client, cast.org_a, "htcds_csv", personal=True).content
    rows = _rows(content)
    assert rows[1][rows[0].index("prs_FirstName")] == "'=cmd|' /C calc'!A0"
    xlsx = _export(client, cast.org_a, "htcds_xlsx", personal=True).content
    ws = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    header = [c.value for c in ws[1]]
    cell = ws.cell(row=2, column=header.index("prs_FirstName") + 1)
    assert cell.data_type == "s" and cell.value.startswith("'=")
    for risky in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"):
        assert safe_cell(risky).startswith("'")
    assert safe_cell("Maria") == "Maria"


def test_personal_fields_need_supervisor_reauth_and_are_audited(cast, as_user):
    case = _case(cast)
    # Without a recent re-authentication: sent to confirm identity, nothing exported.
    stale = as_user(cast.supervisor_a, reauthenticated=False)
    response = _export(stale, cast.org_a, "htcds_csv", personal=True)
    assert response.status_code == 302 and "reauthenticate" in response["Location"]
    # An organisation administrator may export, but not personal fields.
    response = _export(as_user(cast.admin_a), cast.org_a, "htcds_csv", personal=True)
    assert response.status_code == 403
    response = _export(as_user(cast.admin_a), cast.org_a, "htcds_csv")
    assert response.status_code == 200 and "Popescu" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="stats.export.personal").exists()
    # The supervisor, just re-authenticated: names, audited, in the access log.
    response = _export(as_user(cast.supervisor_a), cast.org_a, "htcds_csv", personal=True)
    assert "Popescu" in response.content.decode()
    event = AuditEvent.objects.get(action="stats.export.personal")
    assert event.actor == cast.supervisor_a and "Popescu" not in str(event.payload)
    assert AccessLogEntry.objects.filter(user=cast.supervisor_a, subject=case.subject,
                                         via="export").exists()


def test_ctdc_export_of_the_store(cast, as_user):
    _case(cast, control_methods=["DebtBondage"])
    client = as_user(cast.supervisor_a)
    client.post("/stats/live/", {"organisation": cast.org_a.pk})
    response = _export(client, cast.org_a, "ctdc_csv")
    rows = _rows(response.content, ";")
    assert len(rows[0]) == 64 and rows[0][0] == "" and rows[0][1] == "yearOfRegistration"
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["gender"] == "Female" and row["ageBroad"] == "9--17"
    assert row["isSexualExploit"] == "1" and row["meansOfControlDebtBondage"] == "1"
    # And it imports back into another store without a problem.
    response = upload(as_user(cast.coordinator), cast.network, response.content)
    assert response.context["job"].report["problems"] == []
    assert StatRecord.objects.filter(organisation=cast.network).count() == 1


def test_live_refresh_carries_services_delivered(cast, as_user):
    from bridgeway.cases.services import service_add

    case = _case(cast)
    service_add(case=case, actor=cast.supervisor_a, service="shelter", started_on=date(2024, 3, 2))
    as_user(cast.supervisor_a).post("/stats/live/", {"organisation": cast.org_a.pk})
    assert StatRecord.objects.get().services == ["shelter"]
