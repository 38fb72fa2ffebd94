#!/usr/bin/python3
"""Checks Warren's Kubernetes manifests (k8s/, kustomize) and docker-compose.yml for the mistakes that only
show up in a running cluster: probes on the wrong port, pods that Cluster Bootstrap cannot discover,
Services or a PodDisruptionBudget that select nothing, RBAC that forbids listing pods. It also checks the
CloudNativePG layout (k8s/postgres-ha/cloudnativepg.yaml) structurally: kubectl and the operator are not here.

    /usr/bin/python3 deploy/test/check-manifests.py [--k8s DIR] [--compose FILE] [--no-kubectl]

The manifests are rendered by this script's own small kustomize loader (resources, namePrefix/nameSuffix,
commonLabels, labels, namespace, images) and, when `kubectl` is installed, also by `kubectl kustomize`;
every rendering must pass. Needs PyYAML (Debian: python3-yaml). Exits 1 listing every failed check.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WORKLOAD_KINDS = ("StatefulSet", "Deployment")


class Failures:
    def __init__(self, rendering):
        self.rendering = rendering
        self.messages = []

    def check(self, condition, message):
        if not condition:
            self.messages.append(f"[{self.rendering}] {message}")
        return condition


# ------------------------------------------------------------------ loading (a small kustomize)

SUPPORTED_KUSTOMIZATION_FIELDS = {"apiVersion", "kind", "resources", "namePrefix", "nameSuffix",
                                  "commonLabels", "labels", "namespace", "images"}

# Fields that refer to another object by name: namePrefix/nameSuffix must rename them too.
NAME_REFERENCES = {"ConfigMap", "Secret", "ServiceAccount", "Service", "Role", "PersistentVolumeClaim"}


def load_kustomization(directory):
    path = os.path.join(directory, "kustomization.yaml")
    with open(path) as f:
        kustomization = yaml.safe_load(f) or {}
    unsupported = set(kustomization) - SUPPORTED_KUSTOMIZATION_FIELDS
    if unsupported:
        raise SystemExit(f"{path}: fields {sorted(unsupported)} are not supported by this checker's loader; "
                         "extend check-manifests.py")
    docs = []
    for resource in kustomization.get("resources", []):
        target = os.path.join(directory, resource)
        if os.path.isdir(target):
            docs.extend(load_kustomization(target))
        else:
            with open(target) as f:
                docs.extend(d for d in yaml.safe_load_all(f) if d)
    return apply_transformers(kustomization, docs)


def pod_template(doc):
    return doc.get("spec", {}).get("template") if doc.get("kind") in WORKLOAD_KINDS else None


def apply_transformers(k, docs):
    prefix, suffix = k.get("namePrefix", ""), k.get("nameSuffix", "")
    if prefix or suffix:
        renamed = {(d["kind"], d["metadata"]["name"]) for d in docs}

        def rename(kind, name):
            return f"{prefix}{name}{suffix}" if (kind, name) in renamed else name

        for d in docs:
            d["metadata"]["name"] = rename(d["kind"], d["metadata"]["name"])
            rename_references(d, rename)
    for key, value in (k.get("commonLabels") or {}).items():
        for d in docs:
            add_labels(d, {key: value}, selectors=True, templates=True)
    for entry in k.get("labels") or []:
        for d in docs:
            add_labels(d, entry.get("pairs", {}), selectors=entry.get("includeSelectors", False),
                       templates=entry.get("includeTemplates", False) or entry.get("includeSelectors", False))
    if k.get("namespace"):
        for d in docs:
            d["metadata"]["namespace"] = k["namespace"]
            if d["kind"] == "RoleBinding":
                for s in d.get("subjects", []):
                    if s.get("kind") == "ServiceAccount":
                        s["namespace"] = k["namespace"]
    for image in k.get("images") or []:
        for d in docs:
            for c in containers(d):
                name, _, tag = c["image"].partition(":")
                if name == image["name"]:
                    c["image"] = f"{image.get('newName', name)}:{image.get('newTag', tag or 'latest')}"
    return docs


def rename_references(doc, rename):
    spec = (pod_template(doc) or {}).get("spec", {})
    if "serviceAccountName" in spec:
        spec["serviceAccountName"] = rename("ServiceAccount", spec["serviceAccountName"])
    for v in spec.get("volumes", []):
        if "configMap" in v:
            v["configMap"]["name"] = rename("ConfigMap", v["configMap"]["name"])
        if "secret" in v:
            v["secret"]["secretName"] = rename("Secret", v["secret"]["secretName"])
    for c in spec.get("containers", []):
        for e in c.get("env", []):
            ref = e.get("valueFrom", {})
            for kind, field in (("Secret", "secretKeyRef"), ("ConfigMap", "configMapKeyRef")):
                if field in ref:
                    ref[field]["name"] = rename(kind, ref[field]["name"])
    if doc["kind"] == "StatefulSet" and "serviceName" in doc["spec"]:
        doc["spec"]["serviceName"] = rename("Service", doc["spec"]["serviceName"])
    if doc["kind"] == "RoleBinding":
        doc["roleRef"]["name"] = rename(doc["roleRef"]["kind"], doc["roleRef"]["name"])
        for s in doc.get("subjects", []):
            if s.get("kind") == "ServiceAccount":
                s["name"] = rename("ServiceAccount", s["name"])


def add_labels(doc, pairs, selectors, templates):
    doc["metadata"].setdefault("labels", {}).update(pairs)
    spec = doc.get("spec", {})
    if templates and pod_template(doc) is not None:
        pod_template(doc).setdefault("metadata", {}).setdefault("labels", {}).update(pairs)
    if selectors:
        if doc["kind"] == "Service":
            spec.setdefault("selector", {}).update(pairs)
        elif doc["kind"] in WORKLOAD_KINDS or doc["kind"] == "PodDisruptionBudget":
            spec.setdefault("selector", {}).setdefault("matchLabels", {}).update(pairs)


def render_with_kubectl(directory):
    out = subprocess.run(["kubectl", "kustomize", directory], check=True, capture_output=True, text=True)
    return [d for d in yaml.safe_load_all(out.stdout) if d]


# ------------------------------------------------------------------ helpers

def containers(doc):
    template = pod_template(doc)
    return template.get("spec", {}).get("containers", []) if template else []


def pod_labels(doc):
    return (pod_template(doc) or {}).get("metadata", {}).get("labels", {}) or {}


def selects(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def match_labels(doc):
    selector = doc.get("spec", {}).get("selector", {}) or {}
    if selector.get("matchExpressions"):
        raise SystemExit(f"{doc['kind']}/{doc['metadata']['name']}: matchExpressions not supported by the checker")
    return selector.get("matchLabels", {}) or {}


def env_of(container):
    return {e["name"]: e.get("value") for e in container.get("env", [])}


def hocon_value(text, key, env):
    """The effective value of the last assignment of `key` in a HOCON text: plain HOCON without includes
    of our own, so a line-based reading is enough. ${?VAR} assignments count only when VAR is set."""
    value = None
    for m in re.finditer(r'(?m)^\s*' + re.escape(key) + r'\s*[=:]\s*(.+?)\s*$', text):
        raw = m.group(1).strip()
        sub = re.fullmatch(r'\$\{\??([A-Za-z_][A-Za-z0-9_]*)\}', raw)
        if sub:
            if env.get(sub.group(1)) is not None:
                value = env[sub.group(1)]
        else:
            value = raw.strip('"')
    return value


def config_file_argument(args):
    for i, arg in enumerate(args):
        if arg == "--config" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--config="):
            return arg.split("=", 1)[1]
    return None


def port_of(container, port):
    """The containerPort a probe or targetPort refers to (by name or number), or None."""
    for p in container.get("ports", []):
        if port in (p.get("name"), p.get("containerPort")):
            return p["containerPort"]
    return None


# ------------------------------------------------------------------ the checks

def check_manifests(docs, f, schema_path):
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d["kind"], []).append(d)

    def named(kind, name):
        return next((d for d in by_kind.get(kind, []) if d["metadata"]["name"] == name), None)

    for kind in ("ServiceAccount", "Role", "RoleBinding", "ConfigMap", "Secret", "Service",
                 "PodDisruptionBudget", "StatefulSet"):
        f.check(kind in by_kind, f"no {kind} in the manifests")
    for d in docs:
        f.check("namespace" not in d["metadata"] or d["metadata"]["namespace"],
                f"{d['kind']}/{d['metadata']['name']}: empty namespace")

    workloads = [d for k in WORKLOAD_KINDS for d in by_kind.get(k, [])]
    warren = [w for w in workloads if any(port_of(c, "amqp") == 5672 for c in containers(w))]
    if not f.check(len(warren) == 1, f"expected one workload with an 'amqp' container port 5672, found {len(warren)}"):
        return
    w = warren[0]
    wname = f"{w['kind']}/{w['metadata']['name']}"
    c = containers(w)[0]
    env = env_of(c)
    f.check(w["spec"].get("replicas") == 3, f"{wname}: replicas is {w['spec'].get('replicas')}, expected 3")
    f.check(selects(match_labels(w), pod_labels(w)), f"{wname}: selector does not match its pod labels")

    # ports and probes
    for name, number in (("amqp", 5672), ("remoting", 25520), ("management", 7626)):
        f.check(port_of(c, name) == number, f"{wname}: no container port '{name}' = {number}")
    for probe, path in (("readinessProbe", "/ready"), ("livenessProbe", "/alive"), ("startupProbe", None)):
        p = c.get(probe)
        if p is None and path is None:
            continue
        if not f.check(p is not None and "httpGet" in p, f"{wname}: no HTTP {probe}"):
            continue
        if path:
            f.check(p["httpGet"].get("path") == path, f"{wname}: {probe} path is {p['httpGet'].get('path')}, expected {path}")
        f.check(port_of(c, p["httpGet"].get("port")) == 7626,
                f"{wname}: {probe} is on port {p['httpGet'].get('port')}, not the management port 7626")
    resources = c.get("resources", {})
    for section, key in (("requests", "cpu"), ("requests", "memory"), ("limits", "memory")):
        f.check(key in resources.get(section, {}), f"{wname}: no resources.{section}.{key}")

    # configuration: the HOCON file given to the node with --config must be mounted from a ConfigMap
    hocon = ""
    config_path = config_file_argument(c.get("args", []) + c.get("command", []))
    if f.check(config_path, f"{wname}: no --config FILE argument for the Kubernetes profile"):
        mounts = [vm for vm in c.get("volumeMounts", []) if config_path.startswith(vm["mountPath"].rstrip("/") + "/")]
        volumes = {v["name"]: v for v in pod_template(w)["spec"].get("volumes", [])}
        cm = None
        if f.check(mounts, f"{wname}: {config_path} is not on a mounted volume"):
            volume = volumes.get(mounts[0]["name"], {})
            if f.check("configMap" in volume, f"{wname}: {config_path} is not mounted from a ConfigMap"):
                cm = named("ConfigMap", volume["configMap"]["name"])
                f.check(cm is not None, f"{wname}: ConfigMap {volume['configMap']['name']} does not exist")
        if cm:
            key = os.path.relpath(config_path, mounts[0]["mountPath"])
            hocon = cm.get("data", {}).get(key, "")
            f.check(hocon, f"ConfigMap {cm['metadata']['name']} has no key {key}")

    # Cluster Bootstrap discovery must find exactly the Warren pods
    f.check(hocon_value(hocon, "discovery-method", env) == "kubernetes-api",
            "bootstrap contact-point-discovery.discovery-method is not kubernetes-api")
    service_name = env.get("PEKKO_CLUSTER_BOOTSTRAP_SERVICE_NAME") or hocon_value(hocon, "service-name", env)
    selector_format = hocon_value(hocon, "pod-label-selector", env) or "app=%s"
    if f.check(service_name, "no bootstrap service-name (HOCON or PEKKO_CLUSTER_BOOTSTRAP_SERVICE_NAME)"):
        selector_text = selector_format.replace("%s", service_name)
        pairs = [p.split("=", 1) for p in selector_text.split(",")]
        if f.check(all(len(p) == 2 and "!" not in p[0] for p in pairs),
                   f"pod-label-selector {selector_text!r} is not a list of key=value"):
            discovery = {k.strip(): v.strip() for k, v in pairs}
            f.check(selects(discovery, pod_labels(w)),
                    f"{wname}: pod labels {pod_labels(w)} do not match the discovery selector {selector_text}")
            for other in workloads:
                if other is not w:
                    f.check(not selects(discovery, pod_labels(other)),
                            f"{other['kind']}/{other['metadata']['name']}: its pods match the discovery selector "
                            f"{selector_text} and would be taken for Warren nodes")
    port_name = hocon_value(hocon, "port-name", env)
    if port_name:
        f.check(port_of(c, port_name) == 7626, f"bootstrap port-name {port_name!r} is not the container's management port")
    contact_points = hocon_value(hocon, "required-contact-point-nr", env)
    f.check(contact_points and contact_points.isdigit() and 1 <= int(contact_points) <= w["spec"].get("replicas", 1),
            f"required-contact-point-nr {contact_points} must be between 1 and the replica count")
    for var in ("REQUIRED_CONTACT_POINT_NR",):
        if var in env:
            f.check("${?" + var + "}" in hocon, f"env {var} is set but the HOCON profile never reads it")

    # Services
    for s in by_kind.get("Service", []):
        sname = f"Service/{s['metadata']['name']}"
        selector = s["spec"].get("selector", {})
        targets = [x for x in workloads if selects(selector, pod_labels(x))]
        if not f.check(targets, f"{sname}: selector {selector} matches no pod template"):
            continue
        for port in s["spec"].get("ports", []):
            target = port.get("targetPort", port["port"])
            f.check(any(port_of(cc, target) for x in targets for cc in containers(x)),
                    f"{sname}: targetPort {target} is not a container port of the selected pods")
    amqp = [s for s in by_kind.get("Service", []) if s["spec"].get("clusterIP") != "None"
            and any(p["port"] == 5672 for p in s["spec"].get("ports", [])) and selects(s["spec"].get("selector"), pod_labels(w))]
    if f.check(amqp, "no non-headless Service with port 5672 for the Warren pods"):
        f.check(amqp[0]["spec"].get("type", "ClusterIP") in ("ClusterIP", "LoadBalancer"),
                f"Service/{amqp[0]['metadata']['name']}: type should be ClusterIP (or LoadBalancer)")
    headless = [s for s in by_kind.get("Service", []) if s["spec"].get("clusterIP") == "None"
                and selects(s["spec"].get("selector"), pod_labels(w))]
    if f.check(headless, "no headless Service for the Warren pods"):
        f.check(headless[0]["spec"].get("publishNotReadyAddresses") is True,
                f"Service/{headless[0]['metadata']['name']}: publishNotReadyAddresses must be true "
                "(bootstrap contact points are not ready yet)")
    if w["kind"] == "StatefulSet":
        f.check(any(s["metadata"]["name"] == w["spec"].get("serviceName") for s in headless),
                f"{wname}: serviceName {w['spec'].get('serviceName')} is not a headless Service of its pods")
        f.check(w["spec"].get("podManagementPolicy") == "Parallel",
                f"{wname}: podManagementPolicy must be Parallel, or bootstrap waits for a pod that is never started")

    # RBAC: the pod's service account may list/watch/get pods (and manage Leases for lease-majority)
    sa = pod_template(w)["spec"].get("serviceAccountName")
    if f.check(sa and named("ServiceAccount", sa), f"{wname}: serviceAccountName {sa} is not a ServiceAccount here"):
        roles = []
        for rb in by_kind.get("RoleBinding", []):
            if any(s.get("kind") == "ServiceAccount" and s.get("name") == sa for s in rb.get("subjects", [])):
                role = named(rb["roleRef"]["kind"], rb["roleRef"]["name"])
                f.check(role is not None, f"RoleBinding/{rb['metadata']['name']}: {rb['roleRef']['kind']} "
                                          f"{rb['roleRef']['name']} does not exist")
                roles.extend([role] if role else [])

        def allowed(group, resource, verb):
            return any((group in r.get("apiGroups", []) or "*" in r.get("apiGroups", []))
                       and (resource in r.get("resources", []) or "*" in r.get("resources", []))
                       and (verb in r.get("verbs", []) or "*" in r.get("verbs", []))
                       for role in roles for r in role.get("rules", []))

        for verb in ("get", "watch", "list"):
            f.check(allowed("", "pods", verb), f"ServiceAccount {sa} may not {verb} pods")
        if hocon_value(hocon, "active-strategy", env) == "lease-majority":
            for verb in ("get", "create", "update"):
                f.check(allowed("coordination.k8s.io", "leases", verb),
                        f"lease-majority is on but ServiceAccount {sa} may not {verb} coordination.k8s.io leases")

    # PodDisruptionBudget
    pdbs = [p for p in by_kind.get("PodDisruptionBudget", []) if selects(match_labels(p), pod_labels(w))]
    if f.check(pdbs, "no PodDisruptionBudget selects the Warren pods"):
        f.check(pdbs[0]["spec"].get("maxUnavailable") == 1, "the Warren PodDisruptionBudget's maxUnavailable is not 1")
        for other in workloads:
            if other is not w:
                f.check(not selects(match_labels(pdbs[0]), pod_labels(other)),
                        f"the Warren PodDisruptionBudget also selects {other['kind']}/{other['metadata']['name']}")

    for x in workloads:
        check_restricted(x, f)
    # Warren's own: no guest, the administrator from a Secret, memory requested as limited (no overcommit)
    for var in ("WARREN_DEFAULT_USER", "WARREN_DEFAULT_PASS"):
        entry = next((e for e in c.get("env", []) if e["name"] == var), None)
        f.check(entry is not None and "secretKeyRef" in entry.get("valueFrom", {}),
                f"{wname}: {var} is not read from a Secret (the default user must not be guest)")
    resources = c.get("resources", {})
    f.check(resources.get("requests", {}).get("memory") is not None
            and resources.get("requests", {}).get("memory") == resources.get("limits", {}).get("memory"),
            f"{wname}: memory request and limit differ (a node under load would be OOM-killed on a full Kubernetes node)")

    # every Secret/ConfigMap key a pod reads exists
    for x in workloads:
        for cc in containers(x):
            for e in cc.get("env", []):
                for kind, field in (("Secret", "secretKeyRef"), ("ConfigMap", "configMapKeyRef")):
                    ref = e.get("valueFrom", {}).get(field)
                    if ref:
                        obj = named(kind, ref["name"])
                        keys = set((obj or {}).get("data", {}) or {}) | set((obj or {}).get("stringData", {}) or {})
                        f.check(ref["key"] in keys, f"{x['metadata']['name']}: env {e['name']} reads missing "
                                                    f"{kind} {ref['name']} key {ref['key']}")

    # the PostgreSQL init script is a copy of deploy/postgres/schema.sql
    if os.path.exists(schema_path):
        with open(schema_path) as fh:
            schema = fh.read()
        copies = [(cm["metadata"]["name"], k) for cm in by_kind.get("ConfigMap", [])
                  for k in (cm.get("data") or {}) if k.endswith(".sql")]
        for name, key in copies:
            f.check(named("ConfigMap", name)["data"][key] == schema,
                    f"ConfigMap {name} key {key} differs from {os.path.relpath(schema_path, REPO)}")


ALLOWED_VOLUME_TYPES = {"configMap", "secret", "emptyDir", "persistentVolumeClaim", "projected", "downwardAPI",
                        "csi", "ephemeral"}


def check_restricted(workload, f):
    """Pod Security Standards, "restricted" profile (v1.24+), for one workload's pod template."""
    name = f"{workload['kind']}/{workload['metadata']['name']}"
    spec = pod_template(workload)["spec"]
    pod_sc = spec.get("securityContext") or {}
    for host in ("hostNetwork", "hostPID", "hostIPC"):
        f.check(not spec.get(host), f"{name}: {host} is not allowed by Pod Security restricted")
    for v in spec.get("volumes", []):
        kinds = set(v) - {"name"}
        f.check(kinds <= ALLOWED_VOLUME_TYPES, f"{name}: volume {v.get('name')} of type {sorted(kinds)} is not allowed "
                                               f"by Pod Security restricted")
    pod_seccomp = (pod_sc.get("seccompProfile") or {}).get("type")
    for cc in spec.get("containers", []) + spec.get("initContainers", []):
        sc = cc.get("securityContext") or {}
        cname = f"{name} container {cc['name']}"
        f.check(sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot")) is True,
                f"{cname}: runAsNonRoot is not true (Pod Security restricted)")
        f.check(sc.get("runAsUser", pod_sc.get("runAsUser")) != 0, f"{cname}: runs as user 0")
        f.check(sc.get("allowPrivilegeEscalation") is False,
                f"{cname}: allowPrivilegeEscalation is not false (Pod Security restricted)")
        f.check(not sc.get("privileged"), f"{cname}: privileged")
        caps = sc.get("capabilities") or {}
        f.check("ALL" in (caps.get("drop") or []), f"{cname}: capabilities do not drop ALL (Pod Security restricted)")
        f.check(set(caps.get("add") or []) <= {"NET_BIND_SERVICE"}, f"{cname}: adds capabilities {caps.get('add')}")
        seccomp = (sc.get("seccompProfile") or {}).get("type", pod_seccomp)
        f.check(seccomp in ("RuntimeDefault", "Localhost"),
                f"{cname}: seccompProfile is {seccomp}, not RuntimeDefault (Pod Security restricted)")
        for port in cc.get("ports", []):
            f.check(not port.get("hostPort"), f"{cname}: hostPort {port.get('hostPort')}")


