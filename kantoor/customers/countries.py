"""The countries customers can have an address in (ISO 3166-1 alpha-2), for every form."""

from django.utils.translation import gettext_lazy as _

COUNTRIES = [
    ("NL", _("Netherlands")),
    ("BE", _("Belgium")),
    ("DE", _("Germany")),
    ("LU", _("Luxembourg")),
    ("FR", _("France")),
    ("AT", _("Austria")),
    ("DK", _("Denmark")),
    ("ES", _("Spain")),
    ("IE", _("Ireland")),
    ("IT", _("Italy")),
    ("PL", _("Poland")),
    ("PT", _("Portugal")),
    ("SE", _("Sweden")),
    ("FI", _("Finland")),
    ("GB", _("United Kingdom")),
]


def country_name(code: str) -> str:
    """NL → Netherlands (in the current language); an unknown code stays as it is."""
    return str(dict(COUNTRIES).get(code, code))
