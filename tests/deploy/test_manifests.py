"""deploy/k8s: valid Kubernetes objects that agree with each other, with the image and with prefork's config.

No cluster runs here. Three checks that need none: the objects against the Kubernetes OpenAPI schemas
(kubernetes-validate, from PyPI, strict: an unknown or misspelt field fails), ``kubectl kustomize`` rendering the
kustomization (kubectl's ``apply``/``create --dry-run=client`` still ask a server for the API groups, so they
cannot run offline), and the invariants a schema cannot see, read with PyYAML: the shutdown timings against the
config's ``drain_delay`` and ``graceful_timeout``, the probes against ``health_path`` and the ports against
``bind`` and ``metrics_bind``.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from supervisor.config import load_file

yaml = pytest.importorskip("yaml", reason="PyPI: pyyaml (test extra)")

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
CONTAINERFILE = ROOT / "deploy" / "Containerfile"
CONTAINER_CONF = ROOT / "deploy" / "container.conf.py"
KUBECTL = shutil.which("kubectl")
MANIFESTS = ["configmap.yaml", "deployment.yaml", "service.yaml", "pdb.yaml"]


def load(name: str) -> dict:
    with open(K8S / name) as f:
        return yaml.safe_load(f)


@pytest.fixture(scope="module")
def objects() -> dict[str, dict]:
    return {name.removesuffix(".yaml"): load(name) for name in MANIFESTS}


@pytest.fixture(scope="module")
def settings(objects, tmp_path_factory) -> dict[str, object]:
    """prefork's settings as the pods read them: the ConfigMap's prefork.conf.py, through prefork's loader."""
    path = tmp_path_factory.mktemp("conf") / "prefork.conf.py"
    path.write_text(objects["configmap"]["data"]["prefork.conf.py"])
    return {name: value for name, (value, _) in load_file(str(path)).items()}


def pod(objects: dict[str, dict]) -> dict:
    return objects["deployment"]["spec"]["template"]


def container(objects: dict[str, dict]) -> dict:
    (only,) = pod(objects)["spec"]["containers"]
    return only


def port_of(address: object) -> int:
    return int(str(address).rpartition(":")[2])


def container_port(objects: dict[str, dict], port: int | str) -> int:
    """A probe's or Service's port: a number, or the name of one of the container's ports."""
    if isinstance(port, int):
        return port
    (number,) = [p["containerPort"] for p in container(objects)["ports"] if p["name"] == port]
    return number


def containerfile(keyword: str) -> str:
    text = re.sub(r"\\\n", " ", CONTAINERFILE.read_text())
    values = [line.split(None, 1)[1] for line in text.splitlines() if line.startswith(keyword + " ")]
    return values[-1]


# -- schemas and tools -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", MANIFESTS)
def test_each_object_is_valid_against_the_kubernetes_schema(name):
    kubernetes_validate = pytest.importorskip("kubernetes_validate", reason="PyPI: kubernetes-validate (test extra)")
    # strict: additional properties are errors, so a misspelt field (periodSecond) cannot pass unnoticed
    kubernetes_validate.validate(load(name), kubernetes_validate.latest_version(), strict=True)


def test_the_schema_check_catches_a_misspelt_field():
    kubernetes_validate = pytest.importorskip("kubernetes_validate", reason="PyPI: kubernetes-validate (test extra)")
    deployment = load("deployment.yaml")
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["periodSecond"] = 5
    with pytest.raises(kubernetes_validate.ValidationError, match="periodSecond"):
        kubernetes_validate.validate(deployment, kubernetes_validate.latest_version(), strict=True)


