"""The life of a sent quote: sending it (a revision the customer can accept), extending or
cancelling it, the customer accepting or declining it, and the periodic expiry and reminders.

Every step locks the quote's row, checks the status it comes from against
``QUOTE_TRANSITIONS``, writes one event on the quote's timeline and queues its e-mail."""

from __future__ import annotations

import datetime
import ipaddress

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kantoor.core.actors import Actor
from kantoor.messaging.models import MessageKind
from kantoor.quotes import events
from kantoor.quotes.errors import QuoteError
from kantoor.quotes.events import QuoteEventKind
from kantoor.quotes.models import QUOTE_TRANSITIONS, Quote, QuoteLine, QuoteStatus
from kantoor.quotes.notifications import queue_quote_message
from kantoor.quotes.services.converting import convert_locked_quote
from kantoor.quotes.services.drafting import MAX_NOTE, lock_quote
from kantoor.shops.models import Shop
from kantoor.shops.selectors import workflow_settings_for

MAX_NAME = 200
MAX_REMINDER_DAYS = 60  # the most a shop may set (WorkflowSettings.quote_reminder_days)


def _move(quote: Quote, to: str, *, message: str) -> None:
    if to not in QUOTE_TRANSITIONS[quote.status]:
        raise QuoteError(message % {"number": quote.number}, code="wrong_status")
    quote.status = to


def send_quote(*, shop: Shop, quote_id: int, actor: Actor, notify: bool = True) -> Quote:
    """Send the quote's current revision: the customer gets the e-mail with its PDF and link,
    and from now on sees (and may accept) this revision (``notify`` False: no e-mail, for
    history seeded by seed_demo)."""
    now = timezone.now()
    with transaction.atomic():
        quote = lock_quote(shop=shop, quote_id=quote_id)
        before = quote.status
        _move(
            quote,
            QuoteStatus.SENT,
            message=_("Quote %(number)s cannot be sent now: it is accepted, converted or sent."),
        )
        if quote.valid_until < timezone.localdate(now):
            raise QuoteError(
                _("Quote %(number)s was valid until a day that has passed: extend it first.")
                % {"number": quote.number},
                code="expired",
                field="valid_until",
            )
        if not QuoteLine.objects.filter(quote=quote, revision=quote.revision).exists():
            raise QuoteError(_("Add at least one line to the quote."), code="no_lines")
        quote.sent_revision = quote.revision
        quote.sent_at = now
        quote.reminded_at = None
        quote.updated_at = now
        quote.save()
        events.record(
            quote,
            QuoteEventKind.SENT,
            actor=actor,
            at=now,
            before=before,
            after=quote.status,
            revision=quote.revision,
            to=quote.email,
        )
        if notify:
            queue_quote_message(quote=quote, kind=MessageKind.QUOTE)
    return quote


def extend_quote(*, shop: Shop, quote_id: int, valid_until: datetime.date, actor: Actor) -> Quote:
    """A new last day for a sent or expired quote; an expired one can be accepted again."""
    now = timezone.now()
    if valid_until is None or valid_until < timezone.localdate(now):
        raise QuoteError(_("Choose a day from today on."), field="valid_until")
    if valid_until > timezone.localdate(now) + datetime.timedelta(days=366 * 2):
        raise QuoteError(_("A quote can be valid for at most two years."), field="valid_until")
    with transaction.atomic():
        quote = lock_quote(shop=shop, quote_id=quote_id)
        if quote.status not in (QuoteStatus.SENT, QuoteStatus.EXPIRED):
            raise QuoteError(
                _("Only a sent or expired quote can be extended; edit a concept instead."),
                code="wrong_status",
            )
        before = quote.valid_until
        quote.status = QuoteStatus.SENT
        quote.valid_until = valid_until
        quote.reminded_at = None
        quote.updated_at = now
        quote.save()
        events.record(
            quote,
            QuoteEventKind.EXTENDED,
            actor=actor,
            at=now,
            from_date=before.isoformat(),
            to_date=valid_until.isoformat(),
        )
    return quote


