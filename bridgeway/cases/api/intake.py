"""Opening and searching cases, first contacts, and the case's context, caseworkers and status."""

from django.db.models import Q
from django.http import Http404
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.settings import api_settings

from bridgeway.cases import services
from bridgeway.cases.api.base import CaseActions
from bridgeway.cases.api.serializers import (
    AssignSerializer,
    CaseCreateSerializer,
    CaseSearchSerializer,
    CaseSerializer,
    CaseUpdateSerializer,
    ConflictSerializer,
    DuplicateConflictSerializer,
    FirstContactSerializer,
    PersonSerializer,
    StatusSerializer,
    _conflict,
)
from bridgeway.cases.models import Case
from bridgeway.cases.queries import case_orgs, case_staff, cases_visible_to, intake_matches
from bridgeway.orgs.queries import organisation_for_user
from bridgeway.protection.queries import name_digests, subject_ids_by_digests


class IntakeActions(CaseActions):
    # Search, open (intake and first contact), convert, update, assign, status.
    # (A comment, not a docstring: the case viewset would take it as its OpenAPI description.)

    @extend_schema(
        request=CaseSearchSerializer,
        responses={200: CaseSerializer(many=True), 400: OpenApiTypes.OBJECT},
        parameters=[OpenApiParameter("page", int, description="the page of the result")],
        summary="Search cases by name (exact or by sound) through the blind indexes",
        description="The name travels in the body, never in a URL; the answer is not cached "
                    "(Cache-Control: no-store). Same scope and filters as the list; the next "
                    "page is the same POST with ?page=2.")
    @action(detail=False, methods=["post"], url_path="search")
    def search(self, request):
        ser = CaseSearchSerializer(data=request.data, user=request.user)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        matches = Q()
        for org in ser.search_orgs():
            kind, digests = name_digests(org, data["name"], fuzzy=data["fuzzy"])
            if digests:
                matches |= Q(organisation=org, subject_id__in=subject_ids_by_digests(
                    org, kind=kind, digests=digests))
        cases = ser.cases(request.user).filter(matches) if matches else Case.objects.none()
        page = self.paginate_queryset(cases)
        response = self.get_paginated_response(CaseSerializer(page, many=True).data)
        add_never_cache_headers(response)
        return response

    @extend_schema(request=CaseCreateSerializer,
                   responses={201: CaseSerializer, 409: DuplicateConflictSerializer},
                   summary="Open a case (intake)",
                   description="When the organisation already has a person whose name sounds "
                               "the same, nothing is written and the answer is 409 with the "
                               "possible duplicates; send again with confirm_new: true to open "
                               "the case anyway.")
    def create(self, request):
        ser = CaseCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        org = organisation_for_user(request.user, data["organisation"])
        if org not in case_orgs(request.user):
            raise Http404
        if not data["confirm_new"]:
            person = data["person"]
            name = " ".join(p for p in [person["first_name"], person["second_name"]] if p)
            matches = intake_matches(org=org, actor=request.user, name=name)
            if matches:
                # Only cases the caller may open are named; the rest are only counted, so a
                # caseworker learns to ask a supervisor without seeing others' cases.
                visible = cases_visible_to(request.user).filter(
                    organisation=org, subject__in=matches.visible).order_by("opened_on",
                                                                           "reference")
                return Response({
                    "detail": _("Possible duplicates in your organisation. Open the existing "
                                "case, or send confirm_new: true if this is a different "
                                "person."),
                    "possible_duplicates": list(visible.values("id", "reference")[:10]),
                    "others": matches.hidden},
                    status=status.HTTP_409_CONFLICT)
        case = services.case_open(org=org, actor=request.user, opened_on=data["opened_on"],
                                  exploitation_types=data["exploitation_types"],
                                  person=services.PersonData(**data["person"]))
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CaseUpdateSerializer,
                   responses={200: CaseSerializer, 409: ConflictSerializer},
                   summary="Change the coded context; 409 when someone saved in between")
    def partial_update(self, request, pk=None):
        case = self.get_object()
        ser = CaseUpdateSerializer(data=request.data)
        if not ser.is_valid():
            errors = dict(ser.errors)
            # The context fields' errors under their own names, as the service gives them.
            nested = errors.get("data")
            if isinstance(nested, dict) and api_settings.NON_FIELD_ERRORS_KEY not in nested:
                errors.pop("data")
                for key, value in nested.items():
                    # A key inside data named like a top-level field (version, seen) stays
                    # under "data.<key>" rather than hide that field's own error.
                    errors[f"data.{key}" if key in ser.fields else key] = value
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        try:
            updated = services.case_update(case=case, actor=request.user,
                                           version=ser.validated_data["version"],
                                           data=ser.validated_data["data"],
                                           seen=ser.validated_data["seen"])
        except services.EditConflict as exc:
            return _conflict(exc)
        return Response(CaseSerializer(updated).data)

    @extend_schema(request=AssignSerializer, responses={200: CaseSerializer,
                                                        409: ConflictSerializer},
                   summary="Set the case's caseworkers (supervisors; others get 403)")
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        case = self.get_object()
        ser = AssignSerializer(data=request.data)
        ser.fields["assignees"].child_relation.queryset = case_staff(case.organisation)
        ser.is_valid(raise_exception=True)
        try:
            seen = ser.validated_data.get("seen_assignees")
            services.case_assign(case=case, actor=request.user,
                                 users=list(ser.validated_data["assignees"]),
                                 version=ser.validated_data["version"],
                                 seen={"assignees": seen} if seen is not None else None)
        except services.EditConflict as exc:
            return _conflict(exc)
        return Response(CaseSerializer(self.get_object()).data)

    @extend_schema(request=StatusSerializer, responses={200: CaseSerializer,
                                                        409: ConflictSerializer},
                   summary="Change the status (Active, FollowUp, Closed, ClosedReferred)")
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        case = self.get_object()
        ser = StatusSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        try:
            case = services.case_set_status(case=case, actor=request.user,
                                            status=ser.validated_data["status"],
                                            reason=ser.validated_data["close_reason"],
                                            version=ser.validated_data["version"],
                                            seen={"status": ser.validated_data["seen_status"]}
                                            if "seen_status" in ser.validated_data else None)
        except services.EditConflict as exc:
            return _conflict(exc)
        return Response(CaseSerializer(case).data)

    @extend_schema(request=FirstContactSerializer, responses={201: CaseSerializer},
                   summary="Open an anonymous first contact (no personal data)")
    @action(detail=False, methods=["post"], url_path="first-contacts")
    def first_contact(self, request):
        ser = FirstContactSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        org = organisation_for_user(request.user, data["organisation"])
        if org not in case_orgs(request.user):
            raise Http404
        case = services.first_contact_open(org=org, actor=request.user,
                                           channel=data["contact_channel"],
                                           exploitation_types=data["exploitation_types"])
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PersonSerializer, responses=CaseSerializer,
                   summary="Turn an anonymous first contact into a full case")
    @action(detail=True, methods=["post"])
    def convert(self, request, pk=None):
        case = self.get_object()
        ser = PersonSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        case = services.first_contact_convert(case=case, actor=request.user,
                                              person=services.PersonData(**ser.validated_data))
        return Response(CaseSerializer(case).data)
