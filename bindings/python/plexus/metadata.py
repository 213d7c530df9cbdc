"""`Network.metadata`: the model's own key-value strings, as a live dict-like view."""
from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from . import _capi
from ._capi import lib
from .errors import ArgumentError, check
from .handle import OwnedHandle

__all__ = ["Metadata"]


def _utf8(value: object, what: str) -> bytes:
    if not isinstance(value, str):
        raise ArgumentError(f"metadata {what}s are str, got {type(value).__name__}")
    if "\0" in value:
        raise ArgumentError(f"a metadata {what} may not contain NUL characters")
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ArgumentError(f"the metadata {what} {value[:64]!r} is not valid Unicode text ({error.reason})") from None


class Metadata(MutableMapping[str, str]):
    """The network's metadata (units, feature names, a dataset's version), saved in its model
    file and read by every language: a mapping of str to str kept in the library, in key order.
    Keys starting with ``plexus.`` are reserved, but for ``plexus.classes`` (the class names of
    the outputs as a JSON array, which ``Network.classes`` reads and writes and the library
    checks against the network); the limits are the C API's (a key of 1..256
    UTF-8 bytes, a value of at most 65536, at most 256 entries, 1 MiB in all). A missing key
    raises KeyError; a refused one ArgumentError, the metadata unchanged."""

    def __init__(self, network: OwnedHandle):
        self._network = network

    def _has(self, encoded: bytes) -> bool:
        """Whether the key is set: asking its value's size fails only for a key the net lacks
        (the key is valid UTF-8 without NUL and the handle open, both checked before)."""
        return int(lib.plexus_get_metadata(self._network.handle, encoded, None, 0, None)) == 0

    def __getitem__(self, key: str) -> str:
        encoded = _utf8(key, "key")
        if not self._has(encoded):
            raise KeyError(key)
        status, value = _capi.metadata_text(lib.plexus_get_metadata, self._network.handle, encoded)
        check(status)
        return value

    def __setitem__(self, key: str, value: str) -> None:
        check(lib.plexus_set_metadata(self._network.handle, _utf8(key, "key"), _utf8(value, "value")))

    def __delitem__(self, key: str) -> None:
        encoded = _utf8(key, "key")
        if not self._has(encoded):
            raise KeyError(key)
        check(lib.plexus_set_metadata(self._network.handle, encoded, None))

    def _keys(self) -> list[str]:
        status, count = _capi.metadata_count(self._network.handle)
        check(status)
        keys = []
        for index in range(count):
            status, key = _capi.metadata_text(lib.plexus_metadata_key_at, self._network.handle, index)
            check(status)
            keys.append(key)
        return keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys())

    def __len__(self) -> int:
        status, count = _capi.metadata_count(self._network.handle)
        check(status)
        return count

    def __repr__(self) -> str:
        return f"Metadata({dict(self.items())!r})"
