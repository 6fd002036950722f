"""The operator's create_shop command."""

import importlib
import io

import pytest
from django.core.management import CommandError, call_command

from kantoor.numbering.models import DocumentKind, NumberSeries
from kantoor.shops.models import Membership, Role, Shop, User
from tests.conftest import PASSWORD


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run(*args, stdin=None, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "create_shop", *args, stdout=out, stderr=err, stdin=stdin or io.StringIO(), **options
    )
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_creates_shop_owner_membership_and_number_series():
    out, _ = run(
        "--slug",
        "fietsen",
        "--name",
        "Fietsen Jansen",
        "--owner-email",
        "Jan@Fietsen.test",
        "--password",
        PASSWORD,
    )

    shop = Shop.objects.get(slug="fietsen")
    assert shop.name == "Fietsen Jansen"
    owner = User.objects.get(email="jan@fietsen.test")
    assert owner.check_password(PASSWORD)
    assert Membership.objects.filter(shop=shop, user=owner, role=Role.OWNER).exists()
    assert set(NumberSeries.objects.filter(shop=shop).values_list("kind", flat=True)) == set(
        DocumentKind.values
    )
    assert "/backoffice/fietsen/" in out


@pytest.mark.django_db
def test_duplicate_slug_is_refused(make_shop):
    make_shop(slug="fietsen")
    with pytest.raises(CommandError, match="already exists"):
        run(
            "--slug",
            "fietsen",
            "--name",
            "Nog een",
            "--owner-email",
            "x@example.test",
            "--password",
            PASSWORD,
        )
    assert Shop.objects.filter(slug="fietsen").count() == 1
    assert not User.objects.filter(email="x@example.test").exists()


@pytest.mark.django_db
def test_without_password_and_without_terminal_it_refuses():
    with pytest.raises(CommandError, match="--password is required when no terminal is attached"):
        run("--slug", "fietsen", "--name", "Fietsen", "--owner-email", "jan@example.test")
    assert not Shop.objects.exists()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_without_password_on_a_terminal_it_asks_twice(monkeypatch):
    answers = iter(["short", "short", PASSWORD, "typo", PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))

    _, err = run(
        "--slug",
        "fietsen",
        "--name",
        "Fietsen",
        "--owner-email",
        "jan@example.test",
        stdin=FakeTerminal(),
    )

    assert "too short" in err  # the validators' own words
    assert "do not match" in err
    assert User.objects.get(email="jan@example.test").check_password(PASSWORD)


@pytest.mark.django_db
def test_a_weak_password_on_the_command_line_is_refused():
    with pytest.raises(CommandError, match="Password refused"):
        run(
            "--slug",
            "fietsen",
            "--name",
            "Fietsen",
            "--owner-email",
            "jan@example.test",
            "--password",
            "12345678",
        )
    assert not Shop.objects.exists()


@pytest.mark.django_db
def test_existing_user_becomes_owner_and_keeps_their_password(make_shop):
    first = make_shop(slug="eerste", owner_email="jan@example.test")
    user = User.objects.get(email="jan@example.test")

    out, _ = run("--slug", "tweede", "--name", "Tweede", "--owner-email", "JAN@example.test")

    second = Shop.objects.get(slug="tweede")
    assert Membership.objects.get(shop=second, user=user).role == Role.OWNER
    assert Membership.objects.filter(shop=first, user=user).exists()
    assert User.objects.filter(email__iexact="jan@example.test").count() == 1
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert "existing user" in out


@pytest.mark.django_db
def test_existing_users_password_is_not_changed_by_password_option(make_shop):
    make_shop(slug="eerste", owner_email="jan@example.test")
    _, err = run(
        "--slug",
        "tweede",
        "--name",
        "Tweede",
        "--owner-email",
        "jan@example.test",
        "--password",
        "another-long-password",
    )
    assert User.objects.get(email="jan@example.test").check_password(PASSWORD)
    assert "left unchanged" in err


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["Fietsen", "-fietsen", "fiet sen", "login"])
def test_invalid_slug_is_refused_and_nothing_is_written(slug):
    with pytest.raises(CommandError, match="slug"):
        run(
            "--slug",
            slug,
            "--name",
            "Fietsen",
            "--owner-email",
            "jan@example.test",
            "--password",
            PASSWORD,
        )
    assert not Shop.objects.exists()
    assert not User.objects.exists()
    assert not NumberSeries.objects.exists()


@pytest.mark.django_db
def test_invalid_e_mail_address_is_refused():
    with pytest.raises(CommandError, match="not a valid e-mail address"):
        run(
            "--slug", "fietsen", "--name", "Fietsen", "--owner-email", "jan", "--password", PASSWORD
        )
    assert not Shop.objects.exists()


def test_production_hashes_passwords_with_argon2():
    # tests/conftest.py swaps the hashers per test; read the settings module itself.
    production = importlib.import_module("kantoor.settings")
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
