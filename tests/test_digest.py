"""scanner.digest: SHA-256 as hashlib computes it, without loading OpenSSL's binding."""

from __future__ import annotations

import hashlib
import subprocess
import sys

from scanner.digest import sha256


def test_digests_are_hashlibs() -> None:
    data = "ccpolicy \x1f CCP101 \x1f é".encode()
    assert sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()
    incremental = sha256(b"ccpolicy")
    incremental.update(b" cache")
    assert incremental.digest() == hashlib.sha256(b"ccpolicy cache").digest()
    assert sha256(b"abc").hexdigest() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_importing_it_leaves_openssl_unloaded() -> None:
    program = "import sys, scanner.digest; print(sorted({'_hashlib', 'hashlib'} & set(sys.modules)))"
    completed = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert completed.stdout == "[]\n"
