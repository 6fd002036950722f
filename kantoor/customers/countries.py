"""The countries customers can have an address in (ISO 3166-1 alpha-2), for every form; the
one rule for postcodes (a Dutch one is written "1234 AB")."""

import re

from django.utils.translation import gettext_lazy as _

# A Dutch postcode: four digits, the first not 0, and two letters ("1234 AB").
_NL_POSTCODE = re.compile(r"([1-9][0-9]{3}) ?([A-Z]{2})")

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


def normalize_postcode(postcode: str, country: str = "NL") -> str:
    """The postcode as it is written: spaces collapsed, letters in capitals; a Dutch one as
    "1234 AB" ("1234ab", " 1234  ab" too). One that is no valid postcode is left as typed
    (normalised spaces and capitals): ``postcode_error`` says what is wrong with it."""
    text = " ".join((postcode or "").split()).upper()
    if country == "NL":
        match = _NL_POSTCODE.fullmatch(text)
        if match:
            return f"{match[1]} {match[2]}"
    return text


def postcode_error(postcode: str, country: str = "NL") -> str | None:
    """Why the postcode cannot be one of ``country``, as a sentence; None when it is fine."""
    text = normalize_postcode(postcode, country)
    if country == "NL" and text and not _NL_POSTCODE.fullmatch(text):
        return str(_("Enter a Dutch postcode as 4 digits and 2 letters, like 1234 AB."))
    return None


def clean_postcode(form, field: str, country_field: str) -> None:
    """For a form: the postcode in ``field`` checked against the country in ``country_field``
    and normalised in ``cleaned_data``, or a clear error on the field (storefront and back
    office address forms)."""
    data = form.cleaned_data
    postcode, country = data.get(field) or "", data.get(country_field) or "NL"
    if not postcode or field in form.errors:
        return
    error = postcode_error(postcode, country)
    if error:
        form.add_error(field, error)
    else:
        data[field] = normalize_postcode(postcode, country)
