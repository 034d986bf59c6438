"""View steps every listing page shares: saving a form through a service, changing status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template
from flask_wtf import FlaskForm

from ideagora.accounts.forms import ConfirmForm
from ideagora.database import db
from ideagora.errors import DomainError
from ideagora.forms import domain_error_text, show_domain_error


def save_form(
    form: FlaskForm,
    save: Callable[[dict[str, Any]], Any],
    *,
    success: str,
    url_of: Callable[[Any], str],
    template: str,
    **context: Any,
) -> Any:
    """Save a submitted form through one service and go to the result, or show the form again.

    The form comes back with the service's messages at their fields and status 422, and nothing
    of a refused save is kept.
    """
    if form.validate_on_submit():
        try:
            saved = save(form.to_data())
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(success, "success")
            return redirect(url_of(saved))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(template, form=form, **context), status


def change_status(listing: Any, change: Callable[[], Any], *, noun: str, back_to: str) -> Any:
    """Run one lifecycle step of a listing, say how it went, and go back to its page."""
    try:
        change()
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            abort(404)
        flash(domain_error_text(error), "danger")
    else:
        db.session.commit()
        flash(f"The {noun} is {listing.status.label.lower()}.", "success")
    return redirect(back_to)


def require_confirmation() -> None:
    """Refuse a state change posted without the page's CSRF token."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
