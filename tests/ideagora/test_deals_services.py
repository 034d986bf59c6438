"""Licence deals through the services: the negotiation, redlines, refusals, races and notices."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from ideagora.alerts.models import Notification
from ideagora.assets import services as assets
from ideagora.assets.models import Asset
from ideagora.audit.models import AuditEvent
from ideagora.challenges import services as challenges
from ideagora.database import db, utcnow
from ideagora.deals import services
from ideagora.deals.models import (
    Agreement,
    Deal,
    DealAcceptance,
    DealComment,
    DealRevision,
    DealStatus,
    PartyRole,
)
from ideagora.errors import Conflict, Forbidden, NotFound, ValidationFailed, record_security_event
from tests.ideagora.deal_world import (
    DOSSIER_SECRET,
    DealWorld,
    accept,
    build_deal_world,
    open_deal,
    proposal,
    propose,
    set_deal,
    terms_data,
    user,
)
from tests.ideagora.proposal_world import challenge_data

MESSAGE = "CANARY-revision-message-61d0: we can move on the royalty if you drop the minimum."


@pytest.fixture
def world(driver) -> DealWorld:
    return build_deal_world(driver)


@pytest.fixture
def deal_id(driver, world) -> int:
    return open_deal(driver, world)


def _deal(deal_id: int) -> Deal:
    return db.session.get(Deal, deal_id)


def _counts() -> dict[str, int]:
    """Return how many rows each table of a negotiation holds."""
    models = (Deal, DealRevision, DealAcceptance, DealComment, Agreement, Notification, AuditEvent)
    return {
        model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in models
    }


def _evidence() -> dict[str, Any]:
    return {"ip_address": "203.0.113.9", "user_agent": "Mozilla/5.0 test", "channel": "page"}


def _propose(deal_id: int, person: Any, data: dict[str, Any]) -> DealRevision:
    return services.propose(db.session, user(person), _deal(deal_id), data, **_evidence())


def _accept(deal_id: int, person: Any, number: int) -> Deal:
    return services.accept(db.session, user(person), _deal(deal_id), number, **_evidence())


def _refused(app, action: Callable[[], Any], error: type[Exception]) -> Exception:
    """Run a refused action, commit whatever it may have left in the session, and check that
    nothing was written."""
    with app.app_context():
        before = _counts()
        with pytest.raises(error) as raised:
            action()
        db.session.commit()
        assert _counts() == before
        return raised.value


# the negotiation


def test_a_negotiation_goes_from_open_to_agreed_with_an_agreement(app, driver, world, deal_id):
    first = propose(driver, deal_id, world.licensor.officer, proposal("Our standard terms."))
    second = propose(
        driver,
        deal_id,
        world.licensee.officer,
        proposal(MESSAGE, royalty_rate_percent="2.5", upfront_fee="20000"),
    )
    accept(driver, deal_id, second, world.licensor.admin)
    with app.app_context():
        deal = _deal(deal_id)
        assert (first, second) == (1, 2)
        assert deal.status is DealStatus.AGREED
        assert deal.agreed_revision == 2
        assert deal.agreed_at is not None
        assert [(r.number, r.party) for r in deal.revisions] == [
            (1, PartyRole.LICENSOR),
            (2, PartyRole.LICENSEE),
        ]
        assert deal.revisions[1].message == MESSAGE
        assert deal.revisions[1].terms["royalty_rate_percent"] == "2.50"
        accepted = services.acceptances_of(db.session, deal)
        assert [(a.revision_number, a.party, a.ip_address) for a in accepted] == [
            (2, PartyRole.LICENSOR, "127.0.0.1")
        ]
        agreement = db.session.scalar(sa.select(Agreement).where(Agreement.deal_id == deal_id))
        assert agreement is not None
        assert agreement.revision_number == 2
        actions = db.session.scalars(sa.select(AuditEvent.action)).all()
        for action in ("deal.opened", "deal.revision_proposed", "deal.agreed"):
            assert action in actions


def test_the_redline_shows_each_changed_field_before_and_after(app, driver, world, deal_id):
    propose(driver, deal_id, world.licensor.officer)
    propose(
        driver,
        deal_id,
        world.licensee.officer,
        proposal(royalty_rate_percent="4", upfront_fee="30000", territory=["DE", "FR"]),
    )
    with app.app_context():
        deal = _deal(deal_id)
        first = services.diff(deal, 1)
        assert all(change.before == "—" for change in first)
        assert {change.field for change in first} >= {"licensed_patents", "royalty_rate_percent"}
        changes = {change.field: (change.before, change.after) for change in services.diff(deal, 2)}
        assert changes == {
            "territory": ("Worldwide", "DE, FR"),
            "upfront_fee": ("EUR 25,000.00", "EUR 30,000.00"),
            "royalty_rate_percent": ("3.5%", "4%"),
        }
        with pytest.raises(NotFound):
            services.diff(deal, 3)


def test_a_revision_can_start_from_a_preset_or_from_the_latest_terms(app, driver, world, deal_id):
    with app.app_context():
        deal = _deal(deal_id)
        started = services.starting_terms(deal, "express_startup")
        assert started["exclusivity"] == "exclusive"
        assert started["currency"] == "EUR"
        assert len(started["licensed_patents"]) == 2
        _propose(deal_id, world.licensor.officer, {"terms": started, "preset": "express_startup"})
        db.session.commit()
        deal = _deal(deal_id)
        assert deal.latest_revision.preset == "express_startup"
        # the latest terms, effective date included, go back unchanged as a counter-offer
        again = services.starting_terms(deal, None)
        revision = _propose(deal_id, world.licensee.officer, {"terms": again, "message": "Same."})
        assert revision.number == 2
        assert services.diff(_deal(deal_id), 2) == []
        with pytest.raises(NotFound):
            services.starting_terms(deal, "no-such-preset")


def test_the_parties_see_their_deals_and_no_one_else_does(app, driver, world, deal_id):
    with app.app_context():
        for person in (world.licensor.member, world.licensee.member):
            assert services.deal_for(db.session, user(person), deal_id).id == deal_id
            listed = db.session.scalars(services.deals_query(user(person))).all()
            assert [deal.id for deal in listed] == [deal_id]
        assert db.session.scalars(services.deals_query(user(world.outsider.admin))).all() == []
        assert db.session.scalars(services.deals_query(None)).all() == []
        assert services.may_negotiate(user(world.licensee.officer), _deal(deal_id))
        assert not services.may_negotiate(user(world.licensee.member), _deal(deal_id))
        assert not services.may_negotiate(user(world.outsider.admin), _deal(deal_id))


def test_an_outsider_reaching_a_deal_finds_nothing_and_is_recorded(app, world, deal_id):
    with app.app_context():
        outsider = user(world.outsider.admin)
        with pytest.raises(NotFound) as raised:
            services.deal_for(db.session, outsider, deal_id)
        with pytest.raises(NotFound) as missing:
            services.deal_for(db.session, outsider, deal_id + 1000)
        assert raised.value.message == missing.value.message
        assert missing.value.security_event is None
        with app.test_request_context(f"/deals/{deal_id}"):
            record_security_event(raised.value)
        actions = db.session.scalars(sa.select(AuditEvent.action)).all()
        assert actions.count("deal.foreign_access") == 1


def test_members_comment_and_bad_comments_are_refused(app, world, deal_id):
    with app.app_context():
        note = services.comment(
            db.session,
            user(world.licensee.member),
            _deal(deal_id),
            "  Can we add JP?  ",
            ip_address=None,
        )
        db.session.commit()
        assert [(c.body, c.party) for c in services.comments_of(db.session, _deal(deal_id))] == [
            ("Can we add JP?", PartyRole.LICENSEE)
        ]
        assert note.user_name
    for body, message in [("", "Write a comment"), ("x" * 4001, "at most 4,000")]:
        error = _refused(
            app,
            lambda body=body: services.comment(
                db.session, user(world.licensor.member), _deal(deal_id), body, ip_address=None
            ),
            ValidationFailed,
        )
        assert message in error.fields["body"]
    _refused(
        app,
        lambda: services.comment(
            db.session, user(world.outsider.admin), _deal(deal_id), "Hello", ip_address=None
        ),
        NotFound,
    )


# opening a deal


def test_a_second_open_deal_for_the_same_pair_is_refused_until_the_first_ends(
    app, driver, world, deal_id
):
    def again() -> Any:
        return services.open_deal(
            db.session,
            user(world.licensee.member),
            db.session.get(Asset, world.asset_id),
            challenge_id=None,
            ip_address=None,
        )

    error = _refused(app, again, Conflict)
    assert f"LD-{deal_id:06d}" in error.message
    # another organisation may open its own deal on the same offer
    assert open_deal(driver, world, world.outsider.member) != deal_id
    set_deal(driver, deal_id, status=DealStatus.CANCELLED)
    assert open_deal(driver, world, world.licensee.member) != deal_id


@pytest.mark.parametrize(
    ("case", "error", "message"),
    [
        ("own offer", Conflict, "owns this offer"),
        ("withdrawn offer", Conflict, "withdrawn"),
        ("outsider's challenge", ValidationFailed, "Choose a challenge"),
        ("no such challenge", ValidationFailed, "Choose a challenge"),
        ("challenge id text", ValidationFailed, "Choose a challenge"),
    ],
)
def test_opening_a_deal_is_refused(app, driver, world, case, error, message):
    person, challenge_id = world.licensee.officer, None
    if case == "own offer":
        person = world.licensor.member
    elif case == "withdrawn offer":
        with app.app_context():
            asset = db.session.get(Asset, world.asset_id)
            assets.change_status(
                db.session, user(world.licensor.admin), asset, "withdraw", ip_address=None
            )
            db.session.commit()
    elif case == "outsider's challenge":
        with app.app_context():
            theirs = challenges.create_challenge(
                db.session, user(world.outsider.admin), challenge_data(), ip_address=None
            )
            challenges.change_status(
                db.session, user(world.outsider.admin), theirs, "publish", ip_address=None
            )
            db.session.commit()
            challenge_id = theirs.id
    elif case == "no such challenge":
        challenge_id = world.challenge_id + 1000
    else:
        challenge_id = "the coating one"  # type: ignore[assignment]
    raised = _refused(
        app,
        lambda: services.open_deal(
            db.session,
            user(person),
            db.session.get(Asset, world.asset_id),
            challenge_id=challenge_id,
            ip_address=None,
        ),
        error,
    )
    text = raised.fields.get("challenge_id", raised.message)
    assert message in text


def test_a_deal_may_be_linked_to_a_challenge_of_a_party(app, driver, world):
    deal_id = open_deal(driver, world, challenge_id=world.challenge_id)
    with app.app_context():
        assert _deal(deal_id).challenge_id == world.challenge_id
        assert _deal(deal_id).licensor_organization_id == world.licensor.organization_id
        assert _deal(deal_id).licensee_organization_id == world.licensee.organization_id


# refusals


def _expire_latest(deal_id: int) -> None:
    db.session.execute(
        sa.update(DealRevision)
        .where(DealRevision.deal_id == deal_id)
        .values(open_until=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()


@pytest.mark.parametrize(
    ("case", "who", "number", "error", "message"),
    [
        ("licensor proposed 1", "licensor officer", 1, Conflict, "cannot accept your own"),
        ("licensor proposed 1 and 2", "licensee officer", 1, Conflict, "superseded by revision 2"),
        ("licensor proposed 1, expired", "licensee officer", 1, Conflict, "has expired"),
        ("licensor proposed 1, agreed", "licensee admin", 1, Conflict, "This deal is agreed"),
        ("licensor proposed 1, signed", "licensee admin", 1, Conflict, "This deal is signed"),
        ("licensor proposed 1", "licensee member", 1, Forbidden, "admins and licensing officers"),
        ("licensor proposed 1", "outsider admin", 1, NotFound, "no such deal"),
        ("licensor proposed 1", "licensee officer", 7, NotFound, "has no revision 7"),
    ],
)
def test_accepting_is_refused(app, driver, world, deal_id, case, who, number, error, message):
    in_a_week = (utcnow() + timedelta(days=7)).isoformat()
    propose(driver, deal_id, world.licensor.officer, {**proposal(), "open_until": in_a_week})
    if "and 2" in case:
        propose(driver, deal_id, world.licensor.admin, proposal(upfront_fee="26000"))
    if "expired" in case:
        with app.app_context():
            _expire_latest(deal_id)
    if "agreed" in case or "signed" in case:
        accept(driver, deal_id, 1, world.licensee.officer)
    if "signed" in case:
        set_deal(driver, deal_id, status=DealStatus.SIGNED, signed_at=utcnow())
    party, role = who.split()
    person = getattr(getattr(world, party), role)
    raised = _refused(app, lambda: _accept(deal_id, person, number), error)
    assert message.lower() in raised.message.lower()
    if error is NotFound and party == "outsider":
        assert raised.security_event == "deal.foreign_access"


@pytest.mark.parametrize(
    ("state", "who", "error", "message"),
    [
        ("agreed", "licensee officer", Conflict, "This deal is agreed"),
        ("signed", "licensor officer", Conflict, "This deal is signed"),
        ("cancelled", "licensor officer", Conflict, "This deal is cancelled"),
        ("negotiating", "licensor member", Forbidden, "members may comment"),
        ("negotiating", "licensee member", Forbidden, "members may comment"),
        ("negotiating", "outsider officer", NotFound, "no such deal"),
    ],
)
def test_proposing_is_refused(app, driver, world, deal_id, state, who, error, message):
    propose(driver, deal_id, world.licensor.officer)
    if state == "agreed":
        accept(driver, deal_id, 1, world.licensee.officer)
    elif state != "negotiating":
        set_deal(driver, deal_id, status=DealStatus(state))
    party, role = who.split()
    person = getattr(getattr(world, party), role)
    raised = _refused(app, lambda: _propose(deal_id, person, proposal()), error)
    assert message.lower() in raised.message.lower()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"royalty_rate_percent": "120"}, "royalty_rate_percent", "between 0 and 100"),
        ({"upfront_fee": "-5"}, "upfront_fee", "cannot be negative"),
        ({"annual_fee": "10.001"}, "annual_fee", "at most 2 decimal places"),
        ({"currency": "XYZ"}, "currency", "XYZ is not a currency"),
        ({"licensed_patents": ["EP 7654321"]}, "licensed_patents", "not one of this offer's"),
        ({"exclusivity": "sole"}, "exclusivity", "Choose exclusive"),
        ({"term_years": 0}, "term_years", "1 to 30 years"),
        ({"territory": "EU"}, "territory", "list the member states"),
        ({"diligence": ""}, "diligence", "An exclusive licence must say"),
        ({"governing_law": ""}, "governing_law", "Name the law"),
        ({"field_of_use": ""}, "field_of_use", "Say in which field"),
        ({"equity": "5%"}, "equity", "not a licence term"),
        (
            {"sublicensing": False},
            "sublicense_income_percent",
            "Sublicensing is not allowed",
        ),
        (
            {"milestones": [{"event": "Launch", "amount": "1000", "due": "2020-01-01"}]},
            "milestones",
            "must be after the effective date",
        ),
    ],
)
def test_invalid_terms_are_refused_field_by_field(app, world, deal_id, changes, field, message):
    raised = _refused(
        app,
        lambda: _propose(deal_id, world.licensor.officer, proposal(**changes)),
        ValidationFailed,
    )
    assert list(raised.fields) == [f"terms.{field}"]
    assert message in raised.fields[f"terms.{field}"]


def test_every_bad_field_is_reported_at_once(app, world, deal_id):
    data = {
        "terms": terms_data(royalty_rate_percent="-1", currency="XYZ", field_of_use=""),
        "message": 42,
        "open_until": "soon",
    }
    raised = _refused(
        app, lambda: _propose(deal_id, world.licensor.officer, data), ValidationFailed
    )
    assert set(raised.fields) == {
        "terms.royalty_rate_percent",
        "terms.currency",
        "terms.field_of_use",
        "message",
        "open_until",
    }


def _days(days: int) -> str:
    return (utcnow() + timedelta(days=days)).date().isoformat()


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"message": "x" * 4001}, "message", "at most 4,000 characters"),
        ({"message": ["a", "list"]}, "message", "as text"),
        ({"effective_date": "31/12/2026"}, "effective_date", "like 2027-01-31"),
        ({"effective_date": "2027-02-30"}, "effective_date", "not a day of the calendar"),
        ({"effective_date": _days(-400)}, "effective_date", "at most a year in the past"),
        ({"effective_date": _days(6 * 365)}, "effective_date", "at most five years ahead"),
        ({"open_until": _days(-1)}, "open_until", "in the future"),
        ({"open_until": "2020-01-01T10:00:00Z"}, "open_until", "in the future"),
        ({"open_until": "next Friday"}, "open_until", "as a date or a date and time"),
        ({"preset": "platinum"}, "preset", "Choose one of the presets"),
        ({"terms": "royalty 3%"}, "terms", "named fields"),
    ],
)
def test_bad_revision_fields_are_refused(app, world, deal_id, extra, field, message):
    data = {**proposal(), **extra}
    raised = _refused(
        app, lambda: _propose(deal_id, world.licensor.officer, data), ValidationFailed
    )
    assert field in raised.fields
    assert message in raised.fields[field]


def test_an_open_until_date_keeps_the_revision_open_to_the_end_of_that_day(app, world, deal_id):
    with app.app_context():
        revision = _propose(deal_id, world.licensor.officer, {**proposal(), "open_until": _days(0)})
        assert revision.open_until.date() == utcnow().date()
        assert revision.open_until > utcnow()


# exclusivity


def _signed_exclusive_deal(driver, world: DealWorld) -> int:
    """Make the outsider's exclusive licence of the offer, signed (its states set directly)."""
    other = open_deal(driver, world, world.outsider.officer)
    propose(driver, other, world.licensor.officer)
    accept(driver, other, 1, world.outsider.admin)
    set_deal(driver, other, status=DealStatus.SIGNED, signed_at=utcnow())
    return other


