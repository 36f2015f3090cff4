"""The class hub's Kubernetes values (classroom/kubernetes/values.yaml) against the Zero to JupyterHub chart's schema.

Helm validates the chart's defaults merged with the user's values, so the tests do the same with the chart's
values.yaml and schema of the version the README names (tests/data/z2jh/SOURCE.md says where they come from),
and with what the README's `helm upgrade` adds by --set-file: the class's log-in, classroom/authenticator.py.
"""
from __future__ import annotations

import asyncio
import copy
import inspect
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import pytest
import yaml
from jupyterhub.authenticators.shared import SharedPasswordAuthenticator
from traitlets.config import Config

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "z2jh"
VALUES = ROOT / "classroom" / "kubernetes" / "values.yaml"
AUTHENTICATOR = ROOT / "classroom" / "authenticator.py"
SOCKET_FOLDER = "/run/course-engine"
# What the README's `helm upgrade` adds: --set-file hub.extraFiles.class-authenticator.stringData=...
SET_FILE = {"hub": {"extraFiles": {"class-authenticator": {"stringData": AUTHENTICATOR.read_text()}}}}
HUB_VOLUME = "/srv/jupyterhub"        # where the chart mounts the hub's PVC (hub.db.type sqlite-pvc)


def merged(defaults: dict, overrides: dict) -> dict:
    """Helm's merge of user values over chart defaults: maps merge key by key, anything else replaces, null deletes."""
    result = copy.deepcopy(defaults)
    for key, value in overrides.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads((DATA / "values.schema.json").read_text())


@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load(VALUES.read_text())


@pytest.fixture(scope="module")
def chart_defaults() -> dict:
    return yaml.safe_load((DATA / "values.yaml").read_text())


@pytest.fixture(scope="module")
def chart_values(chart_defaults, values) -> dict:
    """The values Helm validates at install: the chart's defaults, this file, then the README's --set-file."""
    return merged(merged(chart_defaults, values), SET_FILE)


def errors(schema: dict, chart_values: dict) -> list[str]:
    validator = jsonschema.Draft7Validator(schema)
    return [f"{'.'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
            for e in validator.iter_errors(chart_values)]


def engine_of(values: dict) -> dict:
    (engine,) = [c for c in values["singleuser"]["extraContainers"] if c["name"] == "engine"]
    return engine


def test_values_pass_the_chart_schema(schema, chart_values):
    assert errors(schema, chart_values) == []


def test_without_the_set_file_the_install_is_refused(schema, chart_defaults, values):
    """The authenticator's content comes only from --set-file; Helm refuses the file alone, so it cannot be forgotten."""
    assert any(e.startswith("hub.extraFiles.class-authenticator:")
               for e in errors(schema, merged(chart_defaults, values)))


def test_a_misspelt_key_is_refused(schema, chart_values):
    broken = copy.deepcopy(chart_values)
    broken["singleuser"]["extraContainer"] = broken["singleuser"].pop("extraContainers")
    assert any("'extraContainer' was unexpected" in e for e in errors(schema, broken))


def test_a_wrong_type_is_refused(schema, chart_values):
    broken = copy.deepcopy(chart_values)
    broken["cull"]["timeout"] = "one hour"
    assert any(e.startswith("cull.timeout:") for e in errors(schema, broken))


def test_learners_get_the_course_image_started_by_jupyterhub_singleuser(values):
    singleuser = values["singleuser"]
    assert singleuser["image"]["name"].endswith("/docker-volumes-course/course")
    assert singleuser["image"]["tag"]
    assert singleuser["cmd"] == "jupyterhub-singleuser"
    assert singleuser["extraEnv"] == {
        "DOCKER_HOST": f"unix://{SOCKET_FOLDER}/docker.sock",
        "LABCHECK_WORKSPACE": "/workspace",
        "LABCHECK_HOME": "/course/progress",
        "COURSE_SETUP": "class-hub",
    }


