"""Security headers on every response.

The Content-Security-Policy allows no inline script (all behaviour lives in files under
``static/``); inline *style* attributes are allowed because matplotlib's inline SVG charts use them.
HSTS is only sent when the request came over HTTPS (directly or via a trusted proxy).

Behind a TLS proxy (docs/deploy.md) set ``NARANU_SECURE_COOKIES=1`` so the session and remember
cookies are ``Secure``, and ``PROXY_FIX`` (``NARANU_PROXY_FIX``) to the number of proxies in front
so that the client address (the login rate limit's key) and the scheme come from
``X-Forwarded-For`` / ``X-Forwarded-Proto``.  Without it every visitor shares the proxy's address
and one guesser would lock everyone out of the login page.
"""

from __future__ import annotations

from flask import Flask, Request, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


def add_security_headers(response: Response) -> Response:
    """Attach CSP, frame denial, nosniff, referrer policy and (over HTTPS) HSTS."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.path.startswith("/s/"):
        # Single-use links must not linger in shared caches or browser history snapshots.
        headers["Cache-Control"] = "no-store"
    elif "_user_id" in session and request.endpoint != "static":
        # Reports, exports and admin pages are for one account: no shared or disk cache may
        # keep them after sign-out (``in`` does not mark the session used: no Vary: Cookie).
        headers.setdefault("Cache-Control", "private, no-store")
    return response


class CookieSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, without the signing set-up when no cookie came.

    Staff answering a survey carry no cookie (survey.answering.forms), and on survey day those
    requests are nearly all of them; Flask would still build a signing serializer for each.
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def init_security(app: Flask) -> None:
    """Register the header hook, the cookie flags and (if configured) the proxy fix."""
    app.session_interface = CookieSessionInterface()
    secure = bool(app.config.get("SESSION_COOKIE_SECURE"))
    app.config["SESSION_COOKIE_SECURE"] = secure
    app.config["REMEMBER_COOKIE_SECURE"] = secure
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    if secure:
        app.config["PREFERRED_URL_SCHEME"] = "https"
    hops = proxy_hops(app)
    if hops:
        # Only the client address and the scheme are taken from the proxy.  A forwarded host
        # or path prefix would come from whatever the client sent (nginx passes unknown
        # headers on) and would end up in the links of pages shared by everyone.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_prefix=0)
    app.after_request(add_security_headers)


def proxy_hops(app: Flask) -> int:
    """How many trusted proxies stand in front (``PROXY_FIX``; 0 = none)."""
    return int(app.config.get("PROXY_FIX") or 0)
