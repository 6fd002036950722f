"""The payment link: ``/pay/<token>/`` and the pages around it (no shop in the address: the
signed token names the shop and the invoice)."""

from django.urls import path

from kantoor.storefront.views import pay

app_name = "pay"

urlpatterns = [
    path("<str:token>/", pay.pay_invoice, name="invoice"),
    path("<str:token>/return/", pay.payment_return, name="return"),
    path("<str:token>/pdf/", pay.invoice_pdf, name="pdf"),
]
