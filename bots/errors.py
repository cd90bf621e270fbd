"""Bot error classes, on the project's one error tree (`core.errors`).

* `PortalTransient` (a `TransientError`): timeout, HTTP 5xx, maintenance page, expired
  session.  The engine logs in again and retries with exponential backoff within the
  portal's retry budget; when the budget is spent the error propagates so the queue retries.
* `PortalBusinessError` (a `PermanentError`): the portal rejected the data (unknown PO,
  closed PO, unknown item...).  Retrying cannot help: a human must look (review task).
* `RecipeBroken` (a `PermanentError`): an expected element is missing - the portal
  changed its pages.  The recipe is disabled (circuit breaker) until someone resets it;
  other recipes keep running.  `RecipeDisabled` is raised for tasks of a disabled recipe.
"""
from __future__ import annotations

from core.errors import PermanentError, TransientError


class PortalTransient(TransientError):
    kind = "portal_transient"


class PortalTimeout(PortalTransient):
    kind = "portal_timeout"


class PortalServerError(PortalTransient):
    kind = "portal_5xx"


class PortalMaintenance(PortalTransient):
    kind = "portal_maintenance"


class SessionExpired(PortalTransient):
    kind = "session_expired"


class PortalBusinessError(PermanentError):
    """The portal refused the data; `message` is the portal's own text."""

    kind = "portal_business"


class PortalLoginFailed(PermanentError):
    kind = "portal_login_failed"


class RecipeBroken(PermanentError):
    kind = "recipe_broken"


class RecipeDisabled(PermanentError):
    kind = "recipe_disabled"


class UnknownRecipe(PermanentError):
    kind = "unknown_recipe"
