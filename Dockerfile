# LearnLoop runtime image: Airflow 3 + dbt + DuckDB + Great Expectations, exactly as pinned
# in requirements.lock. Used by docker-compose.yml for every Airflow component.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LEARNLOOP_HOME=/opt/learnloop/home \
    AIRFLOW_HOME=/opt/airflow \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/learnloop/app/dags \
    AIRFLOW__CORE__LOAD_EXAMPLES=False

# Airflow's conventional uid, so files on shared volumes have a predictable owner.
RUN useradd --uid 50000 --user-group --create-home --home-dir /home/learnloop learnloop \
    && mkdir -p /opt/learnloop/app /opt/learnloop/home/warehouse /opt/airflow/logs \
    && chown -R learnloop:learnloop /opt/learnloop/home /opt/airflow

WORKDIR /opt/learnloop/app

# The lock alone first: this layer (the slow one) is rebuilt only when the pins change.
# It includes the PostgreSQL drivers (psycopg2, asyncpg) for Airflow's metadata database and
# the Celery provider with its Redis client for the `celery` compose profile.
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock

COPY . ./
# Dependencies are already installed from the lock; only register the package and its CLI.
RUN pip install --no-cache-dir --no-deps -e . \
    && chown -R learnloop:learnloop /opt/learnloop/app/dbt_project
# dbt writes target/ and logs/ inside dbt_project/, so only that folder is writable at runtime.

USER learnloop
CMD ["learnloop", "--help"]
