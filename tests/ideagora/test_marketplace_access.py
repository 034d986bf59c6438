"""Who may read and change what on the exchange, crawled over every route of the app.

A marker is planted in every confidential field, every draft and every confidential file; then
every route of the URL map is requested, as a page and over the API, by people of every
relation to the listings: anonymous, unrelated, a rival proposer, organisations whose request
under the NDA is pending, was revoked or has expired, and one holding an active grant. A marker
must appear for the organisation that owns it and for an active grantee, and for nobody else;
and nobody may change what is not theirs.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pypdf
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing.converters import AnyConverter

from ideagora.accounts.models import User
from ideagora.assets import services as assets
from ideagora.assets.models import Asset
from ideagora.attachments import services as attachments
from ideagora.attachments.models import Attachment
from ideagora.challenges import services as challenges
from ideagora.challenges.models import Challenge
from ideagora.database import db, utcnow
from ideagora.deals import services as deals
from ideagora.deals.models import Deal
from ideagora.disclosure import acceptance, decisions
from ideagora.disclosure import services as disclosure
from ideagora.disclosure.models import DisclosureGrant
from ideagora.organizations.models import Role
from ideagora.proposals import services as proposals
from ideagora.proposals.models import Proposal
from tests.helpers import AppDriver, Person, csrf_token_from

# every secret the crawl looks for, and the organisations that may see it
BRIEF = "CANARY-brief-2c41"
DOSSIER = "CANARY-dossier-5d97"
DRAFT_CHALLENGE = "CANARY-draftchallenge-81e0"
DRAFT_ASSET = "CANARY-draftasset-a3f6"
CHALLENGE_FILE = "CANARY-challengefile-0b7e"
DRAFT_FILE = "CANARY-draftfile-6c12"
ASSET_FILE = "CANARY-assetfile-e94d"
PROPOSAL = "CANARY-proposal-17fa"
PROPOSAL_FILE = "CANARY-proposalfile-c2d8"
RIVAL_PROPOSAL = "CANARY-rivalproposal-4a60"
DEAL_TERMS = "CANARY-dealterms-7b31"
DEAL_MESSAGE = "CANARY-dealmessage-e5c9"
DEAL_COMMENT = "CANARY-dealcomment-90af"
SEEKER_SECRETS = (BRIEF, DRAFT_CHALLENGE, CHALLENGE_FILE, DRAFT_FILE)
LICENSOR_SECRETS = (DOSSIER, DRAFT_ASSET, ASSET_FILE)
PROPOSAL_SECRETS = (PROPOSAL, PROPOSAL_FILE)
# the licence deal between the licensor (the offer's owner) and the seeker, as licensee
DEAL_SECRETS = (DEAL_TERMS, DEAL_MESSAGE, DEAL_COMMENT)
ALL_SECRETS = (
    *SEEKER_SECRETS,
    *LICENSOR_SECRETS,
    *PROPOSAL_SECRETS,
    RIVAL_PROPOSAL,
    *DEAL_SECRETS,
)

# routes whose arguments are not records of the exchange, with a harmless value each
OTHER_ARGUMENTS = {"token": "not-a-real-token", "filename": "css/ideagora.css"}
# GET routes that serve files of the framework rather than the exchange's records
SKIPPED_ENDPOINTS = {"static", "bootstrap.static"}


@dataclass
class Exchange:
    """The records the crawl visits, and the people who look at them."""

    ids: dict[str, list[int]]
    people: dict[str, Person]


def _challenge_data(**changes: Any) -> dict[str, Any]:
    return {
        "title": "Recyclable barrier film for coffee capsules",
        "summary": "A compostable film that keeps oxygen out for a year.",
        "description": "Our capsules use an aluminium layer we want to replace.",
        "confidential_brief": f"Target cost 0.4 cents a capsule; volume 2 bn a year. {BRIEF}",
        "keywords": ["barrier film", "compostable"],
        "fields": ["materials-polymers"],
        "challenge_type": "reduction_to_practice",
        "award_amount": "40000",
        "currency": "EUR",
        "deadline": (utcnow() + timedelta(days=40)).isoformat(),
        "ip_terms": "exclusive_license",
        "trl_sought": 4,
        **changes,
    }


def _asset_data(**changes: Any) -> dict[str, Any]:
    return {
        "title": "Cellulose nanocrystal coating with low oxygen permeability",
        "summary": "A thin plant-based coating that blocks oxygen like aluminium foil.",
        "description": "Cast from water; compostable; tested on paper and PLA.",
        "confidential_dossier": f"Best formulation: 3 % CNC with 0.5 % chitosan. {DOSSIER}",
        "keywords": ["cellulose", "barrier coating"],
        "fields": ["materials-coatings"],
        "patent_numbers": ["EP 3123456 B1"],
        "patent_status": "granted",
        "jurisdictions": ["EP", "US"],
        "trl": 5,
        "fields_of_use": ["food packaging"],
        "deal_types": ["exclusive_license", "non_exclusive_license"],
        **changes,
    }


def _as_user(person: Person) -> User:
    return db.session.get(User, person.id)


def _attach(user: User, owner: Any, secret: str, *, confidential: bool) -> int:
    upload = io.BytesIO(f"Notes for the file. {secret}\n".encode())
    attachment = attachments.add_attachment(
        db.session, user, owner, upload, "notes.txt", confidential=confidential, ip_address=None
    )
    return attachment.id


def _propose(user: User, challenge: Challenge, secret: str) -> Proposal:
    data = {
        "title": "Chitosan-reinforced nanocellulose film",
        "summary": "Our coating meets the oxygen barrier you ask for.",
        "body": f"We reach 0.5 cc/m2/day at 23 C and 50 % RH. {secret}",
    }
    return proposals.submit_proposal(db.session, user, challenge, data, ip_address=None)


@pytest.fixture
def exchange(driver: AppDriver, app: Flask) -> Exchange:
    seeker = driver.person(organization="Capsule Foods")
    licensor = driver.person(organization="Westfield University", kind="university")
    people = {
        "seeker admin": seeker,
        "seeker member": driver.person(organization=seeker.organization_id, role=Role.MEMBER),
        "licensor admin": licensor,
        "rival": driver.person(organization="Rival Coatings"),
        "outsider": driver.person(organization="Unrelated Instruments"),
        "pending requester": driver.person(organization="Patient Polymers"),
        "revoked grantee": driver.person(organization="Former Partner Labs"),
        "expired grantee": driver.person(organization="Lapsed Agreements Ltd"),
        "active grantee": driver.person(organization="Trusted Evaluators", role=Role.MEMBER),
    }
    with app.app_context():
        seeker_user, licensor_user = _as_user(seeker), _as_user(licensor)
        published = challenges.create_challenge(
            db.session, seeker_user, _challenge_data(), ip_address=None
        )
        challenges.change_status(db.session, seeker_user, published, "publish", ip_address=None)
        draft = challenges.create_challenge(
            db.session, seeker_user, _challenge_data(title=DRAFT_CHALLENGE), ip_address=None
        )
        offer = assets.create_asset(db.session, licensor_user, _asset_data(), ip_address=None)
        assets.change_status(db.session, licensor_user, offer, "publish", ip_address=None)
        draft_offer = assets.create_asset(
            db.session, licensor_user, _asset_data(title=DRAFT_ASSET), ip_address=None
        )
        proposal = _propose(licensor_user, published, PROPOSAL)
        rival = _propose(_as_user(people["rival"]), published, RIVAL_PROPOSAL)
        files = [
            _attach(seeker_user, published, CHALLENGE_FILE, confidential=True),
            _attach(seeker_user, draft, DRAFT_FILE, confidential=False),
            _attach(licensor_user, offer, ASSET_FILE, confidential=True),
            _attach(licensor_user, proposal, PROPOSAL_FILE, confidential=True),
        ]
        db.session.commit()
        grants = _grant_access(people, [published, offer])
        deal = _negotiate(seeker_user, licensor_user, offer)
        ids = {
            "challenge_id": [published.id, draft.id],
            "asset_id": [offer.id, draft_offer.id],
            "proposal_id": [proposal.id, rival.id],
            "attachment_id": files,
            "grant_id": grants,
            "deal_id": [deal.id],
            "number": [1],
            "template_id": [disclosure.templates.template_of(db.session, published).id],
            "organization_id": [p.organization_id for p in people.values()],
            "user_id": [p.id for p in people.values()],
            "invitation_id": [1],
            # alerts belong to one user each; none of the crawl's people hold these
            "notification_id": [1],
            "search_id": [1],
        }
    return Exchange(ids, people)


def _negotiate(licensee: User, licensor: User, offer: Asset) -> Deal:
    """Open a deal on the offer, agree its terms, and leave the agreement waiting for signatures."""
    deal = deals.open_deal(db.session, licensee, offer, challenge_id=None, ip_address=None)
    terms = deals.starting_terms(deal, "evaluation")
    terms["field_of_use"] = f"Evaluation of barrier coatings {DEAL_TERMS}"
    evidence = {"ip_address": None, "user_agent": "", "channel": "page"}
    deals.propose(db.session, licensor, deal, {"terms": terms, "message": DEAL_MESSAGE}, **evidence)
    deals.comment(db.session, licensee, deal, f"Looks fair. {DEAL_COMMENT}", ip_address=None)
    deals.accept(db.session, licensee, deal, 1, **evidence)
    db.session.commit()
    return deal


def _grant_access(people: dict[str, Person], listings: list[Any]) -> list[int]:
    """Give each requester of the crawl its grant of every listing, in the state it names."""
    grants = []
    for who in ("pending requester", "revoked grantee", "expired grantee", "active grantee"):
        user = _as_user(people[who])
        for listing in listings:
            listing.nda_approval_required = who == "pending requester"
            shown = disclosure.nda_for(db.session, user, listing)
            grant, _ = acceptance.accept_nda(
                db.session,
                user,
                listing,
                sha256=shown.sha256,
                signer_name=user.name,
                assent=True,
                fresh_login=True,
                ip_address=None,
                user_agent="",
                channel="page",
            )
            if who == "revoked grantee":
                owner = listing.created_by
                decisions.revoke(
                    db.session,
                    owner,
                    grant,
                    reason="",
                    ip_address=None,
                    user_agent="",
                    channel="page",
                )
            if who == "expired grantee":
                grant.expires_at = utcnow() - timedelta(seconds=1)
            grants.append(grant.id)
        db.session.commit()
    return grants


def _urls(app: Flask, exchange: Exchange, method: str) -> list[tuple[str, str]]:
    """Return (endpoint, url) for every route taking the method, once per record it names."""
    adapter = app.url_map.bind("localhost")
    urls = []
    for rule in app.url_map.iter_rules():
        if method not in rule.methods or rule.endpoint in SKIPPED_ENDPOINTS:
            continue
        unknown = {
            argument
            for argument in set(rule.arguments) - set(exchange.ids) - set(OTHER_ARGUMENTS)
            if not isinstance(rule._converters.get(argument), AnyConverter)
            and argument != "owner_id"
        }
        assert not unknown, f"the crawl does not know what to put in {rule.rule}: {unknown}"
        for values in _combinations(rule, exchange.ids):
            urls.append((rule.endpoint, adapter.build(rule.endpoint, values)))
    return urls


def _combinations(rule: Any, ids: dict[str, list[int]]) -> list[dict[str, Any]]:
    combinations: list[dict[str, Any]] = [{}]
    for argument in sorted(rule.arguments):
        converter = rule._converters.get(argument)
        if isinstance(converter, AnyConverter):
            choices = sorted(converter.items)
        elif argument == "owner_id":
            choices = ids[_owner_kind(rule.rule)]
        else:
            choices = ids.get(argument) or [OTHER_ARGUMENTS[argument]]
        combinations = [
            {**values, argument: choice} for values in combinations for choice in choices
        ]
    return combinations


def _owner_kind(path: str) -> str:
    """Return which records an ``owner_id`` in a route names, from the route's path."""
    for prefix, kind in (
        ("challenges", "challenge_id"),
        ("offers", "asset_id"),
        ("assets", "asset_id"),
        ("proposals", "proposal_id"),
    ):
        if re.search(rf"/{prefix}/<", path):
            return kind
    raise AssertionError(f"the crawl does not know whose owner_id {path} names")


