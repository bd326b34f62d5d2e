import logging
import re

from django.views.debug import SafeExceptionReporterFilter

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


class NoPersonalDataReporterFilter(SafeExceptionReporterFilter):
    """Error reports (the DEBUG page, e-mails to admins) show where an error happened but no
    variable values and no submitted data: a decrypted name must never reach an error page."""

    def get_traceback_frame_variables(self, request, tb_frame):
        return [(name, "[hidden]") for name in tb_frame.f_locals]

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return dict.fromkeys(request.POST, "[hidden]")

    def get_safe_request_meta(self, request):
        return {k: "[hidden]" for k in getattr(request, "META", {})}
