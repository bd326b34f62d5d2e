from django.urls import include, path
from rest_framework.routers import DefaultRouter

from bridgeway.accounts.api import MeView
from bridgeway.cases.api import CaseSettingsView, CaseViewSet, IndicatorSetViewSet, MyTaskViewSet
from bridgeway.civicspace import api as civic_api
from bridgeway.estimation import api as estimation_api
from bridgeway.funding import api as funding_api
from bridgeway.helpline import api as helpline_api
from bridgeway.notifications.api import NotificationViewSet
from bridgeway.orgs.api import MechanismViewSet, MembershipViewSet, OrganisationViewSet
from bridgeway.outreach import api as outreach_api
from bridgeway.protection import api as protection_api
from bridgeway.protection.api import AuditEventList
from bridgeway.referrals.api import ReferralSettingsView, ReferralStatisticsView, ReferralViewSet
from bridgeway.stats import api as stats_api
from bridgeway.surveys import api as surveys_api

router = DefaultRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("task-forces", MechanismViewSet, basename="task-force")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("cases", CaseViewSet, basename="case")
router.register("indicator-sets", IndicatorSetViewSet, basename="indicator-set")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("tasks", MyTaskViewSet, basename="my-task")
router.register("referrals", ReferralViewSet, basename="referral")
router.register("helpline/contacts", helpline_api.ContactViewSet, basename="helpline-contact")
router.register("civic-space/incidents", civic_api.IncidentViewSet, basename="civic-incident")
router.register("civic-space/restriction-types", civic_api.RestrictionTypeViewSet,
                basename="civic-restriction-type")
router.register("civic-space/assessments", civic_api.AssessmentViewSet,
                basename="civic-assessment")
router.register("civic-space/consultations", civic_api.ConsultationViewSet,
                basename="civic-consultation")
router.register("outreach/activities", outreach_api.ActivityViewSet,
                basename="outreach-activity")
router.register("outreach/access-requests", outreach_api.AccessRequestViewSet,
                basename="outreach-access-request")
router.register("outreach/trainings", outreach_api.TrainingViewSet, basename="outreach-training")
router.register("outreach/facilities", outreach_api.FacilityViewSet, basename="outreach-facility")
router.register("surveys", surveys_api.SurveyViewSet, basename="survey")

router.register("funding/funders", funding_api.FunderViewSet, basename="funding-funder")
router.register("funding/records", funding_api.RecordViewSet, basename="funding-record")

