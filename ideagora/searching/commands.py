"""The ``flask search`` commands: apply the outbox, rebuild the index, show its state."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ideagora.searching import services, sync
from search.generations import IndexBusy

search_cli = AppGroup("search", help="The search index.")

SYNC_TIMEOUT = 30.0


@search_cli.command("sync")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=SYNC_TIMEOUT,
    show_default=True,
    help="Seconds to wait for another process that is updating the index.",
)
def sync_index(timeout: float) -> None:
    """Apply every committed change the index has not applied yet."""
    applied = sync.drain(current_app._get_current_object(), timeout=timeout)
    status = services.index_status()
    click.echo(f"Applied {applied:,} changed listings; {status.pending:,} changes still pending.")
    if status.pending:
        click.echo("Another process is updating the index; run this again shortly.", err=True)


@search_cli.command("reindex")
def reindex() -> None:
    """Rebuild the index from the database into a fresh copy, and swap it in."""
    app = current_app._get_current_object()
    total = services.count_documents_to_index(app)
    try:
        with click.progressbar(length=total, label="Indexing listings") as bar:
            count, caught_up = services.rebuild_index(app, on_document=lambda: bar.update(1))
    except IndexBusy as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Indexed {count:,} public listings; applied {caught_up:,} changes made meanwhile.")


@search_cli.command("status")
def status() -> None:
    """Show the documents in the index, its outbox watermark, and the changes pending."""
    state = services.index_status()
    click.echo(f"Documents: {state.documents:,}")
    click.echo(f"Outbox watermark: {state.watermark:,} ({state.applied_above:,} applied above it)")
    click.echo(f"Pending changes: {state.pending:,}")
