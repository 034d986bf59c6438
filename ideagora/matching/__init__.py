"""Two-way matching for owners: offers that may solve a challenge, challenges an offer answers."""
