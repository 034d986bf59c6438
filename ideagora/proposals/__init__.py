"""Proposals: solvers answer challenges, seekers shortlist, decline or award them."""
