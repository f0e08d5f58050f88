"""Security pieces of the web app: headers (CSP), CSRF double-submit tokens, body size limits,
per-client token-bucket rate limits, slow password hashing, random tokens.

The middleware is pure ASGI (no BaseHTTPMiddleware) so that it adds little per request."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = [
    "CSP",
    "CSRF_COOKIE",
    "DOCS_CSP",
    "REPORT_CSP",
    "WORKSPACE_COOKIE",
    "RateLimiter",
    "SecurityMiddleware",
    "csrf_ok",
    "digest",
    "hash_secret",
    "new_token",
    "verify_secret",
]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
#: FastAPI's /docs page loads Swagger UI from a CDN and runs an inline script.
#: Swagger UI (vendored in static/swagger) sets inline styles; scripts stay 'self' only.
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
#: The printable match report carries its own print styles inline (still no scripts).
REPORT_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
CSRF_COOKIE = "tm_csrf"
WORKSPACE_COOKIE = "tm_ws"

_log = logging.getLogger("trialmatch.web.access")
_err = logging.getLogger("trialmatch.web")
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def new_token() -> str:
    """A random, URL-safe token with 256 bits of entropy."""
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """SHA-256 hex digest: how tokens are stored (a leaked table gives no usable tokens)."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_secret(secret: str) -> str:
    """scrypt hash of a password or passcode: ``scrypt$n$r$p$salt$hash`` (hex)."""
    salt = secrets.token_bytes(16)
    h = hashlib.scrypt(secret.encode("utf-8"), salt=salt, dklen=32, maxmem=64 * 1024 * 1024, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${h.hex()}"


def verify_secret(secret: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, h = stored.split("$")
        got = hashlib.scrypt(
            secret.encode("utf-8")[:1024],
            salt=bytes.fromhex(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(h) // 2,
            maxmem=64 * 1024 * 1024,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), h)


def csrf_ok(cookie: str | None, submitted: str | None) -> bool:
    return bool(cookie) and bool(submitted) and hmac.compare_digest(str(cookie), str(submitted))


class RateLimiter:
    """In-memory token buckets per (bucket name, client key): ``rate`` tokens per second up to
    ``burst``. Thread-safe; the table is pruned when it grows."""

    def __init__(self, rates: dict[str, tuple[float, float]] | None = None) -> None:
        self.rates = {"form": (0.5, 10.0), "match": (0.5, 10.0), "passcode": (0.05, 5.0), "api": (20.0, 60.0)}
        self.rates.update(rates or {})
        self._b: dict[tuple[str, str], tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, bucket: str, key: str, cost: float = 1.0) -> bool:
        rate, burst = self.rates.get(bucket, (1.0, 10.0))
        now = time.monotonic()
        with self._lock:
            tokens, last = self._b.get((bucket, key), (burst, now))
            tokens = min(burst, tokens + (now - last) * rate)
            ok = tokens >= cost
            self._b[(bucket, key)] = (tokens - cost if ok else tokens, now)
            if len(self._b) > 50_000:
                self._b = {k: v for k, v in self._b.items() if now - v[1] < 3600}
        return ok


def _cookie(headers: list[tuple[bytes, bytes]], name: str) -> str | None:
    for k, v in headers:
        if k == b"cookie":
            for part in v.decode("latin-1").split(";"):
                key, _, val = part.strip().partition("=")
                if key == name:
                    return val
    return None


class SecurityMiddleware:
    """Adds security headers, issues the CSRF cookie, caps request bodies."""

    def __init__(
        self,
        app: ASGIApp,
        max_body: int = 5 * 1024 * 1024,
        secure_cookies: bool = False,
        access_log: bool = False,
    ) -> None:
        self.app = app
        self.access_log = access_log
        self.max_body = max_body
        self.secure = secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope.get("headers") or []
        for k, v in headers:
            if k == b"content-length":
                try:
                    too_big = int(v) > self.max_body
                except ValueError:
                    too_big = True
                if too_big:
                    await _plain(send, 413, "Request body too large.")
                    return
        csrf = _cookie(headers, CSRF_COOKIE)
        new_csrf = None
        if not csrf or len(csrf) < 20 or len(csrf) > 100:
            new_csrf = csrf = new_token()
        scope.setdefault("state", {})["csrf"] = csrf
        path = scope.get("path", "")
        csp = DOCS_CSP if path in ("/docs", "/redoc") else REPORT_CSP if path == "/match/report" else CSP
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            msg = await receive()
            if msg.get("type") == "http.request":
                received += len(msg.get("body", b""))
                if received > self.max_body:
                    raise _TooBig()
            return msg

        started = False

        async def wrapped_send(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
                if self.access_log:  # method, path and status only: queries and bodies may be private
                    _log.info("%s %s %s", scope.get("method"), path[:200], msg.get("status"))
                h = list(msg.get("headers") or [])
                h += [
                    (b"content-security-policy", csp.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                    (b"permissions-policy", b"geolocation=(), camera=(), microphone=()"),
                ]
                if new_csrf:
                    attrs = "; Path=/; SameSite=Lax; HttpOnly" + ("; Secure" if self.secure else "")
                    h.append((b"set-cookie", f"{CSRF_COOKIE}={new_csrf}{attrs}".encode()))
                msg["headers"] = h
            await send(msg)

        try:
            await self.app(scope, limited_receive, wrapped_send)
        except _TooBig:
            if not started:
                await _plain(send, 413, "Request body too large.")
        except Exception as exc:
            # The kind of error and the path only: messages and tracebacks can quote patient data.
            _err.error("internal error on %s %s: %s", scope.get("method"), path[:200], type(exc).__name__)
            if not started:
                if path.startswith("/api/"):
                    await _plain(send, 500, '{"detail": "internal error"}', b"application/json")
                else:
                    await _plain(send, 500, _ERROR_PAGE, b"text/html; charset=utf-8")


class _TooBig(Exception):
    pass


_ERROR_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    "<title>Something went wrong · TrialMatch</title>"
    '<link rel="stylesheet" href="/static/style.css"></head><body><main id="main" class="wrap">'
    "<h1>Something went wrong</h1><p>Please try again later.</p>"
    '<p><a href="/">Back to the search page</a></p></main></body></html>'
)


async def _plain(send: Send, status: int, text: str, ctype: bytes = b"text/plain; charset=utf-8") -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", ctype),
                (b"content-security-policy", CSP.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": text.encode()})
