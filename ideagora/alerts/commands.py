"""``flask alerts``: e-mail the digest of new notifications, and make any alerts left pending."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup

from ideagora.alerts import digest, processing
from ideagora.database import db, utcnow

alerts_cli = AppGroup("alerts", help="Match and saved-search alerts.")


@alerts_cli.command("send-digest")
def send_digest() -> None:
    """E-mail each user one digest of their notifications not yet e-mailed (safe to repeat)."""
    sent = 0
    for user_id in digest.users_to_digest(db.session):
        # one user per transaction: a digest is marked e-mailed only with its own e-mail
        if digest.send_digest(db.session, user_id):
            sent += 1
        db.session.commit()
    click.echo(f"Digests sent: {sent}.")


@alerts_cli.command("process")
@click.option(
    "--older-than",
    "older_than",
    type=click.IntRange(min=0),
    default=60,
    show_default=True,
    help="Only publications pending for at least this many seconds (newer ones are left to "
    "the drain that follows their commit).",
)
def process(older_than: int) -> None:
    """Make the alerts of publications still pending, e.g. after `flask search reindex`."""
    before = utcnow() - timedelta(seconds=older_than)
    made = processing.process_pending(db.session, before=before)
    db.session.commit()
    click.echo(f"Alerts made: {made}.")
