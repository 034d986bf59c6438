"""The ``flask assets`` commands: import a portfolio of IP offers from a file."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import click
from flask import current_app
from flask.cli import AppGroup

from ideagora.accounts.services import find_user_by_email
from ideagora.assets import importing
from ideagora.assets.import_files import CSV, FORMATS, JSONL
from ideagora.database import db
from ideagora.errors import DomainError

assets_cli = AppGroup("assets", help="IP offers.")

FORMAT_BY_SUFFIX = {".csv": CSV, ".jsonl": JSONL, ".ndjson": JSONL}


@assets_cli.command("import")
@click.argument("file", type=click.File("rb"))
@click.option(
    "--as",
    "email",
    required=True,
    help="E-mail of the importer; the offers belong to their organisation.",
)
@click.option(
    "--format",
    "file_format",
    type=click.Choice(FORMATS),
    help="Read the file as this format (default: from its name, else its first character).",
)
@click.option("--publish", is_flag=True, help="Publish every offer at once (admins, officers).")
def import_offers(file: BinaryIO, email: str, file_format: str | None, publish: bool) -> None:
    """Import IP offers from a CSV or JSON Lines FILE; exit 1 if any row was refused."""
    user = find_user_by_email(db.session, email)
    if user is None:
        raise click.ClickException(f"There is no account with the e-mail address {email}.")
    name = getattr(file, "name", "")
    job = _start(user, file.read(), file_format or FORMAT_BY_SUFFIX.get(Path(name).suffix), publish)
    with click.progressbar(length=job.total, label="Importing offers") as bar:
        for done in job.run():
            db.session.commit()
            bar.update(done - bar.pos)
    _report(job)


def _start(user, content: bytes, file_format: str | None, publish: bool) -> importing.AssetImport:
    try:
        return importing.start_import(
            db.session,
            user,
            content,
            max_rows=current_app.config["IMPORT_MAX_ROWS"],
            file_format=file_format,
            publish=publish,
        )
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error


def _report(job: importing.AssetImport) -> None:
    result = job.result
    kind = "published offers" if job.publish else "drafts"
    click.echo(
        f"{len(result.created):,} of {job.total:,} rows imported as {kind} of "
        f"{job.user.organization.name}; {len(result.errors):,} refused."
    )
    for error in result.errors:
        click.echo(f"row {error.row}: {error.message}", err=True)
    if result.errors:
        raise SystemExit(1)