def test_an_exclusive_licence_cannot_overlap_a_signed_exclusive_one(app, driver, world, deal_id):
    other = _signed_exclusive_deal(driver, world)
    raised = _refused(
        app, lambda: _propose(deal_id, world.licensee.officer, proposal()), ValidationFailed
    )
    assert f"LD-{other:06d} is already an exclusive licence" in raised.fields["terms.exclusivity"]
    # nor may a non-exclusive one where the exclusive licensee was promised nobody else
    raised = _refused(
        app,
        lambda: _propose(
            deal_id,
            world.licensee.officer,
            proposal(exclusivity="non_exclusive", diligence="", minimum_annual_royalty="0"),
        ),
        ValidationFailed,
    )
    assert f"LD-{other:06d} is already an exclusive licence" in raised.fields["terms.exclusivity"]


def test_accepting_terms_a_signed_exclusive_licence_now_overlaps_is_refused(
    app, driver, world, deal_id
):
    propose(driver, deal_id, world.licensor.officer)
    other = _signed_exclusive_deal(driver, world)
    raised = _refused(app, lambda: _accept(deal_id, world.licensee.officer, 1), Conflict)
    assert f"LD-{other:06d}" in raised.message


# races


def _bump_version(deal_id: int) -> None:
    """Change the deal's row as another officer's request would, behind this session's back."""
    db.session.execute(
        sa.update(Deal)
        .where(Deal.id == deal_id)
        .values(version=Deal.version + 1)
        .execution_options(synchronize_session=False)
    )


