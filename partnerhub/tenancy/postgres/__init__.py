"""The PostgreSQL backend with the tenant wall: `DATABASES["default"]["ENGINE"]` names this package."""
