"""People: registration, login, passwords, sessions and API tokens."""
