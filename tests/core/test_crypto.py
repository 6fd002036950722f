import pytest

from kantoor.core.crypto import (
    CredentialsError,
    decrypt_credentials,
    encrypt_credentials,
    masked,
)


def test_credentials_round_trip_and_are_not_readable_in_the_token(settings):
    token = encrypt_credentials({"mollie": {"api_key": "live_secretsecret"}})
    assert "live_secret" not in token
    assert decrypt_credentials(token) == {"mollie": {"api_key": "live_secretsecret"}}


def test_another_secret_gives_a_clear_error(settings):
    token = encrypt_credentials({"a": 1})
    settings.SECRET_KEY = "another-secret-key"
    with pytest.raises(CredentialsError, match="cannot be read"):
        decrypt_credentials(token)


def test_payment_keys_secret_survives_a_secret_key_rotation(settings):
    settings.PAYMENT_KEYS_SECRET = "keys-secret"
    token = encrypt_credentials({"a": 1})
    settings.SECRET_KEY = "rotated"
    assert decrypt_credentials(token) == {"a": 1}
    settings.PAYMENT_KEYS_SECRET = "other"
    with pytest.raises(CredentialsError):
        decrypt_credentials(token)


@pytest.mark.parametrize("junk", ["x", "gAAAA", "not a token at all", "é"])
def test_junk_is_a_clear_error(junk):
    with pytest.raises(CredentialsError):
        decrypt_credentials(junk)


def test_nothing_saved_is_no_keys():
    assert decrypt_credentials("") == {}


def test_masked_shows_kind_and_last_four():
    assert masked("live_abcdefghijklmnopqrstuvwxyz1234") == "live_…1234"
    assert masked("") == ""
