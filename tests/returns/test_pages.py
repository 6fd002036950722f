"""The returns pages through the real HTTP stack: the customer's form on the account, the guest
page, the signed return page, the back office's Returns tab and list; who may see what."""

import re
import shutil
import subprocess

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from kantoor.catalog.models import MovementReason, StockMovement
from kantoor.core.actors import Actor
from kantoor.core.statuses import OrderStatus
from kantoor.customers.services import sign_up_customer
from kantoor.invoices.models import Invoice, InvoiceKind
from kantoor.invoices.selectors import order_amount_due
from kantoor.invoices.services import propose_correction
from kantoor.messaging.services import send_due_messages
from kantoor.orders.services import change_order_status
from kantoor.returns.links import return_token
from kantoor.returns.models import Reception, ReturnRequest, ReturnStatus
from kantoor.returns.slip import barcode_svg
from kantoor.shops.services import update_workflow_settings
from tests.conftest import PASSWORD
from tests.storefront.conftest import url


def bo(shop, name, **kwargs):
    return reverse(f"backoffice:{name}", kwargs={"shop_slug": shop.slug, **kwargs})


def form_data(order, reasons, actions, **quantities):
    data = {"comment": "De bel rammelt"}
    for line in order.lines.all():
        key = line.sku.replace("-", "_")
        data[f"line-{line.pk}-quantity"] = str(quantities.get(key, 0))
        if quantities.get(key):
            data[f"line-{line.pk}-reason"] = str(reasons[0].pk)
            data[f"line-{line.pk}-action"] = str(actions[0].pk)
    return data


def test_a_customer_returns_two_lines_from_the_order_page(
    customer_client, shop, account_order, reasons, actions
):
    page = customer_client.get(url(shop, "order", number=account_order.number)).text
    form_url = url(shop, "account_return", number=account_order.number)
    assert f'href="{form_url}"' in page
    form = customer_client.get(form_url)
    assert form.status_code == 200 and "You can ask for a return until" in form.text
    assert "counts from the day your order was shipped" in form.text

    sent = customer_client.post(
        form_url, form_data(account_order, reasons, actions, BEL_01=2, BOEK_01=1)
    )
    assert sent.status_code == 302 and "/returns/" in sent.url
    created = ReturnRequest.objects.get()
    assert created.source == "account" and created.comment == "De bel rammelt"
    assert sorted(line.quantity for line in created.lines.all()) == [1, 2]
    confirmation = customer_client.get(sent.url)
    assert (
        created.number in confirmation.text and "Your return request is sent" in confirmation.text
    )
    account = customer_client.get(url(shop, "account")).text
    assert 'id="returns"' in account and created.number in account
    # Everything is in a return now: no Return button any more.
    page = customer_client.get(url(shop, "order", number=account_order.number)).text
    assert f'href="{form_url}"' not in page and created.number in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"BEL_01": 3}, "Select a valid choice"),  # more than delivered: not even offered
        ({"BEL_01": 1, "no_reason": True}, "Choose a reason."),
        ({}, "Choose at least one product to return"),
    ],
)
def test_bad_input_gets_a_message_next_to_the_field_and_writes_nothing(
    customer_client, shop, account_order, reasons, actions, change, message
):
    no_reason = change.pop("no_reason", False)
    data = form_data(account_order, reasons, actions, **change)
    if no_reason:
        data = {k: v for k, v in data.items() if not k.endswith("-reason")}
    response = customer_client.post(url(shop, "account_return", number=account_order.number), data)
    assert response.status_code == 400
    assert message in response.text and 'id="error-summary"' in response.text
    assert not ReturnRequest.objects.exists()


def test_another_customers_order_and_a_forged_token_are_404(
    shop, other_shop, account_order, products, make_order, reasons, actions, client
):
    other = sign_up_customer(
        shop=shop,
        email="els@example.test",
        password=PASSWORD,
        first_name="Els",
        last_name="B",
        language="en",
    )
    stranger = Client()
    stranger.post(url(shop, "login"), {"email": other.email, "password": PASSWORD})
    assert stranger.get(url(shop, "account_return", number=account_order.number)).status_code == 404
    assert client.get(url(shop, "return_page", token="forged")).status_code == 404
    created = ReturnRequest.objects.create(
        shop=shop,
        order=account_order,
        number="RET-X",
        source="staff",
        email="x@example.test",
        customer_name="X",
        language="en",
        requested_at=account_order.created_at,
        updated_at=account_order.created_at,
    )
    token = return_token(shop_id=shop.pk, return_id=created.pk)
    assert client.get(url(shop, "return_page", token=token)).status_code == 200
    # The same token at another shop opens nothing.
    assert client.get(url(other_shop, "return_page", token=token)).status_code == 404