def test_the_engine_is_a_privileged_sidecar_sharing_the_socket_folder_and_workspace(values):
    singleuser = values["singleuser"]
    engine = engine_of(values)
    assert engine["image"].split(":")[0].endswith("/docker-volumes-course/engine")
    assert engine["securityContext"]["privileged"] is True
    assert f"--host=unix://{SOCKET_FOLDER}/docker.sock" in engine["args"]
    assert not any(a.startswith("--host=tcp") for a in engine["args"])

    storage = singleuser["storage"]
    (socket_volume,) = [v for v in storage["extraVolumes"] if "emptyDir" in v]
    engine_mounts = {m["mountPath"]: m for m in engine["volumeMounts"]}
    notebook_mounts = {m["mountPath"]: m for m in storage["extraVolumeMounts"]}
    assert engine_mounts[SOCKET_FOLDER]["name"] == notebook_mounts[SOCKET_FOLDER]["name"] == socket_volume["name"]

    # The notebook container's workspace is the PVC's home mount; the engine mounts the same folder of it.
    pvc = storage["dynamic"]["volumeNameTemplate"]
    assert storage["homeMountPath"] == "/workspace"
    assert engine_mounts["/workspace"] == {"name": pvc, "mountPath": "/workspace",
                                           "subPath": storage["dynamic"]["subPath"]}


def test_each_learner_has_a_pvc_for_workspace_progress_notebooks_and_engine(values):
    storage = values["singleuser"]["storage"]
    pvc = storage["dynamic"]["volumeNameTemplate"]
    assert storage["type"] == "dynamic"
    assert storage["capacity"].endswith("Gi")
    on_pvc = {m["mountPath"] for m in storage["extraVolumeMounts"] + engine_of(values)["volumeMounts"]
              if m["name"] == pvc}
    assert {"/course/progress", "/course/labs", "/var/lib/docker", "/workspace"} <= on_pvc
    sub_paths = [m["subPath"] for m in storage["extraVolumeMounts"] + engine_of(values)["volumeMounts"]
                 if m["name"] == pvc and m["mountPath"] != "/workspace"]
    assert len(sub_paths) == len(set(sub_paths)), "two mounts share one folder of the PVC"


def test_idle_servers_are_culled(values):
    assert values["cull"]["enabled"] is True
    assert 0 < values["cull"]["timeout"] <= 4 * 3600


def test_resources_are_set_for_notebook_and_engine(values):
    singleuser = values["singleuser"]
    assert singleuser["memory"]["guarantee"] and singleuser["memory"]["limit"]
    assert singleuser["cpu"]["guarantee"] and singleuser["cpu"]["limit"]
    assert set(engine_of(values)["resources"]) == {"requests", "limits"}


CODE, ADMIN_PASSWORD = "vol-2026", "a" * 40


