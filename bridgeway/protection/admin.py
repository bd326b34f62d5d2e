from django.contrib import admin

from bridgeway.core.admin import ReadOnlyAdmin
from bridgeway.protection.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["seq", "created_at", "action", "actor", "organisation", "object_type",
                    "object_id"]
    list_filter = ["action"]
    ordering = ["-seq"]
