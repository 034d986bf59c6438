"""Command-line tools: thin click wrappers over the services."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from ideagora import demo
from ideagora.accounts import services as accounts
from ideagora.alerts.commands import alerts_cli
from ideagora.assets.commands import assets_cli
from ideagora.audit import services as audit
from ideagora.database import db
from ideagora.errors import DomainError
from ideagora.searching.commands import search_cli

demo_cli = AppGroup("demo", help="Demonstration data.")
audit_cli = AppGroup("audit", help="The hash-chained audit log.")
user_cli = AppGroup("user", help="User accounts.")


@demo_cli.command("load")
def load_demo() -> None:
    """Create the demo organisations, people, listings and proposals (adding nothing twice)."""
    added = demo.load(db.session)
    db.session.commit()
    click.echo(
        f"Demo data: {added['organizations']} organisations and {added['users']} people "
        f"added, with {added['challenges']} challenges, {added['offers']} IP offers, "
        f"{added['proposals']} proposals, {added['nda_requests']} NDA requests and "
        f"{added['deals']} licence deals. Every demo account's password is "
        f"{demo.DEMO_PASSWORD!r}."
    )


@audit_cli.command("verify")
def verify_audit() -> None:
    """Check every link of the audit chain; exit 1 at the first broken one."""
    report = audit.verify(db.session)
    if report.intact:
        click.echo(f"Audit chain intact: {report.checked} events checked.")
        return
    click.echo(
        f"Audit chain BROKEN at event {report.broken_id}: {report.reason} "
        f"({report.checked} events before it are intact).",
        err=True,
    )
    raise SystemExit(1)


@user_cli.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--organization", "organization_name", prompt="Organisation name")
@click.option(
    "--kind",
    type=click.Choice(["company", "university", "institute", "individual"]),
    default="company",
    show_default=True,
)
@click.password_option()
def create_admin(email: str, name: str, organization_name: str, kind: str, password: str) -> None:
    """Create a site administrator with their own organisation."""
    registration = accounts.Registration(name, email, password, organization_name, kind)
    try:
        user = accounts.create_site_admin(db.session, registration)
    except DomainError as error:
        db.session.rollback()
        details = "; ".join(f"{field}: {message}" for field, message in error.fields.items())
        raise click.ClickException(f"{error.message} {details}".strip()) from error
    db.session.commit()
    click.echo(f"Site administrator {user.email} created.")


def register_commands(app: Flask) -> None:
    """Add the command groups to ``flask``."""
    for group in (demo_cli, audit_cli, user_cli, assets_cli, search_cli, alerts_cli):
        app.cli.add_command(group)
