"""IP offers (patents, applications, know-how) posted by licensors."""
