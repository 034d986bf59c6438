"""E-mail leaves only after the transaction commits, through a log file or a real SMTP server."""

from __future__ import annotations

import re

import pytest

from ideagora import mail
from ideagora.database import db
from tests.services.smtp import start_smtp_server


@pytest.fixture
def smtp_server():
    server = start_smtp_server()
    yield server
    server.stop()


def test_mail_is_sent_only_after_commit(app, outbox) -> None:
    with app.app_context():
        mail.queue(db.session, mail.Message("a@example.org", "Kept", "body"))
        assert outbox == []
        db.session.commit()
    assert [message["Subject"] for message in outbox] == ["Kept"]


def test_mail_of_a_rolled_back_transaction_is_never_sent(app, outbox) -> None:
    with app.app_context():
        mail.queue(db.session, mail.Message("a@example.org", "Dropped", "body"))
        db.session.rollback()
        db.session.commit()
    assert outbox == []


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_password_reset_travels_through_a_real_smtp_server(app_config, smtp_server, driver) -> None:
    app_config.update(
        MAIL_BACKEND="smtp",
        MAIL_SERVER=smtp_server.host,
        MAIL_PORT=smtp_server.port,
        MAIL_DEFAULT_SENDER="Ideagora <hi@example.org>",
    )
    from ideagora import create_app

    app = create_app(app_config)
    with app.app_context():
        db.create_all()
    driver.app = app
    person = driver.person()
    client = app.test_client()
    driver.submit(client, "/password/forgot", {"email": person.email})
    assert smtp_server.mailbox.envelopes == [("hi@example.org", [person.email])]
    received = smtp_server.mailbox.messages[0]
    assert received["Subject"] == "Reset your Ideagora password"
    link = re.search(r"http://localhost(/password/reset/\S+)", received.get_content()).group(1)
    new_password = "amber-compass-orchard-77"
    response = driver.submit(
        client, link, {"password": new_password, "confirm_password": new_password}
    )
    assert response.status_code == 302


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_unreachable_smtp_server_does_not_undo_the_change(app_config, driver, caplog) -> None:
    app_config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_TIMEOUT=2)
    from ideagora import create_app

    app = create_app(app_config)
    with app.app_context():
        db.create_all()
    driver.app = app
    person = driver.person()
    response = driver.submit(app.test_client(), "/password/forgot", {"email": person.email})
    assert response.status_code == 302
    assert "could not send mail" in caplog.text


def test_log_backend_appends_to_the_mail_file(app_config, tmp_path, backend) -> None:
    app_config.update(MAIL_BACKEND="log", MAIL_FILE=str(tmp_path / "outgoing.log"))
    from ideagora import create_app

    app = create_app(app_config)
    with app.app_context():
        mail.send_now(mail.Message("b@example.org", "Hello there", "A body line."))
    written = (tmp_path / "outgoing.log").read_text()
    assert "To: b@example.org" in written
    assert "A body line." in written


def test_unknown_mail_backend_is_refused(app_config) -> None:
    app_config["MAIL_BACKEND"] = "pigeon"
    from ideagora import create_app

    with pytest.raises(ValueError, match="MAIL_BACKEND must be"):
        create_app(app_config)


def test_mail_queued_in_a_savepoint_waits_for_the_outer_commit(app, outbox) -> None:
    with app.app_context():
        with db.session.begin_nested():
            mail.queue(db.session, mail.Message("a@example.org", "Kept", "body"))
        assert outbox == []
        db.session.commit()
    assert [message["Subject"] for message in outbox] == ["Kept"]


def test_mail_queued_in_a_savepoint_is_dropped_with_the_outer_transaction(app, outbox) -> None:
    with app.app_context():
        with db.session.begin_nested():
            mail.queue(db.session, mail.Message("a@example.org", "Dropped", "body"))
        db.session.rollback()
        db.session.commit()
    assert outbox == []