@pytest.fixture
def hub(chart_values, tmp_path, monkeypatch):
    """The hub's config after the chart runs hub.extraConfig (`hub.config`), with each hub.extraFiles file placed
    where it is mounted; the mount folders move under `hub.root` (tmp_path), in the files and in extraConfig."""
    hub_values = chart_values["hub"]
    code = "\n".join(hub_values["extraConfig"][key] for key in sorted(hub_values["extraConfig"]))
    for file in hub_values["extraFiles"].values():
        folder = str(Path(file["mountPath"]).parent)
        assert folder in code, f"extraConfig never looks in {folder}, where {file['mountPath']} is mounted"
        code = code.replace(folder, str(tmp_path / folder.lstrip("/")))
        mounted = tmp_path / file["mountPath"].lstrip("/")
        mounted.parent.mkdir(parents=True, exist_ok=True)
        mounted.write_text(file["stringData"])
    # The Secret's values, as the hub's extraEnv gives them.
    assert {"CLASS_CODE", "CLASS_ADMIN_PASSWORD"} <= set(hub_values["extraEnv"])
    monkeypatch.setenv("CLASS_CODE", CODE)
    monkeypatch.setenv("CLASS_ADMIN_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.setattr(sys, "path", list(sys.path))
    c = Config()
    # hub.config first, as the chart loads it before extraConfig.
    for section, settings in hub_values["config"].items():
        c[section].update(settings)
    try:
        exec(compile(code, "hub.extraConfig", "exec"), {"c": c})
        yield SimpleNamespace(config=c, root=tmp_path)
    finally:
        # Forget the modules imported from the mounted files, so the next test imports its own copy.
        for name, module in list(sys.modules.items()):
            if str(getattr(module, "__file__", None) or "").startswith(str(tmp_path)):
                del sys.modules[name]


def test_log_in_is_the_class_login_mounted_from_classroom(values, chart_values, hub):
    hub_config, values = hub.config, values["hub"]
    # The class's log-in, not the chart's default `dummy` nor the stock shared-password one.
    assert "authenticator_class" not in chart_values["hub"]["config"]["JupyterHub"]
    authenticator_class = hub_config.JupyterHub.authenticator_class
    assert authenticator_class.__name__ == "ClassCodeAuthenticator"
    assert issubclass(authenticator_class, SharedPasswordAuthenticator)
    # ...imported from the mounted copy of classroom/authenticator.py, given by --set-file, not kept here.
    (file,) = values["extraFiles"].values()
    assert Path(inspect.getfile(authenticator_class)) == hub.root / file["mountPath"].lstrip("/")
    assert "stringData" not in file and "data" not in file
    assert "ClassCodeAuthenticator" not in json.dumps(values["config"])

    settings = hub_config.ClassCodeAuthenticator
    assert settings.admin_users == {"instructor"} and settings.allow_all is True
    assert settings.username_pattern == r"^[a-z0-9][a-z0-9._-]{0,31}$"
    # The passwords come from the Secret at start, never from this file.
    assert (settings.user_password, settings.admin_password) == (CODE, ADMIN_PASSWORD)
    assert values["extraEnv"]["CLASS_CODE"]["valueFrom"]["secretKeyRef"]["key"] == "class-code"
    assert CODE not in VALUES.read_text()


def test_learners_own_passwords_are_kept_on_the_hubs_volume(chart_values, hub):
    """The hub's PVC, mounted whole at /srv/jupyterhub: the hashes survive a hub restart, no learner's pod sees them."""
    db = chart_values["hub"]["db"]
    assert db["type"] == "sqlite-pvc" and not db["pvc"].get("subPath")
    assert Path(hub.config.ClassCodeAuthenticator.learners_file).parent == Path(HUB_VOLUME)
    assert HUB_VOLUME not in json.dumps(chart_values["singleuser"])


def test_the_mounted_log_in_asks_each_learner_for_their_own_password(hub, tmp_path):
    hub.config.ClassCodeAuthenticator.learners_file = str(tmp_path / "learners.json")
    authenticator = hub.config.JupyterHub.authenticator_class(config=hub.config)

    def log_in(name, password, own=""):
        found = asyncio.run(authenticator.authenticate(None, {"username": name, "password": password, "otp": own}))
        return found and (found["name"], found["admin"])
    assert log_in("alice", CODE, "alice-pass") == ("alice", False)
    assert log_in("alice", CODE, "not-alices") is None        # the class code alone does not open alice's server
    assert log_in("instructor", ADMIN_PASSWORD) == ("instructor", True)


def test_the_class_table_is_a_service_only_admins_reach(values, hub):
    admins = hub.config.ClassCodeAuthenticator.admin_users
    hub = values["hub"]
    assert "url" in hub["services"]["class-table"]
    assert "admin" not in hub["services"]["class-table"]
    access = "access:services!service=class-table"
    granted_to = [role for role in hub["loadRoles"].values() if access in role["scopes"]]
    assert [set(role.get("users", [])) for role in granted_to] == [admins]
    assert not any(role.get("groups") for role in granted_to)

    (table,) = [c for c in hub["extraContainers"] if c["name"] == "class-table"]
    env = {e["name"]: e for e in table["env"]}
    assert env["JUPYTERHUB_API_TOKEN"]["valueFrom"]["secretKeyRef"]["key"] == "hub.services.class-table.apiToken"
    # The class folder (with the class key) is on the hub's own volume, which no learner's pod mounts.
    (class_folder,) = [m for m in table["volumeMounts"] if m["mountPath"] == env["CLASS_HOME"]["value"]]
    assert class_folder["name"] == "pvc"
    assert "CLASS_HOME" not in json.dumps(values["singleuser"])
