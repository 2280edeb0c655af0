#!/usr/bin/python3
"""Debian's python3-kubernetes against kubesim with RBAC on.

Real server behaviour checked: a ServiceAccount token from TokenRequest
(pkg/registry/core/serviceaccount/storage/token.go) authenticates as
system:serviceaccount:NS:NAME; a request RBAC does not grant
(plugin/pkg/auth/authorizer/rbac) is answered 403 with a Status whose reason
is Forbidden and whose message is the apiserver's forbiddenMessage
(endpoints/handlers/responsewriters/errors.go); the client raises ApiException.
"""
import json
import sys

try:
    from kubernetes import client, config
    from kubernetes.client.rest import ApiException
except ImportError:
    print("skip: python3-kubernetes is not installed", file=sys.stderr)
    sys.exit(77)

NS = "conf-rbac"


def admin_api():
    config.load_kube_config()
    return client.ApiClient()


def token_api(admin, token):
    conf = client.Configuration.get_default_copy()
    conf.api_key = {"authorization": "Bearer " + token}
    conf.host = admin.configuration.host
    conf.ssl_ca_cert = admin.configuration.ssl_ca_cert
    return client.ApiClient(conf)


def main():
    admin = admin_api()
    v1 = client.CoreV1Api(admin)
    rbac = client.RbacAuthorizationV1Api(admin)
    v1.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=NS)))
    v1.create_namespaced_service_account(NS, client.V1ServiceAccount(metadata=client.V1ObjectMeta(name="app")))
    rbac.create_namespaced_role(NS, {"metadata": {"name": "read"},
                                     "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}]})
    rbac.create_namespaced_role_binding(NS, {"metadata": {"name": "read"},
                                             "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "read"},
                                             "subjects": [{"kind": "ServiceAccount", "name": "app", "namespace": NS}]})
    issued = v1.create_namespaced_service_account_token("app", NS, {"spec": {"expirationSeconds": 600}})
    as_app = client.CoreV1Api(token_api(admin, issued.status.token))
    as_app.list_namespaced_config_map(NS)  # allowed
    try:
        as_app.create_namespaced_config_map(NS, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="x")))
    except ApiException as e:
        body = json.loads(e.body)
        want = ('configmaps is forbidden: User "system:serviceaccount:%s:app" cannot create resource '
                '"configmaps" in API group "" in the namespace "%s"' % (NS, NS))
        ok = e.status == 403 and body["reason"] == "Forbidden" and body["message"] == want
        print(("ok  " if ok else "FAIL") + " forbidden create raises ApiException 403 Forbidden: %s %s" % (e.status, body))
        return 0 if ok else 1
    print("FAIL the forbidden create succeeded")
    return 1


if __name__ == "__main__":
    sys.exit(main())
