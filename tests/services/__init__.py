"""Real PostgreSQL and Redis servers for the test suite: found running or started on demand."""
