"""Settings read from the environment, with safe defaults for local use."""
from __future__ import annotations

import os
from datetime import timedelta


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# The public secret a developer's machine signs its cookies with: never accepted outside development.
DEVELOPMENT_SECRET_KEY = "dev-only-not-secret"


class Config:
    """The settings every environment shares, production-safe: no secret of its own (SECRET_KEY must
    be set), Secure cookies and HSTS (forced by create_app in production). Embedded SQLite in the
    instance folder unless DATABASE_URL says otherwise."""

    ENV_NAME = "production"
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY") or None
    # None means "a SQLite file in the instance folder", resolved by create_app.
    SQLALCHEMY_DATABASE_URI: str | None = os.environ.get("DATABASE_URL")
    SQLALCHEMY_RECORD_QUERIES = False
    SESSION_COOKIE_NAME = "lea_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    # Idle timeout: a signed-in session with no request for this long must sign in again.
    SESSION_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("SESSION_IDLE_MINUTES", "30")))
    # Absolute lifetime of a server-side session record.
    SESSION_MAX_AGE = timedelta(hours=int(os.environ.get("SESSION_MAX_HOURS", "12")))
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    MAX_CONTENT_LENGTH = 64 * 1024 * 1024  # a national GIAS file is about 60 MB
    # Sign-in throttling per account (auth/services.py): after LOGIN_DELAY_AFTER_FAILURES wrong
    # passwords each further try waits 2^n seconds; LOGIN_MAX_FAILURES wrong passwords (each within
    # LOGIN_FAILURE_MINUTES of the last) lock the account for LOGIN_FAILURE_MINUTES, or until an
    # administrator unlocks it, and its owner is e-mailed.
    LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
    LOGIN_FAILURE_WINDOW = timedelta(minutes=int(os.environ.get("LOGIN_FAILURE_MINUTES", "15")))
    LOGIN_DELAY_AFTER_FAILURES = int(os.environ.get("LOGIN_DELAY_AFTER_FAILURES", "3"))
    # A second factor (an authenticator app's code) for administrators and LA staff who sign in with
    # a password: they cannot use the service until they have set one up. Governors and school
    # leaders may choose to. Staff signing in through the council's identity provider are not asked.
    MFA_REQUIRED_FOR_STAFF = _bool("MFA_REQUIRED_FOR_STAFF", True)
    # How long after a correct password its second step (the code) may come.
    MFA_PENDING_TIME = timedelta(minutes=int(os.environ.get("MFA_PENDING_MINUTES", "5")))
    # How long an e-mailed link to set a new password works (once).
    PASSWORD_RESET_TIME = timedelta(minutes=int(os.environ.get("PASSWORD_RESET_MINUTES", "60")))
    # Failed sign-ins per network address (Flask-Limiter's notation): enough for a school or an
    # office behind one address; over it, wrong passwords from there get a 429, right ones still sign in.
    LOGIN_MAX_PER_ADDRESS = os.environ.get("LOGIN_MAX_PER_ADDRESS", "100 per 15 minutes")
    # Where Flask-Limiter counts: Redis when REDIS_URL is set (every app server counts together),
    # otherwise this process's memory.
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_STORAGE_OPTIONS = {"wrap_exceptions": True}  # storage errors as limits' StorageError
    # Requests per personal access token to the JSON API (Flask-Limiter's notation), counted where
    # the sign-in limits are (RATELIMIT_STORAGE_URI); over it, 429 with Retry-After.
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "300 per minute")
    # Where GOV.UK Frontend's npm package puts its fonts, images and JavaScript.
    GOVUK_FRONTEND_DIST = os.environ.get("GOVUK_FRONTEND_DIST")
    SQLITE_BUSY_TIMEOUT_MS = int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", "30000"))
    # Which LA codes a GIAS import keeps when none are given ("" keeps every LA).
    GIAS_LA_CODES = [c for c in os.environ.get("GIAS_LA_CODES", "").split(",") if c]
    PER_PAGE = 50
    # How long a school has to check a note of visit, in the authority's working days.
    FACTUAL_ACCURACY_WORKING_DAYS = int(os.environ.get("FACTUAL_ACCURACY_WORKING_DAYS", "10"))
    # Files attached to notes of visit live outside the web root; None means <instance>/attachments.
    # The mid-point review of a Raising Achievement Plan falls this many weeks after the plan is
    # agreed (St Helens: "normally 8 to 16 weeks"); an LA can set its own window.
    MIDPOINT_WINDOW_WEEKS = (int(os.environ.get("MIDPOINT_MIN_WEEKS", "8")),
                             int(os.environ.get("MIDPOINT_MAX_WEEKS", "16")))
    # Reviews due within this many days appear on dashboards.
    MIDPOINT_NOTICE_DAYS = int(os.environ.get("MIDPOINT_NOTICE_DAYS", "14"))
    ATTACHMENTS_DIR: str | None = os.environ.get("ATTACHMENTS_DIR") or None
    ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
    # All the files of one note of visit together.
    ATTACHMENT_NOTE_QUOTA_BYTES = int(os.environ.get("ATTACHMENT_NOTE_QUOTA_MB", "50")) * 1024 * 1024
    # A Word or Excel file is a zip: what it may expand to when opened (the sum of its parts' sizes),
    # how well a large part may be compressed (a zip bomb is 1,000 to 1), and how many parts it may hold.
    ATTACHMENT_ZIP_MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
    ATTACHMENT_ZIP_MAX_RATIO = 100
    ATTACHMENT_ZIP_MAX_MEMBERS = 2000
    # Limits on every PDF the service renders: a runaway template fails rather than exhausting the server.
    PDF_RENDER_TIMEOUT_SECONDS = float(os.environ.get("PDF_RENDER_TIMEOUT_SECONDS", "20"))
    PDF_MAX_BYTES = 20 * 1024 * 1024
    PDF_MAX_PAGES = 300
    # Renders run in worker processes killed at the time limit; at most this many at once per
    # server process, and a request that cannot get a turn within the wait is told "busy" (503).
    PDF_MAX_CONCURRENT = int(os.environ.get("PDF_MAX_CONCURRENT", "2"))
    PDF_BUSY_WAIT_SECONDS = float(os.environ.get("PDF_BUSY_WAIT_SECONDS", "2"))
    # A render process is replaced after this many renders (whatever memory it has kept goes back).
    PDF_WORKER_MAX_RENDERS = int(os.environ.get("PDF_WORKER_MAX_RENDERS", "200"))
    # E-mail (governors are told when a report is published). With no MAIL_SERVER, each message is
    # written as an .eml file to OUTBOX_DIR instead (None means <instance>/outbox): development and tests.
    MAIL_SERVER: str | None = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)  # STARTTLS on MAIL_PORT
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)  # TLS from the start (port 465)
    MAIL_USERNAME: str | None = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD: str | None = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "LEA Support <no-reply@lea-support.invalid>")
    MAIL_TIMEOUT_SECONDS = float(os.environ.get("MAIL_TIMEOUT_SECONDS", "10"))
    OUTBOX_DIR: str | None = os.environ.get("OUTBOX_DIR") or None
    # The address people use to reach the service, for links in e-mails ("" leaves links out).
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    # Bulk generation of governor reports: worker processes, and where runs started from the admin
    # page also write each PDF (None: the drafts are kept in the database only).
    REPORTS_BULK_JOBS = int(os.environ.get("REPORTS_BULK_JOBS", "2"))
    REPORTS_OUT_DIR: str | None = os.environ.get("REPORTS_OUT_DIR") or None
    # Where runs started from the admin page are done ("local": this server; "rq": the report
    # queue's workers, on any machine; see docs/scale-out.md), and the Redis queue for them.
    REPORTS_BACKEND = os.environ.get("REPORTS_BACKEND", "local")
    REPORT_QUEUE_URL = os.environ.get("REPORT_QUEUE_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    REPORT_QUEUE_NAME = os.environ.get("REPORT_QUEUE_NAME", "lea-reports")
    # How many reverse proxies (load balancers) stand in front of the app and set X-Forwarded-*;
    # 0 trusts none. See docs/scale-out.md.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    # Sign-in with the council's identity provider over OpenID Connect (auth/oidc.py): on when
    # OIDC_ISSUER is set, to the issuer's URL (its discovery document is
    # <issuer>/.well-known/openid-configuration), with the client id and secret the council's
    # administrators registered for this service (redirect URI <PUBLIC URL>/sign-in/council/callback,
    # post-logout redirect URI <PUBLIC URL>/signed-out).
    OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "")
    OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
    OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
    OIDC_SCOPES = os.environ.get("OIDC_SCOPES", "openid email profile")
    # The claim that lists a person's groups (Entra ID: "groups", the groups' object ids); an
    # administrator maps groups to roles at /admin/sign-in-groups.
    OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "groups")
    # Whether a council sign-in with a verified e-mail address that no account has makes one (with
    # the role its groups give); otherwise an administrator must add the person first.
    OIDC_CREATE_ACCOUNTS = _bool("OIDC_CREATE_ACCOUNTS", False)
    OIDC_TIMEOUT_SECONDS = float(os.environ.get("OIDC_TIMEOUT_SECONDS", "10"))
    # False: the authority's staff (LA roles) must sign in with their council account once it is
    # configured, and their passwords are refused; governors and school leaders keep passwords.
    PASSWORD_SIGN_IN_FOR_STAFF = _bool("PASSWORD_SIGN_IN_FOR_STAFF", True)
    TESTING = False
    DEBUG = False
    # Once the app is built, move every object it made into the garbage collector's permanent
    # generation (gc.freeze): full collections then scan only what requests make, which takes the
    # 100-200 ms pauses out of the slowest requests. Off in tests, which build hundreds of apps.
    GC_FREEZE_AT_START = True


