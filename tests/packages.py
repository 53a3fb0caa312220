"""Reading the play catalog in tests: a play's master package and what a package resolves to."""

from plays.models import ActivationPackage, PlayKind
from plays.selectors import package_resolved

LANDING = "landing_page"
NURTURE = "nurture_sequence"
QUALIFICATION = "qualification_logic"
TRACKING = "tracking"


def master_of(tenant, kind=PlayKind.ACCELERATION) -> ActivationPackage:
    return ActivationPackage.objects.get(tenant=tenant, play__kind=kind, parent__isnull=True)


def effective(tenant, package) -> dict[str, str]:
    package = ActivationPackage.objects.get(id=package.id)
    return {row.key: row.content for row in package_resolved(tenant=tenant, package=package)}


def overridden(tenant, package) -> set[str]:
    package = ActivationPackage.objects.get(id=package.id)
    return {row.key for row in package_resolved(tenant=tenant, package=package) if row.overridden}
