"""A shop's e-mail template is the shop's own code: its rendering is capped (loop passes, widths,
length), so a preview answers at once and the sender never hangs (kantoor/messaging/
template_library.py, rendering.py)."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from kantoor.messaging.errors import TemplateNotRendered
from kantoor.messaging.models import MessageKind, MessageTemplate
from kantoor.messaging.rendering import TemplateText, render_message
from kantoor.messaging.services import save_message_template, send_due_messages

THIRTY = '"' + "x" * 30 + '"'
NESTED_THREE = (
    f"{{% for a in {THIRTY} %}}{{% for b in {THIRTY} %}}{{% for c in {THIRTY} %}}.{{% endfor %}}"
    "{% endfor %}{% endfor %}"
)


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


def render(body, **context):
    return render_message(
        template=TemplateText(subject="Onderwerp", body=body),
        context=context,
        shop_name="Fietsen Jansen",
        language="en",
    )


def test_nested_loops_past_the_budget_are_refused():
    # 30 x 30 x 30 = 27,000 passes; the budget is 10,000 for one rendering.
    with pytest.raises(TemplateNotRendered, match="repeats too much") as refused:
        render(NESTED_THREE)
    assert refused.value.code == "template_not_rendered"


def test_loops_within_the_budget_render_as_django_renders_them():
    lines = [{"name": f"Fietsbel {i}"} for i in range(99)]
    text = render(
        "{% for line in lines %}{% for other in lines %}.{% endfor %}{% empty %}none{% endfor %}"
        "|{% for line in lines reversed %}{% if forloop.first %}{{ line.name }}{% endif %}"
        "{% endfor %}",
        lines=lines,
    ).text
    # 99 + 99 x 99 + 99 = 9,999 passes, within the budget.
    assert text == "." * 9801 + "|Fietsbel 98\n"
    assert render("{% for x in nothing %}a{% empty %}none{% endfor %}").text == "none\n"


@pytest.mark.parametrize(
    "body",
    [
        '{{ first_name|ljust:"999999999" }}',
        '{{ first_name|center:"5000" }}',
        '{{ first_name|stringformat:"99999s" }}',
        '{{ total|floatformat:"100000" }}',
        '{{ note|wordwrap:"1000000" }}',
    ],
)
def test_a_width_past_the_cap_is_refused(body):
    with pytest.raises(TemplateNotRendered, match="takes a width of at most 1,000"):
        render(body, first_name="Jan", total="1.5", note="a b")


def test_widths_within_the_cap_and_an_optional_argument_work():
    text = render('[{{ name|ljust:"6" }}]{{ total|floatformat }}', name="Jan", total="2.50").text
    assert text == "[Jan   ]2.5\n"


def test_a_filter_that_refuses_its_value_is_a_clear_refusal_not_a_crash():
    with pytest.raises(TemplateNotRendered, match="cannot be rendered"):
        render("{{ note|wordwrap:0 }}", note="a b c")


def test_an_e_mail_longer_than_the_cap_is_refused():
    with pytest.raises(TemplateNotRendered, match="longer than 200,000 characters"):
        render('{% for l in lines %}{{ l|ljust:"1000" }}{% endfor %}', lines=["x"] * 300)


@pytest.mark.django_db
def test_the_sender_falls_back_to_kantoors_text_when_the_shops_template_breaks_a_limit(
    shop, products, make_order, owner
):
    save_message_template(
        shop=shop,
        kind=MessageKind.ORDER_CONFIRMATION,
        language="nl",
        subject="Bestelling {{ order_number }}",
        body=NESTED_THREE,
        user=owner,
    )
    order = make_order(shop, products)
    send_due_messages()
    assert len(mail.outbox) == 1
    assert order.number in mail.outbox[0].subject
    assert "..." not in mail.outbox[0].body and "Fietsbel" in mail.outbox[0].body


@pytest.mark.django_db
def test_the_preview_and_the_save_say_which_limit_a_template_breaks(client, shop, owner):
    client.force_login(owner)
    kwargs = {"shop_slug": shop.slug, "kind": "order_confirmation", "language": "nl"}
    data = {"subject": "Bestelling", "body": NESTED_THREE}

    preview = client.post(
        reverse("backoffice:settings_email_template_preview", kwargs=kwargs), data
    )
    assert preview.status_code == 200
    assert "repeats too much" in preview.text

    saved = client.post(reverse("backoffice:settings_email_template", kwargs=kwargs), data)
    assert saved.status_code == 400
    assert "repeats too much" in saved.text
    assert not MessageTemplate.objects.exists()
