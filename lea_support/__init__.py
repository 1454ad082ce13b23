"""lea-support: case management for a local authority's school improvement service."""
from __future__ import annotations

import gc
import os
from importlib import import_module
from pathlib import Path
from typing import Any

from flask import Flask, g, send_from_directory
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from .config import DEVELOPMENT_SECRET_KEY, Config, config_for_environment
from .extensions import csrf, db, limiter, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type[Config] | dict[str, Any] | None = None) -> Flask:
    """The application factory: settings, extensions, blueprints, CLI and error pages."""
    app = Flask(__name__, instance_relative_config=True)
    settings = config if isinstance(config, type) else config_for_environment()
    app.config.from_object(settings)
    if isinstance(config, dict):
        app.config.update(config)
    _check_production_settings(app)

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "lea_support.db")
    app.config.setdefault("GOVUK_FRONTEND_DIST", None)
    if not app.config["GOVUK_FRONTEND_DIST"]:
        app.config["GOVUK_FRONTEND_DIST"] = str(PROJECT_ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk")

    app.jinja_loader = ChoiceLoader([
        FileSystemLoader(str(PROJECT_ROOT / "templates")),
        PrefixLoader({
            "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
            "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
        }),
    ])
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.add_extension("jinja2.ext.do")

    if app.config.get("TRUSTED_PROXIES"):
        # Behind load balancers, the client's address (for sign-in throttling and the audit log)
        # and the scheme come from X-Forwarded-* set by that many trusted proxies, no more.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]  # the documented way to wrap a WSGI app

    from .core.web import BoundedIntConverter

    # Before any route is added: every `<int:...>` refuses numbers no id can be (404, not a 500).
    app.url_map.converters["int"] = BoundedIntConverter
    _init_extensions(app)
    _register_blueprints(app)
    _register_assets(app)

    from .core.errors_web import register_error_handlers
    from .core.templating import install_template_helpers
    from .core.web import install_request_plumbing
    from .privacy.reads import install_read_audit

    install_read_audit(app)  # before the request plumbing, so that it runs after the request's commit
    install_request_plumbing(app)
    register_error_handlers(app)
    install_template_helpers(app)

    from .cli import register_commands

    register_commands(app)

    @app.get("/healthz")
    def healthz() -> tuple[str, int, dict[str, str]]:
        return "ok", 200, {"Content-Type": "text/plain"}

    if app.config.get("GC_FREEZE_AT_START"):
        gc.collect()
        gc.freeze()
    return app


MIN_SECRET_KEY_LENGTH = 16


def _check_production_settings(app: Flask) -> None:
    """Refuse to start outside development with a missing or public SECRET_KEY (anyone could sign
    a session cookie for any user); in production, also refuse the debugger and cheap password
    hashing, and send cookies only over HTTPS, with HSTS."""
    env_name = app.config["ENV_NAME"]
    secret = app.config.get("SECRET_KEY")
    if env_name != "development":
        if not secret or secret == DEVELOPMENT_SECRET_KEY:
            raise RuntimeError(
                f"SECRET_KEY is {'not set' if not secret else 'the public development secret'}, so anyone could "
                "forge a session. Set SECRET_KEY to a long random value (the same on every server), for example "
                "the output of: python -c 'import secrets; print(secrets.token_urlsafe(32))'. "
                "On a developer's machine, set LEA_SUPPORT_ENV=development instead.")
        if env_name == "production" and len(secret) < MIN_SECRET_KEY_LENGTH:
            raise RuntimeError(f"SECRET_KEY is too short to be secret: use {MIN_SECRET_KEY_LENGTH} characters or more "
                               "(python -c 'import secrets; print(secrets.token_urlsafe(32))').")
    if env_name != "production":
        return
    if os.environ.get("FLASK_DEBUG", "").lower() in {"1", "true", "yes", "on"}:
        raise RuntimeError("FLASK_DEBUG must not be set in production: the debugger runs any code it is sent. "
                           "On a developer's machine, set LEA_SUPPORT_ENV=development.")
    if app.config.get("PASSWORD_HASH_PROFILE", "rfc_9106_low_memory") != "rfc_9106_low_memory":
        raise RuntimeError("PASSWORD_HASH_PROFILE is for the test suite only: production hashes passwords "
                           "with RFC 9106's profile.")
    app.config["DEBUG"] = False
    app.debug = False
    # Whatever the environment says: cookies only over HTTPS (HSTS goes with them, core/web.py).
    app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True, REMEMBER_COOKIE_HTTPONLY=True)


