"""The person's details under a case: reading and correcting them."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from bridgeway.cases import changes, services
from bridgeway.cases.api.base import CaseActions
from bridgeway.cases.api.serializers import (
    ConflictSerializer,
    PersonCorrectedSerializer,
    PersonOutSerializer,
    PersonUpdateSerializer,
    _conflict,
)
from bridgeway.cases.queries import case_person


class PersonActions(CaseActions):
    # GET/PATCH /api/v1/cases/{id}/person/.
    # (A comment, not a docstring: the case viewset would take it as its OpenAPI description.)

    def _person(self, case):
        person = case_person(case)
        if person is None or case.subject is None or case.subject.is_erased:
            raise Http404
        person.subject = case.subject
        return person

    def _person_out(self, case, **extra):
        values = changes.person_values(case, self._person(case))
        return {**values, "is_child": case.is_child, "version": case.version, **extra}

    @extend_schema(methods=["GET"], responses=PersonOutSerializer,
                   summary="The person's details (recorded in the access log)")
    @extend_schema(methods=["PATCH"], request=PersonUpdateSerializer,
                   responses={200: PersonCorrectedSerializer, 409: ConflictSerializer},
                   summary="Correct the person's details; 409 when someone saved in between")
    @action(detail=True, methods=["get", "patch"])
    def person(self, request, pk=None):
        case = self.get_object()
        if request.method == "GET":
            return Response(PersonOutSerializer(self._person_out(case)).data)
        self._person(case)
        ser = PersonUpdateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data["data"])
        if "address" in data and data["address"] is not None:
            data["address"] = dict(data["address"])
        if "identity_documents" in data:
            data["identity_documents"] = [dict(d) for d in data["identity_documents"]]
        try:
            result = services.person_update(case=case, actor=request.user,
                                            version=ser.validated_data["version"], data=data,
                                            seen=ser.validated_data["seen"])
        except services.EditConflict as exc:
            return _conflict(exc)
        return Response(PersonCorrectedSerializer(self._person_out(
            result.case, corrected=result.fields, child_changed=result.child_changed)).data)
