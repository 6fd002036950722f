"""Operator command: create a shop with its owner, number series and back-office access."""

import getpass
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.urls import reverse

from kantoor.shops.models import Shop, User
from kantoor.shops.services import ShopAlreadyExists, create_shop

# Shop slugs that would collide with the back office's own pages (/backoffice/login/ …).
RESERVED_SLUGS = frozenset({"login", "logout"})


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{field}: {' '.join(str(m) for m in messages)}"
            for field, messages in error.message_dict.items()
        )
    return " ".join(str(m) for m in error.messages)


class Command(BaseCommand):
    help = (
        "Create a shop with its number series and its owner. The owner is a new user (with "
        "--password, or asked for on the terminal) or an existing user with that e-mail address."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True, help="The shop's address: /backoffice/SLUG/")
        parser.add_argument("--name", required=True, help="The shop's name.")
        parser.add_argument("--owner-email", required=True, help="The owner's e-mail address.")
        parser.add_argument(
            "--password",
            help="Password for a new owner account. Left out: asked for on the terminal. "
            "Ignored when the e-mail address already has an account.",
        )

    def handle(self, *args, slug: str, name: str, owner_email: str, password=None, **options):
        stdin = options.get("stdin") or sys.stdin
        owner_email = owner_email.strip().lower()
        try:
            validate_email(owner_email)
        except ValidationError as error:
            raise CommandError(f"'{owner_email}' is not a valid e-mail address.") from error
        if slug in RESERVED_SLUGS:
            raise CommandError(f"The slug '{slug}' is reserved by the back office; choose another.")
        try:
            Shop(slug=slug, name=name).clean_fields()
        except ValidationError as error:
            raise CommandError(f"Invalid shop details: {_messages(error)}") from error
        if Shop.objects.filter(slug=slug).exists():
            raise CommandError(f"A shop with the slug '{slug}' already exists.")

        existing = User.objects.filter(email__iexact=owner_email).first()
        if existing is not None:
            if password:
                self.stderr.write(
                    f"{owner_email} already has an account; its password is left unchanged."
                )
            password = None
        elif password is None:
            password = self._ask_password(owner_email, stdin=stdin)
        else:
            self._validate(password, owner_email)

        try:
            shop = create_shop(
                slug=slug, name=name, owner_email=owner_email, owner_password=password
            )
        except ShopAlreadyExists as error:
            raise CommandError(f"A shop with the slug '{slug}' already exists.") from error
        except ValidationError as error:
            raise CommandError(f"Invalid shop details: {_messages(error)}") from error

        who = "existing user" if existing is not None else "new user"
        url = reverse("backoffice:overview", kwargs={"shop_slug": shop.slug})
        self.stdout.write(
            self.style.SUCCESS(f"Created shop '{shop.name}' ({shop.slug}), owner {owner_email}")
            + f" ({who})."
        )
        self.stdout.write(f"Back office: {url}")

    def _ask_password(self, email: str, *, stdin) -> str:
        if not (hasattr(stdin, "isatty") and stdin.isatty()):
            raise CommandError(
                "--password is required when no terminal is attached "
                f"(a new account is created for {email})."
            )
        for _attempt in range(3):
            first = getpass.getpass(f"Password for {email}: ")
            if not first:
                self.stderr.write("The password may not be empty.")
                continue
            second = getpass.getpass("The same password again: ")
            if first != second:
                self.stderr.write("The passwords do not match.")
                continue
            try:
                self._validate(first, email)
            except CommandError as error:
                self.stderr.write(str(error))
                continue
            return first
        raise CommandError("No valid password given; nothing was created.")

    def _validate(self, password: str, email: str) -> None:
        try:
            validate_password(password, user=User(email=email))
        except ValidationError as error:
            raise CommandError("Password refused: " + " ".join(error.messages)) from error
