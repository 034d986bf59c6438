"""Share the small helpers every form in the application uses."""

from __future__ import annotations

from collections.abc import Mapping

from flask_wtf import FlaskForm

from ideagora.errors import DomainError


def show_domain_error(
    form: FlaskForm, error: DomainError, field_names: Mapping[str, str] | None = None
) -> None:
    """Attach a service's field messages to the form's fields, the rest to the whole form."""
    field_names = field_names or {}
    placed = False
    for service_name, message in error.fields.items():
        field = getattr(form, field_names.get(service_name, service_name), None)
        # a hidden field cannot show its message: the form as a whole says it
        if field is not None and hasattr(field, "errors") and field.type != "HiddenField":
            field.errors = [*list(field.errors), message]
            placed = True
    if not placed or not error.fields:
        form.form_errors.append(error.message)


def domain_error_text(error: DomainError) -> str:
    """Return one sentence with the error and every field message, for a flashed message."""
    details = [message for message in error.fields.values() if message != error.message]
    return " ".join([error.message, *details])
