"""Which web domain a lead's company has: the one given, else the email's. Addresses at free-mail
providers say nothing about the company, so they never match a target account."""

from django.core.exceptions import ValidationError

from accounts.domains import normalize_domain

# The one list of free-mail domains. Small on purpose: the providers that most personal
# addresses are at; a business domain is never in it.
FREE_MAIL_DOMAINS = frozenset(
    {
        "aol.com",
        "gmail.com",
        "googlemail.com",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "hotmail.com",
        "icloud.com",
        "live.com",
        "mail.com",
        "mail.ru",
        "me.com",
        "msn.com",
        "outlook.com",
        "proton.me",
        "protonmail.com",
        "qq.com",
        "t-online.de",
        "web.de",
        "yahoo.com",
        "yandex.ru",
        "zoho.com",
    }
)


def is_free_mail(domain: str) -> bool:
    return domain in FREE_MAIL_DOMAINS


def company_domain(*, email: str, web_domain: str = "") -> str:
    """The company's domain: `web_domain` normalized (it must be a domain: ValidationError), else the
    email's; "" when that is a free-mail provider's (a given free-mail web domain too)."""
    if web_domain:
        domain = normalize_domain(web_domain)
    else:
        try:
            domain = normalize_domain(email)
        except ValidationError:  # an address at a host that is no web domain (`x@localhost`)
            return ""
    return "" if is_free_mail(domain) else domain


def parent_domains(domain: str) -> list[str]:
    """`eu.sales.acme.com` → [`eu.sales.acme.com`, `sales.acme.com`, `acme.com`]: an address at a
    subdomain belongs to the company of the domain above it."""
    labels = domain.split(".")
    return [".".join(labels[index:]) for index in range(len(labels) - 1)] if domain else []


def prefix_range(prefix: str) -> tuple[str, str]:
    """The strings starting with `prefix` as a range, `prefix` <= s < upper, in the "C" collation
    (code points): unlike LIKE, a range is an index condition under row-level security, its
    operators being leakproof. `moc.emca.` → (`moc.emca.`, `moc.emca/`)."""
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)