def _client_of(driver: AppDriver, person: Person | None) -> tuple[FlaskClient, dict[str, str]]:
    """Return a browser session and API headers for the person (anonymous for None)."""
    if person is None:
        return driver.app.test_client(), {}
    client = driver.logged_in_client(person)
    return client, driver.token(driver.app.test_client(), person)


def _seen(response: Any) -> str:
    """Return what a reader of the response sees: headers, text, and a PDF's extracted text."""
    headers = "\n".join(f"{name}: {value}" for name, value in response.headers.items())
    data = response.get_data()
    if response.mimetype == "application/pdf":
        reader = pypdf.PdfReader(io.BytesIO(data))
        text = "\n".join(page.extract_text() for page in reader.pages)
        assert text.strip(), "the crawl cannot read this PDF"
    else:
        text = data.decode("utf-8", errors="replace")
    return headers + "\n" + text


VIEWERS = {
    "anonymous": (),
    "outsider": (),
    "pending requester": (),
    "revoked grantee": (),
    "expired grantee": (),
    "active grantee": (BRIEF, CHALLENGE_FILE, DOSSIER, ASSET_FILE),
    "rival": (RIVAL_PROPOSAL,),
    "licensor admin": LICENSOR_SECRETS + PROPOSAL_SECRETS + DEAL_SECRETS,
    "seeker member": SEEKER_SECRETS + PROPOSAL_SECRETS + (RIVAL_PROPOSAL,) + DEAL_SECRETS,
    "seeker admin": SEEKER_SECRETS + PROPOSAL_SECRETS + (RIVAL_PROPOSAL,) + DEAL_SECRETS,
}


