"""Alerts: in-app notifications of new matches and saved searches, and their e-mail digest."""
