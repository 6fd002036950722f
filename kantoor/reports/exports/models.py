"""The exports a user started (ExportJob) and the columns each user chose per kind of export
(ExportColumnChoice). Re-exported from kantoor/reports/models.py, so they belong to the
``reports`` app and its migrations."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportStorage(FileSystemStorage):
    """Where the files of background exports are kept: EXPORTS_ROOT, outside MEDIA_ROOT
    (nothing serves them as they are; the download view checks who asks before it streams
    one). Read from the settings at each use, so a changed setting (a test) is followed."""

    @property
    def base_location(self) -> str:
        return str(settings.EXPORTS_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)


_storage = ExportStorage()


def export_storage() -> ExportStorage:
    return _storage


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV (spreadsheet text file)")
    XLSX = "xlsx", _("Excel workbook (XLSX)")


class ExportState(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being made")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ExportJob(models.Model):
    """One export made in the background (too large to download at once): what was asked,
    how far it got, and the file once it is ready. The row is the record of the work to do: a
    job that is still queued after a lost dispatch is started again by the sweep."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # A key of kantoor.reports.exports.columns.EXPORT_KINDS (no database choices: a new kind
    # needs no migration).
    kind = models.CharField(_("what"), max_length=30)
    format = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    options = models.JSONField(_("options"), default=dict, blank=True)  # separator, decimal …
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    columns = models.JSONField(_("columns"), default=list)
    state = models.CharField(
        _("state"), max_length=10, choices=ExportState.choices, default=ExportState.QUEUED
    )
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    rows_total = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    file = models.FileField(_("file"), storage=export_storage, max_length=200, blank=True)
    file_size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    error = models.TextField(_("what went wrong"), blank=True)
    created_at = models.DateTimeField(_("started at"), default=timezone.now)
    updated_at = models.DateTimeField(_("last progress"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("download until"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [
            models.Index(fields=["shop", "-created_at"], name="exportjob_shop_created"),
            models.Index(fields=["state", "expires_at"], name="exportjob_state_expires"),
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.kind} {self.state}"

    @property
    def percent(self) -> int:
        if self.state == ExportState.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)

    def is_expired(self, now=None) -> bool:
        now = now or timezone.now()
        return self.expires_at is not None and self.expires_at <= now

    @property
    def in_progress(self) -> bool:
        return self.state in (ExportState.QUEUED, ExportState.RUNNING)


class ExportColumnChoice(models.Model):
    """The columns (and format) a user last chose for one kind of export at one shop: the
    Export page starts from them next time."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("what"), max_length=30)
    columns = models.JSONField(_("columns"), default=list)
    format = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    options = models.JSONField(_("options"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("last change"), default=timezone.now)

    class Meta:
        verbose_name = _("chosen export columns")
        verbose_name_plural = _("chosen export columns")
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "user", "kind"], name="exportcolumnchoice_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.user_id} {self.kind}"