def _init_extensions(app: Flask) -> None:
    from govuk_frontend_wtf.main import WTFormsHelpers

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    WTFormsHelpers(app)

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            from .core.db import configure_sqlite

            configure_sqlite(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])

    # Every area's models, so that metadata (and Alembic) sees all tables.
    for module in ("api.models", "auth.models", "auth.oidc_models", "casework.models", "core.calendar", "core.models",
                   "core.working_days", "enhanced.models", "evidence.models", "governor_reports.models",
                   "intervention.models", "notifications.models", "pdf.models", "privacy.models", "programmes.models", "rap.models",
                   "reviews.models", "schools.models", "sharing.models"):
        import_module(f".{module}", __name__)

    # Session listeners, installed here and nowhere else (each installer is idempotent).
    from .casework.summaries import install_listeners as install_casework_summaries
    from .core.transactions import install_transaction_hooks
    from .rap.summaries import install_listeners as install_plan_summaries
    from .tasks.kept_counts import install_listeners as install_kept_task_counts

    install_transaction_hooks()
    install_casework_summaries()
    install_plan_summaries()
    install_kept_task_counts()


def _register_blueprints(app: Flask) -> None:
    from .api.problems import http_problem
    from .api.routes import account_bp as api_tokens_bp
    from .api.routes import bp as api_bp
    from .auth.routes import bp as auth_bp
    from .casework.routes import bp as casework_bp
    from .core.routes import bp as core_bp
    from .enhanced.routes import bp as enhanced_bp
    from .evidence.routes import bp as evidence_bp
    from .governor_reports.routes import bp as reports_bp
    from .intervention.routes import bp as intervention_bp
    from .notifications.routes import bp as notifications_bp
    from .privacy.routes import bp as privacy_bp
    from .programmes.routes import bp as programmes_bp
    from .rap.routes import bp as rap_bp
    from .reviews.routes import bp as reviews_bp
    from .schools.routes import bp as schools_bp
    from .sharing.routes import bp as sharing_bp
    from .tasks.routes import bp as tasks_bp

    app.register_blueprint(tasks_bp)
    app.register_blueprint(core_bp)
    app.register_blueprint(casework_bp)
    app.register_blueprint(reviews_bp)
    app.register_blueprint(rap_bp)
    app.register_blueprint(intervention_bp)
    app.register_blueprint(enhanced_bp)
    app.register_blueprint(sharing_bp)
    app.register_blueprint(programmes_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(schools_bp)
    app.register_blueprint(evidence_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(api_tokens_bp)
    # The API is answered by bearer token, never by cookie: no CSRF to check, and its errors are
    # problem details, not pages.
    csrf.exempt(api_bp)
    app.register_blueprint(api_bp)
    from .core.errors_web import register_error_format

    register_error_format(app, api_bp.url_prefix or "/api/v1", http_problem)


def _register_assets(app: Flask) -> None:
    dist = Path(app.config["GOVUK_FRONTEND_DIST"])

    # GOV.UK Frontend's fonts, images and manifest, straight from the npm package.
    @app.get("/assets/<path:filename>")
    def govuk_assets(filename: str) -> Any:
        return send_from_directory(dist / "assets", filename, max_age=86400)

    @app.get("/assets/js/govuk-frontend.min.js")
    def govuk_js() -> Any:
        return send_from_directory(dist, "govuk-frontend.min.js", max_age=86400)

    @app.context_processor
    def _template_globals() -> dict[str, Any]:
        return {"cspNonce": g.get("csp_nonce")}
