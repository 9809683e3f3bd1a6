#!/usr/bin/env python3
"""A reference verifier of cfn agent tokens for an MCP service (Python 3 standard library only).

cfn hands each MCP service of a branch's stack (a service named `mcp-*` or in `[mcp_servers]`):

  CFN_TOKEN_AUDIENCE   the service's own name: a token's `aud` must be exactly this
  CFN_TOKEN_KEYS_FILE  a JSON file {"alg": "HS256", "audience": ..., "keys": [{"kid": ...,
                       "secret": <hex>}]} holding, for each key that may have signed a live
                       token, the key it derives for this service's audience (read-only mount;
                       it checks this service's tokens and signs none another server accepts)

and optionally the service is told the task it serves (`CFN_TOKEN_TASK`): then a token's
`task_id` must match. The keys file is read again whenever cfn replaced it (`cfn token rotate`
rewrites it at once), so a rotation is followed without a restart, and keys a
`cfn token rotate --drop-old-keys` dropped stop working at once.

Run as a tiny HTTP service:  verifier.py serve PORT [BIND]   (default bind 127.0.0.1)
  GET /health                          -> 200 ok
  any path, Authorization: Bearer TOK  -> 200 {"ok": true, "claims": {...}}
                                          401 {"ok": false, "reason": "..."}
Or check one token:          verifier.py check TOKEN        (exit 0 valid, 1 refused)

Revocations live in the issuing user's state database, which a container cannot read: keep
token lifetimes short (the loop issues them for the agent's timeout + 60 s).
"""

import base64
import hashlib
import hmac
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_TOKEN = 8 * 1024


class Refused(Exception):
    pass


def b64url(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def load_keys(path, audience):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if not isinstance(data, dict) or data.get("alg") != "HS256":
        raise Refused("the keys file is not for HS256")
    if data.get("audience") != audience:
        raise Refused(f"the keys file is for {data.get('audience')!r}, not {audience!r}")
    return {k["kid"]: bytes.fromhex(k["secret"]) for k in data["keys"]}


MAX_LIFETIME = 30 * 24 * 3600  # cfn never issues a longer-lived token
CLOCK_SLACK = 60
ROLES = {"implementer", "validator", "product-owner"}


def b64url_encode(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class Verifier:
    def __init__(self, audience, keys_file, task=None):
        self.audience, self.keys_file, self.task = audience, keys_file, task
        self.keys, self.stamp = load_keys(keys_file, audience), self.file_stamp()

    def file_stamp(self):
        st = os.stat(self.keys_file)
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def current_keys(self):
        """The keys, read again whenever cfn replaced the file (a rotation; after
        `cfn token rotate --drop-old-keys` the old keys must stop working at once)."""
        stamp = self.file_stamp()
        if stamp != self.stamp:
            self.keys, self.stamp = load_keys(self.keys_file, self.audience), stamp
        return self.keys

    def verify(self, token, now=None):
        """The token's claims, or Refused with the one-line reason."""
        if len(token) > MAX_TOKEN or token.count(".") != 2:
            raise Refused("malformed token")
        head, body, sig = token.split(".")
        try:
            header = json.loads(b64url(head))
            claims = json.loads(b64url(body))
            b64url(sig)  # the signature must at least decode
        except ValueError:
            raise Refused("malformed token")
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise Refused("malformed token")
        # Only HS256, whatever the token asks for (never "none").
        if header.get("alg") != "HS256":
            raise Refused("malformed token: not HS256")
        # Checked before the signature only for the reason it gives: these keys check this
        # audience's signatures alone, so a token for another server could not pass anyway.
        if claims.get("aud") != self.audience:
            raise Refused(f"wrong audience: the token is for {claims.get('aud')!r}, not {self.audience!r}")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise Refused("malformed token: no key id")
        keys = self.current_keys()
        if kid not in keys:
            raise Refused("bad signature: unknown key")
        # Compared as text: only the one canonical encoding of the signature is accepted.
        expected = hmac.new(keys[kid], f"{head}.{body}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(b64url_encode(expected), sig):
            raise Refused("bad signature")
        now = int(time.time()) if now is None else now
        exp, iat = claims.get("exp"), claims.get("iat")
        if not isinstance(exp, int) or not isinstance(iat, int) or isinstance(exp, bool) or isinstance(iat, bool):
            raise Refused("malformed token: exp and iat must be integers")
        if not isinstance(claims.get("jti"), str) or not isinstance(claims.get("sub"), str):
            raise Refused("malformed token: no jti or sub")
        if "role" in claims and claims["role"] is not None and claims["role"] not in ROLES:
            raise Refused("malformed token: unknown role")
        if now >= exp:
            raise Refused("expired")
        if iat > now + CLOCK_SLACK or exp - iat > MAX_LIFETIME:
            raise Refused("bad lifetime")
        if self.task is not None and claims.get("task_id") != self.task:
            raise Refused(f"another task: the token is for task {claims.get('task_id')!r}, not {self.task!r}")
        return claims


def from_env():
    return Verifier(
        os.environ["CFN_TOKEN_AUDIENCE"],
        os.environ["CFN_TOKEN_KEYS_FILE"],
        os.environ.get("CFN_TOKEN_TASK") or None,
    )


def serve(port, bind="127.0.0.1"):
    verifier = from_env()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/health":
                return self.answer(200, {"ok": True})
            auth = self.headers.get("Authorization", "")
            if not auth.startswith("Bearer "):
                return self.answer(401, {"ok": False, "reason": "no bearer token"})
            try:
                claims = verifier.verify(auth[len("Bearer "):].strip())
            except Refused as why:
                return self.answer(401, {"ok": False, "reason": str(why)})
            return self.answer(200, {"ok": True, "claims": claims})

        do_POST = do_GET

        def answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass  # never log requests: they carry tokens

    ThreadingHTTPServer((bind, port), Handler).serve_forever()


def main(argv):
    if len(argv) >= 2 and argv[0] == "serve":
        serve(int(argv[1]), argv[2] if len(argv) > 2 else "127.0.0.1")
    elif len(argv) == 2 and argv[0] == "check":
        try:
            print(json.dumps(from_env().verify(argv[1])))
        except Refused as why:
            print(f"refused: {why}", file=sys.stderr)
            return 1
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
