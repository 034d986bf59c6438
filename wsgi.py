"""The WSGI entry point gunicorn serves: ``gunicorn wsgi:app``."""

from ideagora import create_app

app = create_app()
