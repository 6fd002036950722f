"""Invoices in the Django admin: read-only (an issued invoice never changes)."""

from django.contrib import admin

from kantoor.invoices.models import Invoice, InvoiceLine


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    can_delete = False
    fields = ("position", "sku", "description", "quantity", "unit_price", "vat_rate", "total_net")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ("number", "kind", "issued_on", "order_number", "total_gross", "state", "shop")
    list_filter = ("kind", "state")
    search_fields = ("number", "order_number", "customer_name", "customer_email")
    inlines = [InvoiceLineInline]
    list_select_related = ("shop",)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
