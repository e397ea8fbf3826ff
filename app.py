"""naranu: the application factory.  ``flask --app app …`` and ``app:create_app()`` start here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from survey.app_config import (
    DEFAULTS,
    engine_options,
    ensure_instance_secrets,
    environment_overrides,
    ratelimit_storage_url,
    sqlite_url,
)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the naranu application; ``config`` (tests) overrides every other setting."""
    app = Flask(__name__, instance_relative_config=True)
    _configure(app, config)
    _init_extensions(app)
    _register_blueprints(app)
    _wire_services(app)
    _register_commands(app)
    return app


def _configure(app: Flask, config: Mapping[str, Any] | None) -> None:
    app.config.from_mapping(DEFAULTS)
    app.config["SQLALCHEMY_DATABASE_URI"] = sqlite_url(app.instance_path)
    if config is None or "SECRET_KEY" not in config:
        ensure_instance_secrets(app.instance_path)
        app.config.from_pyfile("config.py")
    app.config.update(environment_overrides())
    if config is not None:
        app.config.update(config)
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = ratelimit_storage_url(
            app.config["SQLALCHEMY_DATABASE_URI"], app.instance_path)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config["SQLALCHEMY_ENGINE_OPTIONS"])


def _init_extensions(app: Flask) -> None:
    from survey import errors, i18n, security, templating
    from survey.auth.loader import init_login
    from survey.auth.oidc import init_oidc
    from survey.db import configure_engine, db
    from survey.extensions import babel, csrf, limiter, migrate
    from survey.input_guard import init_input_guard
    from survey.logging import init_logging

    init_logging(app)
    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(app.root_path + "/migrations"))
    i18n.init_translations(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    init_input_guard(app)  # first: bodies are bounded before CSRF or the limiter read a form
    csrf.init_app(app)
    limiter.init_app(app)
    init_login(app)
    init_oidc(app)
    security.init_security(app)
    errors.init_errors(app)
    templating.init_templating(app)


def _register_blueprints(app: Flask) -> None:
    from reports.exports.views import bp as hr_bp
    from reports.quarterly.views import bp as reports_bp
    from reports.results.views import bp as results_bp
    from survey.admin.views import bp as admin_bp
    from survey.answering.views import bp as answering_bp
    from survey.auth.account_views import bp as accounts_bp
    from survey.auth.views import bp as auth_bp
    from survey.cadence.views import bp as schedule_bp
    from survey.plans.views import bp as plans_bp
    from survey.principles.views import bp as principles_bp
    from survey.public.views import bp as public_bp
    from survey.roster.views import bp as roster_bp
    from survey.twofactor.admin_views import bp as twofactor_admin_bp
    from survey.twofactor.views import bp as twofactor_bp

    for blueprint in (
        public_bp, auth_bp, answering_bp, admin_bp, principles_bp, hr_bp, roster_bp,
        reports_bp, schedule_bp, accounts_bp, plans_bp, twofactor_bp, twofactor_admin_bp,
        results_bp,
    ):
        app.register_blueprint(blueprint)


def _wire_services(app: Flask) -> None:
    # The survey package closes waves; the reports package knows how to summarise them
    # (imported when a wave closes: NumPy and SciPy cost every command's start-up otherwise).
    from survey.waves.closing import SUMMARISER_KEY

    app.extensions[SUMMARISER_KEY] = _summarise_wave
    # Report notices link to the quarter report of the closed wave; reports knows quarters.
    from reports.quarters import quarter_of
    from survey.mail.notices import REPORT_PATH_KEY

    start = int(app.config["FISCAL_YEAR_START_MONTH"])
    app.extensions[REPORT_PATH_KEY] = lambda wave: (
        f"/reports/{quarter_of(wave.closes_on, start).label}")


def _summarise_wave(session: Any, wave: Any) -> None:
    from reports.storage.summarise import summarise_wave

    summarise_wave(session, wave)


def _register_commands(app: Flask) -> None:
    from reports.exports.cli import export_command
    from reports.quarterly.cli import report_command
    from reports.results.cli import results_command
    from survey.cli import register_commands

    register_commands(app)
    app.cli.add_command(report_command)
    app.cli.add_command(export_command)
    app.cli.add_command(results_command)