@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed (it is not in Debian or on PyPI)")
def test_kubectl_kustomize_renders_every_object():
    result = subprocess.run([KUBECTL, "kustomize", str(K8S)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    rendered = {(doc["kind"], doc["metadata"]["name"]) for doc in yaml.safe_load_all(result.stdout)}
    assert rendered == {
        ("ConfigMap", "prefork-config"),
        ("Deployment", "prefork-demo"),
        ("Service", "prefork-demo"),
        ("PodDisruptionBudget", "prefork-demo"),
    }


def test_the_kustomization_lists_every_manifest():
    assert load("kustomization.yaml")["resources"] == MANIFESTS
    assert sorted(p.name for p in K8S.glob("*.yaml")) == sorted([*MANIFESTS, "kustomization.yaml"])


# -- the config --------------------------------------------------------------------------------------------------


def test_the_configmap_holds_the_images_config_verbatim(objects):
    assert objects["configmap"]["data"]["prefork.conf.py"] == CONTAINER_CONF.read_text()


def test_the_configmap_replaces_the_config_file_the_entrypoint_reads(objects):
    entrypoint = json.loads(containerfile("ENTRYPOINT"))
    path = Path(entrypoint[entrypoint.index("-c") + 1])
    (mount,) = [m for m in container(objects)["volumeMounts"] if m["name"] == "config"]
    assert mount["mountPath"] == str(path.parent)
    (volume,) = [v for v in pod(objects)["spec"]["volumes"] if v["name"] == "config"]
    assert volume["configMap"]["name"] == objects["configmap"]["metadata"]["name"]
    assert path.name in objects["configmap"]["data"]
    assert "subPath" not in mount  # a subPath mount never sees the ConfigMap's updates


# -- the shutdown timings --------------------------------------------------------------------------------------


def test_the_grace_period_outlasts_the_drain(objects, settings):
    """SIGKILL comes terminationGracePeriodSeconds after TERM: prefork must be done before, drain delay included."""
    grace = pod(objects)["spec"]["terminationGracePeriodSeconds"]
    assert grace > settings["drain_delay"] + settings["graceful_timeout"]


def test_the_drain_delay_outlasts_the_readiness_probe(objects, settings):
    """The readiness probe must have failed (and the pod left the endpoints) before the listeners close."""
    probe = container(objects)["readinessProbe"]
    assert settings["drain_delay"] > probe["periodSeconds"] * probe["failureThreshold"] + probe["timeoutSeconds"]


def test_no_pre_stop_hook_delays_the_term(objects):
    """With drain_delay the app itself goes unready at TERM; a preStop sleep would only push TERM (and the 503)
    later and eat into the grace period."""
    assert "lifecycle" not in container(objects)


# -- probes, ports, labels -------------------------------------------------------------------------------------


def test_readiness_and_startup_probe_the_health_path_on_the_http_port(objects, settings):
    for probe in ("readinessProbe", "startupProbe"):
        check = container(objects)[probe]["httpGet"]
        assert check["path"] == settings["health_path"]
        assert container_port(objects, check["port"]) == port_of(settings["bind"][0])


def test_liveness_asks_the_master_not_the_health_path(objects, settings):
    """/healthz answers 503 while draining on purpose: a liveness probe there would kill a draining pod."""
    check = container(objects)["livenessProbe"]["httpGet"]
    assert check["path"] == "/metrics"
    assert container_port(objects, check["port"]) == port_of(settings["metrics_bind"])


def test_container_ports_match_the_config_and_the_image(objects, settings):
    ports = {p["name"]: p["containerPort"] for p in container(objects)["ports"]}
    assert ports == {"http": port_of(settings["bind"][0]), "metrics": port_of(settings["metrics_bind"])}
    assert containerfile("EXPOSE").split() == [str(ports["http"]), str(ports["metrics"])]


def test_prometheus_scrapes_the_metrics_port(objects, settings):
    annotations = pod(objects)["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert int(annotations["prometheus.io/port"]) == port_of(settings["metrics_bind"])
    assert annotations["prometheus.io/path"] == "/metrics"


def test_service_and_budget_select_the_pods(objects):
    labels = pod(objects)["metadata"]["labels"]
    assert objects["deployment"]["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert objects["pdb"]["spec"]["selector"]["matchLabels"].items() <= labels.items()
    service = objects["service"]["spec"]
    assert service["selector"].items() <= labels.items()
    (port,) = service["ports"]
    assert container_port(objects, port["targetPort"]) == container_port(objects, "http")


# -- resources and security ------------------------------------------------------------------------------------


def test_workers_follow_the_cpu_limit(objects, settings):
    """os.cpu_count() in a pod is the node's: the config reads PREFORK_WORKERS, set from limits.cpu."""
    (env,) = [e for e in container(objects)["env"] if e["name"] == "PREFORK_WORKERS"]
    field = env["valueFrom"]["resourceFieldRef"]
    assert (field["containerName"], field["resource"], field["divisor"]) == ("prefork", "limits.cpu", "1")
    assert 'os.environ.get("PREFORK_WORKERS")' in CONTAINER_CONF.read_text()
    resources = container(objects)["resources"]
    assert resources["requests"] == resources["limits"]  # Guaranteed QoS, whole CPUs
    assert float(resources["limits"]["cpu"]).is_integer()


def test_worker_recycling_comes_before_the_memory_limit(objects, settings):
    """Each worker is recycled at max_worker_memory; all of them at that size, plus the master, must fit under the
    limit, or the kernel's OOM killer ends the whole container instead."""
    limit = container(objects)["resources"]["limits"]
    workers = math.ceil(float(limit["cpu"]))
    memory_mb = int(limit["memory"].removesuffix("Mi")) * 1048576 / 1e6
    master_mb = 50  # measured: about 29 MB resident (deploy/README.md, "Sizing")
    assert 0 < settings["max_worker_memory"] * workers + master_mb < memory_mb


def test_the_pod_runs_unprivileged_on_a_read_only_root(objects):
    security = pod(objects)["spec"]["securityContext"]
    assert security["runAsNonRoot"] is True
    assert f"{security['runAsUser']}:{security['runAsGroup']}" == containerfile("USER")
    assert security["seccompProfile"] == {"type": "RuntimeDefault"}
    context = container(objects)["securityContext"]
    assert context["readOnlyRootFilesystem"] is True
    assert context["allowPrivilegeEscalation"] is False
    assert context["capabilities"] == {"drop": ["ALL"]}
    (tmp,) = [m for m in container(objects)["volumeMounts"] if m["mountPath"] == "/tmp"]
    (volume,) = [v for v in pod(objects)["spec"]["volumes"] if v["name"] == tmp["name"]]
    assert "emptyDir" in volume