class ProductionConfig(Config):
    """What runs unless LEA_SUPPORT_ENV=development: create_app refuses to start without a real
    SECRET_KEY, and sends cookies only over HTTPS, with HSTS."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    DEBUG = False


class DevelopmentConfig(Config):
    """A developer's machine (`make run` sets LEA_SUPPORT_ENV=development): a public secret and
    cookies over plain HTTP are fine here, and nowhere else."""

    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY") or DEVELOPMENT_SECRET_KEY
    # The demo's staff try the service without an authenticator app (MFA_REQUIRED_FOR_STAFF=1 to try it).
    MFA_REQUIRED_FOR_STAFF = _bool("MFA_REQUIRED_FOR_STAFF", False)


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    GC_FREEZE_AT_START = False
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL")
    LOGIN_MAX_FAILURES = 5
    LOGIN_DELAY_AFTER_FAILURES = 3
    LOGIN_MAX_PER_ADDRESS = "100 per 15 minutes"
    # Each app gets its own in-memory count (made afresh by create_app), whatever REDIS_URL says:
    # no test sees another's failures.
    RATELIMIT_STORAGE_URI = "memory://"
    MAIL_SERVER = None  # tests never send real e-mail: messages go to OUTBOX_DIR
    PASSWORD_HASH_PROFILE = "cheapest"  # argon2-cffi's profile for tests; refused in production
    # No council sign-in unless a test starts an OpenID provider (tests/oidc), whatever the environment says.
    OIDC_ISSUER = ""
    PASSWORD_SIGN_IN_FOR_STAFF = True
    # The fixtures sign LA staff in with a password alone (tests/conftest.py `login_as`); the tests of
    # the second factor (tests/auth/test_totp.py) turn this on.
    MFA_REQUIRED_FOR_STAFF = False


def config_for_environment() -> type[Config]:
    """Choose the settings class from LEA_SUPPORT_ENV: `development` only when said so; unset (as
    under a bare `gunicorn 'lea_support:create_app()'`) or `production` means production."""
    name = os.environ.get("LEA_SUPPORT_ENV", "").strip().lower() or "production"
    if name == "development":
        return DevelopmentConfig
    if name == "production":
        return ProductionConfig
    raise RuntimeError(f"LEA_SUPPORT_ENV={name!r} is not known: set it to 'production' or 'development'.")
