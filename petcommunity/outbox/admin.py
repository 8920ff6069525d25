from django.contrib import admin

from .models import ParkedTask


@admin.register(ParkedTask)
class ParkedTaskAdmin(admin.ModelAdmin):
    """Read-only: what is waiting for the broker (normally empty)."""

    list_display = ["name", "created_at", "error"]
    readonly_fields = ["name", "args", "kwargs", "options", "error", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
