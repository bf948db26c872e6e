# The Airflow image of the VTEX integration: Airflow, the providers and this project,
# installed with the pinned constraints. Every Airflow service in docker-compose.yaml runs it.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    AIRFLOW_HOME=/opt/airflow \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/airflow/dags \
    AIRFLOW__CORE__LOAD_EXAMPLES=False

RUN groupadd --gid 50000 airflow \
    && useradd --uid 50000 --gid airflow --home-dir /opt/airflow --create-home airflow

WORKDIR /opt/airflow/project

# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml constraints.txt ./
COPY plugins ./plugins
COPY include ./include
COPY README.md* ./
RUN pip install -c constraints.txt . \
    && airflow providers list >/dev/null

COPY airflow_settings.yaml ./
COPY dags /opt/airflow/dags

RUN mkdir -p /opt/airflow/logs /opt/airflow/auth /opt/airflow/sandbox && chown -R airflow:airflow /opt/airflow
USER airflow
WORKDIR /opt/airflow
