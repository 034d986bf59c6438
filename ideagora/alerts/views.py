"""Pages for alerts: a user's notifications and saved searches, and the unread badge."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_login import current_user, login_required

from ideagora.alerts import events, saved_searches, services
from ideagora.alerts.models import SavedSearch
from ideagora.database import db
from ideagora.errors import DomainError
from ideagora.forms import domain_error_text
from ideagora.listings.browsing import page_number

bp = Blueprint("alerts", __name__)

PER_PAGE = 30


@bp.record_once
def _follow_index(state: BlueprintSetupState) -> None:
    events.init_app(state.app)


@bp.app_template_global()
def unread_notifications() -> int:
    """Return how many unread notifications the current user has (0 when logged out)."""
    if not current_user.is_authenticated:
        return 0
    return services.unread_count(db.session, current_user)


@bp.app_template_global()
def saved_search_url(saved: SavedSearch) -> str:
    """Return the search page's URL for a saved search."""
    return saved_searches.search_url(saved.arguments)


@bp.app_template_global()
def saved_search_summary(saved: SavedSearch) -> str:
    """Return a saved search's words and filters in one line."""
    return saved_searches.describe(saved.arguments)


@bp.get("/notifications")
@login_required
def notifications():
    page = db.paginate(
        services.notifications_query(current_user),
        page=page_number(request.args),
        per_page=PER_PAGE,
        error_out=False,
    )
    unread = services.unread_count(db.session, current_user)
    return render_template("alerts/notifications.html", page=page, unread=unread)


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int):
    try:
        services.mark_read(db.session, current_user, notification_id)
    except DomainError:
        abort(404)
    db.session.commit()
    return redirect(url_for(".notifications"))


@bp.post("/notifications/read")
@login_required
def mark_all_read():
    services.mark_all_read(db.session, current_user)
    db.session.commit()
    flash("All your notifications are marked as read.", "success")
    return redirect(url_for(".notifications"))


@bp.get("/searches")
@login_required
def searches():
    return render_template(
        "alerts/searches.html",
        searches=saved_searches.searches_of(db.session, current_user),
        searches_max=saved_searches.SEARCHES_MAX,
    )


@bp.post("/searches")
@login_required
def save_search():
    arguments = saved_searches.arguments_from_form(request.form)
    try:
        saved = saved_searches.save_search(
            db.session, current_user, request.form.get("name"), arguments
        )
    except DomainError as error:
        db.session.rollback()
        flash(domain_error_text(error), "danger")
        return redirect(saved_searches.search_url(arguments))
    db.session.commit()
    flash(f"Search “{saved.name}” saved: new results will be notified to you.", "success")
    return redirect(url_for(".searches"))


@bp.post("/searches/<int:search_id>/delete")
@login_required
def delete_search(search_id: int):
    try:
        saved_searches.delete_search(db.session, current_user, search_id)
    except DomainError:
        abort(404)
    db.session.commit()
    flash("The saved search is deleted.", "success")
    return redirect(url_for(".searches"))
