"""The HTML version of an e-mail: its links are links, everything else stays escaped text."""

from kantoor.messaging.rendering import TemplateText, render_message


def render(body: str):
    return render_message(
        template=TemplateText(subject="Hallo", body=body),
        context={},
        shop_name="Fietsen <Jansen>",
        language="nl",
    )


def test_links_in_the_html_version_are_clickable():
    html = render("Betaal hier: https://shop.example/pay/abc-123/?a=1&b=2\nDank je").html
    assert '<a href="https://shop.example/pay/abc-123/?a=1&amp;b=2"' in html
    assert ">https://shop.example/pay/abc-123/?a=1&amp;b=2</a>" in html


def test_the_text_around_links_is_still_escaped():
    message = render('<script>alert(1)</script> <b>vet</b> "x" https://shop.example/pay/x/')
    assert "<script>" not in message.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in message.html
    assert "&lt;b&gt;vet&lt;/b&gt;" in message.html
    assert '<a href="https://shop.example/pay/x/"' in message.html
    assert "Fietsen &lt;Jansen&gt;" in message.html
    # The text version is untouched.
    assert message.text.startswith("<script>")
