"""The HTML of the browser authorization: plain forms, every value escaped, no scripts."""

from __future__ import annotations

from html import escape

from litestar import Response

HTML = "text/html"  # Litestar adds "; charset=utf-8"

# No scripts, no frames (clickjacking on the consent page), no caching, no referrer leaking
# the query string to other sites.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem;color:#222}"
    "label{display:block;margin:.8rem 0 .2rem}input[type=email],input[type=password]{width:100%;"
    "padding:.4rem;box-sizing:border-box}button{margin:1rem .5rem 0 0;padding:.5rem 1.2rem}"
    ".error{color:#a00}code{background:#f3f3f3;padding:0 .2rem}"
)


def _page(title: str, body: str, status: int = 200) -> Response[str]:
    html = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width"><style>{_STYLE}</style></head>'
        f"<body><h1>{escape(title)}</h1>{body}</body></html>"
    )
    return Response(content=html, status_code=status, media_type=HTML, headers=dict(SECURITY_HEADERS))


def sign_in_page(
    client_name: str, csrf: str, error: str | None = None, email: str = "", *, retry_after: int | None = None
) -> Response[str]:
    """The sign-in form; 401 with an error, 429 (with ``Retry-After``) when the sign-in must wait."""
    problem = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    page = _page(
        "Sign in to crmlink",
        f"<p><strong>{escape(client_name)}</strong> asks to access your crmlink data.</p>{problem}"
        '<form method="post" action="/oauth/v2/auth/signin">'
        f'<input type="hidden" name="csrf_token" value="{escape(csrf)}">'
        '<label for="email">Email</label>'
        '<input id="email" name="email" type="email" autocomplete="username" required'
        f' value="{escape(email)}">'
        '<label for="password">Password</label>'
        '<input id="password" name="password" type="password" autocomplete="current-password" required>'
        '<button id="sign-in" type="submit">Sign in</button></form>',
        429 if retry_after is not None else 401 if error else 200,
    )
    if retry_after is not None:
        page.headers["Retry-After"] = str(retry_after)
    return page


def consent_page(client_name: str, email: str, scopes: list[str], csrf: str) -> Response[str]:
    items = "".join(f"<li><code>{escape(s)}</code></li>" for s in scopes)
    return _page(
        "Allow access?",
        f"<p>Signed in as <strong>{escape(email)}</strong>.</p>"
        f"<p><strong>{escape(client_name)}</strong> asks for:</p><ul>{items}</ul>"
        '<form method="post" action="/oauth/v2/auth/consent">'
        f'<input type="hidden" name="csrf_token" value="{escape(csrf)}">'
        '<button id="accept" type="submit" name="decision" value="allow">Accept</button>'
        '<button id="reject" type="submit" name="decision" value="deny">Reject</button></form>',
    )


def error_page(message: str, status: int) -> Response[str]:
    return _page("Authorization failed", f'<p class="error" role="alert">{escape(message)}</p>', status)


def demo_callback_page(code: str | None, error: str | None) -> Response[str]:
    if code:
        body = (
            "<p>The grant token (single use, valid a few minutes):</p>"
            f'<p><code id="code">{escape(code)}</code></p>'
            "<p>Exchange it at <code>POST /oauth/v2/token</code> with "
            "<code>grant_type=authorization_code</code>, "
            "the client id and secret, and this page's URL as <code>redirect_uri</code>.</p>"
        )
    else:
        body = f'<p class="error" role="alert">No code: {escape(error or "nothing received")}.</p>'
    return _page("crmlink demo callback", body)
