from django.urls import include, path
from rest_framework.routers import DefaultRouter

from bridgeway.accounts.api import MeView
from bridgeway.orgs.api import MembershipViewSet, OrganisationViewSet
from bridgeway.protection.api import AuditEventList

router = DefaultRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("memberships", MembershipViewSet, basename="membership")

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("organisations/<int:org_pk>/audit-events/", AuditEventList.as_view(),
         name="api-audit-events"),
    path("", include(router.urls)),
]