@pytest.mark.parametrize("viewer", list(VIEWERS))
def test_no_route_shows_a_secret_to_anyone_but_its_owner(driver, app, exchange, viewer) -> None:
    client, headers = _client_of(driver, exchange.people.get(viewer))
    allowed = set(VIEWERS[viewer])
    seen_secrets: set[str] = set()
    for endpoint, url in _urls(app, exchange, "GET"):
        response = client.get(url, headers=headers)
        assert response.status_code < 500, f"{url} failed for {viewer}"
        body = _seen(response)
        leaked = {secret for secret in ALL_SECRETS if secret in body}
        assert leaked <= allowed, f"{endpoint} {url} shows {leaked - allowed} to {viewer}"
        seen_secrets |= leaked
    # the crawl can fail: the owner finds every one of its own secrets somewhere
    assert seen_secrets == allowed


MUTATIONS = ["POST", "PATCH", "PUT", "DELETE"]
# routes open to other organisations by design: opening a licence deal on a published offer
OPENED_BY_OTHERS = {"deals.open_deal", "api_deals.open_deal"}
# and a proposal to a published challenge, or a request under its NDA, refused for its content
OPEN_TO_OTHERS = {
    "proposals.new",
    "api_proposals.submit",
    "disclosure.challenge_nda",
    "disclosure.offer_nda",
    "api_disclosure.accept_challenge_nda",
    "api_disclosure.accept_asset_nda",
}


