"""Orders and CRM rows imported from files, their column mappings and import runs."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from socialops.accounts.models import SocialAccount
from socialops.core.models import CreatedAtModel, CreatedByModel, TimestampedModel
from socialops.workspaces.models import Workspace

from .people import Person


class OrderMapping(CreatedByModel, TimestampedModel):
    """A saved column mapping for order files: which column is which field, and the options."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="order_mappings")
    name = models.CharField(_("name"), max_length=60)
    # field name → column header, e.g. {"order_id": "InvoiceNo", "customer_id": "CustomerID"}
    columns = models.JSONField(default=dict)
    # anonymous rows ("reject" or "count"), currency, time zone, date format, cancellation rule
    options = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="uniq_order_mapping_name")]
        verbose_name = _("order column mapping")

    def __str__(self) -> str:
        return self.name


class OrderImport(CreatedByModel, CreatedAtModel):
    """One run of an order file import: the file, what it changed, who ran it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="order_imports")
    file_name = models.CharField(_("file"), max_length=200)
    file_sha256 = models.CharField(max_length=64)
    mapping_name = models.CharField(_("mapping"), max_length=60, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    rows_anonymous = models.PositiveIntegerField(default=0)
    people_created = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("order import")

    def __str__(self) -> str:
        return self.file_name


class OrderLine(models.Model):
    """One line of an order (or of a cancellation, with a negative amount), net of nothing.

    Lines are keyed by the order id and a hash of the line's mapped cells, so importing the
    same file twice changes nothing. Anonymous sales (no customer id) have no person.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    order_id = models.CharField(_("order id"), max_length=100)
    line_key = models.CharField(max_length=64)
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="order_lines"
    )
    customer_id = models.CharField(_("customer id"), max_length=100, blank=True)
    ordered_at = models.DateTimeField(_("time"))
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3, default=1)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=4, null=True, blank=True)
    # quantity × unit price, or the file's line amount; negative for cancellations and returns.
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    product = models.CharField(_("product"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=100, blank=True)
    is_cancellation = models.BooleanField(_("cancellation"), default=False)
    # The account a sale is credited to (through a coupon), for the conversion metrics.
    account = models.ForeignKey(
        SocialAccount, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    coupon_code = models.CharField(_("coupon code"), max_length=40, blank=True)
    source_import = models.ForeignKey(
        OrderImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-ordered_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "order_id", "line_key"], name="uniq_order_line"),
        ]
        indexes = [
            models.Index(fields=["workspace", "person", "ordered_at"], name="order_ws_person"),
            models.Index(fields=["workspace", "ordered_at"], name="order_ws_time"),
        ]
        verbose_name = _("order line")

    def __str__(self) -> str:
        return f"{self.order_id} {self.amount}"
