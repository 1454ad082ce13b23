"""Sign-in with the council's identity provider over OpenID Connect (Authlib's Flask client).

The flow is the authorisation code flow with PKCE (S256); Authlib keeps the state, nonce and code
verifier in the signed session cookie between the redirect and the callback, refuses a callback
whose state it did not issue, and checks the ID token's signature (the provider's published keys),
issuer, audience, expiry and nonce.

Who may come in, and as what, is decided here:
- the role comes from the person's groups (the OIDC_GROUPS_CLAIM claim), as an administrator
  mapped them (`SignInGroup`); when several mapped groups apply, the most privileged role wins
  (administrator, then School Improvement Adviser, link adviser, project team member); no mapped
  group, no entry;
- the account is the one linked to the council account (issuer and subject); on a first sign-in
  it is found by e-mail address, which the provider must say it has verified (email_verified),
  and the link is then stored; no account is made unless OIDC_CREATE_ACCOUNTS is on;
- disabled accounts, and accounts locked after wrong passwords, are refused.
Every sign-in and every refusal is in the audit log.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from authlib.integrations.flask_client import OAuth
from flask import current_app
from sqlalchemy import delete, select

from ..core.audit import record_audit
from ..core.errors import DomainError
from ..core.models import utcnow
from ..extensions import db
from . import services
from .models import EMAIL_LENGTH, LA_ROLES, ROLES, Role, User, UserSession
from .oidc_models import GROUP_LENGTH, GROUP_ROLES, CouncilIdentity, CouncilSession, SignInGroup

LOGGER = logging.getLogger(__name__)

# An account made by a council sign-in has no password: this is no Argon2 hash, so every password
# given for it is wrong (auth/services.py check_sign_in), until an administrator sets one.
NO_PASSWORD = "!council-sign-in-only"
ASK_AN_ADMINISTRATOR = "Ask an administrator of LEA Support"
COUNCIL_BUTTON = "Sign in with your council account"
STAFF_USE_COUNCIL_ACCOUNT = (f"Staff of the authority sign in with their council account, not a password here: "
                             f"use ‘{COUNCIL_BUTTON}’")


class CouncilSignInRefused(DomainError):
    """A council account that may not come in: the message says why, and what to do."""

    def __init__(self, message: str, *, reason: str, user: User | None = None):
        super().__init__(message)
        self.reason = reason
        self.user = user


# --- configuration and the client ------------------------------------------------------------

def is_configured() -> bool:
    """Whether council sign-in is on: an issuer, a client id and a secret are all set."""
    cfg = current_app.config
    return bool(cfg.get("OIDC_ISSUER") and cfg.get("OIDC_CLIENT_ID") and cfg.get("OIDC_CLIENT_SECRET"))


def password_sign_in_allowed(user: User) -> bool:
    """Whether this account may sign in with a password: always, unless council sign-in is on and
    PASSWORD_SIGN_IN_FOR_STAFF is off, which refuses the authority's staff."""
    if current_app.config.get("PASSWORD_SIGN_IN_FOR_STAFF", True) or not is_configured():
        return True
    return user.role not in LA_ROLES


def issuer() -> str:
    return str(current_app.config["OIDC_ISSUER"]).rstrip("/")


def client() -> Any:
    """The app's Authlib client for the council's provider, made on first use (and again if the
    settings change: the tests start a provider of their own). Its discovery document and keys
    are fetched once, when first needed."""
    cfg = current_app.config
    settings = (issuer(), cfg["OIDC_CLIENT_ID"], cfg["OIDC_CLIENT_SECRET"], cfg["OIDC_SCOPES"],
                cfg["OIDC_TIMEOUT_SECONDS"])
    cached = current_app.extensions.get("lea_support_oidc")
    if cached is not None and cached[0] == settings:
        return cached[1]
    oauth = OAuth(current_app._get_current_object())  # type: ignore[attr-defined]  # the app, not its proxy
    council = oauth.register(
        "council",
        client_id=settings[1],
        client_secret=settings[2],
        server_metadata_url=f"{settings[0]}/.well-known/openid-configuration",
        client_kwargs={"scope": settings[3], "code_challenge_method": "S256", "default_timeout": settings[4],
                       "token_endpoint_auth_method": "client_secret_basic"},
    )
    current_app.extensions["lea_support_oidc"] = (settings, council)
    return council


