from django.db import transaction

from kantoor.numbering.services import ensure_default_number_series
from kantoor.shops.models import Membership, Role, Shop, User


class ShopAlreadyExists(Exception):
    pass


@transaction.atomic
def create_shop(
    *, slug: str, name: str, owner_email: str, owner_password: str | None, **details
) -> Shop:
    """Create a shop with its number series and its owner (a new or an existing user)."""
    if Shop.objects.filter(slug=slug).exists():
        raise ShopAlreadyExists(slug)
    shop = Shop(slug=slug, name=name, **details)
    shop.full_clean()
    shop.save()
    ensure_default_number_series(shop=shop)
    owner = User.objects.filter(email__iexact=owner_email).first()
    if owner is None:
        owner = User.objects.create_user(owner_email, owner_password)
    Membership.objects.create(shop=shop, user=owner, role=Role.OWNER)
    return shop
