from django.core.exceptions import ValidationError
from django.forms import Form


def add_validation_error(form: Form, exc: ValidationError, renamed: dict | None = None) -> None:
    """Shows a service's ValidationError on the form, against the field it names if it has one
    (`renamed` maps a service's name for a field to the form's, where they differ)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            field = (renamed or {}).get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
