from django.db.models import QuerySet
from django.http import Http404

from kantoor.shops.models import Membership, Shop, User


def shops_for_user(*, user: User) -> QuerySet[Shop]:
    """The shops whose back office this user may open, by name."""
    if not user.is_authenticated:
        return Shop.objects.none()
    return Shop.objects.filter(memberships__user=user).order_by("name")


def membership_for(*, user: User, slug: str) -> Membership:
    """The user's membership of the shop with this slug; 404 when there is none.

    A shop the user is no member of answers exactly like a shop that does not exist.
    """
    membership = (
        Membership.objects.select_related("shop").filter(user=user, shop__slug=slug).first()
        if user.is_authenticated
        else None
    )
    if membership is None:
        raise Http404("No such shop.")
    return membership


def shop_by_slug(*, slug: str) -> Shop:
    shop = Shop.objects.filter(slug=slug).first()
    if shop is None:
        raise Http404("No such shop.")
    return shop