urlpatterns = [
    path("organisations/<int:org_pk>/funding/resilience/", funding_api.ResilienceView.as_view(),
         name="api-funding-resilience"),
    path("organisations/<int:org_pk>/funding/indicators/", funding_api.IndicatorsView.as_view(),
         name="api-funding-indicators"),
    path("networks/<int:pk>/funding/", funding_api.NetworkFundingView.as_view(),
         name="api-funding-network"),
    path("networks/<int:pk>/funding/mappings/", funding_api.NetworkMappingsView.as_view(),
         name="api-funding-mappings"),
    path("helpline/call-log-imports/", helpline_api.CallLogImportView.as_view(),
         name="api-helpline-call-log-import"),
    path("outreach/sync/", outreach_api.SyncView.as_view(), name="api-outreach-sync"),
    path("outreach/network/", outreach_api.NetworkView.as_view(), name="api-outreach-network"),
    path("referral-statistics/", ReferralStatisticsView.as_view(), name="api-referral-statistics"),
    path("me/", MeView.as_view(), name="api-me"),
    path("organisations/<int:org_pk>/audit-events/", AuditEventList.as_view(),
         name="api-audit-events"),
    path("organisations/<int:org_pk>/access-log/", protection_api.AccessLogList.as_view(),
         name="api-access-log"),
    path("organisations/<int:org_pk>/erasure-requests/", protection_api.ErasureList.as_view(),
         name="api-erasure-requests"),
    path("erasure-requests/<int:pk>/decide/", protection_api.ErasureDecide.as_view(),
         name="api-erasure-decide"),
    path("persons/<uuid:pk>/consents/", protection_api.ConsentList.as_view(), name="api-consents"),
    path("persons/<uuid:pk>/consents/<uuid:consent_id>/withdraw/",
         protection_api.ConsentWithdraw.as_view(), name="api-consent-withdraw"),
    path("persons/<uuid:pk>/consent-check/", protection_api.ConsentCheckView.as_view(),
         name="api-consent-check"),
    path("persons/<uuid:pk>/documents/", protection_api.DocumentUpload.as_view(),
         name="api-documents"),
    path("persons/<uuid:pk>/documents/<uuid:document_id>/",
         protection_api.DocumentDownload.as_view(), name="api-document"),
    path("persons/<uuid:pk>/erasure-requests/", protection_api.ErasureAsk.as_view(),
         name="api-erasure-ask"),
    path("persons/<uuid:pk>/legal-hold/", protection_api.LegalHold.as_view(),
         name="api-legal-hold"),
    path("persons/<uuid:pk>/export/", protection_api.SubjectExport.as_view(),
         name="api-subject-export"),
    path("organisations/<int:org_pk>/retention-policy/",
         protection_api.RetentionPolicyView.as_view(), name="api-retention-policy"),
    path("organisations/<int:org_pk>/case-settings/", CaseSettingsView.as_view(),
         name="api-case-settings"),
    path("organisations/<int:org_pk>/referral-settings/", ReferralSettingsView.as_view(),
         name="api-referral-settings"),
    path("organisations/<int:org_pk>/stats/imports/", stats_api.ImportUpload.as_view(),
         name="api-stats-import"),
    path("stats/imports/<int:pk>/", stats_api.ImportJobDetail.as_view(), name="api-stats-job"),
    path("organisations/<int:org_pk>/stats/export/", stats_api.StatsExport.as_view(),
         name="api-stats-export"),
    path("stats/exports/<int:pk>/", stats_api.ExportJobDetail.as_view(),
         name="api-stats-export-job"),
    path("stats/exports/<int:pk>/download/", stats_api.ExportJobDownload.as_view(),
         name="api-stats-export-download"),
    path("organisations/<int:org_pk>/stats/dashboard/", stats_api.DashboardData.as_view(),
         name="api-stats-dashboard"),
    path("organisations/<int:org_pk>/stats/releases/", stats_api.ReleaseList.as_view(),
         name="api-stats-releases"),
    path("organisations/<int:org_pk>/stats/datasets/<int:pk>/budget/",
         stats_api.DatasetBudget.as_view(), name="api-stats-budget"),
    path("stats/releases/<int:pk>/", stats_api.ReleaseDetail.as_view(), name="api-stats-release"),
    path("stats/releases/<int:pk>/approve/", stats_api.ReleaseApprove.as_view(),
         name="api-stats-release-approve"),
    path("stats/releases/<int:pk>/publish/", stats_api.ReleasePublish.as_view(),
         name="api-stats-release-publish"),
    path("networks/<int:network_pk>/linkage/encodings/", estimation_api.EncodingsView.as_view(),
         name="api-linkage-encodings"),
    path("networks/<int:network_pk>/linkage/runs/", estimation_api.LinkageRunList.as_view(),
         name="api-linkage-runs"),
    path("linkage/runs/<int:pk>/", estimation_api.LinkageRunDetail.as_view(),
         name="api-linkage-run"),
    path("linkage/runs/<int:pk>/capture-histories/", estimation_api.CaptureHistories.as_view(),
         name="api-linkage-capture-histories"),
    path("organisations/<int:org_pk>/estimates/", estimation_api.EstimateList.as_view(),
         name="api-estimates"),
    path("estimates/<int:pk>/", estimation_api.EstimateDetail.as_view(), name="api-estimate"),
    path("dedupe/pairs/<int:pk>/merge/", estimation_api.PairMerge.as_view(),
         name="api-pair-merge"),
    path("estimates/<int:pk>/approve/", estimation_api.EstimateApprove.as_view(),
         name="api-estimate-approve"),
    path("estimates/<int:pk>/publish/", estimation_api.EstimatePublish.as_view(),
         name="api-estimate-publish"),
    path("", include(router.urls)),
]
