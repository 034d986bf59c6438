"""The home page, the signed-in dashboard, and the browse pages."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from ideagora.challenges.services import advance_past_deadlines
from ideagora.database import db
from ideagora.disclosure.services import awaiting_decision as awaiting_access_decision
from ideagora.main.queries import dashboard_for, shop_window

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    return render_template("main/index.html", window=shop_window(db.session))


@bp.get("/dashboard")
@login_required
def dashboard():
    advance_past_deadlines(db.session)
    db.session.commit()
    return render_template(
        "main/dashboard.html",
        organization=current_user.organization,
        board=dashboard_for(db.session, current_user),
        access_requests=awaiting_access_decision(db.session, current_user),
    )


@bp.get("/healthz")
def health():
    db.session.execute(sa.select(1))
    return {"status": "ok"}
