"""Every URL route of the project, classified, with what it takes to call it.

The isolation walker and the query-count suite read routes from here, so a new page or API
operation is covered by both without new test code. A route this module cannot classify or
build is reported by `uncovered()`, which fails the walker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from partnerhub.tenancy.api.viewsets import TenantAPIView, TenantViewSetMixin
from partnerhub.tenancy.portal import TenantListView, TenantView
from partnerhub.tenancy.scoping import TenantScopedModel
from tests import factories

# Routes outside tenant scope, each with the reason. Everything else must live under the tenant
# portal (/t/<tenant_slug>/) or the API (/api/v1/).
PUBLIC_ROUTES = {
    "": "home: redirects a signed-in user to one of their own tenants",
    "healthz": "liveness probe, no data",
    "invite/": "invitation links: the signed token is the credential (tests/tenancy/test_invitations.py)",
    "auth/": "django-allauth: the signed-in user's own account (login, password, 2FA)",
    "admin/": "Django admin: operators (superusers) only",
    "api/schema/": "the OpenAPI document, no tenant data",
    "api/docs/": "interactive API docs page, no tenant data",
    "l/": (
        "a running program's co-branded landing page, its thank-you page and logos: no sign-in by "
        "design; shows only its copy and the vendor's and partner's names and logos, one 404 for any "
        "unknown or stopped address, rate-limited per IP (tests/leads/test_landing.py)"
    ),
}
PORTAL_PREFIX = "t/<slug:tenant_slug>/"
API_PREFIX = "api/v1/"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


@dataclass
class Route:
    pattern: str
    name: str | None
    callback: object
    kwargs: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"/{self.pattern} ({self.name})"

    @property
    def is_public(self) -> bool:
        return any(
            self.pattern == prefix if prefix in ("", "healthz") else self.pattern.startswith(prefix)
            for prefix in PUBLIC_ROUTES
        )

    @property
    def is_portal(self) -> bool:
        return self.pattern.startswith(PORTAL_PREFIX)

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith(API_PREFIX)

    @property
    def view_class(self):
        return getattr(self.callback, "view_class", None) or getattr(self.callback, "cls", None)

    @property
    def methods(self) -> list[str]:
        actions = getattr(self.callback, "actions", None)
        if actions:  # a DRF viewset route: the router says which methods map to which action
            return [method for method in actions if method in HTTP_METHODS]
        return [method for method in HTTP_METHODS if hasattr(self.view_class, method)]

    @property
    def object_kwargs(self) -> list[str]:
        return [name for name in self.kwargs if name != "tenant_slug"]

    @property
    def is_list(self) -> bool:
        view = self.view_class
        if self.is_api:
            return getattr(self.callback, "actions", {}).get("get") == "list"
        return (
            isinstance(view, type) and issubclass(view, TenantListView) and view.queryset_selector is not None
        )

    def model_for(self, kwarg: str):
        """The model whose id a URL keyword carries: `pk` is the viewset's model, `<name>_id` the
        tenant-owned model named <name> (underscores dropped: api_key_id → ApiKey)."""
        if kwarg == "pk":
            return self.view_class.serializer_class.Meta.model
        if kwarg.endswith("_id"):
            return tenant_models().get(kwarg[:-3].replace("_", ""))
        return None


def tenant_models() -> dict[str, type[TenantScopedModel]]:
    return {
        model._meta.model_name: model
        for model in apps.get_models()
        if issubclass(model, TenantScopedModel) and not model._meta.abstract
    }


def factory_for(model):
    return getattr(factories, f"{model.__name__}Factory", None)


def _route_kwargs(pattern) -> list[str]:
    converters = getattr(pattern, "converters", None)
    if converters is not None:
        return list(converters)
    return list(re.compile(str(pattern)).groupindex)


def all_routes(resolver: URLResolver | None = None, prefix: str = "", namespace: str = "") -> list[Route]:
    resolver = resolver or get_resolver()
    routes = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern).lstrip("^").rstrip("$").replace("\\Z", "")
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            nested = all_routes(entry, route, inner)
            kwargs = _route_kwargs(entry.pattern)
            for child in nested:
                child.kwargs = kwargs + [name for name in child.kwargs if name not in kwargs]
            routes.extend(nested)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else None
            routes.append(Route(route, name, entry.callback, _route_kwargs(entry.pattern)))
    return routes


def uncovered(routes: list[Route]) -> list[str]:
    """Why each route that escapes the walker escapes it; empty when every route is covered."""
    problems = []
    for route in routes:
        if route.is_public:
            continue
        if not (route.is_portal or route.is_api):
            problems.append(
                f"{route}: neither under /{PORTAL_PREFIX} nor /{API_PREFIX}; "
                "move it, or add it to PUBLIC_ROUTES with the reason"
            )
            continue
        if route.name is None:
            problems.append(f"{route}: has no URL name, so the walker cannot build it")
        view = route.view_class
        base = (TenantViewSetMixin, TenantAPIView) if route.is_api else (TenantView,)
        if not (isinstance(view, type) and issubclass(view, base)):
            problems.append(f"{route}: {view} does not inherit {' or '.join(b.__name__ for b in base)}")
        if not route.methods:
            problems.append(f"{route}: no HTTP method found to call")
        for kwarg in route.object_kwargs:
            model = route.model_for(kwarg)
            if model is None:
                problems.append(f"{route}: URL keyword {kwarg!r} names no tenant-owned model")
            elif factory_for(model) is None:
                problems.append(f"{route}: no {model.__name__}Factory in tests/factories.py")
    return problems


def owned_by_partner(model, tenant, partner):
    """A row of `model` that belongs to `partner` (what its partner users may see)."""
    factory = factory_for(model)
    if hasattr(factory, "for_partner"):
        return factory.for_partner(tenant=tenant, partner=partner)
    path = model.partner_scope
    if path is None:  # staff-only rows: a partner user sees none of them
        return factory(tenant=tenant)
    if path == "id":
        return partner
    if path.endswith("_id") and "__" not in path:
        return factory(tenant=tenant, **{path[: -len("_id")]: partner})
    raise AssertionError(f"{model.__name__}Factory needs a for_partner(tenant=, partner=) classmethod")
