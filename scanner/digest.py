"""SHA-256 from CPython's own implementation, without hashlib's OpenSSL binding.

`import hashlib` loads `_hashlib`, OpenSSL's binding, first: ~2.5 ms of every scan on CPython
3.11, where ccpolicy only ever hashes a few kilobytes (cache keys, fingerprints) and never needs
OpenSSL's speed. The built-in module gives the same digests; hashlib is the fallback for builds
without it.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hashlib import sha256
else:
    try:
        from _sha2 import sha256  # CPython 3.12 and later
    except ImportError:
        try:
            from _sha256 import sha256  # CPython 3.10 and 3.11
        except ImportError:
            from hashlib import sha256

__all__ = ["sha256"]