def test_a_guest_finds_the_order_and_returns_a_line(
    client, shop, products, make_order, owner, reasons, actions
):
    order = make_order(shop, products[:1], email="gast@example.test")
    change_order_status(
        shop=shop, order=order, status=OrderStatus.SHIPPED, actor=Actor.staff(owner)
    )
    home = client.get(url(shop, "home")).text
    assert url(shop, "guest_returns") in home  # the footer links the page
    wrong = client.post(
        url(shop, "guest_returns"),
        {"number": order.number, "email": "gast@example.test", "postcode": "9999 ZZ"},
    )
    assert wrong.status_code == 400
    assert "We could not find an order with this number" in wrong.text
    unknown = client.post(
        url(shop, "guest_returns"),
        {"number": "ORD-NOPE", "email": "gast@example.test", "postcode": "3511 AA"},
    )
    assert unknown.text.count("We could not find an order") == wrong.text.count(
        "We could not find an order"
    )  # the same neutral message, whether the order exists or not
    found = client.post(
        url(shop, "guest_returns"),
        {"number": order.number.lower(), "email": "GAST@example.test", "postcode": "3511aa"},
    )
    assert found.status_code == 302 and found.url == url(shop, "guest_return_form")
    sent = client.post(found.url, form_data(order, reasons, actions, BEL_01=1))
    assert sent.status_code == 302
    created = ReturnRequest.objects.get()
    assert created.source == "guest"
    send_due_messages()
    mail_body = next(m.body for m in mail.outbox if created.number in m.subject)
    link = re.search(r"https?://\S+/returns/\S+/", mail_body)[0]
    assert (
        client.get(link.split("testserver")[-1].replace("http://127.0.0.1:8000", "")).status_code
        == 200
    )


def test_guest_lookups_are_limited_per_ip_and_per_order_number(client, shop):
    def look(number):
        return client.post(
            url(shop, "guest_returns"),
            {"number": number, "email": "a@example.test", "postcode": "1234 AB"},
        )

    for _ in range(5):
        assert look("ORD-1").status_code == 400
    assert look("ORD-1").status_code == 429  # this order number: 5 wrong tries
    for n in range(2, 7):
        assert look(f"ORD-{n}").status_code == 400
    limited = look("ORD-99")  # this address: 10 wrong tries
    assert limited.status_code == 429 and "Too many" in limited.text


def test_switches_hide_the_pages(client, customer_client, shop, owner, account_order):
    update_workflow_settings(
        shop=shop, user=owner, section="returns", values={"returns_for_guests": False}
    )
    assert client.get(url(shop, "guest_returns")).status_code == 404
    update_workflow_settings(
        shop=shop, user=owner, section="returns", values={"returns_self_service": False}
    )
    page = customer_client.get(url(shop, "order", number=account_order.number)).text
    assert "Returns are arranged by the shop" in page
    assert url(shop, "account_return", number=account_order.number) not in page
    update_workflow_settings(
        shop=shop, user=owner, section="modules", values={"returns_enabled": False}
    )
    assert (
        customer_client.get(url(shop, "account_return", number=account_order.number)).status_code
        == 404
    )
    staff = Client()
    staff.force_login(owner)
    assert staff.get(bo(shop, "returns")).status_code == 404
    assert staff.get(bo(shop, "return_new", number=account_order.number)).status_code == 404
    assert (
        staff.get(bo(shop, "order", number=account_order.number) + "?tab=returns").status_code
        == 404
    )


def test_staff_approve_receive_with_restock_and_refund_by_credit_invoice(
    shop, owner, account_order, reasons, actions, products
):
    bell = products[0]
    staff = Client()
    staff.force_login(owner)
    new_url = bo(shop, "return_new", number=account_order.number)
    made = staff.post(new_url, form_data(account_order, reasons, actions, BEL_01=2))
    assert made.status_code == 302
    created = ReturnRequest.objects.get()
    assert created.source == "staff"
    tab = staff.get(made.url.split("#")[0])
    assert created.number in tab.text and 'aria-current="true"' in tab.text

    def step(name, data=None):
        return staff.post(
            bo(shop, f"return_{name}", number=account_order.number, return_number=created.number),
            data or {},
        )

    step("approve", {"note": "Stuur hem maar op"})
    line = created.lines.get()
    bell.refresh_from_db()
    stock_before = bell.stock_level
    received = {f"line-{line.pk}-quantity": "2", f"line-{line.pk}-restock": "on"}
    step("receive", received)
    again = step("receive", received)  # a double click books nothing twice
    assert again.status_code == 302
    bell.refresh_from_db()
    assert bell.stock_level == stock_before + 2
    assert StockMovement.objects.filter(reason=MovementReason.RETURN_RESTOCK).count() == 1
    line.refresh_from_db()
    assert line.reception == Reception.RECEIVED and line.restocked

    step("refund")
    created.refresh_from_db()
    assert created.status == ReturnStatus.CREDITED
    credit = Invoice.objects.get(kind=InvoiceKind.CREDIT)
    assert credit.corrects.kind == InvoiceKind.DEBIT
    assert [(li.sku, li.quantity) for li in credit.lines.all()] == [("BEL-01", -2)]
    history = staff.get(bo(shop, "order", number=account_order.number) + "?tab=history").text
    assert f"Return {created.number} received by" in history
    assert f"Return {created.number} moved from Processing to Credited" in history

    listing = staff.get(bo(shop, "returns") + "?status=credited")
    assert listing.status_code == 200 and created.number in listing.text
    assert created.number not in staff.get(bo(shop, "returns") + "?stage=approve").text
    # Search: a name fragment, an order-number fragment, a whole e-mail address.
    for query in ("anse", account_order.number[-4:], "jan@example.test", created.number):
        assert created.number in staff.get(bo(shop, "returns"), {"q": query}).text, query
    assert created.number not in staff.get(bo(shop, "returns"), {"q": "nobody"}).text
    opened = staff.get(bo(shop, "return", return_number=created.number))
    assert opened.status_code == 302 and "tab=returns" in opened.url


