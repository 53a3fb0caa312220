#!/bin/sh
# Run once by the postgres image on an empty data directory (docker-entrypoint-initdb.d), as the
# image's superuser. Creates the three roles of the database wall (docs/operations.md) and hands the
# database to the owner. Passwords come from the compose environment.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v owner_password="$PARTNERHUB_OWNER_PASSWORD" -v app_password="$PARTNERHUB_APP_PASSWORD" <<'SQL'
CREATE ROLE partnerhub_owner LOGIN CREATEDB BYPASSRLS NOSUPERUSER PASSWORD :'owner_password';
CREATE ROLE partnerhub_reader NOLOGIN NOSUPERUSER NOBYPASSRLS;
-- NOINHERIT: the reader's rights apply only to the statements that switch into it.
CREATE ROLE partnerhub_app LOGIN NOINHERIT NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE
    PASSWORD :'app_password';
GRANT partnerhub_reader TO partnerhub_app, partnerhub_owner;
ALTER DATABASE :"DBNAME" OWNER TO partnerhub_owner;
ALTER SCHEMA public OWNER TO partnerhub_owner;
SQL
