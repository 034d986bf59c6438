"""Keep the search index in step with the database, and serve search pages and the search API."""
