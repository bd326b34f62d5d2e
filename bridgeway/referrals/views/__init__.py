"""Referral screens, one module per sub-domain: the referral itself, its thread, off-platform
packages and statistics. `bridgeway.referrals.urls` reaches every view through this package."""

from bridgeway.referrals.views.package import package_view, referral_new_offplatform
from bridgeway.referrals.views.referral import (
    accept,
    complete,
    decline,
    document,
    referral_detail,
    referral_list,
    referral_new,
    referral_settings,
    revoke,
    transfer,
)
from bridgeway.referrals.views.statistics import referral_statistics_view
from bridgeway.referrals.views.thread import attachment, message_post

__all__ = [
    "accept",
    "attachment",
    "complete",
    "decline",
    "document",
    "message_post",
    "package_view",
    "referral_detail",
    "referral_list",
    "referral_new",
    "referral_new_offplatform",
    "referral_settings",
    "referral_statistics_view",
    "revoke",
    "transfer",
]
