"""The customer's own invoices as PDF or UBL (account page, order page).

Only the logged-in customer's invoices: any other number answers 404, exactly like one that
does not exist. UBL (for bookkeeping software) only of an invoice to a business; a consumer's
invoice is a PDF (staff download every format in the back office).
"""

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from kantoor.invoices.list_selectors import PDF, UBL, invoice_file, invoice_for_customer
from kantoor.storefront.views.common import customer_required, shop_view

CUSTOMER_FORMATS = (PDF, UBL)


@require_GET
@shop_view
@customer_required
def invoice_download(request, number: str, fmt: str):
    if fmt not in CUSTOMER_FORMATS:
        raise Http404("No such format.")
    invoice = invoice_for_customer(shop=request.shop, customer=request.customer, number=number)
    if fmt == UBL and not invoice.is_to_business:
        raise Http404("UBL is for invoices to a business.")
    file = invoice_file(invoice=invoice, fmt=fmt)
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
