#!/usr/bin/env python3
"""Writes a Cosign-format encrypted private key (what `cosign generate-key-pair`
makes and `skopeo copy --sign-by-sigstore-private-key` reads) from a PKCS#8 PEM
private key, so tests can sign with skopeo without cosign installed.

The format (go-securesystemslib `encrypted`, as cosign uses it): a PEM block
"ENCRYPTED SIGSTORE PRIVATE KEY" around JSON
  {"kdf": {"name": "scrypt", "params": {"N": 32768, "r": 8, "p": 1}, "salt": b64},
   "cipher": {"name": "nacl/secretbox", "nonce": b64}, "ciphertext": b64}
where ciphertext = secretbox(PKCS#8 DER, key = scrypt(password, salt, N, r, p, 32)).

Usage: cosign_key.py PRIVATE.pem PASSWORD OUT.key
"""
import base64
import hashlib
import json
import os
import subprocess
import sys

import nacl.secret


def main():
    private_pem, password, out = sys.argv[1], sys.argv[2].encode(), sys.argv[3]
    der = subprocess.run(["openssl", "pkcs8", "-topk8", "-nocrypt", "-outform", "DER", "-in", private_pem],
                         check=True, capture_output=True).stdout
    salt = os.urandom(32)
    key = hashlib.scrypt(password, salt=salt, n=32768, r=8, p=1, dklen=32, maxmem=64 * 1024 * 1024)
    nonce = os.urandom(nacl.secret.SecretBox.NONCE_SIZE)
    sealed = nacl.secret.SecretBox(key).encrypt(der, nonce).ciphertext
    doc = {
        "kdf": {"name": "scrypt", "params": {"N": 32768, "r": 8, "p": 1},
                "salt": base64.b64encode(salt).decode()},
        "cipher": {"name": "nacl/secretbox", "nonce": base64.b64encode(nonce).decode()},
        "ciphertext": base64.b64encode(sealed).decode(),
    }
    body = base64.encodebytes(json.dumps(doc).encode()).decode()
    with open(out, "w") as f:
        f.write("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n" + body +
                "-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n")


if __name__ == "__main__":
    main()