def test_two_officers_accepting_at_once_get_a_conflict_not_two_outcomes(
    app, driver, world, deal_id
):
    propose(driver, deal_id, world.licensor.officer)
    with app.app_context():
        officer = user(world.licensee.officer)
        loaded = services.deal_for(db.session, officer, deal_id)
        assert loaded.revisions
        # the licensor's counter-offer (or the other officer's acceptance) lands in between
        _bump_version(deal_id)
        with pytest.raises(Conflict) as raised:
            services.accept(db.session, officer, loaded, 1, **_evidence())
        db.session.rollback()
        assert "at the same moment" in raised.value.message
        assert _deal(deal_id).status is DealStatus.NEGOTIATING
        assert services.acceptances_of(db.session, _deal(deal_id)) == []
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Agreement)) == 0


def test_two_officers_proposing_at_once_get_a_conflict(app, driver, world, deal_id):
    propose(driver, deal_id, world.licensor.officer)
    with app.app_context():
        officer = user(world.licensee.officer)
        loaded = services.deal_for(db.session, officer, deal_id)
        _bump_version(deal_id)
        with pytest.raises(Conflict) as raised:
            services.propose(db.session, officer, loaded, proposal(), **_evidence())
        db.session.rollback()
        assert "at the same moment" in raised.value.message
        assert [r.number for r in _deal(deal_id).revisions] == [1]


