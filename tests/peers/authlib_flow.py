"""Interop peer: Authlib (Python) against ma-alexa-oauth.

Run by tests/interop.rs with the venv of tests/peers/requirements.txt:

    <target>/peers-venv/bin/python tests/peers/authlib_flow.py metadata '<json>'
    <target>/peers-venv/bin/python tests/peers/authlib_flow.py flow '<json>'

`metadata` fetches the RFC 8414 document over loopback and validates it with
Authlib's AuthorizationServerMetadata. `flow` runs authorization code + PKCE
(S256) + refresh + revocation + introspection with Authlib's OAuth2Session;
the login page in between is filled in with requests, as a browser would.

Prints one JSON line with what happened; the Rust test asserts on it. Exits
non-zero with a message on stderr when a step fails.
"""

import json
import sys
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

INSTALL_HINT = (
    "the authlib interop peer is not installed: run scripts/test, or "
    "`python3 -m venv target/peers-venv && "
    "target/peers-venv/bin/pip install -r tests/peers/requirements.txt`"
)

try:
    import authlib
    import requests
    from authlib.common.security import generate_token
    from authlib.integrations.base_client.errors import OAuthError
    from authlib.integrations.requests_client import OAuth2Session
    from authlib.oauth2.rfc6749.errors import MismatchingStateException
    from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
except ImportError as e:  # pragma: no cover - environment problem
    print(f"{INSTALL_HINT} ({e})", file=sys.stderr)
    sys.exit(3)

TIMEOUT = 20


