"""Sealed text on outreach records: one data key per record, wrapped by the organisation's
key-encryption key. The mechanism is protection's (bridgeway.protection.sealing), shared with
survey submissions; the associated data still names the outreach app, table, column and row."""

from bridgeway.protection.sealing import open_text, seal_text

__all__ = ["open_text", "seal_text"]
