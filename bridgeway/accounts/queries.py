"""Reads about accounts that other apps may use (the layering contracts let them reach accounts
only through `services` and `queries`)."""

from bridgeway.accounts.mfa import user_has_mfa as user_has_mfa
from bridgeway.accounts.mfa import user_requires_mfa as user_requires_mfa
