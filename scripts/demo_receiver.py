#!/usr/bin/env python3
"""The demo's notification receiver: a webhook endpoint on 127.0.0.1 that
prints one line per notification sluice sends it (docs/notifications.md,
"Generic webhook": the body is the event as `-o json` prints it, the
X-Sluice-Event header names the notification). Started and stopped by
scripts/demo.sh; prints "listening on 127.0.0.1:PORT" first."""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (the name http.server calls)
        length = int(self.headers.get("Content-Length", "0") or "0")
        body = self.rfile.read(min(length, 1 << 20))
        try:
            event = json.loads(body)
        except ValueError:
            event = {}
        what = self.headers.get("X-Sluice-Event", "?")
        text = event.get("message") or event.get("meaning") or event.get("outcome") or ""
        print(f"notification {what}: rollout {event.get('rollout', '?')}, event {event.get('type', '?')}"
              + (f": {text}" if text else ""), flush=True)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):  # one line per notification, not per request
        pass


def main():
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    server.timeout = 5
    print(f"listening on 127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
