"""The audit log of settings: one writer, used by every service that changes a setting.

A service calls ``record_changes`` inside its own transaction, so a change and its record are
committed together or not at all.
"""

from collections.abc import Mapping

from kantoor.shops.models import SettingsChange, Shop, User


def _label(user: User | None) -> str:
    if user is None:
        return "Kantoor"
    return user.name or user.email


def record_changes(
    *,
    shop: Shop,
    user: User | None,
    section: str,
    before: Mapping[str, object],
    after: Mapping[str, object],
) -> list[SettingsChange]:
    """Write one SettingsChange per field whose value differs between ``before`` and ``after``."""
    rows = [
        SettingsChange(
            shop=shop,
            user=user,
            user_label=_label(user),
            section=section,
            field=field,
            before=before.get(field),
            after=after.get(field),
        )
        for field in sorted(set(before) | set(after))
        if before.get(field) != after.get(field)
    ]
    if rows:
        SettingsChange.objects.bulk_create(rows)
    return rows
