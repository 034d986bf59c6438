"""Time the documents of the licensing module: agreements, their seal, and NDA certificates.

Run on demand, not part of the test suite:

    .venv/bin/python bench/documents.py [--rounds 20]

For each preset the agreement of a deal is drafted from the preset's terms (completed for three
patents and two milestones), then sealed with a self-signed platform certificate made in a
temporary folder, then verified with pyHanko's validator; a certificate of acceptance of the
platform's one-way NDA is rendered too. Each step is run ``--rounds`` times; the figures are
p50, p95 and max in milliseconds, and the size of what the step made. A second rendering of the
same terms is compared byte for byte, as the agreement's hash depends on it.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from report import milliseconds, print_header, print_load, print_table

from licensing import nda, sealing
from licensing.agreement import AgreementData, Party, render_agreement
from licensing.certificate import CertificateData, render_certificate
from licensing.presets import PRESETS, start_from
from licensing.terms import parse_terms, terms_json

PATENTS = ("EP 3 456 789 B1", "US 10,123,456 B2", "WO 2020/123456 A1")
EFFECTIVE = date(2027, 1, 4)
SEALED_AT = datetime(2027, 1, 5, 10, 0, tzinfo=UTC)


def agreement_of(key: str) -> AgreementData:
    """Return the agreement a deal started from the preset and agreed unchanged would draft."""
    chosen = next(preset for preset in PRESETS if preset.key == key)
    data = start_from(chosen, licensed_patents=PATENTS, currency="EUR", effective_date=EFFECTIVE)
    terms = parse_terms(data, offer_patents=PATENTS, effective_date=EFFECTIVE)
    kind = key if key in ("option", "evaluation", "research") else "licence"
    return AgreementData(
        reference="LD-000042",
        effective_date=EFFECTIVE,
        licensor=Party("Politechnika Łódź", "university"),
        licensee=Party("Zoë Ångström Hydrogen GmbH", "company"),
        revision=4,
        terms=terms_json(terms),
        subject="low-cost membrane electrolysis",
        kind=kind,
    )


def certificate() -> CertificateData:
    """Return the certificate of an acceptance of the platform's one-way NDA."""
    template = nda.PLATFORM_TEMPLATES[0]
    values = {
        "owner": "Politechnika Łódź",
        "recipient": "Zoë Ångström Hydrogen GmbH",
        "listing": "Membrane for low-cost electrolysis",
        "listing_reference": nda.listing_reference("assets", 34),
        "purpose": template.purpose,
        "term_years": str(template.term_years),
        "governing_law": template.governing_law,
    }
    text = nda.render(template.body, values)
    return CertificateData(
        reference="NDA-000017",
        listing_reference=values["listing_reference"],
        listing_title=values["listing"],
        owner_name=values["owner"],
        recipient_name=values["recipient"],
        signer_name="Zoë Ångström",
        user_name="Zoë Ångström",
        user_email="zoe@example.org",
        template_name=template.name,
        template_version=1,
        term_years=template.term_years,
        text=text,
        sha256=nda.text_sha256(text),
        assent_wording=nda.assent_wording(values["recipient"]),
        accepted_at=SEALED_AT,
        ip_address="192.0.2.7",
        user_agent="Mozilla/5.0 (X11; Linux x86_64)",
        channel="page",
        status_lines=("Access granted at once.",),
    )


def timed(rounds: int, step: Callable[[], bytes]) -> tuple[list[float], bytes]:
    """Run the step ``rounds`` times; return the durations and what the last run made."""
    durations, made = [], b""
    for _ in range(rounds):
        started = time.perf_counter()
        made = step()
        durations.append(time.perf_counter() - started)
    return durations, made


def verified(sealed: bytes, cert_path: Path) -> bytes:
    """Verify the sealed file as the verification page does; stop if the verdict is not valid."""
    verdict = sealing.verify(sealed, cert_path=cert_path)
    if not verdict.valid:
        raise SystemExit(f"the sealed agreement did not verify: {verdict.problem}")
    return sealed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    print_header("licensing documents", args)
    rows: list[list[object]] = []
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        key_path, cert_path = sealing.ensure_platform_certificate(folder)
        print(f"self-signed seal certificate made in {time.perf_counter() - started:.2f} s")

        def seal(pdf: bytes) -> bytes:
            return sealing.seal(
                pdf,
                key_path=key_path,
                cert_path=cert_path,
                reference="LD-000042",
                reason="Issued by the exchange",
                location="Ideagora",
                signed_at=SEALED_AT,
            )

        for chosen in PRESETS:
            data = agreement_of(chosen.key)
            durations, pdf = timed(args.rounds, lambda data=data: render_agreement(data))
            same = render_agreement(data) == pdf
            rows.append([f"draft {chosen.key}", *milliseconds(durations), len(pdf), same])
            durations, sealed = timed(args.rounds, lambda pdf=pdf: seal(pdf))
            rows.append([f"seal {chosen.key}", *milliseconds(durations), len(sealed), "-"])
            durations, _ = timed(args.rounds, lambda sealed=sealed: verified(sealed, cert_path))
            rows.append([f"verify {chosen.key}", *milliseconds(durations), "-", "-"])
        data = certificate()
        durations, pdf = timed(args.rounds, lambda: render_certificate(data))
        same = render_certificate(data) == pdf
        rows.append(["NDA certificate", *milliseconds(durations), len(pdf), same])
    print_table(["step", "p50 ms", "p95 ms", "max ms", "bytes", "same bytes twice"], rows)
    print_load()


if __name__ == "__main__":
    main()