def test_another_shops_staff_get_404_everywhere(
    shop, other_shop, make_staff, account_order, reasons, actions
):
    created = ReturnRequest.objects.create(
        shop=shop,
        order=account_order,
        number="RET-1",
        source="staff",
        email="x@example.test",
        customer_name="X",
        language="en",
        requested_at=account_order.created_at,
        updated_at=account_order.created_at,
    )
    stranger = Client()
    stranger.force_login(make_staff(other_shop))
    for name in ("approve", "reject", "receive", "refund", "complete", "status"):
        response = stranger.post(
            bo(shop, f"return_{name}", number=account_order.number, return_number=created.number)
        )
        assert response.status_code == 404, name
        # Through their own shop's URL the return of another shop is not found either.
        response = stranger.post(
            bo(
                other_shop,
                f"return_{name}",
                number=account_order.number,
                return_number=created.number,
            )
        )
        assert response.status_code == 404, name
    assert stranger.get(bo(other_shop, "return", return_number=created.number)).status_code == 404
    created.refresh_from_db()
    assert created.status == ReturnStatus.NEW


def test_a_refunded_return_is_no_correction_of_the_order_but_lowers_what_is_due(
    shop, owner, account_order, reasons, actions
):
    """The credit for returned goods leaves the order as ordered: no new invoice is proposed
    for the "difference", the order's invoices still cover it, and what is due drops."""
    staff = Client()
    staff.force_login(owner)
    made = staff.post(
        bo(shop, "return_new", number=account_order.number),
        form_data(account_order, reasons, actions, BEL_01=2),
    )
    assert made.status_code == 302
    created = ReturnRequest.objects.get()
    base = {"number": account_order.number, "return_number": created.number}
    staff.post(bo(shop, "return_approve", **base))
    line = created.lines.get()
    staff.post(bo(shop, "return_receive", **base), {f"line-{line.pk}-quantity": "2"})
    staff.post(bo(shop, "return_refund", **base))
    credit = Invoice.objects.get(kind=InvoiceKind.CREDIT)
    assert credit.for_returned_goods and credit.total_gross == -2 * line.order_line.unit_price

    proposal = propose_correction(shop=shop, order=account_order)
    assert proposal.lines == () and proposal.kind == ""
    due = order_amount_due(shop=shop, order=account_order)
    assert due == account_order.total_gross + credit.total_gross  # nothing paid yet
    tab = staff.get(bo(shop, "order", number=account_order.number) + "?tab=invoices").text
    assert 'id="invoicing-returned"' in tab
    assert "issue a new invoice for the difference" not in tab


def pdf_text(content: bytes, tmp_path) -> str:
    pdftotext = shutil.which("pdftotext")
    if not pdftotext:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "slip.pdf"
    path.write_bytes(content)
    return subprocess.run(
        [pdftotext, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_return_slip_has_the_numbers_the_lines_and_a_barcode(
    shop, other_shop, owner, account_order, reasons, actions, client, tmp_path
):
    staff = Client()
    staff.force_login(owner)
    staff.post(
        bo(shop, "return_new", number=account_order.number),
        form_data(account_order, reasons, actions, BEL_01=2),
    )
    created = ReturnRequest.objects.get()
    token = return_token(shop_id=shop.pk, return_id=created.pk)
    slip = client.get(url(shop, "return_slip", token=token))
    assert slip.status_code == 200 and slip["Content-Type"] == "application/pdf"
    text = pdf_text(slip.content, tmp_path)
    for expected in (created.number, account_order.number, "Fietsbel", "Return slip", shop.street):
        assert expected in text, expected
    assert "<svg" in barcode_svg(created.number).decode()
    page = client.get(url(shop, "return_page", token=token)).text
    assert url(shop, "return_slip", token=token) in page

    staff_slip = staff.get(
        bo(shop, "return_slip", number=account_order.number, return_number=created.number)
    )
    assert staff_slip.status_code == 200 and staff_slip.content.startswith(b"%PDF-")
    # Nobody else's: a forged token, another shop's link, another shop's staff.
    assert client.get(url(shop, "return_slip", token="forged")).status_code == 404
    assert client.get(url(other_shop, "return_slip", token=token)).status_code == 404
