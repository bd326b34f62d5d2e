"""Cases through the API, with the same scoping and rules as the screens.

One module per sub-domain: `serializers`, `intake` (search, open, first contact, context,
caseworkers, status), `identification` (assessments, decisions, indicator sets), `plan` (notes,
services, objectives, tasks), `events` (trafficking events, perpetrators), `person`, `settings`;
`viewsets` combines the action mixins into `CaseViewSet`."""

from bridgeway.cases.api.identification import IndicatorSetViewSet
from bridgeway.cases.api.plan import MyTaskViewSet
from bridgeway.cases.api.settings import CaseSettingsView
from bridgeway.cases.api.viewsets import CaseViewSet

__all__ = ["CaseSettingsView", "CaseViewSet", "IndicatorSetViewSet", "MyTaskViewSet"]
