"""The exchange error vocabulary: ccxt's own exception classes, re-exported.

Paper and live adapters raise the same classes, so the runtime handles both with one code
path. Only ``hedgetui/exchanges`` imports ccxt; everything above imports from here.
"""

from ccxt.base.errors import (
    AuthenticationError,
    BadRequest,
    BadSymbol,
    DDoSProtection,
    ExchangeError,
    ExchangeNotAvailable,
    InsufficientFunds,
    InvalidNonce,
    InvalidOrder,
    NetworkError,
    NotSupported,
    OperationFailed,
    OrderImmediatelyFillable,
    OrderNotFound,
    PermissionDenied,
    RateLimitExceeded,
    RequestTimeout,
)

# Worth retrying with backoff: the request may succeed later unchanged.
RETRYABLE: tuple[type[Exception], ...] = (NetworkError,)
# Retrying cannot help; the user or the config must change something.
FATAL_FOR_ACCOUNT: tuple[type[Exception], ...] = (AuthenticationError, PermissionDenied)

__all__ = [
    "AuthenticationError",
    "BadRequest",
    "BadSymbol",
    "DDoSProtection",
    "ExchangeError",
    "ExchangeNotAvailable",
    "FATAL_FOR_ACCOUNT",
    "InsufficientFunds",
    "InvalidNonce",
    "InvalidOrder",
    "NetworkError",
    "NotSupported",
    "OperationFailed",
    "OrderImmediatelyFillable",
    "OrderNotFound",
    "PermissionDenied",
    "RETRYABLE",
    "RateLimitExceeded",
    "RequestTimeout",
]
