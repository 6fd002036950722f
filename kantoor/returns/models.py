"""Returns: so far the shop's lists of reasons and actions (workflow settings, Returns tab).

ReturnRequest and ReturnLine come with the returns issue. A reason or action that a return line
uses is never deleted, only deactivated (see ``services.delete_return_option``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReturnOption(models.Model):
    """One entry of a shop's list the customer chooses from on the return form."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="+")
    label_nl = models.CharField(_("label (Dutch)"), max_length=80)
    label_en = models.CharField(_("label (English)"), max_length=80)
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Only active entries show on the return form.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.label_en or self.label_nl

    def label_for(self, language: str) -> str:
        return (self.label_nl if language[:2] == "nl" else self.label_en) or str(self)


class ReturnReason(ReturnOption):
    """Why the customer sends something back (damaged, does not fit, wrong item …)."""

    class Meta(ReturnOption.Meta):
        verbose_name = _("return reason")
        verbose_name_plural = _("return reasons")
        indexes = [models.Index(fields=["shop", "position"], name="returnreason_shop_position")]


class ReturnAction(ReturnOption):
    """What the customer asks for (exchange, refund, repair …)."""

    class Meta(ReturnOption.Meta):
        verbose_name = _("return action")
        verbose_name_plural = _("return actions")
        indexes = [models.Index(fields=["shop", "position"], name="returnaction_shop_position")]
