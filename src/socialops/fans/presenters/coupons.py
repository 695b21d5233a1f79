"""Coupons and playbooks in words and charts: the campaign funnel and what a run did, as sentences."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socialops.core.messages import MessageTable

from ..selectors.coupons import Funnel

FUNNEL_COLORS = ["#0d6efd", "#198754", "#fd7e14"]


def funnel_chart_option(funnel: Funnel) -> dict[str, Any]:
    """An ECharts funnel: coupons issued → redeemed, with the revenue of the redeemed orders named."""
    issued, redeemed = funnel.issued, funnel.redeemed
    rate = f"{redeemed / issued * 100:.1f}%" if issued else "—"
    return {
        "tooltip": {"trigger": "item"},
        "color": FUNNEL_COLORS,
        "title": {
            "text": _("Revenue of redeemed orders: ¥%(revenue)s") % {"revenue": f"{funnel.revenue:,.2f}"},
            "subtext": _("Redemption rate: %(rate)s") % {"rate": rate},
            "left": 0,
            "top": 0,
            "textStyle": {"fontSize": 14},
        },
        "series": [
            {
                "type": "funnel",
                "top": 60,
                "bottom": 10,
                "left": "10%",
                "width": "80%",
                "min": 0,
                "max": max(issued, 1),
                "sort": "descending",
                "label": {"show": True, "position": "inside", "formatter": "{b}: {c}"},
                "data": [
                    {"name": _("Issued"), "value": issued},
                    {"name": _("Redeemed"), "value": redeemed},
                ],
            }
        ],
    }


# Why an action of a playbook run was skipped, failed or left to a person.
ACTION_REASONS = MessageTable(
    {
        "cap": gettext_lazy("Frequency cap reached for this person."),
        "quiet_hours": gettext_lazy("Quiet hours: messages are not sent now."),
        "has_coupon": gettext_lazy("Already has this campaign's coupon."),
        "refused": gettext_lazy("Refused: %(message)s"),
        "campaign_gone": gettext_lazy("The campaign no longer exists."),
        "not_member": gettext_lazy("The assignee is no longer a member."),
        "no_fans": gettext_lazy("No platform identity to reach this person on."),
        "item_not_approved": gettext_lazy("The content item is no longer approved."),
        "mass_send_quota": gettext_lazy(
            "WeChat mass sends are quota-limited: left as a task to send by hand."
        ),
        "no_tagging": gettext_lazy("The account cannot be tagged automatically: tag recorded, task left."),
        "platform": gettext_lazy("The platform refused: %(message)s"),
    }
)


def action_sentence(action_type: str, status: str, detail: dict[str, Any]) -> str:
    """What one action did for one person, in a sentence."""
    reason = detail.get("reason")
    if reason:
        return ACTION_REASONS.render(str(reason), {"message": detail.get("message", "")})
    if action_type == "coupon" and detail.get("code"):
        return _("Coupon %(code)s") % {"code": detail["code"]}
    if action_type == "coupon" and detail.get("campaign"):
        return _("Coupon of campaign #%(id)s") % {"id": detail["campaign"]}
    if action_type == "tag":
        return _("Tag “%(tag)s”") % {"tag": detail.get("tag", "")}
    if action_type == "assign":
        return _("Follow-up for member #%(id)s") % {"id": detail.get("user", "")}
    if action_type == "message":
        return _("Message: content item #%(id)s") % {"id": detail.get("item", "")}
    return ""


ACTION_LABELS = {
    "coupon": gettext_lazy("Coupon"),
    "tag": gettext_lazy("Tag"),
    "message": gettext_lazy("Message"),
    "assign": gettext_lazy("Assign"),
}


def action_label(action_type: str) -> str:
    """The action type as a word."""
    return str(ACTION_LABELS.get(action_type, action_type))