def claims_of(token: dict[str, Any]) -> dict[str, Any]:
    """The person's claims: the verified ID token's, with any it lacks from the userinfo endpoint
    (some providers put e-mail and groups only there). A token response without an ID token, or
    userinfo about another subject, is refused."""
    id_claims = token.get("userinfo")
    if not id_claims or not id_claims.get("sub"):
        raise CouncilSignInRefused("The council's sign-in service did not say who you are. Try again, or "
                                   f"{ASK_AN_ADMINISTRATOR.lower()} to check its settings.", reason="no_id_token")
    claims = dict(id_claims)
    wanted = ("email", "email_verified", current_app.config["OIDC_GROUPS_CLAIM"])
    council = client()
    if any(key not in claims for key in wanted) and council.load_server_metadata().get("userinfo_endpoint"):
        more = dict(council.userinfo(token=token))
        if more.get("sub") != claims["sub"]:
            raise CouncilSignInRefused("The council's sign-in service described someone else. Try again.",
                                       reason="userinfo_subject_differs")
        for key, value in more.items():
            claims.setdefault(key, value)
    return claims


# --- the rules ---------------------------------------------------------------------------------

def _groups(claims: dict[str, Any]) -> list[str]:
    value = claims.get(current_app.config["OIDC_GROUPS_CLAIM"]) or []
    if isinstance(value, str):
        value = [value]
    return [str(group) for group in value if isinstance(group, (str, int))]


def role_for_groups(groups: list[str]) -> tuple[str, list[str]] | None:
    """The role the groups give, and the mapped groups that gave it (the most privileged role of
    all the mapped groups the person is in: GROUP_ROLES's order); None if no group is mapped."""
    if not groups:
        return None
    mapped = db.session.scalars(select(SignInGroup).where(SignInGroup.group_name.in_(set(groups)))).all()
    if not mapped:
        return None
    role = min((m.role for m in mapped), key=lambda r: GROUP_ROLES.index(Role(r)))
    return role, sorted(m.group_name for m in mapped if m.role == role)


def _email_verified(claims: dict[str, Any]) -> bool:
    # A boolean by the standard; some providers send the string "true".
    verified = claims.get("email_verified")
    return verified is True or (isinstance(verified, str) and verified.lower() == "true")


def _refuse(message: str, reason: str, claims: dict[str, Any], user: User | None = None) -> CouncilSignInRefused:
    """Record the refusal in the audit log (the caller keeps it although the sign-in fails) and
    return the exception to raise."""
    record_audit(None, "user.council_sign_in_refused", "user", user.id if user else None,
                 after={"reason": reason, "issuer": issuer(), "subject": str(claims.get("sub", ""))[:255],
                        "email": str(claims.get("email", ""))[:EMAIL_LENGTH], "groups": _groups(claims)[:50]})
    return CouncilSignInRefused(message, reason=reason, user=user)


@dataclass(frozen=True)
class CouncilSignIn:
    user: User
    identity: CouncilIdentity


def sign_in_with_council(claims: dict[str, Any]) -> CouncilSignIn:
    """The account a council account's claims sign in to, linked (and made, if configuration
    allows) as the rules above say, with its role set from the groups. Raises CouncilSignInRefused
    (its audit entry written, nothing else changed) when the person may not come in."""
    subject = str(claims.get("sub") or "")
    email = str(claims.get("email") or "").strip().lower()
    identity = db.session.scalar(select(CouncilIdentity).where(CouncilIdentity.issuer == issuer(),
                                                                CouncilIdentity.subject == subject))
    user = identity.user if identity is not None else None
    if user is None:
        if not email or not _email_verified(claims):
            raise _refuse("Your council account's email address is not verified, so it cannot be matched to an "
                          f"account here. {ASK_AN_ADMINISTRATOR} or your council's IT team for help.",
                          "email_not_verified", claims)
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            other = db.session.scalar(select(CouncilIdentity).where(CouncilIdentity.user_id == user.id,
                                                                    CouncilIdentity.issuer == issuer()))
            if other is not None:
                raise _refuse(f"The account for {email} is linked to another council account. "
                              f"{ASK_AN_ADMINISTRATOR} to check it.", "linked_to_another_subject", claims, user)
    granted = role_for_groups(_groups(claims))
    if granted is None:
        raise _refuse("Your council account is not in a group that may use LEA Support. Ask your manager or "
                      "an administrator of LEA Support to give you access.", "no_mapped_group", claims, user)
    role, by_groups = granted
    if user is None and not current_app.config.get("OIDC_CREATE_ACCOUNTS"):
        raise _refuse(f"There is no LEA Support account for {email}. {ASK_AN_ADMINISTRATOR} to add you, "
                      "then sign in again.", "no_account", claims)
    if user is not None and user.is_disabled:
        raise _refuse(f"Your LEA Support account is disabled. {ASK_AN_ADMINISTRATOR} if you need it again.",
                      "account_disabled", claims, user)
    if user is not None and (until := services.account_locks().get(user.email)) is not None:
        raise _refuse(services.locked_message(until), "account_locked", claims, user)

    if user is None:
        user = _create_account(email, claims, role)
    elif user.role != role:
        _set_role(user, role, by_groups)
    if identity is None:
        identity = CouncilIdentity(user_id=user.id, issuer=issuer(), subject=subject)
        db.session.add(identity)
        db.session.flush()
        record_audit(user, "user.council_link", "user", user.id, after={"issuer": issuer(), "subject": subject})
    identity.last_sign_in_at = utcnow()
    record_audit(user, "user.council_sign_in", "user", user.id,
                 after={"issuer": issuer(), "role": role, "groups": by_groups})
    return CouncilSignIn(user, identity)


