"""Who does something, as the timelines show it: a member of staff, a customer, a provider or
Kantoor itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SYSTEM_LABEL = "Kantoor"


@dataclass(frozen=True)
class Actor:
    """Who does something, as the timeline shows it.

    ``user`` is the staff user (a ``shops.User``) when a member of staff acted, else None.
    """

    label: str
    user: Any = None

    @classmethod
    def staff(cls, user) -> Actor:
        return cls(label=user.name or user.email, user=user)

    @classmethod
    def customer(cls, email: str) -> Actor:
        return cls(label=email)

    @classmethod
    def system(cls) -> Actor:
        return cls(label=SYSTEM_LABEL)