def check_compose(path, f):
    with open(path) as fh:
        compose = yaml.safe_load(fh)
    services = compose.get("services", {})
    postgres = [n for n, s in services.items() if str(s.get("image", "")).startswith("postgres:")]
    if not f.check(len(postgres) == 1, "expected one postgres service"):
        return
    f.check(services[postgres[0]]["image"].split(":")[1].startswith("16"), "PostgreSQL is not version 16")
    f.check("healthcheck" in services[postgres[0]], "postgres service has no healthcheck")
    nodes = sorted(n for n, s in services.items() if "WARREN_SEED_NODES" in (s.get("environment") or {}))
    f.check(len(nodes) == 3, f"expected 3 Warren services, found {nodes}")
    host_ports = set()
    for n in nodes:
        s = services[n]
        env = s["environment"]
        f.check("healthcheck" in s and "7626" in " ".join(s["healthcheck"].get("test", [])),
                f"{n}: no healthcheck against Pekko Management (7626)")
        f.check((s.get("depends_on") or {}).get(postgres[0], {}).get("condition") == "service_healthy",
                f"{n}: does not depend on {postgres[0]} with condition service_healthy")
        f.check(env.get("WARREN_REMOTE_HOST") == s.get("hostname", n), f"{n}: WARREN_REMOTE_HOST is not its hostname")
        for seed in env["WARREN_SEED_NODES"].split(","):
            m = re.fullmatch(r"pekko://warren@([^:]+):(\d+)", seed.strip())
            if f.check(m, f"{n}: seed node {seed!r} is not pekko://warren@host:port"):
                f.check(m.group(1) in services and m.group(2) == str(services[m.group(1)]["environment"].get("WARREN_REMOTE_PORT")),
                        f"{n}: seed node {seed} is not a service's remoting address")
        f.check(postgres[0] in env.get("WARREN_POSTGRES_URL", ""), f"{n}: WARREN_POSTGRES_URL does not name {postgres[0]}")
        for mapping in s.get("ports", []):
            published, _, target = str(mapping).rpartition(":")
            if target == "5672":
                host_ports.add(int(published.split(":")[-1]))
    f.check(host_ports == {5672, 5673, 5674}, f"AMQP host ports are {sorted(host_ports)}, expected 5672-5674")

