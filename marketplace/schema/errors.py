"""The market's mutations refuse with its codes and those of the lots and producers it
sells from."""

from accounts.error_codes import AccountsErrorCode
from backend.graphql.errors import error_type
from backend.graphql.mutations import app_mutation
from farms.error_codes import FarmsErrorCode
from marketplace.error_codes import MarketplaceErrorCode
from traceability.error_codes import TraceabilityErrorCode

MarketplaceError = error_type(
    "MarketplaceError",
    AccountsErrorCode,
    FarmsErrorCode,
    TraceabilityErrorCode,
    MarketplaceErrorCode,
)
MarketplaceMutation = app_mutation(MarketplaceError)