def cancel_quote(*, shop: Shop, quote_id: int, actor: Actor, reason: str = "") -> Quote:
    """The shop withdraws a quote that was not accepted: it becomes *rejected*."""
    reason = (reason or "").strip()[:MAX_NOTE]
    now = timezone.now()
    with transaction.atomic():
        quote = lock_quote(shop=shop, quote_id=quote_id)
        before = quote.status
        _move(
            quote,
            QuoteStatus.REJECTED,
            message=_("Quote %(number)s cannot be cancelled: it has been accepted or converted."),
        )
        quote.decided_at = now
        quote.updated_at = now
        quote.save()
        events.record(
            quote,
            QuoteEventKind.CANCELLED,
            actor=actor,
            at=now,
            before=before,
            after=quote.status,
            note=reason,
        )
    return quote


def _check_open_for_the_customer(quote: Quote, revision: int | None, today: datetime.date) -> None:
    if quote.status == QuoteStatus.ACCEPTED or quote.status == QuoteStatus.CONVERTED:
        raise QuoteError(
            _("Quote %(number)s has been accepted already.") % {"number": quote.number},
            code="accepted",
        )
    if quote.status == QuoteStatus.EXPIRED or (
        quote.status == QuoteStatus.SENT and quote.valid_until < today
    ):
        raise QuoteError(
            _("Quote %(number)s expired on %(date)s: ask the shop for a new one.")
            % {
                "number": quote.number,
                "date": formats.date_format(quote.valid_until, "DATE_FORMAT"),
            },
            code="expired",
        )
    if quote.status == QuoteStatus.REJECTED:
        raise QuoteError(
            _("Quote %(number)s has been declined or withdrawn: ask the shop for a new one.")
            % {"number": quote.number},
            code="rejected",
        )
    if quote.status != QuoteStatus.SENT:
        raise QuoteError(
            _("Quote %(number)s is being changed by the shop: wait for the new version.")
            % {"number": quote.number},
            code="not_open",
        )
    if revision != quote.sent_revision:
        raise QuoteError(
            _("This is not the latest version of quote %(number)s: reload the page.")
            % {"number": quote.number},
            code="superseded",
        )


def _ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(value or ""))
    except ValueError:
        return None


def accept_quote(
    *,
    shop: Shop,
    quote_id: int,
    revision: int | None,
    name: str,
    terms_accepted: bool,
    ip_address: str | None,
    actor: Actor,
    notify: bool = True,
) -> Quote:
    """The customer accepts the revision they were sent, with their name and the terms ticked:
    the name, time, IP address and revision are recorded; the shop is e-mailed. When the shop
    wants it (workflow settings), the quote becomes an order at once, in this transaction."""
    name = (name or "").strip()
    if not name:
        raise QuoteError(_("Type your name to accept the quote."), field="name")
    if len(name) > MAX_NAME:
        raise QuoteError(
            _("A name can be at most %(max)d characters.") % {"max": MAX_NAME}, field="name"
        )
    if not terms_accepted:
        raise QuoteError(_("Tick that you agree to the quote and its terms."), field="terms")
    now = timezone.now()
    with transaction.atomic():
        quote = lock_quote(shop=shop, quote_id=quote_id)
        _check_open_for_the_customer(quote, revision, timezone.localdate(now))
        before = quote.status
        quote.status = QuoteStatus.ACCEPTED
        quote.accepted_name = name
        quote.accepted_at = now
        quote.accepted_ip = _ip(ip_address)
        quote.accepted_revision = quote.sent_revision
        quote.decided_at = now
        quote.updated_at = now
        quote.save()
        events.record(
            quote,
            QuoteEventKind.ACCEPTED,
            actor=actor,
            at=now,
            before=before,
            after=quote.status,
            revision=quote.accepted_revision,
            name=name,
            ip=_ip(ip_address) or "",
        )
        if notify:
            queue_quote_message(quote=quote, kind=MessageKind.QUOTE_ACCEPTED)
        if workflow_settings_for(shop=shop).quotes_convert_on_acceptance:
            # Converted at once, when it can be: a refusal (a product short, no address) leaves
            # the quote accepted, for staff to convert once they have seen to it.
            try:
                with transaction.atomic():
                    convert_locked_quote(quote, actor=actor, notify=notify)
            except QuoteError as refused:
                quote.status = QuoteStatus.ACCEPTED
                quote.order = None
                events.record(
                    quote,
                    QuoteEventKind.CONVERSION_REFUSED,
                    actor=Actor.system(),
                    at=now,
                    note=refused.message,
                )
    return quote


