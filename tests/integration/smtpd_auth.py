"""A relay like the region's: Debian's aiosmtpd requiring STARTTLS, then AUTH (PLAIN/LOGIN) with
one account, storing accepted mail in a maildir. Used by the integration tests through
harness.SmtpServer(auth=...); runs until SIGTERM.

usage: smtpd_auth.py PORT MAILDIR CERT KEY USER PASSWORD_FILE
"""
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword


def main():
    port, maildir, cert, key, user, password_file = sys.argv[1:7]
    with open(password_file, "rb") as f:
        password = f.read().rstrip(b"\r\n")
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == user.encode() \
            and auth_data.password == password
        print(f"auth {mechanism} {'ok' if ok else 'refused'}", flush=True)
        return AuthResult(success=ok, handled=False)  # not handled: aiosmtpd answers 235 or 535

    controller = Controller(Mailbox(maildir), hostname="127.0.0.1", port=int(port), tls_context=ctx,
                            require_starttls=True, auth_required=True, auth_require_tls=True,
                            authenticator=authenticator)
    controller.start()
    print("ready", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
