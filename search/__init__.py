"""Full-text search and two-way matching over public listing text, behind one small interface.

Framework-free: this package imports neither Flask nor ``ideagora``. It takes and returns plain
data (the dataclasses in :mod:`search.documents`), so the engine (Whoosh today) can be replaced
without touching the application.
"""
