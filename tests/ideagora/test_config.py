"""Settings load in order, and an unsafe production start is refused."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ideagora import config, create_app

EXAMPLE = Path(__file__).resolve().parents[2] / "instance" / "config.example.py"


@pytest.fixture
def instance_dir(tmp_path, monkeypatch):
    """Point the app at an empty instance folder of its own."""
    monkeypatch.setattr("ideagora.PROJECT_ROOT", tmp_path)
    (tmp_path / "instance").mkdir()
    for name in list(__import__("os").environ):
        if name.startswith("IDEAGORA_"):
            monkeypatch.delenv(name)
    return tmp_path / "instance"


def test_order_is_defaults_then_instance_file_then_environment_then_tests(
    instance_dir, monkeypatch
) -> None:
    (instance_dir / "config.py").write_text(
        'SECRET_KEY = "from-file"\nSITE_NAME = "File Exchange"\nLOGIN_MAX_FAILURES = 7\n'
        "API_TOKEN_TTL_DAYS = 3\n"
    )
    monkeypatch.setenv("IDEAGORA_SITE_NAME", "Env Exchange")
    monkeypatch.setenv("IDEAGORA_LOGIN_MAX_FAILURES", "9")
    app = create_app({"TESTING": True, "API_TOKEN_TTL_DAYS": 1})
    assert app.config["SECRET_KEY"] == "from-file"
    assert app.config["SITE_NAME"] == "Env Exchange"
    assert app.config["LOGIN_MAX_FAILURES"] == 9
    assert app.config["API_TOKEN_TTL_DAYS"] == 1
    assert app.config["PASSWORD_MIN_LENGTH"] == 10
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance_dir / 'ideagora.sqlite3'}"


def test_production_start_with_the_development_key_is_refused(instance_dir) -> None:
    with pytest.raises(config.ConfigurationError, match="SECRET_KEY is the development key"):
        create_app()


def test_production_start_with_a_real_key_runs(instance_dir, monkeypatch) -> None:
    monkeypatch.setenv("IDEAGORA_SECRET_KEY", "a" * 64)
    app = create_app()
    assert not app.testing
    assert app.config["SECRET_KEY"] == "a" * 64


def test_example_file_documents_every_setting() -> None:
    tree = ast.parse(EXAMPLE.read_text())
    documented = {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    settings = {name for name in vars(config.Defaults) if name.isupper()}
    assert settings - documented == set()
    assert documented - settings == set()
