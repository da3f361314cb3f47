"""A client library for ClickSend's REST API v3 MMS endpoints: the generated client plus the hand-written SDK.

``clicksend_mms`` lives in two folders: generated/clicksend_mms/ (what `make generate` writes: ``api``,
``models``, ``client``, ``types``, ``errors`` and the codec runtime ``codecs``) and sdk/clicksend_mms/ (this file
and every hand-written module). Only this folder has an ``__init__.py``; extending ``__path__`` with every other
``clicksend_mms`` folder on ``sys.path`` makes ``clicksend_mms.api`` and ``clicksend_mms.models`` resolve into
generated/ in a checkout. In a wheel both folders are merged into one and the line finds nothing more to add.
"""

import pkgutil
from typing import TYPE_CHECKING

# First, before any submodule import below: they resolve through __path__.
__path__ = pkgutil.extend_path(__path__, __name__)

from .async_facade import AsyncClickSend
from .bulk import BatchFailure, BulkSendError
from .client import AuthenticatedClient, Client
from .codecs import WireFormatError  # what a generated model's from_dict raises on a wire no variant explains
from .config import Settings
from .exceptions import (
    APIError,
    AuthenticationError,
    ClickSendError,
    ConfigurationError,
    ForbiddenError,
    InvalidRequestError,
    LocalFileError,
    NotFoundError,
    RateLimitedError,
    RecordingError,
    ServerError,
    TransportError,
    UnexpectedResponseError,
    ValidationError,
)
from .facade import ClickSend
from .journal import DuplicateTagError, JournalError, JournalLockedError
from .reconcile import ReconcilePolicy, UnknownFateError
from .results import rejected
from .retry import RetryPolicy
from .send_account import SendAccount, SendCancelled, SendInterrupted

if TYPE_CHECKING:
    __version__: str
else:

    def __getattr__(name: str) -> str:
        # The installed distribution's version (pyproject.toml is its one source), read when first asked for:
        # importlib.metadata costs more to import than most of the client.
        if name == "__version__":
            from importlib.metadata import PackageNotFoundError, version

            try:
                globals()[name] = value = version("clicksend-mms")
            except PackageNotFoundError:  # a source tree on sys.path that was never installed
                value = "0+unknown"
            return value
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# What was needed only to set the package up is not part of its API (`dir(clicksend_mms)` shows the API).
del pkgutil, TYPE_CHECKING


__all__ = (
    "APIError",
    "AsyncClickSend",
    "AuthenticatedClient",
    "AuthenticationError",
    "BatchFailure",
    "BulkSendError",
    "ClickSend",
    "ClickSendError",
    "Client",
    "ConfigurationError",
    "DuplicateTagError",
    "ForbiddenError",
    "InvalidRequestError",
    "JournalError",
    "JournalLockedError",
    "LocalFileError",
    "NotFoundError",
    "RateLimitedError",
    "ReconcilePolicy",
    "RecordingError",
    "RetryPolicy",
    "SendAccount",
    "SendCancelled",
    "SendInterrupted",
    "ServerError",
    "Settings",
    "TransportError",
    "UnexpectedResponseError",
    "UnknownFateError",
    "ValidationError",
    "WireFormatError",
    "rejected",
)
