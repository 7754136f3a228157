"""Headers every response of the classroom server carries, and the websocket's origin check.

- `X-Content-Type-Options: nosniff`: a browser never guesses a type (a JSON error is never run as a page);
- `X-Frame-Options: DENY` and CSP `frame-ancestors 'none'`: no other site can frame a page (clickjacking);
- a Content-Security-Policy that Solara's pages pass: everything from this server only; Vue and Vega
  compile templates and expressions at run time, so scripts need 'unsafe-eval', and Solara's page has
  inline scripts and styles;
- `Referrer-Policy: no-referrer`: a page's address never leaves in a Referer header;
- `Cache-Control: no-store` on the API: a shared computer keeps no player's view.
A websocket opened from another site's page (its `Origin` names another host) is refused, so a page
elsewhere cannot drive a teacher's or a player's session.
"""

from __future__ import annotations

from urllib.parse import urlsplit

CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", CSP.encode()),
    (b"referrer-policy", b"no-referrer"),
]


def _header(scope, name: bytes) -> str:
    return next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == name), "")


class SecurityHeaders:
    """Pure ASGI middleware (it wraps websockets too, which Starlette's BaseHTTPMiddleware does not)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket":
            origin = _header(scope, b"origin")
            host = _header(scope, b"x-forwarded-host") or _header(scope, b"host")
            if origin and urlsplit(origin).netloc != host:
                await send({"type": "websocket.close", "code": 1008})
                return
            return await self.app(scope, receive, send)
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        api = scope["path"].startswith("/api/")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in HEADERS if k not in names]
                if api:
                    extra.append((b"cache-control", b"no-store"))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
