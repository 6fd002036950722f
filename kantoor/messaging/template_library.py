"""The only tags and filters a shop's e-mail template may use (see rendering.SAFE_ENGINE).

Django's default filters, and the default tags that only shape text. Left out on purpose:
``load`` (other libraries), ``include``/``extends`` (files on the server), ``url``, ``debug``
(prints the modules), ``csrf_token``, ``lorem``.
"""

from django.template import Library, defaultfilters, defaulttags

register = Library()

ALLOWED_TAGS = (
    "autoescape",
    "comment",
    "cycle",
    "filter",
    "firstof",
    "for",
    "if",
    "ifchanged",
    "now",
    "regroup",
    "spaceless",
    "templatetag",
    "verbatim",
    "widthratio",
    "with",
)

for _name in ALLOWED_TAGS:
    register.tag(_name, defaulttags.register.tags[_name])
for _name, _filter in defaultfilters.register.filters.items():
    register.filter(_name, _filter)
