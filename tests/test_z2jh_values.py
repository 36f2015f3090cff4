"""The class hub's Kubernetes values (classroom/kubernetes/values.yaml) against the Zero to JupyterHub chart's schema.

Helm validates the chart's defaults merged with the user's values, so the tests do the same with the chart's
values.yaml and schema of the version the README names (tests/data/z2jh/SOURCE.md says where they come from).
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "z2jh"
VALUES = ROOT / "classroom" / "kubernetes" / "values.yaml"
SOCKET_FOLDER = "/run/course-engine"


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
def chart_values(values) -> dict:
    return merged(yaml.safe_load((DATA / "values.yaml").read_text()), values)


def errors(schema: dict, chart_values: dict) -> list[str]:
    validator = jsonschema.Draft7Validator(schema)
    return [f"{'.'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
            for e in validator.iter_errors(chart_values)]


def engine_of(values: dict) -> dict:
    (engine,) = [c for c in values["singleuser"]["extraContainers"] if c["name"] == "engine"]
    return engine


def test_values_pass_the_chart_schema(schema, chart_values):
    assert errors(schema, chart_values) == []


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
        "COURSE_SETUP": "private-engine",
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


def test_log_in_is_the_class_code_with_an_admin(values):
    hub = values["hub"]
    assert hub["config"]["JupyterHub"]["authenticator_class"] == "shared-password"
    assert hub["config"]["Authenticator"]["admin_users"]
    # The passwords come from a Secret at start, never from this file.
    assert "SharedPasswordAuthenticator" not in hub["config"]
    assert 'user_password = os.environ["CLASS_CODE"]' in hub["extraConfig"]["class-code"]
    assert hub["extraEnv"]["CLASS_CODE"]["valueFrom"]["secretKeyRef"]


def test_the_class_table_is_a_service_only_admins_reach(values):
    hub = values["hub"]
    assert "url" in hub["services"]["class-table"]
    assert "admin" not in hub["services"]["class-table"]
    access = "access:services!service=class-table"
    granted_to = [role for role in hub["loadRoles"].values() if access in role["scopes"]]
    assert [set(role.get("users", [])) for role in granted_to] == [set(hub["config"]["Authenticator"]["admin_users"])]
    assert not any(role.get("groups") for role in granted_to)

    (table,) = [c for c in hub["extraContainers"] if c["name"] == "class-table"]
    env = {e["name"]: e for e in table["env"]}
    assert env["JUPYTERHUB_API_TOKEN"]["valueFrom"]["secretKeyRef"]["key"] == "hub.services.class-table.apiToken"
    # The class folder (with the class key) is on the hub's own volume, which no learner's pod mounts.
    (class_folder,) = [m for m in table["volumeMounts"] if m["mountPath"] == env["CLASS_HOME"]["value"]]
    assert class_folder["name"] == "pvc"
    assert "CLASS_HOME" not in json.dumps(values["singleuser"])
