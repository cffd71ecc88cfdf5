"""docker/ checked without docker: the Dockerfile by hadolint and by its shape, compose.yaml and
.env.example against the settings the code reads."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from config.preflight import PRODUCTION_REQUIRED

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
APP_SERVICES = {"web": "start-web.sh", "worker": "start-worker.sh", "beat": "start-beat.sh"}
COMPOSE_VARIABLE = re.compile(r"\$\{([A-Z][A-Z0-9_]*)")


def settings_read() -> set[str]:
    """The environment variables config/settings*.py read (env.str("NAME", ...), env.int(...), ...)."""
    names = set()
    for path in (ROOT / "config").glob("settings*.py"):
        names |= set(
            re.findall(
                r"\.(?:str|int|bool|float|list|dict|email_url)\(\s*\"([A-Z][A-Z0-9_]*)\"", path.read_text()
            )
        )
    return names


def start_scripts_read() -> set[str]:
    return {
        name
        for path in DOCKER.glob("*.sh")
        for name in re.findall(r"\$\{([A-Z][A-Z0-9_]*)", path.read_text())
    }


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DOCKER / "compose.yaml").read_text())


def env_example() -> dict[str, str]:
    """NAME -> value of docker/.env.example, the optional settings (commented out) included."""
    lines = (DOCKER / ".env.example").read_text().splitlines()
    return dict(
        re.fullmatch(r"#? ?([A-Z][A-Z0-9_]*)=(.*)", line).groups()
        for line in lines
        if re.fullmatch(r"#? ?[A-Z][A-Z0-9_]*=.*", line)
    )


def test_the_settings_parser_sees_the_settings():
    assert {
        "DATABASE_URL",
        "SECRET_KEY",
        "MESSAGING_GATEWAY_CONNECT_TIMEOUT_SECONDS",
        "POSTROOM_VAR_DIR",
    } <= settings_read()


def test_compose_runs_the_app_roles_beside_postgres_redis_and_an_s3_store(compose):
    assert set(compose["services"]) == {*APP_SERVICES, "postgres", "redis", "s3", "s3-bucket"}
    for name, script in APP_SERVICES.items():
        service = compose["services"][name]
        assert service["command"] == [f"/app/docker/{script}"]
        assert service["build"] == {"context": "..", "dockerfile": "docker/Dockerfile"}
        assert service["env_file"] == [".env"]
    assert compose["services"]["web"]["ports"] == ["8000:8000"]
    assert compose["services"]["beat"]["healthcheck"] == {"disable": True}
    assert "inspect ping" in compose["services"]["worker"]["healthcheck"]["test"][1]


def test_web_worker_and_beat_share_one_environment(compose):
    environments = [compose["services"][name]["environment"] for name in APP_SERVICES]
    assert environments[0] and all(env == environments[0] for env in environments)


def test_every_variable_compose_sets_is_one_the_settings_read(compose):
    environment = compose["services"]["web"]["environment"]
    assert set(environment) - settings_read() == set()


def test_every_setting_without_a_safe_default_is_set(compose):
    environment = compose["services"]["web"]["environment"]
    assert set(PRODUCTION_REQUIRED) <= set(environment)
    assert environment["STORAGE_BACKEND"] == "s3"
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "EMAIL_URL", "AWS_SECRET_ACCESS_KEY"):
        assert environment[name] == f"${{{name}:?set {name} in docker/.env}}"  # compose stops without it


def test_the_apps_wait_for_healthy_services_and_the_created_bucket(compose):
    app = compose["services"]["web"]
    assert app["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
        "s3-bucket": {"condition": "service_completed_successfully"},
    }
    for name in ("postgres", "redis"):
        assert compose["services"][name]["healthcheck"]["test"]
    bucket = compose["services"]["s3-bucket"]
    assert 'mc mb --ignore-existing "store/$$BUCKET"' in bucket["entrypoint"][-1]
    assert bucket["environment"]["BUCKET"] == app["environment"]["AWS_STORAGE_BUCKET_NAME"]
    assert app["environment"]["AWS_S3_ENDPOINT_URL"] == "http://s3:9000"


def test_every_image_is_pinned(compose):
    for name, service in compose["services"].items():
        if name in APP_SERVICES:
            continue
        image, _, tag = service["image"].partition(":")
        assert tag and tag != "latest", name


def test_env_example_lists_every_setting_and_nothing_else(compose):
    listed = set(env_example())
    interpolated = set(COMPOSE_VARIABLE.findall((DOCKER / "compose.yaml").read_text()))
    assert settings_read() - listed == set()
    assert start_scripts_read() - listed == set()
    assert interpolated - listed == set()
    assert listed - settings_read() - start_scripts_read() - interpolated == set()


def test_env_example_leaves_the_required_secrets_to_fill_in():
    example = env_example()
    for name in ("SECRET_KEY", "POSTGRES_PASSWORD", "AWS_SECRET_ACCESS_KEY", "EMAIL_URL"):
        assert example[name] == "", name
    assert example["TRUSTED_PROXY_COUNT"] == "1"


def test_hadolint_finds_nothing_in_the_dockerfile():
    hadolint = shutil.which("hadolint") or str(Path(__import__("sys").executable).parent / "hadolint")
    done = subprocess.run([hadolint, str(DOCKER / "Dockerfile")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def _stages() -> list[str]:
    return re.split(r"^(?=FROM )", (DOCKER / "Dockerfile").read_text(), flags=re.M)[1:]


def test_the_dockerfile_builds_in_a_builder_stage_and_runs_unprivileged_without_compilers():
    builder, final = _stages()
    assert builder.startswith("FROM python:3.11-slim AS builder")
    assert "COPY pyproject.toml" in builder and "/opt/venv/bin/pip install --no-cache-dir ." in builder
    assert final.startswith("FROM python:3.11-slim\n")
    assert "COPY --from=builder /opt/venv /opt/venv" in final
    assert "apt-get" not in final and "build-essential" not in final
    assert "manage.py collectstatic" in final
    assert re.search(r"^USER 1000$", final, re.M)
    assert re.search(r"^HEALTHCHECK .*\n.*/healthz", final, re.M)
    assert 'ENTRYPOINT ["/app/docker/entrypoint.sh"]' in final


def test_the_start_scripts_are_executable():
    for path in DOCKER.glob("*.sh"):
        assert path.stat().st_mode & 0o111, path
