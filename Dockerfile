# Production image: gunicorn for the web, the same image runs the Celery worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=partnerhub.settings.base
WORKDIR /app

COPY pyproject.toml constraints.txt README.md ./
COPY partnerhub ./partnerhub
COPY accounts ./accounts
COPY plays ./plays
COPY mdf ./mdf
COPY leads ./leads
COPY reporting ./reporting
RUN pip install --no-cache-dir -c constraints.txt .

COPY . .
# Static files are collected into the image and served by WhiteNoise.
RUN DJANGO_SECRET_KEY=collectstatic-only DATABASE_URL=postgres://unused/unused REDIS_URL=redis://unused:6379 \
    python manage.py collectstatic --noinput

RUN useradd --create-home --uid 1000 partnerhub
USER partnerhub
EXPOSE 8000
CMD ["gunicorn", "partnerhub.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