def decline_quote(
    *,
    shop: Shop,
    quote_id: int,
    revision: int | None,
    reason: str,
    actor: Actor,
    notify: bool = True,
) -> Quote:
    """The customer declines the quote they were sent (a reason is optional)."""
    reason = (reason or "").strip()
    if len(reason) > MAX_NOTE:
        raise QuoteError(
            _("A reason can be at most %(max)d characters.") % {"max": MAX_NOTE}, field="reason"
        )
    now = timezone.now()
    with transaction.atomic():
        quote = lock_quote(shop=shop, quote_id=quote_id)
        _check_open_for_the_customer(quote, revision, timezone.localdate(now))
        before = quote.status
        quote.status = QuoteStatus.REJECTED
        quote.declined_reason = reason
        quote.decided_at = now
        quote.updated_at = now
        quote.save()
        events.record(
            quote,
            QuoteEventKind.DECLINED,
            actor=actor,
            at=now,
            before=before,
            after=quote.status,
            note=reason,
        )
        if notify:
            queue_quote_message(quote=quote, kind=MessageKind.QUOTE_DECLINED)
    return quote


def expire_quotes(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """The periodic sweep (Celery beat, or the embedded sweep): every shop's sent quotes whose
    last day has passed become *expired*; those within the shop's reminder days get their one
    reminder. Each quote in its own transaction. Returns how many of each."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    expired = reminded = 0
    due = Quote.objects.filter(status=QuoteStatus.SENT, valid_until__lt=today).values_list(
        "pk", flat=True
    )
    for quote_id in list(due[:10_000]):
        with transaction.atomic():
            quote = Quote.objects.select_for_update().filter(pk=quote_id).first()
            if quote is None or quote.status != QuoteStatus.SENT or quote.valid_until >= today:
                continue
            quote.status = QuoteStatus.EXPIRED
            quote.updated_at = now
            quote.save(update_fields=["status", "updated_at"])
            events.record(
                quote,
                QuoteEventKind.EXPIRED,
                actor=Actor.system(),
                at=now,
                before=QuoteStatus.SENT,
                after=QuoteStatus.EXPIRED,
            )
            expired += 1
    candidates = Quote.objects.filter(
        status=QuoteStatus.SENT,
        reminded_at=None,
        valid_until__gte=today,
        valid_until__lte=today + datetime.timedelta(days=MAX_REMINDER_DAYS),
    ).select_related("shop__workflow_settings")
    for candidate in candidates.iterator():
        days = workflow_settings_for(shop=candidate.shop).quote_reminder_days
        if not days or candidate.valid_until > today + datetime.timedelta(days=days):
            continue
        with transaction.atomic():
            quote = Quote.objects.select_for_update().filter(pk=candidate.pk).first()
            if quote is None or quote.status != QuoteStatus.SENT or quote.reminded_at:
                continue
            quote.shop = candidate.shop
            quote.reminded_at = now
            quote.save(update_fields=["reminded_at"])
            events.record(quote, QuoteEventKind.REMINDED, actor=Actor.system(), at=now)
            queue_quote_message(quote=quote, kind=MessageKind.QUOTE_REMINDER)
            reminded += 1
    return {"expired": expired, "reminded": reminded}
