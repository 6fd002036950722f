"""The lists' search for a fragment of text on PostgreSQL: ``ILIKE '%fragment%'`` on one
constant expression of the list's columns, which a GIN trigram index covers (each list's
migration makes the index on exactly that expression), so a search reads only the rows it finds.
"""

from __future__ import annotations

from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL


def like_pattern(fragment: str) -> str:
    """``%fragment%`` with LIKE's own characters (``\\``, ``%``, ``_``) taken literally."""
    escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contains_fragment(expression_sql: str, fragment: str) -> Q:
    """Rows whose ``expression_sql`` (a constant SQL expression of the list, never user text)
    contains ``fragment``, case-insensitively; the fragment goes in as a parameter."""
    match = RawSQL(  # noqa: S611 - constant SQL, the user's text is a parameter
        f"{expression_sql} ILIKE %s", [like_pattern(fragment)], output_field=BooleanField()
    )
    return Q(match)
