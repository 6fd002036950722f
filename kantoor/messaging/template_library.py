"""The only tags and filters a shop's e-mail template may use (see rendering.SAFE_ENGINE).

Django's default filters, and the default tags that only shape text. Left out on purpose:
``load`` (other libraries), ``include``/``extends`` (files on the server), ``url``, ``debug``
(prints the modules), ``csrf_token``, ``lorem``.

A template is the shop's own code, so its cost is capped: ``for`` counts every pass of every loop
of one rendering (nested loops multiply) against MAX_LOOP_PASSES, and the filters that pad or
format to a width the template chooses refuse a width over MAX_WIDTH (``ljust:"999999999"``
would build a gigabyte). rendering.render_message caps the length of the result.
"""

import re

from django.template import Library, defaultfilters, defaulttags
from django.utils.translation import gettext_lazy as _

from kantoor.messaging.errors import TemplateNotRendered, loops_too_long

MAX_LOOP_PASSES = 10_000
MAX_WIDTH = 1_000
_BUDGET_KEY = "kantoor_loop_passes"
_NUMBER = re.compile(r"\d+")

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


class CountedForNode(defaulttags.ForNode):
    """Django's ``for``, charging its passes to the rendering's budget before it runs them."""

    def render(self, context):
        values = self.sequence.resolve(context, ignore_failures=True)
        try:
            passes = len(values) if values is not None else 0
        except TypeError:  # an iterator: Django lists it, so does the count
            passes = len(list(values))
        spent = context.render_context.get(_BUDGET_KEY, 0) + passes
        if spent > MAX_LOOP_PASSES:
            raise loops_too_long(MAX_LOOP_PASSES)
        context.render_context[_BUDGET_KEY] = spent
        return super().render(context)


def do_counted_for(parser, token):
    node = defaulttags.do_for(parser, token)
    return CountedForNode(
        node.loopvars, node.sequence, node.is_reversed, node.nodelist_loop, node.nodelist_empty
    )


def _width_capped(name, original):
    """A filter whose argument is a width or a precision, refusing one over MAX_WIDTH."""

    def capped(value, arg=None):
        if arg is None:  # floatformat's argument is optional; the others say they need one
            return original(value)
        if any(int(number) > MAX_WIDTH for number in _NUMBER.findall(str(arg))):
            raise TemplateNotRendered(
                _("“%(filter)s” takes a width of at most %(max)s."),
                {"filter": name, "max": MAX_WIDTH},
            )
        return original(value, arg)

    capped.is_safe = getattr(original, "is_safe", False)
    return capped


WIDTH_FILTERS = ("center", "floatformat", "ljust", "rjust", "stringformat", "wordwrap")

for _name in ALLOWED_TAGS:
    register.tag(_name, defaulttags.register.tags[_name])
register.tag("for", do_counted_for)
for _name, _filter in defaultfilters.register.filters.items():
    register.filter(_name, _filter)
for _name in WIDTH_FILTERS:
    register.filter(_name, _width_capped(_name, defaultfilters.register.filters[_name]))