def check_cloudnativepg(path, k8s_dir, f):
    """The HA journal layout: 3 instances on different nodes, synchronous replication that a commit waits for, the
    schema ConfigMap of k8s/, and a warren-postgres Secret whose JDBC URL points at the cluster's -rw Service."""
    with open(path) as fh:
        docs = [d for d in yaml.safe_load_all(fh) if d]
    clusters = [d for d in docs if d.get("kind") == "Cluster" and str(d.get("apiVersion", "")).startswith("postgresql.cnpg.io/")]
    if not f.check(len(clusters) == 1, "expected one postgresql.cnpg.io Cluster"):
        return
    cluster = clusters[0]
    name = cluster["metadata"]["name"]
    spec = cluster.get("spec") or {}
    f.check(int(spec.get("instances", 0)) >= 3, f"Cluster {name}: fewer than 3 instances")
    sync = (spec.get("postgresql") or {}).get("synchronous") or {}
    f.check(sync.get("method") in ("any", "first") and int(sync.get("number", 0)) >= 1,
            f"Cluster {name}: no synchronous replication (postgresql.synchronous.method any|first, number >= 1)")
    f.check(sync.get("dataDurability", "required") == "required",
            f"Cluster {name}: synchronous.dataDurability is not required (commits would go on alone)")
    params = (spec.get("postgresql") or {}).get("parameters") or {}
    f.check(str(params.get("synchronous_commit", "on")) in ("on", "remote_apply"),
            f"Cluster {name}: synchronous_commit is not on")
    affinity = spec.get("affinity") or {}
    f.check(affinity.get("enablePodAntiAffinity", True) and affinity.get("podAntiAffinityType") == "required",
            f"Cluster {name}: instances may share a Kubernetes node (podAntiAffinityType is not required)")
    f.check(bool((spec.get("storage") or {}).get("size")), f"Cluster {name}: no storage size")
    initdb = (spec.get("bootstrap") or {}).get("initdb") or {}
    secrets = {d["metadata"]["name"]: d for d in docs if d.get("kind") == "Secret"}
    app_secret = secrets.get((initdb.get("secret") or {}).get("name"))
    if f.check(app_secret is not None, f"Cluster {name}: bootstrap.initdb.secret names no Secret in {os.path.basename(path)}"):
        f.check(app_secret.get("type") == "kubernetes.io/basic-auth", "the initdb Secret is not kubernetes.io/basic-auth")
        f.check((app_secret.get("stringData") or {}).get("username") == initdb.get("owner"),
                "the initdb Secret's username is not the database owner")
    refs = ((initdb.get("postInitApplicationSQLRefs") or {}).get("configMapRefs")) or []
    schema = {}
    schema_path = os.path.join(k8s_dir, "postgres-schema.yaml")
    if os.path.exists(schema_path):
        with open(schema_path) as fh:
            schema = {d["metadata"]["name"]: d for d in yaml.safe_load_all(fh) if d and d.get("kind") == "ConfigMap"}
    f.check(any(r.get("name") in schema and r.get("key") in (schema[r["name"]].get("data") or {}) for r in refs),
            f"Cluster {name}: postInitApplicationSQLRefs does not run the schema ConfigMap of k8s/postgres-schema.yaml")
    warren = secrets.get("warren-postgres")
    if f.check(warren is not None, "no warren-postgres Secret (what the Warren pods read)"):
        data = warren.get("stringData") or {}
        f.check({"jdbc-url", "username", "password"} <= set(data), "warren-postgres lacks jdbc-url, username or password")
        m = re.fullmatch(r"jdbc:postgresql://([^:/]+)(?::\d+)?/([^?]+).*", str(data.get("jdbc-url", "")))
        if f.check(m, "warren-postgres jdbc-url is not a jdbc:postgresql:// URL"):
            f.check(m.group(1) == f"{name}-rw", f"warren-postgres jdbc-url does not point at {name}-rw (the primary)")
            f.check(m.group(2) == initdb.get("database"), "warren-postgres jdbc-url names another database than initdb's")
        if app_secret is not None:
            f.check(data.get("username") == (app_secret.get("stringData") or {}).get("username")
                    and data.get("password") == (app_secret.get("stringData") or {}).get("password"),
                    "warren-postgres and the initdb Secret disagree on username or password")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k8s", default=os.path.join(REPO, "k8s"), help="kustomization directory")
    parser.add_argument("--compose", default=os.path.join(REPO, "docker-compose.yml"), help="compose file ('' to skip)")
    parser.add_argument("--schema", default=os.path.join(REPO, "deploy", "postgres", "schema.sql"))
    parser.add_argument("--no-kubectl", action="store_true", help="only the built-in loader")
    parser.add_argument("--cnpg", default=None, help="CloudNativePG manifest (default: K8S/postgres-ha/cloudnativepg.yaml)")
    args = parser.parse_args()

    renderings = [("loader", load_kustomization(args.k8s))]
    if not args.no_kubectl and shutil.which("kubectl"):
        try:
            renderings.append(("kubectl kustomize", render_with_kubectl(args.k8s)))
        except subprocess.CalledProcessError as e:
            print(f"FAIL: kubectl kustomize {args.k8s}:\n{e.stderr}", file=sys.stderr)
            return 1
    failures = []
    for name, docs in renderings:
        f = Failures(name)
        check_manifests(docs, f, args.schema)
        failures.extend(f.messages)
    if len(renderings) == 2:
        ids = [sorted((d["kind"], d["metadata"]["name"]) for d in docs) for _, docs in renderings]
        if ids[0] != ids[1]:
            failures.append(f"the loader and kubectl kustomize render different objects: {ids[0]} vs {ids[1]}")
    cnpg = args.cnpg or os.path.join(args.k8s, "postgres-ha", "cloudnativepg.yaml")
    f = Failures(os.path.basename(cnpg))
    if f.check(os.path.exists(cnpg), f"{cnpg} is missing"):
        check_cloudnativepg(cnpg, args.k8s, f)
    failures.extend(f.messages)
    if args.compose:
        f = Failures(os.path.basename(args.compose))
        check_compose(args.compose, f)
        failures.extend(f.messages)

    for message in failures:
        print(f"FAIL: {message}", file=sys.stderr)
    if failures:
        return 1
    count = len(renderings[0][1])
    print(f"ok: {count} objects in {os.path.relpath(args.k8s)} "
          f"({', '.join(n for n, _ in renderings)}){' and ' + os.path.relpath(args.compose) if args.compose else ''} pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
