import logging
import re

# Shapes that are personal in this field: e-mail addresses, phone numbers, long digit runs
# (identity numbers), IBAN-like strings.
_PATTERNS = [
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),
    re.compile(r"\+?\d[\d\s().-]{6,}\d"),
    re.compile(r"\b[A-Z]{2}\d{2}[A-Z0-9]{10,30}\b"),
]


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub("[redacted]", text)
    return text


class RedactPersonalData(logging.Filter):
    """Rewrites log records so values that look personal never reach a log file."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not break logging
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info:
            # Tracebacks may quote values; keep the type and location, drop the message.
            exc_type = record.exc_info[0]
            record.exc_text = f"{exc_type.__name__ if exc_type else 'Exception'} (details withheld)"
            record.exc_info = None
        return True
