"""Photos with a return: checked by content, at most five of 5 MB, stored through the storage
API, shown only to the shop's staff and to the customer (through the return's signed link)."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from kantoor.returns.links import return_token
from kantoor.returns.models import ReturnPhoto, ReturnRequest
from kantoor.returns.photos import MAX_PHOTO_BYTES
from kantoor.returns.services import ReturnError
from tests.returns.test_pages import bo, form_data
from tests.returns.test_requesting import ask, lines_of
from tests.storefront.conftest import url


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def image_upload(name="bel.jpg", kind="JPEG", size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, format=kind)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def stored_files(media):
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def test_photos_are_stored_under_our_name_with_the_type_of_their_content(
    shop, delivered_order, reasons, actions, media
):
    request = ask(
        shop,
        delivered_order,
        lines_of(delivered_order, reasons, actions, BEL_01=1),
        photos=[
            image_upload("kapot.jpg"),
            image_upload("echt-een-png.jpg", "PNG"),
            image_upload("scherm.webp", "WEBP"),
        ],
    )
    photos = list(request.photos.all())
    assert [photo.content_type for photo in photos] == ["image/jpeg", "image/png", "image/webp"]
    assert all(photo.file.startswith(f"returns/{shop.pk}/{request.pk}/") for photo in photos)
    assert not any("kapot" in photo.file for photo in photos)  # never the customer's file name
    assert len(stored_files(media)) == 3


@pytest.mark.parametrize(
    ("uploads", "message"),
    [
        (
            [SimpleUploadedFile("virus.jpg", b"MZ\x90\x00 not an image", "image/jpeg")],
            "not a photo",
        ),
        ([SimpleUploadedFile("doc.pdf", b"%PDF-1.4\n%%EOF", "application/pdf")], "not a photo"),
        ([image_upload("oud.gif", "GIF")], "not a photo"),
        ([SimpleUploadedFile("groot.jpg", b"\xff" * (MAX_PHOTO_BYTES + 1))], "larger than 5 MB"),
        ([image_upload(f"{n}.jpg") for n in range(6)], "at most 5 photos"),
    ],
)
def test_what_is_no_photo_is_refused_and_nothing_is_written(
    shop, delivered_order, reasons, actions, media, uploads, message
):
    with pytest.raises(ReturnError) as refused:
        ask(
            shop,
            delivered_order,
            lines_of(delivered_order, reasons, actions, BEL_01=1),
            photos=uploads,
        )
    assert refused.value.field == "photos" and message in refused.value.message
    assert not ReturnRequest.objects.exists() and stored_files(media) == []


def test_a_refused_return_leaves_no_photo_behind(shop, delivered_order, reasons, actions, media):
    with pytest.raises(ReturnError):
        ask(
            shop,
            delivered_order,
            lines_of(delivered_order, reasons, actions, BEL_01=9),  # more than delivered
            photos=[image_upload()],
        )
    assert not ReturnPhoto.objects.exists() and stored_files(media) == []


def test_the_customer_adds_photos_on_the_form_and_sees_them_on_the_return_page(
    customer_client, shop, account_order, reasons, actions, owner, other_shop, make_staff
):
    form_url = url(shop, "account_return", number=account_order.number)
    assert 'enctype="multipart/form-data"' in customer_client.get(form_url).text
    data = form_data(account_order, reasons, actions, BEL_01=1)
    data["photos"] = [image_upload("a.jpg"), image_upload("b.png", "PNG")]
    sent = customer_client.post(form_url, data)
    assert sent.status_code == 302
    created = ReturnRequest.objects.get()
    page = Client().get(sent.url).text  # the signed link works without logging in
    photo_urls = re.findall(r'<img src="([^"]+/photos/\d+/)"', page)
    assert len(photo_urls) == 2
    shown = Client().get(photo_urls[0])
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert shown["X-Content-Type-Options"] == "nosniff"
    assert b"".join(shown.streaming_content).startswith(b"\xff\xd8")

    # Staff of the shop see them on the Returns tab; another shop's staff get 404.
    photo = created.photos.first()
    staff = Client()
    staff.force_login(owner)
    tab = staff.get(bo(shop, "order", number=account_order.number) + "?tab=returns").text
    staff_url = bo(
        shop,
        "return_photo",
        number=account_order.number,
        return_number=created.number,
        photo_id=photo.pk,
    )
    assert f'src="{staff_url}"' in tab
    assert staff.get(staff_url).status_code == 200
    stranger = Client()
    stranger.force_login(make_staff(other_shop))
    assert stranger.get(staff_url).status_code == 404
    other_url = bo(
        other_shop,
        "return_photo",
        number=account_order.number,
        return_number=created.number,
        photo_id=photo.pk,
    )
    assert stranger.get(other_url).status_code == 404


def test_a_photo_opens_only_through_the_link_of_its_own_return(
    shop, delivered_order, reasons, actions, other_shop
):
    first = ask(
        shop,
        delivered_order,
        lines_of(delivered_order, reasons, actions, BEL_01=1),
        photos=[image_upload()],
    )
    second = ask(shop, delivered_order, lines_of(delivered_order, reasons, actions, BEL_01=1))
    photo = first.photos.get()
    own = return_token(shop_id=shop.pk, return_id=first.pk)
    assert Client().get(url(shop, "return_photo", token=own, photo_id=photo.pk)).status_code == 200
    wrong = return_token(shop_id=shop.pk, return_id=second.pk)
    for token, photo_id in ((wrong, photo.pk), (own + "x", photo.pk), (own, "abc"), (own, 10**12)):
        response = Client().get(url(shop, "return_photo", token=token, photo_id=photo_id))
        assert response.status_code == 404
    # The same token at another shop opens nothing.
    response = Client().get(url(other_shop, "return_photo", token=own, photo_id=photo.pk))
    assert response.status_code == 404


def test_a_non_image_on_the_form_gets_a_message_next_to_the_field(
    customer_client, shop, account_order, reasons, actions, media
):
    form_url = url(shop, "account_return", number=account_order.number)
    data = form_data(account_order, reasons, actions, BEL_01=1)
    data["photos"] = [SimpleUploadedFile("x.jpg", b"not an image at all")]
    response = customer_client.post(form_url, data)
    assert response.status_code == 400
    assert "x.jpg is not a photo" in response.text
    assert not ReturnRequest.objects.exists() and stored_files(media) == []
