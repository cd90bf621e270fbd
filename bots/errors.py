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


# ---- what a portal page shows -> the error class --------------------------------------
# One judgement for a page rendered in the browser (`BasePage.check`) and for a result list
# fetched over HTTP (`bots.recipes.listing`).
def raise_for_login(url: str, where: str) -> None:
    """A redirect to the login page means the session expired."""
    if "/login" in url.split("?", 1)[0]:
        raise SessionExpired(f"session expired (redirected to login from {where})")


def raise_for_page(where: str, status: int, *, maintenance: bool, error: str | None,
                   body: str) -> None:
    """Maintenance page, HTTP 5xx, 401/403 (transient) or the portal's ``#error`` message
    (business error); nothing when the page is healthy."""
    if maintenance:
        raise PortalMaintenance("portal shows its maintenance page")
    if status >= 500:
        raise PortalServerError(f"portal answered HTTP {status} on {where}")
    if status in (401, 403):
        raise PortalTransient(f"portal refused the request (HTTP {status}) on {where}: {body}")
    if error is not None:
        raise PortalBusinessError(error)
