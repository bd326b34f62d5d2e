from django.contrib import admin

from bridgeway.accounts.models import User
from bridgeway.accounts.services import user_set_active


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["full_name", "email", "is_active", "is_superuser", "last_login"]
    list_filter = ["is_active", "is_superuser"]
    search_fields = ["full_name", "email"]
    fields = ["full_name", "email", "is_active", "preferred_language", "last_login", "date_joined"]
    readonly_fields = ["full_name", "email", "preferred_language", "last_login", "date_joined"]

    def save_model(self, request, obj, form, change):
        # Only `is_active` is editable here: blocking or unblocking a login, audited.
        user_set_active(user=obj, actor=request.user, active=obj.is_active)

    def has_add_permission(self, request):
        return False  # people join by invitation

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: the audit log refers to people
