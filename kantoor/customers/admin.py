from django.contrib import admin

from kantoor.customers.models import Address, Customer


class AddressInline(admin.StackedInline):
    model = Address
    extra = 0
    exclude = ["shop"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["email", "first_name", "last_name", "company", "shop", "created_at"]
    list_filter = ["shop"]
    search_fields = ["email", "last_name", "company"]
    exclude = ["password"]
    inlines = [AddressInline]
