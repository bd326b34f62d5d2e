from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """For the platform admin site: changes go through Bridgeway's own screens, which check
    roles and write the audit log."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