def fail(msg):
    print(f"authlib peer: {msg}", file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


class LoginForm(HTMLParser):
    """Collects the login form's action and its hidden inputs."""

    def __init__(self):
        super().__init__()
        self.action = None
        self.hidden = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = a.get("action", "")
        if tag == "input" and a.get("type") == "hidden":
            self.hidden.append((a.get("name", ""), a.get("value", "")))


def metadata(cfg):
    r = requests.get(cfg["metadata_url"], timeout=TIMEOUT)
    check(r.status_code == 200, f"metadata: HTTP {r.status_code}: {r.text}")
    ctype = r.headers.get("content-type", "")
    check(ctype.startswith("application/json"), f"metadata content-type {ctype!r}")
    doc = r.json()
    md = AuthorizationServerMetadata(doc)
    try:
        md.validate()
    except ValueError as e:
        fail(f"AuthorizationServerMetadata.validate() refused our metadata: {e}")
    check(md["issuer"] == cfg["issuer"], f"issuer {md['issuer']!r} != {cfg['issuer']!r}")

    # The same validator must refuse a document that breaks RFC 8414 (an http
    # issuer), or the check above proves nothing.
    broken = dict(doc, issuer=doc["issuer"].replace("https://", "http://", 1))
    try:
        AuthorizationServerMetadata(broken).validate()
        refuses_http_issuer = False
    except ValueError:
        refuses_http_issuer = True

    return {
        "peer": "authlib",
        "version": authlib.__version__,
        "validated": True,
        "issuer": md["issuer"],
        "refuses_http_issuer": refuses_http_issuer,
        "fields": sorted(doc),
    }


def flow(cfg):
    base = cfg["base"]
    method = cfg["auth_method"]
    r = requests.get(base + "/.well-known/oauth-authorization-server", timeout=TIMEOUT)
    check(r.status_code == 200, f"discovery: HTTP {r.status_code}")
    doc = r.json()
    check(doc["issuer"] == base, f"issuer {doc['issuer']!r} != {base!r}")

    client = OAuth2Session(
        cfg["client_id"],
        cfg["client_secret"],
        scope=cfg["scope"],
        redirect_uri=cfg["redirect_uri"],
        token_endpoint_auth_method=method,
        revocation_endpoint_auth_method=method,
        code_challenge_method="S256",
    )
    # Record how each request authenticated the client.
    seen = []

    def record(resp, *_args, **_kwargs):
        req = resp.request
        body = req.body or ""
        if isinstance(body, bytes):
            body = body.decode()
        form = dict(parse_qsl(body))
        seen.append(
            {
                "path": urlsplit(req.url).path,
                "status": resp.status_code,
                "basic": req.headers.get("Authorization", "").startswith("Basic "),
                "secret_in_body": "client_secret" in form,
                "grant_type": form.get("grant_type"),
            }
        )

    client.hooks["response"].append(record)

    verifier = generate_token(64)
    auth_url, state = client.create_authorization_url(
        doc["authorization_endpoint"], code_verifier=verifier
    )
    auth_query = dict(parse_qsl(urlsplit(auth_url).query))
    check(auth_query.get("code_challenge_method") == "S256", f"no S256 challenge in {auth_url}")

    # The person's browser: the login page, then the form posted back with
    # the page's cookie; the answer is a redirect to the client.
    browser = requests.Session()
    page = browser.get(auth_url, timeout=TIMEOUT)
    check(page.status_code == 200, f"login page: HTTP {page.status_code}: {page.text[:300]}")
    form = LoginForm()
    form.feed(page.text)
    check(form.action is not None, "the login page has no form")
    fields = form.hidden + [
        ("username", cfg["username"]),
        ("password", cfg["password"]),
        ("action", "approve"),
    ]
    posted = browser.post(
        urljoin(page.url, form.action),
        data=fields,
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    check(
        posted.status_code in (302, 303),
        f"login: HTTP {posted.status_code}: {posted.text[:300]}",
    )
    callback = posted.headers["Location"]
    cb = dict(parse_qsl(urlsplit(callback).query))

    # Authlib's state check is live: a callback with another state is
    # refused before any token request (so the code is still unused).
    # OAuth2Session does not keep the state create_authorization_url made:
    # it checks the one passed here (without it, it checks nothing).
    parts = urlsplit(callback)
    forged = urlunsplit(parts._replace(query=urlencode(dict(cb, state="forged-state"))))
    try:
        client.fetch_token(
            doc["token_endpoint"],
            authorization_response=forged,
            state=state,
            code_verifier=verifier,
        )
        state_mismatch_rejected = False
    except MismatchingStateException:
        state_mismatch_rejected = True
    check(not seen, f"a forged callback reached the server: {seen}")

    token = client.fetch_token(
        doc["token_endpoint"],
        authorization_response=callback,
        state=state,
        code_verifier=verifier,
    )
    first_access = token["access_token"]
    refresh_token = token["refresh_token"]

    refreshed = client.refresh_token(doc["token_endpoint"], refresh_token=refresh_token)

    intro_before = client.introspect_token(
        doc["introspection_endpoint"], token=refreshed["access_token"]
    ).json()

    revoked = client.revoke_token(
        doc["revocation_endpoint"], token=refresh_token, token_type_hint="refresh_token"
    )

    try:
        client.refresh_token(doc["token_endpoint"], refresh_token=refresh_token)
        refresh_after_revoke = "accepted"
    except OAuthError as e:
        refresh_after_revoke = e.error

    intro_refresh_after = client.introspect_token(
        doc["introspection_endpoint"], token=refresh_token, token_type_hint="refresh_token"
    ).json()
    intro_access_after = client.introspect_token(
        doc["introspection_endpoint"], token=refreshed["access_token"]
    ).json()

    return {
        "peer": "authlib",
        "version": authlib.__version__,
        "auth_method": method,
        "authorize_params": sorted(auth_query),
        "callback": {k: cb.get(k) for k in ("state", "iss")},
        "state_matches": cb.get("state") == state,
        "has_code": bool(cb.get("code")),
        "state_mismatch_rejected": state_mismatch_rejected,
        "token": {
            "token_type": token.get("token_type"),
            "scope": token.get("scope"),
            "expires_in": token.get("expires_in"),
            "has_access_token": bool(first_access),
            "has_refresh_token": bool(refresh_token),
        },
        "refreshed": {
            "token_type": refreshed.get("token_type"),
            "scope": refreshed.get("scope"),
            "new_access_token": refreshed["access_token"] != first_access,
        },
        "introspect_before_revoke": intro_before,
        "revoke_status": revoked.status_code,
        "refresh_after_revoke": refresh_after_revoke,
        "introspect_refresh_after_revoke": intro_refresh_after,
        "introspect_access_after_revoke": intro_access_after,
        "requests": seen,
    }


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("metadata", "flow"):
        fail("usage: authlib_flow.py metadata|flow '<json config>'")
    cfg = json.loads(sys.argv[2])
    try:
        out = metadata(cfg) if sys.argv[1] == "metadata" else flow(cfg)
    except (requests.RequestException, OAuthError, KeyError, ValueError) as e:
        fail(f"{type(e).__name__}: {e}")
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main()
