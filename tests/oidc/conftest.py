"""A real OpenID provider for the council sign-in tests: the npm package oidc-provider, started by
tests/oidc/provider.mjs on 127.0.0.1 for one test and stopped after it, with a client whose
redirect URIs are the app's (the test client's http://localhost, or the live server's)."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from flask import Flask

from lea_support.auth.oidc_models import SignInGroup
from lea_support.extensions import db as _db

PROVIDER_SCRIPT = Path(__file__).with_name("provider.mjs")
PROJECT_ROOT = PROVIDER_SCRIPT.parent.parent.parent
CLIENT_ID = "lea-support-tests"
CLIENT_SECRET = "tests-only-client-secret"
START_SECONDS = 20


class OpenIDProvider:
    """A running provider: its issuer URL, and the accounts it knows (changed with `accounts`)."""

    def __init__(self, issuer: str, accounts_file: Path) -> None:
        self.issuer, self.accounts_file = issuer, accounts_file

    def accounts(self, **accounts: dict[str, Any]) -> None:
        """Who the provider knows, by login (their subject): email, email_verified, name, groups."""
        self.accounts_file.write_text(json.dumps(accounts))

    def configure(self, app: Flask, **settings: Any) -> None:
        app.config.update(OIDC_ISSUER=self.issuer, OIDC_CLIENT_ID=CLIENT_ID, OIDC_CLIENT_SECRET=CLIENT_SECRET,
                          **settings)


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the council sign-in tests need it to run the OpenID provider "
                    "(the npm package oidc-provider)")
    if not (PROJECT_ROOT / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("node_modules/oidc-provider is missing: install the npm packages (npm ci, as make install does)")
    return node


@contextmanager
def running_provider(folder: Path, *app_bases: str, claims_in_id_token: bool = False) -> Iterator[OpenIDProvider]:
    """Start the provider with one client whose redirect URIs are those of the app at `app_bases`."""
    node = _node()
    accounts_file = folder / "oidc-accounts.json"
    accounts_file.write_text("{}")
    settings = folder / "oidc-settings.json"
    settings.write_text(json.dumps({
        "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
        "redirect_uris": [f"{base}/sign-in/council/callback" for base in app_bases],
        "post_logout_redirect_uris": [f"{base}/signed-out" for base in app_bases],
        "accounts_file": str(accounts_file), "claims_in_id_token": claims_in_id_token,
    }))
    process = subprocess.Popen([node, str(PROVIDER_SCRIPT), str(settings)], cwd=PROJECT_ROOT, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    drains: list[threading.Thread] = []
    try:
        started: list[str] = []
        reader = threading.Thread(target=lambda: started.append(process.stdout.readline()))  # type: ignore[union-attr]
        reader.start()
        reader.join(START_SECONDS)
        if not started or not started[0].startswith("{"):
            process.kill()
            raise AssertionError(f"the OpenID provider did not start: {process.stderr.read()}")  # type: ignore[union-attr]
        # What else it prints (its development-only warnings) is read and dropped: a pipe that
        # fills would stall it.
        drains = [threading.Thread(target=pipe.read) for pipe in (process.stdout, process.stderr)]
        for drain in drains:
            drain.start()
        yield OpenIDProvider(json.loads(started[0])["issuer"], accounts_file)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for drain in drains:
            drain.join()
        for pipe in (process.stdout, process.stderr):
            pipe.close()  # type: ignore[union-attr]


@pytest.fixture
def provider(app: Flask, tmp_path: Path) -> Iterator[OpenIDProvider]:
    """The provider for the test client's app (http://localhost), which is configured to use it."""
    with running_provider(tmp_path, "http://localhost") as running:
        running.configure(app)
        yield running


def map_group(group_name: str, role: str) -> None:
    _db.session.add(SignInGroup(group_name=group_name, role=role))
    _db.session.commit()


_FORM_ACTION = re.compile(r'<form[^>]*action="([^"]+)"')
_PROMPT = re.compile(r'name="prompt" value="(\w+)"')


def through_provider(issuer: str, url: str, login: str) -> str:
    """What a person does at the provider, done over HTTP: sign in as `login` (any password does, on its
    development pages) and agree to share their details; the URL it sends them back to the app with."""
    http = requests.Session()
    response = http.get(url, allow_redirects=False, timeout=10)
    for _step in range(12):
        if response.is_redirect:
            location = urljoin(response.url, response.headers["Location"])
            if urlsplit(location).netloc != urlsplit(issuer).netloc:
                return location
            response = http.get(location, allow_redirects=False, timeout=10)
            continue
        assert response.status_code == 200, response.text
        action, prompt = _FORM_ACTION.search(response.text), _PROMPT.search(response.text)
        assert action and prompt, response.text
        data = {"prompt": prompt.group(1)}
        if prompt.group(1) == "login":
            data.update(login=login, password="any password")
        response = http.post(urljoin(response.url, action.group(1)), data=data, allow_redirects=False, timeout=10)
    raise AssertionError("the provider never sent the browser back to the app")
