"""The one digest of a file's bytes that the run cache and the test index's memo both keep.

They must agree: the index's memo is checked against the digests the cache already took. BLAKE2
is built into CPython; hashlib would load OpenSSL first, a fifth of an unchanged run.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hashlib import blake2b as Digest


def new_digest() -> Digest:
    try:
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - an interpreter built without it
        from hashlib import blake2b
    return blake2b(digest_size=32)


def digest_of(data: bytes) -> str:
    one = new_digest()
    one.update(data)
    return one.hexdigest()
