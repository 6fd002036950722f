"""Every change to a message: queue it (the outbox), send it, retry it, resend it; templates.

The outbox: a Message row is written in the transaction of the change that causes it (placing
an order, changing its status …), so a message exists exactly when the change does. After
commit a Celery task sends it; the sweep (``send_due_messages``: celery beat, the embedded
sweeper thread, or ``manage.py send_queued_messages``) sends whatever is still due.

Delivery is at-least-once. A message is claimed before it is sent: in one short transaction its
row is locked (``select_for_update(skip_locked=True)`` on PostgreSQL; SQLite serialises writers),
marked ``sending`` and its attempts counted, so two workers never send it at the same time. Only
a worker that dies between the mail server accepting a message and recording it as sent leaves
it ``sending``; after MESSAGING_SENDING_TIMEOUT the sweep sends it again (one duplicate at most,
with the same Message-ID header, which mail clients use to fold duplicates). The alternative,
giving up on such a message, could lose an order confirmation; we prefer the rare duplicate.

Split by job and re-exported here: ``outbox`` (queue, dispatch), ``delivery`` (send, sweep),
``staff`` (resend, templates, status e-mails).
"""

from kantoor.messaging.errors import MessagingError
from kantoor.messaging.services.delivery import (
    BACKOFF_MINUTES,
    CLAIM_BATCH,
    MAX_ATTEMPTS,
    SendResult,
    message_id_header,
    send_due_messages,
    send_message,
)
from kantoor.messaging.services.outbox import dispatch, queue_message
from kantoor.messaging.services.staff import (
    DEFAULT_STATUS_MESSAGES,
    choose_status_messages,
    resend_message,
    reset_message_template,
    save_message_template,
    start_default_status_messages,
)

__all__ = [
    "DEFAULT_STATUS_MESSAGES",
    "start_default_status_messages",
    "BACKOFF_MINUTES",
    "CLAIM_BATCH",
    "MAX_ATTEMPTS",
    "MessagingError",
    "SendResult",
    "choose_status_messages",
    "dispatch",
    "message_id_header",
    "queue_message",
    "resend_message",
    "reset_message_template",
    "save_message_template",
    "send_due_messages",
    "send_message",
]
