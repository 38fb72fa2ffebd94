#!/usr/bin/python3
"""Proves that check-manifests.py catches what it claims to: each test copies k8s/, docker-compose.yml and
the schema to a temporary directory, breaks one thing and expects the checker to fail naming it.

    /usr/bin/python3 -m unittest discover -s deploy/test -p 'test_*.py'
"""
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
CHECKER = os.path.join(HERE, "check-manifests.py")


def load_checker():
    spec = importlib.util.spec_from_file_location("check_manifests", CHECKER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class CheckManifestsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="warren-manifests-")
        self.k8s = os.path.join(self.tmp, "k8s")
        shutil.copytree(os.path.join(REPO, "k8s"), self.k8s)
        self.compose = os.path.join(self.tmp, "docker-compose.yml")
        shutil.copy(os.path.join(REPO, "docker-compose.yml"), self.compose)
        self.schema = os.path.join(self.tmp, "schema.sql")
        shutil.copy(os.path.join(REPO, "deploy", "postgres", "schema.sql"), self.schema)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def edit(self, path, old, new):
        with open(path) as f:
            text = f.read()
        self.assertIn(old, text, f"test setup: {old!r} not in {path}")
        with open(path, "w") as f:
            f.write(text.replace(old, new))

    def run_checker(self, *extra):
        return subprocess.run([sys.executable, CHECKER, "--k8s", self.k8s, "--compose", self.compose,
                               "--schema", self.schema, *extra], capture_output=True, text=True)

    def assert_fails_with(self, message, *extra):
        result = self.run_checker(*extra)
        self.assertEqual(1, result.returncode, result.stdout + result.stderr)
        self.assertIn(message, result.stderr)

    def cnpg(self):
        return os.path.join(self.k8s, "postgres-ha", "cloudnativepg.yaml")

    def test_cloudnativepg_with_one_instance_fails(self):
        self.edit(self.cnpg(), "instances: 3", "instances: 1")
        self.assert_fails_with("fewer than 3 instances")

    def test_cloudnativepg_without_synchronous_replication_fails(self):
        self.edit(self.cnpg(), "      method: any\n      number: 1\n", "")
        self.assert_fails_with("no synchronous replication")

    def test_cloudnativepg_jdbc_url_not_at_the_primary_fails(self):
        self.edit(self.cnpg(), "//warren-postgres-rw:5432", "//warren-postgres-ro:5432")
        self.assert_fails_with("does not point at warren-postgres-rw")

    def test_cloudnativepg_instances_on_one_node_fail(self):
        self.edit(self.cnpg(), "podAntiAffinityType: required", "podAntiAffinityType: preferred")
        self.assert_fails_with("may share a Kubernetes node")

    def test_cloudnativepg_without_the_schema_fails(self):
        self.edit(self.cnpg(), "key: 10-warren-schema.sql", "key: schema.sql")
        self.assert_fails_with("does not run the schema ConfigMap")

    def test_repository_manifests_pass(self):
        result = self.run_checker()
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertIn("pass", result.stdout)

    def test_name_prefix_and_common_labels_still_pass(self):
        self.edit(os.path.join(self.k8s, "kustomization.yaml"), "labels:\n",
                  "namePrefix: demo-\ncommonLabels:\n  tier: messaging\nlabels:\n")
        result = self.run_checker()
        self.assertEqual(0, result.returncode, result.stderr)
        docs = load_checker().load_kustomization(self.k8s)
        statefulset = next(d for d in docs if d["kind"] == "StatefulSet" and "postgres" not in d["metadata"]["name"])
        self.assertEqual("demo-warren", statefulset["metadata"]["name"])
        self.assertEqual("demo-warren", statefulset["spec"]["template"]["spec"]["serviceAccountName"])
        self.assertEqual("messaging", statefulset["spec"]["selector"]["matchLabels"]["tier"])

    def test_config_file_not_mounted(self):
        self.edit(os.path.join(self.k8s, "warren-statefulset.yaml"), 'args: ["--config", "/etc/warren/',
                  'args: ["--config", "/etc/other/')
        self.assert_fails_with("/etc/other/warren-k8s.conf is not on a mounted volume")

    def test_discovery_method_not_kubernetes(self):
        self.edit(os.path.join(self.k8s, "warren-config.yaml"), "discovery-method = kubernetes-api",
                  "discovery-method = config")
        self.assert_fails_with("discovery-method is not kubernetes-api")

    def test_readiness_probe_on_wrong_port(self):
        self.edit(os.path.join(self.k8s, "warren-statefulset.yaml"),
                  "httpGet: { path: /ready, port: management }", "httpGet: { path: /ready, port: amqp }")
        self.assert_fails_with("readinessProbe is on port amqp, not the management port 7626")

    def test_liveness_probe_wrong_path(self):
        self.edit(os.path.join(self.k8s, "warren-statefulset.yaml"),
                  "livenessProbe:\n            httpGet: { path: /alive", "livenessProbe:\n            httpGet: { path: /health")
        self.assert_fails_with("livenessProbe path is /health, expected /alive")

    def test_rbac_without_list_pods(self):
        self.edit(os.path.join(self.k8s, "warren-rbac.yaml"), 'verbs: ["get", "watch", "list"]', 'verbs: ["get", "watch"]')
        self.assert_fails_with("may not list pods")

    def test_rbac_without_leases(self):
        self.edit(os.path.join(self.k8s, "warren-rbac.yaml"), 'apiGroups: ["coordination.k8s.io"]', 'apiGroups: ["apps"]')
        self.assert_fails_with("may not get coordination.k8s.io leases")

    def test_discovery_selector_not_matching_pods(self):
        self.edit(os.path.join(self.k8s, "warren-statefulset.yaml"),
                  "name: PEKKO_CLUSTER_BOOTSTRAP_SERVICE_NAME\n              value: warren",
                  "name: PEKKO_CLUSTER_BOOTSTRAP_SERVICE_NAME\n              value: broker")
        self.assert_fails_with("do not match the discovery selector app=broker")

    def test_other_pods_matching_discovery_selector(self):
        # app.kubernetes.io/part-of=warren is on every pod, PostgreSQL's included.
        self.edit(os.path.join(self.k8s, "warren-config.yaml"), 'pod-label-selector = "app=%s"',
                  'pod-label-selector = "app.kubernetes.io/part-of=%s"')
        self.assert_fails_with("would be taken for Warren nodes")

    def test_pdb_selecting_nothing(self):
        self.edit(os.path.join(self.k8s, "warren-pdb.yaml"), "matchLabels:\n      app: warren", "matchLabels:\n      app: warren-x")
        self.assert_fails_with("no PodDisruptionBudget selects the Warren pods")

    def test_service_target_port_typo(self):
        self.edit(os.path.join(self.k8s, "warren-services.yaml"), "targetPort: amqp\n    - name: http",
                  "targetPort: amqpp\n    - name: http")
        self.assert_fails_with("targetPort amqpp is not a container port")

    def test_headless_service_hiding_unready_pods(self):
        self.edit(os.path.join(self.k8s, "warren-services.yaml"), "publishNotReadyAddresses: true", "publishNotReadyAddresses: false")
        self.assert_fails_with("publishNotReadyAddresses must be true")

    def test_privilege_escalation_allowed(self):
        self.edit(os.path.join(self.k8s, "warren-statefulset.yaml"), "allowPrivilegeEscalation: false",
                  "allowPrivilegeEscalation: true")
        self.assert_fails_with("allowPrivilegeEscalation is not false")

    def test_capabilities_not_dropped(self):
        self.edit(os.path.join(self.k8s, "postgres.yaml"), 'drop: ["ALL"]', 'drop: ["NET_RAW"]')
        self.assert_fails_with("container postgres: capabilities do not drop ALL")

    def test_seccomp_profile_missing(self):
        self.edit(os.path.join(self.k8s, "warren-statefulset.yaml"), "type: RuntimeDefault", "type: Unconfined")
        self.assert_fails_with("seccompProfile is Unconfined")

    def test_default_user_not_from_a_secret(self):
        self.edit(os.path.join(self.k8s, "warren-statefulset.yaml"),
                  "valueFrom: { secretKeyRef: { name: warren-default-user, key: password } }", "value: guest")
        self.assert_fails_with("WARREN_DEFAULT_PASS is not read from a Secret")

    def test_missing_secret_key(self):
        self.edit(os.path.join(self.k8s, "postgres-secret.yaml"), "jdbc-url:", "url:")
        self.assert_fails_with("reads missing Secret warren-postgres key jdbc-url")

    def test_schema_copy_out_of_date(self):
        with open(self.schema, "a") as f:
            f.write("-- changed\n")
        self.assert_fails_with("differs from")

    def test_compose_host_ports(self):
        self.edit(self.compose, '"5674:5672"', '"5675:5672"')
        self.assert_fails_with("AMQP host ports are [5672, 5673, 5675]")

    def test_compose_depends_on_not_healthy(self):
        self.edit(self.compose, "condition: service_healthy", "condition: service_started")
        self.assert_fails_with("with condition service_healthy")

    def test_compose_seed_node_unknown_host(self):
        self.edit(self.compose, "pekko://warren@warren3:25520", "pekko://warren@warren4:25520")
        self.assert_fails_with("is not a service's remoting address")


if __name__ == "__main__":
    unittest.main()