def _state(app: Flask, exchange: Exchange) -> list[tuple[Any, ...]]:
    with app.app_context():
        rows: list[Any] = [db.session.get(Challenge, i) for i in exchange.ids["challenge_id"]]
        rows += [db.session.get(Asset, i) for i in exchange.ids["asset_id"]]
        state = [(row.title, row.status, row.version, row.updated_at) for row in rows]
        state += [
            (proposal.title, proposal.status, proposal.updated_at)
            for proposal in db.session.scalars(sa.select(Proposal).order_by(Proposal.id))
        ]
        state += [
            (attachment.id, attachment.sha256)
            for attachment in db.session.scalars(sa.select(Attachment).order_by(Attachment.id))
        ]
        state += [
            (deal.status, deal.version, len(deal.revisions))
            for deal in db.session.scalars(
                sa.select(Deal).where(Deal.id.in_(exchange.ids["deal_id"]))
            )
        ]
        state += [
            (grant.id, grant.status, grant.version, grant.expires_at)
            for grant in db.session.scalars(sa.select(DisclosureGrant).order_by(DisclosureGrant.id))
        ]
        return state


# what each actor may not touch: routes naming records of other organisations (organisation
# and membership routes have their own matrix in test_organizations_views)
FOREIGN = {
    "all": r"/(challenges|offers|assets|proposals|attachments|grants|ndas|deals)/\d+",
    "challenges": r"/challenges/\d+",
    "offers": r"/(offers|assets)/\d+",
    "others' proposals": r"/proposals/\d+",
    "deals": r"/deals/\d+",
}


