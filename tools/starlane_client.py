#!/usr/bin/env python3
"""A Starlane client in plain Python: the signing format of docs/PROTOCOL.md,
implemented from the document, to prove a client in any language can talk to a node.

Needs the `cryptography` package (Ed25519). Usage:
  starlane_client.py example                       print the worked example of docs/PROTOCOL.md
  starlane_client.py push URL PID Name=Value... [--data D] [--nonce N] [--seed HEX] [--wait]
  starlane_client.py state URL PID [KEY...]
  starlane_client.py stream URL PID [--from SLOT] [--count N]
"""
import base64
import hashlib
import http.client
import json
import sys
import urllib.parse

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def netstring(text: str) -> bytes:
    data = text.encode()
    return str(len(data)).encode() + b":" + data + b","


def signing_bytes(kind, target, key, nonce, tags, data) -> bytes:
    out = b"starlane-message/1\n" + netstring(kind) + netstring(target) + netstring(key) + netstring(nonce)
    out += netstring(str(len(tags)))
    for name, value in tags:
        out += netstring(name) + netstring(value)
    return out + netstring(data)


class Key:
    def __init__(self, seed: bytes):
        self.private = Ed25519PrivateKey.from_private_bytes(seed)
        raw = self.private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.public = b64url(raw)
        self.address = b64url(hashlib.sha256(raw).digest())

    def sign(self, kind, target, nonce, tags, data):
        payload = signing_bytes(kind, target, self.public, nonce, tags, data)
        return {
            "id": b64url(hashlib.sha256(payload).digest()),
            "body": {
                "nonce": nonce,
                "tags": [{"name": n, "value": v} for n, v in tags],
                "data": data,
                "key": self.public,
                "signature": b64url(self.private.sign(payload)),
            },
        }


class Client:
    def __init__(self, url: str):
        parts = urllib.parse.urlsplit(url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port or 8734, timeout=30)

    def request(self, method, path, body=None, headers=None):
        payload = json.dumps(body).encode() if body is not None else None
        self.connection.request(method, path, body=payload, headers=headers or {"Content-Type": "application/json"})
        response = self.connection.getresponse()
        return response.status, response.read().decode()

    def push(self, key, pid, tags, data="", nonce="1", wait=False):
        signed = key.sign("push", pid, nonce, tags, data)
        return self.request("POST", f"/{pid}/push" + ("?wait=result" if wait else ""), signed["body"])

    def state(self, pid, path=()):
        return self.request("GET", "/" + "/".join([pid, "now", *path]))

    def stream(self, pid, start=None, count=None, last_event_id=None):
        """Yields (id, event, data) from the stream, parsed as text/event-stream."""
        headers = {"Accept": "text/event-stream"}
        if last_event_id:
            headers["Last-Event-ID"] = last_event_id
        self.connection.request("GET", f"/{pid}/stream" + (f"?from={start}" if start is not None else ""), headers=headers)
        response = self.connection.getresponse()
        if response.status != 200:
            raise RuntimeError(f"stream refused: {response.status} {response.read().decode()}")
        event, seen = {"data": []}, 0
        while True:
            line = response.fp.readline()
            if not line:
                return
            line = line.decode().rstrip("\r\n")
            if line == "":
                if event["data"] or "event" in event:
                    if event.get("event") != "open":
                        yield event.get("id"), event.get("event", "message"), "\n".join(event["data"])
                        seen += 1
                        if count is not None and seen >= count:
                            return
                event = {"data": []}
            elif line.startswith(":"):
                continue
            else:
                field, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if field == "data":
                    event["data"].append(value)
                elif field in ("id", "event"):
                    event[field] = value


def example():
    key = Key(bytes(range(32)))
    tags = [("Action", "Say"), ("Text", "hi \u2604")]
    signed = key.sign("push", "t6Q9Ae7pm9cO9Xo5Xx8aUj0X9B2oVqhr5YJcb3AmG0U", "1", tags, '{"n":1}')
    print(json.dumps({"address": key.address, "key": key.public, "id": signed["id"],
                      "signature": signed["body"]["signature"]}, sort_keys=True))


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    command, args = argv[0], argv[1:]
    if command == "example":
        example()
        return 0
    options, positional = {}, []
    i = 0
    while i < len(args):
        if args[i] in ("--data", "--nonce", "--seed", "--from", "--count"):
            options[args[i][2:]] = args[i + 1]
            i += 2
        elif args[i] == "--wait":
            options["wait"] = True
            i += 1
        else:
            positional.append(args[i])
            i += 1
    client = Client(positional[0])
    if command == "push":
        key = Key(bytes.fromhex(options.get("seed", "11" * 32)))
        tags = [tuple(pair.split("=", 1)) for pair in positional[2:]]
        status, body = client.push(key, positional[1], tags, options.get("data", ""), options.get("nonce", "1"),
                                   options.get("wait", False))
        print(status, body)
        return 0 if status == 200 else 1
    if command == "state":
        status, body = client.state(positional[1], positional[2:])
        print(status, body)
        return 0 if status == 200 else 1
    if command == "stream":
        count = int(options["count"]) if "count" in options else None
        start = int(options["from"]) if "from" in options else None
        for event_id, kind, data in client.stream(positional[1], start, count):
            print(json.dumps({"id": event_id, "event": kind, "data": data}, sort_keys=True), flush=True)
        return 0
    print(f"unknown command {command}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
