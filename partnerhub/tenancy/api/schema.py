"""OpenAPI descriptions of the authentication schemes (drf-spectacular extensions)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "partnerhub.tenancy.api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A tenant API key (created by a tenant admin in Settings → API keys).",
        }


class TenantSessionScheme(OpenApiAuthenticationExtension):
    target_class = "partnerhub.tenancy.api.authentication.TenantSessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "A portal session; the tenant is the X-Tenant header or the one last opened.",
        }
