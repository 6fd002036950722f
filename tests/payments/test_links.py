"""Payment-link tokens: one stable token per invoice, and links sent before still open."""

from django.core import signing

from kantoor.payments.links import _SALT, invoice_from_token, payment_link_token


def test_the_token_of_an_invoice_is_the_same_every_time():
    assert payment_link_token(shop_id=1, invoice_id=2) == payment_link_token(
        shop_id=1, invoice_id=2
    )
    assert invoice_from_token(payment_link_token(shop_id=1, invoice_id=2)) == (1, 2)


def test_a_link_made_with_a_timestamp_before_still_opens_its_invoice():
    old = signing.dumps({"s": 3, "i": 4}, salt=_SALT)
    assert invoice_from_token(old) == (3, 4)


def test_a_tampered_or_foreign_token_opens_nothing():
    token = payment_link_token(shop_id=1, invoice_id=2)
    assert invoice_from_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert invoice_from_token(signing.Signer(salt="other").sign_object({"s": 1, "i": 2})) is None
    assert invoice_from_token("") is None
