import datetime as dt

import pytest
import yaml
from django.core.management import call_command

from bridgeway.cases import services as cases
from bridgeway.civicspace import services as civic
from tests.civicspace.conftest import incident_data
from tests.conftest import api as token_client


@pytest.mark.django_db
def test_openapi_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "/api/v1/organisations/" in out.read_text()


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from drf_spectacular.generators import SchemaGenerator

    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def _ref(schema, ref):
    return schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[-1]]


def _answer(schema, path, method, code="200"):
    content = schema["paths"][path][method]["responses"][code]["content"]
    return content["application/json"]["schema"]


def test_every_operation_documents_its_error_answers_with_one_schema(schema):
    error = {"$ref": "#/components/schemas/Error"}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            for code in ("401", "403", "404", "429"):
                assert responses[code]["content"]["application/json"]["schema"] == error, \
                    (method, path, code)
            if method != "get" or any(p["in"] == "query" for p in operation.get("parameters", [])):
                assert "400" in responses, (method, path)


def test_sub_resource_lists_are_declared_as_pages(schema):
    for path in ["/api/v1/cases/{id}/notes/", "/api/v1/cases/{id}/assessments/",
                 "/api/v1/referrals/{id}/messages/", "/api/v1/civic-space/incidents/{id}/history/",
                 "/api/v1/organisations/{id}/contacts/", "/api/v1/task-forces/{id}/members/"]:
        page = _ref(schema, _answer(schema, path, "get"))
        assert set(page["required"]) >= {"count", "results"}, path
        assert "page" in {p["name"] for p in schema["paths"][path]["get"]["parameters"]}


def test_blank_codes_and_empty_texts_are_in_the_schema(schema):
    case = schema["components"]["schemas"]["Case"]["properties"]
    close_reason = {v for alt in case["close_reason"]["oneOf"]
                    for v in _ref(schema, alt).get("enum", [])}
    assert "" in close_reason and "referred" in close_reason
    referral = schema["components"]["schemas"]["Referral"]["properties"]
    assert referral["case"]["nullable"] is True  # the recipient does not see the sender's case
    assert any("" in _ref(schema, alt).get("enum", []) for alt in referral["decline_reason"]["oneOf"])
    assert schema["components"]["schemas"]["Event"]["properties"]["place"]["nullable"] is True
    assert schema["components"]["schemas"]["ServiceDelivery"]["properties"]["note"]["nullable"]


def test_downloads_are_declared_as_files_in_their_own_type(schema):
    for path in ["/api/v1/persons/{id}/documents/{document_id}/",
                 "/api/v1/referrals/{id}/messages/{message_id}/attachment/"]:
        content = schema["paths"][path]["get"]["responses"]["200"]["content"]
        assert content == {"*/*": {"schema": {"type": "string", "format": "binary"}}}


def test_case_patch_says_version_and_data_are_required_and_refuses_unknown_keys(schema):
    body = schema["paths"]["/api/v1/cases/{id}/"]["patch"]["requestBody"]["content"]
    envelope = _ref(schema, body["application/json"]["schema"])
    assert set(envelope["required"]) == {"version", "data"}
    assert envelope["additionalProperties"] is False
    assert "application/x-www-form-urlencoded" not in body


@pytest.mark.django_db
def test_an_empty_case_patch_names_what_is_missing(cast):
    case = cases.case_open(org=cast.org_a, actor=cast.caseworker_a,
                           person=cases.PersonData(first_name="Oleh",
                                                   birth_date=dt.date(2001, 1, 1)))
    client = token_client(cast.caseworker_a)
    response = client.patch(f"/api/v1/cases/{case.pk}/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"version", "data"}
    unchanged = client.patch(f"/api/v1/cases/{case.pk}/", {"version": case.version, "data": {}},
                             format="json")
    assert unchanged.status_code == 200, unchanged.json()


@pytest.mark.django_db
def test_an_incident_patch_changes_only_what_it_sends(cast):
    civic.restriction_types_seed()
    incident = civic.incident_report(actor=cast.caseworker_a, reporting_org=cast.org_a,
                                     network=cast.network, data=incident_data())
    client = token_client(cast.caseworker_a)
    response = client.patch(f"/api/v1/civic-space/incidents/{incident.pk}/", {"title": "x"},
                            format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["title"] == "x"
    assert body["description"] == "The ministry refused to register the shelter."
    assert body["actors"] == ["national_authority"] and len(body["sources"]) == 1
    # A list item sent whole is checked whole: a source without its link is named.
    bad = client.patch(f"/api/v1/civic-space/incidents/{incident.pk}/",
                       {"sources": [{"title": "no link"}]}, format="json")
    assert bad.status_code == 400 and "sources" in bad.json()


@pytest.mark.django_db
def test_a_url_no_operation_matches_answers_json_404(cast):
    response = token_client(cast.caseworker_a).get("/api/v1/stats/imports/not-a-number/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_the_served_schema_is_the_generated_one(client, db):
    served = yaml.safe_load(client.get("/api/schema/").content)
    assert "Error" in served["components"]["schemas"]


def test_sub_resource_lists_refuse_unknown_parameters(cast):
    """A sub-resource list has no filters: `?status=open` is a 400 naming the parameter, not the
    whole list as if it had been filtered (issue 16)."""
    from tests.cases.conftest import new_case
    from tests.conftest import api

    case = new_case(cast)
    client = api(cast.caseworker_a)
    url = f"/api/v1/cases/{case.pk}/notes/"
    assert client.get(url).status_code == 200
    refused = client.get(url, {"status": "open"})
    assert refused.status_code == 400
    assert "status" in refused.json()
    assert client.get(url, {"page": 1}).status_code == 200
