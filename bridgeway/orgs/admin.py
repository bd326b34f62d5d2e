from django.contrib import admin

from bridgeway.orgs.models import Membership, Organisation


class ReadOnly(admin.ModelAdmin):
    """Changes go through Bridgeway's own screens, which check roles and write the audit log."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(ReadOnly):
    list_display = ["name", "org_type", "country", "listed_in_directory", "is_active"]
    list_filter = ["org_type", "country"]
    search_fields = ["name"]


@admin.register(Membership)
class MembershipAdmin(ReadOnly):
    list_display = ["user", "organisation", "role", "is_active"]
    list_filter = ["role", "is_active"]
