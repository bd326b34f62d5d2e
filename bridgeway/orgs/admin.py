from django.contrib import admin

from bridgeway.core.admin import ReadOnlyAdmin as ReadOnly
from bridgeway.orgs.models import Membership, Organisation


@admin.register(Organisation)
class OrganisationAdmin(ReadOnly):
    list_display = ["name", "org_type", "country", "listed_in_directory", "is_active"]
    list_filter = ["org_type", "country"]
    search_fields = ["name"]


@admin.register(Membership)
class MembershipAdmin(ReadOnly):
    list_display = ["user", "organisation", "role", "is_active"]
    list_filter = ["role", "is_active"]
