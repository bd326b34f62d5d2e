from django.core.exceptions import ValidationError
from django.forms import Form


def add_validation_error(form: Form, exc: ValidationError) -> None:
    """Shows a service's ValidationError on the form, against the field it names if it has one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
