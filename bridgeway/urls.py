from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from bridgeway.accounts import views as accounts_views
from bridgeway.core import views as core_views
from bridgeway.core.api_docs import swagger_csp
from bridgeway.orgs import views as orgs_views

admin.site.site_header = "Bridgeway platform administration"
# The admin login goes through allauth, so MFA and throttling apply there too.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

handler404 = "bridgeway.core.views.not_found"

urlpatterns = [
    path("", orgs_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/language/", accounts_views.set_language, name="set_language"),
    # Sign-in and its MFA step answer 429 when throttled (bridgeway.accounts.throttle).
    path("accounts/login/", accounts_views.LoginView.as_view(), name="account_login"),
    path("accounts/2fa/authenticate/", accounts_views.MfaAuthenticateView.as_view(),
         name="mfa_authenticate"),
    path("accounts/", include("allauth.urls")),
    path("account/", include("bridgeway.accounts.urls")),
    path("orgs/", include("bridgeway.orgs.urls")),
    path("cases/", include("bridgeway.cases.urls")),
    path("referrals/", include("bridgeway.referrals.urls")),
    path("invitations/", include("bridgeway.orgs.invitation_urls")),
    path("protection/", include("bridgeway.protection.urls")),
    path("notifications/", include("bridgeway.notifications.urls")),
    path("helpline/", include("bridgeway.helpline.urls")),
    path("help/", include("bridgeway.helpline.public_urls")),
    path("outreach/", include("bridgeway.outreach.urls")),
    path("civic-space/", include("bridgeway.civicspace.urls")),
    path("public/civic-space/", include("bridgeway.civicspace.public_urls")),
    path("stats/", include("bridgeway.stats.urls")),
    path("funding/", include("bridgeway.funding.urls")),
    path("public/statistics/", include("bridgeway.stats.public_urls")),
    path("estimation/", include("bridgeway.estimation.urls")),
    path("api/v1/", include("bridgeway.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", swagger_csp(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
         name="api-docs"),
    path("platform-admin/", admin.site.urls),
]