@pytest.mark.parametrize(
    ("actor", "targets"),
    [
        ("anonymous", ["all"]),
        ("outsider", ["all"]),
        ("rival", ["challenges", "offers", "deals"]),
        ("licensor admin", ["challenges"]),
        ("seeker admin", ["offers"]),
    ],
)
def test_nobody_changes_what_is_not_theirs(driver, app, exchange, actor, targets) -> None:
    client, headers = _client_of(driver, exchange.people.get(actor))
    csrf = csrf_token_from(client.get("/login").get_data(as_text=True))
    before = _state(app, exchange)
    for method in MUTATIONS:
        for endpoint, url in _urls(app, exchange, method):
            if not any(re.search(FOREIGN[target], url) for target in targets):
                continue
            response = _mutate(client, method, url, headers, csrf)
            status = response.status_code
            refused = status in (401, 403, 404) or (
                actor == "anonymous" and status == 302 and "/login" in response.headers["Location"]
            )
            # an incomplete proposal is refused for its content, and creates nothing
            refused = refused or (endpoint in OPEN_TO_OTHERS and status == 422)
            refused = refused or (endpoint in OPENED_BY_OTHERS and status in (201, 302, 409))
            refused = refused or _refused_before_lookup(client, method, url, headers, response)
            assert refused, f"{actor} {method} {url} -> {status}"
    assert _state(app, exchange) == before


def _mutate(client: FlaskClient, method: str, url: str, headers: dict[str, str], csrf: str) -> Any:
    if url.startswith("/api/"):
        return client.open(url, method=method, headers=headers, json={"title": "X"})
    return client.open(url, method=method, data={"csrf_token": csrf, "title": "X"})


def _refused_before_lookup(
    client: FlaskClient, method: str, url: str, headers: dict[str, str], response: Any
) -> bool:
    """Return whether an API body was refused before any record was looked up.

    The API checks a body against its schema first; that reveals nothing as long as the same
    body sent to a record that does not exist gets the very same answer.
    """
    if not url.startswith("/api/") or response.status_code != 422:
        return False
    absent = re.sub(r"/\d+", "/999999", url)
    replay = client.open(absent, method=method, headers=headers, json={"title": "X"})
    return replay.status_code == 422 and replay.json == response.json


def test_a_rival_cannot_touch_another_proposal(driver, app, exchange) -> None:
    client, headers = _client_of(driver, exchange.people["rival"])
    csrf = csrf_token_from(client.get("/login").get_data(as_text=True))
    before = _state(app, exchange)
    theirs = f"/proposals/{exchange.ids['proposal_id'][0]}"
    for method in MUTATIONS:
        for _endpoint, url in _urls(app, exchange, method):
            if theirs not in url and f"/attachments/{exchange.ids['attachment_id'][3]}" not in url:
                continue
            if url.startswith("/api/"):
                response = client.open(url, method=method, headers=headers, json={})
            else:
                response = client.open(url, method=method, data={"csrf_token": csrf})
            assert response.status_code in (403, 404), f"rival {method} {url}"
    assert _state(app, exchange) == before
