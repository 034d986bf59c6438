"""Organisations, their members and roles, and invitations to join them."""
