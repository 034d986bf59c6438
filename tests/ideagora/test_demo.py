"""The demo data: a lively exchange made through the services, loaded once however often it runs."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ideagora import demo
from ideagora.accounts import services as accounts
from ideagora.accounts.models import User
from ideagora.assets import services as assets
from ideagora.assets.models import Asset, AssetStatus
from ideagora.audit.models import AuditEvent
from ideagora.challenges import services as challenges
from ideagora.challenges.models import Challenge, ChallengeStatus
from ideagora.database import db
from ideagora.deals.models import Agreement, Deal, DealStatus
from ideagora.demo.content import entries, form_data
from ideagora.demo.disclosure import DEMO_REQUESTS
from ideagora.demo.listings import CHALLENGE_TEXT, OFFER_TEXT
from ideagora.disclosure import services as disclosure
from ideagora.disclosure.models import DisclosureGrant
from ideagora.organizations.models import Organization
from ideagora.proposals.models import Proposal, ProposalStatus
from ideagora.taxonomy import get_field, shared_fields

README_ACCOUNTS = [
    ("ada@northwind.example", "admin", "Northwind Polymers"),
    ("ben@northwind.example", "licensing officer", "Northwind Polymers"),
    ("dana@eastmoor.example", "admin", "University of Eastmoor"),
    ("farid@halden.example", "admin", "Halden Institute for Energy Research"),
]
MODELS = (Organization, User, Challenge, Asset, Proposal, DisclosureGrant, Deal, AuditEvent)


@pytest.fixture
def loaded(app):
    with app.app_context():
        added = demo.load(db.session)
        db.session.commit()
    return added


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def top_level(slugs) -> set[str]:
    return {get_field(slug).parent or slug for slug in slugs}


def test_loading_says_what_it_added(loaded) -> None:
    people = sum(len(organization.people) for organization in demo.DEMO_ORGANIZATIONS)
    assert loaded == {
        "organizations": len(demo.DEMO_ORGANIZATIONS),
        "users": people,
        "challenges": len(entries("challenges")),
        "offers": len(entries("offers")),
        "proposals": len(entries("proposals")),
        "nda_requests": len(DEMO_REQUESTS),
        "deals": 2,
    }


def test_the_exchange_has_seekers_and_licensors_of_every_kind(app, loaded) -> None:
    with app.app_context():
        organizations = db.session.scalars(sa.select(Organization)).all()
        kinds = {organization.kind.value for organization in organizations}
        seekers = db.session.scalars(sa.select(Challenge.organization_id).distinct()).all()
        licensors = db.session.scalars(sa.select(Asset.organization_id).distinct()).all()
    assert kinds == {"company", "university", "institute", "individual"}
    assert len(organizations) >= 8
    assert len(seekers) >= 4
    assert len(licensors) >= 6


def test_published_challenges_and_offers_span_many_fields(app, loaded) -> None:
    with app.app_context():
        open_challenges = db.session.scalars(
            sa.select(Challenge).where(Challenge.status == ChallengeStatus.OPEN)
        ).all()
        offers = db.session.scalars(
            sa.select(Asset).where(Asset.status == AssetStatus.PUBLISHED)
        ).all()
        challenge_fields = top_level(slug for c in open_challenges for slug in c.fields)
        offer_fields = top_level(slug for offer in offers for slug in offer.fields)
        currencies = {challenge.currency for challenge in open_challenges}
        anonymous = [challenge for challenge in open_challenges if challenge.anonymous]
        statuses = {offer.patent_status.value for offer in offers}
    assert len(open_challenges) >= 8
    assert len(challenge_fields) >= 6
    assert len(offers) >= 30
    assert len(offer_fields) >= 10
    assert len(currencies) >= 3
    assert 1 <= len(anonymous) <= 2
    assert statuses == {"granted", "pending", "provisional", "know_how"}


def test_the_lifecycle_shows_drafts_a_withdrawal_and_an_award(app, loaded) -> None:
    with app.app_context():
        challenge_statuses = db.session.scalars(sa.select(Challenge.status)).all()
        offer_statuses = db.session.scalars(sa.select(Asset.status)).all()
        awarded = db.session.scalar(
            sa.select(Challenge).where(Challenge.status == ChallengeStatus.AWARDED)
        )
        winner = db.session.scalar(
            sa.select(Proposal).where(Proposal.status == ProposalStatus.AWARDED)
        )
        assert winner.challenge_id == awarded.id
        assert winner.asset.organization_id == winner.organization_id
    assert ChallengeStatus.DRAFT in challenge_statuses
    assert offer_statuses.count(AssetStatus.DRAFT) >= 2
    assert offer_statuses.count(AssetStatus.WITHDRAWN) == 1


def test_challenges_get_proposals_from_other_organisations_and_decisions(app, loaded) -> None:
    with app.app_context():
        answered = db.session.execute(
            sa.select(
                Proposal.challenge_id, sa.func.count(sa.distinct(Proposal.organization_id))
            ).group_by(Proposal.challenge_id)
        ).all()
        proposals = db.session.scalars(sa.select(Proposal)).all()
        assert all(p.organization_id != p.challenge.organization_id for p in proposals)
        by_challenge: dict[int, set[ProposalStatus]] = {}
        for proposal in proposals:
            by_challenge.setdefault(proposal.challenge_id, set()).add(proposal.status)
        declined = [p for p in proposals if p.status is ProposalStatus.DECLINED]
    assert sum(1 for _, organizations in answered if organizations >= 2) >= 2
    assert any(
        {ProposalStatus.SHORTLISTED, ProposalStatus.DECLINED} <= statuses
        for statuses in by_challenge.values()
    )
    assert declined
    assert all(p.decline_reason_code and len(p.feedback) > 80 for p in declined)


def test_every_open_challenge_has_offers_from_others_in_its_fields(app, loaded) -> None:
    with app.app_context():
        offers = db.session.scalars(
            sa.select(Asset).where(Asset.status == AssetStatus.PUBLISHED)
        ).all()
        for challenge in db.session.scalars(
            sa.select(Challenge).where(Challenge.status == ChallengeStatus.OPEN)
        ):
            candidates = [
                offer
                for offer in offers
                if offer.organization_id != challenge.organization_id
                and any(how == "same" for _, how in shared_fields(challenge.fields, offer.fields))
            ]
            assert candidates, challenge.title


def test_loading_twice_adds_nothing(app, loaded) -> None:
    with app.app_context():
        before = [count(model) for model in MODELS]
        again = demo.load(db.session)
        db.session.commit()
        assert [count(model) for model in MODELS] == before
    assert set(again.values()) == {0}


def test_demo_organisations_hold_and_await_nda_grants(app, loaded) -> None:
    with app.app_context():
        statuses = sorted(
            grant.status.value for grant in db.session.scalars(sa.select(DisclosureGrant))
        )
        assert statuses == ["active", "active", "active", "pending"]
        tessel_officer = accounts.find_user_by_email(db.session, "sven@tessel.example")
        waiting = disclosure.awaiting_decision(db.session, tessel_officer)
        assert [grant.organization.name for grant in waiting] == [
            "Halden Institute for Energy Research"
        ]


def test_one_demo_deal_is_being_negotiated_and_one_is_signed(app, loaded) -> None:
    with app.app_context():
        deals = db.session.scalars(sa.select(Deal).order_by(Deal.id)).all()
        assert [(deal.status, len(deal.revisions)) for deal in deals] == [
            (DealStatus.NEGOTIATING, 2),
            (DealStatus.SIGNED, 1),
        ]
        signed = db.session.scalars(sa.select(Agreement)).one()
        assert len(signed.signatures) == 2
        assert signed.final_sha256 is not None


def test_the_cli_reports_what_it_added(runner) -> None:
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert (
        f"with {len(entries('challenges'))} challenges, {len(entries('offers'))} IP offers, "
        f"{len(entries('proposals'))} proposals, {len(DEMO_REQUESTS)} NDA requests and "
        "2 licence deals" in first.output
    )
    second = runner.invoke(args=["demo", "load"])
    assert "0 organisations and 0 people added, with 0 challenges, 0 IP offers" in second.output


@pytest.mark.parametrize(
    ("kind", "check", "text_fields"),
    [
        ("challenges", challenges.check_input, CHALLENGE_TEXT),
        ("offers", assets.check_input, OFFER_TEXT),
    ],
)
def test_every_demo_listing_passes_the_checks_of_typed_input(kind, check, text_fields) -> None:
    for entry in entries(kind):
        values = check(form_data(entry, text_fields), partial=False)
        assert values["title"] == entry["title"]
        assert len(values["description"].split()) >= 60, entry["title"]


def test_every_demo_listing_and_proposal_was_made_through_the_services(app, loaded) -> None:
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action)).all()
        assert actions.count("challenge.created") == count(Challenge)
        assert actions.count("asset.created") == count(Asset)
        assert actions.count("proposal.submitted") == count(Proposal)
        assert actions.count("challenge.awarded") == 1
        assert actions.count("challenge.edited") >= 1


@pytest.mark.parametrize(("email", "role", "organization"), README_ACCOUNTS)
def test_the_readme_accounts_log_in(app, loaded, driver, email, role, organization) -> None:
    client = app.test_client()
    response = driver.submit(client, "/login", {"email": email, "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302
    page = client.get("/dashboard").get_data(as_text=True)
    assert f"you are {role} of" in " ".join(page.split()).lower()
    assert organization in page


def test_a_visitor_browses_the_demo_exchange(app, loaded) -> None:
    client = app.test_client()
    challenges_page = client.get("/challenges").get_data(as_text=True)
    offers_page = client.get("/offers").get_data(as_text=True)
    titles = {entry["title"]: entry["status"] for entry in entries("challenges")}
    public = [title for title, status in titles.items() if status == "open"]
    drafts = [title for title, status in titles.items() if status == "draft"]
    assert any(title in challenges_page for title in public)
    assert not any(title in challenges_page for title in drafts)
    published = [e["title"] for e in entries("offers") if e["status"] == "published"]
    hidden = [e["title"] for e in entries("offers") if e["status"] != "published"]
    assert any(title in offers_page for title in published)
    assert not any(title in offers_page for title in hidden)


def test_an_organisation_registered_under_a_demo_name_is_left_alone(app, driver) -> None:
    owner = driver.person(organization="Northwind Polymers")
    with app.app_context():
        added = demo.load(db.session)
        db.session.commit()
        northwind = db.session.get(Organization, owner.organization_id)
        posted = db.session.scalars(
            sa.select(Challenge.title).where(Challenge.organization_id == northwind.id)
        ).all()
        people = [membership.user.email for membership in northwind.memberships]
        proposals = db.session.scalars(sa.select(Proposal.challenge_id)).all()
    assert added["organizations"] == len(demo.DEMO_ORGANIZATIONS) - 1
    assert posted == []
    assert people == [owner.email]
    # the other challenges still get their proposals
    assert 0 < added["proposals"] == len(proposals) < len(entries("proposals"))
