"""What several groups of case actions share."""

from typing import TYPE_CHECKING

from rest_framework import status
from rest_framework.response import Response

from bridgeway.core.api_schema import paginated

if TYPE_CHECKING:
    # To the type checker, each mixin is the viewset it is mixed into (for get_object, ...).
    from rest_framework.viewsets import GenericViewSet as CaseActions
else:
    CaseActions = object


class SubLists(CaseActions):
    # A GET/POST list under one case (services, objectives, tasks, events, ...).
    # (A comment, not a docstring: the case viewset would take it as its OpenAPI description.)

    def _sub_list(self, request, rows, serializer_class, add, *, context_setup=None):
        """GET lists `rows`; POST validates with `serializer_class` and calls `add` (a service
        call taking the validated data) — nothing is written unless both pass."""
        if request.method == "GET":
            return paginated(self, rows, serializer_class)
        ser = serializer_class(data=request.data)
        if context_setup:
            context_setup(ser)
        ser.is_valid(raise_exception=True)
        row = add(ser.validated_data)
        return Response(serializer_class(row).data, status=status.HTTP_201_CREATED)
