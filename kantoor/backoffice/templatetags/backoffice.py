from django import template

from kantoor.backoffice.payments.labels import invoice_paid_note, method_label
from kantoor.core.money import format_money
from kantoor.customers.countries import country_name
from kantoor.orders.templatetags.order_status import status_badge

register = template.Library()

register.filter("money", format_money)
register.filter("country_name", country_name)
register.simple_tag(status_badge, name="status_badge", takes_context=True)
register.filter("payment_method", method_label)
register.filter("paid_note", invoice_paid_note)
