"""Payments in the Django admin, for the platform operator: read-only. The shops' provider keys
are never shown (not even encrypted)."""

from django.contrib import admin

from kantoor.payments.models import Payment, PaymentSettings


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = (
        "provider_payment_id",
        "provider",
        "method",
        "amount",
        "state",
        "invoice",
        "shop",
        "created_at",
    )
    list_filter = ("provider", "state")
    search_fields = ("provider_payment_id", "invoice__number", "order__number")
    list_select_related = ("shop", "invoice")
    readonly_fields = [field.name for field in Payment._meta.fields]


@admin.register(PaymentSettings)
class PaymentSettingsAdmin(ReadOnlyAdmin):
    list_display = ("shop", "provider", "updated_at")
    fields = ("shop", "provider", "updated_at", "updated_by")
    readonly_fields = fields