# notices


def _mail_to(outbox: list, person: Any) -> list[Any]:
    return [message for message in outbox if person.email in message["To"]]


def _inbox(person: Any) -> list[Notification]:
    return list(
        db.session.scalars(
            sa.select(Notification)
            .where(Notification.user_id == person.id)
            .order_by(Notification.id)
        )
    )


def test_each_step_tells_the_other_partys_managers_without_the_terms(app, driver, world, outbox):
    outbox.clear()  # the invitations of the world's people
    deal_id = open_deal(driver, world, world.licensee.member)
    managers = (world.licensor.admin, world.licensor.officer)
    assert {person.email for person in managers} == {m["To"] for m in outbox}
    assert all("opened licence deal" in m["Subject"] for m in outbox)
    outbox.clear()

    propose(driver, deal_id, world.licensor.officer, proposal(MESSAGE))
    to_licensee = (world.licensee.admin, world.licensee.officer)
    assert {person.email for person in to_licensee} == {m["To"] for m in outbox}
    assert all("proposed revision 1" in m["Subject"] for m in outbox)
    outbox.clear()

    accept(driver, deal_id, 1, world.licensee.admin)
    accepted = [m for m in outbox if "accepted revision 1" in m["Subject"]]
    ready = [m for m in outbox if "ready to sign" in m["Subject"]]
    assert {m["To"] for m in accepted} == {person.email for person in managers}
    assert {m["To"] for m in ready} == {p.email for p in (*managers, *to_licensee)}
    for member in (world.licensor.member, world.licensee.member, world.outsider.admin):
        assert _mail_to(outbox, member) == []

    with app.app_context():
        notices = _inbox(world.licensor.officer)
        assert [n.kind for n in notices] == ["deal"] * len(notices)
        assert {n.link for n in notices} == {f"/deals/{deal_id}"}
        assert _inbox(world.licensor.member) == []
        assert _inbox(world.outsider.officer) == []
        texts = [f"{n.title} {n.body}" for n in db.session.scalars(sa.select(Notification))]
    texts += [f"{m['Subject']} {m.get_content()}" for m in outbox]
    for text in texts:
        for secret in (MESSAGE, DOSSIER_SECRET, "25,000", "25000", "3.5", "Barrier coatings"):
            assert secret not in text
