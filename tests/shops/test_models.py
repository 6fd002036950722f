import pytest
from django.core.exceptions import ValidationError

from kantoor.shops.models import Shop, User


@pytest.mark.parametrize("slug", ["login", "logout", "admin", "-demo", "Demo", "de mo", ""])
def test_a_shop_slug_must_be_a_usable_path(db, slug):
    with pytest.raises(ValidationError) as info:
        Shop(slug=slug, name="Demo").full_clean()
    assert "slug" in info.value.message_dict


def test_staff_e_mail_is_stored_lower_case(db):
    user = User(email="Anna@Example.TEST")
    user.set_password("x-long-password-1")
    user.full_clean()
    assert user.email == "anna@example.test"
