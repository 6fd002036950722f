from decimal import Decimal

from django import template
from django.utils import formats

from kantoor.core.money import format_money
from kantoor.customers.countries import country_name
from kantoor.orders.templatetags.order_status import status_badge
from kantoor.payments.links import payment_link_path

register = template.Library()

register.filter("money", format_money)
register.simple_tag(status_badge, name="status_badge", takes_context=True)


register.filter("country_name", country_name)


@register.filter
def payment_link(invoice) -> str:
    """The invoice's payment page (/pay/<token>/)."""
    return payment_link_path(shop_id=invoice.shop_id, invoice_id=invoice.pk)


@register.filter
def vat_rate(rate):
    """21.00 → 21%, 5.50 → 5.5%."""
    value = Decimal(str(rate)).normalize()
    text = formats.number_format(value, use_l10n=True)
    return f"{text}%"


@register.inclusion_tag("storefront/includes/field.html")
def field(bound_field, extra_class=""):
    """A form field GOV.UK style: label, hint, error message, then the input."""
    described = []
    if bound_field.help_text:
        described.append(f"{bound_field.auto_id}_helptext")
    if bound_field.errors:
        described.append(f"{bound_field.auto_id}_error")
    attrs = {"aria-describedby": " ".join(described)} if described else {}
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
        css = bound_field.field.widget.attrs.get("class", "")
        attrs["class"] = f"{css} is-invalid".strip()
    return {
        "field": bound_field,
        "widget": bound_field.as_widget(attrs=attrs),
        "extra_class": extra_class,
    }
