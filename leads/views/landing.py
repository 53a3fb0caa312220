"""The public, co-branded landing page of a program: `/l/<tenant slug>/<tracking code>/`.

No sign-in. What the page shows of the tenant is its own copy and the names and logos of the vendor
and the partner; an unknown tenant, an unknown code and a program that is not running all answer the
same 404. Requests are limited per client IP (django-ratelimit, in the Redis cache): page and logo
requests loosely, form posts per IP and program (settings.PARTNERHUB_LANDING_*_RATE); over the limit
the answer is a plain 429. CSRF protection applies as on every form.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django_ratelimit.core import get_usage

from leads.forms.landing import HONEYPOT, LandingForm
from leads.selectors.landing import landing_copy, landing_program, landing_tenant
from leads.services.landing import landing_consent_wording, landing_submit
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.logos import logo_content_type
from partnerhub.tenancy.portal import apply_service_error

# A logo's address changes with its file (`?v=`), so browsers and proxies may keep it for a year.
LOGO_MAX_AGE = 365 * 24 * 3600


def _rate_limited(request, group: str, rate: str):
    """None while the client is under `rate` in `group`, else the 429 answer."""
    usage = get_usage(request, group=group, key="ip", rate=rate, increment=True)
    if usage is None or not usage["should_limit"]:
        return None
    response = render(request, "leads/landing/too_many.html", status=429)
    response["Retry-After"] = str(max(usage["time_left"], 1))
    return response


class LandingView(View):
    """Resolves the page's address to the running program, inside its tenant, after the rate limit;
    the answer is rendered inside the tenant (no lazy template responses)."""

    def dispatch(self, request, tenant_ref: str, code: str, **kwargs):
        if request.method == "POST":
            group, rate = f"landing.post:{tenant_ref}:{code.lower()}", settings.PARTNERHUB_LANDING_POST_RATE
        else:
            group, rate = "landing.get", settings.PARTNERHUB_LANDING_GET_RATE
        limited = _rate_limited(request, group, rate)
        if limited is not None:
            return limited
        tenant = landing_tenant(slug=tenant_ref)
        if tenant is None:
            raise Http404
        with tenant_context(tenant):
            program = landing_program(tenant=tenant, code=code)
            if program is None:
                raise Http404
            self.tenant, self.program = tenant, program
            return super().dispatch(request, **kwargs)

    def page_context(self, **extra) -> dict:
        return {
            "vendor": self.tenant,
            "partner": self.program.partner,
            "vendor_logo": self.logo_url("vendor", self.tenant.logo),
            "partner_logo": self.logo_url("partner", self.program.partner.logo),
            **extra,
        }

    def logo_url(self, who: str, logo) -> str:
        """The logo's address, versioned by the random part of its file's name ("" without one)."""
        if not logo:
            return ""
        url = reverse("landing:landing_logo", args=(self.tenant.slug, self.program.tracking_code, who))
        return f"{url}?v={logo.name.rsplit('/', 1)[-1].split('.', 1)[0]}"


@method_decorator(never_cache, name="dispatch")
class LandingPageView(LandingView):
    template_name = "leads/landing/page.html"

    def form(self, data=None) -> LandingForm:
        wording = landing_consent_wording(tenant=self.tenant, program=self.program)
        return LandingForm(data, consent_wording=wording, query=None if data else self.request.GET)

    def render_form(self, form, status=200):
        context = self.page_context(form=form, copy=landing_copy(self.program))
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        return self.render_form(self.form())

    def post(self, request):
        thanks = reverse("landing:landing_thanks", args=(self.tenant.slug, self.program.tracking_code))
        if request.POST.get(HONEYPOT):
            landing_submit(tenant=self.tenant, program=self.program, data={}, honeypot=request.POST[HONEYPOT])
            return redirect(thanks)
        form = self.form(request.POST)
        if form.is_valid():
            try:
                landing_submit(tenant=self.tenant, program=self.program, data=form.cleaned_data)
            except (ServiceError, ValidationError) as exc:
                apply_service_error(form, exc)
            else:
                return redirect(thanks)
        return self.render_form(form, status=400)


@method_decorator(never_cache, name="dispatch")
class LandingThanksView(LandingView):
    def get(self, request):
        return render(request, "leads/landing/thanks.html", self.page_context())


class LandingLogoView(LandingView):
    """The vendor's or the partner's logo, streamed from storage (there is no public media URL)."""

    def get(self, request, who: str):
        owner = {"vendor": self.tenant, "partner": self.program.partner}.get(who)
        content_type = logo_content_type(owner.logo) if owner is not None and owner.logo else None
        if content_type is None:
            raise Http404
        response = FileResponse(owner.logo.open("rb"), content_type=content_type)
        patch_cache_control(response, public=True, max_age=LOGO_MAX_AGE, immutable=True)
        return response


# Mounted at /l/ by partnerhub/urls.py, outside the portal: tests/routes.py lists it as public.
urlpatterns = [
    path("<slug:tenant_ref>/<str:code>/", LandingPageView.as_view(), name="landing_page"),
    path("<slug:tenant_ref>/<str:code>/thanks/", LandingThanksView.as_view(), name="landing_thanks"),
    path("<slug:tenant_ref>/<str:code>/logo/<str:who>/", LandingLogoView.as_view(), name="landing_logo"),
]
