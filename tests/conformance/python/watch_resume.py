#!/usr/bin/python3
"""Debian's python3-kubernetes against kubesim: watches, resumed and expired.

Real server behaviour checked (api-concepts "Efficient detection of changes";
apiserver storage/cacher/watch_cache.go getAllEventsSinceLocked):
- the client sends watch=True (Go's strconv.ParseBool accepts it);
- a watch from resourceVersion N delivers exactly the changes after N, in
  order, with their own types: a known object changed is MODIFIED, a deletion
  is DELETED, a new object ADDED;
- a resourceVersion older than the retained history ends the watch with an
  ERROR event carrying a 410 Expired Status; the client raises it and the
  caller re-lists.
"""
import json
import os
import sys
import urllib.request

try:
    from kubernetes import client, config, watch
    from kubernetes.client.rest import ApiException
except ImportError:
    print("skip: python3-kubernetes is not installed", file=sys.stderr)
    sys.exit(77)

NS = "conf-python"


def control(path):
    req = urllib.request.Request(os.environ["KUBESIM_URL"] + "/kubesim/v1/" + path, data=b"{}", method="POST")
    urllib.request.urlopen(req, timeout=10).read()


def cm(name, value="v"):
    return client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name), data={"k": value})


def events_from(v1, rv, count):
    seen = []
    for event in watch.Watch().stream(v1.list_namespaced_config_map, NS, resource_version=rv, timeout_seconds=10):
        seen.append((event["type"], event["object"].metadata.name))
        if len(seen) == count:
            break
    return seen


def main():
    config.load_kube_config()
    v1 = client.CoreV1Api()
    v1.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=NS)))
    v1.create_namespaced_config_map(NS, cm("a"))
    v1.create_namespaced_config_map(NS, cm("b"))
    rv = v1.list_namespaced_config_map(NS).metadata.resource_version

    # Changes made while the watcher was away.
    v1.patch_namespaced_config_map("a", NS, {"data": {"k": "changed"}})
    v1.delete_namespaced_config_map("b", NS)
    v1.create_namespaced_config_map(NS, cm("c"))
    resumed = events_from(v1, rv, 3)
    want = [("MODIFIED", "a"), ("DELETED", "b"), ("ADDED", "c")]
    failures = []
    if resumed != want:
        failures.append("resumed watch: got %s, want %s" % (resumed, want))

    # After compaction the old version is gone: 410, then a relist recovers.
    control("compact")
    try:
        events_from(v1, rv, 1)
        failures.append("watch from a compacted resourceVersion did not raise 410")
    except ApiException as e:
        if e.status != 410:
            failures.append("watch from a compacted resourceVersion: status %s, want 410" % e.status)
    listed = v1.list_namespaced_config_map(NS)
    # kube-root-ca.crt is in every namespace, as on a real cluster.
    names = sorted(item.metadata.name for item in listed.items if item.metadata.name != "kube-root-ca.crt")
    if names != ["a", "c"]:
        failures.append("relist after 410: %s, want ['a', 'c']" % names)
    v1.delete_namespaced_config_map("a", NS)
    after_relist = events_from(v1, listed.metadata.resource_version, 1)
    if after_relist != [("DELETED", "a")]:
        failures.append("watch from the relist's version: %s" % after_relist)

    for f in failures:
        print("FAIL", f)
    if not failures:
        print("ok   python3-kubernetes watch resume, 410 and relist")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
