"""Development e-mail: whole messages in files under var/mail, one line each on the console."""

import io

from django.core.mail import EmailMultiAlternatives

from kantoor.messaging.dev_mail import DevelopmentEmailBackend


def test_each_message_goes_whole_to_a_file_and_one_line_to_the_console(tmp_path):
    console = io.StringIO()
    backend = DevelopmentEmailBackend(file_path=str(tmp_path), stream=console)
    message = EmailMultiAlternatives(
        "Je bestelling ORD2026-0001", "Hallo Jan,\n" * 50, "shop@example.test", ["jan@example.test"]
    )
    message.attach_alternative("<p>Hallo Jan</p>", "text/html")
    assert backend.send_messages([message]) == 1
    lines = console.getvalue().splitlines()
    assert len(lines) == 1
    assert "jan@example.test" in lines[0] and "ORD2026-0001" in lines[0]
    assert "Content-Type" not in console.getvalue()
    files = list(tmp_path.iterdir())
    assert len(files) == 1 and str(files[0]) in lines[0]
    written = files[0].read_text()
    assert "Subject: Je bestelling ORD2026-0001" in written and "text/html" in written
