"""The home page, the signed-in dashboard, and the browse pages."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from ideagora.database import db

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    return render_template("main/index.html")


@bp.get("/dashboard")
@login_required
def dashboard():
    return render_template("main/dashboard.html", organization=current_user.organization)


@bp.get("/healthz")
def health():
    db.session.execute(sa.select(1))
    return {"status": "ok"}