def _create_account(email: str, claims: dict[str, Any], role: str) -> User:
    name = " ".join(str(claims.get("name") or "").split())[:200] or email.split("@")[0]
    user = User(email=email[:EMAIL_LENGTH], name=name, role=role, password_hash=NO_PASSWORD)
    db.session.add(user)
    db.session.flush()
    record_audit(None, "user.create", "user", user.id,
                 after={"email": user.email, "name": user.name, "role": role, "by": "council sign-in"})
    return user


def _set_role(user: User, role: str, by_groups: list[str]) -> None:
    """The role the council's groups give now (staff roles belong to no school)."""
    before = {"role": user.role, "schools": sorted(s.urn for s in user.schools)}
    user.role = role
    user.schools = []
    user.edit_version += 1  # an administrator's open copy of the account is now stale
    record_audit(None, "user.role_from_groups", "user", user.id, before=before,
                 after={"role": role, "schools": [], "groups": by_groups})


# --- sessions begun by a council sign-in -------------------------------------------------------

def remember_id_token(user: User, session_token: str, id_token: str) -> None:
    """Keep the ID token of a session a council sign-in began (for the provider's sign-out), and
    forget those of sessions that have outlived SESSION_MAX_AGE."""
    cutoff = utcnow() - current_app.config["SESSION_MAX_AGE"]
    db.session.execute(delete(CouncilSession).where(CouncilSession.created_at < cutoff))
    user_session = services.find_session(session_token)
    db.session.add(CouncilSession(user_session_id=user_session.id if user_session else None, user_id=user.id,
                                  issuer=issuer(), id_token=id_token))


def council_session_of(session_token: str | None) -> CouncilSession | None:
    """The council sign-in that began this session, if one did."""
    user_session: UserSession | None = services.find_session(session_token) if session_token else None
    if user_session is None:
        return None
    return db.session.scalar(select(CouncilSession).where(CouncilSession.user_session_id == user_session.id))


def provider_sign_out_url(council_session: CouncilSession, post_logout_redirect_uri: str) -> tuple[str, str] | None:
    """The provider's end-session URL for a council sign-in (with its ID token as the hint, and
    where to come back to), and the state it will come back with; None if the provider has no
    end-session endpoint or is now another."""
    if not is_configured() or council_session.issuer != issuer():
        return None
    council = client()
    if not council.load_server_metadata().get("end_session_endpoint"):
        return None
    made = council.create_logout_url(post_logout_redirect_uri=post_logout_redirect_uri,
                                     id_token_hint=council_session.id_token, client_id=council.client_id)
    return made["url"], made["state"]


def forget_council_session(council_session_id: int) -> None:
    """The provider's sign-out is done: its ID token is no longer needed."""
    db.session.execute(delete(CouncilSession).where(CouncilSession.id == council_session_id))


# --- the administrators' mapping of groups to roles ---------------------------------------------

STAFF_ROLES = [(role.value, ROLES[role]) for role in GROUP_ROLES]


def add_sign_in_group(actor: User, *, group_name: str, role: str) -> SignInGroup:
    """Map a group of the council's provider to a role here."""
    group_name = group_name.strip()
    if not group_name:
        raise DomainError("Enter the group's name or id, as the council's sign-in service sends it",
                          field="group_name")
    if len(group_name) > GROUP_LENGTH:
        raise DomainError(f"Group must be {GROUP_LENGTH} characters or fewer", field="group_name")
    if role not in {r for r, _ in STAFF_ROLES}:
        raise DomainError("Choose a role for the authority's staff", field="role")
    if db.session.scalar(select(SignInGroup.id).where(SignInGroup.group_name == group_name)) is not None:
        raise DomainError(f"{group_name} already gives a role: remove it first to change it", field="group_name")
    group = SignInGroup(group_name=group_name, role=role)
    db.session.add(group)
    db.session.flush()
    record_audit(actor, "sign_in_group.add", "sign_in_group", group.id, after={"group": group_name, "role": role})
    return group


def remove_sign_in_group(actor: User, group: SignInGroup) -> None:
    """Stop a group giving a role (people already signed in keep theirs until they next sign in)."""
    record_audit(actor, "sign_in_group.remove", "sign_in_group", group.id,
                 before={"group": group.group_name, "role": group.role})
    db.session.delete(group)
    db.session.flush()
